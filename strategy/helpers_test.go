package strategy_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/formats/genius"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

// table is a domain with its parties' profiles and their analysis.
type table struct {
	domain   *space.Domain
	profiles []*utility.Profile
	analysis *analysis.Result
}

// loadTable reads a GENIUS folder from testdata (or, with shared set, from
// the shared domains beside the repository) and keeps its first n profiles.
func loadTable(t testing.TB, dir string, n int, shared bool) table {
	t.Helper()
	if shared {
		root := negotest.SharedDomains()
		if root == "" {
			t.Skip("shared/domains is not beside the repository")
		}
		dir = filepath.Join(root, dir)
	} else {
		dir = filepath.Join("testdata", dir)
	}
	d, profiles, err := genius.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles) < n {
		t.Fatalf("%s has %d profiles, want %d", dir, len(profiles), n)
	}
	return newTable(t, d, profiles[:n])
}

func newTable(t testing.TB, d *space.Domain, profiles []*utility.Profile) table {
	t.Helper()
	a, err := analysis.Analyze(profiles, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return table{d, profiles, a}
}

// game is one negotiation to play at a table.
type game struct {
	protocol   negotiate.Protocol
	mediator   string // "" for none in alternating offers
	target     string
	confide    string
	strategies []string
	params     []map[string]float64
	seed       uint64
	noAnalysis bool // keep the analysis from the mediator
	rounds     int
	post       bool
	record     func(negotiate.Event)
}

func (tb table) play(t testing.TB, g game) (*negotiate.Result, negotiate.Metrics) {
	t.Helper()
	seats := make([]negotiate.Seat, len(tb.profiles))
	for i, p := range tb.profiles {
		var params map[string]float64
		if g.params != nil {
			params = g.params[i]
		}
		party, err := strategy.NewParty(strategy.PartyConfig{
			Strategy: g.strategies[i%len(g.strategies)],
			Params:   params,
			Confide:  g.confide,
			Profile:  p,
			Rand:     rand.New(rand.NewPCG(g.seed, uint64(i))),
		})
		if err != nil {
			t.Fatal(err)
		}
		seats[i] = negotiate.Seat{Name: p.Name, Party: party}
		if seats[i].Name == "" || seats[i].Name == negotiate.MediatorName {
			seats[i].Name = "party" + string(rune('A'+i))
		}
	}
	spec := negotiate.Spec{
		Domain: tb.domain, Protocol: g.protocol, Parties: seats,
		Rounds: g.rounds, RoundTime: 3600e9, PostSettlement: g.post, Record: g.record,
	}
	if spec.Rounds == 0 {
		spec.Rounds = 100
	}
	if g.mediator != "" {
		a := tb.analysis
		if g.noAnalysis {
			a = nil
		}
		med, err := strategy.NewMediator(strategy.MediatorConfig{Strategy: g.mediator, Target: g.target, Rand: rand.New(rand.NewPCG(g.seed, 1<<32)), Analysis: a})
		if err != nil {
			t.Fatal(err)
		}
		spec.Mediator = med
	}
	s, err := negotiate.NewSession(spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res, negotiate.Measure(res, tb.profiles, tb.analysis)
}

// negotestShared reports whether the shared domains are beside the
// repository.
func negotestShared() bool { return negotest.SharedDomains() != "" }
