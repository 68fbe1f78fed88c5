package analysis

import (
	"math"
	"slices"

	"github.com/shuttle-mediation/shuttle/space"
)

// Distance is the Euclidean distance between two utility vectors of the
// same length.
func Distance(a, b []float64) float64 {
	var s float64
	for j := range a {
		d := a[j] - b[j]
		s += d * d
	}
	return math.Sqrt(s)
}

// Dominates reports whether utility vector a Pareto-dominates b: at least
// as good for every party and better for one. Utilities within Tol of each
// other count as equal, as they do on the frontier.
func Dominates(a, b []float64) bool {
	better := false
	for j := range a {
		switch {
		case near(a[j], b[j]):
		case a[j] < b[j]:
			return false
		default:
			better = true
		}
	}
	return better
}

// FrontierDistance is the Euclidean distance from utility vector u to the
// nearest point of the frontier: 0 on the frontier, +Inf when the frontier
// is empty. It is the usual "distance to Pareto" of an agreement.
func (r *Result) FrontierDistance(u []float64) float64 {
	best := math.Inf(1)
	for x := range r.Frontier {
		best = min(best, Distance(u, r.Frontier[x].Utilities))
	}
	return best
}

// Shortfall is how far a reference frontier (for example the one GENIUS
// computed) lies beyond this one: the largest, over the reference points,
// of the smallest amount by which some point of this frontier falls short
// of it in its worst utility. It is 0 when every reference point is weakly
// dominated by a point of this frontier (within Tol), as it must be when
// the result is exact.
func (r *Result) Shortfall(ref [][]float64) float64 {
	worst := 0.0
	for _, g := range ref {
		best := math.Inf(1)
		for x := range r.Frontier {
			var gap float64
			for j, u := range r.Frontier[x].Utilities {
				if !near(u, g[j]) {
					gap = max(gap, g[j]-u)
				}
			}
			best = min(best, gap)
		}
		worst = max(worst, best)
	}
	return worst
}

// Distance is the Euclidean distance from utility vector u to the point,
// +Inf for a nil point, so that r.Nash.Distance(u) needs no check.
func (p *Point) Distance(u []float64) float64 {
	if p == nil {
		return math.Inf(1)
	}
	return Distance(u, p.Utilities)
}

// finish fills the frontier from a sieved cloud and its representative
// outcomes, then the bargaining points and the notes that follow from them.
func (r *Result) finish(c *cloud, outs []space.Outcome) {
	k := c.k
	flat := slices.Clone(c.u[:c.len()*k])
	r.Frontier = make([]Point, c.len())
	for x := range r.Frontier {
		r.Frontier[x] = Point{Outcome: outs[x], Utilities: flat[x*k : (x+1)*k : (x+1)*k], Ties: c.ties[x]}
	}
	if r.Feasible.IsInt64() && r.Feasible.Int64() == 1 {
		if r.Outcomes.IsInt64() && r.Outcomes.Int64() == 1 {
			r.note("the domain has a single outcome")
		} else {
			r.note("a single outcome satisfies every party's hard constraints")
		}
	} else if len(r.Frontier) == 1 && len(r.Parties) > 1 {
		r.note("one utility vector is best for every party: no conflict of interest, the frontier is a single point")
	}
	r.bargain()
}

// bargain picks the bargaining points among the individually rational
// frontier points, as the package documentation defines them. Kalai's
// maximin of relative gains is the discrete form of the line from r to I:
// conventions that take the frontier point nearest that line (or, with
// r = 0 and I = 1, the least |u_A − u_B|) can differ by a neighbouring point.
func (r *Result) bargain() {
	k := len(r.Parties)
	var ir []int
	for x := range r.Frontier {
		if acceptable(r.Frontier[x].Utilities, r.Reservation) {
			ir = append(ir, x)
		}
	}
	if len(ir) == 0 {
		r.noAgreementNote()
		return
	}
	ideal := slices.Clone(r.Reservation)
	for _, x := range ir {
		for j, u := range r.Frontier[x].Utilities {
			ideal[j] = max(ideal[j], u)
		}
	}
	var gainers []int
	for j := range k {
		if near(ideal[j], r.Reservation[j]) {
			r.note("party %q gains nothing over its reservation value %.6g in any outcome every party accepts: the bargaining points leave it out", r.Parties[j], r.Reservation[j])
		} else {
			gainers = append(gainers, j)
		}
	}
	gain := func(u []float64, j int) float64 { return u[j] - r.Reservation[j] }
	r.Nash = r.best(ir, func(u []float64) (float64, float64) {
		p, s := 1.0, 0.0
		for _, j := range gainers {
			p *= gain(u, j)
			s += gain(u, j)
		}
		return p, s
	})
	r.Kalai = r.best(ir, func(u []float64) (float64, float64) {
		m, s := math.Inf(1), 0.0
		for _, j := range gainers {
			g := gain(u, j) / (ideal[j] - r.Reservation[j])
			m, s = min(m, g), s+g
		}
		return m, s
	})
	r.Egalitarian = r.best(ir, func(u []float64) (float64, float64) {
		m, s := math.Inf(1), 0.0
		for _, j := range gainers {
			m, s = min(m, gain(u, j)), s+gain(u, j)
		}
		return m, s
	})
	r.MaxWelfare = r.best(ir, func(u []float64) (float64, float64) {
		var s float64
		for _, x := range u {
			s += x
		}
		return s, 0
	})
}

// best returns a copy of the frontier point among xs with the largest
// score, ties (within Tol) broken by the larger second score, then by
// position.
func (r *Result) best(xs []int, score func([]float64) (float64, float64)) *Point {
	top := -1
	var s1, s2 float64
	for _, x := range xs {
		a, b := score(r.Frontier[x].Utilities)
		if top < 0 || (near(a, s1) && b > s2 && !near(b, s2)) || (!near(a, s1) && a > s1) {
			top, s1, s2 = x, a, b
		}
	}
	p := r.Frontier[top]
	return &p
}

func acceptable(u, reservation []float64) bool {
	for j := range u {
		if u[j] < reservation[j] {
			return false
		}
	}
	return true
}

func (r *Result) noAgreementNote() {
	if len(r.Frontier) == 0 {
		return
	}
	for j := range r.Parties {
		top := math.Inf(-1)
		for x := range r.Frontier {
			top = max(top, r.Frontier[x].Utilities[j])
		}
		if top < r.Reservation[j] {
			r.note("party %q gets at most %.6g, below its reservation value %.6g: no outcome is acceptable to every party, so there is no bargaining point", r.Parties[j], top, r.Reservation[j])
			return
		}
	}
	r.note("no outcome gives every party its reservation value at once: there is no bargaining point")
}
