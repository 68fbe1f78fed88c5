package server

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
)

// TestTreeHeads checks when heads are signed and kept: at the milestones,
// not after every event, and over everything when asked for.
func TestTreeHeads(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	if st := c.answerAll(0, cooperative); st != stateSigning {
		t.Fatalf("negotiation ended in %s, want %s", st, stateSigning)
	}
	sizes := func() []int64 {
		t.Helper()
		heads, err := ts.srv.st.TreeHeads(context.Background(), c.id)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int64, len(heads))
		for i, h := range heads {
			out[i] = h.Size
		}
		return out
	}
	evs := c.events("mediator")
	kept := sizes()
	for _, e := range evs {
		if milestone(e.Kind) && !slices.Contains(kept, e.Seq) {
			t.Errorf("no head kept at %s (event %d); heads at %v", e.Kind, e.Seq, kept)
		}
	}
	if len(kept) >= len(evs) {
		t.Errorf("%d heads kept for %d events", len(kept), len(evs))
	}
	var head struct{ Size int64 }
	ts.must(200, c.tokens["alice"], "GET", c.path("/head"), nil, &head)
	if n := int64(len(evs)); head.Size != n || !slices.Contains(sizes(), n) {
		t.Errorf("asked for the head of %d events: got size %d, kept %v", n, head.Size, sizes())
	}
}

// TestRoutineHeadsSaved checks that the heads signed in passing, which are
// saved in the background, reach the store while the server runs, not
// only when closing drains them, and are all there once it has closed.
func TestRoutineHeadsSaved(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ts := startServer(t, db, "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(30, objecting)
	lc := ts.srv.caseByID(c.id)
	lc.mu.Lock()
	var signed []int64
	for _, h := range lc.log.Heads() {
		if !milestone(lc.events.at(h.Size - 1).Kind) {
			signed = append(signed, h.Size)
		}
	}
	lc.mu.Unlock()
	if len(signed) == 0 {
		t.Fatal("no routine head was signed; the test needs more events")
	}
	missing := func(heads []store.TreeHead) []int64 {
		var out []int64
		for _, n := range signed {
			if !slices.ContainsFunc(heads, func(h store.TreeHead) bool { return h.Size == n }) {
				out = append(out, n)
			}
		}
		return out
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		heads, err := ts.srv.st.TreeHeads(context.Background(), c.id)
		if err != nil {
			t.Fatal(err)
		}
		m := missing(heads)
		if len(m) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("routine heads of sizes %v signed but not saved while the server runs", m)
		}
	}
	ts.stop()
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	heads, err := st.TreeHeads(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	if m := missing(heads); len(m) > 0 {
		t.Errorf("routine heads of sizes %v signed but not in the store after closing", m)
	}
}
