package server

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// maySee is the test's own statement of the confidentiality rule: the
// mediator sees everything, an observer public events, anyone else public
// events, those addressed to it and those it caused.
func maySee(e eventJSON, name, role string) bool {
	switch role {
	case "mediator":
		return true
	case "observer":
		return len(e.To) == 0
	}
	return len(e.To) == 0 || e.From == name || slices.Contains(e.To, name)
}

// randomly answers at random: any confidence level or a profile of its
// own, and accepts, objects, counters with a random outcome or (rarely)
// walks away.
func randomly(rng *rand.Rand) func(string, *question) map[string]any {
	issues := map[string][]string{"price": {"low", "mid", "high"}, "count": {"1", "2", "3"}, "terms": {"net30", "net60"}}
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	return func(_ string, q *question) map[string]any {
		if q.Kind == "ask-confide" {
			if rng.IntN(3) == 0 {
				return map[string]any{"kind": "confide", "confided": aliceEdited()}
			}
			return map[string]any{"kind": "confide", "level": pick([]string{"full", "weights", "musthaves", "none"})}
		}
		switch r := rng.IntN(20); {
		case r == 0:
			return map[string]any{"kind": "walk-away"}
		case r < 8:
			return map[string]any{"kind": "accept"}
		case r < 14:
			return map[string]any{"kind": "object", "objections": []map[string]any{{"issue": "price", "want": pick(issues["price"]), "direction": 1, "strength": 0.5}}}
		default:
			o := map[string]string{}
			for k, vs := range issues {
				o[k] = pick(vs)
			}
			return map[string]any{"kind": "counter", "outcome": o}
		}
	}
}

// TestConfidentiality plays random cases and then reads every read endpoint
// with every participant's token: nobody is shown an event it may not see,
// everyone is shown every event it may, and what is hidden does not exist.
func TestConfidentiality(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{Rate: 1e6, Burst: 1e6})
	roles := map[string]string{"mediator": "mediator", "alice": "party", "bob": "party", "auditor": "verifier", "press": "observer"}
	var cases []*liveCaseT
	for seed := range 4 {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		c := newTestCase(ts)
		ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
		steps := 1 + rng.IntN(12)
		if st := c.answerAll(steps, randomly(rng)); st == stateSigning && rng.IntN(2) == 0 {
			c.sign("alice", "bob")
		}
		cases = append(cases, c)
	}
	time.Sleep(50 * time.Millisecond) // let the built-in party's last answers in
	for ci, c := range cases {
		all := c.events("mediator")
		for name, role := range roles {
			t.Run(fmt.Sprintf("case%d/%s", ci, name), func(t *testing.T) {
				tok := c.tokens[name]
				var want []int64
				for _, e := range all {
					if maySee(e, name, role) {
						want = append(want, e.Seq)
					}
				}
				// The event list and the stream show exactly the visible events.
				var got []int64
				for _, e := range c.events(name) {
					if !maySee(e, name, role) {
						t.Errorf("events: %s shown %v", name, e)
					}
					got = append(got, e.Seq)
				}
				if n := len(want); len(got) < n || !slices.Equal(got[:n], want) {
					t.Errorf("events: %s shown %v, want %v", name, got, want)
				}
				req, _ := http.NewRequest("GET", ts.url+c.path("/stream"), nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				_, body := runCurl(t, req, true)
				if ids := sseIDs(body); len(ids) < len(want) || !slices.Equal(ids[:len(want)], want) {
					t.Errorf("stream: %s shown %v, want %v", name, ids, want)
				}
				// A proof exists only for a visible event.
				for _, e := range all {
					status := ts.call(tok, "GET", c.path(fmt.Sprintf("/proofs/inclusion?seq=%d", e.Seq)), nil, nil)
					if vis := maySee(e, name, role); vis && status != 200 || !vis && status != 404 {
						t.Errorf("inclusion proof of %v for %s: status %d", e, name, status)
					}
				}
				// Mediator-only resources do not exist for the others.
				for _, p := range []string{"/export", "/analysis", "/implementation"} {
					status := ts.call(tok, "GET", c.path(p), nil, nil)
					if role != "mediator" && status != 404 {
						t.Errorf("%s for %s: status %d, want 404", p, name, status)
					}
				}
				// Other cases do not exist for a participant of this one.
				for cj, other := range cases {
					if cj == ci || role == "mediator" {
						continue
					}
					for _, p := range []string{"", "/events", "/stream", "/head", "/agreement", "/question", "/proofs/inclusion?seq=1"} {
						if status := ts.call(tok, "GET", other.path(p), nil, nil); status != 404 {
							t.Errorf("%s of another case for %s: status %d, want 404", p, name, status)
						}
					}
				}
				var list struct{ Cases []caseSummary }
				ts.must(200, tok, "GET", "/v1/cases", nil, &list)
				if role != "mediator" && (len(list.Cases) != 1 || list.Cases[0].ID != c.id || list.Cases[0].Events != len(want)) {
					t.Errorf("case list for %s: %+v", name, list.Cases)
				}
			})
		}
	}
}
