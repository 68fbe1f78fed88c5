package analysis

import (
	"math"
	"slices"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// step records how one issue's values were joined to the partial frontier
// before it, so that representative outcomes can be read back at the end
// without storing an outcome per partial vector.
type step struct {
	// value is the value index every point took, when the issue offered a
	// single non-dominated option; otherwise values[x] is the value index
	// of point x and parents[x] its point in the previous step.
	value   int
	values  []int32
	parents []int32
}

// additiveFront computes the exact frontier of additive profiles over the
// product of the allowed values of each issue. It reports false when the
// ties of a point where GENIUS's cap binds could not be counted within
// capLimit and are a lower bound, and fails when the frontier grows past
// what maxSieve allows.
//
// Issue by issue it joins every non-dominated partial vector (the utilities
// summed over the issues so far) with every non-dominated value of the next
// issue and keeps the non-dominated sums. Pruning is exact because whatever
// the remaining issues add, they add the same to two partial vectors, so a
// dominated partial vector stays dominated. Equal partial vectors merge and
// add up their ties, which is why an issue nobody cares about multiplies
// ties, not frontier points.
//
// The sums are taken in issue order, as utility.Additive.Sum takes them, so
// that a point's utilities are exactly what its profiles give its outcome.
// GENIUS caps the sum at 1 (utility.Clamp); capping is monotone, so the
// capped frontier is the capped frontier of the uncapped sums, filtered
// again. The ties of a point where a cap binds are counted afresh (see
// countOrthant), since outcomes whose uncapped sums were dominated may cap
// to the same vector.
func additiveFront(d *space.Domain, adds []*utility.Additive, allowed [][]int) (*cloud, []space.Outcome, bool, error) {
	k := len(adds)
	var (
		sv                sieve
		cur, next, opts   cloud
		candidates, terms cloud
		sum               = make([]float64, k)
	)
	groups := make([]cloud, len(allowed))
	for i, vals := range allowed {
		terms.reset(k)
		for _, v := range vals {
			for j, a := range adds {
				sum[j] = a.Term(i, v)
			}
			terms.add(sum, 1, int64(v))
		}
		sv.distinct(&terms, &groups[i])
	}
	cur.reset(k)
	cur.add(make([]float64, k), 1, 0)
	steps := make([]step, len(d.Issues))
	for i := range allowed {
		sv.front(&groups[i], &opts)
		if opts.len() == 1 {
			t := opts.vec(0)
			for x := range cur.len() {
				u := cur.vec(x)
				for j := range u {
					u[j] += t[j]
				}
				cur.ties[x] = mulSat(cur.ties[x], opts.ties[0])
			}
			steps[i].value = int(opts.ref[0])
			continue
		}
		m := int64(opts.len())
		if cur.len()*opts.len() > maxSieve(k) {
			return nil, nil, false, errTooLarge(k)
		}
		candidates.reset(k)
		for x := range cur.len() {
			u := cur.vec(x)
			for o := range opts.len() {
				t := opts.vec(o)
				for j := range sum {
					sum[j] = u[j] + t[j]
				}
				candidates.add(sum, mulSat(cur.ties[x], opts.ties[o]), int64(x)*m+int64(o))
			}
		}
		sv.front(&candidates, &next)
		st := &steps[i]
		st.values = make([]int32, next.len())
		st.parents = make([]int32, next.len())
		for x, r := range next.ref {
			st.parents[x] = int32(r / m)
			st.values[x] = int32(opts.ref[r%m])
			next.ref[x] = int64(x)
		}
		cur, next = next, cur
	}
	exactTies := true
	if capped(&cur) {
		sv.front(&cur, &next)
		cur = next
		tops := make([]float64, k)
		for j, a := range adds {
			tops[j], _ = capBinds(a, allowed)
		}
		for x := range cur.len() {
			u := cur.vec(x)
			atCap := false
			for j := range u {
				atCap = atCap || u[j] == 1 && tops[j] > 1
			}
			if !atCap {
				continue
			}
			if n, ok := countOrthant(groups, u, capLimit); ok {
				cur.ties[x] = n
			} else {
				exactTies = false
			}
		}
	}
	n := len(d.Issues)
	flat := make([]int, cur.len()*n)
	outcomes := make([]space.Outcome, cur.len())
	for p, r := range cur.ref {
		o := space.Outcome(flat[p*n : (p+1)*n : (p+1)*n])
		x := int32(r)
		for i := len(steps) - 1; i >= 0; i-- {
			if st := &steps[i]; st.values == nil {
				o[i] = st.value
			} else {
				o[i] = int(st.values[x])
				x = st.parents[x]
			}
		}
		outcomes[p] = o
	}
	return &cur, outcomes, exactTies, nil
}

// capLimit bounds the partial vectors countOrthant keeps per issue.
const capLimit = 1 << 20

// countOrthant counts the outcomes whose uncapped sums reach corner (within
// Tol) for every party. For a frontier point where a cap binds these are
// exactly its ties: capped, they are at least the point, and nothing is
// more. groups holds per issue the distinct term vectors with their counts.
// Partial vectors that can no longer reach the corner are dropped, those
// sure to reach it are counted with all their completions, and the rest are
// kept, merged when equal; it gives up (false) when more than limit are
// kept.
func countOrthant(groups []cloud, corner []float64, limit int) (uint64, bool) {
	k := len(corner)
	n := len(groups)
	// hi[i][j] and lo[i][j] bound what issues i and later add for party j;
	// ways[i] counts their value combinations.
	hi := make([][]float64, n+1)
	lo := make([][]float64, n+1)
	ways := make([]uint64, n+1)
	hi[n], lo[n], ways[n] = make([]float64, k), make([]float64, k), 1
	for i := n - 1; i >= 0; i-- {
		hi[i], lo[i] = slices.Clone(hi[i+1]), slices.Clone(lo[i+1])
		var w uint64
		for g := range groups[i].len() {
			for j, t := range groups[i].vec(g) {
				if g == 0 {
					hi[i][j], lo[i][j] = hi[i+1][j]+t, lo[i+1][j]+t
				} else {
					hi[i][j], lo[i][j] = max(hi[i][j], hi[i+1][j]+t), min(lo[i][j], lo[i+1][j]+t)
				}
			}
			w = addSat(w, groups[i].ties[g])
		}
		ways[i] = mulSat(ways[i+1], w)
	}
	floor := make([]float64, k)
	for j, c := range corner {
		floor[j] = c - Tol*max(1, math.Abs(c))
	}
	var (
		sv              sieve
		cur, next, cand cloud
		count           uint64
		sum             = make([]float64, k)
	)
	cur.reset(k)
	cur.add(make([]float64, k), 1, 0)
	for i := range groups {
		cand.reset(k)
		for x := range cur.len() {
			u := cur.vec(x)
			for g := range groups[i].len() {
				reach, sure := true, true
				for j, t := range groups[i].vec(g) {
					sum[j] = u[j] + t
					reach = reach && sum[j]+hi[i+1][j] >= floor[j]
					sure = sure && sum[j]+lo[i+1][j] >= floor[j]
				}
				c := mulSat(cur.ties[x], groups[i].ties[g])
				switch {
				case !reach:
				case sure:
					count = addSat(count, mulSat(c, ways[i+1]))
				default:
					cand.add(sum, c, 0)
				}
			}
		}
		sv.distinct(&cand, &next)
		if next.len() > limit {
			return count, false
		}
		cur, next = next, cur
	}
	return count, true
}

// capped clamps every utility of c to [0,1] and reports whether that changed
// any.
func capped(c *cloud) bool {
	changed := false
	for i, u := range c.u {
		if v := utility.Clamp(u); v != u {
			c.u[i] = v
			changed = true
		}
	}
	return changed
}

// capBinds reports the largest weighted sum of a over the allowed values
// and whether it exceeds 1, where GENIUS's cap changes the analysis.
func capBinds(a *utility.Additive, allowed [][]int) (float64, bool) {
	top := 0.0
	for i, vals := range allowed {
		best := math.Inf(-1)
		for _, v := range vals {
			best = max(best, a.Term(i, v))
		}
		top += best
	}
	return top, top > 1 && !near(top, 1)
}

// additiveFacts reads from the tables of additive profiles which parties
// are indifferent and which agree, and notes where GENIUS's cap at 1 cuts.
func (r *Result) additiveFacts(adds []*utility.Additive, allowed [][]int) {
	f := newFacts(len(adds))
	for j, a := range adds {
		f.constant[j] = constant(a, allowed)
		if top, ok := capBinds(a, allowed); ok {
			r.note("party %q's weighted sums reach %.6g and are capped at 1, as GENIUS does", r.Parties[j], top)
		}
		for l := range j {
			f.same[l][j] = sameTerms(adds[l], a, allowed)
		}
	}
	r.factNotes(f)
}

func constant(a *utility.Additive, allowed [][]int) bool {
	for i, vals := range allowed {
		for _, v := range vals[1:] {
			if !near(a.Term(i, v), a.Term(i, vals[0])) {
				return false
			}
		}
	}
	return true
}

func sameTerms(a, b *utility.Additive, allowed [][]int) bool {
	for i, vals := range allowed {
		for _, v := range vals {
			if !near(a.Term(i, v), b.Term(i, v)) {
				return false
			}
		}
	}
	return true
}
