package strategy

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Mediators lists the mediator strategies by name, the default first;
// Targets the fair points the first two aim at.
var (
	Mediators = []string{"confided", "objections", "votes"}
	Targets   = []string{"nash", "kalai"}
)

// mediatorParams lists each strategy's parameters with their defaults.
var mediatorParams = map[string]map[string]float64{
	// eta: how fast, at the deadline, the text shifts towards a party that
	// keeps objecting while others accept (the change of its log
	// bargaining weight per unit of objection strength); earlier the
	// shift is smaller by the square of the fraction of time used.
	"confided":   {"eta": 0.45},
	"objections": {"eta": 0.45},
	// temperature: the annealer's starting temperature, in shares of the
	// parties' votes.
	"votes": {"temperature": 0.3},
}

// MediatorConfig configures a built-in mediator. Its fields map one to one
// onto a scenario's mediator.
type MediatorConfig struct {
	Strategy string // one of Mediators; "" means "confided"
	Target   string // "nash" ("") or "kalai"; ignored by "votes"
	Params   map[string]float64
	Rand     *rand.Rand // required
	// Analysis is the analysis of the parties' true profiles, in party
	// order, computed once per profile set by the caller. The confided
	// mediator uses it only when every party confides its profile in full,
	// for then it knows no more than they told it.
	Analysis *analysis.Result
}

// NewMediator makes a built-in mediator.
func NewMediator(c MediatorConfig) (negotiate.Mediator, error) {
	name := cmp.Or(c.Strategy, "confided")
	params, ok := mediatorParams[name]
	if !ok {
		return nil, fmt.Errorf("unknown mediator strategy %q (want %s)", name, strings.Join(Mediators, ", "))
	}
	for _, n := range sortedKeys(c.Params) {
		if _, ok := params[n]; !ok {
			return nil, fmt.Errorf("mediator %q has no parameter %q (it has %s)", name, n, strings.Join(sortedKeys(params), ", "))
		}
		if v := c.Params[n]; math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("mediator %q: parameter %q must be a non-negative number", name, n)
		}
	}
	if c.Rand == nil {
		return nil, errors.New("mediator without a random source")
	}
	get := func(n string) float64 {
		if v, ok := c.Params[n]; ok {
			return v
		}
		return params[n]
	}
	target := cmp.Or(c.Target, "nash")
	if target != "nash" && target != "kalai" {
		return nil, fmt.Errorf("unknown mediator target %q (want nash or kalai)", target)
	}
	if name == "votes" {
		return &Annealer{rand: c.Rand, temp: get("temperature")}, nil
	}
	return &Bargainer{
		confided: name == "confided",
		kalai:    target == "kalai",
		eta:      get("eta"),
		rand:     c.Rand,
		analysis: c.Analysis,
	}, nil
}

// Bargainer is the "confided" and "objections" mediator. It keeps a model
// of every party (the confided profile, or an additive estimate learnt from
// confided weights and from objections) and an estimate of what each party
// demands now, and puts one text to all parties:
//
//   - if some outcome meets every party's estimated demand, the fair point
//     among those outcomes: the one of largest Nash product of the modelled
//     gains over the reservation values (or of largest smallest
//     Kalai–Smorodinsky share);
//   - otherwise the fair point under bargaining weights, which start equal
//     (the Nash or Kalai–Smorodinsky point itself) and shift towards a
//     party that keeps objecting while others accept, so that the text
//     moves along the frontier until the demands meet.
//
// In the last tenth of the time a party is assumed to settle for less, down
// to its reservation value at the deadline, unless it is firm: it keeps
// making the same counter-proposal. When every
// party confided in full and the frontier is known, texts are chosen among
// its points; otherwise by a coordinate search of the models. It never puts
// an outcome below a reservation value it knows exactly.
type Bargainer struct {
	confided bool // "confided" rather than "objections"
	kalai    bool
	eta      float64
	rand     *rand.Rand
	analysis *analysis.Result

	d      *space.Domain
	models []*model
	logw   []float64 // log bargaining weights, mean 0
	// asp estimates what each party currently demands, in the model's
	// utility (-Inf: unknown): the text's utility plus the strength of its
	// objections, the utility of its counter-proposal, or the utility of a
	// text it accepted.
	asp []float64
	// firm marks a party that made the same counter-proposal twice in a
	// row and has since only repeated or accepted it; counter holds its
	// last counter-proposal.
	firm    []bool
	counter []space.Outcome
	t       float64
	// front holds, when every party confided in full and the frontier is
	// known, its points that give every party its reservation value, with
	// each party's score (see score) worked out once.
	front []frontPoint
	text  space.Outcome // the last text put
	pk    []space.Outcome
	// The log weights the last text was aimed with, and whether a model
	// changed since: unchanged, the aim is the same.
	aimedAt []float64
	changed bool

	// Scratch.
	w    []float64 // bargaining weights
	sum  []float64 // per party: the model's sum (additive) or utility at x
	cand []float64
	sc   []float64
	// demand is asp as aimWithin uses it.
	demand []float64
	// within is set while searching within the parties' demands.
	within bool
	x, y   space.Outcome
	start  space.Outcome
}

// Open builds the models.
func (b *Bargainer) Open(br *negotiate.Brief) error {
	n := len(br.Parties)
	b.d = br.Domain
	b.models = make([]*model, n)
	exact := b.confided && b.analysis != nil && len(b.analysis.Parties) == n && len(b.analysis.Frontier) > 0
	for i := range n {
		var c *negotiate.Confided
		if b.confided {
			c = br.Confided[i]
		}
		if c == nil || c.Level != negotiate.Full {
			exact = false
		}
		b.models[i] = newModel(b.d, c)
	}
	b.logw = make([]float64, n)
	b.asp = make([]float64, n)
	b.firm = make([]bool, n)
	b.counter = make([]space.Outcome, n)
	for i := range b.asp {
		b.asp[i] = math.Inf(-1)
	}
	b.w = make([]float64, n)
	b.sum = make([]float64, n)
	b.cand = make([]float64, n)
	b.sc = make([]float64, n)
	b.demand = make([]float64, n)
	b.front = nil
	if exact {
		b.front = []frontPoint{}
	frontier:
		for k := range b.analysis.Frontier {
			p := &b.analysis.Frontier[k]
			fp := frontPoint{p: p, score: make([]float64, n)}
			for i, u := range p.Utilities {
				if fp.score[i] = b.score(i, u); math.IsInf(fp.score[i], -1) {
					continue frontier
				}
			}
			b.front = append(b.front, fp)
		}
	}
	b.x, b.y, b.start = b.d.NewOutcome(), b.d.NewOutcome(), b.d.NewOutcome()
	b.text = nil
	return nil
}

// Draft puts the same text to every party.
func (b *Bargainer) Draft(r int, t float64, texts []space.Outcome) bool {
	b.t = t
	o := b.text
	if b.changed || o == nil || !slices.Equal(b.aimedAt, b.logw) {
		if o = b.aim(b.logw); o == nil {
			return false
		}
		b.aimedAt = append(b.aimedAt[:0], b.logw...)
		b.changed = false
	}
	b.text = o
	for i := range texts {
		texts[i] = o
	}
	return true
}

// weights turns log weights into weights with mean 1.
func (b *Bargainer) weights(logw []float64) {
	var s float64
	for i, l := range logw {
		b.w[i] = math.Exp(l)
		s += b.w[i]
	}
	for i := range b.w {
		b.w[i] *= float64(len(b.w)) / s
	}
}

type frontPoint struct {
	p     *analysis.Point
	score []float64
}

// score is party k's term in the objective when it gets utility u: the
// log of its gain over its reservation value for Nash, the gain as a share
// of its best possible gain for Kalai–Smorodinsky; -Inf when the party's
// reservation value is known exactly and u falls short of it.
func (b *Bargainer) score(k int, u float64) float64 {
	const tiny = 1e-6
	m := b.models[k]
	g := u - m.res
	if g < 0 && m.exact != nil {
		return math.Inf(-1)
	}
	if b.kalai {
		return g / max(m.best-m.res, tiny)
	}
	return math.Log(max(g, 0) + tiny)
}

// combine is the objective of the parties' scores under the weights in
// b.w: the weighted Nash product in logs, or the smallest weighted
// Kalai–Smorodinsky share (with the total as a faint tie-break).
func (b *Bargainer) combine(sc []float64) float64 {
	if b.kalai {
		lo, total := math.Inf(1), 0.0
		for i, g := range sc {
			lo = min(lo, g/b.w[i])
			total += g
		}
		return lo + 1e-3*total
	}
	var s float64
	for i, l := range sc {
		s += b.w[i] * l
	}
	return s
}

// value is what the search maximises: first the least shortfall (the
// utility by which parties fall short of their demands while searching
// within them; +Inf below a reservation value known exactly), then the
// most merit (the objective proper).
type value struct{ short, merit float64 }

var worst = value{math.Inf(1), math.Inf(-1)}

func (a value) beats(b value) bool {
	const tol = 1e-12
	switch {
	case a.short < b.short-tol:
		return true
	case a.short > b.short+tol:
		return false
	}
	return a.merit > b.merit+tol
}

// objective values per-party utilities u.
func (b *Bargainer) objective(u []float64) value {
	var short float64
	for k, x := range u {
		if b.sc[k] = b.score(k, x); math.IsInf(b.sc[k], -1) {
			return worst
		}
		if b.within && x < b.demand[k] {
			short += b.demand[k] - x
		}
	}
	return value{short, b.combine(b.sc)}
}

// aim is the outcome that maximises the objective under log weights logw,
// or nil when no outcome it can find gives every party whose profile it
// knows exactly at least its reservation value.
func (b *Bargainer) aim(logw []float64) space.Outcome {
	if o := b.aimWithin(); o != nil {
		return o
	}
	return b.aimWeighted(logw)
}

// aimWithin is the fair point among the outcomes that meet every party's
// estimated demand, or nil if it finds none.
func (b *Bargainer) aimWithin() space.Outcome {
	known := false
	for _, a := range b.asp {
		known = known || !math.IsInf(a, -1)
	}
	if !known {
		return nil
	}
	for i := range b.w {
		b.w[i] = 1
	}
	// In the last stretch before the deadline, a party that is not firm is
	// taken to settle for less: its demand falls linearly to its
	// reservation value, which it would rather have than nothing.
	const stretch = 0.1
	relax := 1.0
	if b.t > 1-stretch {
		relax = (1 - b.t) / stretch
	}
	for i, a := range b.asp {
		b.demand[i] = a
		if !b.firm[i] {
			b.demand[i] = b.models[i].res + (a-b.models[i].res)*relax
		}
	}
	b.within = true
	defer func() { b.within = false }()
	if b.front != nil {
		return b.pickFront()
	}
	o := b.search()
	if o == nil {
		return nil
	}
	for k, m := range b.models {
		if m.utility(o) < b.demand[k]-eps {
			return nil
		}
	}
	return o
}

// aimWeighted is the outcome that maximises the objective under log
// weights logw.
func (b *Bargainer) aimWeighted(logw []float64) space.Outcome {
	b.weights(logw)
	if b.front != nil {
		return b.pickFront()
	}
	return b.search()
}

// pickFront chooses the frontier point of best objective, among those that
// meet the demands while searching within them.
func (b *Bargainer) pickFront() space.Outcome {
	best, bestV := -1, math.Inf(-1)
points:
	for k := range b.front {
		if b.within {
			for i, u := range b.front[k].p.Utilities {
				if u < b.demand[i]-eps {
					continue points
				}
			}
		}
		if v := b.combine(b.front[k].score); v > bestV {
			best, bestV = k, v
		}
	}
	if best < 0 {
		return nil
	}
	return b.front[best].p.Outcome
}

// search climbs to the best outcome it finds for the objective; nil when
// the hard constraints the models know of leave some issue no value.
func (b *Bargainer) search() space.Outcome {
	for i := range b.d.Issues {
		if b.first(i) < 0 {
			return nil
		}
	}
	bestV := worst
	try := func(start space.Outcome) {
		copy(b.x, start)
		if v := b.climb(b.x); v.beats(bestV) {
			bestV = v
			copy(b.y, b.x)
		}
	}
	// Starting points: the last text, the parties' last counter-proposals
	// and the weighted compromise issue by issue; at first, each party's
	// own best.
	if b.text != nil {
		try(b.text)
	}
	for _, c := range b.counter {
		if c != nil {
			try(c)
		}
	}
	b.startAt(-1)
	try(b.start)
	for s := 0; b.text == nil && s < len(b.models); s++ {
		b.startAt(s)
		try(b.start)
	}
	if math.IsInf(bestV.short, 1) {
		return nil
	}
	return b.y.Clone()
}

// first is issue i's first value every model allows, or -1.
func (b *Bargainer) first(i int) int {
	for v := range b.d.Issues[i].Size() {
		if b.allowed(i, v) {
			return v
		}
	}
	return -1
}

// allowed reports whether every model allows value v of issue i.
func (b *Bargainer) allowed(i, v int) bool {
	for _, m := range b.models {
		if !m.ok(i, v) {
			return false
		}
	}
	return true
}

// startAt writes a starting point into b.start: for s < 0 each issue's
// value best for the weighted sum of the additive models' normalised
// evaluations, for s >= 0 party s's best (its first allowed value where
// its model is not additive).
func (b *Bargainer) startAt(s int) {
	for i := range b.d.Issues {
		best, bestV := -1, math.Inf(-1)
		for v := range b.d.Issues[i].Size() {
			if !b.allowed(i, v) {
				continue
			}
			var val float64
			for k, m := range b.models {
				if m.add == nil || s >= 0 && k != s {
					continue
				}
				val += b.w[k] * m.add.Term(i, v) / max(m.best-m.res, 1e-6)
			}
			if val > bestV {
				best, bestV = v, val
			}
		}
		b.start[i] = max(best, 0)
	}
}

// climb repairs what breaks a known hard constraint in x, then improves x
// one issue at a time, each time to the value that most
// improves the objective, until no single change helps, and returns the
// objective.
func (b *Bargainer) climb(x space.Outcome) value {
	for i := range x {
		if !b.allowed(i, x[i]) {
			x[i] = b.first(i)
		}
	}
	for k, m := range b.models {
		if m.add != nil {
			b.sum[k] = m.add.Sum(x)
		} else {
			b.sum[k] = m.exact.Utility(x)
		}
	}
	val := b.objective(b.clamped(b.sum, b.cand))
	for range 16 {
		improved := false
		for i := range x {
			old := x[i]
			bestV, bestVal := old, val
			for v := range b.d.Issues[i].Size() {
				if v == old || !b.allowed(i, v) {
					continue
				}
				for k, m := range b.models {
					if m.add != nil {
						b.cand[k] = utilityClamp(b.sum[k] + m.add.Term(i, v) - m.add.Term(i, old))
					} else {
						x[i] = v
						b.cand[k] = m.exact.Utility(x)
						x[i] = old
					}
				}
				if cv := b.objective(b.cand); cv.beats(bestVal) {
					bestV, bestVal = v, cv
				}
			}
			if bestV == old {
				continue
			}
			x[i] = bestV
			for k, m := range b.models {
				if m.add != nil {
					b.sum[k] += m.add.Term(i, bestV) - m.add.Term(i, old)
				} else {
					b.sum[k] = m.exact.Utility(x)
				}
			}
			val, improved = bestVal, true
		}
		if !improved {
			break
		}
	}
	return val
}

func (b *Bargainer) clamped(sum, out []float64) []float64 {
	for k, m := range b.models {
		out[k] = sum[k]
		if m.add != nil {
			out[k] = utilityClamp(sum[k])
		}
	}
	return out
}

func utilityClamp(u float64) float64 { return min(max(u, 0), 1) }

// Hear learns from objections and counter-proposals, re-estimates what
// each party demands, and moves the bargaining weights: objecting raises a
// party's weight by its objection's strength, accepting lowers it.
func (b *Bargainer) Hear(r int, answers []negotiate.Answer) {
	if b.pk != nil {
		b.hearBids(answers)
		return
	}
	eta := b.pull()
	for i, a := range answers {
		m := b.models[i]
		var demand float64
		switch a.Kind {
		case negotiate.KindAccept:
			b.logw[i] -= eta / 2
			demand = m.utility(b.text)
		case negotiate.KindVote:
			u := m.utility(b.text)
			if a.Yes {
				b.logw[i] -= eta / 2
				demand = u
			} else {
				b.logw[i] += eta / 4
				demand = max(b.asp[i], u+0.01)
			}
		case negotiate.KindObject:
			var s float64
			for _, o := range a.Objections {
				m.learn(b.d, b.text, o)
				s += o.Strength
			}
			b.logw[i] += eta * min(s, 1)
			b.changed = b.changed || m.exact == nil || s >= 1
			m.updateBest(b.d)
			demand = m.utility(b.text) + s
		case negotiate.KindCounter:
			gain := m.utility(a.Outcome) - m.utility(b.text)
			m.learnCounter(b.text, a.Outcome)
			b.logw[i] += eta * min(max(gain, 0.05), 1)
			b.changed = b.changed || m.exact == nil
			m.updateBest(b.d)
			demand = m.utility(a.Outcome)
		default:
			continue
		}
		switch a.Kind {
		case negotiate.KindCounter:
			b.firm[i] = a.Outcome.Equal(b.counter[i])
			b.counter[i] = a.Outcome
		case negotiate.KindAccept:
			// Accepting leaves a firm party firm.
		default:
			b.firm[i] = false
		}
		if demand != b.asp[i] {
			b.asp[i], b.changed = demand, true
		}
	}
	b.center()
}

// pull is how far an objection of strength 1 moves a party's log weight
// now. Early on, a party that objects may simply not have conceded yet:
// the pull grows with the square of the time.
func (b *Bargainer) pull() float64 { return b.eta * b.t * b.t }

// center keeps the log weights' mean at 0.
func (b *Bargainer) center() {
	var mean float64
	for _, l := range b.logw {
		mean += l
	}
	mean /= float64(len(b.logw))
	for i := range b.logw {
		b.logw[i] -= mean
	}
}

// Packages drafts the fair point and, around it, points tilted towards each
// party in turn, further each time round.
func (b *Bargainer) Packages(r int, t float64, k int) []space.Outcome {
	b.t = t
	// A fresh list each round: the session keeps the last one in its log.
	b.pk = make([]space.Outcome, 0, k)
	tilt := make([]float64, len(b.logw))
	for m := 0; len(b.pk) < k && m < 4*k; m++ {
		copy(tilt, b.logw)
		if m > 0 {
			tilt[(m-1)%len(tilt)] += float64(1 + (m-1)/len(tilt))
		}
		o := b.aim(tilt)
		if o == nil {
			if m == 0 {
				return nil
			}
			continue
		}
		if m == 0 {
			b.text = o
		}
		if !contains(b.pk, o) {
			b.pk = append(b.pk, o)
		}
	}
	return b.pk
}

func contains(list []space.Outcome, o space.Outcome) bool {
	for _, p := range list {
		if p.Equal(o) {
			return true
		}
	}
	return false
}

// hearBids moves weights from blind bids: a party that picked the fair
// point accepted; one that picked only tilted packages pulls a little; one
// that picked nothing pulls hard.
func (b *Bargainer) hearBids(answers []negotiate.Answer) {
	for i, a := range answers {
		if a.Kind != negotiate.KindBid {
			continue
		}
		switch {
		case len(a.Picks) == 0:
			b.logw[i] += b.pull() / 2
		case containsInt(a.Picks, 0):
			b.logw[i] -= b.pull() / 2
		default:
			b.logw[i] += b.pull() / 4
		}
	}
	b.center()
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// Improve looks for an outcome that every model values above the
// agreement, by the largest smallest gain: on the known frontier, or on the
// frontier of the models, analysed once. Estimated models must show a
// clear gain.
func (b *Bargainer) Improve(agreed space.Outcome) space.Outcome {
	base := make([]float64, len(b.models))
	margin := eps
	for k, m := range b.models {
		base[k] = m.utility(agreed)
		if m.exact == nil {
			margin = 0.02
		}
	}
	front := b.analysis
	if b.front == nil {
		var err error
		if front, err = analysis.Analyze(b.profiles(), analysis.Options{Seed: b.rand.Uint64()}); err != nil {
			return nil
		}
	}
	best, bestV := -1, math.Inf(-1)
	for k := range front.Frontier {
		u := front.Frontier[k].Utilities
		v := math.Inf(1)
		var s float64
		for i := range u {
			v = min(v, u[i]-base[i])
			s += u[i] - base[i]
		}
		if v > margin && v+1e-3*s > bestV {
			best, bestV = k, v+1e-3*s
		}
	}
	if best < 0 {
		return nil
	}
	return front.Frontier[best].Outcome.Clone()
}

// profiles are the models as profiles, for analysis.
func (b *Bargainer) profiles() []*utility.Profile {
	ps := make([]*utility.Profile, len(b.models))
	for k, m := range b.models {
		p := &utility.Profile{Name: fmt.Sprintf("party %d", k+1), Domain: b.d, Func: m.exact, Reservation: m.res, Discount: 1}
		if p.Func == nil {
			p.Func = m.add
		}
		for i, row := range m.allow {
			if row != nil {
				p.Constraints = append(p.Constraints, utility.Constraint{Issue: i, Allowed: row})
			}
		}
		ps[k] = p
	}
	return ps
}
