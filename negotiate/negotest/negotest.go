// Package negotest provides what tests of negotiators need: random small
// domains and profiles drawn from a seed, and the shared real domains.
package negotest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

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
