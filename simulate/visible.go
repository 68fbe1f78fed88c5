package simulate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
)

// Visible reports whether viewer, a party or Mediator, may see e. It is the
// one rule for a whole case: negotiation events go by negotiate.Visible;
// an implementation event is seen by the mediator, by whoever acted, by
// those it is addressed to, and by everyone when it is addressed to no one
// in particular. That gives a party its own obligations and lists, the
// deliveries to and from it with their checks, the breach reports and
// rulings that involve it, extension offers and the public record of
// phases, verified counts and the final state — and nothing another party
// said to the mediator alone.
func Visible(e Event, viewer string) bool {
	switch {
	case e.Negotiation != nil:
		return negotiate.Visible(*e.Negotiation, viewer)
	case e.Deal != nil:
		d := e.Deal
		return len(d.To) == 0 || viewer != "" && (viewer == Mediator || viewer == d.From || slices.Contains(d.To, viewer))
	}
	return false
}

// View is the part of r's events that viewer may see, in order.
func (r *Result) View(viewer string) []Event {
	var out []Event
	for _, e := range r.Events {
		if Visible(e, viewer) {
			out = append(out, e)
		}
	}
	return out
}

// checkViewer reports a viewer that is neither a party nor the mediator.
func (r *Result) checkViewer(viewer string) error {
	names := r.PartyNames()
	if viewer == Mediator || slices.Contains(names, viewer) {
		return nil
	}
	return &shuttle.Error{Code: shuttle.EInvalid, Field: "view", Message: fmt.Sprintf("no party %q in %s (want %s or one of %s)", viewer, r.Scenario.Name, Mediator, strings.Join(names, ", "))}
}
