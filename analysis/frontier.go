package analysis

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/shuttle-mediation/shuttle"
)

// Tol is the tolerance under which two utilities count as equal: a and b are
// the same utility when |a-b| <= Tol·max(1,|a|,|b|). Sums of the same
// numbers taken in a different order differ in their last bits, and
// outcomes whose utilities are equal in exact arithmetic must share one
// frontier point and add up their ties.
const Tol = 1e-12

// maxSieve is the largest cloud of k-party vectors sieved at once. With
// many parties almost every outcome is on the frontier: the clouds grow
// with the space, and filtering four or more coordinates costs up to the
// square of the cloud's size. The bounds keep one sieve to about a second
// and 256 MiB.
func maxSieve(k int) int {
	if k <= 3 {
		return 1 << 25 / k
	}
	return min(1<<25/k, 1<<22/(k*k))
}

// errTooLarge reports a cloud that outgrew maxSieve.
func errTooLarge(k int) error {
	return &shuttle.Error{Code: shuttle.ETooLarge, Message: fmt.Sprintf("analysis: the frontier of %d parties needs more than %d utility vectors compared at once; analyse fewer parties together", k, maxSieve(k))}
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= Tol*max(1, math.Abs(a), math.Abs(b))
}

// cloud is a multiset of utility vectors of k parties, stored flat, each
// with the number of outcomes it stands for and a reference its producer
// maps back to a representative outcome.
type cloud struct {
	k    int
	u    []float64 // vector i is u[i*k : (i+1)*k]
	ties []uint64
	ref  []int64
}

func (c *cloud) reset(k int) {
	c.k = k
	c.u = c.u[:0]
	c.ties = c.ties[:0]
	c.ref = c.ref[:0]
}

func (c *cloud) len() int { return len(c.ties) }

func (c *cloud) vec(i int) []float64 { return c.u[i*c.k : (i+1)*c.k : (i+1)*c.k] }

func (c *cloud) add(u []float64, ties uint64, ref int64) {
	c.u = append(c.u, u...)
	c.ties = append(c.ties, ties)
	c.ref = append(c.ref, ref)
}

func addSat(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return s
}

func mulSat(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return math.MaxUint64
	}
	return lo
}

// sieve extracts the Pareto frontier of clouds. It keeps its buffers between
// calls, so that the issue-by-issue construction allocates only while its
// frontiers grow.
//
// Utilities are first replaced, coordinate by coordinate, by class numbers:
// sorted values closer than Tol to their predecessor share its class. Class
// numbers compare exactly, so equality and dominance are transitive and the
// filters below need no tolerance of their own.
type sieve struct {
	order []int32 // indices into the cloud
	ids   []int32 // class of coordinate j of vector i at ids[i*k+j]
	dead  []bool
	fen   []int32
	tmp   []int32
	sums  []uint64 // merged tie counts, parallel to the merged order
	keys  []keyed
	spare []keyed
	top   []int32
	count []int32
}

// front writes to dst the non-dominated vectors of src, one per class
// vector, sorted by the first coordinate descending (then the second, and so
// on). Each carries the summed ties of its class and the reference of the
// class member that comes first in src.
func (s *sieve) front(src, dst *cloud) {
	uniq, ties := s.merge(src)
	k, m, ids := src.k, len(uniq), s.ids
	s.dead = slices.Grow(s.dead[:0], m)[:m]
	clear(s.dead)
	switch {
	case k == 1:
		for x := 1; x < m; x++ {
			s.dead[x] = true
		}
	case k == 2:
		best := int32(-1)
		for x, i := range uniq {
			if y := ids[int(i)*2+1]; y > best {
				best = y
			} else {
				s.dead[x] = true
			}
		}
	case k == 3:
		s.sweep3(uniq)
	default:
		d := dnc{k: k, id: make([]int32, m*k), dead: s.dead}
		pos := make([]int32, m)
		for x, i := range uniq {
			copy(d.id[x*k:], ids[int(i)*k:int(i)*k+k])
			pos[x] = int32(x)
		}
		d.maxima(pos, 0)
	}
	dst.reset(k)
	for x, i := range uniq {
		if !s.dead[x] {
			dst.add(src.vec(int(i)), ties[x], src.ref[i])
		}
	}
}

// distinct writes to dst one vector per class of src, with the summed ties
// of the class and the reference of its first member.
func (s *sieve) distinct(src, dst *cloud) {
	uniq, ties := s.merge(src)
	dst.reset(src.k)
	for x, i := range uniq {
		dst.add(src.vec(int(i)), ties[x], src.ref[i])
	}
}

// merge returns the first member of each class of src in descending
// lexicographic order of class vectors, with the class's summed ties.
func (s *sieve) merge(src *cloud) ([]int32, []uint64) {
	n, k := src.len(), src.k
	if n == 0 {
		return nil, nil
	}
	s.classify(src)
	ids := s.ids
	// Least significant coordinate first, counting sorts of the class
	// numbers, largest first, each stable: descending lexicographic order
	// in linear time, equal vectors in their order in src.
	s.order = slices.Grow(s.order[:0], n)[:n]
	s.tmp = slices.Grow(s.tmp[:0], n)[:n]
	for i := range s.order {
		s.order[i] = int32(i)
	}
	for j := k - 1; j >= 0; j-- {
		top := s.top[j]
		s.count = slices.Grow(s.count[:0], int(top)+2)[:int(top)+2]
		clear(s.count)
		for _, i := range s.order {
			s.count[top-ids[int(i)*k+j]+1]++
		}
		for c := 1; c < len(s.count); c++ {
			s.count[c] += s.count[c-1]
		}
		for _, i := range s.order {
			c := top - ids[int(i)*k+j]
			s.tmp[s.count[c]] = i
			s.count[c]++
		}
		s.order, s.tmp = s.tmp, s.order
	}
	s.sums = slices.Grow(s.sums[:0], n)[:n]
	m := 0
	for _, i := range s.order {
		if m > 0 && slices.Equal(ids[int(i)*k:int(i)*k+k], ids[int(s.order[m-1])*k:int(s.order[m-1])*k+k]) {
			s.sums[m-1] = addSat(s.sums[m-1], src.ties[i])
			continue
		}
		s.order[m] = i
		s.sums[m] = src.ties[i]
		m++
	}
	return s.order[:m], s.sums[:m]
}

// classify fills s.ids, and s.top with the largest class of each
// coordinate.
func (s *sieve) classify(src *cloud) {
	n, k := src.len(), src.k
	s.ids = slices.Grow(s.ids[:0], n*k)[:n*k]
	s.top = slices.Grow(s.top[:0], k)[:k]
	s.keys = slices.Grow(s.keys[:0], n)[:n]
	for j := range k {
		for i := range s.keys {
			s.keys[i] = keyed{src.u[i*k+j], int32(i)}
		}
		sortKeys(s.keys, &s.spare)
		id := int32(0)
		for x, e := range s.keys {
			if x > 0 && !near(s.keys[x-1].v, e.v) {
				id++
			}
			s.ids[int(e.i)*k+j] = id
		}
		s.top[j] = id
	}
}

// keyed is a utility with the index of its vector.
type keyed struct {
	v float64
	i int32
}

// sortKeys sorts keys by utility, least first: a least significant digit
// radix sort on the float's bits made monotone (sign bit flipped for
// positive numbers, all bits for negative ones), byte by byte, skipping the
// bytes every key shares; short slices go to pdqsort. spare is scratch
// space kept between calls.
func sortKeys(keys []keyed, spare *[]keyed) {
	if len(keys) < 256 {
		slices.SortFunc(keys, func(a, b keyed) int { return cmp.Compare(a.v, b.v) })
		return
	}
	bitsOf := func(v float64) uint64 {
		b := math.Float64bits(v)
		if b>>63 != 0 {
			return ^b
		}
		return b | 1<<63
	}
	var and, or uint64 = math.MaxUint64, 0
	for _, e := range keys {
		b := bitsOf(e.v)
		and &= b
		or |= b
	}
	*spare = slices.Grow((*spare)[:0], len(keys))[:len(keys)]
	src, dst := keys, *spare
	var count [256]int
	for shift := 0; shift < 64; shift += 8 {
		if (and>>shift)&0xff == (or>>shift)&0xff {
			continue
		}
		count = [256]int{}
		for _, e := range src {
			count[bitsOf(e.v)>>shift&0xff]++
		}
		at := 0
		for d, c := range count {
			count[d] = at
			at += c
		}
		for _, e := range src {
			d := bitsOf(e.v) >> shift & 0xff
			dst[count[d]] = e
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// sweep3 marks the dominated vectors among uniq (three coordinates, distinct
// class vectors in descending lexicographic order). Every vector seen
// earlier is at least as large in the first coordinate, so a vector is
// dominated when an earlier one is at least as large in the other two: a
// Fenwick tree over the second coordinate, from the top, holds the best
// third coordinate seen.
func (s *sieve) sweep3(uniq []int32) {
	ids := s.ids
	top := int32(0)
	for _, i := range uniq {
		top = max(top, ids[int(i)*3+1])
	}
	size := int(top) + 1
	s.fen = slices.Grow(s.fen[:0], size+1)[:size+1]
	for x := range s.fen {
		s.fen[x] = -1
	}
	for x, i := range uniq {
		y, z := ids[int(i)*3+1], ids[int(i)*3+2]
		p := int(top-y) + 1
		best := int32(-1)
		for q := p; q > 0; q &= q - 1 {
			best = max(best, s.fen[q])
		}
		if best >= z {
			s.dead[x] = true
			continue
		}
		for q := p; q <= size; q += q & -q {
			s.fen[q] = max(s.fen[q], z)
		}
	}
}

// dnc finds maxima of four or more coordinates by Kung, Luccio and
// Preparata's divide and conquer: split on one coordinate, solve both
// halves, then remove from the lower half what the upper half dominates,
// a problem with one coordinate fewer. Points are positions into id, a
// row of k class numbers each, all rows distinct.
type dnc struct {
	k    int
	id   []int32
	dead []bool
}

// Below these sizes comparing all pairs is faster than recursing.
const (
	dncSmall      = 32
	dncSmallPairs = 1024
)

func (d *dnc) at(x int32, j int) int32 { return d.id[int(x)*d.k+j] }

// sortDesc sorts points by coordinate j, largest first.
func (d *dnc) sortDesc(s []int32, j int) {
	slices.SortFunc(s, func(a, b int32) int { return cmp.Compare(d.at(b, j), d.at(a, j)) })
}

// dominatesFrom reports whether a >= b in every coordinate from j on.
func (d *dnc) dominatesFrom(a, b int32, j int) bool {
	for ; j < d.k; j++ {
		if d.at(a, j) < d.at(b, j) {
			return false
		}
	}
	return true
}

func (d *dnc) alive(s []int32) []int32 {
	var out []int32
	for _, x := range s {
		if !d.dead[x] {
			out = append(out, x)
		}
	}
	return out
}

// maxima marks every point of s that another point of s dominates. The
// points of s agree on the coordinates below j, so only coordinates j and
// above decide, and s is sorted by coordinate j, largest first.
func (d *dnc) maxima(s []int32, j int) {
	if len(s) <= 1 {
		return
	}
	if j == d.k-1 {
		// Distinct points agreeing on all other coordinates: only the
		// largest survives.
		for _, x := range s[1:] {
			d.dead[x] = true
		}
		return
	}
	if len(s) <= dncSmall {
		for _, b := range s {
			for _, a := range s {
				if a != b && d.dominatesFrom(a, b, j) {
					d.dead[b] = true
					break
				}
			}
		}
		return
	}
	// Split where coordinate j strictly drops, as close to the middle as
	// possible, so that no point of the lower half ties the upper half.
	mid, h := len(s)/2, -1
	for off := 0; off < len(s) && h < 0; off++ {
		for _, c := range []int{mid + off, mid - off} {
			if c > 0 && c < len(s) && d.at(s[c-1], j) > d.at(s[c], j) {
				h = c
				break
			}
		}
	}
	if h < 0 {
		t := slices.Clone(s)
		d.sortDesc(t, j+1)
		d.maxima(t, j+1)
		return
	}
	d.maxima(s[:h], j)
	d.maxima(s[h:], j)
	d.filter(d.alive(s[:h]), d.alive(s[h:]), j+1)
}

// filter marks every point of b that some point of a dominates, given that
// each point of a is at least as large as each point of b on the
// coordinates below j and differs from it there or later.
func (d *dnc) filter(a, b []int32, j int) {
	if len(a) == 0 || len(b) == 0 {
		return
	}
	if j == d.k-1 {
		top := d.at(a[0], j)
		for _, x := range a[1:] {
			top = max(top, d.at(x, j))
		}
		for _, x := range b {
			if d.at(x, j) <= top {
				d.dead[x] = true
			}
		}
		return
	}
	if len(a)*len(b) <= dncSmallPairs {
		for _, y := range b {
			for _, x := range a {
				if d.dominatesFrom(x, y, j) {
					d.dead[y] = true
					break
				}
			}
		}
		return
	}
	if j == d.k-2 {
		a, b = slices.Clone(a), slices.Clone(b)
		d.sortDesc(a, j)
		d.sortDesc(b, j)
		best, p := int32(-1), 0
		for _, y := range b {
			for ; p < len(a) && d.at(a[p], j) >= d.at(y, j); p++ {
				best = max(best, d.at(a[p], j+1))
			}
			if best >= d.at(y, j+1) {
				d.dead[y] = true
			}
		}
		return
	}
	vals := make([]int32, 0, len(a)+len(b))
	for _, x := range a {
		vals = append(vals, d.at(x, j))
	}
	for _, x := range b {
		vals = append(vals, d.at(x, j))
	}
	slices.Sort(vals)
	m := vals[len(vals)/2]
	aHi, aEq, aLo := d.partition(a, j, m)
	bHi, bEq, bLo := d.partition(b, j, m)
	d.filter(aHi, bHi, j)
	d.filter(aLo, bLo, j)
	// Across the split coordinate j no longer decides.
	d.filter(append(aHi, aEq...), append(bEq, bLo...), j+1)
}

// partition splits s by coordinate j against m into fresh slices.
func (d *dnc) partition(s []int32, j int, m int32) (hi, eq, lo []int32) {
	for _, x := range s {
		switch v := d.at(x, j); {
		case v > m:
			hi = append(hi, x)
		case v == m:
			eq = append(eq, x)
		default:
			lo = append(lo, x)
		}
	}
	return hi, eq, lo
}
