package negotiate

import (
	"context"
	"fmt"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
)

// Answer delivers a party's late answer to question id. It fails with a
// shuttle.Error of code EConflict when the question is not open (answered,
// closed with its round, or never asked of that party) and of code
// EInvalid when the answer does not fit it.
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
			return &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("answer from %q to question %d", party, id), Err: err}
		}
		k.a, k.state = a, arrived
		select {
		case s.wake <- struct{}{}:
		default:
		}
		return nil
	}
	return shuttle.Errorf(shuttle.EConflict, "party %q has no open question %d", party, id)
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
