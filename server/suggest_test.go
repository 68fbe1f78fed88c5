package server

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/store"
)

// objecting confides in full and counters every text with the party's
// favourite, so that rounds go on.
func objecting(party string, q *question) map[string]any {
	if q.Kind == "ask-confide" {
		return map[string]any{"kind": "confide", "level": "full"}
	}
	fav := map[string]map[string]string{
		"alice": {"price": "low", "count": "3", "terms": "net60"},
		"bob":   {"price": "low", "count": "3", "terms": "net60"},
	}
	return map[string]any{"kind": "counter", "outcome": fav[party]}
}

// TestSuggestion checks the analysis's suggested texts against the case's
// own mediator: what it suggests once a round's answers are in is what the
// case then puts to the parties, and asking changes nothing.
func TestSuggestion(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	c := newTestCase(ts)
	type analysisT struct {
		Suggestion     *suggestionJSON
		SuggestionNote string `json:"suggestion_note"`
	}
	var an analysisT
	ts.must(200, ts.admin, "GET", c.path("/analysis"), nil, &an)
	if an.Suggestion != nil || an.SuggestionNote == "" {
		t.Errorf("before the start: suggestion %+v, note %q", an.Suggestion, an.SuggestionNote)
	}
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(2, objecting) // the confidences
	deadline := time.Now().Add(10 * time.Second)
	for q, _ := c.openQuestion("alice"); q == nil || q.Kind != "text"; q, _ = c.openQuestion("alice") {
		if time.Now().After(deadline) {
			t.Fatal("no text put to alice")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// carol, built in, answers on her own time: wait for it, so that
	// nothing else happens until alice and bob answer.
	for !slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool {
		return e.From == "carol" && isAnswer(e.Kind) && e.Kind != negotiationPrefix+"confide"
	}) {
		if time.Now().After(deadline) {
			t.Fatal("carol did not answer round 1")
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := len(c.events("mediator"))
	ts.must(200, ts.admin, "GET", c.path("/analysis"), nil, &an)
	if an.Suggestion == nil || an.Suggestion.Round != 2 || len(an.Suggestion.Texts) != 3 {
		t.Fatalf("suggestion in round 1: %+v (%s)", an.Suggestion, an.SuggestionNote)
	}
	if after := len(c.events("mediator")); after != before {
		t.Errorf("asking for the analysis appended %d events", after-before)
	}
	c.answerAll(2, objecting) // round 1's texts
	c.waitRound(2)

	// Cut the log where round 1's answers were all in and ask the
	// strategy for round 2: it must say what the case then said.
	lc := ts.srv.caseByID(c.id)
	var events []store.Event
	cut := 0
	want := map[string]map[string]string{}
	// The texts of a round are put one after another: wait for all three.
	for len(want) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("round 2 texts: %v", want)
		}
		lc.mu.Lock()
		events = lc.events.slice(0)
		lc.mu.Unlock()
		cut = 0
		clear(want)
		for i, e := range events {
			ne, err := negotiate.UnmarshalEvent(lc.sc.Domain, e.Body)
			if err != nil || e.Kind != negotiationPrefix+"text" || ne.Round != 2 {
				continue
			}
			if cut == 0 {
				cut = i
			}
			want[ne.To] = lc.sc.Domain.Labels(ne.Outcome)
		}
	}
	past := &liveCase{srv: ts.srv, id: lc.id, sc: lc.sc, an: lc.an, events: eventListOf(events[:cut])}
	got, note, err := past.suggestLocked()
	if err != nil || got == nil {
		t.Fatalf("suggestion after round 1: %v, %q", err, note)
	}
	if got.Round != 2 || len(got.Missing) != 0 || !maps.EqualFunc(got.Texts, want, maps.Equal) {
		t.Errorf("suggestion after round 1: %+v, the case put %v", got, want)
	}
}

// waitRound waits until alice has a text of round r open.
func (c *liveCaseT) waitRound(r int) {
	c.ts.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var out struct{ Question *struct{ Round int } }
		c.ts.must(200, c.tokens["alice"], "GET", c.path("/question"), nil, &out)
		if out.Question != nil && out.Question.Round >= r {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.ts.t.Fatalf("round %d did not start", r)
}
