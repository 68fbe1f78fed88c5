package server

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWholeCase drives a case through the API from creation to a completed
// implementation: two people and a built-in party agree, sign, deliver and
// confirm one phase, and the exported archive verifies offline.
func TestWholeCase(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	if st := c.answerAll(0, cooperative); st != stateSigning {
		t.Fatalf("negotiation ended in %s, want %s", st, stateSigning)
	}
	var an struct {
		Frontier []pointJSON
		Nash     *pointJSON
		Parties  []gapJSON
	}
	ts.must(200, ts.admin, "GET", c.path("/analysis"), nil, &an)
	if len(an.Frontier) == 0 || an.Nash == nil || len(an.Parties) != 3 || an.Parties[0].Gap == nil {
		t.Errorf("analysis incomplete: %+v", an)
	}
	c.sign("alice", "bob")
	c.waitState(stateImplementing, 5*time.Second)

	var impl struct {
		Schedule struct {
			Phases []struct {
				Obligations []struct {
					Obligation int
					Quantity   int
				}
			}
		}
	}
	ts.must(200, ts.admin, "GET", c.path("/implementation"), nil, &impl)
	obs := impl.Schedule.Phases[0].Obligations
	if len(obs) != 2 {
		t.Fatalf("phase 1 has %d obligations, want 2", len(obs))
	}
	act := func(who string, a map[string]any) {
		t.Helper()
		ts.must(200, c.tokens[who], "POST", c.path("/actions"), a, nil)
	}
	act("alice", map[string]any{"type": "deliver", "phase": 1, "obligation": obs[0].Obligation, "quantity": obs[0].Quantity})
	act("bob", map[string]any{"type": "confirm", "delivery": 1})
	act("auditor", map[string]any{"type": "confirm", "delivery": 1})
	act("bob", map[string]any{"type": "deliver", "phase": 1, "obligation": obs[1].Obligation, "quantity": obs[1].Quantity})
	act("alice", map[string]any{"type": "confirm", "delivery": 2})
	c.waitState("completed", 15*time.Second)

	rep := c.exportAndVerify(ts.srv.InstallationKey())
	var all []eventJSON = c.events("mediator")
	if rep.Entries != int64(len(all)) {
		t.Errorf("archive has %d entries, the log %d", rep.Entries, len(all))
	}
	var signers []string
	for _, s := range rep.Signatures {
		signers = append(signers, s.Party)
	}
	slices.Sort(signers)
	if !slices.Equal(signers, []string{"alice", "bob", "carol"}) {
		t.Errorf("agreement signed by %v", signers)
	}
	kinds := map[string]bool{}
	for _, e := range all {
		kinds[e.Kind] = true
	}
	for _, k := range []string{"case.created", "negotiate.agreement", "case.signed", "deal.delivered", "deal.verified", "deal.closed"} {
		if !kinds[k] {
			t.Errorf("log has no %s event", k)
		}
	}
}

// TestRestart closes the server in the middle of a negotiation and starts
// another on the same database: the case continues where it stopped, and
// the log that results verifies whole.
func TestRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ts := startServer(t, db, "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	// Confide, then object to two texts before the restart.
	objections := 0
	stubborn := func(party string, q *question) map[string]any {
		if q.Kind == "ask-confide" {
			return map[string]any{"kind": "confide", "level": "full"}
		}
		objections++
		want := "low"
		if q.Text["price"] == "low" {
			want = "mid"
		}
		return map[string]any{"kind": "object", "objections": []map[string]any{{"issue": "price", "want": want, "direction": -1, "strength": 0.5}}}
	}
	c.answerAll(5, stubborn)
	before := c.events("mediator")
	ts.stop()

	ts2 := startServer(t, db, ts.admin, Config{})
	c.ts = ts2
	after := c.events("mediator")
	if len(after) < len(before) {
		t.Fatalf("after restart the log has %d events, before %d", len(after), len(before))
	}
	for i := range before {
		if before[i].Seq != after[i].Seq || before[i].Kind != after[i].Kind || string(before[i].Body) != string(after[i].Body) {
			t.Fatalf("event %d changed over the restart: %v / %v", i+1, before[i], after[i])
		}
	}
	if st := c.answerAll(0, cooperative); st != stateSigning {
		t.Fatalf("after restart the negotiation ended in %s", st)
	}
	c.sign("alice", "bob")
	c.waitState(stateImplementing, 5*time.Second)
	c.exportAndVerify(ts2.srv.InstallationKey())
}

// TestBadInput sends requests that must be refused, each with its status and
// error code, and checks that none of them changed the log.
func TestBadInput(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{MaxBody: 16 << 10})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	var q *question
	for deadline := time.Now().Add(5 * time.Second); q == nil && time.Now().Before(deadline); {
		q, _ = c.openQuestion("alice")
	}
	if q == nil {
		t.Fatal("alice was never asked")
	}
	big := strings.Repeat("x", 20<<10)
	tests := []struct {
		name, token, method, path string
		body                      any
		status                    int
		code                      string
	}{
		{"malformed JSON", c.tokens["alice"], "POST", c.path("/answers"), `{"question": 1,`, 400, "invalid"},
		{"unknown field", c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "confide", "level": "full", "extra": 1}, 400, "invalid"},
		{"oversized body", c.tokens["alice"], "POST", c.path("/answers"), `{"kind":"` + big + `"}`, 413, "too_large"},
		{"oversized scenario", ts.admin, "POST", "/v1/cases", big, 413, "too_large"},
		{"missing token", "", "GET", c.path("/events"), nil, 401, "unauthorized"},
		{"wrong token", "not-a-token", "GET", c.path("/events"), nil, 401, "unauthorized"},
		{"wrong question", c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID + 100, "kind": "confide", "level": "full"}, 409, "conflict"},
		{"answer out of turn", c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "accept"}, 400, "invalid"},
		{"counter outside the domain", c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "counter", "outcome": map[string]string{"price": "free", "count": "1", "terms": "net30"}}, 400, "invalid"},
		{"not an answer kind", c.tokens["alice"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "agreement"}, 400, "invalid"},
		{"party starts the case", c.tokens["alice"], "POST", c.path("/start"), nil, 404, "not_found"},
		{"party reads another case", c.tokens["alice"], "GET", "/v1/cases/c-0000000000000000/events", nil, 404, "not_found"},
		{"party exports", c.tokens["bob"], "GET", c.path("/export"), nil, 404, "not_found"},
		{"verifier answers", c.tokens["auditor"], "POST", c.path("/answers"), map[string]any{"question": q.ID, "kind": "confide", "level": "full"}, 409, "conflict"},
		{"sign before agreement", c.tokens["alice"], "POST", c.path("/signatures"), map[string]any{"public_key": "AAAA", "signature": "AAAA"}, 409, "conflict"},
		{"action before agreement", c.tokens["alice"], "POST", c.path("/actions"), map[string]any{"type": "deliver", "phase": 1}, 409, "conflict"},
		{"start twice", ts.admin, "POST", c.path("/start"), nil, 409, "conflict"},
		{"scenario with a file reference", ts.admin, "POST", "/v1/cases", "domain: {genius: /etc/passwd}\n", 422, "unsupported"},
		{"scenario with an escaped file reference", ts.admin, "POST", "/v1/cases", "domain: {\"\\x67enius_folder\": /etc}\n", 422, "unsupported"},
		{"bad scenario", ts.admin, "POST", "/v1/cases", "name: [\n", 400, "invalid"},
		{"invite unknown party", ts.admin, "POST", c.path("/invites"), map[string]string{"name": "carol", "role": "party"}, 400, "invalid"},
		{"inclusion of a hidden event", c.tokens["press"], "GET", c.path("/proofs/inclusion?seq=2"), nil, 404, "not_found"},
		{"no route", ts.admin, "GET", "/v1/nothing", nil, 404, "not_found"},
	}
	// The built-in party's confidence is recorded in its own time.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool { return e.Kind == "negotiate.confide" }) {
			break
		}
	}
	sizeBefore := len(c.events("mediator"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiError
			if got := ts.call(tt.token, tt.method, tt.path, tt.body, &e); got != tt.status || e.Error.Code != tt.code {
				t.Errorf("status %d code %q (%s), want %d %q", got, e.Error.Code, e.Error.Message, tt.status, tt.code)
			}
		})
	}
	if after := c.events("mediator"); len(after) != sizeBefore {
		t.Errorf("refused requests changed the log: %d events, then %v", sizeBefore, after[sizeBefore:])
	}
}

// TestReplayDiverges restarts a case whose stored scenario was changed
// behind the server's back: the built-in party's weights, so that what it
// confided and the texts drafted from that differ from the logged ones,
// though their kinds do not. The replay must notice and the case be
// refused, not served from a state its log does not hold.
func TestReplayDiverges(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ts := startServer(t, db, "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(4, cooperative)
	ts.stop()

	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`UPDATE cases SET scenario = CAST(replace(CAST(scenario AS TEXT), 'weights: {price: 3', 'weights: {price: 1') AS BLOB) WHERE id = ?`, c.id)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	ts2 := startServer(t, db, ts.admin, Config{})
	// The case says it is stopped, to the mediator and its parties alike,
	// without the details, which quote events: those are in the server's
	// log. Asking again does not replay the log again.
	for _, who := range []string{"mediator", "alice", "mediator"} {
		var e apiError
		code := ts2.call(c.tokens[who], "GET", c.path(""), nil, &e)
		if code != http.StatusInternalServerError || e.Error.Code != "internal" || !strings.Contains(e.Error.Message, "is stopped") || strings.Contains(e.Error.Message, "confided") {
			t.Fatalf("%s's GET of the diverged case: %d %+v, want 500 internal saying it is stopped, no more", who, code, e.Error)
		}
	}
	ts2.srv.mu.Lock()
	stopped := ts2.srv.stopped[c.id]
	ts2.srv.mu.Unlock()
	if !stopped {
		t.Error("the diverged case is not remembered as stopped")
	}
}
