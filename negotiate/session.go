package negotiate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle/space"
)

// Absence says what the protocol does when a party's answer is not in by the
// end of its round. Either way the deadline ends the negotiation.
type Absence uint8

const (
	// Wait holds the round open until the answer arrives.
	Wait Absence = iota
	// Skip ends the round without the answer; the party is taken not to
	// have accepted.
	Skip
)

// Seat is a party at the table.
type Seat struct {
	Name    string
	Party   Party
	Channel Channel
}

// Spec configures a session.
//
// Time runs in rounds. At the start of a round the questions go out; a
// message on a channel arrives after the channel's delay, and one that
// would arrive during an outage when the outage ends. The answers are due
// by the round's end, RoundTime plus twice the slowest channel's delay
// after its start; what happens to an answer not in by then is up to
// Absence. The next round starts when the round has ended and its answers
// are in (or skipped). A negotiation with a mediator opens with round 0,
// in which every party is asked what it confides to the mediator.
type Spec struct {
	Domain   *space.Domain
	Protocol Protocol
	Parties  []Seat
	// Mediator is required by every protocol but alternating offers, which
	// uses one only for a post-settlement round.
	Mediator Mediator
	// Rounds is the deadline in rounds and Deadline the deadline in time
	// since the start; 0 means none, and at least one must be set. No
	// answer counts that arrives at or after Deadline.
	Rounds   int
	Deadline time.Duration
	// RoundTime is how long a round lasts before channel delays. In
	// alternating offers each turn takes RoundTime divided by the number
	// of parties.
	RoundTime time.Duration
	// EarlyClose ends a round as soon as every answer is in, as a live
	// session wants; otherwise rounds last their full time.
	EarlyClose bool
	Absence    Absence
	// PostSettlement adds, after an agreement, a round in which the
	// mediator proposes an outcome that replaces the agreement if every
	// party votes for it. It may run past the deadline.
	PostSettlement bool
	// Packages is the number of packages per blind-bidding round (default 5).
	Packages int
	// Clock is the session's time; nil means a new VirtualClock.
	Clock Clock
	// Record, if not nil, is called with every event in order.
	Record func(Event)
}

// Reasons a negotiation ends, in Result.Reason and the failure event's Note.
const (
	EndAgreement = "agreement"
	EndDeadline  = "deadline"
	EndWalkAway  = "walk-away"
	// EndExhausted: the mediator had nothing more to propose.
	EndExhausted = "exhausted"
)

// Result is how a negotiation ended.
type Result struct {
	Agreement space.Outcome // nil without agreement
	// Improved reports that a post-settlement round replaced the first
	// agreement.
	Improved bool
	Reason   string
	// Rounds is the last round played, not counting the confide and
	// post-settlement rounds.
	Rounds   int
	Messages int // questions and answers exchanged
	Time     time.Duration
	// Progress is the fraction of the deadline used when the first
	// agreement was reached or the negotiation ended, in [0,1]; utilities
	// are discounted by it.
	Progress float64
}

// Session is one negotiation. Run drives it from a single goroutine;
// Answer may be called from any goroutine.
type Session struct {
	spec  Spec
	clock Clock
	n     int

	seq      uint64
	qid      uint64
	round    int
	messages int
	roundEnd time.Duration // when the last exchange's round ended
	settling bool          // in the post-settlement round

	mu   sync.Mutex
	open []*ask // questions whose answers may still come through Answer
	wake chan struct{}

	// Scratch reused from round to round.
	asks    []ask
	answers []Answer
	texts   []space.Outcome
}

// NewSession checks spec and prepares a session.
func NewSession(spec Spec) (*Session, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	s := &Session{spec: spec, clock: spec.Clock, n: len(spec.Parties), wake: make(chan struct{}, 1)}
	if s.clock == nil {
		s.clock = &VirtualClock{}
	}
	if s.spec.Packages == 0 {
		s.spec.Packages = 5
	}
	s.asks = make([]ask, s.n)
	s.answers = make([]Answer, s.n)
	s.texts = make([]space.Outcome, s.n)
	return s, nil
}

func (sp *Spec) validate() error {
	if sp.Domain == nil {
		return errors.New("negotiation without a domain")
	}
	if sp.Protocol >= protocolEnd {
		return fmt.Errorf("unknown protocol %d", sp.Protocol)
	}
	min := 2
	if sp.Protocol != AlternatingOffers {
		min = 1
	}
	if len(sp.Parties) < min {
		return fmt.Errorf("%s needs at least %d parties, has %d", sp.Protocol, min, len(sp.Parties))
	}
	if sp.Mediator == nil && (sp.Protocol != AlternatingOffers || sp.PostSettlement) {
		return fmt.Errorf("%s needs a mediator", sp.Protocol)
	}
	if sp.Rounds < 0 || sp.Deadline < 0 || sp.RoundTime < 0 || sp.Packages < 0 {
		return errors.New("negative rounds, deadline, round time or package count")
	}
	if sp.Rounds == 0 && (sp.Deadline == 0 || sp.RoundTime == 0) {
		return errors.New("a negotiation needs a deadline in rounds, or one in time with a positive round time")
	}
	for i := range sp.Parties {
		st := &sp.Parties[i]
		if st.Name == "" || st.Name == MediatorName || st.Name == Everyone {
			return fmt.Errorf("party %d: name %q is reserved", i+1, st.Name)
		}
		if st.Party == nil {
			return fmt.Errorf("party %q has no strategy", st.Name)
		}
		if err := st.Channel.Validate(); err != nil {
			return fmt.Errorf("party %q: %w", st.Name, err)
		}
		for _, o := range sp.Parties[:i] {
			if o.Name == st.Name {
				return fmt.Errorf("party %q appears twice", st.Name)
			}
		}
	}
	return nil
}

// Run plays the negotiation to its end. The error is for broken parties or
// mediators (an answer that does not fit its question, a text outside the
// domain), a stalled virtual clock and the end of ctx; a negotiation that
// fails to agree is a Result, not an error.
func (s *Session) Run(ctx context.Context) (*Result, error) {
	s.record(Event{Time: s.clock.Now(), Kind: KindStart, To: Everyone, Note: s.spec.Protocol.String()})
	var (
		res *Result
		err error
	)
	switch s.spec.Protocol {
	case Shuttle:
		res, err = s.runShuttle(ctx)
	case SingleText:
		res, err = s.runSingleText(ctx)
	case AlternatingOffers:
		res, err = s.runAlternating(ctx)
	case BlindBidding:
		res, err = s.runBlind(ctx)
	}
	s.closeAll()
	if err != nil {
		return nil, fmt.Errorf("%s negotiation, round %d: %w", s.spec.Protocol, s.round, err)
	}
	return res, nil
}

// record numbers e and hands it on.
func (s *Session) record(e Event) {
	s.seq++
	e.Seq = s.seq
	e.Round = s.round
	if e.Kind.isMessage() {
		s.messages++
	}
	if s.spec.Record != nil {
		s.spec.Record(e)
	}
}

// progress is the fraction of the deadline reached at round r and time now.
func (s *Session) progress(r int, now time.Duration) float64 {
	q := Question{Round: r, Rounds: s.spec.Rounds, Time: now, Deadline: s.spec.Deadline}
	return q.Progress()
}

// deadline is the time limit, Never if there is none or the negotiation is
// past its agreement.
func (s *Session) deadline() time.Duration {
	if s.spec.Deadline > 0 && !s.settling {
		return s.spec.Deadline
	}
	return Never
}

// over reports whether round r may not start because a deadline has passed.
func (s *Session) over(r int) bool {
	return s.spec.Rounds > 0 && r > s.spec.Rounds || s.clock.Now() >= s.deadline()
}

// agree ends the negotiation with an agreement on o, reached at progress t,
// and plays the post-settlement round if there is one.
func (s *Session) agree(ctx context.Context, o space.Outcome, t float64) (*Result, error) {
	s.record(Event{Time: s.clock.Now(), Kind: KindAgreement, To: Everyone, Outcome: o})
	res := &Result{Agreement: o, Reason: EndAgreement, Rounds: s.round, Progress: t}
	if s.spec.PostSettlement {
		if err := s.improve(ctx, res); err != nil {
			return nil, err
		}
	}
	res.Messages, res.Time = s.messages, s.clock.Now()
	return res, nil
}

// fail ends the negotiation without agreement.
func (s *Session) fail(reason string) *Result {
	now := s.clock.Now()
	if reason == EndDeadline {
		now = min(now, s.deadline())
	}
	s.record(Event{Kind: KindFailure, To: Everyone, Time: now, Note: reason})
	return &Result{Reason: reason, Rounds: s.round, Messages: s.messages, Time: now, Progress: s.progress(s.round, now)}
}

// stop ends the negotiation on an error, or without agreement for reason.
func (s *Session) stop(reason string, err error) (*Result, error) {
	if err != nil {
		return nil, err
	}
	return s.fail(reason), nil
}

// improve is the post-settlement round.
func (s *Session) improve(ctx context.Context, res *Result) error {
	p := s.spec.Mediator.Improve(res.Agreement)
	if p == nil || p.Equal(res.Agreement) {
		return nil
	}
	if err := s.spec.Domain.Check(p); err != nil {
		return fmt.Errorf("mediator's improvement: %w", err)
	}
	rounds := s.round
	s.round++
	s.settling = true
	defer func() { s.round, s.settling = rounds, false }()
	asks := s.askAll(KindImprove)
	for i := range asks {
		asks[i].q.Text, asks[i].q.Current = p, res.Agreement
	}
	end, err := s.exchange(ctx, asks, s.spec.RoundTime, MediatorName)
	if err != nil || end != "" {
		return err
	}
	for i := range asks {
		if asks[i].state != answered || !asks[i].a.Yes {
			return nil
		}
	}
	res.Agreement, res.Improved = p, true
	s.record(Event{Time: s.clock.Now(), Kind: KindAgreement, To: Everyone, Outcome: p, Note: "post-settlement"})
	return nil
}

// confide asks every party what it confides to the mediator and opens the
// mediator's brief. It reports a deadline or walk-away that ended it.
func (s *Session) confide(ctx context.Context) (string, error) {
	b := &Brief{
		Domain:   s.spec.Domain,
		Protocol: s.spec.Protocol,
		Parties:  make([]string, s.n),
		Confided: make([]*Confided, s.n),
		Rounds:   s.spec.Rounds,
		Deadline: s.spec.Deadline,
	}
	asks := s.askAll(KindAskConfide)
	end, err := s.exchange(ctx, asks, s.spec.RoundTime, MediatorName)
	if err != nil || end != "" {
		return end, err
	}
	for i := range asks {
		b.Parties[i] = s.spec.Parties[i].Name
		if c := asks[i].a.Confided; asks[i].state == answered && c.Level != Nothing {
			b.Confided[i] = c
		}
	}
	if err := s.spec.Mediator.Open(b); err != nil {
		return "", fmt.Errorf("mediator: %w", err)
	}
	return "", s.clock.Wait(ctx, s.roundEnd, nil)
}

// askAll prepares one question of kind k for every party.
func (s *Session) askAll(k Kind) []ask {
	asks := s.asks[:s.n]
	for i := range asks {
		asks[i] = ask{party: i, q: Question{Kind: k}}
	}
	return asks
}

// collect gathers the answers of a round in party order for the mediator.
func (s *Session) collect(asks []ask) []Answer {
	for i := range asks {
		if asks[i].state == answered {
			s.answers[i] = asks[i].a
		} else {
			s.answers[i] = Answer{Kind: KindMissed}
		}
	}
	return s.answers
}
