package deal

import (
	"fmt"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
)

// MaxPhases bounds the phases of a schedule, extensions included, so that an
// agreed value cannot make the schedule enormous.
const MaxPhases = 1000

// MaxQuantity bounds one phase's quantity of one obligation.
const MaxQuantity = 1 << 40

// MediatorName is the mediator's name in events, as in the negotiation's.
const MediatorName = "mediator"

// Duration is a span of virtual time. It is written in JSON as Go's duration
// text ("29h0m0s"): nanosecond counts of a long implementation are beyond
// the integers JSON numbers carry exactly.
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as Go's duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads Go's duration text.
func (d *Duration) UnmarshalText(b []byte) error {
	t, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(t)
	return nil
}

// Schedule is a plan template instantiated for an agreed outcome: the phases
// with their obligations and lists, the standing rules in force and the
// terms of extension. Implementation appends the phases of accepted
// extensions.
type Schedule struct {
	// Parties and Verifiers name the participants, in the scenario's
	// order; events use these names, and MediatorName.
	Parties   []string `json:"parties"`
	Verifiers []string `json:"verifiers,omitempty"`
	// Planned is the number of agreed phases, before extensions.
	Planned int     `json:"planned"`
	Phases  []Phase `json:"phases"`
	// Rules are the standing rules in force for the agreed outcome.
	Rules []StandingRule `json:"rules,omitempty"`
	// Extension is nil when the plan cannot be extended.
	Extension *Extension `json:"extension,omitempty"`

	sc     *scenario.Scenario
	values map[string]any // agreed values, the expressions' environment
}

// Phase is one phase of the schedule.
type Phase struct {
	Number int `json:"number"` // from 1
	// Extension is 0 for an agreed phase, k for one the k-th extension added.
	Extension   int          `json:"extension,omitempty"`
	Start       Duration     `json:"start"`
	End         Duration     `json:"end"`
	Obligations []Obligation `json:"obligations"`
	Lists       []List       `json:"lists,omitempty"`
}

// Obligation is what one party owes another in one phase.
type Obligation struct {
	// Index is the obligation's position in the plan template; it
	// identifies the obligation within a phase.
	Index    int    `json:"obligation"`
	Name     string `json:"name,omitempty"`
	Party    int    `json:"by"` // index into Schedule.Parties
	To       int    `json:"to"`
	Kind     string `json:"kind"`
	Quantity int    `json:"quantity"`
	// Exact is the expression's value before rounding.
	Exact float64  `json:"exact"`
	Due   Duration `json:"due"` // since the agreement
	// Verifiers are who must confirm each delivery: the receiver, as a
	// party, and independent verifiers.
	Verifiers []Actor `json:"verified_by"`
}

// List is an identification list due before a phase.
type List struct {
	Index      int      `json:"list"` // position in the plan template
	Party      int      `json:"by"`
	To         int      `json:"to"`
	Obligation int      `json:"obligation"` // template index of what it identifies
	Due        Duration `json:"due"`
}

// StandingRule is a rule in force for the whole implementation period.
type StandingRule struct {
	Index   int    `json:"rule"` // position in the plan template
	Name    string `json:"name"`
	Forbids string `json:"forbids"`
	Binds   []int  `json:"binds"`
	// Window, when set, limits the rule to a stretch of each phase, as
	// offsets from the phase's start.
	Window *Window `json:"window,omitempty"`
}

// Window is a stretch [From, To) of each phase.
type Window struct {
	From Duration `json:"from"`
	To   Duration `json:"to"`
}

// Extension holds the terms on which the schedule can be extended, evaluated
// for the agreed outcome.
type Extension struct {
	Phases     int     `json:"phases"`     // phases each extension adds
	Obligation int     `json:"obligation"` // template index of the obligation whose quantity changes
	More       float64 `json:"more"`       // its quantity in each added phase, before rounding
	Max        int     `json:"max"`        // how many extensions at most
}

// NewSchedule instantiates sc's plan template for the agreed outcome. A plan
// expression that fails for these values (a division by zero, a negative
// quantity) is an error at its line in the scenario file.
func NewSchedule(sc *scenario.Scenario, agreed space.Outcome) (*Schedule, error) {
	if sc.Plan == nil {
		return nil, sc.Errorf("", "the scenario has no implementation plan (no plan section)")
	}
	if err := sc.Domain.Check(agreed); err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, File: sc.File, Message: "agreed outcome", Err: err}
	}
	p := sc.Plan
	s := &Schedule{
		Parties: make([]string, len(sc.Parties)),
		sc:      sc,
		values:  scenario.Values(sc.Domain, agreed),
	}
	for i := range sc.Parties {
		if s.Parties[i] = sc.Parties[i].Name; s.Parties[i] == MediatorName {
			return nil, sc.Errorf(fmt.Sprintf("parties[%d].name", i), "%q names the mediator in events; call the party otherwise", MediatorName)
		}
	}
	for i, v := range p.Verifiers {
		if v.Name == MediatorName {
			return nil, sc.Errorf(fmt.Sprintf("plan.verifiers[%d].name", i), "%q names the mediator in events; call the verifier otherwise", MediatorName)
		}
		s.Verifiers = append(s.Verifiers, v.Name)
	}
	n, err := s.whole(&p.Phases.Count, "plan.phases.count", 1)
	if err != nil {
		return nil, err
	}
	s.Planned = n
	if p.Extension != nil {
		x := &Extension{Obligation: p.Extension.Of}
		if x.Phases, err = s.whole(&p.Extension.Phases, "plan.extension.phases", 1); err != nil {
			return nil, err
		}
		if x.Max, err = s.whole(&p.Extension.Max, "plan.extension.max", 0); err != nil {
			return nil, err
		}
		if x.More, err = s.quantity(&p.Extension.More, "plan.extension.more", s.values, 0); err != nil {
			return nil, err
		}
		if n+x.Max*x.Phases > MaxPhases {
			return nil, sc.Errorf("plan.extension.max", "%d phases and %d extensions of %d phases exceed %d phases", n, x.Max, x.Phases, MaxPhases)
		}
		s.Extension = x
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.When != nil {
			in, err := r.When.Bool(s.values)
			if err != nil {
				return nil, s.exprError(fmt.Sprintf("plan.rules[%d].when", i), 0, err)
			}
			if !in {
				continue
			}
		}
		sr := StandingRule{Index: i, Name: r.Name, Forbids: r.Forbids, Binds: r.Binds}
		if r.Window != nil {
			sr.Window = &Window{From: Duration(r.Window.From), To: Duration(r.Window.To)}
		}
		s.Rules = append(s.Rules, sr)
	}
	if s.Phases, err = s.block(0, n, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// whole evaluates an expression that must give a whole number of at least
// min.
func (s *Schedule) whole(x *scenario.Expr, path string, min int) (int, error) {
	f, err := x.Number(s.values)
	if err != nil {
		return 0, s.exprError(path, 0, err)
	}
	r := math.Round(f)
	if math.IsNaN(f) || math.Abs(f-r) > 1e-9 || r < float64(min) || r > MaxPhases {
		return 0, s.sc.Errorf(path, "%s gives %g for the agreed outcome; it must be a whole number from %d to %d", x.Source, f, min, MaxPhases)
	}
	return int(r), nil
}

// quantity evaluates a quantity expression, which must give a finite,
// non-negative number.
func (s *Schedule) quantity(x *scenario.Expr, path string, vars map[string]any, phase int) (float64, error) {
	f, err := x.Number(vars)
	if err != nil {
		return 0, s.exprError(path, phase, err)
	}
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, s.exprError(path, phase, fmt.Errorf("%s gives %g (a division by zero?)", x.Source, f))
	case f < 0:
		return 0, s.exprError(path, phase, fmt.Errorf("%s gives a negative quantity, %g", x.Source, f))
	case f > MaxQuantity:
		return 0, s.exprError(path, phase, fmt.Errorf("%s gives %g, above the largest quantity %d", x.Source, f, int64(MaxQuantity)))
	}
	return f, nil
}

func (s *Schedule) exprError(path string, phase int, err error) error {
	if phase > 0 {
		return s.sc.Errorf(path, "in phase %d: %v", phase, err)
	}
	return s.sc.Errorf(path, "%v", err)
}

// block computes n phases following the schedule's last: the agreed ones
// (ext 0, at 0) or those of the ext-th extension, accepted at time at.
func (s *Schedule) block(ext, n int, at time.Duration) ([]Phase, error) {
	p := s.sc.Plan
	start := p.Phases.Start
	if k := len(s.Phases); k > 0 {
		start = time.Duration(s.Phases[k-1].End)
	}
	exact := make([]float64, len(p.Obligations)) // running totals in the block
	whole := make([]int, len(p.Obligations))     // what earlier phases of the block deliver
	phases := make([]Phase, n)
	for k := range phases {
		ph := &phases[k]
		ph.Number, ph.Extension = len(s.Phases)+k+1, ext
		begin := start + time.Duration(k)*p.Phases.Duration
		ph.Start, ph.End = Duration(begin), Duration(begin+p.Phases.Duration)
		vars := maps.Clone(s.values)
		vars[scenario.VarPhase], vars[scenario.VarPhases], vars[scenario.VarExtension] = ph.Number, s.Planned, ext
		for _, o := range p.Obligations {
			if o.Name != "" {
				vars[o.Name] = 0.0
			}
		}
		for j := range p.Obligations {
			o := &p.Obligations[j]
			path := fmt.Sprintf("plan.obligations[%d]", j)
			var x float64
			if ext > 0 && j == s.Extension.Obligation {
				x = s.Extension.More
			} else {
				if o.When != nil {
					in, err := o.When.Bool(vars)
					if err != nil {
						return nil, s.exprError(path+".when", ph.Number, err)
					}
					if !in {
						continue
					}
				}
				var err error
				if x, err = s.quantity(&o.Quantity, path+".quantity", vars, ph.Number); err != nil {
					return nil, err
				}
			}
			exact[j] += x
			q := roundHalfUp(exact[j]) - whole[j]
			whole[j] += q
			if o.Name != "" {
				vars[o.Name] = float64(q)
			}
			if q == 0 {
				continue
			}
			ph.Obligations = append(ph.Obligations, Obligation{
				Index: j, Name: o.Name, Party: o.Party, To: o.To, Kind: o.Kind,
				Quantity: q, Exact: x, Due: Duration(begin + o.Due), Verifiers: verifiers(o),
			})
		}
		for j, l := range p.Lists {
			if ph.obligation(l.Of) < 0 {
				continue
			}
			due := begin - l.Before
			if due < at {
				due = begin
			}
			ph.Lists = append(ph.Lists, List{Index: j, Party: l.Party, To: l.To, Obligation: l.Of, Due: Duration(due)})
		}
	}
	return phases, nil
}

// roundHalfUp rounds a non-negative running total, forgiving the float noise
// of sums such as 0.1+0.2.
func roundHalfUp(x float64) int {
	return int(math.Floor(x + 0.5 + 1e-9*math.Max(1, x)))
}

func verifiers(o *scenario.Obligation) []Actor {
	var as []Actor
	if o.Verify.Receiver {
		as = append(as, Party(o.To))
	}
	for _, v := range o.Verify.Verifiers {
		as = append(as, Verifier(v))
	}
	return as
}

// obligation is the position in the phase of the obligation with template
// index i, or -1.
func (ph *Phase) obligation(i int) int {
	for k := range ph.Obligations {
		if ph.Obligations[k].Index == i {
			return k
		}
	}
	return -1
}

// Name is the name of an actor in events: a party's or verifier's name, or
// the mediator's.
func (s *Schedule) Name(a Actor) string {
	switch a.Role {
	case PartyRole:
		if a.Index >= 0 && a.Index < len(s.Parties) {
			return s.Parties[a.Index]
		}
	case VerifierRole:
		if a.Index >= 0 && a.Index < len(s.Verifiers) {
			return s.Verifiers[a.Index]
		}
	case MediatorRole:
		return MediatorName
	}
	return a.String()
}

// rule is the standing rule with template index i, or nil if it is not in
// force.
func (s *Schedule) rule(i int) *StandingRule {
	for k := range s.Rules {
		if s.Rules[k].Index == i {
			return &s.Rules[k]
		}
	}
	return nil
}

// Role is what an actor is in an implementation.
type Role uint8

// Roles; the zero Role is no actor.
const (
	PartyRole Role = iota + 1
	VerifierRole
	MediatorRole
)

// Actor is a participant in an implementation: a party or an independent
// verifier, by index, or the mediator. Its text form is "party:0",
// "verifier:1" or "mediator".
type Actor struct {
	Role  Role
	Index int
}

// Party is the party with index i.
func Party(i int) Actor { return Actor{PartyRole, i} }

// Verifier is the independent verifier with index i.
func Verifier(i int) Actor { return Actor{VerifierRole, i} }

// Mediator is the mediator.
var Mediator = Actor{Role: MediatorRole}

func (a Actor) String() string {
	switch a.Role {
	case PartyRole:
		return fmt.Sprintf("party:%d", a.Index)
	case VerifierRole:
		return fmt.Sprintf("verifier:%d", a.Index)
	case MediatorRole:
		return "mediator"
	}
	return "nobody"
}

// MarshalText writes the actor's text form.
func (a Actor) MarshalText() ([]byte, error) {
	if a.Role < PartyRole || a.Role > MediatorRole {
		return nil, fmt.Errorf("no actor with role %d", a.Role)
	}
	return []byte(a.String()), nil
}

// UnmarshalText reads the actor's text form.
func (a *Actor) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "mediator" {
		*a = Mediator
		return nil
	}
	role, idx, ok := strings.Cut(s, ":")
	var i int
	if _, err := fmt.Sscanf(idx, "%d", &i); !ok || err != nil || i < 0 || fmt.Sprint(i) != idx {
		return fmt.Errorf("actor %q: want party:N, verifier:N or mediator", s)
	}
	switch role {
	case "party":
		*a = Party(i)
	case "verifier":
		*a = Verifier(i)
	default:
		return fmt.Errorf("actor %q: want party:N, verifier:N or mediator", s)
	}
	return nil
}
