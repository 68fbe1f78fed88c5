package simulate

import (
	"slices"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/plot"
	"github.com/shuttle-mediation/shuttle/space"
)

// Paths are the outcomes put on the table during the negotiation, as
// utility vectors of the parties' true profiles, in time order: the
// mediator's texts and proposals (a text put to several parties in one
// round counts once) and each party's own offers and counter-proposals. Paths
// without a point are left out.
func (r *Result) Paths() []plot.VectorPath {
	profiles := r.Scenario.Profiles()
	names := r.PartyNames()
	paths := make([]plot.VectorPath, 1+len(names))
	paths[0].Label = "mediator's texts"
	for i, n := range names {
		paths[1+i].Label = n + "'s offers"
	}
	var (
		lastRound = -1
		lastText  space.Outcome
	)
	for _, e := range r.Events {
		n := e.Negotiation
		if n == nil || n.Outcome == nil {
			continue
		}
		var k int
		switch n.Kind {
		case negotiate.KindText, negotiate.KindProposal, negotiate.KindImprove:
			if n.Round == lastRound && n.Outcome.Equal(lastText) {
				continue
			}
			lastRound, lastText = n.Round, n.Outcome
		case negotiate.KindOffer, negotiate.KindCounter:
			if k = 1 + slices.Index(names, n.From); k == 0 {
				continue
			}
		default:
			continue
		}
		u := make([]float64, len(profiles))
		for i, p := range profiles {
			u[i] = p.Utility(n.Outcome)
		}
		paths[k].Points = append(paths[k].Points, u)
	}
	return slices.DeleteFunc(paths, func(p plot.VectorPath) bool { return len(p.Points) == 0 })
}
