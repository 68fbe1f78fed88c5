package simulate

import (
	"encoding/json"
	"math"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/space"
)

// The JSON form of a Result, the `shuttle simulate --json` contract of
// DESIGN.md.
type resultJSON struct {
	Agreement      *agreementJSON `json:"agreement"`
	Rounds         int            `json:"rounds"`
	Messages       int            `json:"messages"`
	ParetoDistance *float64       `json:"pareto_distance"`
	NashDistance   *float64       `json:"nash_distance"`
	Welfare        float64        `json:"welfare"`
	Implementation *deal.Report   `json:"implementation"`
}

type agreementJSON struct {
	Outcome   map[string]any `json:"outcome"`
	Utilities []float64      `json:"utilities"`
}

// MarshalJSON writes the result as DESIGN.md specifies. Distances are null
// where they are undefined: no analysis, or no outcome worth its
// reservation value to every party.
func (r *Result) MarshalJSON() ([]byte, error) {
	m := &r.Metrics
	j := resultJSON{
		Rounds:         m.Rounds,
		Messages:       m.Messages,
		ParetoDistance: defined(m.ParetoDistance),
		NashDistance:   defined(m.NashDistance),
		Welfare:        m.Welfare,
		Implementation: r.Implementation,
	}
	if r.Agreement != nil {
		j.Agreement = &agreementJSON{Outcome: OutcomeJSON(r.Scenario.Domain, r.Agreement), Utilities: m.Utilities}
	}
	return json.Marshal(&j)
}

func defined(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

// OutcomeJSON maps issue names to values, the form every JSON output of
// shuttle gives an outcome: numbers for integer and real issues, written
// as their labels so that a real value keeps its digits, and strings for
// discrete ones.
func OutcomeJSON(d *space.Domain, o space.Outcome) map[string]any {
	m := make(map[string]any, len(o))
	for i, v := range o {
		is := &d.Issues[i]
		if is.Kind == space.Discrete {
			m[is.Name] = is.Values[v]
		} else {
			m[is.Name] = json.Number(is.Label(v))
		}
	}
	return m
}
