package server

import (
	"context"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/deal"
)

// botStream is the stream of the case's seed (see liveCase.seed) that the
// built-in parties' implementation draws come from; the negotiation's
// mediator and parties use streams 0 to len(parties).
const botStream = 0x626f7473 // "bots"

// botsOf is the built-in parties of the case's implementation: every party
// no person answers for, as a deal.Bot. A bot keeps no state: it is a
// function of the implementation, the time and a seed drawn from the case
// id, so that after a restart, with the logged actions replayed, the bots
// carry on as they would have.
func (c *liveCase) botsOf() []deal.Player {
	var actors []deal.Actor
	for i, p := range c.sc.Parties {
		if !c.isHuman(p.Name) {
			actors = append(actors, deal.Party(i))
		}
	}
	var ps []deal.Player
	for _, b := range deal.NewBots(c.seed(botStream).Uint64(), actors) {
		ps = append(ps, b)
	}
	return ps
}

// botsLocked has the built-in parties do what they mean to do at the
// implementation's clock, each action logged as a person's would be (a
// case.action from the party), so that a replay takes it again like any
// other. It runs after every step of the implementation, the bots' own
// excepted, and not while the log is replayed: their actions are in it.
func (c *liveCase) botsLocked() {
	if c.botsBusy || c.loading || c.broken != nil || c.impl == nil || c.impl.State() != deal.Active {
		return
	}
	c.botsBusy = true
	defer func() { c.botsBusy = false }()
	s := c.impl.Schedule()
	// The bots act for none of the requests that let them act.
	ctx := context.Background()
	err := deal.Play(c.impl, c.botsOf(), func(da deal.Action) error {
		by, a, err := botAction(s, da)
		if err != nil {
			return err
		}
		return c.doLocked(ctx, s.Name(by), &a, da)
	})
	if err != nil {
		// A bot's action was refused or could not be logged; the others
		// go on, and the bots try again after the next step.
		c.srv.log.Error("built-in party", "case", c.id, "err", err)
	}
}

// botAction is a built-in party's action as the API takes it, and who
// takes it.
func botAction(s *deal.Schedule, da deal.Action) (deal.Actor, action, error) {
	switch a := da.(type) {
	case deal.SubmitList:
		return a.By, action{Type: "submit_list", Phase: a.Phase, List: a.List, Items: a.Items}, nil
	case deal.Deliver:
		return a.By, action{Type: "deliver", Phase: a.Phase, Obligation: a.Obligation, Quantity: a.Quantity}, nil
	case deal.Confirm:
		return a.By, action{Type: "confirm", Delivery: a.Delivery}, nil
	case deal.Dispute:
		return a.By, action{Type: "dispute", Delivery: a.Delivery, Counted: a.Counted, Reason: a.Reason}, nil
	case deal.ReportBreach:
		return a.By, action{Type: "report_breach", Accused: s.Parties[a.Accused], Subject: &a.Subject, Evidence: &a.Evidence}, nil
	case deal.Cure:
		return a.By, action{Type: "cure", Breach: a.Breach, Note: a.Note}, nil
	case deal.AnswerExtension:
		return a.By, action{Type: "answer_extension", Accept: a.Accept}, nil
	}
	return deal.Actor{}, action{}, shuttle.Errorf(shuttle.EInternal, "a built-in party cannot take a %T", da)
}
