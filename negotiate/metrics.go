package negotiate

import (
	"math"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Metrics are the standard measures of a negotiation's result, in the
// terms of the `shuttle simulate` JSON.
type Metrics struct {
	Agreement bool
	// Utilities holds, in party order, each party's utility of the
	// agreement, or its reservation value without one; Discounted the same
	// discounted by the progress at which the negotiation ended.
	Utilities, Discounted []float64
	Rounds, Messages      int
	// ParetoDistance is the Euclidean distance in utility space from
	// Utilities to the nearest point of the Pareto frontier; NashDistance
	// and KalaiDistance to those points. They are NaN when no analysis was
	// given or the point does not exist (no outcome is worth its
	// reservation value to every party).
	ParetoDistance, NashDistance, KalaiDistance float64
	// Welfare is the sum of Utilities.
	Welfare float64
}

// Measure computes the metrics of r for the parties' true profiles, in
// party order. a is the analysis of those profiles, computed once per
// profile set by the caller; it may be nil.
func Measure(r *Result, profiles []*utility.Profile, a *analysis.Result) Metrics {
	m := Metrics{
		Agreement:      r.Agreement != nil,
		Utilities:      make([]float64, len(profiles)),
		Discounted:     make([]float64, len(profiles)),
		Rounds:         r.Rounds,
		Messages:       r.Messages,
		ParetoDistance: math.NaN(),
		NashDistance:   math.NaN(),
		KalaiDistance:  math.NaN(),
	}
	for i, p := range profiles {
		u := p.Reservation
		if m.Agreement {
			u = p.Utility(r.Agreement)
		}
		m.Utilities[i] = u
		m.Discounted[i] = u
		if p.Discount > 0 && p.Discount < 1 {
			m.Discounted[i] = u * math.Pow(p.Discount, r.Progress)
		}
		m.Welfare += u
	}
	if a == nil {
		return m
	}
	m.ParetoDistance = undefined(a.FrontierDistance(m.Utilities))
	m.NashDistance = undefined(a.Nash.Distance(m.Utilities))
	m.KalaiDistance = undefined(a.Kalai.Distance(m.Utilities))
	return m
}

// undefined turns analysis's +Inf for a missing point into NaN.
func undefined(d float64) float64 {
	if math.IsInf(d, 1) {
		return math.NaN()
	}
	return d
}
