package deal

import (
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/scenario"
)

// Player is a participant that acts of its own accord: a Bot, or the
// simulation's mediator. Both methods read the implementation and change
// nothing; a player keeps no state of its own, so that whoever rebuilds an
// implementation from its actions finds its players where they were.
type Player interface {
	// Due is the next time after the implementation's clock at which the
	// player means to act if nobody else does; false when it waits on
	// nothing, or only on others.
	Due(m *Implementation) (time.Duration, bool)
	// Act is what the player does at the implementation's clock, in the
	// order given; each action is valid after those before it.
	Act(m *Implementation) []Action
}

// maxPlay bounds the actions of one Play: a player that never stops acting
// at one instant is at fault, and must not hold a server.
const maxPlay = 1 << 20

// Play has the players act at m's clock, each in turn and over again,
// until none has anything more to do then or the implementation has ended.
// do applies an action to m, and may record it; its first error stops the
// play.
func Play(m *Implementation, ps []Player, do func(Action) error) error {
	for n := 0; ; {
		acted := false
		for _, p := range ps {
			for _, a := range p.Act(m) {
				if m.State() != Active {
					return nil
				}
				if n++; n > maxPlay {
					return shuttle.Errorf(shuttle.EInternal, "the built-in participants did not settle at %v", Duration(m.Now()))
				}
				if err := do(a); err != nil {
					return err
				}
				acted = true
			}
		}
		if !acted {
			return nil
		}
	}
}

// Wake is when something next happens if nobody acts before: the
// implementation's next deadline or the earliest time a player means to
// act; false when neither is pending.
func Wake(m *Implementation, ps []Player) (time.Duration, bool) {
	t, ok := m.Next()
	for _, p := range ps {
		if d, due := p.Due(m); due && (!ok || d < t) {
			t, ok = d, true
		}
	}
	return t, ok
}

// Bot plays a party or an independent verifier of an implementation as the
// plan's behaviour says (see Simulate for the course it gives when every
// participant is a bot), acting only as that participant:
//
//   - A party submits each of its lists one protocol round before it is
//     due, or at once if that has passed.
//   - It delivers each of its obligations in a phase once, in full, once
//     the phase has started and its lists are in: halfway from the phase's
//     start to the due time, or, if it draws lateness, LateBy after the due
//     time. If it draws a shortfall, the delivery lacks ShortBy of the
//     phase's quantity (at least one item), and every bot verifying it
//     counts that many fewer.
//   - It confirms what it receives, or disputes it with that count.
//   - It reports an obligation owed to it that is overdue or verified
//     short, once for each such fault, when no report on it is open.
//   - It cures a minor breach against it: a foul at once; an obligation
//     once it is verified in full, delivering what is missing halfway from
//     the ruling to the cure deadline (or when its last delivery has been
//     verified, if later), unless that one attempt fails, with its
//     short-delivery probability.
//   - A bot party may draw, at each phase's start, a foul of a standing rule
//     binding it, at a whole minute within the rule's window (or the
//     phase). Only bots can see it: the first other bot party reports it,
//     once no report of that rule against the same party is open.
//   - It answers an extension offer at once, accepting with its
//     probability.
//   - An independent verifier confirms each delivery it verifies, or
//     disputes it when the deliverer drew a shortfall.
//
// What a person delivers is taken as claimed, and a person's fouls are for
// people to report. Every draw is a function of the seed, the party whose
// conduct it is and what it is about (the phase and obligation, the rule,
// the breach, the offer), never of the order of the draws, so that a bot
// is a function of the implementation's state and clock: the same seed
// gives the same conduct, after a restart too.
type Bot struct {
	actor Actor
	seed  uint64
	bots  []int // the parties bots play, in order
}

// NewBots makes the bots playing actors (parties and independent
// verifiers) in one implementation, drawing from seed. Parties not among
// actors are people.
func NewBots(seed uint64, actors []Actor) []*Bot {
	var parties []int
	for _, a := range actors {
		if a.Role == PartyRole && !slices.Contains(parties, a.Index) {
			parties = append(parties, a.Index)
		}
	}
	slices.Sort(parties)
	bots := make([]*Bot, len(actors))
	for i, a := range actors {
		bots[i] = &Bot{actor: a, seed: seed, bots: parties}
	}
	return bots
}

// Actor is the participant the bot plays.
func (b *Bot) Actor() Actor { return b.actor }

// Due is the next time after m's clock at which the bot means to act.
func (b *Bot) Due(m *Implementation) (time.Duration, bool) { return due(m, b.intents) }

// Act is what the bot does at m's clock.
func (b *Bot) Act(m *Implementation) []Action { return act(m, b.intents) }

// planner collects what a player means to do: the actions due at the
// implementation's clock when acting, else the next time one falls due.
type planner struct {
	now    time.Duration
	acting bool
	acts   []Action
	next   time.Duration
	found  bool
}

// at reports whether an action meant for time t is to be taken now; if it
// is not, t may be the time to wake.
func (p *planner) at(t time.Duration) bool {
	if t <= p.now {
		return p.acting
	}
	if !p.found || t < p.next {
		p.next, p.found = t, true
	}
	return false
}

func (p *planner) do(a Action) { p.acts = append(p.acts, a) }

// due is Player.Due of a player that plans with intents.
func due(m *Implementation, intents func(*Implementation, *planner)) (time.Duration, bool) {
	p := planner{now: m.Now()}
	intents(m, &p)
	return p.next, p.found
}

// act is Player.Act of a player that plans with intents.
func act(m *Implementation, intents func(*Implementation, *planner)) []Action {
	p := planner{now: m.Now(), acting: true}
	intents(m, &p)
	return p.acts
}

// intents tells p what the bot means to do, as things stand. Due and Act
// both come from it, so that they cannot disagree: what Due promises for a
// time, Act does at that time unless someone acts before.
func (b *Bot) intents(m *Implementation, p *planner) {
	if m.State() != Active {
		return
	}
	if b.actor.Role == PartyRole {
		breaches := m.Breaches()
		b.lists(m, p)
		b.deliveries(m, breaches, p)
		b.reports(m, breaches, p)
		b.cures(m, breaches, p)
		b.fouls(m, breaches, p)
		if off, ok := m.Offer(); ok && !off.Accepted[b.actor.Index] && p.at(p.now) {
			r := b.draws(b.actor.Index, drawExtension, off.Offer, 0)
			p.do(AnswerExtension{By: b.actor, Accept: r.float() < m.behaviour(b.actor.Index).AcceptExtension})
		}
	}
	b.verify(m, p)
}

// What a draw is about; part of its key.
const (
	drawDelivery = iota + 1
	drawFoul
	drawCure
	drawExtension
)

// stream is the random numbers of one decision: SplitMix64 over a key made
// of the seed, the party whose conduct it is and what it is about.
type stream struct{ key, n uint64 }

func (b *Bot) draws(party, what, x, y int) stream {
	return stream{key: mix(mix(mix(mix(b.seed, uint64(party)), uint64(what)), uint64(x)), uint64(y))}
}

func (s *stream) uint64() uint64 {
	s.n++
	return mix(s.key, s.n)
}

// float is uniform in [0, 1).
func (s *stream) float() float64 { return float64(s.uint64()>>11) / (1 << 53) }

// intN is uniform in [0, n), but for a bias of n/2^64.
func (s *stream) intN(n int) int {
	hi, _ := bits.Mul64(s.uint64(), uint64(n))
	return int(hi)
}

// mix is a step of SplitMix64, which spreads keys that differ in one bit
// over the whole word.
func mix(h, x uint64) uint64 {
	z := h ^ x + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (b *Bot) isBot(party int) bool { return slices.Contains(b.bots, party) }

// plan is when a bot delivers an obligation of a phase, and whether that
// delivery falls short.
func (b *Bot) plan(m *Implementation, o *ObligationStatus) (time.Duration, bool) {
	bh := m.behaviour(o.Party)
	r := b.draws(o.Party, drawDelivery, o.Phase, o.Index)
	late := r.float() < bh.Late
	short := r.float() < bh.Short
	if late {
		return time.Duration(o.Due) + bh.LateBy, short
	}
	start := time.Duration(m.s.Phases[o.Phase-1].Start)
	return start + (time.Duration(o.Due)-start)/2, short
}

func (b *Bot) lists(m *Implementation, p *planner) {
	round := m.s.sc.Protocol.RoundTime
	for n, ph := range m.s.Phases {
		for k := range ph.Lists {
			l, _ := m.List(n+1, k)
			if l.Party == b.actor.Index && !l.Submitted && p.at(time.Duration(l.Due)-round) {
				p.do(SubmitList{By: b.actor, Phase: l.Phase, List: l.Index, Items: m.s.items(l.Phase, l.Obligation)})
			}
		}
	}
}

// listed reports whether the lists of an obligation of phase n are in.
func listed(m *Implementation, n, ob int) bool {
	for k := range m.s.Phases[n-1].Lists {
		if l, _ := m.List(n, k); l.Obligation == ob && !l.Submitted {
			return false
		}
	}
	return true
}

// deliveries plans the bot's deliveries: each obligation's once, and a
// cure attempt.
func (b *Bot) deliveries(m *Implementation, breaches []Breach, p *planner) {
	for n := 1; n <= m.Started(); n++ {
		for k := range m.s.Phases[n-1].Obligations {
			o, _ := m.Obligation(n, k)
			if o.Party != b.actor.Index || o.Owed() <= 0 || !listed(m, n, o.Index) {
				continue
			}
			var at time.Duration
			if o.Delivered == 0 {
				at, _ = b.plan(m, &o)
			} else if t, ok := b.cureAttempt(m, &o, breaches); ok {
				at = t
			} else {
				continue
			}
			if p.at(at) {
				p.do(Deliver{By: b.actor, Phase: n, Obligation: o.Index, Quantity: o.Owed()})
			}
		}
	}
}

// cureAttempt is when the bot tries to make good an obligation under a
// minor ruling, and false when it does not: none is needed, a delivery is
// still being verified, the one attempt has been made, or it fails.
func (b *Bot) cureAttempt(m *Implementation, o *ObligationStatus, breaches []Breach) (time.Duration, bool) {
	s := Subject{Phase: o.Phase, Obligation: o.Index}
	i := slices.IndexFunc(breaches, func(br Breach) bool {
		return br.Verdict == Minor && br.Cured == nil && br.Subject == s && br.Accused == m.s.Parties[o.Party]
	})
	if i < 0 || o.Pending > 0 {
		return 0, false
	}
	br := &breaches[i]
	ruled, cureBy := time.Duration(*br.Ruled), time.Duration(*br.CureBy)
	// The obligation's first delivery is not an attempt, even if it came
	// after the ruling.
	for _, id := range o.Deliveries[1:] {
		if d, _ := m.Delivery(id); d.At >= ruled {
			return 0, false
		}
	}
	r := b.draws(o.Party, drawCure, br.ID, 0)
	if r.float() < m.behaviour(o.Party).Short {
		return 0, false
	}
	last, _ := m.Delivery(o.Deliveries[len(o.Deliveries)-1])
	return max(ruled+(cureBy-ruled)/2, last.DoneAt), true
}

// verify answers the deliveries the bot verifies.
func (b *Bot) verify(m *Implementation, p *planner) {
	if !p.at(p.now) {
		return
	}
	for _, d := range m.Awaiting(b.actor) {
		if lack := b.lack(m, &d); lack > 0 {
			found := d.Quantity - lack
			p.do(Dispute{By: b.actor, Delivery: d.ID, Counted: found, Reason: fmt.Sprintf("%d of %d found", found, d.Quantity)})
		} else {
			p.do(Confirm{By: b.actor, Delivery: d.ID})
		}
	}
}

// lack is how many items of a delivery are missing: those of a bot's
// short delivery, the first of its obligation in the phase.
func (b *Bot) lack(m *Implementation, d *DeliveryStatus) int {
	if !b.isBot(d.Party) {
		return 0
	}
	o, _ := m.Obligation(d.Phase, m.s.Phases[d.Phase-1].obligation(d.Obligation))
	if o.Deliveries[0] != d.ID {
		return 0
	}
	if _, short := b.plan(m, &o); !short {
		return 0
	}
	return min(d.Quantity, max(1, roundHalfUp(m.behaviour(d.Party).ShortBy*float64(o.Quantity))))
}

// open reports whether a breach report keeps another on the same matter
// from being made.
func open(br *Breach) bool { return br.Verdict == "" || br.Verdict == Minor && br.Cured == nil }

// reports reports the faults of obligations owed to the bot.
func (b *Bot) reports(m *Implementation, breaches []Breach, p *planner) {
	for n := 1; n <= m.Started(); n++ {
		for k := range m.s.Phases[n-1].Obligations {
			o, _ := m.Obligation(n, k)
			if o.To != b.actor.Index || o.Owed() <= 0 {
				continue
			}
			// The latest fault: the due time passing, or a delivery
			// verified short.
			since, short := time.Duration(-1), 0
			if o.Overdue {
				since = time.Duration(o.Due)
			}
			for _, id := range o.Deliveries {
				if d, _ := m.Delivery(id); d.Done && d.Verified < d.Quantity && d.DoneAt >= since {
					since, short = d.DoneAt, id
				}
			}
			s := Subject{Phase: n, Obligation: o.Index}
			accused := m.s.Parties[o.Party]
			if since < 0 || slices.ContainsFunc(breaches, func(br Breach) bool {
				return br.Accused == accused && br.Subject == s && (open(&br) || time.Duration(br.Reported) >= since)
			}) || !p.at(since) {
				continue
			}
			text := fmt.Sprintf("%d %s not delivered by the due time", o.Owed(), o.Kind)
			if short > 0 {
				d, _ := m.Delivery(short)
				text = fmt.Sprintf("delivery %d: %d of %d found", short, d.Verified, d.Quantity)
			}
			p.do(ReportBreach{By: b.actor, Accused: o.Party, Subject: s, Evidence: Evidence{Text: text, At: Duration(since)}})
		}
	}
}

// cures cures the minor breaches against the bot that it can cure now.
func (b *Bot) cures(m *Implementation, breaches []Breach, p *planner) {
	me := m.s.Parties[b.actor.Index]
	for _, br := range breaches {
		if br.Accused != me || br.Verdict != Minor || br.Cured != nil || !p.at(p.now) {
			continue
		}
		note := "stopped"
		if s := br.Subject; s.Phase > 0 {
			if o, _ := m.Obligation(s.Phase, m.s.Phases[s.Phase-1].obligation(s.Obligation)); o.Verified < o.Quantity {
				continue
			}
			note = "delivered in full"
		}
		p.do(Cure{By: b.actor, Breach: br.ID, Note: note})
	}
}

// fouls reports the fouls of the bot parties whose reporter this bot is.
func (b *Bot) fouls(m *Implementation, breaches []Breach, p *planner) {
	me := b.actor.Index
	for _, i := range b.bots {
		if i == me || b.reporter(i) != me {
			continue
		}
		accused := m.s.Parties[i]
		// Of each rule, the earliest foul not reported waits for the
		// reports before it to be settled; later ones wait behind it.
		var waiting []int
		for n := 1; n <= m.Started(); n++ {
			r, at, ok := b.foul(m, i, n)
			if !ok || slices.Contains(waiting, r.Index) {
				continue
			}
			s := Subject{Rule: r.Index}
			if slices.ContainsFunc(breaches, func(br Breach) bool {
				return br.Accused == accused && br.Subject == s && time.Duration(br.Evidence.At) == at
			}) {
				continue
			}
			waiting = append(waiting, r.Index)
			if slices.ContainsFunc(breaches, func(br Breach) bool { return br.Accused == accused && br.Subject == s && open(&br) }) || !p.at(at) {
				continue
			}
			text := fmt.Sprintf("%s: %s at %v", r.Name, r.Forbids, Duration(at))
			p.do(ReportBreach{By: b.actor, Accused: i, Subject: s, Evidence: Evidence{Text: text, At: Duration(at)}})
		}
	}
}

// reporter is the bot party that sees party i's fouls: the first other.
func (b *Bot) reporter(i int) int {
	for _, p := range b.bots {
		if p != i {
			return p
		}
	}
	return -1
}

// foul is the foul bot party i draws at the start of phase n, if any: the
// rule and when.
func (b *Bot) foul(m *Implementation, i, n int) (*StandingRule, time.Duration, bool) {
	r := b.draws(i, drawFoul, n, 0)
	if r.float() >= m.behaviour(i).Foul {
		return nil, 0, false
	}
	var rule *StandingRule
	binding := 0
	for k := range m.s.Rules {
		if slices.Contains(m.s.Rules[k].Binds, i) {
			binding++
		}
	}
	if binding == 0 {
		return nil, 0, false
	}
	pick := r.intN(binding)
	for k := range m.s.Rules {
		if slices.Contains(m.s.Rules[k].Binds, i) {
			if pick == 0 {
				rule = &m.s.Rules[k]
				break
			}
			pick--
		}
	}
	from, span := time.Duration(0), m.s.sc.Plan.Phases.Duration
	if w := rule.Window; w != nil {
		from, span = time.Duration(w.From), time.Duration(w.To-w.From)
	}
	minutes := max(1, int(span/time.Minute))
	at := time.Duration(m.s.Phases[n-1].Start) + from + time.Duration(r.intN(minutes))*time.Minute
	return rule, at, true
}

// behaviour is how party p behaves, as the plan says.
func (m *Implementation) behaviour(p int) *scenario.Behaviour { return &m.s.sc.Plan.Behaviour[p] }

// items names what a list identifies in phase n: one item each, or a range
// when there are many, numbered on from earlier phases.
func (s *Schedule) items(n, ob int) []string {
	from := 1
	for _, ph := range s.Phases[:n-1] {
		if k := ph.obligation(ob); k >= 0 {
			from += ph.Obligations[k].Quantity
		}
	}
	ph := &s.Phases[n-1]
	o := &ph.Obligations[ph.obligation(ob)]
	if o.Quantity > 100 {
		return []string{fmt.Sprintf("%s #%d–#%d", o.Kind, from, from+o.Quantity-1)}
	}
	items := make([]string, o.Quantity)
	for i := range items {
		items[i] = fmt.Sprintf("%s #%d", o.Kind, from+i)
	}
	return items
}
