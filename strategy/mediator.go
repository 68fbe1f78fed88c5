package strategy

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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
	"confided":   {},
	"objections": {},
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
	// Analysis is the analysis of the profiles the parties confide in
	// full (in a simulation, their true profiles), in party order,
	// computed once per profile set by the caller. The confided mediator
	// uses it only when every party confides its profile in full, for then
	// it knows no more than they told it.
	Analysis *analysis.Result
	// Cache, if not nil, keeps what the mediator works out from Analysis
	// for the next negotiation over the same profiles.
	Cache *Cache
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
			has := "none"
			if len(params) > 0 {
				has = strings.Join(sortedKeys(params), ", ")
			}
			return nil, fmt.Errorf("mediator %q has no parameter %q (it has %s)", name, n, has)
		}
		if v := c.Params[n]; math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("mediator %q: parameter %q must be a non-negative number", name, n)
		}
	}
	if c.Rand == nil {
		return nil, errors.New("mediator without a random source")
	}
	target := cmp.Or(c.Target, "nash")
	if target != "nash" && target != "kalai" {
		return nil, fmt.Errorf("unknown mediator target %q (want nash or kalai)", target)
	}
	if name == "votes" {
		temp, ok := c.Params["temperature"]
		if !ok {
			temp = params["temperature"]
		}
		return &Annealer{rand: c.Rand, temp: temp}, nil
	}
	return &Bargainer{confided: name == "confided", kalai: target == "kalai", rand: c.Rand, analysis: c.Analysis, cache: c.Cache}, nil
}

// stretch is the final fraction of the time in which the mediator assumes
// that parties settle for less.
const stretch = 0.1

// Bargainer is the "confided" and "objections" mediator. It keeps a model
// of every party (the confided profile, or an additive estimate learnt from
// confided weights and from objections) and an estimate of what each party
// demands now, and puts one text to all parties: the fair point (the
// outcome of largest Nash product of the modelled gains over the
// reservation values, or of largest smallest Kalai–Smorodinsky share)
// among the outcomes that meet every party's demand, or, while there are
// none, the fair point itself. As objections come in, the models and the
// demands change and the text moves with them.
//
// In the last tenth of the time every party is assumed to settle for less,
// down to its reservation value at the deadline, unless it is firm: it
// keeps making the same counter-proposal. When every party confided in
// full and the frontier is known, texts are chosen among its points;
// otherwise by a coordinate search of the models. It never puts an outcome
// below a reservation value it knows exactly, nor one that breaks a hard
// constraint it knows of.
type Bargainer struct {
	confided bool // "confided" rather than "objections"
	kalai    bool
	rand     *rand.Rand
	analysis *analysis.Result
	cache    *Cache

	d      *space.Domain
	models []*model
	// demand estimates, in the model's utility, what each party needs to
	// accept (-Inf: unknown): the utility of a text it accepted, the
	// text's plus the strength of its objections, or its counter-
	// proposal's.
	demand []float64
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
	text  space.Outcome   // the last text put
	pk    []space.Outcome // the packages of a blind-bidding round
	// changed records that a model or a demand changed since the text was
	// drafted.
	changed bool

	// Scratch.
	w      []float64 // the parties' weights in the objective: 1, or tilted for packages
	tilted bool      // some weight is not 1
	need   []float64 // demands as the search uses them
	within bool      // the search is for outcomes that meet the demands
	sum    []float64 // per party: the model's sum (additive) or utility at x
	cand   []float64
	sc     []float64
	x, y   space.Outcome
	start  space.Outcome
}

type frontPoint struct {
	p     *analysis.Point
	score []float64
	logs  []float64 // Nash: the scores' logarithms, for tilted weights
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
	b.demand = make([]float64, n)
	for i := range b.demand {
		b.demand[i] = math.Inf(-1)
	}
	b.firm = make([]bool, n)
	b.counter = make([]space.Outcome, n)
	b.w = make([]float64, n)
	b.need = make([]float64, n)
	b.sum = make([]float64, n)
	b.cand = make([]float64, n)
	b.sc = make([]float64, n)
	b.x, b.y, b.start = b.d.NewOutcome(), b.d.NewOutcome(), b.d.NewOutcome()
	b.text, b.pk = nil, nil
	b.front = nil
	if exact {
		b.front = b.cache.front(b.analysis, b.kalai, b.scoreFront)
	}
	return nil
}

// scoreFront scores the frontier's points that give every party its
// reservation value.
func (b *Bargainer) scoreFront(a *analysis.Result) []frontPoint {
	n := len(b.models)
	front := []frontPoint{}
frontier:
	for k := range a.Frontier {
		p := &a.Frontier[k]
		fp := frontPoint{p: p, score: make([]float64, n), logs: make([]float64, n)}
		for i, u := range p.Utilities {
			if fp.score[i] = b.score(i, u); math.IsInf(fp.score[i], -1) {
				continue frontier
			}
			fp.logs[i] = math.Log(fp.score[i])
		}
		front = append(front, fp)
	}
	return front
}

// Draft puts the same text to every party. The text changes only when
// what the mediator knows changed, or in the last stretch of time.
func (b *Bargainer) Draft(r int, t float64, texts []space.Outcome) bool {
	b.t = t
	if b.changed || b.text == nil || t > 1-stretch {
		b.tilt(-1, 0)
		o := b.aim()
		if o == nil {
			return false
		}
		b.text, b.changed = o, false
	}
	for i := range texts {
		texts[i] = b.text
	}
	return true
}

// tilt sets the weights: all 1, but party k's e^by.
func (b *Bargainer) tilt(k int, by float64) {
	for i := range b.w {
		b.w[i] = 1
	}
	b.tilted = k >= 0
	if b.tilted {
		b.w[k] = math.Exp(by)
	}
}

// score is party k's term in the objective when it gets utility u: its
// gain over its reservation value for Nash (a little above 0 at worst, so
// that products still compare), the gain as a share of its best possible
// gain for Kalai–Smorodinsky; -Inf when the party's reservation value is
// known exactly and u falls short of it.
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
	return max(g, 0) + tiny
}

// combine is the objective of the parties' scores under the weights in
// b.w: the weighted Nash product (in logs when tilted), or the smallest
// weighted Kalai–Smorodinsky share (with the total as a faint tie-break).
func (b *Bargainer) combine(sc []float64) float64 {
	if b.kalai {
		lo, total := math.Inf(1), 0.0
		for i, g := range sc {
			lo = min(lo, g/b.w[i])
			total += g
		}
		return lo + 1e-3*total
	}
	if b.tilted {
		var s float64
		for i, g := range sc {
			s += b.w[i] * math.Log(g)
		}
		return s
	}
	p := 1.0
	for _, g := range sc {
		p *= g
	}
	return p
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
		if b.within && x < b.need[k] {
			short += b.need[k] - x
		}
	}
	return value{short, b.combine(b.sc)}
}

// aim is the fair point among the outcomes that meet every party's demand
// or, if it finds none, the fair point; nil when no outcome it can find
// gives every party whose profile it knows exactly its reservation value.
func (b *Bargainer) aim() space.Outcome {
	if o := b.aimWithin(); o != nil {
		return o
	}
	if b.front != nil {
		return b.pickFront()
	}
	return b.search()
}

// aimWithin is the fair point among the outcomes that meet every party's
// estimated demand, or nil if it finds none.
func (b *Bargainer) aimWithin() space.Outcome {
	known := false
	for _, a := range b.demand {
		known = known || !math.IsInf(a, -1)
	}
	if !known {
		return nil
	}
	// In the last stretch before the deadline, a party that is not firm is
	// taken to settle for less: its demand falls linearly to its
	// reservation value, which it would rather have than nothing.
	relax := 1.0
	if b.t > 1-stretch {
		relax = (1 - b.t) / stretch
	}
	for i, a := range b.demand {
		b.need[i] = a
		if !b.firm[i] {
			b.need[i] = b.models[i].res + (a-b.models[i].res)*relax
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
		if m.utility(o) < b.need[k]-eps {
			return nil
		}
	}
	return o
}

// pickFront chooses the frontier point of best objective, among those that
// meet the demands while searching within them.
func (b *Bargainer) pickFront() space.Outcome {
	best, bestV := -1, math.Inf(-1)
points:
	for k := range b.front {
		if b.within {
			for i, u := range b.front[k].p.Utilities {
				if u < b.need[i]-eps {
					continue points
				}
			}
		}
		var v float64
		if b.tilted && !b.kalai {
			for i, l := range b.front[k].logs {
				v += b.w[i] * l
			}
		} else {
			v = b.combine(b.front[k].score)
		}
		if v > bestV {
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

// Hear learns from objections and counter-proposals and re-estimates what
// each party demands.
func (b *Bargainer) Hear(r int, answers []negotiate.Answer) {
	for i, a := range answers {
		m := b.models[i]
		demand := b.demand[i]
		switch a.Kind {
		case negotiate.KindAccept:
			demand = m.utility(b.text)
		case negotiate.KindVote:
			if u := m.utility(b.text); a.Yes {
				demand = u
			} else {
				demand = max(demand, u+0.01)
			}
		case negotiate.KindObject:
			var s float64
			learnt := false
			for _, o := range a.Objections {
				learnt = m.learn(b.d, b.text, o) || learnt
				s += o.Strength
			}
			if learnt {
				b.changed = true
				m.updateBest(b.d)
			}
			demand = m.utility(b.text) + s
		case negotiate.KindCounter:
			if m.learnCounter(b.text, a.Outcome) {
				b.changed = true
				m.updateBest(b.d)
			}
			demand = m.utility(a.Outcome)
		case negotiate.KindBid:
			demand = b.bidDemand(m, a.Picks)
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
		if demand != b.demand[i] {
			b.demand[i], b.changed = demand, true
		}
	}
}

// bidDemand reads a blind bid: the party accepts what it picked, so it
// demands no more than the least of those; having picked nothing, more
// than the most any package offered it.
func (b *Bargainer) bidDemand(m *model, picks []int) float64 {
	if len(picks) == 0 {
		hi := math.Inf(-1)
		for _, o := range b.pk {
			hi = max(hi, m.utility(o))
		}
		return hi + 0.01
	}
	lo := math.Inf(1)
	for _, j := range picks {
		lo = min(lo, m.utility(b.pk[j]))
	}
	return lo
}

// Packages drafts the fair point and, around it, the fair points with each
// party's weight raised in turn, further each time round.
func (b *Bargainer) Packages(r int, t float64, k int) []space.Outcome {
	b.t = t
	// A fresh list each round: the session keeps the last one in its log.
	pk := make([]space.Outcome, 0, k)
	for m := 0; len(pk) < k && m < 2*k; m++ {
		if m == 0 {
			b.tilt(-1, 0)
		} else {
			b.tilt((m-1)%len(b.w), float64(1+(m-1)/len(b.w)))
		}
		o := b.aim()
		if o == nil {
			if m == 0 {
				return nil
			}
			continue
		}
		if m == 0 {
			b.text = o
		}
		if !contains(pk, o) {
			pk = append(pk, o)
		}
	}
	b.pk = pk
	return pk
}

func contains(list []space.Outcome, o space.Outcome) bool {
	for _, p := range list {
		if p.Equal(o) {
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
