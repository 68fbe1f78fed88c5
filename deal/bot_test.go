package deal_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/scenario"
)

// step is something a person does at a time: a party no bot plays, or the
// mediator.
type step struct {
	at time.Duration
	a  deal.Action
}

// ruler is the mediator of these tests: it rules on each report as soon
// as it is made, as Recommend says, and with offer set it offers an
// extension at the start of the last phase while every offer so far was
// accepted.
type ruler struct{ offer bool }

func (r ruler) Due(m *deal.Implementation) (time.Duration, bool) {
	if at, ok := r.offerAt(m); ok && at > m.Now() {
		return at, true
	}
	return 0, false
}

func (r ruler) Act(m *deal.Implementation) []deal.Action {
	var acts []deal.Action
	for _, b := range m.Breaches() {
		if rule, err := m.Recommend(b.ID); b.Verdict == "" && err == nil {
			acts = append(acts, rule)
		}
	}
	if at, ok := r.offerAt(m); ok && at <= m.Now() {
		acts = append(acts, deal.OfferExtension{By: med})
	}
	return acts
}

func (r ruler) offerAt(m *deal.Implementation) (time.Duration, bool) {
	x, n, phs := m.Schedule().Extension, m.Extensions(), m.Schedule().Phases
	last := phs[len(phs)-1]
	if !r.offer || x == nil || n.Accepted >= x.Max || n.Offered > n.Accepted || m.Now() >= time.Duration(last.End) {
		return 0, false
	}
	return time.Duration(last.Start), true
}

// drive runs m with the players, and the people's steps at their times,
// until it closes or nothing more happens before until. A refused action
// fails the test.
func drive(t tb, m *deal.Implementation, players []deal.Player, steps []step, until time.Duration) {
	t.Helper()
	do := func(a deal.Action) error {
		if _, err := m.Do(a); err != nil {
			t.Fatalf("at %v: %#v refused: %v", m.Now(), a, err)
		}
		return nil
	}
	for {
		for ; len(steps) > 0 && steps[0].at <= m.Now(); steps = steps[1:] {
			do(steps[0].a)
		}
		if err := deal.Play(m, players, do); err != nil {
			t.Fatal(err)
		}
		if m.State() != deal.Active {
			return
		}
		next, ok := deal.Wake(m, players)
		if len(steps) > 0 && (!ok || steps[0].at < next) {
			next, ok = steps[0].at, true
		}
		if !ok || next > until {
			return
		}
		do(deal.Advance{To: next})
	}
}

func bots(seed uint64, actors ...deal.Actor) []deal.Player {
	var ps []deal.Player
	for _, b := range deal.NewBots(seed, actors) {
		ps = append(ps, b)
	}
	return ps
}

// line is an event as the table below expects it: time, kind, actor.
func line(e deal.Event) string { return fmt.Sprintf("%v %s %s", e.At, e.Kind, e.From) }

// TestBotConduct runs the exchange fixture (6 goods for 12 coins in one
// day: the phase runs from 12h to 36h, the goods are due at 24h, the coins
// at 36h, A's list at 6h, one protocol round is 1h) with some participants
// played by bots and the others scripted, and checks what the bots do.
func TestBotConduct(t *testing.T) {
	const h = time.Hour
	sure := scenario.Behaviour{AcceptExtension: 1}
	tests := []struct {
		name      string
		behaviour [2]scenario.Behaviour // of A and B
		bots      []deal.Actor
		listsByB  bool // B, not A, lists A's goods
		steps     []step
		until     time.Duration
		want      []string // in this order in the log, among other events
		not       []string // kinds of event the log must not have
		state     deal.State
	}{{
		name:      "all on time and in full",
		behaviour: [2]scenario.Behaviour{sure, sure},
		bots:      []deal.Actor{partyA, partyB, ver},
		until:     100 * h,
		want: []string{"5h0m0s deal.list_submitted A", "12h0m0s deal.phase_started ", "18h0m0s deal.delivered A",
			"18h0m0s deal.confirmed B", "24h0m0s deal.delivered B", "24h0m0s deal.confirmed V", "24h0m0s deal.confirmed A",
			"36h0m0s deal.closed "},
		not:   []string{deal.KindReported, deal.KindDisputed},
		state: deal.Completed,
	}, {
		name:      "late delivery reported by the receiver, cured when delivered",
		behaviour: [2]scenario.Behaviour{{Late: 1, LateBy: 3 * h}, sure},
		bots:      []deal.Actor{partyA, partyB, ver},
		until:     100 * h,
		want: []string{"24h0m0s deal.overdue ", "24h0m0s deal.breach_reported B", "24h0m0s deal.ruled mediator",
			"27h0m0s deal.delivered A", "27h0m0s deal.confirmed B", "27h0m0s deal.cured A", "36h0m0s deal.closed "},
		state: deal.Completed,
	}, {
		name:      "short delivery disputed by every bot verifier, the cure attempt failing",
		behaviour: [2]scenario.Behaviour{sure, {Short: 1, ShortBy: 0.25}},
		bots:      []deal.Actor{partyA, partyB, ver},
		until:     100 * h,
		want: []string{"24h0m0s deal.delivered B", "24h0m0s deal.disputed V", "24h0m0s deal.disputed A", "24h0m0s deal.verified ",
			"24h0m0s deal.breach_reported A", "24h0m0s deal.ruled mediator", "30h0m0s deal.cure_missed ", "30h0m0s deal.closed "},
		not:   []string{deal.KindCured},
		state: deal.Collapsed,
	}, {
		name:      "a person's dispute cured halfway from the ruling to the deadline",
		behaviour: [2]scenario.Behaviour{sure, sure},
		bots:      []deal.Actor{partyA},
		steps: []step{
			{19 * h, deal.Dispute{By: partyB, Delivery: 1, Counted: 4, Reason: "4 of 6 found"}},
			{19 * h, deal.ReportBreach{By: partyB, Accused: 0, Subject: deal.Subject{Phase: 1, Obligation: 0}, Evidence: deal.Evidence{Text: "2 missing", At: deal.Duration(19 * h)}}},
			{23 * h, deal.Confirm{By: partyB, Delivery: 2}},
		},
		until: 24 * h,
		want: []string{"18h0m0s deal.delivered A", "19h0m0s deal.ruled mediator", "22h0m0s deal.delivered A",
			"23h0m0s deal.confirmed B", "23h0m0s deal.cured A"},
		state: deal.Active,
	}, {
		name:      "a person's delivery taken as claimed",
		behaviour: [2]scenario.Behaviour{sure, {Short: 1, ShortBy: 0.5}},
		bots:      []deal.Actor{partyA, ver},
		steps:     []step{{20 * h, deal.Deliver{By: partyB, Phase: 1, Obligation: 1, Quantity: 12}}},
		until:     21 * h,
		want:      []string{"20h0m0s deal.delivered B", "20h0m0s deal.confirmed A", "20h0m0s deal.confirmed V"},
		not:       []string{deal.KindDisputed},
		state:     deal.Active,
	}, {
		name:      "a bot waits for a person's list",
		behaviour: [2]scenario.Behaviour{sure, sure},
		bots:      []deal.Actor{partyA},
		listsByB:  true,
		steps:     []step{{20 * h, deal.SubmitList{By: partyB, Phase: 1, List: 0, Items: []string{"g1"}}}},
		until:     21 * h,
		want:      []string{"6h0m0s deal.list_overdue ", "20h0m0s deal.list_submitted B", "20h0m0s deal.delivered A"},
		state:     deal.Active,
	}, {
		name:      "answers to an extension offer",
		behaviour: [2]scenario.Behaviour{sure, {}},
		bots:      []deal.Actor{partyA, partyB},
		steps:     []step{{13 * h, deal.OfferExtension{By: med}}},
		until:     14 * h,
		want:      []string{"13h0m0s deal.extension_offered mediator", "13h0m0s deal.extension_accepted A", "13h0m0s deal.extension_declined B"},
		state:     deal.Active,
	}, {
		name:      "a person sees no bot's foul",
		behaviour: [2]scenario.Behaviour{sure, {Foul: 1}},
		bots:      []deal.Actor{partyB},
		until:     17 * h,
		not:       []string{deal.KindReported},
		state:     deal.Active,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := load(t, "exchange")
			copy(sc.Plan.Behaviour, tt.behaviour[:])
			if tt.listsByB {
				sc.Plan.Lists[0].Party = 1
			}
			s, err := deal.NewSchedule(sc, agree(t, sc, exchange(6, 2, 1)))
			if err != nil {
				t.Fatal(err)
			}
			m, _ := deal.New(s)
			drive(t, m, append(bots(1, tt.bots...), ruler{}), tt.steps, tt.until)
			var got []string
			for _, e := range m.Log() {
				got = append(got, line(e))
				if slices.Contains(tt.not, e.Kind) {
					t.Errorf("unexpected %s", line(e))
				}
			}
			rest := got
			for _, w := range tt.want {
				i := slices.Index(rest, w)
				if i < 0 {
					t.Fatalf("no %q in order in the log:\n%v", w, got)
				}
				rest = rest[i+1:]
			}
			if m.State() != tt.state {
				t.Errorf("the implementation is %s, want %s", m.State(), tt.state)
			}
		})
	}
}

// TestBotFoul has bot B foul the quiet rule (2h to 4h into each phase):
// bot A, the only other, reports each foul with its time, and B cures it.
func TestBotFoul(t *testing.T) {
	sc := load(t, "exchange")
	sc.Plan.Behaviour[0] = scenario.Behaviour{AcceptExtension: 1}
	sc.Plan.Behaviour[1] = scenario.Behaviour{Foul: 1, AcceptExtension: 1}
	s, err := deal.NewSchedule(sc, agree(t, sc, exchange(6, 2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := deal.New(s)
	drive(t, m, append(bots(7, partyA, partyB, ver), ruler{}), nil, 200*time.Hour)
	var fouls []deal.Breach
	for _, b := range m.Breaches() {
		if b.Subject.Phase == 0 {
			fouls = append(fouls, b)
		}
	}
	// The second founded foul is major (fouls: 2 in the fixture).
	if len(fouls) != 2 || fouls[0].Verdict != deal.Minor || fouls[0].Cured == nil || fouls[1].Verdict != deal.Major || m.State() != deal.Collapsed {
		t.Fatalf("fouls %+v, %s; want a minor one cured, then a major one", fouls, m.State())
	}
	for i, b := range fouls {
		start := s.Phases[i].Start
		if b.Reporter != "A" || b.Accused != "B" || b.Evidence.At < start+deal.Duration(2*time.Hour) || b.Evidence.At >= start+deal.Duration(4*time.Hour) || b.Reported != b.Evidence.At {
			t.Errorf("foul %d: %+v, want reported by A when B made it, 2h to 4h into phase %d", i+1, b, i+1)
		}
	}
}

// turn is what a player did at a time.
type turn struct {
	at     time.Duration
	player int
	acts   []deal.Action
}

// recorded checks and records what a player does.
type recorded struct {
	deal.Player
	rt    *rapid.T
	index int
	log   *[]turn
}

func (r recorded) Act(m *deal.Implementation) []deal.Action {
	acts := r.Player.Act(m)
	if b, ok := r.Player.(*deal.Bot); ok {
		for _, a := range acts {
			checkOwn(r.rt, m, b.Actor(), a)
		}
	}
	if len(acts) > 0 {
		*r.log = append(*r.log, turn{m.Now(), r.index, acts})
	}
	return acts
}

// checkOwn fails the test unless a is me's action about what is me's.
func checkOwn(rt *rapid.T, m *deal.Implementation, me deal.Actor, a deal.Action) {
	var ok bool
	switch a := a.(type) {
	case deal.SubmitList:
		ok = a.By == me
		for k := range m.Schedule().Phases[a.Phase-1].Lists {
			if l, _ := m.List(a.Phase, k); l.Index == a.List {
				ok = ok && deal.Party(l.Party) == me && !l.Submitted
			}
		}
	case deal.Deliver:
		ok = a.By == me
		for k := range m.Schedule().Phases[a.Phase-1].Obligations {
			if o, _ := m.Obligation(a.Phase, k); o.Index == a.Obligation {
				ok = ok && deal.Party(o.Party) == me && a.Quantity == o.Owed()
			}
		}
	case deal.Confirm:
		ok = a.By == me
	case deal.Dispute:
		ok = a.By == me
	case deal.ReportBreach:
		ok = a.By == me && deal.Party(a.Accused) != me
	case deal.Cure:
		ok = a.By == me && slices.ContainsFunc(m.Breaches(), func(b deal.Breach) bool { return b.ID == a.Breach && b.Accused == m.Schedule().Name(me) })
	case deal.AnswerExtension:
		ok = a.By == me
	}
	if !ok {
		rt.Fatalf("the bot of %v took %#v, not its own", me, a)
	}
}

// TestBotProperty runs the exchange fixture with random behaviours, a
// random seed and a random set of bots (the parties no bot plays do
// nothing): every action a bot takes is its own and is accepted, and
// replaying the actions taken on a fresh implementation, new bots with the
// same seed decide exactly the same at every turn, which is what lets a
// restarted server carry on.
func TestBotProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		sc := load(rt, "exchange")
		for i := range sc.Plan.Behaviour {
			p := rapid.SampledFrom([]float64{0, 0.3, 1})
			sc.Plan.Behaviour[i] = scenario.Behaviour{Late: p.Draw(rt, "late"), LateBy: time.Duration(rapid.IntRange(1, 14).Draw(rt, "late_by")) * time.Hour,
				Short: p.Draw(rt, "short"), ShortBy: rapid.Float64Range(0, 1).Draw(rt, "short_by"), Foul: p.Draw(rt, "foul"), AcceptExtension: p.Draw(rt, "accept")}
		}
		labels := exchange(rapid.IntRange(0, 20).Draw(rt, "goods"), rapid.IntRange(1, 3).Draw(rt, "ratio"), rapid.IntRange(1, 3).Draw(rt, "days"))
		var actors []deal.Actor
		for _, a := range []deal.Actor{partyA, partyB, ver} {
			if rapid.Bool().Draw(rt, "bot "+a.String()) {
				actors = append(actors, a)
			}
		}
		seed := rapid.Uint64().Draw(rt, "seed")
		offer := rapid.Bool().Draw(rt, "offer")
		players := func() []deal.Player { return append(bots(seed, actors...), ruler{offer: offer}) }

		start := func() *deal.Implementation {
			s, err := deal.NewSchedule(sc, agree(rt, sc, labels))
			if err != nil {
				rt.Fatal(err)
			}
			m, _ := deal.New(s)
			return m
		}
		m := start()
		var turns []turn
		var watched []deal.Player
		for i, p := range players() {
			watched = append(watched, recorded{Player: p, rt: rt, index: i, log: &turns})
		}
		drive(rt, m, watched, nil, 400*time.Hour)

		again, fresh := start(), players()
		for _, tu := range turns {
			if _, err := again.Do(deal.Advance{To: tu.at}); err != nil {
				rt.Fatal(err)
			}
			if got := fresh[tu.player].Act(again); !reflect.DeepEqual(got, tu.acts) {
				rt.Fatalf("at %v, replayed, player %d does %#v, not %#v", tu.at, tu.player, got, tu.acts)
			}
			for _, a := range tu.acts {
				if again.State() != deal.Active {
					break
				}
				if _, err := again.Do(a); err != nil {
					rt.Fatalf("replayed %#v refused: %v", a, err)
				}
			}
		}
		if _, err := again.Do(deal.Advance{To: m.Now()}); err != nil && again.State() == deal.Active {
			rt.Fatal(err)
		}
		if a, b := jsonOf(t, again.Report(), again.Log()), jsonOf(t, m.Report(), m.Log()); a != b {
			rt.Fatalf("the replay ends elsewhere:\n%s\n%s", a, b)
		}
	})
}
