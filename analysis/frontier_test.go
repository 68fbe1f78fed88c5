package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// noisy returns x/10 as a sum of parts of x taken in a random order, so that
// equal grid values come out as floats that differ in their last bits, the
// way utility sums do.
func noisy(t *rapid.T, x int, label string) float64 {
	var s float64
	for x > 0 {
		p := rapid.IntRange(1, x).Draw(t, label)
		s += float64(p) / 10
		x -= p
	}
	return s
}

// TestSieveFront checks the sieve against the definition on clouds of grid
// vectors with many ties, for one to five parties: a grid vector is on the
// frontier when no other grid vector dominates it, and its ties are the
// total count of the vectors equal to it.
func TestSieveFront(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 5).Draw(t, "k")
		n := rapid.IntRange(1, 120).Draw(t, "n")
		grid := rapid.IntRange(1, 8).Draw(t, "grid")
		var c cloud
		c.reset(k)
		vecs := make([][]int, n)
		counts := make([]uint64, n)
		for i := range vecs {
			vecs[i] = make([]int, k)
			u := make([]float64, k)
			for j := range k {
				vecs[i][j] = rapid.IntRange(0, grid).Draw(t, "x")
				u[j] = noisy(t, vecs[i][j], "part")
			}
			counts[i] = rapid.Uint64Range(1, 3).Draw(t, "ties")
			c.add(u, counts[i], int64(i))
		}
		want := map[string]uint64{}
		for i, v := range vecs {
			dominated := false
			for _, w := range vecs {
				if dominatesInt(w, v) {
					dominated = true
					break
				}
			}
			if !dominated {
				want[fmt.Sprint(v)] += counts[i]
			}
		}
		var sv sieve
		var got cloud
		sv.front(&c, &got)
		if got.len() != len(want) {
			t.Fatalf("front has %d vectors, want %d", got.len(), len(want))
		}
		for x := range got.len() {
			v := vecs[got.ref[x]]
			if got.ties[x] != want[fmt.Sprint(v)] {
				t.Fatalf("vector %v: ties %d, want %d", v, got.ties[x], want[fmt.Sprint(v)])
			}
			if x > 0 && got.vec(x)[0] > got.vec(x - 1)[0] && !near(got.vec(x)[0], got.vec(x - 1)[0]) {
				t.Fatalf("front not sorted by the first utility: %v after %v", got.vec(x), got.vec(x-1))
			}
			// The representative is the first member of its class.
			if first := slices.IndexFunc(vecs, func(w []int) bool { return slices.Equal(w, v) }); int64(first) != got.ref[x] {
				t.Fatalf("vector %v: representative %d, want the first, %d", v, got.ref[x], first)
			}
		}
	})
}

func dominatesInt(a, b []int) bool {
	better := false
	for j := range a {
		if a[j] < b[j] {
			return false
		}
		if a[j] > b[j] {
			better = true
		}
	}
	return better
}

// TestSieveLarge runs the four-party divide and conquer past its brute-force
// thresholds.
func TestSieveLarge(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(3, 6).Draw(t, "k")
		n := rapid.IntRange(100, 3000).Draw(t, "n")
		grid := rapid.IntRange(2, 40).Draw(t, "grid")
		var c cloud
		c.reset(k)
		vecs := make([][]int, n)
		for i := range vecs {
			vecs[i] = make([]int, k)
			u := make([]float64, k)
			for j := range k {
				vecs[i][j] = rapid.IntRange(0, grid).Draw(t, "x")
				u[j] = float64(vecs[i][j])
			}
			c.add(u, 1, int64(i))
		}
		var sv sieve
		var got cloud
		sv.front(&c, &got)
		on := map[int64]bool{}
		for _, r := range got.ref {
			on[r] = true
		}
		seen := map[string]bool{}
		for i, v := range vecs {
			dominated := slices.ContainsFunc(vecs, func(w []int) bool { return dominatesInt(w, v) })
			first := !seen[fmt.Sprint(v)]
			seen[fmt.Sprint(v)] = true
			if on[int64(i)] != (!dominated && first) {
				t.Fatalf("vector %d %v: on front %v, dominated %v", i, v, on[int64(i)], dominated)
			}
		}
	})
}

// TestSortKeys checks the radix sort against the standard library on
// utilities of both signs, many of them equal.
func TestSortKeys(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 2000).Draw(t, "n")
		keys := make([]keyed, n)
		for i := range keys {
			v := rapid.Float64Range(-2, 2).Draw(t, "v")
			if rapid.Bool().Draw(t, "coarse") {
				v = float64(rapid.IntRange(-4, 4).Draw(t, "grid")) / 4
			}
			keys[i] = keyed{v, int32(i)}
		}
		want := slices.Clone(keys)
		slices.SortStableFunc(want, func(a, b keyed) int { return cmp.Compare(a.v, b.v) })
		var spare []keyed
		sortKeys(keys, &spare)
		for i := range keys {
			if keys[i].v != want[i].v {
				t.Fatalf("position %d: %v, want %v", i, keys[i].v, want[i].v)
			}
		}
	})
}
