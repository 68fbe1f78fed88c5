package utility

import (
	"errors"
	"fmt"
	"math"

	"github.com/shuttle-mediation/shuttle/space"
)

// Function is a utility function over the outcomes of one domain.
type Function interface {
	Utility(o space.Outcome) float64
}

// Shape records the parametric evaluator a numeric issue was given in its
// source file, so that writers can reproduce it. The evaluation table in
// Additive.Evals is always derived from it.
type Shape struct {
	// Kind is "linear" (Offset + Slope*(x-Lower)), "triangular" (0 at Low and
	// High, 1 at Peak; GENIUS's real evaluator) or "interpolate" (GeniusWeb's
	// NumberValueSetUtilities: LowUtility at Low rising linearly to
	// HighUtility at High, 0 outside).
	Kind                    string
	Offset, Slope, Lower    float64
	Low, High, Peak         float64
	LowUtility, HighUtility float64
	Clamp                   bool // clamp the value to [0,1] (GENIUS real issues)
}

// Eval evaluates the shape at x.
func (s *Shape) Eval(x float64) float64 {
	var u float64
	switch s.Kind {
	case "linear":
		u = s.Offset + s.Slope*(x-s.Lower)
	case "triangular":
		switch {
		case x <= s.Low || x >= s.High:
			u = 0
		case x == s.Peak:
			u = 1
		case x < s.Peak:
			u = (x - s.Low) / (s.Peak - s.Low)
		default:
			u = (s.High - x) / (s.High - s.Peak)
		}
		if s.Low == s.Peak && x == s.Low || s.High == s.Peak && x == s.High {
			u = 1
		}
	case "interpolate":
		if x < s.Low || x > s.High {
			return 0
		}
		if s.High == s.Low {
			return s.LowUtility
		}
		u = s.LowUtility + (s.HighUtility-s.LowUtility)*(x-s.Low)/(s.High-s.Low)
	}
	if s.Clamp {
		u = min(max(u, 0), 1)
	}
	return u
}

// Additive is a linear additive utility function: the weighted sum over
// issues of each chosen value's evaluation, capped at 1 as GENIUS does.
type Additive struct {
	// Weights holds one weight per issue, as written in the source; they need
	// not sum to exactly 1.
	Weights []float64
	// Evals holds, per issue and value index, the evaluation in [0,1].
	Evals [][]float64
	// Shapes holds, per issue, the parametric evaluator of a numeric issue,
	// or nil where the issue is given by a table.
	Shapes []*Shape
}

// Term is issue i's contribution when it takes value index v.
func (a *Additive) Term(i, v int) float64 { return a.Weights[i] * a.Evals[i][v] }

// Sum is the weighted sum before capping.
func (a *Additive) Sum(o space.Outcome) float64 {
	var s float64
	for i, v := range o {
		s += a.Weights[i] * a.Evals[i][v]
	}
	return s
}

// Utility is the weighted sum, clamped to [0,1].
func (a *Additive) Utility(o space.Outcome) float64 { return Clamp(a.Sum(o)) }

// Clamp confines a utility to [0,1]; GENIUS caps sums above 1.
func Clamp(u float64) float64 { return min(max(u, 0), 1) }

// FromShapes fills the evaluation table of every issue that has a shape.
func (a *Additive) FromShapes(d *space.Domain) {
	for i, s := range a.Shapes {
		if s == nil {
			continue
		}
		is := &d.Issues[i]
		ev := make([]float64, is.Size())
		for v := range ev {
			ev[v] = s.Eval(is.Number(v))
		}
		a.Evals[i] = ev
	}
}

// Validate checks the function against its domain.
func (a *Additive) Validate(d *space.Domain) error {
	if len(a.Weights) != len(d.Issues) || len(a.Evals) != len(d.Issues) {
		return fmt.Errorf("profile has %d weights and %d evaluation tables for %d issues", len(a.Weights), len(a.Evals), len(d.Issues))
	}
	if a.Shapes != nil && len(a.Shapes) != len(d.Issues) {
		return fmt.Errorf("profile has %d shapes for %d issues", len(a.Shapes), len(d.Issues))
	}
	var total float64
	for i, w := range a.Weights {
		name := d.Issues[i].Name
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return fmt.Errorf("issue %q: weight %g is not a non-negative number", name, w)
		}
		total += w
		if len(a.Evals[i]) != d.Issues[i].Size() {
			return fmt.Errorf("issue %q: %d evaluations for %d values", name, len(a.Evals[i]), d.Issues[i].Size())
		}
		for v, e := range a.Evals[i] {
			if math.IsNaN(e) || e < -1e-9 || e > 1+1e-9 {
				return fmt.Errorf("issue %q: evaluation %g of %q is outside [0,1]", name, e, d.Issues[i].Label(v))
			}
		}
	}
	if total == 0 {
		return errors.New("all issue weights are zero")
	}
	return nil
}

// Rect is one hyperrectangle constraint of a nonlinear profile: an outcome
// whose value index for every listed issue lies within [Lo, Hi] (inclusive)
// earns Utility.
type Rect struct {
	Utility float64
	Issues  []int
	Lo, Hi  []int
}

// Contains reports whether o lies inside the rectangle.
func (r *Rect) Contains(o space.Outcome) bool {
	for k, i := range r.Issues {
		if v := o[i]; v < r.Lo[k] || v > r.Hi[k] {
			return false
		}
	}
	return true
}

// Hyper is the nonlinear utility of ANAC 2014: the sum of the utilities of
// the rectangles an outcome falls in, divided by Max and clamped to [0,1].
type Hyper struct {
	Rects []Rect
	Max   float64
}

// Utility sums the rectangles containing o.
func (h *Hyper) Utility(o space.Outcome) float64 {
	var s float64
	for k := range h.Rects {
		if h.Rects[k].Contains(o) {
			s += h.Rects[k].Utility
		}
	}
	return Clamp(s / h.Max)
}

// Validate checks the rectangles against the domain.
func (h *Hyper) Validate(d *space.Domain) error {
	if !(h.Max > 0) || math.IsInf(h.Max, 0) {
		return fmt.Errorf("maximum utility %g is not positive", h.Max)
	}
	for k := range h.Rects {
		r := &h.Rects[k]
		if len(r.Lo) != len(r.Issues) || len(r.Hi) != len(r.Issues) {
			return fmt.Errorf("constraint %d: bounds do not match its issues", k+1)
		}
		if math.IsNaN(r.Utility) || math.IsInf(r.Utility, 0) {
			return fmt.Errorf("constraint %d: utility %g is not a number", k+1, r.Utility)
		}
		for j, i := range r.Issues {
			if i < 0 || i >= len(d.Issues) {
				return fmt.Errorf("constraint %d: no issue %d", k+1, i)
			}
			if r.Lo[j] > r.Hi[j] || r.Lo[j] < 0 || r.Hi[j] >= d.Issues[i].Size() {
				return fmt.Errorf("constraint %d: issue %q bounds outside its values", k+1, d.Issues[i].Name)
			}
		}
	}
	return nil
}

// Constraint is a hard constraint on one issue: the party never accepts an
// outcome whose value for Issue is not Allowed. Per-issue constraints keep
// the feasible set a product space, which keeps exact analysis exact.
type Constraint struct {
	Issue   int
	Allowed []bool // per value index
	Text    string // as the source wrote it, for messages
}

// Profile is one party's preferences.
type Profile struct {
	Name        string
	Domain      *space.Domain
	Func        Function
	Reservation float64 // utility of no agreement, in [0,1]
	Discount    float64 // in (0,1]; 1 means no time pressure
	Constraints []Constraint
	// Notes are facts a reader decided on the party's behalf (a default
	// reservation, weights that do not sum to 1), for the user to see.
	Notes []string
}

// Utility is the undiscounted utility of o.
func (p *Profile) Utility(o space.Outcome) float64 { return p.Func.Utility(o) }

// Discounted is the utility of o reached at normalised time t in [0,1]:
// u × d^t, as in GENIUS.
func (p *Profile) Discounted(o space.Outcome, t float64) float64 {
	u := p.Func.Utility(o)
	if p.Discount <= 0 || p.Discount >= 1 {
		return u
	}
	return u * math.Pow(p.Discount, t)
}

// Feasible reports whether o satisfies every hard constraint.
func (p *Profile) Feasible(o space.Outcome) bool {
	for k := range p.Constraints {
		c := &p.Constraints[k]
		if !c.Allowed[o[c.Issue]] {
			return false
		}
	}
	return true
}

// Acceptable reports whether the party could agree to o at all: it is
// feasible and worth at least the reservation value.
func (p *Profile) Acceptable(o space.Outcome) bool {
	return p.Feasible(o) && p.Utility(o) >= p.Reservation
}

// Additive returns the function as *Additive, or nil.
func (p *Profile) Additive() *Additive {
	a, _ := p.Func.(*Additive)
	return a
}

// Validate checks the profile's numbers and its function against its domain.
func (p *Profile) Validate() error {
	if p.Domain == nil || p.Func == nil {
		return fmt.Errorf("profile %q is incomplete", p.Name)
	}
	if math.IsNaN(p.Reservation) || p.Reservation < 0 || p.Reservation > 1 {
		return fmt.Errorf("profile %q: reservation value %g is outside [0,1]", p.Name, p.Reservation)
	}
	if math.IsNaN(p.Discount) || p.Discount <= 0 || p.Discount > 1 {
		return fmt.Errorf("profile %q: discount factor %g is outside (0,1]", p.Name, p.Discount)
	}
	for k := range p.Constraints {
		c := &p.Constraints[k]
		if c.Issue < 0 || c.Issue >= len(p.Domain.Issues) || len(c.Allowed) != p.Domain.Issues[c.Issue].Size() {
			return fmt.Errorf("profile %q: constraint %q does not fit the domain", p.Name, c.Text)
		}
	}
	var err error
	switch f := p.Func.(type) {
	case *Additive:
		err = f.Validate(p.Domain)
	case *Hyper:
		err = f.Validate(p.Domain)
	}
	if err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return nil
}
