package plot

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// unitPoints draws points in [0,1]², often on a coarse lattice so that ties
// and duplicates, common in real utility spaces, are frequent.
func unitPoints(t *rapid.T, label string) []Point {
	coarse := rapid.SampledFrom([]float64{0, 0.25, 0.5, 0.75, 1})
	fine := rapid.Float64Range(0, 1)
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Point {
		if rapid.Bool().Draw(t, "coarse") {
			return Point{coarse.Draw(t, "x"), coarse.Draw(t, "y")}
		}
		return Point{fine.Draw(t, "x"), fine.Draw(t, "y")}
	}), 0, 60).Draw(t, label)
}

func TestNondominatedMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pts := unitPoints(t, "pts")
		rows := make([][]float64, len(pts))
		for i, q := range pts {
			rows[i] = []float64{q.X, q.Y}
		}
		want := toPoints(frontierOf(rows))
		slices.SortFunc(want, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		got := nondominated(pts)
		if !slices.Equal(got, want) {
			t.Fatalf("nondominated = %v, brute force = %v", got, want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].X <= got[i-1].X || got[i].Y >= got[i-1].Y {
				t.Fatalf("not a staircase at %d: %v", i, got)
			}
		}
	})
}

func TestNiceAxis(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lo := rapid.Float64Range(-1e6, 1e6).Draw(t, "lo")
		span := rapid.Float64Range(0, 1).Draw(t, "mantissa") * math.Pow(10, float64(rapid.IntRange(-3, 6).Draw(t, "exp")))
		if rapid.Bool().Draw(t, "empty") {
			span = 0
		}
		hi := lo + span
		target := rapid.IntRange(2, 10).Draw(t, "target")
		a := niceAxis(lo, hi, target)
		// Ticks absorb rounding noise: the data may pass the axis end by
		// an invisible fraction of a step.
		slack := 1e-6 * a.step
		if a.lo > lo+slack || a.hi < hi-slack || a.lo >= a.hi {
			t.Fatalf("axis [%v, %v] does not cover [%v, %v]", a.lo, a.hi, lo, hi)
		}
		if span == 0 && (a.lo > 0 || a.hi < 0) {
			t.Fatalf("axis [%v, %v] of an empty range misses zero", a.lo, a.hi)
		}
		m := a.step / math.Pow(10, math.Floor(math.Log10(a.step)+1e-9))
		if !slices.ContainsFunc([]float64{1, 2, 5}, func(v float64) bool { return math.Abs(m-v) < 1e-6 }) {
			t.Fatalf("step %v is not 1, 2 or 5 × 10^k", a.step)
		}
		ticks := a.ticks()
		if len(ticks) < 2 || len(ticks) > 3*target+2 {
			t.Fatalf("%d ticks for target %d", len(ticks), target)
		}
		seen := map[string]bool{}
		for _, v := range ticks {
			l := a.label(v)
			if seen[l] {
				t.Fatalf("tick label %q repeats in %v", l, ticks)
			}
			seen[l] = true
		}
	})
}

func TestFit(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		size := rapid.Float64Range(8, 20).Draw(t, "size")
		room := rapid.Float64Range(3*size, 400).Draw(t, "room")
		got, cut := fit(s, size, room)
		if !cut {
			if got != s || textWidth(s, size) > room {
				t.Fatalf("fit(%q) = %q uncut, width %v > %v", s, got, textWidth(s, size), room)
			}
			return
		}
		if textWidth(got, size) > room {
			t.Fatalf("fit(%q) = %q, width %v > %v", s, got, textWidth(got, size), room)
		}
		if !strings.HasSuffix(got, "…") || !strings.HasPrefix(s, strings.TrimSuffix(got, "…")) {
			t.Fatalf("fit(%q) = %q: want a prefix and an ellipsis", s, got)
		}
	})
}

// TestCloudMerges checks that the cloud draws one dot per occupied cell, in
// the shade of the number of points in the cell.
func TestCloudMerges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pts := unitPoints(t, "pts")
		side := rapid.Float64Range(50, 500).Draw(t, "side")
		xs, ys := scale{0, 1, 10, 10 + side}, scale{0, 1, 10 + side, 10}
		per := map[[2]float64]int{}
		for _, q := range pts {
			cell := [2]float64{math.Round((xs.at(q.X) - 10) / cloudCell), math.Round((ys.at(q.Y) - 10) / cloudCell)}
			per[cell]++
		}
		want := make([]int, len(cloudLevels))
		for _, n := range per {
			for i, lv := range cloudLevels {
				if int32(n) >= lv.min && int32(n) <= lv.max {
					want[i]++
				}
			}
		}
		var w writer
		w.cloud(pts, xs, ys)
		for i, lv := range cloudLevels {
			got := 0
			for _, line := range strings.Split(w.b.String(), "\n") {
				if strings.Contains(line, `stroke="`+string(lv.color)+`"`) {
					got += strings.Count(line, "h0")
				}
			}
			if got != want[i] {
				t.Fatalf("shade %d: %d dots, want %d", i, got, want[i])
			}
		}
	})
}

func TestGridPanels(t *testing.T) {
	parties := []string{"A", "B", "C", "D"}
	rows := [][]float64{{0.1, 0.2, 0.3, 0.4}, {0.9, 0.8, 0.7, 0.6}}
	tests := []struct {
		pairs  [][2]int
		panels int
	}{
		{nil, 6},
		{[][2]int{{0, 3}}, 1},
		{[][2]int{{3, 0}, {1, 2}, {2, 1}}, 3},
	}
	for _, tt := range tests {
		b := render(t, &Grid{Parties: parties, Outcomes: rows, Frontier: rows, Pairs: tt.pairs})
		checkSVG(t, b)
		if got := bytes.Count(b, []byte(">utility of ")); got != 2*tt.panels {
			t.Errorf("pairs %v: %d axis titles, want %d", tt.pairs, got, 2*tt.panels)
		}
	}
}

func TestXAxisLabelsDoNotTouch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lo := rapid.Float64Range(-1e15, 1e15).Draw(t, "lo")
		hi := lo + rapid.Float64Range(0, 1e15).Draw(t, "span")
		a := xAxisFor(lo, hi, linesWidth)
		ticks := a.ticks()
		if len(ticks) > 3 && a.labelWidth()+12 > linesWidth/float64(len(ticks)-1) {
			t.Fatalf("%d ticks %v on %v px: labels %v px wide touch", len(ticks), ticks, linesWidth, a.labelWidth())
		}
	})
}
