// Package negotest provides what tests of negotiators need: random small
// domains and profiles drawn from a seed, and a brute-force analysis of
// small spaces to check negotiation results (and faster analyses) against.
package negotest

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// MaxBrute is the largest space Brute enumerates.
const MaxBrute = 1 << 18

// Domain draws a domain of 1 to maxIssues issues with 2 to maxValues values
// each, discrete and integer.
func Domain(r *rand.Rand, maxIssues, maxValues int) *space.Domain {
	d := &space.Domain{Name: "random"}
	for i := range 1 + r.IntN(maxIssues) {
		is := space.Issue{Name: fmt.Sprintf("i%d", i)}
		n := 2 + r.IntN(maxValues-1)
		if r.IntN(2) == 0 {
			is.Kind = space.Integer
			is.Min = int64(r.IntN(10))
			is.Max = is.Min + int64(n) - 1
		} else {
			for v := range n {
				is.Values = append(is.Values, fmt.Sprintf("v%d", v))
			}
		}
		d.Issues = append(d.Issues, is)
	}
	return d
}

// Profile draws an additive profile over d: random weights summing to 1,
// evaluations in [0,1] with a 1 on every issue, the given reservation
// value, and, when constrained, one hard constraint forbidding one value of
// a random issue that has at least two.
func Profile(r *rand.Rand, d *space.Domain, name string, reservation float64, constrained bool) *utility.Profile {
	a := &utility.Additive{Weights: make([]float64, len(d.Issues)), Evals: make([][]float64, len(d.Issues))}
	var total float64
	for i := range d.Issues {
		a.Weights[i] = 0.05 + r.Float64()
		total += a.Weights[i]
		ev := make([]float64, d.Issues[i].Size())
		for v := range ev {
			ev[v] = math.Round(r.Float64()*100) / 100
		}
		ev[r.IntN(len(ev))] = 1
		a.Evals[i] = ev
	}
	for i := range a.Weights {
		a.Weights[i] /= total
	}
	p := &utility.Profile{Name: name, Domain: d, Func: a, Reservation: reservation, Discount: 1}
	if constrained {
		i := r.IntN(len(d.Issues))
		allowed := make([]bool, d.Issues[i].Size())
		for v := range allowed {
			allowed[v] = true
		}
		allowed[r.IntN(len(allowed))] = false
		p.Constraints = []utility.Constraint{{Issue: i, Allowed: allowed, Text: "random"}}
	}
	return p
}

// Brute analyses profiles by enumerating their space, which must hold at
// most MaxBrute outcomes: the frontier of feasible outcomes (feasible for
// every party), Nash, Kalai–Smorodinsky, egalitarian and maximum-welfare
// points among the outcomes every party finds acceptable. It fills the
// fields of analysis.Result the way the real analysis documents them.
func Brute(profiles []*utility.Profile) (*analysis.Result, error) {
	if len(profiles) == 0 {
		return nil, errors.New("no profiles")
	}
	d := profiles[0].Domain
	n, ok := d.Count64()
	if !ok || n > MaxBrute {
		return nil, fmt.Errorf("space of %v outcomes is too large to enumerate", d.Count())
	}
	res := &analysis.Result{Domain: d, Outcomes: new(big.Int).SetUint64(n), Exact: true}
	for _, p := range profiles {
		res.Parties = append(res.Parties, p.Name)
		res.Reservation = append(res.Reservation, p.Reservation)
	}
	var points []analysis.Point
	o := d.NewOutcome()
outcomes:
	for idx := range n {
		d.Decode(idx, o)
		pt := analysis.Point{Outcome: o.Clone(), Utilities: make([]float64, len(profiles)), Ties: 1}
		for k, p := range profiles {
			if !p.Feasible(o) {
				continue outcomes
			}
			pt.Utilities[k] = p.Utility(o)
		}
		points = append(points, pt)
	}
	// In decreasing lexicographic order a point can only be dominated by an
	// earlier one, and then by one already on the frontier.
	cmpDesc := func(a, b analysis.Point) int {
		for k := range a.Utilities {
			if a.Utilities[k] != b.Utilities[k] {
				if a.Utilities[k] > b.Utilities[k] {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	slices.SortStableFunc(points, cmpDesc)
	for _, p := range points {
		if k := len(res.Frontier) - 1; k >= 0 && slices.Equal(res.Frontier[k].Utilities, p.Utilities) {
			res.Frontier[k].Ties++
			continue
		}
		if !dominated(p, res.Frontier) {
			res.Frontier = append(res.Frontier, p)
		}
	}
	best := func(score func(u []float64) float64) *analysis.Point {
		var bp *analysis.Point
		bs := math.Inf(-1)
		for k := range res.Frontier {
			p := &res.Frontier[k]
			if !rational(p.Utilities, res.Reservation) {
				continue
			}
			if s := score(p.Utilities); s > bs+1e-12 {
				bp, bs = p, s
			}
		}
		return bp
	}
	res.Nash = best(func(u []float64) float64 {
		s := 0.0
		for k := range u {
			s += math.Log(max(u[k]-res.Reservation[k], 1e-300))
		}
		return s
	})
	top := make([]float64, len(profiles))
	for _, p := range res.Frontier {
		if !rational(p.Utilities, res.Reservation) {
			continue
		}
		for k := range top {
			top[k] = max(top[k], p.Utilities[k])
		}
	}
	res.Kalai = best(func(u []float64) float64 {
		lo := math.Inf(1)
		for k := range u {
			lo = min(lo, (u[k]-res.Reservation[k])/max(top[k]-res.Reservation[k], 1e-12))
		}
		return lo
	})
	res.Egalitarian = best(func(u []float64) float64 {
		lo := math.Inf(1)
		for k := range u {
			lo = min(lo, u[k]-res.Reservation[k])
		}
		return lo
	})
	res.MaxWelfare = best(func(u []float64) float64 {
		s := 0.0
		for _, x := range u {
			s += x
		}
		return s
	})
	return res, nil
}

func dominated(p analysis.Point, points []analysis.Point) bool {
	for _, q := range points {
		better, worse := false, false
		for k := range p.Utilities {
			switch {
			case q.Utilities[k] > p.Utilities[k]:
				better = true
			case q.Utilities[k] < p.Utilities[k]:
				worse = true
			}
		}
		if better && !worse {
			return true
		}
	}
	return false
}

func rational(u, reservation []float64) bool {
	for k := range u {
		if u[k] < reservation[k] {
			return false
		}
	}
	return true
}

// SharedDomains is the shared/domains folder beside the repository
// (../shared/domains from the directory holding go.mod), found by walking
// up from the working directory; "" when it is not there.
func SharedDomains() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "domains")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
