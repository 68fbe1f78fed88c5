package server

import (
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/store"
)

// A viewer is who is reading a case: a participant by name and role. The
// mediator's role sees everything; an observer sees only public events.
type viewer struct {
	name string
	role store.Role
}

// visible is the one place that decides whether v may see e; every read
// path (events, streams, proofs, exports) asks it. Negotiation events follow
// negotiate.Visible; implementation events and the server's own follow the
// rule the deal package writes them for: To names the recipients and empty
// means everyone, and whoever caused an event sees it.
func visible(e *store.Event, v viewer) bool {
	switch v.role {
	case store.RoleMediator:
		return true
	case store.RoleObserver:
		return len(e.To) == 0
	}
	if strings.HasPrefix(e.Kind, negotiationPrefix) {
		ne := negotiate.Event{From: e.From, To: negotiate.Everyone}
		if len(e.To) == 1 {
			ne.To = e.To[0]
		}
		return negotiate.Visible(ne, v.name)
	}
	return len(e.To) == 0 || e.From == v.name || slices.Contains(e.To, v.name)
}
