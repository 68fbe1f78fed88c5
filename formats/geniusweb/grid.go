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
// appears when a point is evaluated.
type grid struct {
	low, step *big.Rat
	n         int
}

func (g grid) point(k int) *big.Rat {
	p := new(big.Rat).SetInt64(int64(k))
	return p.Add(p.Mul(p, g.step), g.low)
}

func (g grid) float(k int) float64 {
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
// when that step is a finite decimal (GeniusWeb writes numbers in decimal)
// and every point maps back to its own index, so that reading a written
// range gives back the same issue.
func gridOf(is *space.Issue) (grid, bool) {
	switch is.Kind {
	case space.Integer:
		return grid{low: big.NewRat(is.Min, 1), step: big.NewRat(1, 1), n: is.Size()}, true
	case space.Real:
		if is.Steps < 2 || is.Hi <= is.Lo {
			return grid{}, false
		}
		lo, hi := shortest(is.Lo), shortest(is.Hi)
		step := new(big.Rat).Sub(hi, lo)
		step.Quo(step, big.NewRat(int64(is.Steps-1), 1))
		if _, ok := decimal(step); !ok {
			return grid{}, false
		}
		g := grid{low: lo, step: step, n: is.Steps}
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

// shortest is the shortest decimal that reads back as f, made exact.
func shortest(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

// exact is the exact value of a JSON number literal, which the JSON
// decoder has already checked for syntax.
func exact(lit string) (*big.Rat, bool) {
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(lit[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return nil, false
		}
	}
	return new(big.Rat).SetString(lit)
}

// decimal writes r as a finite decimal literal, if it has one.
func decimal(r *big.Rat) (string, bool) {
	den := new(big.Int).Set(r.Denom())
	var twos, fives int
	var m big.Int
	for _, f := range []struct {
		p int64
		n *int
	}{{2, &twos}, {5, &fives}} {
		p := big.NewInt(f.p)
		for {
			q, rem := new(big.Int).QuoRem(den, p, &m)
			if rem.Sign() != 0 {
				break
			}
			den = q
			*f.n++
		}
	}
	if den.Cmp(big.NewInt(1)) != 0 {
		return "", false
	}
	s := r.FloatString(max(twos, fives))
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s, true
}
