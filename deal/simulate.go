package deal

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
)

// NewRand is the generator to give Simulate for a run's seed: a stream of
// its own, so that the implementation's course does not depend on how many
// draws the negotiation before it took.
func NewRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x6465616c)) // "deal"
}

// Simulate implements the agreed outcome of sc by its plan, with the parties
// behaving as the plan's Behaviour says and the mediator ruling by
// Recommend, and returns the report and every event.
//
// The course, in virtual time: each list is submitted one mediator round
// (the protocol's round time) before it is due, or at once if that has
// passed. At each phase's start every obligation draws whether its delivery
// is late and whether it falls short: an on-time delivery is made halfway
// to its due time, a late one LateBy after it; a short one is claimed in
// full but lacks ShortBy of it (at least one item), which every verifier
// finds. Each party then draws whether it fouls a standing rule binding it,
// at a whole minute drawn within the rule's window (or the phase). The
// receiver reports a delivery found short or not made by its due time, and
// another party (the first in order) reports a foul; the mediator rules one
// round after a report. The accused cures a minor breach: a foul at once, a
// shortfall by delivering what is missing halfway to the cure deadline —
// unless that attempt fails, with the party's short-delivery probability.
// A quarter into the schedule's last phase, while extensions remain, the
// mediator offers one; the parties answer in order, each accepting with its
// probability, and once one declines no more are offered.
func Simulate(sc *scenario.Scenario, agreed space.Outcome, rng *rand.Rand) (*Report, []Event, error) {
	s, err := NewSchedule(sc, agreed)
	if err != nil {
		return nil, nil, err
	}
	m, evs := New(s)
	sim := &simulation{m: m, plan: sc.Plan, round: sc.Protocol.RoundTime}
	// Each party draws from a stream of its own, so that one party's
	// behaviour does not shift another's draws.
	for range sc.Parties {
		sim.rng = append(sim.rng, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
	}
	for p := range s.Phases {
		sim.addPhase(p)
	}
	if err := sim.react(evs); err != nil {
		return nil, nil, err
	}
	for m.State() == Active {
		t, ok := m.Next()
		if len(sim.tasks) > 0 && (!ok || sim.tasks[0].at <= t) {
			t, ok = sim.tasks[0].at, true
		}
		if !ok {
			return nil, nil, shuttle.Errorf(shuttle.EInternal, "simulation stalled at %v with the implementation %s", Duration(m.Now()), m.State())
		}
		if err := sim.do(Advance{t}); err != nil {
			return nil, nil, err
		}
		for m.State() == Active && len(sim.tasks) > 0 && sim.tasks[0].at == t {
			if err := heap.Pop(&sim.tasks).(task).run(); err != nil {
				return nil, nil, err
			}
		}
	}
	return m.Report(), m.Log(), nil
}

type simulation struct {
	m     *Implementation
	rng   []*rand.Rand // per party
	plan  *scenario.Plan
	round time.Duration
	tasks tasks
	seq   int

	// per phase, per obligation of the phase
	pending  [][]bool // a delivery is on its way
	curing   [][]bool // a cure attempt is on its way
	declined bool     // a party declined an extension
}

// task is something the simulated participants do at a time; seq keeps
// tasks of the same instant in the order they were planned.
type task struct {
	at  time.Duration
	seq int
	run func() error
}

type tasks []task

func (t tasks) Len() int { return len(t) }
func (t tasks) Less(i, j int) bool {
	return t[i].at < t[j].at || t[i].at == t[j].at && t[i].seq < t[j].seq
}
func (t tasks) Swap(i, j int) { t[i], t[j] = t[j], t[i] }
func (t *tasks) Push(x any)   { *t = append(*t, x.(task)) }
func (t *tasks) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}

func (sim *simulation) at(t time.Duration, run func() error) {
	sim.seq++
	heap.Push(&sim.tasks, task{at: max(t, sim.m.Now()), seq: sim.seq, run: run})
}

// do applies an action the simulated participants chose; a refusal is a
// fault of the simulation.
func (sim *simulation) do(a Action) error {
	evs, err := sim.m.Do(a)
	if err != nil {
		return &shuttle.Error{Code: shuttle.EInternal, Message: fmt.Sprintf("simulation at %v: %T refused", Duration(sim.m.Now()), a), Err: err}
	}
	return sim.react(evs)
}

// addPhase plans the lists of a newly scheduled phase and, if it is the
// last, the extension offer.
func (sim *simulation) addPhase(p int) {
	s := sim.m.s
	ph := s.Phases[p]
	sim.pending = append(sim.pending, make([]bool, len(ph.Obligations)))
	sim.curing = append(sim.curing, make([]bool, len(ph.Obligations)))
	for _, l := range ph.Lists {
		sim.at(time.Duration(l.Due)-sim.round, func() error {
			return sim.do(SubmitList{By: Party(l.Party), Phase: ph.Number, List: l.Index, Items: sim.items(p, l.Obligation)})
		})
	}
	if p == len(s.Phases)-1 && s.Extension != nil && sim.m.extensions < s.Extension.Max && !sim.declined {
		sim.at(time.Duration(ph.Start)+sim.plan.Phases.Duration/4, sim.extend)
	}
}

// items names what a list identifies: one item each, or a range when there
// are many, numbered on from earlier phases.
func (sim *simulation) items(p, ob int) []string {
	phs := sim.m.s.Phases
	from := 1
	for _, ph := range phs[:p] {
		if k := ph.obligation(ob); k >= 0 {
			from += ph.Obligations[k].Quantity
		}
	}
	o := &phs[p].Obligations[phs[p].obligation(ob)]
	if o.Quantity > 100 {
		return []string{fmt.Sprintf("%s #%d–#%d", o.Kind, from, from+o.Quantity-1)}
	}
	items := make([]string, o.Quantity)
	for i := range items {
		items[i] = fmt.Sprintf("%s #%d", o.Kind, from+i)
	}
	return items
}

func (sim *simulation) extend() error {
	m := sim.m
	if m.state != Active || m.offer != nil || m.ended == len(m.s.Phases) || m.extensions >= m.s.Extension.Max {
		return nil
	}
	if err := sim.do(OfferExtension{By: Mediator}); err != nil {
		return err
	}
	for i, b := range sim.plan.Behaviour {
		accept := sim.rng[i].Float64() < b.AcceptExtension
		if err := sim.do(AnswerExtension{By: Party(i), Accept: accept}); err != nil {
			return err
		}
		if !accept {
			sim.declined = true
			break
		}
	}
	return nil
}

// react plans what the participants do about events.
func (sim *simulation) react(evs []Event) error {
	for _, e := range evs {
		var err error
		switch b := e.Body.(type) {
		case PhaseBody:
			if e.Kind == KindPhaseStarted {
				sim.startPhase(e.Phase - 1)
			}
		case ExtensionBody:
			for _, ph := range b.Phases {
				sim.addPhase(ph.Number - 1)
			}
		case OverdueBody:
			err = sim.report(e.Phase, b.Obligation, fmt.Sprintf("%d %s not delivered by the due time", b.Missing, b.Kind))
		case VerifiedBody:
			if b.Quantity < b.Claimed && !b.Upheld {
				err = sim.report(e.Phase, b.Obligation, fmt.Sprintf("delivery %d: %d of %d found", b.Delivery, b.Quantity, b.Claimed))
			}
			if err == nil {
				err = sim.settle(e.Phase, b.Obligation)
			}
		case ReportBody:
			sim.at(sim.m.now+sim.round, func() error { return sim.rule(b.Breach) })
		case RulingBody:
			if b.Verdict == Minor {
				err = sim.cure(b.Breach)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// startPhase draws how the phase's deliveries and fouls go.
func (sim *simulation) startPhase(p int) {
	ph := &sim.m.s.Phases[p]
	for k, o := range ph.Obligations {
		b := &sim.plan.Behaviour[o.Party]
		rng := sim.rng[o.Party]
		late := rng.Float64() < b.Late
		short := rng.Float64() < b.Short
		at := time.Duration(ph.Start) + time.Duration(o.Due-ph.Start)/2
		if late {
			at = time.Duration(o.Due) + b.LateBy
		}
		lack := 0
		if short {
			lack = min(o.Quantity, max(1, roundHalfUp(b.ShortBy*float64(o.Quantity))))
		}
		sim.pending[p][k] = true
		sim.at(at, func() error { return sim.deliver(p, k, lack) })
	}
	for i, b := range sim.plan.Behaviour {
		rng := sim.rng[i]
		if rng.Float64() >= b.Foul {
			continue
		}
		var binding []*StandingRule
		for r := range sim.m.s.Rules {
			if rule := &sim.m.s.Rules[r]; slices.Contains(rule.Binds, i) {
				binding = append(binding, rule)
			}
		}
		if len(binding) == 0 {
			continue
		}
		r := binding[rng.IntN(len(binding))]
		from, span := time.Duration(0), sim.plan.Phases.Duration
		if r.Window != nil {
			from, span = time.Duration(r.Window.From), time.Duration(r.Window.To-r.Window.From)
		}
		at := time.Duration(ph.Start) + from + time.Duration(rng.Int64N(max(1, int64(span/time.Minute))))*time.Minute
		sim.at(at, func() error { return sim.foul(i, r, at) })
	}
}

// deliver delivers what is still owed of an obligation, lack items of it
// missing on arrival, and has its verifiers count it.
func (sim *simulation) deliver(p, k, lack int) error {
	m := sim.m
	sim.pending[p][k], sim.curing[p][k] = false, false
	if m.state != Active {
		return nil
	}
	o := &m.s.Phases[p].Obligations[k]
	sl := &m.slots[p][k]
	q := o.Quantity - sl.verified - sl.pending
	if q == 0 {
		return nil
	}
	lack = min(lack, q)
	if err := sim.do(Deliver{By: Party(o.Party), Phase: p + 1, Obligation: o.Index, Quantity: q}); err != nil {
		return err
	}
	id := len(m.deliveries)
	for _, v := range o.Verifiers {
		if m.state != Active {
			return nil
		}
		var err error
		if lack == 0 {
			err = sim.do(Confirm{By: v, Delivery: id})
		} else {
			err = sim.do(Dispute{By: v, Delivery: id, Counted: q - lack, Reason: fmt.Sprintf("%d of %d found", q-lack, q)})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// openBreach is the open breach against accused about subject, or 0.
func (sim *simulation) openBreach(accused int, s Subject) int {
	for i := range sim.m.breaches {
		if b := &sim.m.breaches[i]; b.open() && b.accused == accused && b.subject == s {
			return i + 1
		}
	}
	return 0
}

// report has the receiver report an obligation, unless it is already
// reported.
func (sim *simulation) report(phase, ob int, evidence string) error {
	m := sim.m
	if m.state != Active {
		return nil
	}
	o, _, _ := m.obligation(phase, ob)
	s := Subject{Phase: phase, Obligation: ob}
	if sim.openBreach(o.Party, s) > 0 {
		return nil
	}
	return sim.do(ReportBreach{By: Party(o.To), Accused: o.Party, Subject: s, Evidence: Evidence{Text: evidence, At: Duration(m.now)}})
}

// foul has the first other party report party i's foul of rule r at time at.
func (sim *simulation) foul(i int, r *StandingRule, at time.Duration) error {
	m := sim.m
	s := Subject{Rule: r.Index}
	if m.state != Active || sim.openBreach(i, s) > 0 {
		return nil
	}
	by := 0
	if i == 0 {
		by = 1
	}
	text := fmt.Sprintf("%s: %s at %v", r.Name, r.Forbids, Duration(at))
	return sim.do(ReportBreach{By: Party(by), Accused: i, Subject: s, Evidence: Evidence{Text: text, At: Duration(at)}})
}

func (sim *simulation) rule(id int) error {
	if sim.m.state != Active || sim.m.breaches[id-1].verdict != "" {
		return nil
	}
	r, err := sim.m.Recommend(id)
	if err != nil {
		return err
	}
	return sim.do(r)
}

// cure has the accused cure a minor breach: a foul at once, an obligation
// when it is complete.
func (sim *simulation) cure(id int) error {
	b := &sim.m.breaches[id-1]
	if b.subject.Phase == 0 {
		return sim.do(Cure{By: Party(b.accused), Breach: id, Note: "stopped"})
	}
	return sim.settle(b.subject.Phase, b.subject.Obligation)
}

// settle moves an obligation under a minor breach towards its cure: it
// cures the breach once the obligation is complete, and otherwise plans a
// delivery of what is missing unless one is on its way.
func (sim *simulation) settle(phase, ob int) error {
	m := sim.m
	if m.state != Active {
		return nil
	}
	o, k, _ := m.obligation(phase, ob)
	id := sim.openBreach(o.Party, Subject{Phase: phase, Obligation: ob})
	if id == 0 || m.breaches[id-1].verdict != Minor {
		return nil
	}
	p := phase - 1
	if m.slots[p][k].verified == o.Quantity {
		return sim.do(Cure{By: Party(o.Party), Breach: id, Note: "delivered in full"})
	}
	if sim.pending[p][k] || sim.curing[p][k] {
		return nil
	}
	sim.curing[p][k] = true
	deadline := m.breaches[id-1].cureBy
	sim.at(m.now+(deadline-m.now)/2, func() error {
		if sim.rng[o.Party].Float64() < sim.plan.Behaviour[o.Party].Short {
			sim.curing[p][k] = false
			return nil // the attempt fails; the deadline will lapse
		}
		return sim.deliver(p, k, 0)
	})
	return nil
}
