package deal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Action is something a participant does, or time passing: Advance,
// SubmitList, Deliver, Confirm, Dispute, ReportBreach, Rule, Cure,
// OfferExtension and AnswerExtension.
type Action interface {
	apply(m *Implementation) error
}

// Advance moves the clock to To, firing what falls due on the way.
type Advance struct{ To time.Duration }

// SubmitList submits an identification list for a phase.
type SubmitList struct {
	By    Actor
	Phase int // from 1
	List  int // template index of the list
	Items []string
}

// Deliver delivers Quantity items of an obligation of a phase.
type Deliver struct {
	By         Actor
	Phase      int // from 1
	Obligation int // template index of the obligation
	Quantity   int
}

// Confirm confirms a whole delivery; By must be one of its verifiers.
type Confirm struct {
	By       Actor
	Delivery int // from 1
}

// Dispute disputes a delivery: By, one of its verifiers, counted fewer items
// than claimed.
type Dispute struct {
	By       Actor
	Delivery int
	Counted  int
	Reason   string
}

// ReportBreach reports that Accused broke an obligation or a standing rule.
type ReportBreach struct {
	By       Actor
	Accused  int
	Subject  Subject
	Evidence Evidence
}

// Rule is the mediator's ruling on a reported breach. For a minor breach,
// CureBy is the deadline to cure it; 0 means the scenario's cure time from
// now (a phase's length when the scenario sets none).
type Rule struct {
	By      Actor
	Breach  int // from 1
	Verdict Verdict
	CureBy  time.Duration
	Reason  string
}

// Cure says that the accused has cured a minor breach.
type Cure struct {
	By     Actor
	Breach int
	Note   string
}

// OfferExtension is the mediator offering the parties one more extension.
type OfferExtension struct{ By Actor }

// AnswerExtension is a party's answer to the extension on offer.
type AnswerExtension struct {
	By     Actor
	Accept bool
}

// Verdict is the mediator's ruling on a breach.
type Verdict string

// Verdicts.
const (
	Unfounded Verdict = "unfounded"
	Minor     Verdict = "minor" // to be cured by a deadline
	Major     Verdict = "major" // the agreement collapses
)

// Subject is what a breach report is about: the obligation with template
// index Obligation in phase Phase, or, when Phase is 0, the standing rule
// with template index Rule.
type Subject struct {
	Phase      int
	Obligation int
	Rule       int
}

type subjectJSON struct {
	Phase      int  `json:"phase,omitempty"`
	Obligation *int `json:"obligation,omitempty"`
	Rule       *int `json:"rule,omitempty"`
}

// MarshalJSON writes {"phase":p,"obligation":o} or {"rule":r}.
func (s Subject) MarshalJSON() ([]byte, error) {
	if s.Phase == 0 {
		return json.Marshal(subjectJSON{Rule: &s.Rule})
	}
	return json.Marshal(subjectJSON{Phase: s.Phase, Obligation: &s.Obligation})
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (s *Subject) UnmarshalJSON(b []byte) error {
	var j subjectJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	switch {
	case j.Rule != nil && j.Phase == 0 && j.Obligation == nil:
		*s = Subject{Rule: *j.Rule}
	case j.Rule == nil && j.Phase > 0 && j.Obligation != nil:
		*s = Subject{Phase: j.Phase, Obligation: *j.Obligation}
	default:
		return fmt.Errorf("a breach subject is {\"phase\": p, \"obligation\": o} or {\"rule\": r}")
	}
	return nil
}

// Evidence supports a breach report: what the reporter saw, and when the
// act or fault happened.
type Evidence struct {
	Text string   `json:"text"`
	At   Duration `json:"at"`
}

// MaxListItems bounds the items of one identification list.
const MaxListItems = 10000

func (a Advance) apply(m *Implementation) error {
	if a.To < m.now {
		return invalid("time cannot go back from %v to %v", m.now, a.To)
	}
	m.advance(a.To)
	return nil
}

// phase checks that n names a scheduled phase.
func (m *Implementation) phase(n int) (*Phase, error) {
	if n < 1 {
		return nil, invalid("no phase %d: phases count from 1", n)
	}
	if n > len(m.s.Phases) {
		return nil, conflict("phase %d is not scheduled (%d phases)", n, len(m.s.Phases))
	}
	return &m.s.Phases[n-1], nil
}

// obligation finds obligation o of phase n and its position in the phase.
func (m *Implementation) obligation(n, o int) (*Obligation, int, error) {
	ph, err := m.phase(n)
	if err != nil {
		return nil, 0, err
	}
	k := ph.obligation(o)
	if k < 0 {
		return nil, 0, invalid("phase %d has no obligation %d", n, o)
	}
	return &ph.Obligations[k], k, nil
}

func (m *Implementation) isParty(a Actor) bool {
	return a.Role == PartyRole && a.Index >= 0 && a.Index < len(m.s.Parties)
}

func (m *Implementation) isActor(a Actor) bool {
	switch a.Role {
	case PartyRole:
		return m.isParty(a)
	case VerifierRole:
		return a.Index >= 0 && a.Index < len(m.s.Verifiers)
	}
	return a == Mediator
}

func (m *Implementation) mustBe(a, want Actor, what string) error {
	if a != want {
		return invalid("%s is for %s, not %s", what, m.s.Name(want), m.s.Name(a))
	}
	return nil
}

// line checks a free text that events carry.
func line(what, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return invalid("%s is empty", what)
	}
	if strings.ContainsAny(s, "\n\r") {
		return invalid("%s must be on one line", what)
	}
	return nil
}

func (a SubmitList) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	ph, err := m.phase(a.Phase)
	if err != nil {
		return err
	}
	k := slices.IndexFunc(ph.Lists, func(l List) bool { return l.Index == a.List })
	if k < 0 {
		return invalid("phase %d has no list %d", a.Phase, a.List)
	}
	l := &ph.Lists[k]
	if err := m.mustBe(a.By, Party(l.Party), "this list"); err != nil {
		return err
	}
	if m.lists[a.Phase-1][k].submitted {
		return conflict("list %d of phase %d is already submitted", a.List, a.Phase)
	}
	if len(a.Items) == 0 || len(a.Items) > MaxListItems {
		return invalid("a list names 1 to %d items, not %d", MaxListItems, len(a.Items))
	}
	seen := make(map[string]bool, len(a.Items))
	for _, it := range a.Items {
		if err := line("a list item", it, true); err != nil {
			return err
		}
		if seen[it] {
			return invalid("list item %q is named twice", it)
		}
		seen[it] = true
	}
	m.lists[a.Phase-1][k].submitted = true
	m.emit(KindListSubmitted, a.Phase, m.s.Parties[l.Party], []string{m.s.Parties[l.To]},
		ListBody{List: l.Index, Obligation: l.Obligation, Items: slices.Clone(a.Items), Late: m.now >= time.Duration(l.Due)})
	return nil
}

func (a Deliver) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	o, k, err := m.obligation(a.Phase, a.Obligation)
	if err != nil {
		return err
	}
	if err := m.mustBe(a.By, Party(o.Party), "this obligation"); err != nil {
		return err
	}
	if a.Quantity < 1 {
		return invalid("a delivery has a quantity of at least 1, not %d", a.Quantity)
	}
	if a.Phase > m.started {
		return conflict("phase %d has not started", a.Phase)
	}
	ph := &m.s.Phases[a.Phase-1]
	for j, l := range ph.Lists {
		if l.Obligation == a.Obligation && !m.lists[a.Phase-1][j].submitted {
			return conflict("list %d of phase %d must be submitted before this delivery", l.Index, a.Phase)
		}
	}
	sl := &m.slots[a.Phase-1][k]
	if left := o.Quantity - sl.verified - sl.pending; a.Quantity > left {
		return conflict("only %d of %d %s are still owed in phase %d", left, o.Quantity, o.Kind, a.Phase)
	}
	sl.claimed += a.Quantity
	sl.pending += a.Quantity
	sl.last = m.now
	counts := make([]int, len(o.Verifiers))
	for i := range counts {
		counts[i] = -1
	}
	m.deliveries = append(m.deliveries, delivery{phase: a.Phase - 1, slot: k, quantity: a.Quantity, counts: counts, at: m.now})
	sl.ids = append(sl.ids, len(m.deliveries))
	// The receiver hears of the delivery, and so does everyone who must
	// check it: a verifier cannot confirm what it was not told of.
	to := []string{m.s.Parties[o.To]}
	for _, v := range o.Verifiers {
		to = append(to, m.s.Name(v))
	}
	m.emit(KindDelivered, a.Phase, m.s.Parties[o.Party], recipients(to...),
		DeliveryBody{Delivery: len(m.deliveries), Obligation: o.Index, Kind: o.Kind, Quantity: a.Quantity, Late: m.now >= time.Duration(o.Due)})
	return nil
}

func (a Confirm) apply(m *Implementation) error {
	return m.answer(a.By, a.Delivery, -1, "")
}

func (a Dispute) apply(m *Implementation) error {
	if err := line("the reason of a dispute", a.Reason, true); err != nil {
		return err
	}
	if a.Counted < 0 {
		return invalid("a count cannot be negative")
	}
	return m.answer(a.By, a.Delivery, a.Counted, a.Reason)
}

// answer records a verifier's count of a delivery (-1: all of it).
func (m *Implementation) answer(by Actor, id, counted int, reason string) error {
	if err := m.active(); err != nil {
		return err
	}
	if id < 1 || id > len(m.deliveries) {
		return invalid("no delivery %d", id)
	}
	d := &m.deliveries[id-1]
	o := &m.s.Phases[d.phase].Obligations[d.slot]
	v := slices.Index(o.Verifiers, by)
	if v < 0 {
		return invalid("%s does not verify %s", m.s.Name(by), o.Kind)
	}
	if d.counts[v] >= 0 {
		return conflict("%s has already answered for delivery %d", m.s.Name(by), id)
	}
	kind := KindConfirmed
	if counted < 0 {
		counted = d.quantity
	} else {
		if counted >= d.quantity {
			return invalid("a dispute counts fewer than the %d delivered, not %d", d.quantity, counted)
		}
		kind, d.disputed = KindDisputed, true
	}
	d.counts[v] = counted
	m.emit(kind, d.phase+1, m.s.Name(by), []string{m.s.Parties[o.Party]}, CheckBody{Delivery: id, Counted: counted, Reason: reason})
	if slices.Contains(d.counts, -1) {
		return nil
	}
	d.done, d.verified, d.doneAt = true, slices.Min(d.counts), m.now
	sl := &m.slots[d.phase][d.slot]
	sl.pending -= d.quantity
	sl.verified += d.verified
	m.verified[o.Index] += d.verified
	m.emit(KindVerified, d.phase+1, "", nil, VerifiedBody{Delivery: id, Obligation: o.Index, Quantity: d.verified, Claimed: d.quantity})
	return nil
}

func (a ReportBreach) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	if !m.isActor(a.By) {
		return invalid("no participant %s", a.By)
	}
	if !m.isParty(Party(a.Accused)) {
		return invalid("no party %d to accuse", a.Accused)
	}
	if a.By == Party(a.Accused) {
		return invalid("a party cannot report itself")
	}
	s := a.Subject
	switch {
	case s.Phase > 0:
		o, _, err := m.obligation(s.Phase, s.Obligation)
		if err != nil {
			return err
		}
		if o.Party != a.Accused {
			return invalid("%s owes %s, not %s", m.s.Parties[o.Party], o.Kind, m.s.Parties[a.Accused])
		}
		if s.Phase > m.started {
			return conflict("phase %d has not started", s.Phase)
		}
		s.Rule = 0
	case s.Phase == 0:
		r := m.s.rule(s.Rule)
		if r == nil {
			return invalid("no standing rule %d in force", s.Rule)
		}
		if !slices.Contains(r.Binds, a.Accused) {
			return invalid("rule %q does not bind %s", r.Name, m.s.Parties[a.Accused])
		}
		s.Obligation = 0
	default:
		return invalid("no phase %d", s.Phase)
	}
	if err := line("the evidence", a.Evidence.Text, true); err != nil {
		return err
	}
	if a.Evidence.At < 0 || time.Duration(a.Evidence.At) > m.now {
		return invalid("the evidence is dated %v, not between the agreement and now (%v)", a.Evidence.At, Duration(m.now))
	}
	for i := range m.breaches {
		if b := &m.breaches[i]; b.open() && b.accused == a.Accused && b.subject == s {
			return conflict("breach %d on the same matter is still open", i+1)
		}
	}
	m.breaches = append(m.breaches, breach{by: a.By, accused: a.Accused, subject: s, evidence: a.Evidence, at: m.now, phase: m.started})
	m.emit(KindReported, s.Phase, m.s.Name(a.By), recipients(m.s.Parties[a.Accused], MediatorName),
		ReportBody{Breach: len(m.breaches), Accused: a.Accused, Subject: s, Evidence: a.Evidence})
	return nil
}

// cureTime is how long a minor breach has to be cured.
func (m *Implementation) cureTime() time.Duration {
	if c := m.s.sc.Plan.Breach.Cure; c > 0 {
		return c
	}
	return m.s.sc.Plan.Phases.Duration
}

func (a Rule) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	if err := m.mustBe(a.By, Mediator, "a ruling"); err != nil {
		return err
	}
	if a.Breach < 1 || a.Breach > len(m.breaches) {
		return invalid("no breach %d", a.Breach)
	}
	if err := line("the reason of a ruling", a.Reason, false); err != nil {
		return err
	}
	b := &m.breaches[a.Breach-1]
	if b.verdict != "" {
		return conflict("breach %d is already ruled %s", a.Breach, b.verdict)
	}
	body := RulingBody{Breach: a.Breach, Verdict: a.Verdict, Reason: a.Reason}
	switch a.Verdict {
	case Unfounded, Major:
	case Minor:
		if a.CureBy == 0 {
			a.CureBy = m.now + m.cureTime()
		}
		if a.CureBy <= m.now {
			return invalid("the cure deadline %v is not after now (%v)", Duration(a.CureBy), Duration(m.now))
		}
		b.cureBy = a.CureBy
		body.CureBy = new(Duration(a.CureBy))
	default:
		return invalid("unknown verdict %q (want unfounded, minor or major)", a.Verdict)
	}
	b.verdict, b.reason, b.ruledAt = a.Verdict, a.Reason, m.now
	if a.Verdict != Unfounded {
		if b.subject.Phase == 0 {
			m.fouls[b.accused]++
		} else {
			m.minors[b.subject.Obligation]++
		}
	}
	m.emit(KindRuled, b.subject.Phase, MediatorName, recipients(m.s.Name(b.by), m.s.Parties[b.accused]), body)
	switch {
	case a.Verdict == Major:
		m.close(Collapsed)
	case a.Verdict == Unfounded && b.subject.Phase > 0:
		m.uphold(b.subject)
	}
	return nil
}

// uphold credits the disputed deliveries of an obligation at their claimed
// quantities, as far as the obligation's quantity allows.
func (m *Implementation) uphold(s Subject) {
	o, k, _ := m.obligation(s.Phase, s.Obligation)
	sl := &m.slots[s.Phase-1][k]
	for i := range m.deliveries {
		d := &m.deliveries[i]
		if d.phase != s.Phase-1 || d.slot != k || !d.done || d.verified == d.quantity {
			continue
		}
		add := min(d.quantity-d.verified, o.Quantity-sl.verified-sl.pending)
		if add <= 0 {
			continue
		}
		d.verified += add
		sl.verified += add
		m.verified[o.Index] += add
		m.emit(KindVerified, s.Phase, MediatorName, nil, VerifiedBody{Delivery: i + 1, Obligation: o.Index, Quantity: add, Claimed: d.quantity, Upheld: true})
	}
}

func (a Cure) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	if a.Breach < 1 || a.Breach > len(m.breaches) {
		return invalid("no breach %d", a.Breach)
	}
	b := &m.breaches[a.Breach-1]
	if err := m.mustBe(a.By, Party(b.accused), "curing this breach"); err != nil {
		return err
	}
	if err := line("the note of a cure", a.Note, false); err != nil {
		return err
	}
	if b.verdict != Minor || b.cured {
		return conflict("breach %d is not a minor breach awaiting its cure", a.Breach)
	}
	if s := b.subject; s.Phase > 0 {
		o, k, _ := m.obligation(s.Phase, s.Obligation)
		if v := m.slots[s.Phase-1][k].verified; v < o.Quantity {
			return conflict("%d of %d %s of phase %d are verified; the rest is still owed", v, o.Quantity, o.Kind, s.Phase)
		}
	}
	b.cured, b.curedAt = true, m.now
	m.emit(KindCured, b.subject.Phase, m.s.Parties[b.accused], recipients(m.s.Name(b.by), MediatorName), CureBody{Breach: a.Breach, Note: a.Note})
	return nil
}

func (a OfferExtension) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	if err := m.mustBe(a.By, Mediator, "offering an extension"); err != nil {
		return err
	}
	x := m.s.Extension
	switch {
	case x == nil:
		return invalid("the plan provides no extension")
	case m.extensions >= x.Max:
		return conflict("all %d extensions the plan allows have been made", x.Max)
	case m.offer != nil:
		return conflict("an extension is already on offer")
	case m.ended == len(m.s.Phases):
		return conflict("the last phase has ended")
	}
	m.offer = &offer{accepted: make([]bool, len(m.s.Parties)), waiting: len(m.s.Parties)}
	m.offered++
	m.emit(KindOffered, 0, MediatorName, slices.Clone(m.s.Parties), ExtensionBody{Extension: m.extensions + 1})
	return nil
}

func (a AnswerExtension) apply(m *Implementation) error {
	if err := m.active(); err != nil {
		return err
	}
	if !m.isParty(a.By) {
		return invalid("only a party answers an extension offer, not %s", m.s.Name(a.By))
	}
	if m.offer == nil {
		return conflict("no extension is on offer")
	}
	if m.offer.accepted[a.By.Index] {
		return conflict("%s has already accepted", m.s.Name(a.By))
	}
	k := m.extensions + 1
	who := m.s.Parties[a.By.Index]
	if !a.Accept {
		m.offer = nil
		m.emit(KindDeclined, 0, who, []string{MediatorName}, ExtensionBody{Extension: k})
		return nil
	}
	var added []Phase
	last := m.offer.waiting == 1
	if last {
		// Compute the phases first, so that an expression failing for them
		// refuses the answer.
		var err error
		if added, err = m.s.block(k, m.s.Extension.Phases, m.now); err != nil {
			return err
		}
	}
	m.offer.accepted[a.By.Index] = true
	m.offer.waiting--
	m.emit(KindAccepted, 0, who, []string{MediatorName}, ExtensionBody{Extension: k})
	if !last {
		return nil
	}
	m.s.Phases = append(m.s.Phases, added...)
	m.addPhases(added)
	m.extensions++
	m.offer = nil
	m.emit(KindExtended, 0, MediatorName, nil, ExtensionBody{Extension: k, Phases: added})
	return nil
}

// recipients lists names once each, as the log's recipient sets require.
func recipients(names ...string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
