package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/shuttle-mediation/shuttle/reqsig"
	"github.com/shuttle-mediation/shuttle/store"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/ledger"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// testServer is the real server on a loopback port with a SQLite file.
type testServer struct {
	t     *testing.T
	srv   *Server
	url   string
	admin string
	done  chan error
}

// startServer starts a server on db; the admin token is carried over from
// an earlier start on the same file through admin.
func startServer(t *testing.T, db, admin string, cfg Config) *testServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.Store = "127.0.0.1:0", st
	if cfg.Rate == 0 {
		// Tests poll for what the server does far faster than a person
		// clicks; the limit has a test of its own (internal/cli).
		cfg.Rate, cfg.Burst = 1e6, 1<<20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok := srv.AdminToken(); tok != "" {
		admin = tok
	}
	ts := &testServer{t: t, srv: srv, url: "http://" + srv.Addr(), admin: admin, done: make(chan error, 1)}
	go func() { ts.done <- srv.Run(context.Background()) }()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	if ts.srv == nil {
		return
	}
	if err := ts.srv.Close(); err != nil {
		ts.t.Errorf("close: %v", err)
	}
	if err := <-ts.done; err != nil {
		ts.t.Errorf("run: %v", err)
	}
	ts.srv = nil
}

// call makes a request and decodes a JSON answer into out (if not nil),
// returning the status.
func (ts *testServer) call(token, method, path string, body any, out any) int {
	ts.t.Helper()
	return ts.send(method, path, body, out, func(req *http.Request, _ []byte) {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	})
}

// signed is call with a request signed by key as keyID.
func (ts *testServer) signed(key ed25519.PrivateKey, keyID, method, path string, body any, out any) int {
	ts.t.Helper()
	return ts.send(method, path, body, out, func(req *http.Request, data []byte) {
		if err := reqsig.Sign(req, data, keyID, key, time.Now()); err != nil {
			ts.t.Fatal(err)
		}
	})
}

// send makes a request with body (JSON-encoded unless bytes or a string),
// authorized by auth, and decodes the response into out.
func (ts *testServer) send(method, path string, body any, out any, auth func(req *http.Request, body []byte)) int {
	ts.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		data = j
	}
	req, err := http.NewRequest(method, ts.url+path, bytes.NewReader(data))
	if err != nil {
		ts.t.Fatal(err)
	}
	auth(req, data)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			ts.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// must is call expecting want.
func (ts *testServer) must(want int, token, method, path string, body any, out any) {
	ts.t.Helper()
	var raw json.RawMessage
	if got := ts.call(token, method, path, body, &raw); got != want {
		ts.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			ts.t.Fatal(err)
		}
	}
}

type apiError struct {
	Error struct{ Code, Message string } `json:"error"`
}

// liveCaseT is a case driven by a test: its id, its participants' tokens
// and the parties people answer for.
type liveCaseT struct {
	ts     *testServer
	id     string
	tokens map[string]string
	humans []string
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newTestCase creates the three-party case with alice and bob as people and
// invites them, the auditor and an observer.
func newTestCase(ts *testServer) *liveCaseT {
	ts.t.Helper()
	var created struct{ ID string }
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", readTestdata(ts.t, "three.yaml"), &created)
	c := &liveCaseT{ts: ts, id: created.ID, tokens: map[string]string{"mediator": ts.admin}, humans: []string{"alice", "bob"}}
	for _, inv := range [][2]string{{"alice", "party"}, {"bob", "party"}, {"auditor", "verifier"}, {"press", "observer"}} {
		var out struct{ Token string }
		ts.must(201, ts.admin, "POST", "/v1/cases/"+c.id+"/invites", map[string]string{"name": inv[0], "role": inv[1]}, &out)
		c.tokens[inv[0]] = out.Token
	}
	return c
}

func (c *liveCaseT) path(p string) string { return "/v1/cases/" + c.id + p }

type question struct {
	ID   uint64
	Kind string
	Text map[string]string
}

// openQuestion returns party's open question, nil if none.
func (c *liveCaseT) openQuestion(party string) (*question, string) {
	var out struct {
		Question *question
		State    string
	}
	c.ts.must(200, c.tokens[party], "GET", c.path("/question"), nil, &out)
	return out.Question, out.State
}

// answerAll answers every open question of the human parties through
// choose until the case leaves state negotiating, or steps answers have
// been given (if steps > 0).
func (c *liveCaseT) answerAll(steps int, choose func(party string, q *question) map[string]any) string {
	c.ts.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		state := ""
		for _, p := range c.humans {
			q, st := c.openQuestion(p)
			state = st
			if q == nil {
				continue
			}
			a := choose(p, q)
			a["question"] = q.ID
			var out json.RawMessage
			if got := c.ts.call(c.tokens[p], "POST", c.path("/answers"), a, &out); got != 200 && got != 409 {
				c.ts.t.Fatalf("answer %v: %d %s", a, got, out)
			}
			n++
			if steps > 0 && n >= steps {
				return state
			}
		}
		if state != stateNegotiating && state != stateOpen {
			return state
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.ts.t.Fatal("negotiation did not end in time")
	return ""
}

// cooperative confides in full and accepts every text.
func cooperative(_ string, q *question) map[string]any {
	if q.Kind == "ask-confide" {
		return map[string]any{"kind": "confide", "level": "full"}
	}
	return map[string]any{"kind": "accept"}
}

// sign signs the agreement for each human party with a new key.
func (c *liveCaseT) sign(parties ...string) {
	c.ts.t.Helper()
	var ag struct {
		Entry  int64
		Origin string
		Hash   string
	}
	c.ts.must(200, c.tokens[parties[0]], "GET", c.path("/agreement"), nil, &ag)
	h, err := base64.StdEncoding.DecodeString(ag.Hash)
	if err != nil {
		c.ts.t.Fatal(err)
	}
	for _, p := range parties {
		pub, priv, _ := ed25519.GenerateKey(nil)
		sig, err := ledger.SignAgreement(priv, ag.Origin, ag.Entry, ledger.Hash(h))
		if err != nil {
			c.ts.t.Fatal(err)
		}
		c.ts.must(200, c.tokens[p], "POST", c.path("/signatures"), map[string]any{"public_key": pub, "signature": sig}, nil)
	}
}

// events lists the events party may see.
func (c *liveCaseT) events(party string) []eventJSON {
	var out struct{ Events []eventJSON }
	c.ts.must(200, c.tokens[party], "GET", c.path("/events"), nil, &out)
	return out.Events
}

// waitState polls the case until it is in state want.
func (c *liveCaseT) waitState(want string, within time.Duration) {
	c.ts.t.Helper()
	deadline := time.Now().Add(within)
	var s caseSummary
	for time.Now().Before(deadline) {
		c.ts.must(200, c.ts.admin, "GET", c.path(""), nil, &s)
		if s.State == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.ts.t.Fatalf("case %s is %s, want %s", c.id, s.State, want)
}

// exportAndVerify exports the archive and verifies it offline against the
// installation's key.
func (c *liveCaseT) exportAndVerify(key string) *ledger.Report {
	c.ts.t.Helper()
	req, _ := http.NewRequest("GET", c.ts.url+c.path("/export"), nil)
	req.Header.Set("Authorization", "Bearer "+c.ts.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		c.ts.t.Fatalf("export: %d", resp.StatusCode)
	}
	file := filepath.Join(c.ts.t.TempDir(), "case.jsonl")
	data, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		c.ts.t.Fatal(err)
	}
	rep, err := ledger.Verify(bytes.NewReader(data), ledger.Options{File: file, Mediator: key})
	if err != nil {
		c.ts.t.Fatalf("verify export: %v", err)
	}
	if !rep.MediatorTrusted {
		c.ts.t.Error("export not signed by the installation key")
	}
	return rep
}

func (e eventJSON) String() string { return fmt.Sprintf("%d %s %s->%v", e.Seq, e.Kind, e.From, e.To) }

// eventListOf is a case's events in memory made of evs, renumbered from 1.
func eventListOf(evs []store.Event) *eventList {
	l := newEventList("")
	for i := range evs {
		l.add(&evs[i], nil)
	}
	return l
}
