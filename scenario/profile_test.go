package scenario

import (
	"math"
	"testing"
)

const normalisation = `
name: hand
domain:
  issues:
    price: {type: integer, min: 10, max: 14}
    colour: [red, green, blue, white]
    speed: {type: real, min: 0, max: 2, steps: 5}
    size: [1, 2, 4]
parties:
  - name: a
    profile:
      weights: {price: 3, colour: 1, speed: 0, size: 4}
      values:
        price: {prefer: low}
        colour: {red: 8, green: 2, blue: 4}
        speed: {prefer: high}
        size: {points: {1: 5, 4: 20}}
  - name: b
    profile:
      values:
        price: {points: {11: 4, 13: 2}}
        size: {prefer: high}
      must:
        colour: [red, blue]
        price: {max: 13}
        size: {min: 2}
`

// Hand-computed: weights 3,1,0,4 over a sum of 8; ratings over each issue's
// largest; b's unweighted issues share the weight equally.
func TestNormalisation(t *testing.T) {
	s, err := Parse("hand.yaml", []byte(normalisation))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Parties[0].Profile.Additive()
	b := s.Parties[1].Profile.Additive()
	want := []struct {
		name string
		got  []float64
		want []float64
	}{
		{"a weights", a.Weights, []float64{0.375, 0.125, 0, 0.5}},
		{"a price", a.Evals[0], []float64{1, 0.75, 0.5, 0.25, 0}},
		{"a colour", a.Evals[1], []float64{1, 0.25, 0.5, 0}},
		{"a speed", a.Evals[2], []float64{0, 0.25, 0.5, 0.75, 1}},
		// Piecewise linear through (1,5) and (4,20): 2 -> 10; over 20.
		{"a size", a.Evals[3], []float64{0.25, 0.5, 1}},
		{"b weights", b.Weights, []float64{0.5, 0, 0, 0.5}},
		// Flat 4 up to 11, 3 at 12, flat 2 from 13; over 4.
		{"b price", b.Evals[0], []float64{1, 1, 0.75, 0.5, 0.5}},
		{"b colour", b.Evals[1], []float64{0, 0, 0, 0}},
		// Linear in the labels' numbers, not their positions.
		{"b size", b.Evals[3], []float64{0, 1.0 / 3, 1}},
	}
	for _, w := range want {
		if len(w.got) != len(w.want) {
			t.Errorf("%s: %v, want %v", w.name, w.got, w.want)
			continue
		}
		for i := range w.got {
			if math.Abs(w.got[i]-w.want[i]) > 1e-12 {
				t.Errorf("%s: %v, want %v", w.name, w.got, w.want)
				break
			}
		}
	}
	if sh := a.Shapes[0]; sh == nil || sh.Kind != "linear" || sh.Offset != 1 || sh.Slope != -0.25 || sh.Lower != 10 {
		t.Errorf("a's price shape %+v, want linear 1 - 0.25 (x - 10)", sh)
	}
	if a.Shapes[3] != nil || b.Shapes[3] != nil {
		t.Error("a discrete issue must not carry a shape: shapes are evaluated at value positions")
	}
	// An outcome: price 12, green, speed 1.5, size 4.
	o := s.Domain.NewOutcome()
	o[0], o[1], o[2], o[3] = 2, 1, 3, 2
	if got, want := s.Parties[0].Profile.Utility(o), 0.375*0.5+0.125*0.25+0.5*1; math.Abs(got-want) > 1e-12 {
		t.Errorf("a's utility %v, want %v", got, want)
	}
	bp := s.Parties[1].Profile
	cs := bp.Constraints
	if len(cs) != 3 || cs[0].Text != "colour in {red, blue}" || cs[1].Text != "price <= 13" || cs[2].Text != "size >= 2" {
		t.Fatalf("constraints %+v", cs)
	}
	if bp.Feasible(o) {
		t.Error("green is not allowed, yet the outcome is feasible")
	}
	o[1] = 2
	if !bp.Feasible(o) {
		t.Error("blue, price 12 and size 4 are allowed, yet the outcome is infeasible")
	}
	if bp.Reservation != 0 || bp.Discount != 1 || bp.Name != "b" {
		t.Errorf("defaults: reservation %v, discount %v, name %q", bp.Reservation, bp.Discount, bp.Name)
	}
}
