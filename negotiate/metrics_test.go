package negotiate_test

import (
	"math"
	"testing"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
)

func TestMeasure(t *testing.T) {
	f := newFixture(7, 2)
	f.profiles[0].Discount = 0.5
	a, err := analysis.Analyze(f.profiles, analysis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Nash == nil {
		t.Fatal("fixture without a Nash point")
	}
	res := f.profiles[0].Reservation
	tests := []struct {
		name     string
		result   negotiate.Result
		analysis *analysis.Result
		// want holds utilities, discounted utilities, Pareto and Nash
		// distances; NaN where undefined.
		utilities, discounted []float64
		pareto, nash          float64
	}{
		{"at the Nash point", negotiate.Result{Agreement: a.Nash.Outcome, Progress: 1}, a,
			a.Nash.Utilities, []float64{a.Nash.Utilities[0] / 2, a.Nash.Utilities[1]}, 0, 0},
		{"no agreement", negotiate.Result{Progress: 0.5}, a,
			[]float64{res, res}, []float64{res / math.Sqrt2, res}, a.FrontierDistance([]float64{res, res}), a.Nash.Distance([]float64{res, res})},
		{"no analysis", negotiate.Result{Agreement: a.Nash.Outcome}, nil,
			a.Nash.Utilities, a.Nash.Utilities, math.NaN(), math.NaN()},
	}
	same := func(x, y float64) bool { return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) < 1e-12 }
	for _, tt := range tests {
		m := negotiate.Measure(&tt.result, f.profiles, tt.analysis)
		if m.Agreement != (tt.result.Agreement != nil) {
			t.Errorf("%s: agreement %v", tt.name, m.Agreement)
		}
		welfare := 0.0
		for i := range tt.utilities {
			welfare += tt.utilities[i]
			if !same(m.Utilities[i], tt.utilities[i]) || !same(m.Discounted[i], tt.discounted[i]) {
				t.Errorf("%s: party %d gets %g (%g discounted), want %g (%g)", tt.name, i, m.Utilities[i], m.Discounted[i], tt.utilities[i], tt.discounted[i])
			}
		}
		if !same(m.Welfare, welfare) || !same(m.ParetoDistance, tt.pareto) || !same(m.NashDistance, tt.nash) {
			t.Errorf("%s: welfare %g, distances %g and %g; want %g, %g and %g", tt.name, m.Welfare, m.ParetoDistance, m.NashDistance, welfare, tt.pareto, tt.nash)
		}
	}
}
