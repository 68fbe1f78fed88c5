package strategy

import (
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// unknownEval is the evaluation a model gives values it has learnt nothing
// about: neither wanted nor objected to.
const unknownEval = 0.5

// model is what a mediator believes about one party's preferences: the
// confided profile where the party confided it in full, otherwise an
// additive estimate built from confided weights and from the party's
// objections.
type model struct {
	exact utility.Function  // confided in full
	add   *utility.Additive // exact or estimated additive function; nil for an exact non-additive one
	// Estimates: weights known (confided) or learnt from the strongest
	// objection seen on each issue.
	knownWeights bool
	strongest    []float64
	// Reservation value (0 unless confided) and hard constraints (confided,
	// or learnt from objections of strength 1).
	res   float64
	allow [][]bool
	best  float64 // the model's highest utility, for Kalai–Smorodinsky
}

func newModel(d *space.Domain, c *negotiate.Confided) *model {
	m := &model{}
	if c != nil {
		m.res = c.Reservation
		m.allow = allowed(d, c.Constraints)
		if c.Level == negotiate.Full {
			m.exact = c.Func
			m.add, _ = c.Func.(*utility.Additive)
		}
	}
	if m.allow == nil {
		m.allow = make([][]bool, len(d.Issues))
	}
	if m.exact != nil {
		m.updateBest(d)
		return m
	}
	m.add = &utility.Additive{Weights: make([]float64, len(d.Issues)), Evals: make([][]float64, len(d.Issues))}
	m.strongest = make([]float64, len(d.Issues))
	for i := range d.Issues {
		m.add.Evals[i] = make([]float64, d.Issues[i].Size())
		for v := range m.add.Evals[i] {
			m.add.Evals[i][v] = unknownEval
		}
	}
	if c != nil && c.Weights != nil {
		copy(m.add.Weights, c.Weights)
		m.knownWeights = true
	} else {
		m.estimateWeights()
	}
	m.updateBest(d)
	return m
}

// utility is the model's utility of x.
func (m *model) utility(x space.Outcome) float64 {
	if m.exact != nil {
		return m.exact.Utility(x)
	}
	return utility.Clamp(m.add.Sum(x))
}

func (m *model) ok(i, v int) bool { return m.allow[i] == nil || m.allow[i][v] }

// estimateWeights spreads, over issues never objected to, what the
// strongest objections leave of a total weight of 1 (each at least a small
// share), then normalises.
func (m *model) estimateWeights() {
	const least = 0.02
	seen, unseen := 0.0, 0
	for _, s := range m.strongest {
		if s > 0 {
			seen += s
		} else {
			unseen++
		}
	}
	rest := 0.0
	if unseen > 0 {
		rest = max((1-seen)/float64(unseen), least)
	}
	total := 0.0
	for i, s := range m.strongest {
		w := s
		if s == 0 {
			w = rest
		}
		m.add.Weights[i] = w
		total += w
	}
	for i := range m.add.Weights {
		m.add.Weights[i] /= total
	}
}

// learn takes an objection to text x and reports whether the model
// changed: the wanted value is the issue's best; the text's value is worth
// strength less, in utility, than the wanted one; on numeric issues the
// evaluation falls off linearly on both sides of the wanted value. A
// strength of 1 marks a hard constraint.
func (m *model) learn(d *space.Domain, x space.Outcome, o negotiate.Objection) bool {
	i := o.Issue
	if x[i] == o.Want {
		return false
	}
	if o.Strength >= 1 {
		if m.allow[i] == nil {
			m.allow[i] = make([]bool, d.Issues[i].Size())
			for v := range m.allow[i] {
				m.allow[i][v] = true
			}
		}
		changed := m.allow[i][x[i]]
		m.allow[i][x[i]] = false
		if m.exact == nil && m.add.Evals[i][o.Want] != 1 {
			m.add.Evals[i][o.Want], changed = 1, true
		}
		return changed
	}
	if m.exact != nil {
		return false
	}
	changed := false
	if !m.knownWeights && o.Strength > m.strongest[i] {
		m.strongest[i], changed = o.Strength, true
		m.estimateWeights()
	}
	w := m.add.Weights[i]
	if !m.knownWeights {
		w = m.strongest[i] // the issue's weight is at least this
	}
	at := 0.0
	if w > 0 {
		at = min(max(1-o.Strength/w, 0), 1)
	}
	ev := m.add.Evals[i]
	set := func(v int, e float64) {
		if ev[v] != e {
			ev[v], changed = e, true
		}
	}
	if d.Issues[i].Kind != space.Discrete {
		slope := (1 - at) / float64(abs(x[i]-o.Want))
		for v := range ev {
			set(v, max(1-slope*float64(abs(v-o.Want)), 0))
		}
	}
	set(o.Want, 1)
	set(x[i], at)
	return changed
}

// learnCounter takes a counter-proposal y to text x: the party wants y's
// values where they differ from x. It reports whether the model changed.
func (m *model) learnCounter(x, y space.Outcome) bool {
	if m.exact != nil {
		return false
	}
	changed := false
	for i := range y {
		if y[i] != x[i] && m.add.Evals[i][y[i]] != 1 {
			m.add.Evals[i][y[i]], changed = 1, true
		}
	}
	return changed
}

// updateBest recomputes the model's highest utility: exact for additive
// models, and for an exact non-additive function the best confided
// outcome is not searched for here but taken as 1.
func (m *model) updateBest(d *space.Domain) {
	if m.add == nil {
		m.best = 1
		return
	}
	var s float64
	for i := range d.Issues {
		b := 0.0
		for v, e := range m.add.Evals[i] {
			if m.ok(i, v) {
				b = max(b, e)
			}
		}
		s += m.add.Weights[i] * b
	}
	m.best = utility.Clamp(s)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
