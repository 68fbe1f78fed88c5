package deal_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
)

const h = time.Hour

var (
	partyA = deal.Party(0)
	partyB = deal.Party(1)
	ver    = deal.Verifier(0)
	med    = deal.Mediator
)

// oneDay is the exchange fixture's first day up to both deliveries made and
// verified: 5 goods, then 15 coins.
var oneDay = []any{
	deal.Advance{To: 5 * h},
	deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
	deal.Advance{To: 13 * h},
	deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5},
	deal.Confirm{By: partyB, Delivery: 1},
	deal.Deliver{By: partyB, Phase: 1, Obligation: 1, Quantity: 15},
	deal.Confirm{By: partyA, Delivery: 2},
	deal.Confirm{By: ver, Delivery: 2},
}

func then(prefix []any, steps ...any) []any {
	return append(append([]any(nil), prefix...), steps...)
}

// TestGolden plays scripts on small fixtures and compares every event with
// its golden file.
func TestGolden(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		labels  map[string]string
		steps   []any
		final   deal.State
	}{
		{
			name: "order", fixture: "exchange", labels: exchange(10, 3, 2), final: deal.Completed,
			steps: then(oneDay,
				deal.Advance{To: 29 * h},
				deal.SubmitList{By: partyA, Phase: 2, List: 0, Items: items(6, 5)},
				deal.Advance{To: 36 * h},
				deal.Deliver{By: partyA, Phase: 2, Obligation: 0, Quantity: 5},
				deal.Confirm{By: partyB, Delivery: 3},
				deal.Deliver{By: partyB, Phase: 2, Obligation: 1, Quantity: 15},
				deal.Confirm{By: partyA, Delivery: 4},
				deal.Confirm{By: ver, Delivery: 4},
				deal.Advance{To: 61 * h},
			),
		},
		{
			name: "verify", fixture: "verify", labels: map[string]string{"n": "2"}, final: deal.Completed,
			steps: []any{
				deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 2},
				deal.Confirm{By: partyB, Delivery: 1},
				deal.Deliver{By: partyA, Phase: 1, Obligation: 1, Quantity: 2},
				deal.Confirm{By: ver, Delivery: 2},
				deal.Deliver{By: partyA, Phase: 1, Obligation: 2, Quantity: 2},
				deal.Confirm{By: ver, Delivery: 3},
				deal.Advance{To: 1 * h},
				deal.Dispute{By: partyB, Delivery: 3, Counted: 1, Reason: "one crate short"},
				deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 2}, Evidence: deal.Evidence{Text: "1 of 2 crates", At: deal.Duration(1 * h)}},
				deal.Advance{To: 2 * h},
				recommend(1), // the verifier counted both crates: unfounded, upheld
				deal.Advance{To: 10 * h},
			},
		},
		{
			name: "cure", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Completed,
			steps: []any{
				deal.Advance{To: 5 * h},
				deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
				deal.Advance{To: 13 * h},
				deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5},
				deal.Dispute{By: partyB, Delivery: 1, Counted: 4, Reason: "one missing"},
				deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "4 of 5 goods found", At: deal.Duration(13 * h)}},
				deal.Advance{To: 14 * h},
				recommend(1), // 1 of 5 short: minor, cure by 20h
				deal.Advance{To: 19 * h},
				deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 1},
				deal.Confirm{By: partyB, Delivery: 2},
				deal.Cure{By: partyA, Breach: 1, Note: "the fifth delivered"},
				deal.Deliver{By: partyB, Phase: 1, Obligation: 1, Quantity: 15},
				deal.Confirm{By: partyA, Delivery: 3},
				deal.Confirm{By: ver, Delivery: 3},
				deal.Advance{To: 36 * h},
			},
		},
		{
			name: "collapse", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Collapsed,
			steps: []any{
				deal.Advance{To: 5 * h},
				deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
				deal.Advance{To: 13 * h},
				deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 4},
				deal.Confirm{By: partyB, Delivery: 1},
				deal.Advance{To: 24 * h},
				deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "1 of 5 goods not delivered", At: deal.Duration(24 * h)}},
				recommend(1), // overdue: minor, cure by 30h
				deal.Advance{To: 31 * h},
			},
		},
		{
			name: "extension-accepted", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Extended,
			steps: then(oneDay,
				deal.Advance{To: 20 * h},
				deal.OfferExtension{By: med},
				deal.AnswerExtension{By: partyA, Accept: true},
				deal.AnswerExtension{By: partyB, Accept: true},
				deal.Advance{To: 29 * h},
				deal.SubmitList{By: partyA, Phase: 2, List: 0, Items: items(6, 2)},
				deal.Advance{To: 37 * h},
				deal.Deliver{By: partyA, Phase: 2, Obligation: 0, Quantity: 2},
				deal.Confirm{By: partyB, Delivery: 3},
				deal.Deliver{By: partyB, Phase: 2, Obligation: 1, Quantity: 6},
				deal.Confirm{By: partyA, Delivery: 4},
				deal.Confirm{By: ver, Delivery: 4},
				deal.Advance{To: 60 * h},
			),
		},
		{
			name: "extension-declined", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Completed,
			steps: then(oneDay,
				deal.Advance{To: 20 * h},
				deal.OfferExtension{By: med},
				deal.AnswerExtension{By: partyA, Accept: true},
				deal.AnswerExtension{By: partyB, Accept: false},
				deal.Advance{To: 36 * h},
			),
		},
		{
			name: "extension-lapsed", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Completed,
			steps: then(oneDay,
				deal.Advance{To: 20 * h},
				deal.OfferExtension{By: med},
				deal.AnswerExtension{By: partyB, Accept: true},
				deal.Advance{To: 40 * h},
			),
		},
		{
			name: "fouls", fixture: "exchange", labels: exchange(5, 3, 1), final: deal.Collapsed,
			steps: []any{
				deal.Advance{To: 5 * h},
				deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
				deal.Advance{To: 15 * h},
				deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "noise", At: deal.Duration(14*h + 30*time.Minute)}},
				recommend(1), // in the window 14h-16h: the first foul, minor
				deal.Cure{By: partyA, Breach: 1, Note: "quiet now"},
				deal.Advance{To: 20 * h},
				deal.ReportBreach{By: ver, Accused: 0, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "noise", At: deal.Duration(20 * h)}},
				recommend(2), // outside the window: unfounded
				deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "noise again", At: deal.Duration(15*h + 30*time.Minute)}},
				recommend(3), // the second foul: major
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, evs := start(t, tt.fixture, tt.labels)
			evs = append(evs, run(t, m, tt.steps...)...)
			if m.State() != tt.final {
				t.Errorf("state %s, want %s", m.State(), tt.final)
			}
			golden(t, tt.name, evs)
		})
	}
}

// TestExposure checks the exposure after each step against a hand
// computation: A owes 5 goods a day, B 15 coins a day, over two days.
func TestExposure(t *testing.T) {
	m, _ := start(t, "exchange", exchange(10, 3, 2))
	steps := []struct {
		step any
		want []deal.Exposure
	}{
		{deal.Advance{To: 5 * h}, nil},
		{deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)}, nil},
		{deal.Advance{To: 13 * h}, nil},
		// Delivered but not yet verified: nothing counts.
		{deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 3}, nil},
		// A: 3/10 of its goods; B: 0.
		{deal.Confirm{By: partyB, Delivery: 1}, []deal.Exposure{{"A", "B", 0.3}}},
		{deal.Deliver{By: partyB, Phase: 1, Obligation: 1, Quantity: 15}, []deal.Exposure{{"A", "B", 0.3}}},
		// Both verifiers must confirm coins.
		{deal.Confirm{By: ver, Delivery: 2}, []deal.Exposure{{"A", "B", 0.3}}},
		// B: 15/30 = 0.5, ahead of A's 0.3.
		{deal.Confirm{By: partyA, Delivery: 2}, []deal.Exposure{{"B", "A", 0.2}}},
		{deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 2}, []deal.Exposure{{"B", "A", 0.2}}},
		// A counted short: 1 of 2, so A at 4/10.
		{deal.Dispute{By: partyB, Delivery: 3, Counted: 1, Reason: "1 of 2"}, []deal.Exposure{{"B", "A", 0.1}}},
		{deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "short"}}, []deal.Exposure{{"B", "A", 0.1}}},
		// An unfounded ruling credits the claimed 2: A at 5/10, even.
		{deal.Rule{By: med, Breach: 1, Verdict: deal.Unfounded}, nil},
	}
	for i, st := range steps {
		evs := run(t, m, st.step)
		for _, e := range evs {
			for _, x := range e.Exposure {
				if x.Value <= 0 || x.Value > 1 {
					t.Errorf("step %d: %s: exposure %v out of (0,1]", i, e.Kind, x)
				}
			}
		}
		if got := m.Exposure(); !equalExposure(got, st.want) {
			t.Errorf("step %d (%T): exposure %v, want %v", i, st.step, got, st.want)
		}
		if n := len(evs); n > 0 && !equalExposure(evs[n-1].Exposure, st.want) {
			t.Errorf("step %d (%T): the last event records exposure %v, want %v", i, st.step, evs[n-1].Exposure, st.want)
		}
	}
	if p := m.Peak(); p.Party != "A" || p.Value != 0.3 || p.At != deal.Duration(13*h) || p.Phase != 1 {
		t.Errorf("peak %+v, want A ahead by 0.3 at 13h in phase 1", p)
	}
}

func equalExposure(a, b []deal.Exposure) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRecommend checks the policy's verdicts, each after a script on the
// exchange fixture (two days; on the first, 5 goods due at 24h and 15 coins
// at 36h).
func TestRecommend(t *testing.T) {
	report := func(at time.Duration) deal.ReportBreach {
		return deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "goods", At: deal.Duration(at)}}
	}
	listed := []any{
		deal.Advance{To: 5 * h},
		deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
		deal.Advance{To: 13 * h},
	}
	tests := []struct {
		name    string
		steps   []any
		verdict deal.Verdict
		reason  string
	}{
		{"not yet due", then(listed, report(13*h)), deal.Unfounded, "not due until 24h0m0s"},
		{"awaiting verification", then(listed,
			deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5}, report(13*h)),
			deal.Unfounded, "awaiting verification"},
		{"short", then(listed,
			deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5},
			deal.Dispute{By: partyB, Delivery: 1, Counted: 3, Reason: "3"}, report(13*h)),
			deal.Minor, "2 of 5 goods of phase 1 short"},
		{"half short", then(listed,
			deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 4},
			deal.Dispute{By: partyB, Delivery: 1, Counted: 1, Reason: "1"}, report(13*h)),
			deal.Major, "3 of 5 goods of phase 1 short"},
		{"overdue", then(listed, deal.Advance{To: 30 * h}, report(30*h)), deal.Minor, "5 of 5 goods of phase 1 not delivered"},
		{"overdue long", then(listed, deal.Advance{To: 36 * h}, report(36*h)), deal.Major, "not delivered 12h0m0s after"},
		{"delivered late", then(listed, deal.Advance{To: 36 * h},
			deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5}, deal.Confirm{By: partyB, Delivery: 1}, report(36*h)),
			deal.Major, "delivered 12h0m0s after"},
		{"repeated", then(listed, deal.Advance{To: 25 * h}, report(25*h), recommend(1),
			deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5},
			deal.Confirm{By: partyB, Delivery: 1},
			deal.Cure{By: partyA, Breach: 1},
			deal.SubmitList{By: partyA, Phase: 2, List: 0, Items: items(6, 5)},
			deal.Advance{To: 37 * h},
			deal.Deliver{By: partyA, Phase: 2, Obligation: 0, Quantity: 5},
			deal.Dispute{By: partyB, Delivery: 2, Counted: 4, Reason: "4"},
			deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 2, Obligation: 0}, Evidence: deal.Evidence{Text: "goods", At: deal.Duration(37 * h)}}),
			deal.Major, "again after a minor ruling on goods"},
		{"foul outside the period", []any{deal.Advance{To: 5 * h},
			deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "noise", At: deal.Duration(3 * h)}}},
			deal.Unfounded, `rule "quiet" was not in force at 3h0m0s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := start(t, "exchange", exchange(10, 3, 2))
			run(t, m, tt.steps...)
			n := len(m.Breaches())
			r, err := m.Recommend(n)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tt.verdict || !strings.Contains(r.Reason, tt.reason) || r.Breach != n || r.By != med {
				t.Errorf("recommend %+v, want %s with %q", r, tt.verdict, tt.reason)
			}
		})
	}
}

// TestRefused checks that actions out of turn, by the wrong participant or
// after the end are refused with their code and change nothing.
func TestRefused(t *testing.T) {
	report := deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "x", At: deal.Duration(13 * h)}}
	listed := []any{
		deal.Advance{To: 5 * h},
		deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)},
		deal.Advance{To: 13 * h},
	}
	delivered := then(listed, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5})
	reported := then(listed, report)
	offered := then(listed, deal.OfferExtension{By: med})
	collapsed := then(listed, report, deal.Rule{By: med, Breach: 1, Verdict: deal.Major})
	tests := []struct {
		name   string
		before []any
		action deal.Action
		code   string
	}{
		{"time going back", listed, deal.Advance{To: 12 * h}, shuttle.EInvalid},
		{"list by the wrong party", nil, deal.SubmitList{By: partyB, Phase: 1, List: 0, Items: items(1, 5)}, shuttle.EInvalid},
		{"list twice", listed, deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)}, shuttle.EConflict},
		{"list item twice", nil, deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: []string{"g", "g"}}, shuttle.EInvalid},
		{"empty list", nil, deal.SubmitList{By: partyA, Phase: 1, List: 0}, shuttle.EInvalid},
		{"list of no phase", nil, deal.SubmitList{By: partyA, Phase: 0, List: 0, Items: items(1, 5)}, shuttle.EInvalid},
		{"delivery before the phase", []any{deal.SubmitList{By: partyA, Phase: 1, List: 0, Items: items(1, 5)}}, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5}, shuttle.EConflict},
		{"delivery before the list", []any{deal.Advance{To: 13 * h}}, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5}, shuttle.EConflict},
		{"delivery by the wrong party", listed, deal.Deliver{By: partyB, Phase: 1, Obligation: 0, Quantity: 5}, shuttle.EInvalid},
		{"delivery by a verifier", listed, deal.Deliver{By: ver, Phase: 1, Obligation: 0, Quantity: 5}, shuttle.EInvalid},
		{"delivery of nothing", listed, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 0}, shuttle.EInvalid},
		{"delivery beyond the quantity", delivered, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 1}, shuttle.EConflict},
		{"delivery in an unscheduled phase", listed, deal.Deliver{By: partyA, Phase: 2, Obligation: 0, Quantity: 1}, shuttle.EConflict},
		{"delivery of no obligation", listed, deal.Deliver{By: partyA, Phase: 1, Obligation: 7, Quantity: 1}, shuttle.EInvalid},
		{"confirmation by a non-verifier", delivered, deal.Confirm{By: ver, Delivery: 1}, shuttle.EInvalid},
		{"confirmation twice", then(delivered, deal.Confirm{By: partyB, Delivery: 1}), deal.Confirm{By: partyB, Delivery: 1}, shuttle.EConflict},
		{"confirmation of no delivery", delivered, deal.Confirm{By: partyB, Delivery: 2}, shuttle.EInvalid},
		{"dispute counting all", delivered, deal.Dispute{By: partyB, Delivery: 1, Counted: 5, Reason: "x"}, shuttle.EInvalid},
		{"dispute without a reason", delivered, deal.Dispute{By: partyB, Delivery: 1, Counted: 4}, shuttle.EInvalid},
		{"report of oneself", listed, deal.ReportBreach{By: partyA, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "x"}}, shuttle.EInvalid},
		{"report on another's obligation", listed, deal.ReportBreach{By: partyA, Accused: 1, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "x"}}, shuttle.EInvalid},
		{"report before the phase", nil, deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "x"}}, shuttle.EConflict},
		{"report of no rule", listed, deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 3}, Evidence: deal.Evidence{Text: "x"}}, shuttle.EInvalid},
		{"report without evidence", listed, deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 0}}, shuttle.EInvalid},
		{"report dated in the future", listed, deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Rule: 0}, Evidence: deal.Evidence{Text: "x", At: deal.Duration(14 * h)}}, shuttle.EInvalid},
		{"report twice", reported, report, shuttle.EConflict},
		{"ruling by a party", reported, deal.Rule{By: partyA, Breach: 1, Verdict: deal.Unfounded}, shuttle.EInvalid},
		{"ruling twice", then(reported, deal.Rule{By: med, Breach: 1, Verdict: deal.Unfounded}), deal.Rule{By: med, Breach: 1, Verdict: deal.Minor}, shuttle.EConflict},
		{"ruling of no breach", reported, deal.Rule{By: med, Breach: 2, Verdict: deal.Unfounded}, shuttle.EInvalid},
		{"ruling with a past cure deadline", reported, deal.Rule{By: med, Breach: 1, Verdict: deal.Minor, CureBy: 13 * h}, shuttle.EInvalid},
		{"ruling of no verdict", reported, deal.Rule{By: med, Breach: 1, Verdict: "harsh"}, shuttle.EInvalid},
		{"cure of an unruled breach", reported, deal.Cure{By: partyA, Breach: 1}, shuttle.EConflict},
		{"cure by the wrong party", then(reported, deal.Rule{By: med, Breach: 1, Verdict: deal.Minor}), deal.Cure{By: partyB, Breach: 1}, shuttle.EInvalid},
		{"cure before delivery", then(reported, deal.Rule{By: med, Breach: 1, Verdict: deal.Minor}), deal.Cure{By: partyA, Breach: 1}, shuttle.EConflict},
		{"offer by a party", listed, deal.OfferExtension{By: partyA}, shuttle.EInvalid},
		{"offer twice", offered, deal.OfferExtension{By: med}, shuttle.EConflict},
		{"offer after the end of the schedule", []any{deal.Advance{To: 37 * h}}, deal.OfferExtension{By: med}, shuttle.EConflict},
		{"answer without an offer", listed, deal.AnswerExtension{By: partyA, Accept: true}, shuttle.EConflict},
		{"answer twice", then(offered, deal.AnswerExtension{By: partyA, Accept: true}), deal.AnswerExtension{By: partyA, Accept: true}, shuttle.EConflict},
		{"answer by the mediator", offered, deal.AnswerExtension{By: med, Accept: true}, shuttle.EInvalid},
		{"delivery after a collapse", collapsed, deal.Deliver{By: partyA, Phase: 1, Obligation: 0, Quantity: 5}, shuttle.EConflict},
		{"offer after a collapse", collapsed, deal.OfferExtension{By: med}, shuttle.EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := start(t, "exchange", exchange(5, 3, 1))
			run(t, m, tt.before...)
			before := snapshot(t, m)
			evs, err := m.Do(tt.action)
			if err == nil {
				t.Fatalf("accepted, with events %v", evs)
			}
			if code := shuttle.ErrorCode(err); code != tt.code {
				t.Errorf("code %s, want %s: %v", code, tt.code, err)
			}
			if strings.ContainsAny(err.Error(), "\n") {
				t.Errorf("error on several lines: %q", err)
			}
			if after := snapshot(t, m); after != before {
				t.Errorf("a refused action changed the state:\n%s\n%s", before, after)
			}
		})
	}
}

// snapshot is the implementation's observable state as text.
func snapshot(t *testing.T, m *deal.Implementation) string {
	t.Helper()
	b, err := json.Marshal(struct {
		Log    []deal.Event
		Report *deal.Report
		Now    time.Duration
	}{m.Log(), m.Report(), m.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMaxExtensions checks that no extension is offered beyond the plan's
// maximum, two for the exchange fixture.
func TestMaxExtensions(t *testing.T) {
	m, _ := start(t, "exchange", exchange(5, 3, 1))
	accept := []any{deal.OfferExtension{By: med}, deal.AnswerExtension{By: partyA, Accept: true}, deal.AnswerExtension{By: partyB, Accept: true}}
	run(t, m, then(accept, accept...)...)
	if _, err := m.Do(deal.OfferExtension{By: med}); shuttle.ErrorCode(err) != shuttle.EConflict {
		t.Errorf("a third offer: %v, want a conflict", err)
	}
	phs := m.Schedule().Phases
	if len(phs) != 3 || phs[2].Extension != 2 || phs[2].Start != deal.Duration(60*h) {
		t.Fatalf("phases %+v, want 3 with the third from the second extension at 60h", phs)
	}
	for _, ph := range phs[1:] {
		if q := []int{ph.Obligations[0].Quantity, ph.Obligations[1].Quantity}; q[0] != 2 || q[1] != 6 {
			t.Errorf("phase %d quantities %v, want 2 goods and 6 coins", ph.Number, q)
		}
	}
}
