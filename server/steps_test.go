package server

import (
	"bufio"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneCommitPerStep checks that the session's events are appended a
// step at a time: an answer together with what it caused, such as the
// next round's texts, in one commit. Appending each event alone, as every
// event before the negotiation is, would make the appends as many as the
// events.
func TestOneCommitPerStep(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(6, objecting)
	events, appends := metric(t, ts, "shuttle_events_appended_total"), metric(t, ts, "shuttle_append_seconds_count")
	if events == 0 || appends >= events {
		t.Fatalf("%v events in %v appends; want fewer appends than events", events, appends)
	}
	t.Logf("%v events in %v appends", events, appends)
}

// metric reads a sample from the server's /metrics.
func metric(t *testing.T, ts *testServer, name string) float64 {
	t.Helper()
	resp, err := http.Get(ts.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}
