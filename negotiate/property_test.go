package negotiate_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

// world is a random negotiation: a small domain, two to four parties with
// random additive profiles (some with hard constraints), strategies,
// confide levels and channels, a protocol and a mediator.
type world struct {
	spec     negotiate.Spec
	profiles []*utility.Profile
	log      negotiate.Log
}

func drawWorld(t *rapid.T) *world {
	seed := rapid.Uint64().Draw(t, "seed")
	r := rand.New(rand.NewPCG(seed, 7))
	d := negotest.Domain(r, 3, 4)
	n := rapid.IntRange(2, 4).Draw(t, "parties")
	w := &world{}
	proto := rapid.SampledFrom([]negotiate.Protocol{negotiate.Shuttle, negotiate.SingleText, negotiate.AlternatingOffers, negotiate.BlindBidding}).Draw(t, "protocol")
	w.spec = negotiate.Spec{
		Domain:         d,
		Protocol:       proto,
		Rounds:         rapid.IntRange(1, 30).Draw(t, "rounds"),
		RoundTime:      time.Hour,
		Absence:        rapid.SampledFrom([]negotiate.Absence{negotiate.Wait, negotiate.Skip}).Draw(t, "absence"),
		PostSettlement: rapid.Bool().Draw(t, "post"),
		Record:         w.log.Record,
	}
	if rapid.Bool().Draw(t, "timed") {
		w.spec.Deadline = time.Duration(rapid.IntRange(1, 60).Draw(t, "deadline")) * time.Hour
	}
	for i := range n {
		name := fmt.Sprintf("p%d", i)
		p := negotest.Profile(r, d, name, rapid.Float64Range(0, 0.8).Draw(t, "reservation"), rapid.Bool().Draw(t, "constrained"))
		w.profiles = append(w.profiles, p)
		party, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: rapid.SampledFrom(strategy.Parties).Draw(t, "strategy"),
			Confide:  rapid.SampledFrom([]string{"full", "weights", "musthaves", "none"}).Draw(t, "confide"),
			Profile:  p,
			Rand:     rand.New(rand.NewPCG(seed, uint64(i))),
		})
		if err != nil {
			t.Fatal(err)
		}
		ch := negotiate.Channel{Delay: time.Duration(rapid.IntRange(0, 3).Draw(t, "delay")) * 20 * time.Minute}
		if rapid.Bool().Draw(t, "outage") {
			from := time.Duration(rapid.IntRange(0, 20).Draw(t, "from")) * time.Hour
			ch.Outages = []negotiate.Outage{{From: from, To: from + time.Duration(rapid.IntRange(1, 20).Draw(t, "length"))*time.Hour}}
		}
		w.spec.Parties = append(w.spec.Parties, negotiate.Seat{Name: name, Party: party, Channel: ch})
	}
	if proto != negotiate.AlternatingOffers || w.spec.PostSettlement {
		a, err := analysis.Analyze(w.profiles, analysis.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w.spec.Mediator, err = strategy.NewMediator(strategy.MediatorConfig{
			Strategy: rapid.SampledFrom(strategy.Mediators).Draw(t, "mediator"),
			Target:   rapid.SampledFrom(strategy.Targets).Draw(t, "target"),
			Rand:     rand.New(rand.NewPCG(seed, 99)),
			Analysis: a,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) run(t *rapid.T) *negotiate.Result {
	s, err := negotiate.NewSession(w.spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// No party sees an event of another party's channel; in particular none
// sees another's profile, objections, bids or votes. Only alternating
// offers, which is direct, makes a party's offers and acceptances public,
// and public events carry nothing confidential.
func TestConfidentiality(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		w.run(t)
		for _, viewer := range w.spec.Parties {
			for _, e := range negotiate.View(w.log.Events, viewer.Name) {
				mine := e.From == viewer.Name || e.To == viewer.Name
				switch {
				case e.To == negotiate.Everyone && (e.Confided != nil || e.Objections != nil || e.Picks != nil || e.Kind == negotiate.KindVote):
					t.Fatalf("public event %d carries confidential content: %+v", e.Seq, e)
				case e.To == negotiate.Everyone && e.From != "" && w.spec.Protocol != negotiate.AlternatingOffers:
					t.Fatalf("%s protocol made party %q's event %d public", w.spec.Protocol, e.From, e.Seq)
				case !mine && e.To != negotiate.Everyone:
					t.Fatalf("%q sees event %d between %q and %q", viewer.Name, e.Seq, e.From, e.To)
				}
			}
		}
	})
}

// An agreement is never worth less than a party's reservation value and
// never breaks a party's hard constraint, whatever the protocol, strategies
// and mediator, including after a post-settlement round.
func TestAgreementsAcceptable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		res := w.run(t)
		if res.Agreement == nil {
			return
		}
		for _, p := range w.profiles {
			if !p.Feasible(res.Agreement) {
				t.Fatalf("agreement %s breaks %s's constraint", w.spec.Domain.Format(res.Agreement), p.Name)
			}
			if u := p.Utility(res.Agreement); u < p.Reservation {
				t.Fatalf("agreement %s is worth %g to %s, below its reservation value %g", w.spec.Domain.Format(res.Agreement), u, p.Name, p.Reservation)
			}
		}
	})
}

// Every run is a well-formed log: numbered from 1, in time order, within
// the deadline, ending in exactly one failure or in agreements, and every
// event survives its JSON form unchanged.
func TestLogWellFormed(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		res := w.run(t)
		ev := w.log.Events
		var buf bytes.Buffer
		if err := negotiate.WriteLog(&buf, w.spec.Domain, ev); err != nil {
			t.Fatal(err)
		}
		back, err := negotiate.ReadLog("log", &buf, w.spec.Domain)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(ev, back, equalEvents) {
			t.Fatalf("log changed on its way through JSON")
		}
		last := ev[len(ev)-1]
		if res.Agreement == nil && (last.Kind != negotiate.KindFailure || last.Note != res.Reason) {
			t.Fatalf("failed run (%s) ends with %+v", res.Reason, last)
		}
		if res.Agreement != nil {
			// The last agreement stands; a declined post-settlement
			// proposal may follow it.
			var agreed negotiate.Event
			for _, e := range ev {
				if e.Kind == negotiate.KindAgreement {
					agreed = e
				}
			}
			if !agreed.Outcome.Equal(res.Agreement) {
				t.Fatalf("agreement on %v, last agreement event %+v", res.Agreement, agreed)
			}
		}
		if res.Reason == negotiate.EndDeadline && w.spec.Deadline > 0 && last.Time > w.spec.Deadline {
			t.Fatalf("deadline %v, failure recorded at %v", w.spec.Deadline, last.Time)
		}
		if w.spec.Rounds > 0 && res.Rounds > w.spec.Rounds {
			t.Fatalf("%d rounds played, deadline %d", res.Rounds, w.spec.Rounds)
		}
		messages := 0
		for _, e := range ev {
			switch e.Kind {
			case negotiate.KindStart, negotiate.KindAgreement, negotiate.KindFailure, negotiate.KindMissed:
			default:
				messages++
			}
		}
		if messages != res.Messages {
			t.Fatalf("result counts %d messages, the log %d", res.Messages, messages)
		}
	})
}

func equalEvents(a, b negotiate.Event) bool {
	return a.Seq == b.Seq && a.Time == b.Time && a.Round == b.Round && a.From == b.From && a.To == b.To &&
		a.Kind == b.Kind && a.Outcome.Equal(b.Outcome) && slices.EqualFunc(a.Outcomes, b.Outcomes, space.Outcome.Equal) &&
		slices.Equal(a.Objections, b.Objections) && a.Yes == b.Yes && slices.Equal(a.Picks, b.Picks) &&
		(a.Confided == nil) == (b.Confided == nil) && a.Note == b.Note
}
