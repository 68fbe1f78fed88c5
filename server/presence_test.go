package server

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPresence follows what the mediator is told of whether the people in
// a case are reachable: no one is heard from at first; a request is seen;
// an open event stream is a connection, for as long as it stays open. A
// party is never told of the others.
func TestPresence(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	presence := func() map[string]presenceJSON {
		var s caseSummary
		ts.must(200, ts.admin, "GET", c.path(""), nil, &s)
		return s.Presence
	}
	p := presence()
	for _, who := range []string{"alice", "bob", "auditor", "press"} {
		if got, ok := p[who]; !ok || got.Connected || got.LastSeen != nil {
			t.Errorf("%s before any request: %+v (listed %v)", who, got, ok)
		}
	}
	if _, ok := p["carol"]; ok {
		t.Error("the built-in party carol is listed as a person")
	}
	var own caseSummary
	ts.must(200, c.tokens["alice"], "GET", c.path(""), nil, &own)
	if own.Presence != nil {
		t.Errorf("a party is told of presence: %v", own.Presence)
	}
	if p := presence(); p["alice"].LastSeen == nil || p["alice"].Connected || p["bob"].LastSeen != nil {
		t.Errorf("after alice's request: alice %+v, bob %+v", p["alice"], p["bob"])
	}

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.url+c.path("/stream"), nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens["bob"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitFor(t, "bob's stream to count as a connection", func() bool { return presence()["bob"].Connected })
	console := signIn(t, c, "mediator")["mediator"].page("/ui/cases/" + c.id)
	for _, want := range []string{`class="reach-bob">connected now`, `class="reach-alice">last seen`, `class="reach-carol">built in`} {
		if !strings.Contains(console, want) {
			t.Errorf("the console does not show %q", want)
		}
	}
	cancel()
	waitFor(t, "bob's closed stream to end his connection", func() bool {
		b := presence()["bob"]
		return !b.Connected && b.LastSeen != nil
	})
}

// waitFor polls cond until it holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
