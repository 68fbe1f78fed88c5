package negotiate

import (
	"errors"
	"fmt"
	"time"

	"github.com/shuttle-mediation/shuttle/space"
)

// Question is what the protocol asks a party. Outcomes in a question belong
// to the session: a party reads them and never modifies them.
type Question struct {
	// ID names the question in Session.Answer.
	ID   uint64
	Kind Kind // KindAskConfide, KindText, KindProposal, KindPackages, KindImprove or KindTurn
	// Round and the deadline in rounds (0: none).
	Round, Rounds int
	// Time is when the question reaches the party; Deadline is the
	// deadline in time (0: none).
	Time, Deadline time.Duration
	// Text is the shuttle text, the proposal, the improvement or the
	// standing offer (nil at the first turn of alternating offers).
	Text space.Outcome
	// Current is, for a proposal, the last proposal every party voted for
	// (nil before there is one) and, for an improvement, the agreement.
	Current  space.Outcome
	Packages []space.Outcome
	// Own marks a turn whose standing offer the asked party made itself.
	Own bool
}

// Progress is how far the negotiation has come towards its deadline, in
// [0,1]: the larger of the round and time fractions.
func (q *Question) Progress() float64 {
	var t float64
	if q.Rounds > 0 {
		t = float64(q.Round) / float64(q.Rounds)
	}
	if q.Deadline > 0 {
		t = max(t, float64(q.Time)/float64(q.Deadline))
	}
	return min(max(t, 0), 1)
}

// Answer is a party's reply to a question.
type Answer struct {
	Kind       Kind          // see check for the kinds each question allows
	Outcome    space.Outcome // counter-proposal or offer; filled in by the session for accept and vote
	Objections []Objection
	Yes        bool
	Picks      []int
	Confided   *Confided
}

// Party is one side of a negotiation. A built-in strategy answers at once and
// returns now == true. A person behind an API returns now == false and the
// answer reaches the session later through Session.Answer; meanwhile the
// protocol waits as its Spec says.
type Party interface {
	Ask(q *Question) (a Answer, now bool)
}

// Brief is what a mediator is told when a negotiation opens.
type Brief struct {
	Domain   *space.Domain
	Protocol Protocol
	Parties  []string
	// Confided holds what each party confided, in party order; nil where a
	// party confided nothing or did not answer in time.
	Confided []*Confided
	Rounds   int
	Deadline time.Duration
}

// Mediator drafts what the mediator puts to the parties and learns from
// their answers. A mediator run by a person may block in its methods until
// the person has decided; the session then runs in a goroutine of its own.
type Mediator interface {
	// Open starts a negotiation.
	Open(b *Brief) error
	// Draft fills texts[i], the text for party i in round r at progress t,
	// for the shuttle and single-text protocols. It returns false when it
	// has nothing more to propose. Drafted outcomes must not be modified
	// afterwards.
	Draft(r int, t float64, texts []space.Outcome) bool
	// Packages drafts up to k distinct packages for a blind-bidding round.
	Packages(r int, t float64, k int) []space.Outcome
	// Hear learns from the answers to round r, in party order; a party
	// whose answer did not come in time has one of Kind KindMissed.
	Hear(r int, answers []Answer)
	// Improve proposes an outcome it expects every party to prefer to the
	// agreement, or nil.
	Improve(agreed space.Outcome) space.Outcome
}

// check reports whether a fits question q in domain d.
func (q *Question) check(d *space.Domain, a *Answer) error {
	ok := false
	switch q.Kind {
	case KindAskConfide:
		ok = a.Kind == KindConfide
	case KindText:
		ok = a.Kind == KindAccept || a.Kind == KindObject || a.Kind == KindCounter || a.Kind == KindWalkAway
	case KindProposal, KindImprove:
		ok = a.Kind == KindVote
	case KindPackages:
		ok = a.Kind == KindBid || a.Kind == KindWalkAway
	case KindTurn:
		ok = a.Kind == KindOffer || a.Kind == KindWalkAway || a.Kind == KindAccept && q.Text != nil && !q.Own
	}
	if !ok {
		return fmt.Errorf("answer %q does not fit question %q", a.Kind, q.Kind)
	}
	switch a.Kind {
	case KindConfide:
		return checkConfided(d, a.Confided)
	case KindObject:
		if len(a.Objections) == 0 {
			return errors.New("objection names no issue")
		}
		for _, o := range a.Objections {
			if o.Issue < 0 || o.Issue >= len(d.Issues) {
				return fmt.Errorf("objection to issue %d: no such issue", o.Issue)
			}
			is := &d.Issues[o.Issue]
			if o.Want < 0 || o.Want >= is.Size() {
				return fmt.Errorf("objection to issue %q: value index %d out of range", is.Name, o.Want)
			}
			if o.Direction < -1 || o.Direction > 1 || !(o.Strength > 0 && o.Strength <= 1) {
				return fmt.Errorf("objection to issue %q: direction %d or strength %g out of range", is.Name, o.Direction, o.Strength)
			}
		}
	case KindCounter, KindOffer:
		if err := d.Check(a.Outcome); err != nil {
			return fmt.Errorf("%s: %w", a.Kind, err)
		}
	case KindBid:
		seen := make([]bool, len(q.Packages))
		for _, p := range a.Picks {
			if p < 0 || p >= len(q.Packages) || seen[p] {
				return fmt.Errorf("bid picks package %d of %d twice or out of range", p, len(q.Packages))
			}
			seen[p] = true
		}
	}
	return nil
}

func checkConfided(d *space.Domain, c *Confided) error {
	if c == nil {
		return errors.New("confide answer without content")
	}
	if c.Level >= levelEnd {
		return fmt.Errorf("confide level %d unknown", c.Level)
	}
	if c.Level == Full && c.Func == nil {
		return errors.New("full confidence without a utility function")
	}
	if c.Weights != nil && len(c.Weights) != len(d.Issues) {
		return fmt.Errorf("confided %d weights for %d issues", len(c.Weights), len(d.Issues))
	}
	if !(c.Reservation >= 0 && c.Reservation <= 1) {
		return fmt.Errorf("confided reservation %g outside [0,1]", c.Reservation)
	}
	for _, k := range c.Constraints {
		if k.Issue < 0 || k.Issue >= len(d.Issues) || len(k.Allowed) != d.Issues[k.Issue].Size() {
			return fmt.Errorf("confided constraint %q does not fit the domain", k.Text)
		}
	}
	return nil
}
