package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/strategy"
	"github.com/shuttle-mediation/shuttle/utility"
)

// A party confides either a level, for that part of its profile in the
// scenario, or a profile of its own making: a person need not tell the
// mediator the truth, and the mediator knows only what it was told. What a
// party confided is in its confide event, and everything the mediator
// works from (its strategy, the analysis, the console) is read from there,
// never from the scenario's profiles.

// parseConfide reads a confide answer.
func (c *liveCase) parseConfide(party string, req *answerRequest) (negotiate.Answer, error) {
	a := negotiate.Answer{Kind: negotiate.KindConfide}
	if len(req.Confided) == 0 || bytes.Equal(req.Confided, []byte("null")) {
		l, err := negotiate.ParseLevel(req.Level)
		if err != nil {
			return a, shuttle.Errorf(shuttle.EInvalid, "level: %v", err)
		}
		a.Confided = strategy.Confide(c.sc.Profiles()[c.sc.PartyIndex(party)], l)
		return a, nil
	}
	conf, err := negotiate.ParseConfided(c.sc.Domain, req.Confided)
	if err != nil {
		return a, shuttle.Errorf(shuttle.EInvalid, "confided: %v", err)
	}
	if req.Level != "" && req.Level != conf.Level.String() {
		return a, shuttle.Errorf(shuttle.EInvalid, "level: %q differs from confided.level %q", req.Level, conf.Level)
	}
	a.Confided = conf
	return a, nil
}

// lateMediator is the case's mediator strategy, made when the negotiation
// opens: only then is it known what the parties confided, and so which
// analysis goes with it (see mediatorFor).
type lateMediator struct {
	negotiate.Mediator
	c *liveCase
}

func (m *lateMediator) Open(b *negotiate.Brief) error {
	m.c.mu.Lock()
	med, err := m.c.mediatorFor(b.Confided)
	m.c.mu.Unlock()
	if err != nil {
		return err
	}
	m.Mediator = med
	return med.Open(b)
}

// mediatorFor makes the case's mediator strategy, seeded as the case's own,
// for parties that confided what confided says (nil: not yet known), with
// the analysis of what they confided when every one confided in full. The
// caller holds mu.
func (c *liveCase) mediatorFor(confided []*negotiate.Confided) (negotiate.Mediator, error) {
	sc := c.sc
	return strategy.NewMediator(strategy.MediatorConfig{Strategy: sc.Mediator.Strategy, Target: sc.Mediator.Target,
		Params: sc.Mediator.Params, Rand: c.seed(0), Analysis: c.knownAnalysisLocked(confided)})
}

// knownAnalysisLocked is the analysis of the profiles the parties confided
// when every one confided in full, nil otherwise: what the mediator knows,
// true or not. Confidences do not change, so it is worked out once: it is
// the case's analysis of the true profiles when they are what was
// confided, else one of the confided profiles.
func (c *liveCase) knownAnalysisLocked(confided []*negotiate.Confided) *analysis.Result {
	if len(confided) != len(c.sc.Parties) || slices.ContainsFunc(confided, func(k *negotiate.Confided) bool { return k == nil || k.Level != negotiate.Full }) {
		return nil
	}
	if c.toldTruth(confided) {
		return c.srv.analysisOf(c)
	}
	if c.knownAn == nil {
		an, err := analysis.Analyze(c.confidedProfiles(confided), analysis.Options{})
		if err != nil {
			c.srv.log.Warn("analysis of the confided profiles", "case", c.id, "err", err)
			return nil
		}
		c.knownAn = an
	}
	return c.knownAn
}

// toldTruth reports whether every party confided its true profile in full.
// Profiles are compared as the log writes them, so that a confidence read
// back from the log compares as the one given live did; the wording of
// must-haves does not count.
func (c *liveCase) toldTruth(confided []*negotiate.Confided) bool {
	profiles := c.sc.Profiles()
	if len(confided) != len(profiles) {
		return false
	}
	d := c.sc.Domain
	for i, got := range confided {
		if got == nil || got.Level != negotiate.Full {
			return false
		}
		a, err := plainConfided(d, got)
		if err != nil {
			return false
		}
		b, err := plainConfided(d, strategy.Confide(profiles[i], negotiate.Full))
		if err != nil || !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

// plainConfided is the JSON form of c without the wording of its
// constraints.
func plainConfided(d *space.Domain, c *negotiate.Confided) ([]byte, error) {
	cp := *c
	cp.Constraints = slices.Clone(c.Constraints)
	for k := range cp.Constraints {
		cp.Constraints[k].Text = ""
	}
	return negotiate.MarshalConfided(d, &cp)
}

// confidedLocked is what each party confided, in party order, as the log
// says; nil where a party has not confided.
func (c *liveCase) confidedLocked() ([]*negotiate.Confided, error) {
	out := make([]*negotiate.Confided, len(c.sc.Parties))
	for _, e := range c.events.all(0) {
		if e.Kind != negotiationPrefix+negotiate.KindConfide.String() {
			continue
		}
		ne, err := negotiate.UnmarshalEvent(c.sc.Domain, e.Body)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		if j := c.sc.PartyIndex(ne.From); j >= 0 {
			out[j] = ne.Confided
		}
	}
	return out, nil
}

// confidedProfiles are full confidences as profiles.
func (c *liveCase) confidedProfiles(confided []*negotiate.Confided) []*utility.Profile {
	ps := make([]*utility.Profile, len(confided))
	for i, k := range confided {
		ps[i] = &utility.Profile{Name: c.sc.Parties[i].Name, Domain: c.sc.Domain, Func: k.Func,
			Reservation: k.Reservation, Discount: 1, Constraints: k.Constraints}
	}
	return ps
}

// webConfide forwards the form of a profile a party edited on its page to
// the API as a confide answer.
func (s *Server) webConfide(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, _, err := s.lookup(r, a)
	if err != nil {
		return err
	}
	form := func(r *http.Request) (any, error) { return confideForm(c.sc.Domain, r) }
	return s.webForward("POST", "/answers", s.answer, form)(w, r, a)
}

// confideForm is the form of an edited profile as the API's answer
// request, with only the parts the chosen level carries: fields
// weight:ISSUE, rating:ISSUE:VALUE (0 to 1), reservation, and allow:ISSUE
// once for each value the party would accept; an issue with every value
// allowed has no must-have.
func confideForm(d *space.Domain, r *http.Request) (any, error) {
	q, err := strconv.ParseUint(r.PostFormValue("question"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("question: not a number")
	}
	number := func(field string) (float64, error) {
		x, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue(field)), 64)
		if err != nil {
			return 0, fmt.Errorf("%s: not a number", field)
		}
		return x, nil
	}
	level := r.PostFormValue("level")
	conf := map[string]any{"level": level}
	switch level {
	case "full", "weights":
		weights := map[string]float64{}
		for _, is := range d.Issues {
			if weights[is.Name], err = number("weight:" + is.Name); err != nil {
				return nil, err
			}
		}
		conf["weights"] = weights
	case "musthaves":
	default:
		return nil, fmt.Errorf("level: want full, weights or musthaves, got %q", level)
	}
	if level == "full" {
		evals := map[string]map[string]float64{}
		for _, is := range d.Issues {
			m := map[string]float64{}
			for v := range is.Size() {
				if m[is.Label(v)], err = number("rating:" + is.Name + ":" + is.Label(v)); err != nil {
					return nil, err
				}
			}
			evals[is.Name] = m
		}
		conf["evaluations"] = evals
	}
	if level == "full" || level == "musthaves" {
		if conf["reservation"], err = number("reservation"); err != nil {
			return nil, err
		}
		var constraints []map[string]any
		for _, is := range d.Issues {
			ok := r.PostForm["allow:"+is.Name]
			allowed := []string{}
			for v := range is.Size() {
				if slices.Contains(ok, is.Label(v)) {
					allowed = append(allowed, is.Label(v))
				}
			}
			if len(allowed) < is.Size() {
				constraints = append(constraints, map[string]any{"issue": is.Name, "allowed": allowed})
			}
		}
		if constraints != nil {
			conf["constraints"] = constraints
		}
	}
	raw, err := json.Marshal(conf)
	if err != nil {
		return nil, err
	}
	return &answerRequest{Question: q, Kind: negotiate.KindConfide.String(), Confided: raw}, nil
}

// confideEdit is the party's profile as the form to edit before confiding
// it: numbers written exactly, so that a form sent back unchanged confides
// the profile itself.
type confideEdit struct {
	Issues      []editIssue
	Reservation string
}

type editIssue struct {
	Name   string
	Weight string
	Values []editValue
}

type editValue struct {
	Label   string
	Rating  string
	Allowed bool
}

// confideEditOf is profile p as the form prefills it; nil unless its
// utility function is additive, the only kind the form can write.
func confideEditOf(p *utility.Profile) *confideEdit {
	a := p.Additive()
	if a == nil {
		return nil
	}
	exact := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	allow := make([][]bool, len(p.Domain.Issues))
	for _, k := range p.Constraints {
		if allow[k.Issue] == nil {
			allow[k.Issue] = slices.Repeat([]bool{true}, len(k.Allowed))
		}
		for v, ok := range k.Allowed {
			allow[k.Issue][v] = allow[k.Issue][v] && ok
		}
	}
	e := &confideEdit{Reservation: exact(p.Reservation)}
	for i, is := range p.Domain.Issues {
		ei := editIssue{Name: is.Name, Weight: exact(a.Weights[i])}
		for v := range is.Size() {
			ei.Values = append(ei.Values, editValue{Label: is.Label(v), Rating: exact(a.Evals[i][v]), Allowed: allow[i] == nil || allow[i][v]})
		}
		e.Issues = append(e.Issues, ei)
	}
	return e
}
