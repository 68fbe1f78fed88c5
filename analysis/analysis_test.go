package analysis

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
	"pgregory.net/rapid"
)

// TestAdditiveMatchesBruteForce checks the issue-by-issue construction, and
// Enumerate, against the definition on random additive profiles of one to
// four parties: the same frontier vectors with the same ties, correct
// representatives, and bargaining points that maximise what they claim to.
func TestAdditiveMatchesBruteForce(t *testing.T) {
	for _, parties := range []int{2, 3, 1, 4} {
		t.Run(strconv.Itoa(parties)+" parties", func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				d := genDomain(t, 4, 5)
				profiles := make([]*utility.Profile, parties)
				for j := range profiles {
					profiles[j] = genAdditive(t, d, "p"+strconv.Itoa(j+1))
				}
				res, err := Analyze(profiles, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Exact {
					t.Fatal("additive analysis not exact")
				}
				checkAgainstBrute(t, res, profiles)
				enum, err := Enumerate(profiles)
				if err != nil {
					t.Fatal(err)
				}
				checkAgainstBrute(t, enum, profiles)
			})
		})
	}
}

// profile builds an additive profile from per-issue evaluation tables, all
// issues weighted equally.
func profile(name string, d *space.Domain, reservation float64, evals ...[]float64) *utility.Profile {
	a := &utility.Additive{Evals: evals}
	for range evals {
		a.Weights = append(a.Weights, 1/float64(len(evals)))
	}
	return &utility.Profile{Name: name, Domain: d, Func: a, Reservation: reservation, Discount: 1}
}

func domain(sizes ...int) *space.Domain {
	d := &space.Domain{Name: "d"}
	for i, n := range sizes {
		is := space.Issue{Name: "i" + strconv.Itoa(i), Kind: space.Discrete}
		for v := range n {
			is.Values = append(is.Values, "v"+strconv.Itoa(v))
		}
		d.Issues = append(d.Issues, is)
	}
	return d
}

func TestDegenerate(t *testing.T) {
	one := domain(1)
	two := domain(3, 2)
	wide := domain(3, 2, 7)
	excluded := profile("B", two, 0, []float64{0, 1, 1}, []float64{1, 0})
	excluded.Constraints = []utility.Constraint{{Issue: 1, Allowed: []bool{false, false}, Text: "never"}}
	for _, tc := range []struct {
		name     string
		profiles []*utility.Profile
		front    [][]float64
		ties     []uint64
		nash     []float64 // nil: no bargaining point
		note     string
	}{{
		name:     "single outcome",
		profiles: []*utility.Profile{profile("A", one, 0, []float64{0.5}), profile("B", one, 0, []float64{1})},
		front:    [][]float64{{0.5, 1}}, ties: []uint64{1},
		nash: []float64{0.5, 1},
		note: "single outcome",
	}, {
		name:     "identical profiles",
		profiles: []*utility.Profile{profile("A", two, 0, []float64{0, 0.5, 1}, []float64{1, 0}), profile("B", two, 0, []float64{0, 0.5, 1}, []float64{1, 0})},
		front:    [][]float64{{1, 1}}, ties: []uint64{1},
		nash: []float64{1, 1},
		note: "give every outcome the same utility",
	}, {
		name:     "below every reservation",
		profiles: []*utility.Profile{profile("A", two, 0.9, []float64{0, 0.5, 1}, []float64{1, 0}), profile("B", two, 0.9, []float64{1, 0.5, 0}, []float64{0, 1})},
		front:    [][]float64{{1, 0}, {0.75, 0.25}, {0.5, 0.5}, {0.25, 0.75}, {0, 1}}, ties: []uint64{1, 1, 2, 1, 1},
		note: "no outcome gives every party its reservation value",
	}, {
		name:     "one party out of reach",
		profiles: []*utility.Profile{profile("A", two, 0, []float64{0, 0.5, 1}, []float64{1, 0}), profile("B", two, 0.95, []float64{0, 0.5, 0.8}, []float64{1, 0.5})},
		front:    [][]float64{{1, 0.9}}, ties: []uint64{1},
		note: `party "B" gets at most 0.9, below its reservation value 0.95`,
	}, {
		name:     "indifferent party",
		profiles: []*utility.Profile{profile("A", two, 0, []float64{0, 0.5, 1}, []float64{1, 0}), profile("B", two, 0, []float64{0.4, 0.4, 0.4}, []float64{0.2, 0.2})},
		front:    [][]float64{{1, 0.3}}, ties: []uint64{1},
		nash: []float64{1, 0.3},
		note: `party "B" gets 0.3 from every feasible outcome`,
	}, {
		name:     "issue nobody cares about",
		profiles: []*utility.Profile{profile("A", wide, 0, []float64{0, 0.5, 1}, []float64{1, 0}, []float64{0, 0, 0, 0, 0, 0, 0}), profile("B", wide, 0, []float64{1, 0.5, 0}, []float64{0, 1}, []float64{1, 1, 1, 1, 1, 1, 1})},
		front:    [][]float64{{2.0 / 3, 1.0 / 3}, {0.5, 0.5}, {1.0 / 3, 2.0 / 3}, {1.0 / 6, 5.0 / 6}, {0, 1}}, ties: []uint64{7, 7, 14, 7, 7},
		nash: []float64{0.5, 0.5},
	}, {
		name:     "constraints exclude everything",
		profiles: []*utility.Profile{profile("A", two, 0, []float64{0, 0.5, 1}, []float64{1, 0}), excluded},
		note:     `exclude every value of issue "i1"`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []func() (*Result, error){
				func() (*Result, error) { return Analyze(tc.profiles, Options{}) },
				func() (*Result, error) { return Enumerate(tc.profiles) },
			} {
				res, err := f()
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Frontier) != len(tc.front) {
					t.Fatalf("frontier %v, want %v", res.Frontier, tc.front)
				}
				for x, p := range res.Frontier {
					if !nearVec(p.Utilities, tc.front[x]) || p.Ties != tc.ties[x] {
						t.Errorf("point %d: %v×%d, want %v×%d", x, p.Utilities, p.Ties, tc.front[x], tc.ties[x])
					}
				}
				if tc.nash == nil {
					for _, p := range []*Point{res.Nash, res.Kalai, res.Egalitarian, res.MaxWelfare} {
						if p != nil {
							t.Errorf("bargaining point %v, want none", p.Utilities)
						}
					}
				} else if res.Nash == nil || !nearVec(res.Nash.Utilities, tc.nash) {
					t.Errorf("Nash %+v, want %v", res.Nash, tc.nash)
				}
				if tc.note != "" && !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
					t.Errorf("notes %q lack %q", res.Notes, tc.note)
				}
			}
		})
	}
}

func TestAnalyzeErrors(t *testing.T) {
	d := domain(2)
	other := domain(3)
	good := profile("A", d, 0, []float64{0, 1})
	bad := profile("bad", d, 0, []float64{0, 2})
	for _, tc := range []struct {
		name     string
		profiles []*utility.Profile
		want     string
	}{
		{"no profiles", nil, "no profiles"},
		{"nil profile", []*utility.Profile{good, nil}, "profile 2 is nil"},
		{"other domain", []*utility.Profile{good, profile("B", other, 0, []float64{0, 1, 1})}, `profile "B" is on domain`},
		{"invalid profile", []*utility.Profile{good, bad}, `profile "bad"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, f := range map[string]func([]*utility.Profile) (*Result, error){
				"Analyze":   func(p []*utility.Profile) (*Result, error) { return Analyze(p, Options{}) },
				"Enumerate": Enumerate,
			} {
				_, err := f(tc.profiles)
				if err == nil || !strings.Contains(err.Error(), tc.want) || shuttle.ErrorCode(err) != shuttle.EInvalid {
					t.Errorf("%s: error %v, want an invalid-input error containing %q", name, err, tc.want)
				}
			}
		})
	}
}

// TestCapTiesLimit checks that counting the ties of a capped point gives up,
// and says so, when it would keep too many partial vectors.
func TestCapTiesLimit(t *testing.T) {
	d := domain(4, 4, 4)
	evals := []float64{0, 0.3, 0.7, 1}
	a := profile("A", d, 0, evals, evals, evals)
	a.Additive().Weights = []float64{0.6, 0.6, 0.6}
	b := profile("B", d, 0, []float64{0.25, 0.5, 0.75, 1}, []float64{1, 0, 0.5, 0.5}, []float64{0.5, 0.5, 0.5, 0.5})
	res, err := Analyze([]*utility.Profile{a, b}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	adds := []*utility.Additive{a.Additive(), b.Additive()}
	var sv sieve
	groups := make([]cloud, 3)
	for i := range groups {
		var terms cloud
		terms.reset(2)
		for v := range 4 {
			terms.add([]float64{adds[0].Term(i, v), adds[1].Term(i, v)}, 1, int64(v))
		}
		sv.distinct(&terms, &groups[i])
	}
	checked := 0
	for _, p := range res.Frontier {
		if p.Utilities[0] != 1 {
			continue
		}
		checked++
		n, ok := countOrthant(groups, p.Utilities, capLimit)
		if !ok || n != p.Ties {
			t.Errorf("point %v: counted %d (complete %v), ties %d", p.Utilities, n, ok, p.Ties)
		}
		if _, ok := countOrthant(groups, p.Utilities, 0); ok {
			t.Errorf("point %v: counting with no room succeeded", p.Utilities)
		}
	}
	if checked == 0 {
		t.Fatalf("no capped point on %v", res.Frontier)
	}
}

// TestTooManyParties checks that a frontier that would hold nearly every
// outcome of a sizeable space, as with dozens of parties, is refused with
// ETooLarge rather than ground through.
func TestTooManyParties(t *testing.T) {
	d := domain(10, 10, 10, 10)
	r := rand.New(rand.NewPCG(1, 2))
	var profiles []*utility.Profile
	for j := range 30 {
		var evals [][]float64
		for range 4 {
			ev := make([]float64, 10)
			for v := range ev {
				ev[v] = r.Float64()
			}
			evals = append(evals, ev)
		}
		profiles = append(profiles, profile("p"+strconv.Itoa(j), d, 0, evals...))
	}
	_, err := Analyze(profiles, Options{})
	if shuttle.ErrorCode(err) != shuttle.ETooLarge {
		t.Fatalf("error %v, want %s", err, shuttle.ETooLarge)
	}
}
