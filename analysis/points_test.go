package analysis

import (
	"math"
	"testing"
)

func TestDominates(t *testing.T) {
	for _, tc := range []struct {
		a, b []float64
		want bool
	}{
		{[]float64{0.5, 0.5}, []float64{0.4, 0.5}, true},
		{[]float64{0.5, 0.5}, []float64{0.5, 0.5}, false},
		{[]float64{0.5, 0.5}, []float64{0.6, 0.4}, false},
		{[]float64{0.3 + 0.6, 0.5}, []float64{0.9, 0.5}, false}, // equal within Tol
		{[]float64{0.3 + 0.6, 0.6}, []float64{0.9, 0.5}, true},
		{[]float64{1, 1, 1}, []float64{1, 1, 0.99}, true},
	} {
		if got := Dominates(tc.a, tc.b); got != tc.want {
			t.Errorf("Dominates(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDistances(t *testing.T) {
	res := &Result{Frontier: []Point{{Utilities: []float64{1, 0}}, {Utilities: []float64{0.6, 0.6}}, {Utilities: []float64{0, 1}}}}
	res.Nash = &res.Frontier[1]
	for _, tc := range []struct {
		u                []float64
		frontier, toNash float64
	}{
		{[]float64{0.6, 0.6}, 0, 0},
		{[]float64{0.3, 0.2}, 0.5, 0.5},
		{[]float64{1, 1}, math.Sqrt(0.32), math.Sqrt(0.32)},
		{[]float64{0.9, 0}, 0.1, math.Sqrt(0.09 + 0.36)},
	} {
		if got := res.FrontierDistance(tc.u); math.Abs(got-tc.frontier) > 1e-12 {
			t.Errorf("FrontierDistance(%v) = %v, want %v", tc.u, got, tc.frontier)
		}
		if got := res.Nash.Distance(tc.u); math.Abs(got-tc.toNash) > 1e-12 {
			t.Errorf("Nash.Distance(%v) = %v, want %v", tc.u, got, tc.toNash)
		}
	}
	var none *Point
	if d := none.Distance([]float64{0, 0}); !math.IsInf(d, 1) {
		t.Errorf("distance to a nil point %v, want +Inf", d)
	}
	if d := (&Result{}).FrontierDistance([]float64{0, 0}); !math.IsInf(d, 1) {
		t.Errorf("distance to an empty frontier %v, want +Inf", d)
	}
}

func TestShortfall(t *testing.T) {
	res := &Result{Frontier: []Point{{Utilities: []float64{1, 0.2}}, {Utilities: []float64{0.6, 0.6}}, {Utilities: []float64{0.2, 1}}}}
	for _, tc := range []struct {
		ref  [][]float64
		want float64
	}{
		{[][]float64{{1, 0.2}, {0.5, 0.5}, {0.1, 0.9}}, 0},
		{[][]float64{{0.7, 0.6}}, 0.1},
		{[][]float64{{0.5, 0.5}, {0.7, 0.7}}, 0.1},
		{[][]float64{{0.8, 0.8}}, 0.2},
	} {
		if got := res.Shortfall(tc.ref); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Shortfall(%v) = %v, want %v", tc.ref, got, tc.want)
		}
	}
}
