package strategy

import (
	"cmp"
	"slices"
	"sync"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// maxSorted is the largest space of a non-additive profile whose feasible
// outcomes are listed, sorted by utility, for the search near a target.
// Additive profiles never need the list.
const maxSorted = 100_000

// eps absorbs rounding when utilities are compared with targets.
const eps = 1e-9

// table is what a party needs to know about its own profile to search it:
// built once per profile and shared, read-only, through a Cache.
type table struct {
	prof  *utility.Profile
	add   *utility.Additive // nil for other functions
	allow [][]bool          // per issue and value: allowed by every hard constraint
	// Additive profiles: terms[i][v] is value v's contribution to the sum
	// and order[i] lists issue i's allowed values by term, ascending.
	terms [][]float64
	order [][]int
	best  space.Outcome // a best feasible outcome
	max   float64       // its utility
	// sorted lists the feasible outcomes of a small non-additive space by
	// utility, ascending (enumeration order on ties).
	sorted []scored
}

type scored struct {
	u   float64
	idx uint64 // mixed-radix index in the domain
}

// Cache shares what parties and mediators work out from profiles between
// sessions, so that a tournament does it once per profile set: the search
// tables of profiles and the scored frontiers of analyses. It is safe for
// concurrent use; the zero value is ready.
type Cache struct {
	mu     sync.Mutex
	m      map[*utility.Profile]*table
	fronts map[frontKey][]frontPoint
}

type frontKey struct {
	a     *analysis.Result
	kalai bool
}

// front is the scored frontier of a, made by score the first time.
func (c *Cache) front(a *analysis.Result, kalai bool, score func(*analysis.Result) []frontPoint) []frontPoint {
	if c == nil {
		return score(a)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := frontKey{a, kalai}
	if f, ok := c.fronts[k]; ok {
		return f
	}
	if c.fronts == nil {
		c.fronts = make(map[frontKey][]frontPoint)
	}
	f := score(a)
	c.fronts[k] = f
	return f
}

func (c *Cache) table(p *utility.Profile) *table {
	if c == nil {
		return newTable(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.m[p]; ok {
		return t
	}
	if c.m == nil {
		c.m = make(map[*utility.Profile]*table)
	}
	t := newTable(p)
	c.m[p] = t
	return t
}

func newTable(p *utility.Profile) *table {
	d := p.Domain
	t := &table{prof: p, add: p.Additive(), allow: allowed(d, p.Constraints)}
	switch n, ok := d.Count64(); {
	case t.add != nil:
		t.best = d.NewOutcome()
		t.terms, t.order = make([][]float64, len(d.Issues)), make([][]int, len(d.Issues))
		for i := range d.Issues {
			t.best[i] = t.bestValue(i)
			t.terms[i] = make([]float64, d.Issues[i].Size())
			for v := range t.terms[i] {
				t.terms[i][v] = t.add.Term(i, v)
				if t.ok(i, v) {
					t.order[i] = append(t.order[i], v)
				}
			}
			terms := t.terms[i]
			slices.SortStableFunc(t.order[i], func(a, b int) int { return cmp.Compare(terms[a], terms[b]) })
		}
		t.max = p.Utility(t.best)
	case ok && n <= maxSorted:
		t.sortOutcomes(n)
	default:
		t.best = t.searchBest()
		t.max = p.Utility(t.best)
	}
	return t
}

// allowed tabulates hard constraints per issue and value; rows of issues
// without constraints are nil.
func allowed(d *space.Domain, cs []utility.Constraint) [][]bool {
	allow := make([][]bool, len(d.Issues))
	for _, c := range cs {
		row := allow[c.Issue]
		if row == nil {
			row = make([]bool, len(c.Allowed))
			for v := range row {
				row[v] = true
			}
			allow[c.Issue] = row
		}
		for v, ok := range c.Allowed {
			row[v] = row[v] && ok
		}
	}
	return allow
}

func (t *table) ok(i, v int) bool { return t.allow[i] == nil || t.allow[i][v] }

// bestValue is issue i's allowed value of highest evaluation in an
// additive profile (the lowest such index; the first value if none is
// allowed, which leaves the outcome infeasible).
func (t *table) bestValue(i int) int {
	best := -1
	for v, e := range t.add.Evals[i] {
		if t.ok(i, v) && (best < 0 || e > t.add.Evals[i][best]) {
			best = v
		}
	}
	return max(best, 0)
}

func (t *table) sortOutcomes(n uint64) {
	d := t.prof.Domain
	o := d.NewOutcome()
	for idx := range n {
		d.Decode(idx, o)
		if t.prof.Feasible(o) {
			t.sorted = append(t.sorted, scored{t.prof.Utility(o), idx})
		}
	}
	slices.SortStableFunc(t.sorted, func(a, b scored) int { return cmp.Compare(a.u, b.u) })
	t.best = d.NewOutcome()
	if k := len(t.sorted); k > 0 {
		d.Decode(t.sorted[k-1].idx, t.best)
		t.max = t.sorted[k-1].u
	}
}

// searchBest approximates the best outcome of a large non-additive space:
// for a hyperrectangle profile, the best of the rectangles' corners climbed
// greedily; otherwise a greedy climb from the first outcome.
func (t *table) searchBest() space.Outcome {
	d := t.prof.Domain
	best := d.NewOutcome()
	t.climb(best, 1)
	bu := t.prof.Utility(best)
	if h, ok := t.prof.Func.(*utility.Hyper); ok {
		x := d.NewOutcome()
		for k := range h.Rects {
			r := &h.Rects[k]
			clear(x)
			for n, i := range r.Issues {
				x[i] = r.Lo[n]
			}
			t.climb(x, 1)
			if u := t.prof.Utility(x); u > bu && t.prof.Feasible(x) {
				copy(best, x)
				bu = u
			}
		}
	}
	return best
}

// climb changes x one issue at a time until its utility reaches target,
// or no single change helps, and returns its utility. Issues that break a
// hard constraint are repaired first. Each step takes, among the changes
// that reach the target, the one that overshoots least, and otherwise the
// one that gains most; so the result stays close to where it started,
// which is what a party conceding towards an opponent's offer wants.
func (t *table) climb(x space.Outcome, target float64) float64 {
	d := t.prof.Domain
	for i := range x {
		if !t.ok(i, x[i]) {
			for v := range d.Issues[i].Size() {
				if t.ok(i, v) {
					x[i] = v
					break
				}
			}
		}
	}
	u := t.value(x)
	for u < target-eps {
		need := target - u
		si, sv, sg := -1, 0, 0.0 // least sufficient change
		bi, bv, bg := -1, 0, 0.0 // largest change
		for i := range x {
			s, gs, b, gb := t.moves(x, u, i, need)
			if s >= 0 && (si < 0 || gs < sg) {
				si, sv, sg = i, s, gs
			}
			if b >= 0 && gb > bg+eps {
				bi, bv, bg = i, b, gb
			}
		}
		switch {
		case si >= 0:
			x[si] = sv
		case bi >= 0:
			x[bi] = bv
		default:
			return t.prof.Utility(x)
		}
		u = t.value(x)
	}
	return t.prof.Utility(x)
}

// moves finds, for issue i of x (worth u), the value whose change gains
// least while gaining at least need, and the value whose change gains most
// (-1 where there is none). An additive profile finds them in its sorted
// terms; others try every value.
func (t *table) moves(x space.Outcome, u float64, i int, need float64) (suff int, suffGain float64, most int, mostGain float64) {
	suff, most = -1, -1
	if t.add != nil {
		terms, order := t.terms[i], t.order[i]
		cur := terms[x[i]]
		if k := len(order) - 1; k >= 0 && terms[order[k]]-cur > eps {
			most, mostGain = order[k], terms[order[k]]-cur
		}
		k, _ := slices.BinarySearchFunc(order, cur+need-eps, func(v int, want float64) int { return cmp.Compare(terms[v], want) })
		if k < len(order) && order[k] != x[i] {
			suff, suffGain = order[k], terms[order[k]]-cur
		}
		return suff, suffGain, most, mostGain
	}
	for v := range t.prof.Domain.Issues[i].Size() {
		if v == x[i] || !t.ok(i, v) {
			continue
		}
		switch g := t.gain(x, u, i, v); {
		case g >= need-eps && (suff < 0 || g < suffGain):
			suff, suffGain = v, g
		case g > mostGain+eps:
			most, mostGain = v, g
		}
	}
	return suff, suffGain, most, mostGain
}

// value is the utility of x before capping for additive profiles (so that
// gains add up), the utility otherwise.
func (t *table) value(x space.Outcome) float64 {
	if t.add != nil {
		return t.add.Sum(x)
	}
	return t.prof.Utility(x)
}

// gain is value(x with issue i set to v) - u, where u = value(x).
func (t *table) gain(x space.Outcome, u float64, i, v int) float64 {
	if t.add != nil {
		return t.add.Term(i, v) - t.add.Term(i, x[i])
	}
	old := x[i]
	x[i] = v
	g := t.prof.Utility(x) - u
	x[i] = old
	return g
}

// near writes into x an outcome worth at least target (or the best outcome
// when target is out of reach), close to ref (nil: no reference).
func (t *table) near(x space.Outcome, target float64, ref space.Outcome) {
	if ref == nil || target >= t.max-eps {
		copy(x, t.best)
		return
	}
	if t.sorted == nil {
		copy(x, ref)
		if u := t.climb(x, target); u < target-eps || !t.prof.Feasible(x) {
			copy(x, t.best)
		}
		return
	}
	// Among the few listed outcomes just above the target, the one that
	// differs from ref on the fewest issues.
	const window = 64
	d := t.prof.Domain
	k, _ := slices.BinarySearchFunc(t.sorted, target-eps, func(s scored, u float64) int { return cmp.Compare(s.u, u) })
	bestDiff := -1
	y := make(space.Outcome, len(x))
	for j := k; j < len(t.sorted) && j < k+window; j++ {
		d.Decode(t.sorted[j].idx, y)
		diff := 0
		for i := range y {
			if y[i] != ref[i] {
				diff++
			}
		}
		if bestDiff < 0 || diff < bestDiff {
			bestDiff = diff
			copy(x, y)
		}
	}
	if bestDiff < 0 {
		copy(x, t.best)
	}
}
