package negotiate

import (
	"context"
	"fmt"
	"slices"
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

// runShuttle: each round the mediator puts a text to every party in private
// and revises it from their answers, until every party accepts the same
// text.
func (s *Session) runShuttle(ctx context.Context) (*Result, error) {
	if end, err := s.confide(ctx); err != nil || end != "" {
		return s.stop(end, err)
	}
	med := s.spec.Mediator
	for r := 1; ; r++ {
		if s.over(r) {
			return s.fail(EndDeadline), nil
		}
		s.round = r
		t := s.progress(r, s.clock.Now())
		texts, err := s.draft(r, t)
		if err != nil || texts == nil {
			return s.stop(EndExhausted, err)
		}
		asks := s.askAll(KindText)
		for i := range asks {
			asks[i].q.Text = texts[i]
		}
		end, err := s.exchange(ctx, asks, s.spec.RoundTime, MediatorName)
		if err != nil || end != "" {
			return s.stop(end, err)
		}
		if allAccepted(asks, texts) {
			return s.agree(ctx, texts[0], s.progress(r, s.clock.Now()))
		}
		med.Hear(r, s.collect(asks))
		if err := s.clock.Wait(ctx, s.roundEnd, nil); err != nil {
			return nil, err
		}
	}
}

// draft asks the mediator for round r's texts; nil means it has none.
func (s *Session) draft(r int, t float64) ([]space.Outcome, error) {
	clear(s.texts)
	if !s.spec.Mediator.Draft(r, t, s.texts) {
		return nil, nil
	}
	for i, o := range s.texts {
		if err := s.spec.Domain.Check(o); err != nil {
			return nil, fmt.Errorf("mediator's text for %q: %w", s.spec.Parties[i].Name, err)
		}
	}
	return s.texts, nil
}

// runSingleText: the mediator proposes one text a round (texts[0] of its
// draft) and the parties vote; a proposal every party votes for becomes the
// current text, and the last current text when the negotiation ends is the
// agreement.
func (s *Session) runSingleText(ctx context.Context) (*Result, error) {
	if end, err := s.confide(ctx); err != nil || end != "" {
		return s.stop(end, err)
	}
	var current space.Outcome
	var reached float64
	reason := EndDeadline
	for r := 1; !s.over(r); r++ {
		s.round = r
		t := s.progress(r, s.clock.Now())
		texts, err := s.draft(r, t)
		if err != nil {
			return nil, err
		}
		if texts == nil {
			reason = EndExhausted
			break
		}
		asks := s.askAll(KindProposal)
		for i := range asks {
			asks[i].q.Text, asks[i].q.Current = texts[0], current
		}
		end, err := s.exchange(ctx, asks, s.spec.RoundTime, MediatorName)
		if err != nil {
			return nil, err
		}
		if end != "" {
			break
		}
		if allVoted(asks) {
			current, reached = texts[0], t
		}
		s.spec.Mediator.Hear(r, s.collect(asks))
		if err := s.clock.Wait(ctx, s.roundEnd, nil); err != nil {
			return nil, err
		}
	}
	if current == nil {
		return s.fail(reason), nil
	}
	return s.agree(ctx, current, reached)
}

func allVoted(asks []ask) bool {
	for i := range asks {
		if asks[i].state != answered || !asks[i].a.Yes {
			return false
		}
	}
	return true
}

// runBlind: each round every party picks, in confidence, which of the
// mediator's packages it accepts; the first round in which some package is
// picked by all settles on the one ranked best in total.
func (s *Session) runBlind(ctx context.Context) (*Result, error) {
	if end, err := s.confide(ctx); err != nil || end != "" {
		return s.stop(end, err)
	}
	med := s.spec.Mediator
	for r := 1; ; r++ {
		if s.over(r) {
			return s.fail(EndDeadline), nil
		}
		s.round = r
		t := s.progress(r, s.clock.Now())
		pk := med.Packages(r, t, s.spec.Packages)
		if len(pk) == 0 {
			return s.fail(EndExhausted), nil
		}
		if len(pk) > s.spec.Packages {
			return nil, fmt.Errorf("mediator drafted %d packages, %d allowed", len(pk), s.spec.Packages)
		}
		for j, o := range pk {
			if err := s.spec.Domain.Check(o); err != nil {
				return nil, fmt.Errorf("mediator's package %d: %w", j+1, err)
			}
		}
		asks := s.askAll(KindPackages)
		for i := range asks {
			asks[i].q.Packages = pk
		}
		end, err := s.exchange(ctx, asks, s.spec.RoundTime, MediatorName)
		if err != nil || end != "" {
			return s.stop(end, err)
		}
		if j := overlap(asks, len(pk)); j >= 0 {
			return s.agree(ctx, pk[j], s.progress(r, s.clock.Now()))
		}
		med.Hear(r, s.collect(asks))
		if err := s.clock.Wait(ctx, s.roundEnd, nil); err != nil {
			return nil, err
		}
	}
}

// overlap is the package every party picked with the best total rank
// (lowest index on ties), or -1.
func overlap(asks []ask, packages int) int {
	best, bestRank := -1, 0
	for j := range packages {
		rank := 0
		for i := range asks {
			k := &asks[i]
			pos := -1
			if k.state == answered {
				for p, pick := range k.a.Picks {
					if pick == j {
						pos = p
					}
				}
			}
			if pos < 0 {
				rank = -1
				break
			}
			rank += pos
		}
		if rank >= 0 && (best < 0 || rank < bestRank) {
			best, bestRank = j, rank
		}
	}
	return best
}

// runAlternating: stacked alternating offers without a mediator. Parties
// take turns in order; on its turn a party accepts the standing offer,
// makes a new one or walks away, and an offer every other party has
// accepted is the agreement. Offers and acceptances are public.
func (s *Session) runAlternating(ctx context.Context) (*Result, error) {
	if s.spec.Mediator != nil {
		if end, err := s.confide(ctx); err != nil || end != "" {
			return s.stop(end, err)
		}
	}
	var standing space.Outcome
	offerer, accepted := -1, make([]bool, s.n)
	turn := s.spec.RoundTime / time.Duration(s.n)
	for k := 0; ; k++ {
		p, r := k%s.n, k/s.n+1
		if s.over(r) {
			return s.fail(EndDeadline), nil
		}
		s.round = r
		asks := s.asks[:1]
		asks[0] = ask{party: p, q: Question{Kind: KindTurn, Text: standing, Own: p == offerer}}
		end, err := s.exchange(ctx, asks, turn, Everyone)
		if err != nil || end != "" {
			return s.stop(end, err)
		}
		if a := &asks[0]; a.state == answered {
			switch a.a.Kind {
			case KindAccept:
				accepted[p] = true
				if !slices.Contains(accepted, false) {
					return s.agree(ctx, standing, a.q.Progress())
				}
			case KindOffer:
				standing, offerer = a.a.Outcome, p
				clear(accepted)
				accepted[p] = true
			}
		}
		if err := s.clock.Wait(ctx, s.roundEnd, nil); err != nil {
			return nil, err
		}
	}
}
