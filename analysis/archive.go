package analysis

import (
	"math"
	"slices"
	"sort"
)

// archive is a set of mutually non-dominated utility vectors, each with the
// class vector that reached it, sorted by the first utility descending. The
// search offers it every state it evaluates, and the exhaustive
// exploration asks it which subtrees cannot reach beyond it.
type archive struct {
	k    int
	u    [][]float64
	c    [][]int32
	cnt  []uint64
	done []bool // explored by Pareto local search
}

func slack(x float64) float64 { return Tol * max(1, math.Abs(x)) }

// beaten reports whether some point of the archive is at least as good as
// u for every party (within Tol), and strictly better for one when strict.
// With two parties the points form a staircase and two binary searches
// suffice.
func (a *archive) beaten(u []float64, strict bool) bool {
	if a.k == 2 {
		// Points well right of u in the first utility, then points not
		// left of it: the last of each prefix is the best in the second.
		lo := sort.Search(len(a.u), func(x int) bool { return a.u[x][0] <= u[0]+slack(u[0]) })
		if lo > 0 && a.u[lo-1][1] >= u[1]-slack(u[1]) {
			return true
		}
		hi := sort.Search(len(a.u), func(x int) bool { return a.u[x][0] < u[0]-slack(u[0]) })
		if hi == 0 {
			return false
		}
		if strict {
			return a.u[hi-1][1] > u[1]+slack(u[1])
		}
		return a.u[hi-1][1] >= u[1]-slack(u[1])
	}
	for _, p := range a.u {
		if Dominates(p, u) || !strict && nearVec(p, u) {
			return true
		}
	}
	return false
}

// offer adds u, reached by class vector c standing for cnt outcomes, unless
// a point of the archive is as good; it removes the points u dominates and
// reports whether u was added.
func (a *archive) offer(u []float64, c []int32, cnt uint64) bool {
	if a.beaten(u, false) {
		return false
	}
	keep := 0
	for x := range a.u {
		if !Dominates(u, a.u[x]) {
			a.u[keep], a.c[keep], a.cnt[keep], a.done[keep] = a.u[x], a.c[x], a.cnt[x], a.done[x]
			keep++
		}
	}
	a.u, a.c, a.cnt, a.done = a.u[:keep], a.c[:keep], a.cnt[:keep], a.done[:keep]
	at := sort.Search(len(a.u), func(x int) bool { return a.u[x][0] < u[0] })
	a.u = slices.Insert(a.u, at, slices.Clone(u))
	a.c = slices.Insert(a.c, at, slices.Clone(c))
	a.cnt = slices.Insert(a.cnt, at, cnt)
	a.done = slices.Insert(a.done, at, false)
	return true
}

func nearVec(a, b []float64) bool {
	for j := range a {
		if !near(a[j], b[j]) {
			return false
		}
	}
	return true
}
