package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
)

// The mediator's own texts. A case's mediator is its scenario's strategy
// wrapped in a drafter: the person in the mediator's seat may queue a text
// for the next round the engine has not drafted yet, and the drafter puts
// it to the parties it names instead of the strategy's text. A draft is in
// the log (kindDraft, to the mediator alone) before it is acknowledged, and
// a restarted server folds every logged draft into the drafter before the
// session replays, so that the replay puts the same texts as the first run.

// kindDraft is a draft queued or withdrawn by the mediator; body: draftBody.
const kindDraft = "case.draft"

// draftBody is a draft as the log records it: the outcome for round Round,
// to Parties, or, with Withdrawn, the end of the draft queued for Round.
type draftBody struct {
	Round     int               `json:"round"`
	Outcome   map[string]string `json:"outcome,omitempty"`
	Parties   []string          `json:"parties,omitempty"`
	Withdrawn bool              `json:"withdrawn,omitempty"`
}

// draft is a queued draft, checked against the case's domain and parties.
type draft struct {
	round   int
	outcome space.Outcome
	to      []bool // by party index
	seq     int64  // of its event
}

// drafter is the case's mediator: the scenario's strategy, with the
// mediator's drafts in place of its texts. Its fields are guarded by the
// case's mu, which also orders drafts against the engine's Draft calls: a
// draft is accepted only for a round not yet drafted.
type drafter struct {
	negotiate.Mediator
	c       *liveCase
	drafted int            // the last round the engine drafted
	queued  map[int]*draft // by round
}

// newDrafterLocked wraps the case's strategy, with the drafts its log
// holds so far: on a restart, those the session is about to replay. Later
// drafts for a round replace earlier ones, as they did when they were made.
func (c *liveCase) newDrafterLocked(inner negotiate.Mediator) (*drafter, error) {
	d := &drafter{Mediator: inner, c: c, queued: map[int]*draft{}}
	for _, e := range c.events.all(0) {
		if e.Kind != kindDraft {
			continue
		}
		var b draftBody
		if err := json.Unmarshal(e.Body, &b); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.Seq, err)
		}
		var q *draft
		if !b.Withdrawn {
			var err error
			if q, err = c.draftOf(&b); err != nil {
				return nil, fmt.Errorf("event %d: %w", e.Seq, err)
			}
			q.seq = e.Seq
		}
		d.queueLocked(b.Round, q)
	}
	return d, nil
}

// queueLocked queues q for round r, or withdraws the draft queued for it
// when q is nil.
func (d *drafter) queueLocked(r int, q *draft) {
	if q == nil {
		delete(d.queued, r)
		return
	}
	q.round = r
	d.queued[r] = q
}

// Draft has the strategy draft round r, always, so that it goes through the
// same states whether or not its texts are used and a replay finds it as
// the first run did, then puts the mediator's draft for r, if any, to the
// parties it names. When the strategy has nothing more to propose, the
// draft goes to every party: the mediator has chosen to go on.
func (d *drafter) Draft(r int, t float64, texts []space.Outcome) bool {
	more := d.Mediator.Draft(r, t, texts)
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	d.drafted = r
	q := d.queued[r]
	if q == nil {
		return more
	}
	delete(d.queued, r)
	for i := range texts {
		if q.to[i] || !more {
			texts[i] = q.outcome
		}
	}
	return true
}

// draftOf checks a draft against the case: the outcome must be one of the
// domain's, the parties the case's, each once; the single-text protocol
// puts one proposal to all, so a draft there is for every party.
func (c *liveCase) draftOf(b *draftBody) (*draft, error) {
	o, err := c.sc.Domain.Parse(b.Outcome)
	if err != nil {
		return nil, shuttle.Errorf(shuttle.EInvalid, "outcome: %v", err)
	}
	q := &draft{outcome: o, to: make([]bool, len(c.sc.Parties))}
	if b.Parties == nil {
		for i := range q.to {
			q.to[i] = true
		}
		return q, nil
	}
	if len(b.Parties) == 0 {
		return nil, shuttle.Errorf(shuttle.EInvalid, "parties: name at least one party, or leave parties out for all")
	}
	for _, p := range b.Parties {
		i := c.sc.PartyIndex(p)
		if i < 0 {
			return nil, shuttle.Errorf(shuttle.EInvalid, "parties: the case has no party %q", p)
		}
		if q.to[i] {
			return nil, shuttle.Errorf(shuttle.EInvalid, "parties: %q is named twice", p)
		}
		q.to[i] = true
	}
	if c.sc.Protocol.Name == negotiate.SingleText.String() && slices.Contains(q.to, false) {
		return nil, shuttle.Errorf(shuttle.EInvalid, "parties: the single-text protocol puts one proposal to every party; leave parties out")
	}
	return q, nil
}

// draftable refuses the protocols whose mediator puts no texts.
func (c *liveCase) draftable() error {
	switch c.sc.Protocol.Name {
	case negotiate.Shuttle.String(), negotiate.SingleText.String():
		return nil
	}
	return shuttle.Errorf(shuttle.EUnsupported, "the %s protocol has no mediator's texts to draft", c.sc.Protocol.Name)
}

// nextRoundLocked is the round a draft made now goes out in, or 0 when
// the negotiation is not running.
func (c *liveCase) nextRoundLocked() int {
	if c.drafts == nil || c.state != stateNegotiating || c.result != nil || c.broken != nil {
		return 0
	}
	return c.drafts.drafted + 1
}

// draftJSON is a queued draft as the API shows it.
type draftJSON struct {
	Round   int               `json:"round"`
	Outcome map[string]string `json:"outcome"`
	Parties []string          `json:"parties"`
	Seq     int64             `json:"seq"`
}

// draftState is what the drafts routes answer: the round a draft made now
// goes out in (absent when the negotiation is not running) and the draft
// queued for it, if any.
type draftState struct {
	NextRound int        `json:"next_round,omitempty"`
	Draft     *draftJSON `json:"draft"`
}

func (c *liveCase) draftStateLocked() draftState {
	st := draftState{NextRound: c.nextRoundLocked()}
	if st.NextRound == 0 {
		return st
	}
	if q := c.drafts.queued[st.NextRound]; q != nil {
		st.Draft = &draftJSON{Round: q.round, Outcome: c.sc.Domain.Labels(q.outcome), Parties: c.namesOf(q.to), Seq: q.seq}
	}
	return st
}

// namesOf names the parties marked in to, in the scenario's order.
func (c *liveCase) namesOf(to []bool) []string {
	var out []string
	for i, p := range c.sc.Parties {
		if to[i] {
			out = append(out, p.Name)
		}
	}
	return out
}

// draftRequest is the body of POST /drafts. A nil Parties means every
// party; an empty list is refused.
type draftRequest struct {
	Outcome map[string]string `json:"outcome"`
	Parties []string          `json:"parties"`
}

// draftCase is the case of a drafts route: the caller must be its
// mediator, and its protocol one with texts.
func (s *Server) draftCase(r *http.Request, a *caller) (*liveCase, error) {
	c, _, err := s.lookupAsMediator(r, a)
	if err != nil {
		return nil, err
	}
	if err := c.draftable(); err != nil {
		return nil, err
	}
	return c, nil
}

// drafts shows the round a draft would go out in and the draft queued.
func (s *Server) drafts(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, err := s.draftCase(r, a)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	writeJSON(w, http.StatusOK, c.draftStateLocked())
	return nil
}

// postDraft queues the mediator's text for the next round the engine has
// not drafted, replacing a draft queued for that round.
func (s *Server) postDraft(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, err := s.draftCase(r, a)
	if err != nil {
		return err
	}
	var req draftRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	q, err := c.draftOf(&draftBody{Outcome: req.Outcome, Parties: req.Parties})
	if err != nil {
		return err
	}
	return c.changeDraft(w, r, q)
}

// deleteDraft withdraws the draft queued for the next round: the strategy's
// texts go out instead.
func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request, a *caller) error {
	c, err := s.draftCase(r, a)
	if err != nil {
		return err
	}
	return c.changeDraft(w, r, nil)
}

// changeDraft queues q for the next round, or withdraws the draft queued
// for it when q is nil: logged first, under the case's lock so that the
// engine cannot draft that round meanwhile. It answers with the drafts'
// state.
func (c *liveCase) changeDraft(w http.ResponseWriter, r *http.Request, q *draft) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return err
	}
	next := c.nextRoundLocked()
	if next == 0 {
		return shuttle.Errorf(shuttle.EConflict, "the case is %s: there is no negotiation running to draft for", c.state)
	}
	if rounds := c.sc.Protocol.Rounds; rounds > 0 && next > rounds {
		return shuttle.Errorf(shuttle.EConflict, "the negotiation ends after round %d: no round is left to draft", rounds)
	}
	b := &draftBody{Round: next, Withdrawn: true}
	switch {
	case q != nil:
		// The log keeps the draft as the domain writes it: a real value
		// is snapped to its point once, here, and read back the same.
		b = &draftBody{Round: next, Outcome: c.sc.Domain.Labels(q.outcome), Parties: c.namesOf(q.to)}
	case c.drafts.queued[next] == nil:
		return shuttle.Errorf(shuttle.EConflict, "no draft is queued for round %d", next)
	}
	e, err := c.serverEvent(kindDraft, negotiate.MediatorName, []string{negotiate.MediatorName}, b)
	if err != nil {
		return err
	}
	evs, err := c.appendLocked(r.Context(), e)
	if err != nil {
		return err
	}
	if q != nil {
		q.seq = evs[0].Seq
	}
	c.drafts.queueLocked(next, q)
	writeJSON(w, http.StatusOK, c.draftStateLocked())
	return nil
}

// webDraft is the console's form for the mediator's next text.
type webDraft struct {
	Round int // the round a text sent now goes out in
	// Issues holds the form's values, prefilled from Source; an issue
	// with too many values for a list has no Values and takes a typed one.
	Issues   []webIssue
	Source   string
	PerParty bool // texts go to each party apart (shuttle), not one to all
	Parties  []webDraftParty
	Queued   *webQueued
}

type webDraftParty struct {
	Name    string
	Checked bool
}

type webQueued struct {
	Round   int
	Text    string
	Parties string
}

// maxSelect is the most values an issue's list offers in the form.
const maxSelect = 200

// draftViewLocked is the console's draft form, prefilled with the queued
// draft, else the suggestion to the first party, else each issue's first
// value; nil when no draft can be made now.
func (c *liveCase) draftViewLocked(sug *suggestionJSON) *webDraft {
	st := c.draftStateLocked()
	if st.NextRound == 0 || c.draftable() != nil {
		return nil
	}
	d := c.sc.Domain
	wd := &webDraft{Round: st.NextRound, PerParty: c.sc.Protocol.Name == negotiate.Shuttle.String()}
	fill, to := d.NewOutcome(), make([]bool, len(c.sc.Parties))
	wd.Source = "each issue's first value"
	for i := range to {
		to[i] = true
	}
	switch q := c.drafts.queued[st.NextRound]; {
	case q != nil:
		fill, to = q.outcome, q.to
		wd.Source = "your queued draft"
		wd.Queued = &webQueued{Round: q.round, Text: d.Format(q.outcome), Parties: strings.Join(c.namesOf(q.to), ", ")}
	case sug != nil && len(c.sc.Parties) > 0:
		if o, err := d.Parse(sug.Texts[c.sc.Parties[0].Name]); err == nil {
			fill = o
			wd.Source = fmt.Sprintf("the strategy's suggestion for round %d", sug.Round)
		}
	}
	for j, is := range d.Issues {
		wi := webIssue{Name: is.Name, Value: is.Label(fill[j]), Index: fill[j]}
		if is.Size() <= maxSelect {
			for k := range is.Size() {
				wi.Values = append(wi.Values, is.Label(k))
			}
		}
		wd.Issues = append(wd.Issues, wi)
	}
	for i, p := range c.sc.Parties {
		wd.Parties = append(wd.Parties, webDraftParty{Name: p.Name, Checked: to[i]})
	}
	return wd
}

// draftForm is the console's draft form as the API's draft request. The
// form marks with "parties" that it offers a choice of parties, so that
// none ticked is told apart from no choice offered.
func draftForm(r *http.Request) (any, error) {
	req := draftRequest{Outcome: issueFields(r)}
	if r.PostFormValue("parties") == "chosen" {
		req.Parties = append([]string{}, r.PostForm["party"]...)
	}
	return &req, nil
}

// issueFields is the outcome a form gives as one "issue:NAME" field an
// issue.
func issueFields(r *http.Request) map[string]string {
	// As PostFormValue does, a body that does not parse gives no fields.
	_ = r.ParseForm()
	o := map[string]string{}
	for k, vs := range r.PostForm {
		if name, ok := strings.CutPrefix(k, "issue:"); ok && len(vs) == 1 {
			o[name] = vs[0]
		}
	}
	return o
}
