package analysis

import (
	"cmp"
	"slices"

	"github.com/shuttle-mediation/shuttle/utility"
)

// exhauster enumerates the class vectors of a model depth first, issue by
// issue, and prunes every subtree that cannot reach beyond the points
// already known. What a subtree can reach is bounded above by the weights
// of the boxes it can still be in (those no assigned issue excludes), so a
// subtree whose bound some known point beats strictly holds no frontier
// point and no outcome tied with one: pruning keeps both the frontier and
// its ties exact.
type exhauster struct {
	m      *model
	order  []int     // issues in the order they are assigned
	failed []int32   // per box, assigned issues it excludes
	alive  []float64 // per depth and party, weights of boxes not excluded
	mult   []uint64  // per depth, outcomes the class vector so far stands for
	c      []int32   // class per issue
	total  []uint64  // per issue, allowed values
	guard  *archive  // known achievable points, for pruning
	bound  []float64
	budget uint64 // nodes left; the search gives up at 0
	acc    cloud  // frontier of the leaves flushed so far
	buf    cloud  // leaves not yet sieved
	reps   [][]int32
	sv     sieve
	tmp    cloud
	err    error // why visit stopped, when not for the budget
}

// exhaust computes the exact frontier of m over class vectors, pruning
// with the points of guard (which must be achievable) and with those it
// finds. It gives up and reports false after budget nodes, unless budget
// is 0, and fails when the frontier outgrows what maxSieve allows. The references of
// the returned cloud index the returned class vectors.
func exhaust(m *model, guard *archive, budget uint64) (*cloud, [][]int32, bool, error) {
	n, k := len(m.classes), m.k
	e := &exhauster{
		m:      m,
		failed: make([]int32, len(m.boxes)),
		alive:  make([]float64, (n+1)*k),
		mult:   make([]uint64, n+1),
		c:      make([]int32, n),
		total:  make([]uint64, n),
		guard:  &archive{k: k},
		bound:  make([]float64, k),
		budget: budget,
	}
	for i, cs := range m.classes {
		e.order = append(e.order, i)
		for _, c := range cs {
			e.total[i] += c.count
		}
	}
	// Issues many boxes constrain go first: assigning them excludes boxes
	// early, which tightens the bounds near the root.
	slices.SortStableFunc(e.order, func(a, b int) int { return cmp.Compare(len(m.touch[b]), len(m.touch[a])) })
	for x := range guard.u {
		e.guard.offer(guard.u[x], guard.c[x], guard.cnt[x])
	}
	for _, b := range m.boxes {
		e.alive[b.party] += b.w
	}
	e.mult[0] = 1
	e.acc.reset(k)
	e.buf.reset(k)
	if !e.visit(0) {
		return nil, nil, false, e.err
	}
	e.flush()
	return &e.acc, e.reps, true, nil
}

// visit explores the subtree below depth d and reports false when the
// budget ran out.
func (e *exhauster) visit(d int) bool {
	k := e.m.k
	for j := range k {
		e.bound[j] = utility.Clamp(e.alive[d*k+j])
	}
	if e.guard.beaten(e.bound, true) {
		return true
	}
	if d == len(e.order) {
		e.leaf(d)
		return e.err == nil
	}
	i := e.order[d]
	// An issue whose sides all belong to excluded boxes no longer matters:
	// one branch stands for all its values.
	relevant := false
	for x := range e.m.touch[i] {
		relevant = relevant || e.failed[e.m.touch[i][x].box] == 0
	}
	if !relevant {
		e.c[i] = 0
		copy(e.alive[(d+1)*k:(d+2)*k], e.alive[d*k:(d+1)*k])
		e.mult[d+1] = mulSat(e.mult[d], e.total[i])
		return e.visit(d + 1)
	}
	for c := range int32(len(e.m.classes[i])) {
		if e.budget > 0 {
			e.budget--
			if e.budget == 0 {
				return false
			}
		}
		e.c[i] = c
		next := e.alive[(d+1)*k : (d+2)*k]
		copy(next, e.alive[d*k:(d+1)*k])
		for x := range e.m.touch[i] {
			sd := &e.m.touch[i][x]
			if !sd.admits(c) {
				if e.failed[sd.box] == 0 {
					b := &e.m.boxes[sd.box]
					next[b.party] -= b.w
				}
				e.failed[sd.box]++
			}
		}
		e.mult[d+1] = mulSat(e.mult[d], e.m.classes[i][c].count)
		ok := e.visit(d + 1)
		for x := range e.m.touch[i] {
			if sd := &e.m.touch[i][x]; !sd.admits(c) {
				e.failed[sd.box]--
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// leaf records a complete class vector; its bound is its utility vector.
func (e *exhauster) leaf(d int) {
	e.buf.add(e.bound, e.mult[d], int64(len(e.reps)))
	e.reps = append(e.reps, slices.Clone(e.c))
	if e.buf.len() >= 1<<12 {
		e.flush()
		if e.acc.len() > maxSieve(e.m.k)/2 {
			e.err = errTooLarge(e.m.k)
		}
	}
}

// flush sieves the leaves into the frontier, keeps only the class vectors
// the frontier refers to, and adds its points to the guard.
func (e *exhauster) flush() {
	e.acc.u = append(e.acc.u, e.buf.u...)
	e.acc.ties = append(e.acc.ties, e.buf.ties...)
	e.acc.ref = append(e.acc.ref, e.buf.ref...)
	e.sv.front(&e.acc, &e.tmp)
	e.acc, e.tmp = e.tmp, e.acc
	e.buf.reset(e.m.k)
	reps := make([][]int32, e.acc.len())
	for x, r := range e.acc.ref {
		reps[x] = e.reps[r]
		e.acc.ref[x] = int64(x)
		e.guard.offer(e.acc.vec(x), reps[x], e.acc.ties[x])
	}
	e.reps = reps
}
