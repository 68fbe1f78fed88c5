package strategy_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

// sale is a small sale: price 1..5, delivery slow or fast, colour.
var sale = &space.Domain{Name: "sale", Issues: []space.Issue{
	{Name: "price", Kind: space.Integer, Min: 1, Max: 5},
	{Name: "delivery", Values: []string{"slow", "fast"}},
	{Name: "colour", Values: []string{"red", "blue", "green"}},
}}

// seller wants a high price, slow delivery and not green (a hard
// constraint), and will not go below 0.4.
func seller() *utility.Profile {
	return &utility.Profile{Name: "seller", Domain: sale, Discount: 1, Reservation: 0.4,
		Func:        &utility.Additive{Weights: []float64{0.6, 0.3, 0.1}, Evals: [][]float64{{0, 0.25, 0.5, 0.75, 1}, {1, 0}, {1, 0.5, 0}}},
		Constraints: []utility.Constraint{{Issue: 2, Allowed: []bool{true, true, false}, Text: "colour is not green"}},
	}
}

func TestPartyAnswers(t *testing.T) {
	best := space.Outcome{4, 0, 0}   // 1
	good := space.Outcome{3, 0, 1}   // 0.45+0.3+0.05 = 0.8
	middle := space.Outcome{2, 1, 0} // 0.3+0+0.1 = 0.4
	poor := space.Outcome{1, 1, 0}   // 0.15+0.1 = 0.25
	green := space.Outcome{4, 0, 2}  // 0.9, breaks the constraint
	text := func(o space.Outcome, t float64) *negotiate.Question {
		return &negotiate.Question{Kind: negotiate.KindText, Text: o, Round: int(t * 10), Rounds: 10}
	}
	vote := func(o, current space.Outcome, t float64) *negotiate.Question {
		return &negotiate.Question{Kind: negotiate.KindProposal, Text: o, Current: current, Round: int(t * 10), Rounds: 10}
	}
	tests := []struct {
		name     string
		strategy string
		params   map[string]float64
		asks     []*negotiate.Question // earlier questions, then the one checked
		want     negotiate.Answer      // Kind, Yes and Picks are compared; Outcome and Objections when set
	}{
		{"linear accepts its best", "linear", nil, []*negotiate.Question{text(best, 0)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"linear objects early", "linear", nil, []*negotiate.Question{text(middle, 0.2)},
			negotiate.Answer{Kind: negotiate.KindObject, Objections: []negotiate.Objection{
				{Issue: 0, Want: 4, Direction: 1, Strength: 0.3},
				{Issue: 1, Want: 0, Direction: -1, Strength: 0.3},
			}}},
		{"linear accepts late", "linear", nil, []*negotiate.Question{text(middle, 1)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"boulware holds out at half time", "boulware", nil, []*negotiate.Question{text(good, 0.5)}, negotiate.Answer{Kind: negotiate.KindObject}},
		{"conceder gives in at half time", "conceder", nil, []*negotiate.Question{text(good, 0.5)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"nobody accepts below the reservation value", "conceder", nil, []*negotiate.Question{text(poor, 1)}, negotiate.Answer{Kind: negotiate.KindObject}},
		{"nobody accepts a broken constraint", "reservation", nil, []*negotiate.Question{text(green, 1)},
			negotiate.Answer{Kind: negotiate.KindObject, Objections: []negotiate.Objection{{Issue: 2, Want: 0, Direction: -1, Strength: 1}}}},
		{"hardliner restates its demand", "hardliner", nil, []*negotiate.Question{text(good, 0.9)}, negotiate.Answer{Kind: negotiate.KindCounter, Outcome: best}},
		{"reservation acceptor takes what it can", "reservation", nil, []*negotiate.Question{text(middle, 0)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"patience runs out", "linear", map[string]float64{"patience": 2}, []*negotiate.Question{text(poor, 0.1), text(poor, 0.2)}, negotiate.Answer{Kind: negotiate.KindWalkAway}},
		{"patience restarts", "linear", map[string]float64{"patience": 2}, []*negotiate.Question{text(poor, 0.1), text(good, 0.2), text(poor, 0.3)}, negotiate.Answer{Kind: negotiate.KindObject}},
		{"random always accepting", "random", map[string]float64{"accept": 1}, []*negotiate.Question{text(middle, 0)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"random never accepts below reservation", "random", map[string]float64{"accept": 1}, []*negotiate.Question{text(poor, 0)}, negotiate.Answer{Kind: negotiate.KindCounter}},
		{"random walking away", "random", map[string]float64{"walk": 1}, []*negotiate.Question{text(poor, 0)}, negotiate.Answer{Kind: negotiate.KindWalkAway}},
		{"tit-for-tat holds while the other side does", "tit-for-tat", nil, []*negotiate.Question{text(good, 0.1), text(good, 0.9)}, negotiate.Answer{Kind: negotiate.KindObject}},
		{"tit-for-tat returns a concession", "tit-for-tat", nil, []*negotiate.Question{text(middle, 0.1), text(good, 0.2)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"tit-for-tat keeps a concession", "tit-for-tat", nil, []*negotiate.Question{text(poor, 0.1), text(good, 0.2), text(poor, 0.3), text(good, 0.4)}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"tit-for-tat returns part of a concession", "tit-for-tat", map[string]float64{"delta": 0.4}, []*negotiate.Question{text(middle, 0.1), text(good, 0.2)}, negotiate.Answer{Kind: negotiate.KindObject}},
		{"vote for a good enough proposal", "linear", nil, []*negotiate.Question{vote(good, nil, 0.4)}, negotiate.Answer{Kind: negotiate.KindVote, Yes: true}},
		{"vote against a worse text", "linear", nil, []*negotiate.Question{vote(good, best, 0.2)}, negotiate.Answer{Kind: negotiate.KindVote}},
		{"vote for a worse text meeting the aspiration", "linear", nil, []*negotiate.Question{vote(good, best, 0.5)}, negotiate.Answer{Kind: negotiate.KindVote, Yes: true}},
		{"vote against below the reservation value", "reservation", nil, []*negotiate.Question{vote(poor, nil, 1)}, negotiate.Answer{Kind: negotiate.KindVote}},
		{"improvement", "hardliner", nil, []*negotiate.Question{{Kind: negotiate.KindImprove, Text: good, Current: middle}}, negotiate.Answer{Kind: negotiate.KindVote, Yes: true}},
		{"no improvement", "conceder", nil, []*negotiate.Question{{Kind: negotiate.KindImprove, Text: middle, Current: good}}, negotiate.Answer{Kind: negotiate.KindVote}},
		{"bid ranks what it accepts", "conceder", nil, []*negotiate.Question{{Kind: negotiate.KindPackages, Packages: []space.Outcome{poor, good, green, best}, Round: 5, Rounds: 10}},
			negotiate.Answer{Kind: negotiate.KindBid, Picks: []int{3, 1}}},
		{"bid nothing", "hardliner", nil, []*negotiate.Question{{Kind: negotiate.KindPackages, Packages: []space.Outcome{poor, good}}}, negotiate.Answer{Kind: negotiate.KindBid, Picks: []int{}}},
		{"first turn", "boulware", nil, []*negotiate.Question{{Kind: negotiate.KindTurn}}, negotiate.Answer{Kind: negotiate.KindOffer, Outcome: best}},
		{"own offer standing", "hardliner", nil, []*negotiate.Question{{Kind: negotiate.KindTurn, Text: best, Own: true}}, negotiate.Answer{Kind: negotiate.KindOffer, Outcome: best}},
		{"accept an offer", "linear", nil, []*negotiate.Question{{Kind: negotiate.KindTurn, Text: good, Round: 4, Rounds: 10}}, negotiate.Answer{Kind: negotiate.KindAccept}},
		{"counter an offer", "linear", nil, []*negotiate.Question{{Kind: negotiate.KindTurn, Text: middle, Round: 1, Rounds: 10}}, negotiate.Answer{Kind: negotiate.KindOffer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := strategy.NewParty(strategy.PartyConfig{Strategy: tt.strategy, Params: tt.params, Profile: seller(), Rand: rand.New(rand.NewPCG(1, 2))})
			if err != nil {
				t.Fatal(err)
			}
			var got negotiate.Answer
			for _, q := range tt.asks {
				var now bool
				if got, now = p.Ask(q); !now {
					t.Fatal("a built-in party answered later")
				}
			}
			if got.Kind != tt.want.Kind || got.Yes != tt.want.Yes || tt.want.Picks != nil && !slices.Equal(got.Picks, tt.want.Picks) {
				t.Fatalf("answer %s (yes %v, picks %v), want %s (yes %v, picks %v)", got.Kind, got.Yes, got.Picks, tt.want.Kind, tt.want.Yes, tt.want.Picks)
			}
			if tt.want.Outcome != nil && !got.Outcome.Equal(tt.want.Outcome) {
				t.Errorf("outcome %v, want %v", got.Outcome, tt.want.Outcome)
			}
			if tt.want.Objections != nil && !slices.EqualFunc(got.Objections, tt.want.Objections, sameObjection) {
				t.Errorf("objections %+v, want %+v", got.Objections, tt.want.Objections)
			}
			prof := seller()
			switch got.Kind {
			case negotiate.KindCounter, negotiate.KindOffer:
				if !prof.Acceptable(got.Outcome) {
					t.Errorf("proposed %v, which it could not accept itself", got.Outcome)
				}
			case negotiate.KindAccept:
				if q := tt.asks[len(tt.asks)-1]; !prof.Acceptable(q.Text) {
					t.Errorf("accepted %v", q.Text)
				}
			}
		})
	}
}

func sameObjection(a, b negotiate.Objection) bool {
	const tol = 1e-9
	return a.Issue == b.Issue && a.Want == b.Want && a.Direction == b.Direction && a.Strength > b.Strength-tol && a.Strength < b.Strength+tol
}

// Time-based parties offer, turn after turn, outcomes worth what they aim
// for: from their best down towards their reservation value, never below.
func TestConcessionCurve(t *testing.T) {
	prof := seller()
	for _, name := range []string{"boulware", "linear", "conceder"} {
		p, err := strategy.NewParty(strategy.PartyConfig{Strategy: name, Profile: prof})
		if err != nil {
			t.Fatal(err)
		}
		prev := 2.0
		for r := 0; r <= 10; r++ {
			a, _ := p.Ask(&negotiate.Question{Kind: negotiate.KindTurn, Text: space.Outcome{0, 1, 1}, Round: r, Rounds: 10})
			if a.Kind == negotiate.KindAccept {
				t.Fatalf("%s accepted an offer worth %g", name, prof.Utility(space.Outcome{0, 1, 1}))
			}
			u := prof.Utility(a.Outcome)
			if u > prev+1e-9 || u < prof.Reservation || !prof.Feasible(a.Outcome) {
				t.Fatalf("%s, round %d: offered %v worth %g after %g", name, r, a.Outcome, u, prev)
			}
			prev = u
		}
	}
}

func TestConfide(t *testing.T) {
	prof := seller()
	tests := []struct {
		level                         negotiate.Level
		fn, weights, res, constraints bool
	}{
		{negotiate.Full, true, true, true, true},
		{negotiate.Weights, false, true, false, false},
		{negotiate.MustHaves, false, false, true, true},
		{negotiate.Nothing, false, false, false, false},
	}
	for _, tt := range tests {
		c := strategy.Confide(prof, tt.level)
		if c.Level != tt.level || (c.Func != nil) != tt.fn || (c.Weights != nil) != tt.weights ||
			(c.Reservation != 0) != tt.res || (c.Constraints != nil) != tt.constraints {
			t.Errorf("%s: confided %+v", tt.level, c)
		}
	}
}

func TestNewPartyErrors(t *testing.T) {
	tests := []struct {
		cfg  strategy.PartyConfig
		want string
	}{
		{strategy.PartyConfig{Strategy: "greedy", Profile: seller()}, `unknown party strategy "greedy"`},
		{strategy.PartyConfig{Strategy: "linear"}, "without a profile"},
		{strategy.PartyConfig{Strategy: "linear", Profile: seller(), Confide: "some"}, `unknown confide level "some"`},
		{strategy.PartyConfig{Strategy: "linear", Profile: seller(), Params: map[string]float64{"beta": 1}}, `strategy "linear" has no parameter "beta" (it has e, min, patience)`},
		{strategy.PartyConfig{Strategy: "boulware", Profile: seller(), Params: map[string]float64{"e": 0}}, "must be positive"},
		{strategy.PartyConfig{Strategy: "linear", Profile: seller(), Params: map[string]float64{"patience": 1.5}}, "whole number"},
		{strategy.PartyConfig{Strategy: "random", Profile: seller(), Params: map[string]float64{"accept": 2}}, "[0,1]"},
		{strategy.PartyConfig{Strategy: "random", Profile: seller()}, "random source"},
	}
	for _, tt := range tests {
		if _, err := strategy.NewParty(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one with %q", tt.cfg.Strategy, err, tt.want)
		}
	}
}

// Whatever it is asked and whenever, no built-in party accepts, votes for,
// picks or proposes an outcome worth less than its reservation value or
// outside its hard constraints.
func TestPartiesKeepTheirLimits(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		d := negotest.Domain(r, 4, 5)
		prof := negotest.Profile(r, d, "p", rapid.Float64Range(0, 1).Draw(t, "reservation"), rapid.Bool().Draw(t, "constrained"))
		p, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: rapid.SampledFrom(strategy.Parties).Draw(t, "strategy"),
			Profile:  prof,
			Rand:     r,
		})
		if err != nil {
			t.Fatal(err)
		}
		draw := func() space.Outcome {
			o := d.NewOutcome()
			d.Random(r, o)
			return o
		}
		for range rapid.IntRange(1, 30).Draw(t, "questions") {
			q := &negotiate.Question{
				Kind:  rapid.SampledFrom([]negotiate.Kind{negotiate.KindText, negotiate.KindProposal, negotiate.KindImprove, negotiate.KindPackages, negotiate.KindTurn}).Draw(t, "kind"),
				Text:  draw(),
				Round: rapid.IntRange(0, 10).Draw(t, "round"), Rounds: 10,
			}
			switch q.Kind {
			case negotiate.KindProposal, negotiate.KindImprove:
				q.Current = draw()
			case negotiate.KindPackages:
				q.Packages = []space.Outcome{draw(), draw(), draw()}
			case negotiate.KindTurn:
				q.Own = rapid.Bool().Draw(t, "own")
			}
			a, _ := p.Ask(q)
			var taken []space.Outcome
			switch a.Kind {
			case negotiate.KindAccept:
				taken = append(taken, q.Text)
			case negotiate.KindVote:
				if a.Yes {
					taken = append(taken, q.Text)
				}
			case negotiate.KindBid:
				for _, j := range a.Picks {
					taken = append(taken, q.Packages[j])
				}
			case negotiate.KindCounter, negotiate.KindOffer:
				taken = append(taken, a.Outcome)
			}
			for _, o := range taken {
				if !prof.Acceptable(o) {
					t.Fatalf("answered %s to a %s with %v, worth %g (reservation %g, feasible %v)", a.Kind, q.Kind, o, prof.Utility(o), prof.Reservation, prof.Feasible(o))
				}
			}
		}
	})
}
