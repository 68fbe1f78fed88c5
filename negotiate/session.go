package negotiate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shuttle-mediation/shuttle/space"
)

// Protocol is a negotiation protocol.
type Protocol uint8

const (
	// Shuttle: each round the mediator puts a text to each party in
	// private; parties accept, object, counter-propose or walk away.
	Shuttle Protocol = iota
	// SingleText: the mediator proposes, the parties vote, in the style of
	// Klein et al. (2003); the last proposal all voted for is the agreement.
	SingleText
	// AlternatingOffers: direct stacked alternating offers, no mediator.
	AlternatingOffers
	// BlindBidding: parties pick, in confidence, which of the mediator's
	// packages they accept; they settle where their picks overlap.
	BlindBidding
	protocolEnd
)

var protocolNames = [protocolEnd]string{"shuttle", "single-text", "alternating-offers", "blind-bidding"}

// String is the protocol's name on the command line and in scenario files.
func (p Protocol) String() string {
	if p < protocolEnd {
		return protocolNames[p]
	}
	return fmt.Sprintf("protocol(%d)", uint8(p))
}

// ParseProtocol is the inverse of String.
func ParseProtocol(s string) (Protocol, error) {
	for p := Shuttle; p < protocolEnd; p++ {
		if protocolNames[p] == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown protocol %q (want shuttle, single-text, alternating-offers or blind-bidding)", s)
}

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
type Spec struct {
	Domain   *space.Domain
	Protocol Protocol
	Parties  []Seat
	// Mediator is required by every protocol but alternating offers, which
	// uses one only for a post-settlement round.
	Mediator Mediator
	// Rounds is the deadline in rounds and Deadline the deadline in time
	// since the start; 0 means none, and at least one must be set.
	Rounds   int
	Deadline time.Duration
	// RoundTime is how long a round lasts before channel delays: the
	// mediator's texts go out at its start and the answers are due by
	// RoundTime plus twice the slowest channel's delay. In alternating
	// offers each turn takes RoundTime divided by the number of parties.
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

// Answer delivers a party's late answer to question id. It fails when the
// question is not open (answered, closed with its round, or never asked of
// that party) or the answer does not fit it.
func (s *Session) Answer(party string, id uint64, a Answer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.open {
		if k.q.ID != id || s.spec.Parties[k.party].Name != party {
			continue
		}
		if k.state != waiting {
			break
		}
		if err := k.q.check(s.spec.Domain, &a); err != nil {
			return fmt.Errorf("answer from %q to question %d: %w", party, id, err)
		}
		k.a, k.state = a, arrived
		select {
		case s.wake <- struct{}{}:
		default:
		}
		return nil
	}
	return fmt.Errorf("party %q has no open question %d", party, id)
}

func (s *Session) closeAll() {
	s.mu.Lock()
	s.open = s.open[:0]
	s.mu.Unlock()
}

// The states of a question.
const (
	waiting  = iota // asked; the answer will come through Session.Answer
	due             // answered at once; the answer reaches the mediator at ask.at
	arrived         // answered through Session.Answer, not yet recorded
	answered        // the answer is recorded
	missed          // the round ended without it
)

type ask struct {
	party int
	q     Question
	a     Answer
	at    time.Duration
	state uint8
}

// exchange puts the questions to their parties now and waits for the
// answers as the round's rules say. The round lasts window plus twice the
// slowest channel's delay; s.roundEnd is set to when it ended. Answers go to
// "to" (the mediator, or Everyone in direct negotiation); turns, whose
// questions are the previous public offer, are not recorded. It returns
// EndWalkAway or EndDeadline when one of them ended the negotiation.
func (s *Session) exchange(ctx context.Context, asks []ask, window time.Duration, to string) (string, error) {
	start := s.clock.Now()
	var slowest time.Duration
	// Questions are open before they are asked: a person may answer
	// through Session.Answer before Ask has returned.
	s.mu.Lock()
	for i := range asks {
		k := &asks[i]
		s.qid++
		k.q.ID, k.q.Round, k.q.Rounds, k.q.Deadline = s.qid, s.round, s.spec.Rounds, s.spec.Deadline
		k.state = waiting
		s.open = append(s.open, k)
	}
	s.mu.Unlock()
	defer s.closeAll()
	for i := range asks {
		k := &asks[i]
		st := &s.spec.Parties[k.party]
		k.q.Time = st.Channel.Arrival(start)
		slowest = max(slowest, st.Channel.Delay)
		a, now := st.Party.Ask(&k.q)
		if !now {
			continue
		}
		if err := k.q.check(s.spec.Domain, &a); err != nil {
			return "", fmt.Errorf("party %q: %w", st.Name, err)
		}
		s.mu.Lock()
		k.a, k.state, k.at = a, due, st.Channel.Arrival(k.q.Time)
		s.mu.Unlock()
	}
	if asks[0].q.Kind != KindTurn {
		for i := range asks {
			k := &asks[i]
			s.record(Event{Time: start, From: MediatorName, To: s.spec.Parties[k.party].Name, Kind: k.q.Kind, Outcome: k.q.Text, Outcomes: k.q.Packages})
		}
	}

	end := start + window + 2*slowest
	deadline := s.deadline()
	for {
		now := s.clock.Now()
		// Record what has arrived: answers given at once, in time order
		// (party order on ties), then late ones. States are read under the
		// lock, which Answer takes, and events recorded outside it, for the
		// recorder may call Answer.
		for {
			next := s.arrived(asks, now, deadline)
			if next == nil {
				break
			}
			at := next.at
			if next.state == arrived {
				at = now
			}
			if s.deliver(next, at, to) {
				return EndWalkAway, nil
			}
		}
		s.mu.Lock()
		out, next := 0, Never
		for i := range asks {
			switch k := &asks[i]; k.state {
			case due:
				out++
				next = min(next, k.at)
			case waiting, arrived:
				out++
			}
		}
		s.mu.Unlock()
		switch {
		case out == 0 && (s.spec.EarlyClose || now >= end):
			s.roundEnd = max(now, end)
			if s.spec.EarlyClose {
				s.roundEnd = now
			}
			return "", nil
		case now >= deadline:
			return EndDeadline, nil
		case now >= end && s.spec.Absence == Skip:
			s.mu.Lock()
			var gone []*ask
			for i := range asks {
				if k := &asks[i]; k.state != answered {
					k.state = missed
					gone = append(gone, k)
				}
			}
			s.mu.Unlock()
			for _, k := range gone {
				s.record(Event{Time: now, From: s.spec.Parties[k.party].Name, To: to, Kind: KindMissed})
			}
			s.roundEnd = now
			return "", nil
		}
		if now < end {
			next = min(next, end)
		}
		if err := s.clock.Wait(ctx, min(next, deadline), s.wake); err != nil {
			return "", err
		}
	}
}

// arrived is the next answer to record by time now: the earliest answer
// given at once that has reached the mediator before the deadline, else
// a late one that came through Answer; nil if there is none.
func (s *Session) arrived(asks []ask, now, deadline time.Duration) *ask {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next *ask
	for i := range asks {
		k := &asks[i]
		if k.state == due && k.at <= now && k.at < deadline && (next == nil || k.at < next.at) {
			next = k
		}
	}
	if next != nil {
		return next
	}
	for i := range asks {
		if asks[i].state == arrived {
			return &asks[i]
		}
	}
	return nil
}

// deliver records k's answer as arriving at time at and reports whether it
// was a walk-away.
func (s *Session) deliver(k *ask, at time.Duration, to string) bool {
	s.mu.Lock()
	k.state = answered
	s.mu.Unlock()
	e := Event{Time: at, From: s.spec.Parties[k.party].Name, To: to, Kind: k.a.Kind,
		Outcome: k.a.Outcome, Objections: k.a.Objections, Yes: k.a.Yes, Picks: k.a.Picks, Confided: k.a.Confided}
	switch k.a.Kind {
	case KindAccept, KindObject, KindVote:
		e.Outcome, k.a.Outcome = k.q.Text, k.q.Text
	}
	s.record(e)
	return k.a.Kind == KindWalkAway
}

// allAccepted reports whether every party accepted, and accepted one text.
func allAccepted(asks []ask, texts []space.Outcome) bool {
	for i := range asks {
		if asks[i].state != answered || asks[i].a.Kind != KindAccept || !texts[i].Equal(texts[0]) {
			return false
		}
	}
	return true
}
