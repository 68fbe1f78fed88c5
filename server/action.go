package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/store"
)

// action is a participant's step in an implementation, as the API takes it
// and as the log records it (with By and At filled in), so that a replay
// can take it again.
type action struct {
	Type       string         `json:"type"`
	By         string         `json:"by,omitempty"`
	At         deal.Duration  `json:"at,omitempty"`
	Phase      int            `json:"phase,omitempty"`
	List       int            `json:"list,omitempty"`
	Items      []string       `json:"items,omitempty"`
	Obligation int            `json:"obligation,omitempty"`
	Quantity   int            `json:"quantity,omitempty"`
	Delivery   int            `json:"delivery,omitempty"`
	Counted    int            `json:"counted,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Accused    string         `json:"accused,omitempty"`
	Subject    *deal.Subject  `json:"subject,omitempty"`
	Evidence   *deal.Evidence `json:"evidence,omitempty"`
	Breach     int            `json:"breach,omitempty"`
	Verdict    deal.Verdict   `json:"verdict,omitempty"`
	CureBy     deal.Duration  `json:"cure_by,omitempty"`
	Note       string         `json:"note,omitempty"`
	Accept     bool           `json:"accept,omitempty"`
}

// Action types.
var actionTypes = []string{"submit_list", "deliver", "confirm", "dispute", "report_breach", "rule", "cure", "offer_extension", "answer_extension"}

// actor is who a participant is in the implementation.
func (c *liveCase) actor(name string, role store.Role) (deal.Actor, error) {
	s := c.impl.Schedule()
	switch role {
	case store.RoleMediator:
		return deal.Mediator, nil
	case store.RoleParty:
		if i := slices.Index(s.Parties, name); i >= 0 {
			return deal.Party(i), nil
		}
	case store.RoleVerifier:
		if i := slices.Index(s.Verifiers, name); i >= 0 {
			return deal.Verifier(i), nil
		}
	}
	return deal.Actor{}, shuttle.Errorf(shuttle.EConflict, "%s %q has no part in the implementation", role, name)
}

// dealAction turns a into the deal's action, taken by by.
func (c *liveCase) dealAction(a *action, by deal.Actor) (deal.Action, error) {
	switch a.Type {
	case "submit_list":
		return deal.SubmitList{By: by, Phase: a.Phase, List: a.List, Items: a.Items}, nil
	case "deliver":
		return deal.Deliver{By: by, Phase: a.Phase, Obligation: a.Obligation, Quantity: a.Quantity}, nil
	case "confirm":
		return deal.Confirm{By: by, Delivery: a.Delivery}, nil
	case "dispute":
		return deal.Dispute{By: by, Delivery: a.Delivery, Counted: a.Counted, Reason: a.Reason}, nil
	case "report_breach":
		if a.Subject == nil || a.Evidence == nil {
			return nil, shuttle.Errorf(shuttle.EInvalid, "report_breach needs subject and evidence")
		}
		accused := slices.Index(c.impl.Schedule().Parties, a.Accused)
		if accused < 0 {
			return nil, shuttle.Errorf(shuttle.EInvalid, "accused: no party %q", a.Accused)
		}
		return deal.ReportBreach{By: by, Accused: accused, Subject: *a.Subject, Evidence: *a.Evidence}, nil
	case "rule":
		return deal.Rule{By: by, Breach: a.Breach, Verdict: a.Verdict, CureBy: time.Duration(a.CureBy), Reason: a.Reason}, nil
	case "cure":
		return deal.Cure{By: by, Breach: a.Breach, Note: a.Note}, nil
	case "offer_extension":
		return deal.OfferExtension{By: by}, nil
	case "answer_extension":
		return deal.AnswerExtension{By: by, Accept: a.Accept}, nil
	}
	return nil, shuttle.Errorf(shuttle.EInvalid, "type: %q is not one of %v", a.Type, actionTypes)
}

// act applies a participant's action now: time passes up to now first, then
// the action; both are logged before the call returns.
func (c *liveCase) act(ctx context.Context, v viewer, a *action) ([]store.Event, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usableLocked(); err != nil {
		return nil, err
	}
	if c.impl == nil || c.impl.State() != deal.Active {
		return nil, shuttle.Errorf(shuttle.EConflict, "the case has no implementation in progress (it is %s)", c.state)
	}
	by, err := c.actor(v.name, v.role)
	if err != nil {
		return nil, err
	}
	da, err := c.dealAction(a, by)
	if err != nil {
		return nil, err
	}
	if err := c.advanceLocked(ctx); err != nil {
		return nil, err
	}
	defer c.armLocked()
	if c.impl.State() != deal.Active {
		return nil, shuttle.Errorf(shuttle.EConflict, "the implementation has ended (%s)", c.impl.State())
	}
	n := c.events.len()
	if err := c.doLocked(ctx, v.name, a, da); err != nil {
		return nil, err
	}
	return c.events.slice(n), nil
}

// doLocked applies da, participant name's action now, and logs it as a,
// with By and At filled in, before the events it caused.
func (c *liveCase) doLocked(ctx context.Context, name string, a *action, da deal.Action) error {
	a.By, a.At = name, deal.Duration(c.impl.Now())
	evs, err := c.impl.Do(da)
	if err != nil {
		return err
	}
	e, err := c.serverEvent(kindAction, name, []string{deal.MediatorName}, a)
	if err != nil {
		return err
	}
	e.Time = c.dealStart + time.Duration(a.At)
	return c.dealEventsLocked(ctx, &e, evs)
}

// replayAction takes a logged action again while loading.
func (c *liveCase) replayActionLocked(e *store.Event) error {
	var a action
	if err := json.Unmarshal(e.Body, &a); err != nil {
		return err
	}
	ps, err := c.srv.st.Participants(context.Background(), c.id)
	if err != nil {
		return err
	}
	role := store.RoleMediator
	if c.sc.PartyIndex(a.By) >= 0 && !c.isHuman(a.By) {
		role = store.RoleParty // a built-in party (bots.go)
	}
	for _, p := range ps {
		if p.Name == a.By {
			role = p.Role
		}
	}
	by, err := c.actor(a.By, role)
	if err != nil {
		return err
	}
	da, err := c.dealAction(&a, by)
	if err != nil {
		return err
	}
	evs, err := c.impl.Do(deal.Advance{To: time.Duration(a.At)})
	if err != nil {
		return err
	}
	if err := c.dealEventsLocked(context.Background(), nil, evs); err != nil {
		return err
	}
	if evs, err = c.impl.Do(da); err != nil {
		return err
	}
	return c.dealEventsLocked(context.Background(), nil, evs)
}

func (c *liveCase) usableLocked() error {
	if c.broken != nil {
		return stoppedError(c.id)
	}
	return nil
}

// stoppedError is the answer about a case whose log and state disagree.
// The cause was logged when the case stopped: it may quote events the
// caller may not see, so the answer only says where to look.
func stoppedError(id string) error {
	return shuttle.Errorf(shuttle.EInternal, "case %s is stopped: replaying its log did not reproduce it; the server's log says where", id)
}

// markStopped remembers a case that could not be resumed because its
// replay diverged, so that requests for it are answered at once instead of
// each replaying the log again.
func (s *Server) markStopped(id string, err error) {
	if errors.Is(err, errDiverged) {
		s.mu.Lock()
		s.stopped[id] = true
		s.mu.Unlock()
	}
}
