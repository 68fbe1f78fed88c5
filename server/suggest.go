package server

import (
	"fmt"
	"strings"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
)

// suggestionJSON is what the case's mediator strategy would put to each
// party next.
type suggestionJSON struct {
	Round int                          `json:"round"`
	Texts map[string]map[string]string `json:"texts"` // by party
	// Missing are the parties whose answers to the open round are not in:
	// the strategy is told they did not answer.
	Missing []string `json:"missing,omitempty"`
}

// suggestLocked runs a fresh copy of the case's mediator strategy, seeded as
// the case's own, through what the log says it was told (the confidences,
// then each round's texts and answers) and asks it for the round after the
// last one put: the texts it would propose given the answers so far. The
// case itself is not touched. It returns nil with the reason when there is
// nothing to suggest: a protocol without texts, before the confidences are
// in, or after the negotiation ended.
func (c *liveCase) suggestLocked() (*suggestionJSON, string, error) {
	sc := c.sc
	proto, err := negotiate.ParseProtocol(sc.Protocol.Name)
	if err != nil {
		return nil, "", err
	}
	if proto != negotiate.Shuttle && proto != negotiate.SingleText {
		return nil, fmt.Sprintf("the %s protocol has no texts to suggest", proto), nil
	}
	n := len(sc.Parties)
	brief := &negotiate.Brief{Domain: sc.Domain, Protocol: proto, Parties: make([]string, n),
		Confided: make([]*negotiate.Confided, n), Rounds: sc.Protocol.Rounds, Deadline: sc.Protocol.Deadline}
	for i, p := range sc.Parties {
		brief.Parties[i] = p.Name
	}
	// rounds[r-1] holds round r's texts, answers and start time.
	type round struct {
		texts   []space.Outcome
		answers []negotiate.Answer
		at      negotiate.Event
	}
	var rounds []round
	opened := false
	for _, se := range c.events.all(0) {
		k, ok := strings.CutPrefix(se.Kind, negotiationPrefix)
		if !ok {
			continue
		}
		e, err := negotiate.UnmarshalEvent(sc.Domain, se.Body)
		if err != nil {
			return nil, "", fmt.Errorf("event %d: %w", se.Seq, err)
		}
		switch {
		case e.Kind == negotiate.KindAgreement || e.Kind == negotiate.KindFailure:
			return nil, "the negotiation has ended", nil
		case e.Kind == negotiate.KindConfide:
			if j := sc.PartyIndex(e.From); j >= 0 && e.Confided != nil && e.Confided.Level != negotiate.Nothing {
				brief.Confided[j] = e.Confided
			}
		case e.Round < 1:
		case isQuestion(e.Kind) && e.From == negotiate.MediatorName:
			opened = true
			for len(rounds) < e.Round {
				rounds = append(rounds, round{texts: make([]space.Outcome, n), answers: make([]negotiate.Answer, n), at: e})
				for j := range rounds[len(rounds)-1].answers {
					rounds[len(rounds)-1].answers[j].Kind = negotiate.KindMissed
				}
			}
			if j := sc.PartyIndex(e.To); j >= 0 {
				rounds[e.Round-1].texts[j] = e.Outcome
			}
		case isAnswer(negotiationPrefix+k) && e.Round <= len(rounds):
			if j := sc.PartyIndex(e.From); j >= 0 {
				rounds[e.Round-1].answers[j] = negotiate.Answer{Kind: e.Kind, Outcome: e.Outcome, Objections: e.Objections, Yes: e.Yes, Picks: e.Picks}
			}
		}
	}
	if !opened {
		return nil, "the mediator has not been told the confidences yet", nil
	}
	med, err := c.mediatorFor(brief.Confided)
	if err != nil {
		return nil, "", err
	}
	if err := med.Open(brief); err != nil {
		return nil, "", err
	}
	progress := func(r int, e negotiate.Event) float64 {
		q := negotiate.Question{Round: r, Rounds: sc.Protocol.Rounds, Time: e.Time, Deadline: sc.Protocol.Deadline}
		return q.Progress()
	}
	texts := make([]space.Outcome, n)
	for r, rd := range rounds {
		// The strategy must be asked for each round's texts as the case's
		// own was, for it to be in the same state when it hears the answers.
		med.Draft(r+1, progress(r+1, rd.at), texts)
		med.Hear(r+1, rd.answers)
	}
	last := rounds[len(rounds)-1]
	out := &suggestionJSON{Round: len(rounds) + 1, Texts: map[string]map[string]string{}}
	for j, a := range last.answers {
		if a.Kind == negotiate.KindMissed {
			out.Missing = append(out.Missing, sc.Parties[j].Name)
		}
	}
	clear(texts)
	if !med.Draft(out.Round, progress(out.Round, last.at), texts) {
		return nil, "the mediator strategy has nothing more to propose", nil
	}
	for j, p := range sc.Parties {
		out.Texts[p.Name] = sc.Domain.Labels(texts[j])
	}
	return out, "", nil
}
