package strategy_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// bench plays one negotiation per iteration, building its parties and
// mediator as a tournament would, with the analysis and search tables
// computed once beforehand.
func bench(b *testing.B, tb table, proto negotiate.Protocol, mediator string, a *analysis.Result, strategies ...string) {
	cache := &strategy.Cache{}
	rounds := 0
	b.ReportAllocs()
	for b.Loop() {
		seats := make([]negotiate.Seat, len(tb.profiles))
		for i, p := range tb.profiles {
			party, err := strategy.NewParty(strategy.PartyConfig{Strategy: strategies[i%len(strategies)], Profile: p, Cache: cache})
			if err != nil {
				b.Fatal(err)
			}
			seats[i] = negotiate.Seat{Name: p.Name, Party: party}
		}
		spec := negotiate.Spec{Domain: tb.domain, Protocol: proto, Parties: seats, Rounds: 100, RoundTime: time.Hour}
		if mediator != "" {
			m, err := strategy.NewMediator(strategy.MediatorConfig{Strategy: mediator, Rand: rand.New(rand.NewPCG(1, 2)), Analysis: a, Cache: cache})
			if err != nil {
				b.Fatal(err)
			}
			spec.Mediator = m
		}
		s, err := negotiate.NewSession(spec)
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		rounds = res.Rounds
	}
	b.ReportMetric(float64(rounds), "rounds")
}

// A 100-round bilateral negotiation on a shared domain: two hardliners
// never agree, so every protocol runs to its deadline.
func BenchmarkHundredRounds(b *testing.B) {
	tb := loadTable(b, "ItexvsCypress", 2, false)
	b.Run("shuttle/confided", func(b *testing.B) { bench(b, tb, negotiate.Shuttle, "confided", tb.analysis, "hardliner") })
	b.Run("shuttle/confided-search", func(b *testing.B) { bench(b, tb, negotiate.Shuttle, "confided", nil, "hardliner") })
	b.Run("shuttle/objections", func(b *testing.B) { bench(b, tb, negotiate.Shuttle, "objections", nil, "hardliner") })
	b.Run("single-text/votes", func(b *testing.B) { bench(b, tb, negotiate.SingleText, "votes", nil, "hardliner") })
	b.Run("alternating-offers", func(b *testing.B) { bench(b, tb, negotiate.AlternatingOffers, "", nil, "hardliner") })
	b.Run("blind-bidding/confided", func(b *testing.B) { bench(b, tb, negotiate.BlindBidding, "confided", tb.analysis, "hardliner") })
}

// A typical tournament negotiation: time-based parties that settle.
func BenchmarkSettling(b *testing.B) {
	tb := loadTable(b, "EnglandZimbabwe", 2, false)
	b.Run("shuttle/confided", func(b *testing.B) { bench(b, tb, negotiate.Shuttle, "confided", tb.analysis, "boulware", "linear") })
	b.Run("alternating-offers", func(b *testing.B) { bench(b, tb, negotiate.AlternatingOffers, "", nil, "boulware", "linear") })
}
