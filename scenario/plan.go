package scenario

import (
	"slices"
	"strings"
	"time"
)

// Plan is the implementation-plan template of a scenario: how an agreement
// on the scenario's issues is carried out. Quantities and conditions are
// expressions over the agreed values (see Expr); package deal gives them
// their meaning over time.
type Plan struct {
	// Verifiers are the independent verifiers the plan names (a monitor,
	// an inspection agency), besides the parties.
	Verifiers []Verifier
	Phases    Phases
	// Lists are the identification lists parties submit before phases.
	Lists []List
	// Obligations apply in every phase whose When holds, in file order.
	Obligations []Obligation
	// Rules are standing rules for the whole implementation period.
	Rules []Rule
	// Extension is how the plan may be extended; nil when it cannot be.
	Extension *Extension
	Breach    Breach
	// Behaviour is how each party behaves in simulation, in party order.
	Behaviour []Behaviour
}

// Verifier is an independent party who confirms deliveries.
type Verifier struct {
	Name        string
	Description string
}

// Phases says how many phases the implementation has and their timing.
type Phases struct {
	Count    Expr          // number of phases, over the agreed values
	Duration time.Duration // length of each phase
	Start    time.Duration // from signature to the start of the first phase
}

// Obligation is what one party must deliver to another in each phase.
type Obligation struct {
	// Name, when set, makes the phase's quantity of this obligation a
	// variable for the expressions of later obligations and of Extension.
	Name     string
	Party    int    // who delivers (index into Scenario.Parties)
	To       int    // who receives (index into Scenario.Parties)
	Kind     string // what is delivered, in the scenario's words
	Quantity Expr   // how many in the phase
	When     *Expr  // condition on the phase; nil means every phase
	// Due is the offset from the phase's start by which the delivery is
	// due; it defaults to the phase's Duration.
	Due    time.Duration
	Verify Verification
}

// Verification says who must confirm a delivery before it counts.
type Verification struct {
	Receiver  bool  // the receiving party
	Verifiers []int // indexes into Plan.Verifiers
}

// List is an identification list: before each phase in which obligation Of
// falls due, Party names the items it will deliver.
type List struct {
	Party  int
	To     int // who receives the list
	Of     int // index into Plan.Obligations
	Before time.Duration
}

// Rule is a standing rule: Binds must not do what Forbids says while the
// rule is in force.
type Rule struct {
	Name    string
	Forbids string
	Binds   []int // indexes into Scenario.Parties
	When    *Expr // condition on the agreed values; nil means always
	// Window, when set, limits the rule to a stretch of each phase, as
	// offsets from the phase's start; nil means at all times.
	Window *Window
}

// Window is a stretch of time [From, To).
type Window struct{ From, To time.Duration }

// Extension is how the plan can be extended: Phases more phases in which
// obligation Of delivers More instead of its usual quantity, on the same
// terms otherwise, at most Max times. Every party must accept each offer.
type Extension struct {
	Phases Expr
	Of     int // index into Plan.Obligations
	More   Expr
	Max    Expr
}

// Breach is the policy by which the mediator rules on a reported breach.
// A breach is major when any of the thresholds is reached, or when a minor
// breach is not cured within Cure; a major breach collapses the agreement.
type Breach struct {
	Cure time.Duration // time allowed to cure a minor breach
	// MajorShortfall is the fraction of a delivery missing from which a
	// breach is major; 1 means only a delivery missing entirely.
	MajorShortfall float64
	// MajorLate is the delay past the due time from which a late delivery
	// is major; 0 means no delay alone makes a breach major.
	MajorLate time.Duration
	// MajorFouls is the number of fouls of standing rules by one party
	// from which the next one is major; 0 means no limit.
	MajorFouls int
}

// Behaviour is how a party acts in a simulated implementation; the draws are
// seeded by the simulation.
type Behaviour struct {
	Late    float64       // probability that a delivery is late
	LateBy  time.Duration // how late, when it is
	Short   float64       // probability that a delivery falls short
	ShortBy float64       // fraction missing, when it does
	Foul    float64       // probability per phase of fouling a standing rule
	// AcceptExtension is the probability of accepting an extension offer.
	AcceptExtension float64
}

// Behaviour defaults.
const (
	DefaultLateBy          = time.Hour
	DefaultShortBy         = 0.1
	DefaultAcceptExtension = 1.0
)

// plan reads the plan template. The domain and the parties are already read.
func (r *reader) plan(e entry) (*Plan, error) {
	f, err := r.fields(e.path, e.val, "verifiers", "phases", "lists", "obligations", "rules", "extension", "breach", "behaviour")
	if err != nil {
		return nil, err
	}
	p := &Plan{Behaviour: make([]Behaviour, len(r.s.Parties))}
	for i := range p.Behaviour {
		p.Behaviour[i] = Behaviour{LateBy: DefaultLateBy, ShortBy: DefaultShortBy, AcceptExtension: DefaultAcceptExtension}
	}
	env, clash := newEnv(r.s.Domain)
	if clash != "" {
		return nil, r.fail(join("domain.issues", clash), e.val, "an issue cannot be named %s in a scenario with a plan (%s are plan variables)", clash, strings.Join(PlanVars, ", "))
	}
	if ve, ok := f["verifiers"]; ok {
		if p.Verifiers, err = r.verifiers(ve); err != nil {
			return nil, err
		}
	}
	pe, ok := f["phases"]
	if !ok {
		return nil, r.fail(e.path, e.val, "a plan needs phases")
	}
	if p.Phases, err = r.phases(pe, env); err != nil {
		return nil, err
	}
	oe, ok := f["obligations"]
	if !ok {
		return nil, r.fail(e.path, e.val, "a plan needs obligations")
	}
	if p.Obligations, err = r.obligations(oe, p, env); err != nil {
		return nil, err
	}
	if le, ok := f["lists"]; ok {
		if p.Lists, err = r.lists(le, p); err != nil {
			return nil, err
		}
	}
	if re, ok := f["rules"]; ok {
		if p.Rules, err = r.rules(re, env, p.Phases.Duration); err != nil {
			return nil, err
		}
	}
	if xe, ok := f["extension"]; ok {
		if p.Extension, err = r.extension(xe, p, env); err != nil {
			return nil, err
		}
	}
	if be, ok := f["breach"]; ok {
		if p.Breach, err = r.breach(be); err != nil {
			return nil, err
		}
	} else {
		p.Breach = Breach{MajorShortfall: 1}
	}
	if be, ok := f["behaviour"]; ok {
		if err := r.behaviour(be, p.Behaviour); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (r *reader) verifiers(e entry) ([]Verifier, error) {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	vs := make([]Verifier, len(its))
	for i, it := range its {
		f, err := r.fields(it.path, it.val, "name", "description")
		if err != nil {
			return nil, err
		}
		ne, ok := f["name"]
		if !ok {
			return nil, r.fail(it.path, it.val, "a verifier needs a name")
		}
		if vs[i].Name, err = r.name(ne); err != nil {
			return nil, err
		}
		if vs[i].Name == "receiver" || vs[i].Name == "both" {
			return nil, r.fail(ne.path, ne.val, "%q has a meaning under verified_by: give the verifier another name", vs[i].Name)
		}
		if r.s.PartyIndex(vs[i].Name) >= 0 || slices.ContainsFunc(vs[:i], func(v Verifier) bool { return v.Name == vs[i].Name }) {
			return nil, r.fail(ne.path, ne.val, "%q already names a party or a verifier", vs[i].Name)
		}
		if de, ok := f["description"]; ok {
			if vs[i].Description, err = r.str(de); err != nil {
				return nil, err
			}
		}
	}
	return vs, nil
}

func (r *reader) phases(e entry, env *env) (Phases, error) {
	var ph Phases
	f, err := r.fields(e.path, e.val, "count", "duration", "start")
	if err != nil {
		return ph, err
	}
	ce, ok := f["count"]
	if !ok {
		return ph, r.fail(e.path, e.val, "needs count, the number of phases (a number or an expression such as days)")
	}
	if ph.Count, err = r.count(ce, env.outcome, 1); err != nil {
		return ph, err
	}
	de, ok := f["duration"]
	if !ok {
		return ph, r.fail(e.path, e.val, "needs duration, the length of each phase (e.g. 24h)")
	}
	if ph.Duration, err = r.duration(de); err != nil {
		return ph, err
	}
	if ph.Duration == 0 {
		return ph, r.fail(de.path, de.val, "must be above zero")
	}
	if se, ok := f["start"]; ok {
		if ph.Start, err = r.duration(se); err != nil {
			return ph, err
		}
	}
	return ph, nil
}

// partyRef reads the name of a party and gives its index.
func (r *reader) partyRef(e entry) (int, error) {
	s, err := r.name(e)
	if err != nil {
		return 0, err
	}
	i := r.s.PartyIndex(s)
	if i < 0 {
		return 0, r.fail(e.path, e.val, "no party named %q", s)
	}
	return i, nil
}

func (r *reader) obligations(e entry, p *Plan, env *env) ([]Obligation, error) {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	if len(its) == 0 {
		return nil, r.fail(e.path, e.val, "a plan needs at least one obligation")
	}
	obs := make([]Obligation, len(its))
	vars := env.phase.clone()
	for k, it := range its {
		o := &obs[k]
		f, err := r.fields(it.path, it.val, "name", "by", "to", "kind", "quantity", "when", "due", "verified_by")
		if err != nil {
			return nil, err
		}
		for _, key := range []string{"by", "to", "kind", "quantity"} {
			if _, ok := f[key]; !ok {
				return nil, r.fail(it.path, it.val, "an obligation needs %s", key)
			}
		}
		if o.Party, err = r.partyRef(f["by"]); err != nil {
			return nil, err
		}
		if o.To, err = r.partyRef(f["to"]); err != nil {
			return nil, err
		}
		if o.To == o.Party {
			return nil, r.fail(f["to"].path, f["to"].val, "a party cannot deliver to itself")
		}
		if o.Kind, err = r.name(f["kind"]); err != nil {
			return nil, err
		}
		if o.Quantity, err = r.expr(f["quantity"], vars, number); err != nil {
			return nil, err
		}
		if we, ok := f["when"]; ok {
			x, err := r.expr(we, vars, boolean)
			if err != nil {
				return nil, err
			}
			o.When = &x
		}
		o.Due = p.Phases.Duration
		if de, ok := f["due"]; ok {
			if o.Due, err = r.duration(de); err != nil {
				return nil, err
			}
			if o.Due == 0 || o.Due > p.Phases.Duration {
				return nil, r.fail(de.path, de.val, "must be within the phase (above zero, at most %v)", p.Phases.Duration)
			}
		}
		o.Verify = Verification{Receiver: true}
		if ve, ok := f["verified_by"]; ok {
			if o.Verify, err = r.verification(ve, p.Verifiers); err != nil {
				return nil, err
			}
		}
		if ne, ok := f["name"]; ok {
			if o.Name, err = r.identifier(ne); err != nil {
				return nil, err
			}
			if vars.has(o.Name) {
				return nil, r.fail(ne.path, ne.val, "%q is already an issue, a plan variable or an earlier obligation's name", o.Name)
			}
			vars.add(o.Name, 0.0)
		}
	}
	return obs, nil
}

// identifier reads a name usable as an expression variable.
func (r *reader) identifier(e entry) (string, error) {
	s, err := r.name(e)
	if err != nil {
		return "", err
	}
	if !isIdentifier(s) {
		return "", r.fail(e.path, e.val, "%q must be a name of letters, digits and underscores, usable in expressions", s)
	}
	return s, nil
}

// verification reads verified_by: "receiver", verifier names, or "both"
// (the receiver and the plan's only verifier).
func (r *reader) verification(e entry, vs []Verifier) (Verification, error) {
	var v Verification
	names, err := r.strs(e)
	if err != nil {
		return v, err
	}
	for _, n := range names {
		switch n {
		case "receiver":
			v.Receiver = true
		case "both":
			if len(vs) != 1 {
				return v, r.fail(e.path, e.val, "both means the receiver and the plan's one verifier, but the plan names %d verifiers", len(vs))
			}
			v.Receiver = true
			v.Verifiers = append(v.Verifiers, 0)
		default:
			i := slices.IndexFunc(vs, func(x Verifier) bool { return x.Name == n })
			if i < 0 {
				return v, r.fail(e.path, e.val, "%q is neither receiver, both, nor a verifier named under plan.verifiers", n)
			}
			v.Verifiers = append(v.Verifiers, i)
		}
	}
	if !v.Receiver && len(v.Verifiers) == 0 {
		return v, r.fail(e.path, e.val, "names nobody to verify")
	}
	slices.Sort(v.Verifiers)
	v.Verifiers = slices.Compact(v.Verifiers)
	return v, nil
}

// obligationRef reads the name of an obligation and gives its index.
func (r *reader) obligationRef(e entry, obs []Obligation) (int, error) {
	s, err := r.name(e)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(obs, func(o Obligation) bool { return o.Name == s })
	if i < 0 {
		return 0, r.fail(e.path, e.val, "no obligation named %q", s)
	}
	return i, nil
}

func (r *reader) lists(e entry, p *Plan) ([]List, error) {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	ls := make([]List, len(its))
	for k, it := range its {
		l := &ls[k]
		f, err := r.fields(it.path, it.val, "by", "to", "of", "before")
		if err != nil {
			return nil, err
		}
		for _, key := range []string{"by", "of", "before"} {
			if _, ok := f[key]; !ok {
				return nil, r.fail(it.path, it.val, "an identification list needs %s", key)
			}
		}
		if l.Party, err = r.partyRef(f["by"]); err != nil {
			return nil, err
		}
		if l.Of, err = r.obligationRef(f["of"], p.Obligations); err != nil {
			return nil, err
		}
		l.To = p.Obligations[l.Of].To
		if l.To == l.Party {
			l.To = p.Obligations[l.Of].Party
		}
		if te, ok := f["to"]; ok {
			if l.To, err = r.partyRef(te); err != nil {
				return nil, err
			}
			if l.To == l.Party {
				return nil, r.fail(te.path, te.val, "a party cannot submit a list to itself")
			}
		}
		if l.Before, err = r.duration(f["before"]); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

func (r *reader) rules(e entry, env *env, phase time.Duration) ([]Rule, error) {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	rs := make([]Rule, len(its))
	for k, it := range its {
		ru := &rs[k]
		f, err := r.fields(it.path, it.val, "name", "forbids", "binds", "when", "window")
		if err != nil {
			return nil, err
		}
		for _, key := range []string{"name", "forbids", "binds"} {
			if _, ok := f[key]; !ok {
				return nil, r.fail(it.path, it.val, "a standing rule needs %s", key)
			}
		}
		if ru.Name, err = r.name(f["name"]); err != nil {
			return nil, err
		}
		if ru.Forbids, err = r.name(f["forbids"]); err != nil {
			return nil, err
		}
		be := f["binds"]
		names, err := r.strs(be)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			i := r.s.PartyIndex(n)
			if i < 0 {
				return nil, r.fail(be.path, be.val, "no party named %q", n)
			}
			if !slices.Contains(ru.Binds, i) {
				ru.Binds = append(ru.Binds, i)
			}
		}
		if we, ok := f["when"]; ok {
			x, err := r.expr(we, env.outcome, boolean)
			if err != nil {
				return nil, err
			}
			ru.When = &x
		}
		if we, ok := f["window"]; ok {
			w, err := r.window(we)
			if err != nil {
				return nil, err
			}
			if w.To > phase {
				return nil, r.fail(join(we.path, "to"), we.val, "must be within the phase (at most %v)", phase)
			}
			ru.Window = &w
		}
	}
	return rs, nil
}

func (r *reader) extension(e entry, p *Plan, env *env) (*Extension, error) {
	f, err := r.fields(e.path, e.val, "phases", "of", "more", "max")
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"of", "more", "max"} {
		if _, ok := f[key]; !ok {
			return nil, r.fail(e.path, e.val, "an extension needs %s", key)
		}
	}
	x := &Extension{}
	if pe, ok := f["phases"]; ok {
		if x.Phases, err = r.count(pe, env.outcome, 1); err != nil {
			return nil, err
		}
	} else {
		x.Phases = constant(1)
	}
	if x.Of, err = r.obligationRef(f["of"], p.Obligations); err != nil {
		return nil, err
	}
	if x.More, err = r.expr(f["more"], env.outcome, number); err != nil {
		return nil, err
	}
	if x.Max, err = r.count(f["max"], env.outcome, 0); err != nil {
		return nil, err
	}
	return x, nil
}

func (r *reader) breach(e entry) (Breach, error) {
	b := Breach{MajorShortfall: 1}
	f, err := r.fields(e.path, e.val, "cure", "major")
	if err != nil {
		return b, err
	}
	if ce, ok := f["cure"]; ok {
		if b.Cure, err = r.duration(ce); err != nil {
			return b, err
		}
	}
	me, ok := f["major"]
	if !ok {
		return b, nil
	}
	mf, err := r.fields(me.path, me.val, "shortfall", "late", "fouls")
	if err != nil {
		return b, err
	}
	if se, ok := mf["shortfall"]; ok {
		if b.MajorShortfall, err = r.unit(se); err != nil {
			return b, err
		}
		if b.MajorShortfall == 0 {
			return b, r.fail(se.path, se.val, "must be above 0 (every shortfall would be major)")
		}
	}
	if le, ok := mf["late"]; ok {
		if b.MajorLate, err = r.duration(le); err != nil {
			return b, err
		}
	}
	if fe, ok := mf["fouls"]; ok {
		n, err := r.integer(fe)
		if err != nil {
			return b, err
		}
		if n < 0 || n > 1e6 {
			return b, r.fail(fe.path, fe.val, "must be between 0 (no limit) and 1000000")
		}
		b.MajorFouls = int(n)
	}
	return b, nil
}

// behaviour reads each party's simulated behaviour, keyed by party name.
func (r *reader) behaviour(e entry, bs []Behaviour) error {
	es, err := r.entries(e.path, e.val)
	if err != nil {
		return err
	}
	for _, pe := range es {
		i := r.s.PartyIndex(pe.key)
		if i < 0 {
			return r.fail(pe.path, pe.val, "no party named %q", pe.key)
		}
		f, err := r.fields(pe.path, pe.val, "late", "late_by", "short", "short_by", "foul", "accept_extension")
		if err != nil {
			return err
		}
		b := &bs[i]
		probs := []struct {
			key string
			dst *float64
		}{{"late", &b.Late}, {"short", &b.Short}, {"short_by", &b.ShortBy}, {"foul", &b.Foul}, {"accept_extension", &b.AcceptExtension}}
		for _, pr := range probs {
			if fe, ok := f[pr.key]; ok {
				if *pr.dst, err = r.unit(fe); err != nil {
					return err
				}
			}
		}
		if le, ok := f["late_by"]; ok {
			if b.LateBy, err = r.duration(le); err != nil {
				return err
			}
		}
	}
	return nil
}
