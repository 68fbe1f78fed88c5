package server

import (
	"net/http"
	"strings"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
)

// analysisOf is the analysis of the case's true profiles, which a built-in
// mediator is given only when every party confides its true profile in
// full (see mediatorFor), computed once per case.
func (s *Server) analysisOf(c *liveCase) *analysis.Result {
	if c.an == nil {
		an, err := analysis.Analyze(c.sc.Profiles(), analysis.Options{})
		if err != nil {
			s.log.Warn("analysis", "case", c.id, "err", err)
			return nil
		}
		c.an = an
	}
	return c.an
}

type pointJSON struct {
	Outcome   map[string]string `json:"outcome"`
	Utilities []float64         `json:"utilities"`
	Ties      uint64            `json:"ties,omitempty"`
}

func point(d *space.Domain, p *analysis.Point) *pointJSON {
	if p == nil {
		return nil
	}
	return &pointJSON{Outcome: d.Labels(p.Outcome), Utilities: p.Utilities, Ties: p.Ties}
}

// gapJSON compares the last text a party was given with what it confided.
type gapJSON struct {
	Party    string            `json:"party"`
	Confided string            `json:"confided"` // the level, "" before the party confided
	Text     map[string]string `json:"text,omitempty"`
	// Utility and Reservation are the party's confided utility of the text
	// and reservation value; Gap is Reservation − Utility, how far the text
	// falls short of what the party would accept (negative: it is above).
	Utility     *float64 `json:"utility,omitempty"`
	Reservation *float64 `json:"reservation,omitempty"`
	Gap         *float64 `json:"gap,omitempty"`
}

// analysis gives the mediator what the parties' confidences support: the
// frontier and fair points when every party confided its profile in full,
// for each party how far its current text is from its confided position,
// and the texts the case's mediator strategy would propose next.
func (s *Server) analysis(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.sc.Domain
	gaps := make([]gapJSON, len(c.sc.Parties))
	confided := make([]*negotiate.Confided, len(c.sc.Parties))
	levels := make([]negotiate.Level, len(c.sc.Parties))
	for i, p := range c.sc.Parties {
		gaps[i].Party = p.Name
		levels[i] = negotiate.Nothing
	}
	for _, e := range c.events.all(0) {
		k := strings.TrimPrefix(e.Kind, negotiationPrefix)
		if k != "confide" && k != "text" {
			continue
		}
		ne, err := negotiate.UnmarshalEvent(d, e.Body)
		if err != nil {
			return err
		}
		if k == "confide" {
			if j := c.sc.PartyIndex(ne.From); j >= 0 && ne.Confided != nil {
				levels[j], confided[j] = ne.Confided.Level, ne.Confided
				gaps[j].Confided = ne.Confided.Level.String()
			}
			continue
		}
		if j := c.sc.PartyIndex(ne.To); j >= 0 {
			gaps[j].Text = d.Labels(ne.Outcome)
			if levels[j] == negotiate.Full {
				u, res := confided[j].Func.Utility(ne.Outcome), confided[j].Reservation
				g := res - u
				gaps[j].Utility, gaps[j].Reservation, gaps[j].Gap = &u, &res, &g
			}
		}
	}
	out := map[string]any{"parties": gaps, "frontier": nil}
	sug, why, err := c.suggestLocked()
	if err != nil {
		return err
	}
	out["suggestion"] = sug
	if sug == nil {
		out["suggestion_note"] = why
	}
	if an := c.knownAnalysisLocked(confided); an != nil {
		frontier := make([]*pointJSON, len(an.Frontier))
		for i := range an.Frontier {
			frontier[i] = point(d, &an.Frontier[i])
		}
		out["frontier"] = frontier
		out["nash"], out["kalai"], out["egalitarian"], out["max_welfare"] = point(d, an.Nash), point(d, an.Kalai), point(d, an.Egalitarian), point(d, an.MaxWelfare)
		out["exact"] = an.Exact
	} else {
		out["note"] = "the frontier needs every party's full profile; not every party has confided it"
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
