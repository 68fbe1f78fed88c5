package deal

import "slices"

// Report sums up an implementation: the `implementation` field of the JSON
// result of a simulation.
type Report struct {
	State  State      `json:"state"`
	Phases PhaseCount `json:"phases"`
	// Deliveries has one flow per obligation of the plan template.
	Deliveries []Flow `json:"deliveries"`
	// Totals sums the flows by kind of item.
	Totals       []Total        `json:"totals"`
	Breaches     []Breach       `json:"breaches"`
	Rulings      RulingCount    `json:"rulings"`
	Extensions   ExtensionCount `json:"extensions"`
	PeakExposure Peak           `json:"peak_exposure"`
	// End is when the implementation closed, or the clock if it has not.
	End Duration `json:"end"`
}

// PhaseCount counts phases: agreed, scheduled with extensions, and started.
type PhaseCount struct {
	Planned   int `json:"planned"`
	Scheduled int `json:"scheduled"`
	Run       int `json:"run"`
}

// Flow is what one obligation of the template moved over the schedule.
type Flow struct {
	Party     string `json:"party"`
	To        string `json:"to"`
	Kind      string `json:"kind"`
	Scheduled int    `json:"scheduled"`
	Delivered int    `json:"delivered"`
	Verified  int    `json:"verified"`
}

// Total is what moved of one kind of item.
type Total struct {
	Kind      string `json:"kind"`
	Scheduled int    `json:"scheduled"`
	Delivered int    `json:"delivered"`
	Verified  int    `json:"verified"`
}

// RulingCount counts the rulings by verdict, those made because a cure was
// missed included.
type RulingCount struct {
	Unfounded int `json:"unfounded"`
	Minor     int `json:"minor"`
	Major     int `json:"major"`
}

// ExtensionCount counts extensions offered and accepted.
type ExtensionCount struct {
	Offered  int `json:"offered"`
	Accepted int `json:"accepted"`
}

// Breach is a breach report and what became of it.
type Breach struct {
	ID       int       `json:"id"`
	Phase    int       `json:"phase"` // in progress when reported
	Reporter string    `json:"reporter"`
	Accused  string    `json:"accused"`
	Subject  Subject   `json:"subject"`
	About    string    `json:"about"` // the obligation's kind or the rule's name
	Evidence Evidence  `json:"evidence"`
	Reported Duration  `json:"reported"`
	Verdict  Verdict   `json:"verdict,omitempty"` // empty while awaiting a ruling
	Reason   string    `json:"reason,omitempty"`
	Ruled    *Duration `json:"ruled,omitempty"`
	CureBy   *Duration `json:"cure_by,omitempty"`
	Cured    *Duration `json:"cured,omitempty"`
}

// Breaches lists the breaches reported so far.
func (m *Implementation) Breaches() []Breach {
	out := make([]Breach, len(m.breaches))
	for i := range m.breaches {
		b := &m.breaches[i]
		r := Breach{
			ID: i + 1, Phase: b.phase, Reporter: m.s.Name(b.by), Accused: m.s.Parties[b.accused],
			Subject: b.subject, Evidence: b.evidence, Reported: Duration(b.at), Verdict: b.verdict, Reason: b.reason,
		}
		if s := b.subject; s.Phase > 0 {
			o, _, _ := m.obligation(s.Phase, s.Obligation)
			r.About = o.Kind
		} else {
			r.About = m.s.rule(s.Rule).Name
		}
		if b.verdict != "" {
			r.Ruled = new(Duration(b.ruledAt))
		}
		if b.cureBy > 0 {
			r.CureBy = new(Duration(b.cureBy))
		}
		if b.cured {
			r.Cured = new(Duration(b.curedAt))
		}
		out[i] = r
	}
	return out
}

// Report sums up the implementation so far.
func (m *Implementation) Report() *Report {
	r := &Report{
		State:        m.state,
		Phases:       PhaseCount{Planned: m.s.Planned, Scheduled: len(m.s.Phases), Run: m.started},
		Breaches:     m.Breaches(),
		Extensions:   ExtensionCount{Offered: m.offered, Accepted: m.extensions},
		PeakExposure: m.peak,
		End:          Duration(m.now),
	}
	if m.state != Active {
		r.End = m.log[len(m.log)-1].At
	}
	obs := m.s.sc.Plan.Obligations
	r.Deliveries = make([]Flow, len(obs))
	for i, o := range obs {
		r.Deliveries[i] = Flow{Party: m.s.Parties[o.Party], To: m.s.Parties[o.To], Kind: o.Kind, Scheduled: m.scheduled[i], Verified: m.verified[i]}
	}
	for p, ph := range m.s.Phases {
		for k, o := range ph.Obligations {
			r.Deliveries[o.Index].Delivered += m.slots[p][k].claimed
		}
	}
	for _, f := range r.Deliveries {
		i := slices.IndexFunc(r.Totals, func(t Total) bool { return t.Kind == f.Kind })
		if i < 0 {
			r.Totals = append(r.Totals, Total{Kind: f.Kind})
			i = len(r.Totals) - 1
		}
		r.Totals[i].Scheduled += f.Scheduled
		r.Totals[i].Delivered += f.Delivered
		r.Totals[i].Verified += f.Verified
	}
	for _, b := range r.Breaches {
		if b.CureBy != nil { // ruled minor, perhaps major later
			r.Rulings.Minor++
		}
		switch b.Verdict {
		case Unfounded:
			r.Rulings.Unfounded++
		case Major:
			r.Rulings.Major++
		}
	}
	return r
}
