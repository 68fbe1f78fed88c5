package simulate

import (
	"slices"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/plot"
	"github.com/shuttle-mediation/shuttle/space"
)

// Paths are the outcomes put on the table during the negotiation, as
// utility vectors of the parties' true profiles, in time order: what the
// mediator proposed (texts, proposals, packages and improvements; the same
// outcome put to several parties in one round counts once) and each
// party's own offers and counter-proposals. Paths without a point are
// left out.
func (r *Result) Paths() []plot.VectorPath {
	profiles := r.Scenario.Profiles()
	names := r.PartyNames()
	paths := make([]plot.VectorPath, 1+len(names))
	paths[0].Label = "mediator's proposals"
	for i, n := range names {
		paths[1+i].Label = n + "'s offers"
	}
	add := func(k int, o space.Outcome) {
		u := make([]float64, len(profiles))
		for i, p := range profiles {
			u[i] = p.Utility(o)
		}
		paths[k].Points = append(paths[k].Points, u)
	}
	var (
		round int
		put   []space.Outcome // what the mediator has put in this round
	)
	propose := func(e *negotiate.Event, o space.Outcome) {
		if e.Round != round {
			round, put = e.Round, put[:0]
		}
		if !slices.ContainsFunc(put, o.Equal) {
			put = append(put, o)
			add(0, o)
		}
	}
	for _, ev := range r.Events {
		e := ev.Negotiation
		if e == nil {
			continue
		}
		switch e.Kind {
		case negotiate.KindText, negotiate.KindProposal, negotiate.KindImprove:
			propose(e, e.Outcome)
		case negotiate.KindPackages:
			for _, o := range e.Outcomes {
				propose(e, o)
			}
		case negotiate.KindOffer, negotiate.KindCounter:
			if k := slices.Index(names, e.From); k >= 0 {
				add(1+k, e.Outcome)
			}
		}
	}
	return slices.DeleteFunc(paths, func(p plot.VectorPath) bool { return len(p.Points) == 0 })
}
