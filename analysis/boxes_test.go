package analysis

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
	"pgregory.net/rapid"
)

// genHyper draws a nonlinear profile of a few boxes on d, its maximum
// sometimes below the total so that the cap at 1 binds.
func genHyper(t *rapid.T, d *space.Domain, name string) *utility.Profile {
	h := &utility.Hyper{}
	total := 0.0
	for range rapid.IntRange(1, 8).Draw(t, name+" boxes") {
		var r utility.Rect
		r.Utility = float64(rapid.IntRange(0, 20).Draw(t, name+" utility"))
		total += r.Utility
		seen := map[int]bool{}
		for range rapid.IntRange(1, min(3, len(d.Issues))).Draw(t, name+" sides") {
			i := rapid.IntRange(0, len(d.Issues)-1).Draw(t, name+" issue")
			if seen[i] {
				continue
			}
			seen[i] = true
			lo := rapid.IntRange(0, d.Issues[i].Size()-1).Draw(t, name+" lo")
			hi := rapid.IntRange(lo, d.Issues[i].Size()-1).Draw(t, name+" hi")
			r.Issues, r.Lo, r.Hi = append(r.Issues, i), append(r.Lo, lo), append(r.Hi, hi)
		}
		h.Rects = append(h.Rects, r)
	}
	h.Max = max(1, total*rapid.SampledFrom([]float64{1, 1, 0.7}).Draw(t, name+" max"))
	return &utility.Profile{Name: name, Domain: d, Func: h, Discount: 1,
		Reservation: rapid.SampledFrom([]float64{0, 0, 0.2, 0.5}).Draw(t, name+" reservation")}
}

// genMixed draws profiles of which at least one is nonlinear.
func genMixed(t *rapid.T, d *space.Domain, parties int) []*utility.Profile {
	profiles := make([]*utility.Profile, parties)
	for j := range profiles {
		name := "p" + strconv.Itoa(j+1)
		if j == 0 || rapid.IntRange(0, 3).Draw(t, name+" additive") > 0 {
			profiles[j] = genHyper(t, d, name)
		} else {
			profiles[j] = genAdditive(t, d, name)
		}
	}
	return profiles
}

// TestBoxesMatchBruteForce checks the pruned enumeration over value
// classes against the definition, ties included, for nonlinear profiles
// (mixed with additive ones) of two and three parties.
func TestBoxesMatchBruteForce(t *testing.T) {
	for _, parties := range []int{2, 3} {
		t.Run(strconv.Itoa(parties)+" parties", func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				profiles := genMixed(t, genDomain(t, 4, 6), parties)
				res, err := Analyze(profiles, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !res.Exact {
					t.Fatal("small nonlinear space not solved exactly")
				}
				checkAgainstBrute(t, res, profiles)
			})
		})
	}
}

// TestProofMatchesBruteForce sends small spaces down the path of large
// ones: a search, then a pruned enumeration within MaxEnumerate nodes that
// the search's points help prune. Whether or not the proof completes, the
// points must be achievable, and when it does the frontier is exact.
func TestProofMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		profiles := genMixed(t, genDomain(t, 4, 6), 2)
		res, err := Analyze(profiles, Options{MaxEnumerate: rapid.Uint64Range(1, 300).Draw(t, "max"), Seed: rapid.Uint64().Draw(t, "seed")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Exact {
			checkAgainstBrute(t, res, profiles)
			return
		}
		want := bruteFront(feasibleVectors(profiles))
		for _, p := range res.Frontier {
			for j, pr := range profiles {
				if u := pr.Utility(p.Outcome); u != p.Utilities[j] || !pr.Feasible(p.Outcome) {
					t.Fatalf("point %v: representative %v is worth %v to %q", p.Utilities, p.Outcome, u, pr.Name)
				}
			}
			for _, w := range want {
				if Dominates(p.Utilities, w.u) {
					t.Fatalf("point %v dominates the true frontier point %v", p.Utilities, w.u)
				}
			}
		}
	})
}

// TestSearchFindsSmallFrontiers checks the search alone on spaces small
// enough to know the answer: given a modest effort it comes within a
// hundredth of every frontier point (and usually finds them all; a search
// can miss a point that beats its neighbour by a hair).
func TestSearchFindsSmallFrontiers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		profiles := genMixed(t, genDomain(t, 5, 6), rapid.IntRange(2, 3).Draw(t, "parties"))
		_, allowed, err := prepare(profiles)
		if err != nil {
			t.Fatal(err)
		}
		if allowed == nil {
			t.Skip("no feasible outcome")
		}
		m, _ := newModel(profiles, allowed)
		arch := search(m, rapid.Uint64().Draw(t, "seed"), 50_000)
		res := &Result{}
		for x := range arch.u {
			res.Frontier = append(res.Frontier, Point{Utilities: arch.u[x]})
		}
		var ref [][]float64
		for _, w := range bruteFront(feasibleVectors(profiles)) {
			ref = append(ref, w.u)
		}
		if s := res.Shortfall(ref); s > 0.01 {
			t.Fatalf("search falls short of the frontier %v by %v; found %v", ref, s, arch.u)
		}
	})
}

func TestDegenerateHyper(t *testing.T) {
	d := domain(4, 4)
	hyper := func(name string, rects ...utility.Rect) *utility.Profile {
		h := &utility.Hyper{Rects: rects, Max: 10}
		return &utility.Profile{Name: name, Domain: d, Func: h, Discount: 1}
	}
	a := utility.Rect{Utility: 6, Issues: []int{0, 1}, Lo: []int{1, 0}, Hi: []int{2, 1}}
	b := utility.Rect{Utility: 4, Issues: []int{1}, Lo: []int{3}, Hi: []int{3}}
	for _, tc := range []struct {
		name     string
		profiles []*utility.Profile
		front    [][]float64
		ties     []uint64
		note     string
	}{{
		name:     "identical profiles",
		profiles: []*utility.Profile{hyper("A", a, b), hyper("B", a, b)},
		front:    [][]float64{{0.6, 0.6}}, ties: []uint64{4},
		note: "one utility vector is best for every party",
	}, {
		name:     "indifferent party",
		profiles: []*utility.Profile{hyper("A", a, b), hyper("B")},
		front:    [][]float64{{0.6, 0}}, ties: []uint64{4},
		note: `party "B" gets 0 from every feasible outcome`,
	}, {
		name:     "opposed parties",
		profiles: []*utility.Profile{hyper("A", a), hyper("B", b)},
		front:    [][]float64{{0.6, 0}, {0, 0.4}}, ties: []uint64{4, 4},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, opt := range []Options{{}, {MaxEnumerate: 1}} {
				res, err := Analyze(tc.profiles, opt)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Frontier) != len(tc.front) {
					t.Fatalf("frontier %v, want %v", res.Frontier, tc.front)
				}
				for x, p := range res.Frontier {
					// A search counts the ties of the outcomes it found.
					if !nearVec(p.Utilities, tc.front[x]) || res.Exact && p.Ties != tc.ties[x] {
						t.Errorf("point %d: %v×%d, want %v×%d", x, p.Utilities, p.Ties, tc.front[x], tc.ties[x])
					}
				}
				if tc.note != "" && !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
					t.Errorf("notes %q lack %q", res.Notes, tc.note)
				}
			}
		})
	}
}

// TestSearchDeterministic checks that a searched frontier depends on the
// seed alone.
func TestSearchDeterministic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		profiles := genMixed(t, genDomain(t, 5, 6), 2)
		opt := Options{MaxEnumerate: 1, Seed: rapid.Uint64().Draw(t, "seed")}
		a, err := Analyze(profiles, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Analyze(profiles, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("two runs with seed %d differ:\n%+v\n%+v", opt.Seed, a, b)
		}
	})
}
