package genius

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

func TestReadPareto(t *testing.T) {
	rows, err := ReadPareto(filepath.Join("testdata", "10issues", "pareto.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 || rows[0][0] != 0.67824775 || rows[0][1] != 1 || rows[9][0] != 1 || rows[9][1] != 0.5943503 {
		t.Errorf("got %v, want 10 points from (0.67824775, 1) to (1, 0.5943503)", rows)
	}
}

// TestParetoAgrees checks the nonlinear reading against the frontiers
// GENIUS computed: each listed utility must be a sum of (integer) rectangle
// utilities over maxutility; on the 10-issue scenarios no outcome a search
// finds may dominate a listed point, and the search must reach each party's
// best listed utility. From 20 issues (10^20 outcomes) up, GENIUS's lists
// are not exact frontiers: the search finds outcomes that dominate listed
// points, so only the first check applies there.
func TestParetoAgrees(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "10issues"), filepath.Join("testdata", "S-1NAGUNL-114")}
	if root := testenv.SharedDomains(t); root != "" {
		for _, pattern := range []string{"*/*/pareto.xml", "*/*/*/pareto.xml"} {
			m, _ := filepath.Glob(filepath.Join(root, pattern))
			for _, f := range m {
				dirs = append(dirs, filepath.Dir(f))
			}
		}
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			d, ps, err := ReadFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := ReadPareto(filepath.Join(dir, "pareto.xml"))
			if err != nil {
				t.Fatal(err)
			}
			best := make([]float64, len(ps))
			for _, row := range rows {
				if len(row) != len(ps) {
					t.Fatalf("a point of %d utilities for %d parties", len(row), len(ps))
				}
				for i, u := range row {
					// GENIUS printed the frontier as float32: 7 digits.
					if x := u * ps[i].Func.(*utility.Hyper).Max; math.Abs(x-math.Round(x)) > 2e-3 || u < 0 || u > 1 {
						t.Errorf("%v: %g × maxutility = %g is not a sum of rectangle utilities", row, u, x)
					}
					best[i] = max(best[i], u)
				}
			}
			if n, ok := d.Count64(); !ok || n > 1e10 {
				return
			}
			r := rand.New(rand.NewPCG(3, 4))
			for _, lambda := range []float64{0, 0.5, 1} {
				// The searches for a party's best stop once they reach
				// what the frontier lists.
				target := math.Inf(1)
				switch lambda {
				case 0:
					target = best[1]
				case 1:
					target = best[0]
				}
				o := climb(d, ps, lambda, r, target)
				u := []float64{ps[0].Utility(o), ps[1].Utility(o)}
				for _, row := range rows {
					if u[0] > row[0]+1e-6 && u[1] > row[1]+1e-6 {
						t.Errorf("%s with utilities %v dominates the listed frontier point %v", d.Format(o), u, row)
					}
				}
				if lambda == 0 && u[1] < best[1]-1e-6 {
					t.Errorf("party 2 reaches %g, the frontier lists %g", u[1], best[1])
				}
				if lambda == 1 && u[0] < best[0]-1e-6 {
					t.Errorf("party 1 reaches %g, the frontier lists %g", u[0], best[0])
				}
			}
		})
	}
}

// climb searches for an outcome maximising λ·u1 + (1-λ)·u2, the other
// party's utility breaking ties, by coordinate ascent from random starts,
// until the score reaches target.
func climb(d *space.Domain, ps []*utility.Profile, lambda float64, r *rand.Rand, target float64) space.Outcome {
	score := func(o space.Outcome) float64 {
		u1, u2 := ps[0].Utility(o), ps[1].Utility(o)
		return lambda*u1 + (1-lambda)*u2 + 1e-9*(u1+u2)
	}
	var best space.Outcome
	bestScore := math.Inf(-1)
	o := d.NewOutcome()
	for range 100 {
		d.Random(r, o)
		s := score(o)
		for improved := true; improved; {
			improved = false
			for i := range d.Issues {
				keep := o[i]
				for v := range d.Issues[i].Size() {
					o[i] = v
					if ns := score(o); ns > s {
						s, keep, improved = ns, v, true
					}
				}
				o[i] = keep
			}
		}
		if s > bestScore {
			best, bestScore = o.Clone(), s
		}
		if bestScore >= target-1e-6 {
			break
		}
	}
	return best
}
