package deal

import (
	"math"
	"slices"
	"time"

	"github.com/shuttle-mediation/shuttle"
)

// State is where an implementation stands.
type State string

// States; all but Active are final.
const (
	Active    State = "active"
	Completed State = "completed"
	Extended  State = "extended"
	Collapsed State = "collapsed"
)

// Implementation is the state machine of a schedule's implementation. Do
// applies actions to it; every accepted action emits events, and a refused
// one changes nothing.
type Implementation struct {
	s     *Schedule
	now   time.Duration
	state State

	started, ended int      // phases started, ended
	slots          [][]slot // per phase, per obligation of the phase
	lists          [][]listState
	deliveries     []delivery // delivery n is deliveries[n-1]
	breaches       []breach   // breach n is breaches[n-1]
	offer          *offer     // the extension on offer, if any
	offered        int        // extensions offered
	extensions     int        // extensions accepted

	scheduled, verified []int // per template obligation, over the schedule
	minors              []int // minor breaches ruled, per template obligation
	fouls               []int // founded fouls per party

	log  []Event
	peak Peak
}

// slot is the state of one obligation of one phase.
type slot struct {
	claimed  int // delivered, as the deliverer claims
	pending  int // claimed by deliveries awaiting verification
	verified int
	checked  bool          // its due time has passed
	overdue  bool          // items were missing at its due time
	last     time.Duration // when the last delivery was made
	ids      []int         // its deliveries, in order
}

type listState struct {
	submitted, flagged bool
}

type delivery struct {
	phase, slot int // phase index, position in the phase
	quantity    int
	counts      []int // per verifier of the obligation, -1 until answered
	verified    int
	done        bool
	disputed    bool
	at, doneAt  time.Duration // when it was made, and verified
}

type breach struct {
	by       Actor
	accused  int
	subject  Subject
	evidence Evidence
	at       time.Duration
	phase    int
	verdict  Verdict // empty while the report awaits a ruling
	reason   string
	ruledAt  time.Duration
	cureBy   time.Duration
	cured    bool
	curedAt  time.Duration
}

// open reports whether the breach keeps the implementation from closing.
func (b *breach) open() bool { return b.verdict == "" || b.verdict == Minor && !b.cured }

type offer struct {
	accepted []bool // per party
	waiting  int    // parties yet to accept
}

// Peak is the largest exposure seen, first reached at At.
type Peak struct {
	Party        string   `json:"party,omitempty"`
	Counterparty string   `json:"counterparty,omitempty"`
	Value        float64  `json:"value"`
	At           Duration `json:"at"`
	Phase        int      `json:"phase"`
}

// New starts the implementation of s at the agreement, time 0, and returns
// the events of that instant: the schedule, and the first phase's start if
// it starts at once. The implementation extends s when extensions are
// accepted.
func New(s *Schedule) (*Implementation, []Event) {
	n := len(s.sc.Plan.Obligations)
	m := &Implementation{
		s:         s,
		state:     Active,
		scheduled: make([]int, n),
		verified:  make([]int, n),
		minors:    make([]int, n),
		fouls:     make([]int, len(s.Parties)),
	}
	m.addPhases(s.Phases)
	// The log keeps the schedule as agreed; extensions add to s.
	agreed := *s
	agreed.Phases = slices.Clip(s.Phases)
	m.emit(KindScheduled, 0, "", nil, &agreed)
	m.advance(0)
	return m, slices.Clone(m.log)
}

// addPhases makes room for the state of phases just added to the schedule.
func (m *Implementation) addPhases(phs []Phase) {
	for _, ph := range phs {
		m.slots = append(m.slots, make([]slot, len(ph.Obligations)))
		m.lists = append(m.lists, make([]listState, len(ph.Lists)))
		for _, o := range ph.Obligations {
			m.scheduled[o.Index] += o.Quantity
		}
	}
}

// Schedule is the schedule being implemented, with the extensions accepted
// so far. It must not be modified.
func (m *Implementation) Schedule() *Schedule { return m.s }

// Now is the implementation's clock.
func (m *Implementation) Now() time.Duration { return m.now }

// State is where the implementation stands.
func (m *Implementation) State() State { return m.state }

// Log is every event so far. It must not be modified.
func (m *Implementation) Log() []Event { return m.log }

// Do applies an action at the implementation's clock and returns the events
// it caused. An action that does not fit the state is refused with an
// *shuttle.Error: EInvalid when it could never be valid (no such phase,
// wrong party, a count out of range), EConflict when it does not fit now
// (out of turn, already done, after the end).
func (m *Implementation) Do(a Action) ([]Event, error) {
	n := len(m.log)
	if err := a.apply(m); err != nil {
		return nil, err
	}
	m.settle()
	return slices.Clone(m.log[n:]), nil
}

// Next is the time of the next event that time passing will cause, and
// false when none is pending.
func (m *Implementation) Next() (time.Duration, bool) {
	t, ok := m.nextTimer()
	return t.at, ok
}

// emit appends an event about phase (0: the latest started) and records the
// exposure after it.
func (m *Implementation) emit(kind string, phase int, from string, to []string, body any) {
	if phase == 0 {
		phase = m.started
	}
	ex := m.Exposure()
	for _, e := range ex {
		if e.Value > m.peak.Value {
			m.peak = Peak{Party: e.Party, Counterparty: e.Counterparty, Value: e.Value, At: Duration(m.now), Phase: phase}
		}
	}
	m.log = append(m.log, Event{At: Duration(m.now), Phase: phase, Kind: kind, From: from, To: to, Body: body, Exposure: ex})
}

// progress is party p's mean fraction of its scheduled obligations verified,
// and false if it owes nothing.
func (m *Implementation) progress(p int) (float64, bool) {
	var sum float64
	n := 0
	for o := range m.scheduled {
		if m.s.sc.Plan.Obligations[o].Party == p && m.scheduled[o] > 0 {
			sum += float64(m.verified[o]) / float64(m.scheduled[o])
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// Exposure lists the positive exposures now, by pair of parties in party
// order.
func (m *Implementation) Exposure() []Exposure {
	var ex []Exposure
	for a := range m.s.Parties {
		pa, ok := m.progress(a)
		if !ok {
			continue
		}
		for b := a + 1; b < len(m.s.Parties); b++ {
			pb, ok := m.progress(b)
			if !ok {
				continue
			}
			switch d := math.Round((pa-pb)*1e12) / 1e12; {
			case d > 0:
				ex = append(ex, Exposure{m.s.Parties[a], m.s.Parties[b], d})
			case d < 0:
				ex = append(ex, Exposure{m.s.Parties[b], m.s.Parties[a], -d})
			}
		}
	}
	return ex
}

// Peak is the largest exposure so far.
func (m *Implementation) Peak() Peak { return m.peak }

// timer is an event that time passing causes; prio orders timers of the
// same instant.
type timer struct {
	at   time.Duration
	prio int
	fire func()
}

const (
	prioCure = iota
	prioDue
	prioList
	prioLapse
	prioEnd
	prioStart
)

func (m *Implementation) nextTimer() (timer, bool) {
	var best timer
	found := false
	consider := func(at time.Duration, prio int, fire func()) {
		if !found || at < best.at || at == best.at && prio < best.prio {
			best, found = timer{at, prio, fire}, true
		}
	}
	if m.state != Active {
		return best, false
	}
	for i := range m.breaches {
		if b := &m.breaches[i]; b.verdict == Minor && !b.cured {
			consider(b.cureBy, prioCure, func() { m.cureMissed(i) })
		}
	}
	phs := m.s.Phases
	for p := range m.started {
		for k := range m.slots[p] {
			if !m.slots[p][k].checked {
				consider(time.Duration(phs[p].Obligations[k].Due), prioDue, func() { m.due(p, k) })
			}
		}
	}
	for p := range m.lists {
		for k, l := range m.lists[p] {
			if !l.submitted && !l.flagged {
				consider(time.Duration(phs[p].Lists[k].Due), prioList, func() { m.listOverdue(p, k) })
			}
		}
	}
	end := time.Duration(phs[len(phs)-1].End)
	if m.offer != nil {
		consider(end, prioLapse, m.lapse)
	}
	if m.ended < m.started {
		consider(time.Duration(phs[m.ended].End), prioEnd, m.endPhase)
	}
	if m.started < len(phs) {
		consider(time.Duration(phs[m.started].Start), prioStart, m.startPhase)
	}
	return best, found
}

// advance fires the timers due by to and sets the clock to it.
func (m *Implementation) advance(to time.Duration) {
	for {
		t, ok := m.nextTimer()
		if !ok || t.at > to {
			break
		}
		m.now = t.at
		t.fire()
		m.settle()
	}
	m.now = max(m.now, to)
}

func (m *Implementation) startPhase() {
	ph := &m.s.Phases[m.started]
	m.started++
	m.emit(KindPhaseStarted, ph.Number, "", nil, PhaseBody{ph.Start, ph.End, ph.Extension})
}

func (m *Implementation) endPhase() {
	ph := &m.s.Phases[m.ended]
	m.ended++
	m.emit(KindPhaseEnded, ph.Number, "", nil, PhaseBody{ph.Start, ph.End, ph.Extension})
}

func (m *Implementation) due(p, k int) {
	sl := &m.slots[p][k]
	sl.checked = true
	o := &m.s.Phases[p].Obligations[k]
	if missing := o.Quantity - sl.verified - sl.pending; missing > 0 {
		sl.overdue = true
		m.emit(KindOverdue, p+1, "", nil, OverdueBody{o.Index, o.Kind, missing})
	}
}

func (m *Implementation) listOverdue(p, k int) {
	m.lists[p][k].flagged = true
	l := &m.s.Phases[p].Lists[k]
	m.emit(KindListOverdue, p+1, "", nil, ListBody{List: l.Index, Obligation: l.Obligation, Late: true})
}

func (m *Implementation) lapse() {
	m.offer = nil
	m.emit(KindLapsed, 0, "", nil, ExtensionBody{Extension: m.extensions + 1})
}

func (m *Implementation) cureMissed(i int) {
	b := &m.breaches[i]
	m.emit(KindCureMissed, 0, "", nil, CureBody{Breach: i + 1})
	b.verdict, b.reason, b.ruledAt = Major, "not cured by "+Duration(b.cureBy).String(), m.now
	m.emit(KindRuled, 0, "", nil, RulingBody{Breach: i + 1, Verdict: Major, Reason: b.reason})
	m.close(Collapsed)
}

// settle closes the implementation once nothing is left to do.
func (m *Implementation) settle() {
	if m.state != Active || m.ended < len(m.s.Phases) || m.offer != nil {
		return
	}
	for i := range m.breaches {
		if m.breaches[i].open() {
			return
		}
	}
	for p, ph := range m.s.Phases {
		for k, o := range ph.Obligations {
			if m.slots[p][k].verified < o.Quantity {
				return
			}
		}
	}
	if m.extensions > 0 {
		m.close(Extended)
	} else {
		m.close(Completed)
	}
}

func (m *Implementation) close(s State) {
	m.state = s
	m.offer = nil
	m.emit(KindClosed, 0, "", nil, ClosedBody{s})
}

// active refuses actions once the implementation has closed.
func (m *Implementation) active() error {
	if m.state != Active {
		return shuttle.Errorf(shuttle.EConflict, "the implementation has ended (%s)", m.state)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return shuttle.Errorf(shuttle.EInvalid, format, args...)
}

func conflict(format string, args ...any) error {
	return shuttle.Errorf(shuttle.EConflict, format, args...)
}
