package utility

import (
	"math"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/space"
)

func TestShapeEval(t *testing.T) {
	tests := []struct {
		name  string
		shape Shape
		x     float64
		want  float64
	}{
		// GENIUS's integer evaluator shifts by the lower bound: CarLinear's
		// buyer is worth 1.0 at 500 and 0.2 at 700.
		{"linear at lower bound", Shape{Kind: "linear", Offset: 1, Slope: -0.004, Lower: 500}, 500, 1},
		{"linear at upper bound", Shape{Kind: "linear", Offset: 1, Slope: -0.004, Lower: 500}, 700, 0.2},
		{"linear clamped", Shape{Kind: "linear", Offset: 1, Slope: -1, Clamp: true}, 2, 0},
		{"triangular peak", Shape{Kind: "triangular", Low: 0, High: 1, Peak: 0.5}, 0.5, 1},
		{"triangular left", Shape{Kind: "triangular", Low: 0, High: 1, Peak: 0.5}, 0.25, 0.5},
		{"triangular right", Shape{Kind: "triangular", Low: 0, High: 1, Peak: 0.5}, 0.75, 0.5},
		{"triangular outside", Shape{Kind: "triangular", Low: 0.2, High: 1, Peak: 0.5}, 0.1, 0},
		{"triangular peak at end", Shape{Kind: "triangular", Low: 0, High: 1, Peak: 1}, 1, 1},
		{"interpolate", Shape{Kind: "interpolate", Low: 0, High: 9, LowUtility: 0.1, HighUtility: 1}, 3, 0.4},
		{"interpolate outside", Shape{Kind: "interpolate", Low: 0, High: 9, LowUtility: 0.1, HighUtility: 1}, 10, 0},
	}
	for _, tt := range tests {
		if got := tt.shape.Eval(tt.x); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: Eval(%g) = %g, want %g", tt.name, tt.x, got, tt.want)
		}
	}
}

func testDomain() *space.Domain {
	return &space.Domain{Name: "d", Issues: []space.Issue{
		{Name: "price", Kind: space.Integer, Min: 1, Max: 3},
		{Name: "colour", Values: []string{"red", "green"}},
	}}
}

func TestAdditiveCapsAtOne(t *testing.T) {
	d := testDomain()
	// Weights summing to 1.5, as QODomain writes them: GENIUS caps at 1.
	a := &Additive{Weights: []float64{1, 0.5}, Evals: [][]float64{{0, 0.5, 1}, {0.2, 1}}}
	if err := a.Validate(d); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		o    space.Outcome
		want float64
	}{
		{space.Outcome{0, 0}, 0.1},
		{space.Outcome{1, 1}, 1},
		{space.Outcome{2, 1}, 1},
		{space.Outcome{1, 0}, 0.6},
	}
	for _, tt := range tests {
		if got := a.Utility(tt.o); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Utility(%v) = %g, want %g", tt.o, got, tt.want)
		}
	}
}

func TestFromShapes(t *testing.T) {
	d := testDomain()
	a := &Additive{
		Weights: []float64{0.5, 0.5},
		Evals:   [][]float64{nil, {0, 1}},
		Shapes:  []*Shape{{Kind: "linear", Offset: 1, Slope: -0.5, Lower: 1}, nil},
	}
	a.FromShapes(d)
	want := []float64{1, 0.5, 0}
	for v, w := range want {
		if a.Evals[0][v] != w {
			t.Errorf("price %d: %g, want %g", v+1, a.Evals[0][v], w)
		}
	}
}

func TestHyper(t *testing.T) {
	d := &space.Domain{Name: "n", Issues: []space.Issue{
		{Name: "i1", Kind: space.Integer, Min: 0, Max: 9},
		{Name: "i2", Kind: space.Integer, Min: 0, Max: 9},
	}}
	h := &Hyper{Max: 100, Rects: []Rect{
		{Utility: 60, Issues: []int{0}, Lo: []int{2}, Hi: []int{5}},
		{Utility: 40, Issues: []int{0, 1}, Lo: []int{4, 4}, Hi: []int{9, 9}},
	}}
	if err := h.Validate(d); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		o    space.Outcome
		want float64
	}{{space.Outcome{0, 0}, 0}, {space.Outcome{3, 0}, 0.6}, {space.Outcome{4, 4}, 1}, {space.Outcome{9, 9}, 0.4}} {
		if got := h.Utility(tt.o); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Utility(%v) = %g, want %g", tt.o, got, tt.want)
		}
	}
	bad := &Hyper{Max: 1, Rects: []Rect{{Utility: 1, Issues: []int{1}, Lo: []int{0}, Hi: []int{10}}}}
	if err := bad.Validate(d); err == nil || !strings.Contains(err.Error(), `issue "i2" bounds`) {
		t.Errorf("out-of-range rectangle: %v", err)
	}
}

func TestProfile(t *testing.T) {
	d := testDomain()
	p := &Profile{
		Name:        "buyer",
		Domain:      d,
		Func:        &Additive{Weights: []float64{0.6, 0.4}, Evals: [][]float64{{1, 0.5, 0}, {0, 1}}},
		Reservation: 0.5,
		Discount:    0.5,
		Constraints: []Constraint{{Issue: 1, Allowed: []bool{false, true}, Text: "colour must be green"}},
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Feasible(space.Outcome{0, 0}) {
		t.Error("red is forbidden but feasible")
	}
	if !p.Acceptable(space.Outcome{1, 1}) { // 0.3 + 0.4 = 0.7
		t.Error("price 2 in green is worth 0.7 >= 0.5 but not acceptable")
	}
	if p.Acceptable(space.Outcome{2, 1}) { // 0.4 < 0.5
		t.Error("price 3 in green is below reservation but acceptable")
	}
	if got := p.Discounted(space.Outcome{0, 1}, 1); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("discounted utility at t=1: %g, want 0.5", got)
	}
	if p.Additive() == nil {
		t.Error("Additive() = nil for an additive profile")
	}
	for _, tt := range []struct {
		mutate func(*Profile)
		want   string
	}{
		{func(p *Profile) { p.Reservation = 1.5 }, "reservation value 1.5"},
		{func(p *Profile) { p.Discount = 0 }, "discount factor 0"},
		{func(p *Profile) {
			p.Func = &Additive{Weights: []float64{0, 0}, Evals: [][]float64{{1, 0.5, 0}, {0, 1}}}
		}, "all issue weights are zero"},
		{func(p *Profile) {
			p.Func = &Additive{Weights: []float64{-1, 1}, Evals: [][]float64{{1, 0.5, 0}, {0, 1}}}
		}, "weight -1"},
		{func(p *Profile) { p.Func = &Additive{Weights: []float64{1, 1}, Evals: [][]float64{{1, 0.5}, {0, 1}}} }, "2 evaluations for 3 values"},
		{func(p *Profile) {
			p.Func = &Additive{Weights: []float64{1, 1}, Evals: [][]float64{{1, 0.5, 2}, {0, 1}}}
		}, "outside [0,1]"},
		{func(p *Profile) { p.Constraints[0].Allowed = []bool{true} }, "does not fit the domain"},
	} {
		q := *p
		q.Constraints = append([]Constraint(nil), p.Constraints...)
		tt.mutate(&q)
		if err := q.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want %q", err, tt.want)
		}
	}
}
