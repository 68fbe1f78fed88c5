package strategy_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

// With cooperative parties that confide in full, the confided mediator
// settles on the frontier, at the point it aims for when it knows the
// frontier and near it when it searches the confided profiles itself.
func TestConfidedLandsAtFairPoint(t *testing.T) {
	for _, dom := range []struct {
		name    string
		parties int
	}{{"ItexvsCypress", 2}, {"EnglandZimbabwe", 2}, {"group2-new_sporthal", 3}} {
		tb := loadTable(t, dom.name, dom.parties, false)
		for _, party := range []string{"linear", "conceder"} {
			for _, target := range strategy.Targets {
				for _, frontier := range []bool{true, false} {
					name := fmt.Sprintf("%s/%s/%s/frontier=%v", dom.name, party, target, frontier)
					t.Run(name, func(t *testing.T) {
						res, m := tb.play(t, game{protocol: negotiate.Shuttle, mediator: "confided", target: target, strategies: []string{party}, noAnalysis: !frontier})
						if res.Agreement == nil {
							t.Fatalf("no agreement (%s)", res.Reason)
						}
						d := m.NashDistance
						if target == "kalai" {
							d = m.KalaiDistance
						}
						tol := 1e-9
						if !frontier {
							tol = 0.1
						}
						if m.ParetoDistance > tol || d > tol {
							t.Errorf("agreement %v at distance %g from the frontier and %g from the %s point", m.Utilities, m.ParetoDistance, d, target)
						}
					})
				}
			}
		}
	}
}

// The same on random domains of two and three parties, some with hard
// constraints and reservation values: every negotiation agrees, on the
// frontier when the mediator knows it, and nearly all at the Nash point
// itself; the rest trade near-equal Nash products.
func TestConfidedNearNashOnRandomDomains(t *testing.T) {
	const runs = 200
	for _, frontier := range []bool{true, false} {
		atNash, far := 0, 0.0
		for seed := range uint64(runs) {
			r := rand.New(rand.NewPCG(seed, 3))
			d := negotest.Domain(r, 4, 5)
			var ps []*utility.Profile
			for i := range 2 + r.IntN(2) {
				ps = append(ps, negotest.Profile(r, d, fmt.Sprint("p", i), 0.3*r.Float64(), r.IntN(3) == 0))
			}
			tb := newTable(t, d, ps)
			if tb.analysis.Nash == nil {
				continue
			}
			res, m := tb.play(t, game{protocol: negotiate.Shuttle, mediator: "confided", strategies: []string{"linear"}, noAnalysis: !frontier})
			if res.Agreement == nil {
				t.Fatalf("seed %d: no agreement (%s)", seed, res.Reason)
			}
			if frontier && m.ParetoDistance > 1e-9 {
				t.Errorf("seed %d: agreement %v off the frontier by %g", seed, m.Utilities, m.ParetoDistance)
			}
			if m.NashDistance < 1e-9 {
				atNash++
			}
			far += m.NashDistance
		}
		if atNash < runs*85/100 || far/runs > 0.05 {
			t.Errorf("frontier known %v: %d of %d at the Nash point, mean distance %.3f", frontier, atNash, runs, far/runs)
		}
	}
}

// Every text the confided mediator puts gives each party that confided
// its profile in full at least its reservation value.
func TestConfidedRespectsReservations(t *testing.T) {
	for seed := range uint64(100) {
		r := rand.New(rand.NewPCG(seed, 5))
		d := negotest.Domain(r, 3, 5)
		var ps []*utility.Profile
		for i := range 2 + r.IntN(2) {
			ps = append(ps, negotest.Profile(r, d, fmt.Sprint("p", i), 0.6*r.Float64(), r.IntN(2) == 0))
		}
		tb := newTable(t, d, ps)
		for _, frontier := range []bool{true, false} {
			tb.play(t, game{protocol: negotiate.Shuttle, mediator: "confided", strategies: []string{"hardliner", "boulware", "random"}, noAnalysis: !frontier, seed: seed,
				record: func(e negotiate.Event) {
					if e.Kind != negotiate.KindText {
						return
					}
					for _, p := range ps {
						if !p.Acceptable(e.Outcome) {
							t.Fatalf("seed %d: text %v is worth %g to %s (reservation %g, feasible %v)", seed, e.Outcome, p.Utility(e.Outcome), p.Name, p.Reservation, p.Feasible(e.Outcome))
						}
					}
				}})
		}
	}
}

// The objections mediator, told nothing, learns enough from objections to
// settle cooperative parties close to the frontier.
func TestObjectionsLearn(t *testing.T) {
	for _, dom := range []string{"ItexvsCypress", "EnglandZimbabwe"} {
		tb := loadTable(t, dom, 2, false)
		for _, confide := range []string{"none", "weights", "musthaves"} {
			res, m := tb.play(t, game{protocol: negotiate.Shuttle, mediator: "objections", confide: confide, strategies: []string{"linear"}})
			if res.Agreement == nil || m.ParetoDistance > 0.1 || m.NashDistance > 0.25 {
				t.Errorf("%s, confiding %s: %s at %v, %.3f from the frontier, %.3f from Nash", dom, confide, res.Reason, m.Utilities, m.ParetoDistance, m.NashDistance)
			}
		}
	}
}

// Improve proposes an outcome both prefer to a lopsided agreement, and
// nothing when the agreement is already on the frontier.
func TestImprove(t *testing.T) {
	tb := loadTable(t, "EnglandZimbabwe", 2, false)
	nash := tb.analysis.Nash.Outcome
	// The first outcome that leaves each party at least 0.1 below the
	// Nash point.
	worst := tb.domain.NewOutcome()
	for tb.profiles[0].Utility(worst) > tb.analysis.Nash.Utilities[0]-0.1 || tb.profiles[1].Utility(worst) > tb.analysis.Nash.Utilities[1]-0.1 {
		if !tb.domain.Next(worst) {
			t.Fatal("every outcome is near the Nash point")
		}
	}
	for _, frontier := range []bool{true, false} {
		a := tb.analysis
		if !frontier {
			a = nil
		}
		m, err := strategy.NewMediator(strategy.MediatorConfig{Rand: rand.New(rand.NewPCG(1, 1)), Analysis: a})
		if err != nil {
			t.Fatal(err)
		}
		brief := &negotiate.Brief{Domain: tb.domain, Parties: []string{"a", "b"}, Confided: []*negotiate.Confided{
			strategy.Confide(tb.profiles[0], negotiate.Full), strategy.Confide(tb.profiles[1], negotiate.Full)}}
		if err := m.Open(brief); err != nil {
			t.Fatal(err)
		}
		if p := m.Improve(nash); p != nil {
			t.Errorf("frontier %v: improved the Nash point to %v", frontier, p)
		}
		p := m.Improve(worst)
		if p == nil {
			t.Fatalf("frontier %v: no improvement of %v", frontier, worst)
		}
		for _, prof := range tb.profiles {
			if prof.Utility(p) <= prof.Utility(worst) {
				t.Errorf("frontier %v: %v is no better than %v for %s", frontier, p, worst, prof.Name)
			}
		}
	}
}

func TestNewMediatorErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		cfg  strategy.MediatorConfig
		want string
	}{
		{strategy.MediatorConfig{Strategy: "oracle", Rand: r}, `unknown mediator strategy "oracle"`},
		{strategy.MediatorConfig{Target: "egalitarian", Rand: r}, `unknown mediator target "egalitarian"`},
		{strategy.MediatorConfig{Params: map[string]float64{"temperature": 1}, Rand: r}, `mediator "confided" has no parameter "temperature" (it has none)`},
		{strategy.MediatorConfig{Strategy: "votes", Params: map[string]float64{"temperature": -1}, Rand: r}, "non-negative"},
		{strategy.MediatorConfig{}, "random source"},
	}
	for _, tt := range tests {
		if _, err := strategy.NewMediator(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one with %q", tt.cfg, err, tt.want)
		}
	}
}

// The annealer varies the last text everyone accepted.
func TestAnnealerVariesAcceptedText(t *testing.T) {
	m, err := strategy.NewMediator(strategy.MediatorConfig{Strategy: "votes", Rand: rand.New(rand.NewPCG(1, 1))})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Open(&negotiate.Brief{Domain: sale, Parties: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	texts := make([]space.Outcome, 2)
	m.Draft(1, 0, texts)
	accepted := texts[0]
	m.Hear(1, []negotiate.Answer{{Kind: negotiate.KindVote, Yes: true}, {Kind: negotiate.KindVote, Yes: true}})
	for r := 2; r < 20; r++ {
		m.Draft(r, float64(r)/20, texts)
		if !texts[0].Equal(texts[1]) {
			t.Fatal("single text differs between parties")
		}
		diff := 0
		for i := range accepted {
			if texts[0][i] != accepted[i] {
				diff++
			}
		}
		if diff < 1 || diff > 2 {
			t.Fatalf("round %d: %v is %d changes from the accepted %v", r, texts[0], diff, accepted)
		}
		m.Hear(r, []negotiate.Answer{{Kind: negotiate.KindVote, Yes: true}, {Kind: negotiate.KindVote}})
	}
}
