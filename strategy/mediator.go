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
)

// Mediators lists the mediator strategies by name, the default first;
// Targets the fair points the first two aim at.
var (
	Mediators = []string{"confided", "objections", "votes"}
	Targets   = []string{"nash", "kalai"}
)

// mediatorParams lists each strategy's parameters with their defaults.
var mediatorParams = map[string]map[string]float64{
	// eta: how fast the text shifts towards a party that keeps objecting
	// while others accept (the change of its log bargaining weight per
	// unit of objection strength).
	"confided":   {"eta": 0.15},
	"objections": {"eta": 0.15},
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
// of every party (the confided profile, or an estimate learnt from
// objections) and a bargaining weight per party, and puts to all parties
// the outcome that maximises the weighted Nash product (or the weighted
// Kalai–Smorodinsky ratio) of the modelled gains over the reservation
// values. With equal weights that is the fair point; a party that keeps
// objecting while the others accept gains weight, and the text moves
// along the frontier towards it until everyone accepts. It never puts an
// outcome below a reservation value it knows exactly.
type Bargainer struct {
	confided bool // "confided" rather than "objections"
	kalai    bool
	eta      float64
	rand     *rand.Rand
	analysis *analysis.Result

	d      *space.Domain
	models []*model
	logw   []float64 // log bargaining weights, mean 0
	// exact: every party confided in full and the frontier is known.
	exact bool
	text  space.Outcome // the last text put
	pk    []space.Outcome

	// Scratch.
	w     []float64 // bargaining weights
	sum   []float64 // per party: the model's sum (additive) or utility at x
	cand  []float64
	open  []bool // per issue: some value is allowed by every model
	x, y  space.Outcome
	start space.Outcome
}

// Open builds the models.
func (b *Bargainer) Open(br *negotiate.Brief) error {
	n := len(br.Parties)
	b.d = br.Domain
	b.models = make([]*model, n)
	b.exact = b.confided && b.analysis != nil && len(b.analysis.Parties) == n && len(b.analysis.Frontier) > 0
	for i := range n {
		var c *negotiate.Confided
		if b.confided {
			c = br.Confided[i]
		}
		if c == nil || c.Level != negotiate.Full {
			b.exact = false
		}
		b.models[i] = newModel(b.d, c)
	}
	b.logw = make([]float64, n)
	b.w = make([]float64, n)
	b.sum = make([]float64, n)
	b.cand = make([]float64, n)
	b.open = make([]bool, len(b.d.Issues))
	b.x, b.y, b.start = b.d.NewOutcome(), b.d.NewOutcome(), b.d.NewOutcome()
	b.text = nil
	return nil
}

// Draft puts the same text to every party.
func (b *Bargainer) Draft(r int, t float64, texts []space.Outcome) bool {
	o := b.aim(b.logw)
	if o == nil {
		return false
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

// objective scores per-party utilities u under the weights in b.w; -Inf
// when a party with an exactly known reservation value would get less.
func (b *Bargainer) objective(u []float64) float64 {
	const tiny = 1e-6
	if b.kalai {
		lo, total := math.Inf(1), 0.0
		for i, m := range b.models {
			span := max(m.best-m.res, tiny)
			g := (u[i] - m.res) / span
			if g < 0 && m.exact != nil {
				return math.Inf(-1)
			}
			lo = min(lo, g/b.w[i])
			total += g
		}
		return lo + 1e-3*total
	}
	var s float64
	for i, m := range b.models {
		g := u[i] - m.res
		if g < 0 && m.exact != nil {
			return math.Inf(-1)
		}
		s += b.w[i] * math.Log(max(g, 0)+tiny)
	}
	return s
}

// aim is the outcome that maximises the objective under log weights logw,
// or nil when no outcome it can find gives every party whose profile it
// knows exactly at least its reservation value.
func (b *Bargainer) aim(logw []float64) space.Outcome {
	b.weights(logw)
	if b.exact {
		best, bestV := -1, math.Inf(-1)
		for k := range b.analysis.Frontier {
			if v := b.objective(b.analysis.Frontier[k].Utilities); v > bestV {
				best, bestV = k, v
			}
		}
		if best < 0 {
			return nil
		}
		return b.analysis.Frontier[best].Outcome.Clone()
	}
	b.openIssues()
	bestV := math.Inf(-1)
	// Starting points: the last text, the weighted compromise issue by
	// issue, and each party's own best.
	for s := -2; s < len(b.models); s++ {
		switch {
		case s == -2 && b.text == nil:
			continue
		case s == -2:
			copy(b.x, b.text)
		default:
			b.startAt(s)
			copy(b.x, b.start)
		}
		if v := b.climb(b.x); v > bestV {
			bestV = v
			copy(b.y, b.x)
		}
	}
	if math.IsInf(bestV, -1) {
		return nil
	}
	return b.y.Clone()
}

// openIssues marks the issues on which some value is allowed by every
// model; on the others constraints cannot all hold and are ignored.
func (b *Bargainer) openIssues() {
	for i := range b.d.Issues {
		b.open[i] = false
		for v := range b.d.Issues[i].Size() {
			if b.allowed(i, v, true) {
				b.open[i] = true
				break
			}
		}
	}
}

func (b *Bargainer) allowed(i, v int, strict bool) bool {
	if !strict && !b.open[i] {
		return true
	}
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
			if !b.allowed(i, v, false) {
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

// climb improves x one issue at a time, each time to the value that most
// improves the objective, until no single change helps, and returns the
// objective.
func (b *Bargainer) climb(x space.Outcome) float64 {
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
				if v == old || !b.allowed(i, v, false) {
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
				if cv := b.objective(b.cand); cv > bestVal+1e-12 {
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

// Hear learns from objections and counter-proposals and moves the
// bargaining weights: objecting raises a party's weight by its objection's
// strength, accepting lowers it.
func (b *Bargainer) Hear(r int, answers []negotiate.Answer) {
	if b.pk != nil {
		b.hearBids(answers)
		return
	}
	for i, a := range answers {
		m := b.models[i]
		switch a.Kind {
		case negotiate.KindAccept:
			b.logw[i] -= b.eta / 2
		case negotiate.KindVote:
			if a.Yes {
				b.logw[i] -= b.eta / 2
			} else {
				b.logw[i] += b.eta / 4
			}
		case negotiate.KindObject:
			var s float64
			for _, o := range a.Objections {
				m.learn(b.d, b.text, o)
				s += o.Strength
			}
			b.logw[i] += b.eta * min(s, 1)
			m.updateBest(b.d)
		case negotiate.KindCounter:
			gain := m.utility(a.Outcome) - m.utility(b.text)
			m.learnCounter(b.text, a.Outcome)
			b.logw[i] += b.eta * min(max(gain, 0.05), 1)
			m.updateBest(b.d)
		}
	}
	b.center()
}

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
			b.logw[i] += b.eta / 2
		case a.Picks[0] == 0 || containsInt(a.Picks, 0):
			b.logw[i] -= b.eta / 2
		default:
			b.logw[i] += b.eta / 4
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
// agreement: on the frontier when it is known, otherwise by changing one
// or two issues of the agreement at a time, keeping the change that most
// raises the smallest gain. Estimated models must see a clear gain.
func (b *Bargainer) Improve(agreed space.Outcome) space.Outcome {
	base := make([]float64, len(b.models))
	margin := eps
	for k, m := range b.models {
		base[k] = m.utility(agreed)
		if m.exact == nil {
			margin = 0.02
		}
	}
	if b.exact {
		best, bestV := -1, math.Inf(-1)
		for k := range b.analysis.Frontier {
			u := b.analysis.Frontier[k].Utilities
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
		return b.analysis.Frontier[best].Outcome.Clone()
	}
	b.openIssues()
	x := agreed.Clone()
	lo := func(y space.Outcome) (float64, float64) {
		v, s := math.Inf(1), 0.0
		for k, m := range b.models {
			if !m.feasible(y) {
				return math.Inf(-1), 0
			}
			g := m.utility(y) - base[k]
			v = min(v, g)
			s += g
		}
		return v, s
	}
	cur, curS := 0.0, 0.0
	y := agreed.Clone()
	for range 3 {
		bestV, bestS, found := cur, curS, false
		best := x.Clone()
		try := func() {
			if v, s := lo(y); v > bestV+1e-12 || v > bestV-1e-12 && s > bestS+1e-12 && found {
				bestV, bestS, found = v, s, true
				copy(best, y)
			}
		}
		for i := range x {
			for v := range b.d.Issues[i].Size() {
				if v == x[i] || !b.allowed(i, v, false) {
					continue
				}
				copy(y, x)
				y[i] = v
				try()
				for j := i + 1; j < len(x); j++ {
					for w := range b.d.Issues[j].Size() {
						if w == x[j] || !b.allowed(j, w, false) {
							continue
						}
						y[j] = w
						try()
					}
					y[j] = x[j]
				}
			}
		}
		if !found {
			break
		}
		copy(x, best)
		cur, curS = bestV, bestS
	}
	if cur <= margin {
		return nil
	}
	return x
}
