package analysis

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/shuttle-mediation/shuttle/utility"
)

// searcher looks for the frontier of a model too large to enumerate, by
// deterministic seeded local search on weighted sums of the utilities.
//
// For each weight vector λ it climbs λ·u with two kinds of move: entering a
// box (moving each of its issues into a class the box admits, the best one
// for λ·u) and changing a single issue's class. Entering a box matters
// because a box of several sides pays nothing until all of them hold, so
// single changes alone stall in front of it. Climbs start, in alternate
// rounds, from random states and from the archive's best point for λ
// kicked by entering a few random boxes. Every state evaluated on the way
// is offered to the archive, and after each climb a Pareto local search
// (explore) visits the neighbours of every new archive point: that is how
// points off the convex hull, which no weighted sum prefers, are found.
type searcher struct {
	m      *model
	rng    *rand.Rand
	s      *state
	arch   *archive
	lam    []float64
	u      []float64
	undo   []change
	perm   []int
	budget int // side updates left
}

type change struct {
	issue int
	old   int32
}

// search runs a searcher for about effort side updates and returns its
// archive.
func search(m *model, seed uint64, effort int) *archive {
	x := &searcher{
		m:      m,
		rng:    rand.New(rand.NewPCG(seed, 0x5eed_5eed_5eed_5eed)),
		s:      newState(m),
		arch:   &archive{k: m.k},
		u:      make([]float64, m.k),
		budget: effort,
	}
	ws := weights(m.k)
	for round := 0; x.budget > 0; round++ {
		for _, w := range ws {
			x.lam = w
			if round%2 == 0 || len(x.arch.u) == 0 {
				for i := range x.s.c {
					x.s.c[i] = int32(x.rng.IntN(len(m.classes[i])))
				}
				x.s.reload()
			} else {
				copy(x.s.c, x.arch.c[x.bestFor(w)])
				x.s.reload()
				x.kick(1 + x.rng.IntN(3))
			}
			x.look()
			x.climb()
			x.explore()
			if x.budget <= 0 {
				break
			}
		}
	}
	return x.arch
}

// weights are the weight vectors of the search, a lattice on the simplex
// (41 evenly spaced for two parties), ordered so that a search cut short
// has covered the whole simplex coarsely: each party alone first, then
// always the vector farthest from those before.
func weights(k int) [][]float64 {
	steps := map[int]int{1: 1, 2: 40, 3: 12, 4: 6}[k]
	if steps == 0 {
		steps = 3
	}
	var out [][]float64
	w := make([]int, k)
	var rec func(j, left int)
	rec = func(j, left int) {
		if j == k-1 {
			w[j] = left
			v := make([]float64, k)
			for i, x := range w {
				v[i] = float64(x) / float64(steps)
			}
			out = append(out, v)
			return
		}
		for x := left; x >= 0; x-- {
			w[j] = x
			rec(j+1, left-x)
		}
	}
	rec(0, steps)
	dist := make([]float64, len(out))
	for x := range dist {
		dist[x] = math.Inf(1)
	}
	for n := range out {
		// Unit vectors have the most weight on one party: take those first.
		best := n
		for x := n + 1; x < len(out); x++ {
			if n < k && slices.Max(out[x]) > slices.Max(out[best]) || n >= k && dist[x] > dist[best] {
				best = x
			}
		}
		out[n], out[best] = out[best], out[n]
		dist[n], dist[best] = dist[best], dist[n]
		for x := n + 1; x < len(out); x++ {
			dist[x] = min(dist[x], Distance(out[x], out[n]))
		}
	}
	return out
}

func (x *searcher) score() float64 {
	var f float64
	for j, s := range x.s.sum {
		f += x.lam[j] * utility.Clamp(s)
	}
	return f
}

// look offers the current state to the archive.
func (x *searcher) look() {
	x.s.utilities(x.u)
	if x.arch.beaten(x.u, false) {
		return
	}
	cnt := uint64(1)
	for i, c := range x.s.c {
		cnt = mulSat(cnt, x.m.classes[i][c].count)
	}
	x.arch.offer(x.u, x.s.c, cnt)
}

// set changes one issue, recording how to undo it.
func (x *searcher) set(i int, c int32) {
	x.undo = append(x.undo, change{i, x.s.c[i]})
	x.budget -= 1 + len(x.m.touch[i])
	x.s.set(i, c)
}

func (x *searcher) revert(mark int) {
	for t := len(x.undo) - 1; t >= mark; t-- {
		x.s.set(x.undo[t].issue, x.undo[t].old)
	}
	x.undo = x.undo[:mark]
}

// enter moves every issue the box constrains into a class the box admits,
// choosing for each issue the admitted class best for λ·u.
func (x *searcher) enter(b int) {
	for _, bs := range x.m.boxes[b].on {
		sd := &x.m.touch[bs.issue][bs.at]
		if sd.admits(x.s.c[bs.issue]) {
			continue
		}
		best, top := int32(-1), 0.0
		for c := range int32(len(x.m.classes[bs.issue])) {
			if !sd.admits(c) {
				continue
			}
			x.set(bs.issue, c)
			x.look()
			if f := x.score(); best < 0 || f > top {
				best, top = c, f
			}
		}
		x.set(bs.issue, best)
	}
}

// kick enters n random boxes whatever they do to λ·u.
func (x *searcher) kick(n int) {
	for range min(n, len(x.m.boxes)) {
		b := x.rng.IntN(len(x.m.boxes))
		for _, bs := range x.m.boxes[b].on {
			sd := &x.m.touch[bs.issue][bs.at]
			if sd.admits(x.s.c[bs.issue]) {
				continue
			}
			var in []int32
			for c := range int32(len(x.m.classes[bs.issue])) {
				if sd.admits(c) {
					in = append(in, c)
				}
			}
			x.s.set(bs.issue, in[x.rng.IntN(len(in))])
		}
	}
	x.look()
}

// climb takes improving moves, in random order, until none is left.
func (x *searcher) climb() {
	const eps = 1e-12
	cur := x.score()
	for improved := true; improved && x.budget > 0; {
		improved = false
		x.shuffle(len(x.m.boxes))
		for _, b := range x.perm {
			bx := &x.m.boxes[b]
			if x.s.inside[b] == bx.sides || x.lam[bx.party] == 0 {
				continue
			}
			mark := len(x.undo)
			x.enter(b)
			x.look()
			if f := x.score(); f > cur+eps {
				cur, improved = f, true
				x.undo = x.undo[:mark]
			} else {
				x.revert(mark)
			}
		}
		x.shuffle(len(x.s.c))
		for _, i := range x.perm {
			old := x.s.c[i]
			best, top := old, cur
			for c := range int32(len(x.m.classes[i])) {
				if c == old {
					continue
				}
				x.set(i, c)
				x.look()
				if f := x.score(); f > top+eps {
					best, top = c, f
				}
			}
			x.set(i, best)
			if best != old {
				cur, improved = top, true
			}
		}
		x.undo = x.undo[:0]
	}
}

func (x *searcher) shuffle(n int) {
	x.perm = x.perm[:0]
	for i := range n {
		x.perm = append(x.perm, i)
	}
	x.rng.Shuffle(n, func(i, j int) { x.perm[i], x.perm[j] = x.perm[j], x.perm[i] })
}

// bestFor is the archive point with the largest λ·u.
func (x *searcher) bestFor(lam []float64) int {
	best, top := 0, -1.0
	for p, u := range x.arch.u {
		var f float64
		for j := range u {
			f += lam[j] * u[j]
		}
		if f > top {
			best, top = p, f
		}
	}
	return best
}

// explore is Pareto local search: it visits the neighbours of every archive
// point not yet explored (every single-issue change, and entering every box
// it is not in), offering each to the archive, until every point is
// explored. Neighbouring frontier points often differ by one such move, so
// this fills the gaps between the points the weighted sums found.
func (x *searcher) explore() {
	welfare := make([]float64, x.m.k)
	for j := range welfare {
		welfare[j] = 1
	}
	x.lam = welfare
	for x.budget > 0 {
		p := slices.Index(x.arch.done, false)
		if p < 0 {
			return
		}
		x.arch.done[p] = true
		copy(x.s.c, x.arch.c[p])
		x.s.reload()
		for i := range x.s.c {
			old := x.s.c[i]
			for c := range int32(len(x.m.classes[i])) {
				if c != old {
					x.set(i, c)
					x.look()
				}
			}
			x.set(i, old)
		}
		x.undo = x.undo[:0]
		for b := range x.m.boxes {
			if x.s.inside[b] != x.m.boxes[b].sides {
				x.enter(b)
				x.look()
				x.revert(0)
			}
		}
	}
}
