package server

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/reqsig"
)

// TestSignedRequests takes a case through to the signed agreement with
// alice, invited with a key, making every request signed and never holding
// a token; bob registers a key with his token and signs from then on.
// Every forged, replayed, stale or unknown signature is refused with
// unauthorized and changes nothing.
func TestSignedRequests(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	var created struct{ ID string }
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", readTestdata(t, "three.yaml"), &created)
	c := &liveCaseT{ts: ts, id: created.ID, tokens: map[string]string{"mediator": ts.admin}, humans: []string{"alice", "bob"}}
	alicePub, alice, _ := ed25519.GenerateKey(nil)
	var inv map[string]string
	ts.must(201, ts.admin, "POST", c.path("/invites"), map[string]any{"name": "alice", "role": "party", "public_key": alicePub}, &inv)
	aliceID := c.id + "/alice"
	if inv["token"] != "" || inv["key_id"] != aliceID {
		t.Fatalf("invite with a key: %v, want key_id %s and no token", inv, aliceID)
	}
	ts.must(201, ts.admin, "POST", c.path("/invites"), map[string]any{"name": "bob", "role": "party"}, &inv)
	c.tokens["bob"] = inv["token"]

	bobPub, bob, _ := ed25519.GenerateKey(nil)
	var reg map[string]string
	ts.must(200, c.tokens["bob"], "POST", c.path("/key"), map[string]any{"public_key": bobPub}, &reg)
	bobID := c.id + "/bob"
	if reg["key_id"] != bobID {
		t.Fatalf("register bob's key: %v", reg)
	}
	ts.must(200, c.tokens["bob"], "POST", c.path("/key"), map[string]any{"public_key": bobPub}, nil) // the same again: nothing
	otherPub, other, _ := ed25519.GenerateKey(nil)
	if code := ts.call(c.tokens["bob"], "POST", c.path("/key"), map[string]any{"public_key": otherPub}, nil); code != http.StatusConflict {
		t.Errorf("registering another key: %d, want 409", code)
	}
	if code := ts.call(ts.admin, "POST", c.path("/key"), map[string]any{"public_key": otherPub}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("a mediator registering a key: %d, want 422 unsupported", code)
	}
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)

	keys := map[string]ed25519.PrivateKey{"alice": alice, "bob": bob}
	ids := map[string]string{"alice": aliceID, "bob": bobID}

	// Refusals: each is unauthorized and bob's part of the log stays as it
	// was (the session goes on putting its questions meanwhile).
	bobs := func() int {
		n := 0
		for _, e := range c.events("mediator") {
			if e.From == "bob" {
				n++
			}
		}
		return n
	}
	before := bobs()
	var q struct{ Question *question }
	ts.must(200, c.tokens["bob"], "GET", c.path("/question?wait=5s"), nil, &q)
	answer := []byte(`{"question": ` + strconv.FormatUint(q.Question.ID, 10) + `, "kind": "confide", "level": "full"}`)
	signedReq := func(key ed25519.PrivateKey, id string, body []byte, at time.Time) *http.Request {
		r, _ := http.NewRequest("POST", ts.url+c.path("/answers"), bytes.NewReader(body))
		if err := reqsig.Sign(r, body, id, key, at); err != nil {
			t.Fatal(err)
		}
		return r
	}
	good := signedReq(bob, bobID, answer, time.Now())
	good = withBody(good, answer)
	for _, tt := range []struct {
		name string
		req  *http.Request
		want string
	}{
		{"signed by another key", signedReq(other, bobID, answer, time.Now()), "does not match"},
		{"alice's key as bob", signedReq(alice, bobID, answer, time.Now()), "does not match"},
		{"a body not signed", withBody(signedReq(bob, bobID, []byte(`{"question": 1, "kind": "walk-away"}`), time.Now()), answer), "does not match"},
		{"ten minutes old", signedReq(bob, bobID, answer, time.Now().Add(-10*time.Minute)), "from the server's clock"},
		{"from the future", signedReq(bob, bobID, answer, time.Now().Add(10*time.Minute)), "from the server's clock"},
		{"made before the server started", signedReq(bob, bobID, answer, time.Now().Add(-time.Minute)), "before the server started"},
		{"a party of no case", signedReq(bob, "c-nosuch/bob", answer, time.Now()), "unknown key"},
		{"a participant without a key", signedReq(bob, c.id+"/carol", answer, time.Now()), "unknown key"},
		{"the mediator", signedReq(bob, adminCase+"/mediator-1", answer, time.Now()), "unknown key"},
		{"a malformed header", withAuth(good, `Signature keyId="c/x"`, answer), "no created"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, e := do(t, tt.req)
			if code != http.StatusUnauthorized || e.Error.Code != "unauthorized" || !strings.Contains(e.Error.Message, tt.want) {
				t.Errorf("%d %+v, want 401 unauthorized with %q", code, e.Error, tt.want)
			}
		})
	}
	if after := bobs(); after != before {
		t.Fatalf("refused requests changed the log: %d events from bob, then %d", before, after)
	}
	replay := withBody(good.Clone(good.Context()), answer)
	if code, e := do(t, good); code != http.StatusOK {
		t.Fatalf("bob's signed answer: %d %+v", code, e.Error)
	}
	if code, e := do(t, replay); code != http.StatusUnauthorized || !strings.Contains(e.Error.Message, "nonce") {
		t.Errorf("the same signed request again: %d %+v, want 401 for its nonce", code, e.Error)
	}

	// Both parties answer, and alice reads her events and signs the
	// agreement, by signed requests only.
	deadline := time.Now().Add(30 * time.Second)
	state := stateNegotiating
	for state == stateNegotiating {
		if time.Now().After(deadline) {
			t.Fatal("the negotiation did not end")
		}
		for _, p := range []string{"alice", "bob"} {
			var out struct {
				Question *question
				State    string
			}
			ts.signedMust(t, keys[p], ids[p], "GET", c.path("/question?wait=1s"), nil, &out)
			state = out.State
			if out.Question == nil {
				continue
			}
			a := cooperative(p, out.Question)
			a["question"] = out.Question.ID
			if code := ts.signed(keys[p], ids[p], "POST", c.path("/answers"), a, nil); code != 200 && code != 409 {
				t.Fatalf("%s's signed answer: %d", p, code)
			}
		}
	}
	var evs struct{ Events []eventJSON }
	ts.signedMust(t, alice, aliceID, "GET", c.path("/events"), nil, &evs)
	if len(evs.Events) == 0 || slices.ContainsFunc(evs.Events, func(e eventJSON) bool { return e.Kind == kindKey && e.From == "bob" }) {
		t.Errorf("alice's events: %d, bob's key registration among them: want hers only", len(evs.Events))
	}
	var ag struct {
		Entry  int64
		Origin string
		Hash   string
	}
	ts.signedMust(t, alice, aliceID, "GET", c.path("/agreement"), nil, &ag)
	h, _ := base64.StdEncoding.DecodeString(ag.Hash)
	sig, err := ledger.SignAgreement(other, ag.Origin, ag.Entry, ledger.Hash(h))
	if err != nil {
		t.Fatal(err)
	}
	if code := ts.signed(alice, aliceID, "POST", c.path("/signatures"), map[string]any{"public_key": otherPub, "signature": sig}, nil); code != http.StatusConflict {
		t.Errorf("alice signing the agreement with a key not hers: %d, want 409", code)
	}
	sig, _ = ledger.SignAgreement(alice, ag.Origin, ag.Entry, ledger.Hash(h))
	ts.signedMust(t, alice, aliceID, "POST", c.path("/signatures"), map[string]any{"public_key": alicePub, "signature": sig}, nil)
}

func (ts *testServer) signedMust(t *testing.T, key ed25519.PrivateKey, keyID, method, path string, body, out any) {
	t.Helper()
	if code := ts.signed(key, keyID, method, path, body, out); code != http.StatusOK {
		t.Fatalf("signed %s %s: %d", method, path, code)
	}
}

// withBody gives r body to send, whatever it was signed with.
func withBody(r *http.Request, body []byte) *http.Request {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = nil
	r.ContentLength = int64(len(body))
	return r
}

// withAuth is a copy of r with another Authorization header and body.
func withAuth(r *http.Request, auth string, body []byte) *http.Request {
	r2 := withBody(r.Clone(r.Context()), body)
	r2.Header.Set("Authorization", auth)
	return r2
}

// do sends r and decodes its error, if any.
func do(t *testing.T, r *http.Request) (int, apiError) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e apiError
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e
}

// TestNonces checks that a nonce is refused while signatures that could
// carry it are accepted, and forgotten after.
func TestNonces(t *testing.T) {
	var n nonces
	t0 := time.Unix(1_800_000_000, 0)
	if !n.fresh("a", t0) || n.fresh("a", t0.Add(time.Second)) || n.fresh("a", t0.Add(2*signatureWindow)) {
		t.Fatal("a nonce used again within two windows was accepted")
	}
	if !n.fresh("b", t0.Add(2*signatureWindow)) {
		t.Fatal("a new nonce was refused")
	}
	if !n.fresh("a", t0.Add(2*signatureWindow+time.Second)) {
		t.Error("a nonce two windows old is still refused")
	}
	if len(n.seen) != 2 || len(n.queue) != 2 {
		t.Errorf("remembered %d nonces (%d queued), want b and the new a", len(n.seen), len(n.queue))
	}
}
