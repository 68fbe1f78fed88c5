package analysis

import (
	"fmt"
	"math"
	"strconv"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
	"pgregory.net/rapid"
)

// genDomain draws a small domain of discrete issues.
func genDomain(t *rapid.T, maxIssues, maxValues int) *space.Domain {
	d := &space.Domain{Name: "random"}
	for i := range rapid.IntRange(1, maxIssues).Draw(t, "issues") {
		is := space.Issue{Name: "i" + strconv.Itoa(i), Kind: space.Discrete}
		for v := range rapid.IntRange(1, maxValues).Draw(t, "values") {
			is.Values = append(is.Values, "v"+strconv.Itoa(v))
		}
		d.Issues = append(d.Issues, is)
	}
	return d
}

// genAdditive draws an additive profile on d. Evaluations and weights come
// from a coarse grid half of the time, which makes many outcomes tie (and
// their sums differ in the last bits), and weights may sum above 1, which
// makes GENIUS's cap bind. A few values are ruled out by hard constraints.
//
// The fine grid is 1/1000, not arbitrary floats: sums that differ only by
// about Tol are neither clearly equal nor clearly different, and no
// tolerance can decide them the way a pairwise check does.
func genAdditive(t *rapid.T, d *space.Domain, name string) *utility.Profile {
	step := rapid.SampledFrom([]int{4, 1000}).Draw(t, name+" grid")
	draw := func(label string) float64 {
		return float64(rapid.IntRange(0, step).Draw(t, label)) / float64(step)
	}
	a := &utility.Additive{}
	total := 0.0
	for i := range d.Issues {
		w := draw(name + " weight")
		a.Weights = append(a.Weights, w)
		total += w
		ev := make([]float64, d.Issues[i].Size())
		for v := range ev {
			ev[v] = draw(name + " eval")
		}
		a.Evals = append(a.Evals, ev)
	}
	if total == 0 {
		a.Weights[0] = 1
		total = 1
	}
	scale := 1 / total
	if rapid.Bool().Draw(t, name+" above 1") {
		scale *= rapid.SampledFrom([]float64{1.2, 1.5, 2}).Draw(t, name+" scale")
	}
	for i := range a.Weights {
		a.Weights[i] *= scale
	}
	p := &utility.Profile{
		Name:        name,
		Domain:      d,
		Func:        a,
		Reservation: rapid.SampledFrom([]float64{0, 0, 0.3, 0.6, 0.9}).Draw(t, name+" reservation"),
		Discount:    1,
	}
	if rapid.IntRange(0, 3).Draw(t, name+" constrained") == 0 {
		i := rapid.IntRange(0, len(d.Issues)-1).Draw(t, name+" constrained issue")
		c := utility.Constraint{Issue: i, Allowed: make([]bool, d.Issues[i].Size()), Text: "random"}
		for v := range c.Allowed {
			c.Allowed[v] = rapid.IntRange(0, 3).Draw(t, name+" allowed") > 0
		}
		p.Constraints = append(p.Constraints, c)
	}
	return p
}

// outcomeVector is one feasible outcome's utilities, in the oracle.
type outcomeVector struct {
	o space.Outcome
	u []float64
}

// feasibleVectors lists every feasible outcome of the profiles' domain with
// its utilities, asking the profiles themselves.
func feasibleVectors(profiles []*utility.Profile) []outcomeVector {
	d := profiles[0].Domain
	var all []outcomeVector
	o := d.NewOutcome()
	for {
		ok := true
		for _, p := range profiles {
			ok = ok && p.Feasible(o)
		}
		if ok {
			u := make([]float64, len(profiles))
			for j, p := range profiles {
				u[j] = p.Utility(o)
			}
			all = append(all, outcomeVector{o.Clone(), u})
		}
		if !d.Next(o) {
			return all
		}
	}
}

// oraclePoint is a frontier point of the brute-force oracle.
type oraclePoint struct {
	u    []float64
	ties uint64
}

// bruteFront is the frontier by definition: the vectors no other vector
// dominates, equal vectors (within Tol) grouped with their count.
func bruteFront(all []outcomeVector) []oraclePoint {
	var front []oraclePoint
	for _, a := range all {
		dominated := false
		for _, b := range all {
			if Dominates(b.u, a.u) {
				dominated = true
				break
			}
		}
		if dominated {
			continue
		}
		found := false
		for x := range front {
			if nearVec(front[x].u, a.u) {
				front[x].ties++
				found = true
				break
			}
		}
		if !found {
			front = append(front, oraclePoint{a.u, 1})
		}
	}
	return front
}

// scores are the quantities the bargaining points maximise, computed over
// every acceptable outcome by brute force.
type scores struct {
	nash, kalai, egal, welfare float64
	any                        bool
}

// bargainScores computes, for a utility vector u, the four criteria given
// the reservation point and the gainers' ideal point.
func bargainScores(u, r, ideal []float64) (nash, kalai, egal, welfare float64) {
	nash, kalai, egal = 1, math.Inf(1), math.Inf(1)
	for j := range u {
		welfare += u[j]
		if near(ideal[j], r[j]) {
			continue
		}
		g := u[j] - r[j]
		nash *= g
		kalai = min(kalai, g/(ideal[j]-r[j]))
		egal = min(egal, g)
	}
	return nash, kalai, egal, welfare
}

func bruteScores(all []outcomeVector, r []float64) (scores, []float64) {
	ideal := append([]float64(nil), r...)
	var s scores
	for _, a := range all {
		if acceptable(a.u, r) {
			s.any = true
			for j := range ideal {
				ideal[j] = max(ideal[j], a.u[j])
			}
		}
	}
	s.nash, s.kalai, s.egal, s.welfare = math.Inf(-1), math.Inf(-1), math.Inf(-1), math.Inf(-1)
	for _, a := range all {
		if !acceptable(a.u, r) {
			continue
		}
		n, k, e, w := bargainScores(a.u, r, ideal)
		s.nash, s.kalai, s.egal, s.welfare = max(s.nash, n), max(s.kalai, k), max(s.egal, e), max(s.welfare, w)
	}
	return s, ideal
}

// checkAgainstBrute compares a result with the brute-force oracle on the
// same profiles.
func checkAgainstBrute(t *rapid.T, res *Result, profiles []*utility.Profile) {
	all := feasibleVectors(profiles)
	want := bruteFront(all)
	if len(res.Frontier) != len(want) {
		t.Fatalf("frontier has %d points, brute force %d:\n got %v\nwant %v", len(res.Frontier), len(want), res.Frontier, want)
	}
	for _, p := range res.Frontier {
		x := -1
		for y := range want {
			if nearVec(want[y].u, p.Utilities) {
				x = y
			}
		}
		if x < 0 {
			t.Fatalf("frontier point %v is not on the brute-force frontier %v", p.Utilities, want)
		}
		if p.Ties != want[x].ties {
			t.Fatalf("point %v: ties %d, brute force %d", p.Utilities, p.Ties, want[x].ties)
		}
		for j, pr := range profiles {
			if !pr.Feasible(p.Outcome) {
				t.Fatalf("point %v: representative %v violates %q's constraints", p.Utilities, p.Outcome, pr.Name)
			}
			if u := pr.Utility(p.Outcome); u != p.Utilities[j] {
				t.Fatalf("point %v: representative %v is worth %v to %q", p.Utilities, p.Outcome, u, pr.Name)
			}
		}
	}
	s, ideal := bruteScores(all, res.Reservation)
	points := []*Point{res.Nash, res.Kalai, res.Egalitarian, res.MaxWelfare}
	if !s.any {
		for _, p := range points {
			if p != nil {
				t.Fatalf("no acceptable outcome, but a bargaining point %v", p.Utilities)
			}
		}
		return
	}
	for _, p := range points {
		if p == nil {
			t.Fatalf("acceptable outcomes exist but a bargaining point is nil: %+v", res)
		}
	}
	n, _, _, _ := bargainScores(res.Nash.Utilities, res.Reservation, ideal)
	_, k, _, _ := bargainScores(res.Kalai.Utilities, res.Reservation, ideal)
	_, _, e, _ := bargainScores(res.Egalitarian.Utilities, res.Reservation, ideal)
	_, _, _, w := bargainScores(res.MaxWelfare.Utilities, res.Reservation, ideal)
	// Kalai's ratios divide by possible gains that can be tiny, which
	// magnifies the last-bit differences between tied outcomes.
	for _, c := range []struct {
		name           string
		got, want, tol float64
	}{{"Nash product", n, s.nash, Tol}, {"Kalai ratio", k, s.kalai, 1e-9}, {"egalitarian gain", e, s.egal, Tol}, {"welfare", w, s.welfare, Tol}} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Fatalf("%s %v, brute force %v", c.name, c.got, c.want)
		}
	}
}

func (p oraclePoint) String() string { return fmt.Sprintf("%v×%d", p.u, p.ties) }
