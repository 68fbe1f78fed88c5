package server

import (
	"encoding/json"
	"io"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/store"
)

// Outcomes of three.yaml that another outcome is better for all three
// parties: the confided strategy, which puts points of the frontier when
// everyone confides in full, does not put them, so a party given one was
// given the mediator's draft. The tests check that all the same.
var (
	dominatedA = map[string]string{"price": "low", "count": "1", "terms": "net30"}
	dominatedB = map[string]string{"price": "mid", "count": "1", "terms": "net30"}
)

// textsOf is the texts of round r as the mediator's log has them, by party.
func (c *liveCaseT) textsOf(r int) map[string]map[string]string {
	c.ts.t.Helper()
	out := map[string]map[string]string{}
	for _, e := range c.events("mediator") {
		if e.Kind != negotiationPrefix+"text" {
			continue
		}
		var b struct {
			Round   int
			To      string
			Outcome map[string]string
		}
		if err := json.Unmarshal(e.Body, &b); err != nil {
			c.ts.t.Fatal(err)
		}
		if b.Round == r {
			out[b.To] = b.Outcome
		}
	}
	return out
}

// waitTexts waits until round r's texts to all three parties are in the
// log.
func (c *liveCaseT) waitTexts(r int) map[string]map[string]string {
	c.ts.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if texts := c.textsOf(r); len(texts) == 3 {
			return texts
		}
	}
	c.ts.t.Fatalf("round %d's texts did not all go out", r)
	return nil
}

// startedCase is the test case started, with alice and bob having
// confided and round 1's texts out, and carol, built in, having answered
// hers: nothing happens until alice and bob answer.
func startedCase(ts *testServer) *liveCaseT {
	ts.t.Helper()
	c := newTestCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(2, objecting)
	c.waitTexts(1)
	for deadline := time.Now().Add(10 * time.Second); !slices.ContainsFunc(c.events("mediator"), func(e eventJSON) bool {
		return e.From == "carol" && isAnswer(e.Kind) && e.Kind != negotiationPrefix+"confide"
	}); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			ts.t.Fatal("carol did not answer round 1")
		}
	}
	return c
}

// TestDrafts drives the drafts routes: refused requests change nothing,
// a draft goes out in the round it was queued for to the parties it
// names, a later draft replaces it, and only the mediator sees it.
func TestDrafts(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{Rate: 1e6, Burst: 1e6})
	c := startedCase(ts)
	var open caseSummary
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", readTestdata(t, "three.yaml"), &open)
	other := map[string]string{}
	for _, proto := range []string{"alternating-offers", "blind-bidding", "single-text"} {
		var s caseSummary
		yaml := strings.Replace(string(readTestdata(t, "three.yaml")), "name: shuttle", "name: "+proto, 1)
		ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", yaml, &s)
		other[proto] = "/v1/cases/" + s.ID + "/drafts"
	}
	drafts := c.path("/drafts")
	good := map[string]any{"outcome": dominatedA}
	with := func(issue, value string) map[string]any {
		o := maps.Clone(dominatedA)
		if value == "" {
			delete(o, issue)
		} else {
			o[issue] = value
		}
		return map[string]any{"outcome": o}
	}
	refused := []struct {
		name, token, method, path string
		body                      any
		status                    int
		code, message             string
	}{
		{"value outside the domain", ts.admin, "POST", drafts, with("price", "free"), 400, "invalid", `outcome: issue "price" has no value "free"`},
		{"issue missing", ts.admin, "POST", drafts, with("terms", ""), 400, "invalid", `outcome: outcome lacks issue "terms"`},
		{"unknown issue", ts.admin, "POST", drafts, with("colour", "red"), 400, "invalid", `outcome: domain "three-way" has no issue "colour"`},
		{"unknown party", ts.admin, "POST", drafts, map[string]any{"outcome": dominatedA, "parties": []string{"alice", "dave"}}, 400, "invalid", `parties: the case has no party "dave"`},
		{"party twice", ts.admin, "POST", drafts, map[string]any{"outcome": dominatedA, "parties": []string{"bob", "bob"}}, 400, "invalid", `parties: "bob" is named twice`},
		{"no party", ts.admin, "POST", drafts, map[string]any{"outcome": dominatedA, "parties": []string{}}, 400, "invalid", "parties: name at least one party, or leave parties out for all"},
		{"unknown field", ts.admin, "POST", drafts, map[string]any{"outcome": dominatedA, "round": 7}, 400, "invalid", `request body: json: unknown field "round"`},
		{"party drafts", c.tokens["alice"], "POST", drafts, good, 404, "not_found", "no such resource"},
		{"verifier reads", c.tokens["auditor"], "GET", drafts, nil, 404, "not_found", "no such resource"},
		{"observer withdraws", c.tokens["press"], "DELETE", drafts, nil, 404, "not_found", "no such resource"},
		{"party of another case", c.tokens["alice"], "GET", "/v1/cases/" + open.ID + "/drafts", nil, 404, "not_found", `no case "` + open.ID + `"`},
		{"nothing to withdraw", ts.admin, "DELETE", drafts, nil, 409, "conflict", "no draft is queued for round 2"},
		{"case not started", ts.admin, "POST", "/v1/cases/" + open.ID + "/drafts", good, 409, "conflict", "the case is open: there is no negotiation running to draft for"},
		{"alternating offers", ts.admin, "POST", other["alternating-offers"], good, 422, "unsupported", "the alternating-offers protocol has no mediator's texts to draft"},
		{"blind bidding", ts.admin, "GET", other["blind-bidding"], nil, 422, "unsupported", "the blind-bidding protocol has no mediator's texts to draft"},
		{"single text to one party", ts.admin, "POST", other["single-text"], map[string]any{"outcome": dominatedA, "parties": []string{"alice"}}, 400, "invalid",
			"parties: the single-text protocol puts one proposal to every party; leave parties out"},
	}
	before := len(c.events("mediator"))
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			var e apiError
			if got := ts.call(tt.token, tt.method, tt.path, tt.body, &e); got != tt.status || e.Error.Code != tt.code || e.Error.Message != tt.message {
				t.Errorf("%d %s %q, want %d %s %q", got, e.Error.Code, e.Error.Message, tt.status, tt.code, tt.message)
			}
		})
	}
	if after := c.events("mediator"); len(after) != before {
		t.Errorf("refused requests changed the log: %d events, then %v", before, after[before:])
	}

	var st draftState
	ts.must(200, ts.admin, "GET", drafts, nil, &st)
	if st.NextRound != 2 || st.Draft != nil {
		t.Fatalf("before any draft: %+v, want next round 2 and no draft", st)
	}
	ts.must(200, ts.admin, "POST", drafts, map[string]any{"outcome": dominatedB, "parties": []string{"alice"}}, &st)
	if st.NextRound != 2 || st.Draft == nil || st.Draft.Round != 2 || !maps.Equal(st.Draft.Outcome, dominatedB) || !slices.Equal(st.Draft.Parties, []string{"alice"}) {
		t.Fatalf("queued: %+v", st)
	}
	// A second draft for the round replaces the first.
	ts.must(200, ts.admin, "POST", drafts, map[string]any{"outcome": dominatedA, "parties": []string{"bob", "alice"}}, &st)
	var got draftState
	ts.must(200, ts.admin, "GET", drafts, nil, &got)
	if got.Draft == nil || !maps.Equal(got.Draft.Outcome, dominatedA) || !slices.Equal(got.Draft.Parties, []string{"alice", "bob"}) || got.Draft.Seq != st.Draft.Seq {
		t.Fatalf("after the replacement: %+v", got)
	}

	c.answerAll(2, objecting) // round 1
	texts := c.waitTexts(2)
	for p, want := range map[string]bool{"alice": true, "bob": true, "carol": false} {
		if maps.Equal(texts[p], dominatedA) != want {
			t.Errorf("round 2's text to %s is %v; the draft %v was for alice and bob", p, texts[p], dominatedA)
		}
	}
	if q, _ := c.openQuestion("alice"); q == nil || !maps.Equal(q.Text, dominatedA) {
		t.Errorf("alice's open question: %+v, want the draft", q)
	}
	ts.must(200, ts.admin, "GET", drafts, nil, &st)
	if st.NextRound != 3 || st.Draft != nil {
		t.Errorf("after the draft went out: %+v, want next round 3 and no draft", st)
	}
	n := 0
	for _, e := range c.events("mediator") {
		if e.Kind == kindDraft {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the log has %d drafts, want 2", n)
	}
	for _, who := range []string{"alice", "bob", "auditor", "press"} {
		for _, e := range c.events(who) {
			if e.Kind == kindDraft {
				t.Errorf("%s sees the mediator's draft %v", who, e)
			}
		}
	}
}

// TestDraftRoundsLeft refuses a draft once the last round is drafted.
func TestDraftRoundsLeft(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{})
	var s caseSummary
	yaml := strings.Replace(string(readTestdata(t, "three.yaml")), "rounds: 30", "rounds: 1", 1)
	ts.must(201, ts.admin, "POST", "/v1/cases?humans=alice,bob", yaml, &s)
	c := &liveCaseT{ts: ts, id: s.ID, tokens: map[string]string{"mediator": ts.admin}, humans: []string{"alice", "bob"}}
	for _, p := range []string{"alice", "bob"} {
		var out struct{ Token string }
		ts.must(201, ts.admin, "POST", c.path("/invites"), map[string]string{"name": p, "role": "party"}, &out)
		c.tokens[p] = out.Token
	}
	ts.must(200, ts.admin, "POST", c.path("/start"), nil, nil)
	c.answerAll(2, objecting)
	c.waitTexts(1)
	var e apiError
	if got := ts.call(ts.admin, "POST", c.path("/drafts"), map[string]any{"outcome": dominatedA}, &e); got != 409 || e.Error.Message != "the negotiation ends after round 1: no round is left to draft" {
		t.Errorf("draft after the last round: %d %+v", got, e.Error)
	}
}

// TestDraftRestart stops the server with one draft out and another
// queued: the restarted server replays the session with them, so the
// open texts are those put before, and the queued draft goes out next.
func TestDraftRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shuttle.db")
	ts := startServer(t, db, "", Config{})
	c := startedCase(ts)
	ts.must(200, ts.admin, "POST", c.path("/drafts"), map[string]any{"outcome": dominatedA, "parties": []string{"alice"}}, nil)
	c.answerAll(2, objecting)
	texts := c.waitTexts(2)
	if !maps.Equal(texts["alice"], dominatedA) || maps.Equal(texts["bob"], dominatedA) {
		t.Fatalf("round 2's texts %v: alice's should be the draft %v and bob's the strategy's", texts, dominatedA)
	}
	ts.must(200, ts.admin, "POST", c.path("/drafts"), map[string]any{"outcome": dominatedB}, nil)
	open := map[string]*question{}
	for _, p := range []string{"alice", "bob"} {
		open[p], _ = c.openQuestion(p)
	}
	before := c.events("mediator")
	ts.stop()

	ts2 := startServer(t, db, ts.admin, Config{})
	c.ts = ts2
	after := c.events("mediator")
	if len(after) != len(before) {
		t.Fatalf("the restart changed the log from %d events to %d", len(before), len(after))
	}
	for p, q := range open {
		got, _ := c.openQuestion(p)
		if q == nil || got == nil || got.ID != q.ID || !maps.Equal(got.Text, q.Text) {
			t.Errorf("%s's open question before the restart %+v, after %+v", p, q, got)
		}
	}
	var st draftState
	ts2.must(200, ts2.admin, "GET", c.path("/drafts"), nil, &st)
	if st.NextRound != 3 || st.Draft == nil || !maps.Equal(st.Draft.Outcome, dominatedB) {
		t.Fatalf("after the restart: %+v, want the draft for round 3", st)
	}
	c.answerAll(2, objecting)
	for p, text := range c.waitTexts(3) {
		if !maps.Equal(text, dominatedB) {
			t.Errorf("round 3's text to %s is %v, want the draft queued before the restart", p, text)
		}
	}
}

// fakeMediator drafts text, or nothing when it has no more, and counts
// the rounds it was asked to draft.
type fakeMediator struct {
	text   space.Outcome
	more   bool
	rounds []int
}

func (f *fakeMediator) Open(*negotiate.Brief) error { return nil }
func (f *fakeMediator) Draft(r int, _ float64, texts []space.Outcome) bool {
	f.rounds = append(f.rounds, r)
	if !f.more {
		return false
	}
	for i := range texts {
		texts[i] = f.text
	}
	return true
}
func (f *fakeMediator) Packages(int, float64, int) []space.Outcome { return nil }
func (f *fakeMediator) Hear(int, []negotiate.Answer)               {}
func (f *fakeMediator) Improve(space.Outcome) space.Outcome        { return nil }

// TestDrafterLog folds logged drafts into the drafter as a restart does
// and checks the texts it puts each round.
func TestDrafterLog(t *testing.T) {
	sc, err := parseScenario("three", readTestdata(t, "three.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := sc.Domain.Labels(space.Outcome{0, 0, 0}), sc.Domain.Labels(space.Outcome{1, 0, 0})
	strat := space.Outcome{2, 2, 1}
	logged := func(body draftBody) store.Event {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		return store.Event{Kind: kindDraft, Body: j}
	}
	for _, tt := range []struct {
		name   string
		log    []store.Event
		more   bool
		want   [][3]string // by round, each party's text: "a", "b" or "s" (the strategy's)
		result []bool      // Draft's result by round
	}{
		{"none", nil, true, [][3]string{{"s", "s", "s"}, {"s", "s", "s"}}, []bool{true, true}},
		{"to some", []store.Event{logged(draftBody{Round: 2, Outcome: a, Parties: []string{"alice", "carol"}})}, true,
			[][3]string{{"s", "s", "s"}, {"a", "s", "a"}, {"s", "s", "s"}}, []bool{true, true, true}},
		{"replaced", []store.Event{logged(draftBody{Round: 1, Outcome: a}), logged(draftBody{Round: 1, Outcome: b, Parties: []string{"bob"}})}, true,
			[][3]string{{"s", "b", "s"}}, []bool{true}},
		{"withdrawn", []store.Event{logged(draftBody{Round: 1, Outcome: a}), logged(draftBody{Round: 1, Withdrawn: true}), logged(draftBody{Round: 2, Outcome: b})}, true,
			[][3]string{{"s", "s", "s"}, {"b", "b", "b"}}, []bool{true, true}},
		{"strategy exhausted", []store.Event{logged(draftBody{Round: 2, Outcome: a, Parties: []string{"bob"}})}, false,
			[][3]string{{"", "", ""}, {"a", "a", "a"}, {"", "", ""}}, []bool{false, true, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &liveCase{sc: sc, events: eventListOf(tt.log)}
			inner := &fakeMediator{text: strat, more: tt.more}
			d, err := c.newDrafterLocked(inner)
			if err != nil {
				t.Fatal(err)
			}
			for r, want := range tt.want {
				texts := make([]space.Outcome, 3)
				if ok := d.Draft(r+1, 0, texts); ok != tt.result[r] {
					t.Errorf("round %d: Draft %v, want %v", r+1, ok, tt.result[r])
				}
				for i, w := range want {
					exp := map[string]space.Outcome{"a": space.Outcome{0, 0, 0}, "b": space.Outcome{1, 0, 0}, "s": strat}[w]
					if !texts[i].Equal(exp) {
						t.Errorf("round %d, party %d: text %v, want %v", r+1, i, texts[i], exp)
					}
				}
			}
			if want := len(tt.want); len(inner.rounds) != want {
				t.Errorf("the strategy drafted rounds %v, want every one of %d", inner.rounds, want)
			}
		})
	}
	// A corrupt draft in the log stops the case rather than being skipped.
	bad := &liveCase{sc: sc, events: eventListOf([]store.Event{logged(draftBody{Round: 1, Outcome: map[string]string{"price": "free"}})})}
	if _, err := bad.newDrafterLocked(&fakeMediator{}); err == nil {
		t.Error("a logged draft outside the domain was taken")
	}
}

// TestWebDraft sends and withdraws a draft through the console's plain
// forms, as a browser without JavaScript would.
func TestWebDraft(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "shuttle.db"), "", Config{Rate: 1e6, Burst: 1e6})
	c := startedCase(ts)
	casePage := "/ui/cases/" + c.id
	web := signIn(t, c, "mediator", "alice")
	if strings.Contains(web["alice"].page(casePage), `id="draft-form"`) {
		t.Error("a party's page offers the mediator's draft form")
	}
	var an struct{ Suggestion *suggestionJSON }
	ts.must(200, ts.admin, "GET", c.path("/analysis"), nil, &an)
	if an.Suggestion == nil {
		t.Fatal("no suggestion to prefill the form with")
	}
	med := web["mediator"].page(casePage)
	for _, want := range []string{`id="draft-form"`, `<strong id="draft-round">2</strong>`, `<label for="draft-price">price</label>`,
		`<option selected>` + an.Suggestion.Texts["alice"]["price"] + `</option>`, `value="bob" id="draft-to-bob" checked`, `id="send-draft"`} {
		if !strings.Contains(med, want) {
			t.Errorf("the console's draft form lacks %s", want)
		}
	}
	if strings.Contains(med, `id="queued-draft"`) {
		t.Error("the console shows a queued draft before any")
	}

	form := url.Values{"parties": {"chosen"}, "party": {"alice"}}
	for k, v := range dominatedA {
		form.Set("issue:"+k, v)
	}
	page := web["mediator"].post(casePage, casePage+"/draft", form)
	if !strings.Contains(page, `id="queued-draft"`) || !strings.Contains(page, "round <strong>2</strong> is queued, to alice: price=low, count=1, terms=net30") {
		t.Errorf("the console does not show the queued draft:\n%s", page)
	}
	var st draftState
	ts.must(200, ts.admin, "GET", c.path("/drafts"), nil, &st)
	if st.Draft == nil || !maps.Equal(st.Draft.Outcome, dominatedA) || !slices.Equal(st.Draft.Parties, []string{"alice"}) {
		t.Fatalf("the form queued %+v", st)
	}

	// A value outside the domain is refused with the field named, and
	// a party may not use the form.
	form.Set("issue:price", "free")
	for who, want := range map[string]int{"mediator": 400, "alice": 404} {
		form.Set("csrf", match(csrfRe, web[who].page(casePage)))
		resp, err := web[who].c.PostForm(ts.url+casePage+"/draft", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 400 && !strings.Contains(string(body), "outcome: issue &#34;price&#34; has no value &#34;free&#34;") {
			t.Errorf("%s sends a bad draft: %d, want %d\n%s", who, resp.StatusCode, want, body)
		}
	}

	page = web["mediator"].post(casePage, casePage+"/draft/withdraw", url.Values{})
	if strings.Contains(page, `id="queued-draft"`) {
		t.Error("the console still shows the withdrawn draft")
	}
	ts.must(200, ts.admin, "GET", c.path("/drafts"), nil, &st)
	if st.Draft != nil {
		t.Errorf("after the withdrawal: %+v", st)
	}
}
