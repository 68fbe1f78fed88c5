package deal

import (
	"fmt"
	"slices"
	"time"
)

// Recommend gives the ruling the evidence-based policy of the package
// documentation makes on an open breach, ready to Do.
func (m *Implementation) Recommend(id int) (Rule, error) {
	if err := m.active(); err != nil {
		return Rule{}, err
	}
	if id < 1 || id > len(m.breaches) {
		return Rule{}, invalid("no breach %d", id)
	}
	b := &m.breaches[id-1]
	if b.verdict != "" {
		return Rule{}, conflict("breach %d is already ruled %s", id, b.verdict)
	}
	r := Rule{By: Mediator, Breach: id}
	if b.subject.Phase == 0 {
		r.Verdict, r.Reason = m.judgeFoul(b)
	} else {
		r.Verdict, r.Reason = m.judgeDelivery(b)
	}
	return r, nil
}

func (m *Implementation) judgeFoul(b *breach) (Verdict, string) {
	rule := m.s.rule(b.subject.Rule)
	at := time.Duration(b.evidence.At)
	if !m.inForce(rule, at) {
		return Unfounded, fmt.Sprintf("rule %q was not in force at %v", rule.Name, b.evidence.At)
	}
	n := m.fouls[b.accused] + 1
	if limit := m.s.sc.Plan.Breach.MajorFouls; limit > 0 && n >= limit {
		return Major, fmt.Sprintf("foul %d of %s, of rule %q: from foul %d a foul is major", n, m.s.Parties[b.accused], rule.Name, limit)
	}
	return Minor, fmt.Sprintf("foul %d of %s, of rule %q", n, m.s.Parties[b.accused], rule.Name)
}

// inForce reports whether a standing rule applied at time at: within the
// implementation period and, for a rule with a window, within the window
// of the phase at that time.
func (m *Implementation) inForce(r *StandingRule, at time.Duration) bool {
	phs := m.s.Phases
	p, found := slices.BinarySearchFunc(phs, at, func(ph Phase, t time.Duration) int {
		switch {
		case time.Duration(ph.End) <= t:
			return -1
		case time.Duration(ph.Start) > t:
			return 1
		}
		return 0
	})
	if !found {
		return false
	}
	if r.Window == nil {
		return true
	}
	off := at - time.Duration(phs[p].Start)
	return off >= time.Duration(r.Window.From) && off < time.Duration(r.Window.To)
}

func (m *Implementation) judgeDelivery(b *breach) (Verdict, string) {
	x := m.s.sc.Plan.Breach
	s := b.subject
	o, k, _ := m.obligation(s.Phase, s.Obligation)
	sl := &m.slots[s.Phase-1][k]
	// The independent verifiers' counts are the evidence; the receiver's
	// when the obligation names no independent verifier.
	neutral := slices.IndexFunc(o.Verifiers, func(a Actor) bool { return a.Role == VerifierRole })
	short := 0
	for i := range m.deliveries {
		d := &m.deliveries[i]
		if d.phase != s.Phase-1 || d.slot != k || !d.done {
			continue
		}
		found := d.counts[0]
		if neutral >= 0 {
			found = slices.Min(d.counts[neutral:])
		}
		short += d.quantity - found
	}
	due := time.Duration(o.Due)
	missing := o.Quantity - sl.claimed
	overdue := missing > 0 && m.now >= due
	what := fmt.Sprintf("%s of phase %d", o.Kind, s.Phase)
	switch {
	case short > 0 && float64(short) >= x.MajorShortfall*float64(o.Quantity):
		return Major, fmt.Sprintf("%d of %d %s short, at least a fraction %g", short, o.Quantity, what, x.MajorShortfall)
	case overdue && x.MajorLate > 0 && m.now-due >= x.MajorLate:
		return Major, fmt.Sprintf("%d of %d %s not delivered %v after the due time", missing, o.Quantity, what, m.now-due)
	case missing == 0 && x.MajorLate > 0 && sl.last-due >= x.MajorLate:
		return Major, fmt.Sprintf("%s delivered %v after the due time", what, sl.last-due)
	case (short > 0 || overdue) && m.minors[o.Index] > 0:
		return Major, fmt.Sprintf("%s short or late, again after a minor ruling on %s", what, o.Kind)
	case short > 0:
		return Minor, fmt.Sprintf("%d of %d %s short", short, o.Quantity, what)
	case overdue:
		return Minor, fmt.Sprintf("%d of %d %s not delivered by the due time", missing, o.Quantity, what)
	case missing > 0:
		return Unfounded, fmt.Sprintf("%s not due until %v", what, o.Due)
	}
	if sl.pending > 0 {
		return Unfounded, fmt.Sprintf("all %d %s delivered, %d awaiting verification", o.Quantity, what, sl.pending)
	}
	return Unfounded, fmt.Sprintf("all %d %s delivered and confirmed", o.Quantity, what)
}
