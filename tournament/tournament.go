package tournament

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/strategy"
)

// MaxJobs bounds the size of a tournament, so that a pairing that explodes
// with the number of roles is refused before anything runs.
const MaxJobs = 1 << 40

// noMediator is the mediator column of direct negotiations.
const noMediator = "none"

// Tournament is a configured tournament with its scenarios loaded and
// analysed, ready to run. Its jobs, the negotiations it plays, are numbered
// from 0 in a fixed order: scenario, then protocol, then mediator, then the
// strategies seated (lexicographically by role), then repetition.
type Tournament struct {
	cfg       Config
	scenarios []*Scenario
	skipped   []error
	tables    []table
	starts    []int // starts[s] is the first job of scenario s; one more at the end
	id        string
	cache     strategy.Cache
}

// table is what is played on one scenario.
type table struct {
	combos []combo
	// seatings lists the strategy of each role for OneVsRest; nil for
	// AllCombinations, whose seatings are decoded from their number.
	seatings [][]int
	nseat    int
	roles    int
}

type combo struct {
	protocol negotiate.Protocol
	mediator int // index into cfg.Mediators, -1 for none
}

// New loads and analyses the scenarios of c and lays out its jobs. Folders
// found by searching that cannot be played are left out; Skipped says
// which and why.
func New(ctx context.Context, c *Config) (*Tournament, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cfg := c.withDefaults()
	if len(cfg.Domains) == 0 {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "domains", Message: "no domains or scenarios to play on"}
	}
	srcs, err := sources(cfg.Domains)
	if err != nil {
		return nil, err
	}
	t := &Tournament{cfg: cfg}
	if t.scenarios, t.skipped, err = loadAll(ctx, srcs, cfg.MaxParties); err != nil {
		return nil, err
	}
	if err := t.checkStrategies(); err != nil {
		return nil, err
	}
	protocols := make([]negotiate.Protocol, len(cfg.Protocols))
	for i, p := range cfg.Protocols {
		protocols[i], _ = negotiate.ParseProtocol(p)
	}
	t.starts = []int{0}
	s := len(cfg.Strategies)
	for _, sc := range t.scenarios {
		if sc.folder {
			sc.Case.Protocol.Rounds, sc.Case.Protocol.PostSettlement = cfg.Rounds, cfg.PostSettlement
		}
		tb := table{roles: len(sc.Profiles)}
		for _, p := range protocols {
			if p == negotiate.AlternatingOffers && !sc.Case.Protocol.PostSettlement {
				tb.combos = append(tb.combos, combo{p, -1})
				continue
			}
			for m := range cfg.Mediators {
				tb.combos = append(tb.combos, combo{p, m})
			}
		}
		if cfg.Pairing == OneVsRest {
			tb.seatings = oneVsRest(s, tb.roles)
			tb.nseat = len(tb.seatings)
		} else {
			tb.nseat = 1
			for range tb.roles {
				if tb.nseat > MaxJobs/s {
					return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: sc.Path, Message: fmt.Sprintf("%d strategies in %d roles make more than %d seatings; use pairing %s or max_parties", s, tb.roles, MaxJobs, OneVsRest)}
				}
				tb.nseat *= s
			}
		}
		per := len(tb.combos) * tb.nseat * cfg.Reps
		last := t.starts[len(t.starts)-1]
		if per > MaxJobs-last {
			return nil, &shuttle.Error{Code: shuttle.ETooLarge, Message: fmt.Sprintf("more than %d negotiations", MaxJobs)}
		}
		t.tables = append(t.tables, tb)
		t.starts = append(t.starts, last+per)
	}
	t.id = t.fingerprint()
	return t, nil
}

// checkStrategies makes every configured party and mediator once, on the
// first scenario, so that a bad parameter value is reported before anything
// runs rather than by the first negotiation that meets it. It also builds
// the strategies' tables of that scenario's profiles.
func (t *Tournament) checkStrategies() error {
	sc := t.scenarios[0]
	r := rand.New(rand.NewPCG(0, 0))
	for i := range t.cfg.Strategies {
		s := &t.cfg.Strategies[i]
		if _, err := strategy.NewParty(strategy.PartyConfig{Strategy: s.kind(), Params: s.Params, Confide: s.Confide, Profile: sc.Profiles[0], Rand: r, Cache: &t.cache}); err != nil {
			return &shuttle.Error{Code: shuttle.EInvalid, Field: fmt.Sprintf("strategies[%d]", i), Message: err.Error()}
		}
	}
	for i := range t.cfg.Mediators {
		m := &t.cfg.Mediators[i]
		if _, err := strategy.NewMediator(strategy.MediatorConfig{Strategy: m.kind(), Target: m.Target, Params: m.Params, Rand: r}); err != nil {
			return &shuttle.Error{Code: shuttle.EInvalid, Field: fmt.Sprintf("mediators[%d]", i), Message: err.Error()}
		}
	}
	return nil
}

// oneVsRest lists the seatings of OneVsRest in lexicographic order:
// strategy a in role i and strategy b in every other role, for every a, b
// and i, each seating once.
func oneVsRest(strategies, roles int) [][]int {
	var out [][]int
	for a := range strategies {
		for b := range strategies {
			for i := range roles {
				s := make([]int, roles)
				for k := range s {
					s[k] = b
				}
				s[i] = a
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, slices.Compare)
	return slices.CompactFunc(out, slices.Equal)
}

// Scenarios are the scenarios played, in job order.
func (t *Tournament) Scenarios() []*Scenario { return t.scenarios }

// Skipped lists the folders and files found by searching that could not be
// played, one error each, naming the path and the reason.
func (t *Tournament) Skipped() []error { return t.skipped }

// Jobs is the number of negotiations in the whole tournament.
func (t *Tournament) Jobs() int { return t.starts[len(t.starts)-1] }

// ID identifies the tournament: a hash of everything that determines its
// rows (the configuration with defaults filled in, each scenario's name and
// the content of the files it was read from, the number of jobs), but not
// of how it is run (workers, shards, output). Every row carries it, so that
// files of different tournaments are never merged or resumed into one
// another.
func (t *Tournament) ID() string { return t.id }

func (t *Tournament) fingerprint() string {
	type named struct {
		Name, Strategy, Target, Confide string
		Params                          map[string]float64
	}
	type sc struct {
		Name string
		Hash string
	}
	v := struct {
		Version                  int
		Protocols                []string
		Mediators, Strategies    []named
		Pairing                  string
		Reps, Rounds, MaxParties int
		Seed                     uint64
		PostSettlement           bool
		Scenarios                []sc
		Jobs                     int
	}{
		Version: rowVersion, Protocols: t.cfg.Protocols, Pairing: t.cfg.Pairing,
		Reps: t.cfg.Reps, Rounds: t.cfg.Rounds, MaxParties: t.cfg.MaxParties,
		Seed: t.cfg.Seed, PostSettlement: t.cfg.PostSettlement, Jobs: t.Jobs(),
	}
	for _, m := range t.cfg.Mediators {
		v.Mediators = append(v.Mediators, named{Name: m.name(), Strategy: m.kind(), Target: m.Target, Params: m.Params})
	}
	for _, s := range t.cfg.Strategies {
		v.Strategies = append(v.Strategies, named{Name: s.name(), Strategy: s.kind(), Confide: s.Confide, Params: s.Params})
	}
	for _, s := range t.scenarios {
		v.Scenarios = append(v.Scenarios, sc{s.Name, hex.EncodeToString(s.hash[:])})
	}
	data, _ := json.Marshal(v) // maps are written sorted by key
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:idBytes])
}

// idBytes is the length of a tournament ID in bytes.
const idBytes = 8

// Job is one negotiation of a tournament.
type Job struct {
	Index    int
	Scenario *Scenario
	Protocol negotiate.Protocol
	// Mediator is nil in direct negotiation.
	Mediator *Mediator
	// Strategies holds the strategy of each role, in the scenario's party
	// order.
	Strategies []*Strategy
	Rep        int
	// Seed is a hash of the tournament's seed and the job's index, so that
	// a job plays the same however the tournament is split among workers
	// and machines. The mediator and each party draw from random streams
	// of their own derived from it.
	Seed uint64
}

// Job describes job j, 0 ≤ j < Jobs().
func (t *Tournament) Job(j int) Job {
	s := sort.Search(len(t.scenarios), func(s int) bool { return t.starts[s+1] > j })
	tb := &t.tables[s]
	k := j - t.starts[s]
	rep := k % t.cfg.Reps
	k /= t.cfg.Reps
	seat := k % tb.nseat
	c := tb.combos[k/tb.nseat]
	job := Job{Index: j, Scenario: t.scenarios[s], Protocol: c.protocol, Rep: rep, Seed: jobSeed(t.cfg.Seed, j)}
	if c.mediator >= 0 {
		job.Mediator = &t.cfg.Mediators[c.mediator]
	}
	job.Strategies = make([]*Strategy, tb.roles)
	for i := range job.Strategies {
		job.Strategies[i] = &t.cfg.Strategies[tb.seat(seat, i, len(t.cfg.Strategies))]
	}
	return job
}

// seat is the strategy of role i in seating k.
func (tb *table) seat(k, i, strategies int) int {
	if tb.seatings != nil {
		return tb.seatings[k][i]
	}
	for range tb.roles - 1 - i {
		k /= strategies
	}
	return k % strategies
}

// jobSeed mixes the tournament seed and a job index (SplitMix64's
// finaliser, applied twice), so that neighbouring jobs get unrelated seeds.
func jobSeed(seed uint64, j int) uint64 {
	return mix(seed ^ mix(uint64(j)+0x9e3779b97f4a7c15))
}

func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
