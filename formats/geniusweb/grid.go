package geniusweb

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle/space"
)

// maxValues bounds the values of one range issue: every value gets a slot
// in each profile's evaluation table.
const maxValues = 1 << 20

// maxExponent bounds the decimal exponent of a number literal before it is
// made exact: big.Rat would otherwise build 10^exponent.
const maxExponent = 400

// A grid is the exact decimal lattice of a GeniusWeb range issue: the
// points low + k*step for k < n. GeniusWeb computes with decimals, so bids
// and utilities are matched against these exact points; float64 only
// appears when a point is evaluated. The zero grid (n == 0) stands for an
// issue without one.
type grid struct {
	low, step *big.Rat
	n         int
	// When low and step share a denominator den and every numerator fits in
	// float64's 53 bits, point k is (num0 + k*dnum) / den: one correctly
	// rounded division of exact numbers, the nearest float64 to the point,
	// without big.Rat.
	fast       bool
	num0, dnum int64
	den        float64
}

func newGrid(low, step *big.Rat, n int) grid {
	g := grid{low: low, step: step, n: n}
	const limit = 1 << 53
	den := new(big.Int).GCD(nil, nil, low.Denom(), step.Denom())
	den.Mul(den.Quo(low.Denom(), den), step.Denom()) // the least common multiple
	scaled := func(r *big.Rat) *big.Int {
		v := new(big.Int).Mul(r.Num(), den)
		return v.Quo(v, r.Denom())
	}
	num0, dnum := scaled(low), scaled(step)
	last := new(big.Int).Mul(dnum, big.NewInt(int64(n-1)))
	last.Add(last, num0)
	inRange := func(v *big.Int) bool { return v.IsInt64() && v.Int64() >= -limit && v.Int64() <= limit }
	if den.IsInt64() && den.Int64() <= limit && inRange(num0) && inRange(dnum) && inRange(last) {
		g.fast, g.num0, g.dnum, g.den = true, num0.Int64(), dnum.Int64(), float64(den.Int64())
	}
	return g
}

func (g grid) point(k int) *big.Rat {
	p := new(big.Rat).SetInt64(int64(k))
	return p.Add(p.Mul(p, g.step), g.low)
}

func (g grid) float(k int) float64 {
	if g.fast {
		return float64(g.num0+int64(k)*g.dnum) / g.den
	}
	f, _ := g.point(k).Float64()
	return f
}

// index is the k whose point is exactly x.
func (g grid) index(x *big.Rat) (int, bool) {
	q := new(big.Rat).Sub(x, g.low)
	q.Quo(q, g.step)
	if !q.IsInt() || q.Sign() < 0 || !q.Num().IsInt64() || q.Num().Int64() >= int64(g.n) {
		return 0, false
	}
	return int(q.Num().Int64()), true
}

// gridOf is the lattice a numeric issue is written as. An integer issue is
// the range Min..Max in steps of 1. A real issue is the range from the
// shortest decimals of Lo and Hi in Steps-1 equal steps; it has a grid only
// when that step is a finite decimal (GeniusWeb writes numbers in decimal),
// every point is a decimal of at most maxGridDigits digits, and every point
// maps back to its own index, so that reading a written range gives back the
// same issue.
func gridOf(is *space.Issue) (grid, bool) {
	switch is.Kind {
	case space.Integer:
		return newGrid(big.NewRat(is.Min, 1), big.NewRat(1, 1), is.Size()), true
	case space.Real:
		if is.Steps < 2 || is.Hi <= is.Lo {
			return grid{}, false
		}
		lo, hi := shortest(is.Lo), shortest(is.Hi)
		step := new(big.Rat).Sub(hi, lo)
		step.Quo(step, big.NewRat(int64(is.Steps-1), 1))
		fl, okl := fracDigits(lo)
		fs, oks := fracDigits(step)
		if !okl || !oks || max(fl, fs)+max(intDigits(lo), intDigits(hi)) > maxGridDigits {
			return grid{}, false
		}
		g := newGrid(lo, step, is.Steps)
		for k := range g.n {
			if v, err := is.Nearest(g.float(k)); err != nil || v != k {
				return grid{}, false
			}
		}
		return g, true
	}
	return grid{}, false
}

// literal is point k as a JSON number.
func (g grid) literal(k int) json.Number { return json.Number(gridNumber(g.point(k))) }

// gridNumber writes a grid's low, step or point. Grids are built from
// decimals (JSON literals, or the shortest decimals of float64 bounds and a
// step checked to be a finite decimal), so every such number is one.
func gridNumber(r *big.Rat) string {
	s, _ := decimal(r)
	return s
}

// gridsOf is gridOf for every issue of d, the zero grid where there is none.
func gridsOf(d *space.Domain) []grid {
	gs := make([]grid, len(d.Issues))
	for i := range d.Issues {
		gs[i], _ = gridOf(&d.Issues[i])
	}
	return gs
}

// shortest is the shortest decimal that reads back as f, made exact.
func shortest(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

// exact is the exact value of a JSON number literal, which the JSON
// decoder has already checked for syntax.
func exact(lit string) (*big.Rat, bool) {
	if len(lit) > maxLiteral {
		return nil, false
	}
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(lit[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return nil, false
		}
	}
	return new(big.Rat).SetString(lit)
}

// maxDigits bounds the fractional digits of a decimal: enough for any
// grid built from literals within maxLiteral and maxExponent.
const maxDigits = maxExponent + maxLiteral

// maxGridDigits bounds the digits of a real issue's points, so that each
// is written as a short plain decimal.
const maxGridDigits = 40

// fracDigits is the number of fractional digits of r as a decimal, if it
// is a finite one of at most maxDigits.
func fracDigits(r *big.Rat) (int, bool) {
	pow, ten := big.NewInt(1), big.NewInt(10)
	var rem big.Int
	for digits := 0; digits <= maxDigits; digits++ {
		if rem.Mod(pow, r.Denom()).Sign() == 0 {
			return digits, true
		}
		pow.Mul(pow, ten)
	}
	return 0, false
}

// intDigits is the number of digits of r's integer part.
func intDigits(r *big.Rat) int {
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return len(q.Abs(q).String())
}

// decimal writes r as a finite decimal literal, if it has one.
func decimal(r *big.Rat) (string, bool) {
	digits, ok := fracDigits(r)
	if !ok {
		return "", false
	}
	s := r.FloatString(digits)
	if digits > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s, true
}
