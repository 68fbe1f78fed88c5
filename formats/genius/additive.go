package genius

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Below this largest evaluation GENIUS values a whole discrete issue at 0
// rather than divide by (nearly) zero.
const tinyMax = 1e-5

// maxTable bounds the values of a numeric issue an additive profile
// tabulates (one evaluation each); web_service, the largest published, has
// 2001.
const maxTable = 1 << 16

// weightSlack is how far from 1 the weights may sum before a note says so.
const weightSlack = 1e-6

// additive reads a linear additive profile: the standard GENIUS form, or
// the GeniusBI dialect of raw points.
func (w where) additive(us *element, d *space.Domain) (*utility.Profile, error) {
	obj, err := w.objective(us)
	if err != nil {
		return nil, err
	}
	decls, notes, err := w.match(obj, d, false)
	if err != nil {
		return nil, err
	}
	weights, err := w.weights(obj, decls)
	if err != nil {
		return nil, err
	}
	p := &utility.Profile{Name: stem(w.file), Domain: d, Notes: notes}
	a := &utility.Additive{
		Weights: weights,
		Evals:   make([][]float64, len(d.Issues)),
		Shapes:  make([]*utility.Shape, len(d.Issues)),
	}
	points := pointScale(us)
	raw := make([][]float64, len(d.Issues))
	for i := range d.Issues {
		switch d.Issues[i].Kind {
		case space.Discrete:
			raw[i], err = w.evaluations(decls[i], &d.Issues[i], points, p)
		case space.Integer:
			if n := d.Issues[i].Size(); n > maxTable {
				return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: w.file, Line: decls[i].el.line, Field: "<issue>",
					Message: fmt.Sprintf("integer issue %q has %d values, more than the %d a profile may tabulate", d.Issues[i].Name, n, maxTable)}
			}
			a.Shapes[i], err = w.integerEvaluator(decls[i], p)
		case space.Real:
			a.Shapes[i], err = w.realEvaluator(decls[i])
		}
		if err != nil {
			return nil, err
		}
	}
	if points {
		err = w.points(us, d, a, raw, p)
	} else {
		err = w.standard(us, d, a, raw, p)
	}
	if err != nil {
		return nil, err
	}
	a.FromShapes(d)
	p.Func = a
	if err := p.Validate(); err != nil {
		return nil, shuttle.InFile(w.file, obj.line, "<objective>", "%v", err)
	}
	return p, nil
}

// match pairs the issues a profile declares with the domain's, by name,
// and returns them in domain order, with notes on numeric bounds that
// differ from the domain's (GENIUS evaluates over the domain's values but
// anchors an integer evaluator at the profile's own lowerbound). A nonlinear
// profile need not mention every issue of the domain; an additive one must.
func (w where) match(obj *element, d *space.Domain, partial bool) ([]*declared, []string, error) {
	decls, err := w.issues(obj)
	if err != nil {
		return nil, nil, err
	}
	out := make([]*declared, len(d.Issues))
	var notes []string
	for k := range decls {
		dc := &decls[k]
		i := d.IssueIndex(dc.Name)
		if i < 0 {
			return nil, nil, w.errorf(dc.el, "issue %q is not in domain %q", dc.Name, d.Name)
		}
		if out[i] != nil {
			return nil, nil, w.errorf(dc.el, "issue %q appears twice", dc.Name)
		}
		is := &d.Issues[i]
		if dc.Kind != is.Kind {
			return nil, nil, w.errorf(dc.el, "issue %q is %s here but %s in domain %q", dc.Name, dc.Kind, is.Kind, d.Name)
		}
		switch {
		case is.Kind == space.Integer && (dc.Min != is.Min || dc.Max != is.Max):
			notes = append(notes, fmt.Sprintf("issue %q has bounds %d..%d in the profile but %d..%d in the domain: the domain's values are used, with an evaluator anchored at the profile's lowerbound as GENIUS does", dc.Name, dc.Min, dc.Max, is.Min, is.Max))
		case is.Kind == space.Real && (dc.Lo != is.Lo || dc.Hi != is.Hi):
			notes = append(notes, fmt.Sprintf("issue %q has range %g..%g in the profile but %g..%g in the domain: the domain's values are used", dc.Name, dc.Lo, dc.Hi, is.Lo, is.Hi))
		}
		out[i] = dc
	}
	if !partial {
		for i, dc := range out {
			if dc == nil {
				return nil, nil, w.errorf(obj, "issue %q of domain %q is missing", d.Issues[i].Name, d.Name)
			}
		}
	}
	return out, notes, nil
}

// weights reads one <weight> per issue, matched by the issue's index
// attribute rather than by position.
func (w where) weights(obj *element, decls []*declared) ([]float64, error) {
	byIndex := map[string]*element{}
	for _, we := range obj.all("weight") {
		idx, ok := we.attr("index")
		if !ok {
			return nil, w.errorf(we, "weight without an index")
		}
		idx = strings.TrimSpace(idx)
		if byIndex[idx] != nil {
			return nil, w.errorf(we, "second weight for index %s", idx)
		}
		byIndex[idx] = we
	}
	out := make([]float64, len(decls))
	used := map[string]bool{}
	var total float64
	for i, dc := range decls {
		we := byIndex[dc.index]
		if we == nil {
			return nil, w.errorf(dc.el, "issue %q (index %s) has no <weight>", dc.Name, dc.index)
		}
		x, err := w.number(we, "value")
		if err != nil {
			return nil, err
		}
		if x < 0 {
			return nil, w.errorf(we, "weight %g of issue %q is negative", x, dc.Name)
		}
		out[i] = x
		total += x
		used[dc.index] = true
	}
	for _, we := range obj.all("weight") {
		if idx, _ := we.attr("index"); !used[strings.TrimSpace(idx)] {
			return nil, w.errorf(we, "weight for index %s, which no issue has", strings.TrimSpace(idx))
		}
	}
	if total == 0 {
		return nil, w.errorf(obj, "every issue weight is zero: the profile prefers nothing")
	}
	return out, nil
}

// evaluations reads the raw evaluation of every value of a discrete issue,
// which only GeniusBI's points may make negative. When an item is listed
// twice the last one counts, as in GENIUS, whose evaluator keeps items in a
// map.
func (w where) evaluations(dc *declared, is *space.Issue, points bool, p *utility.Profile) ([]float64, error) {
	raw := make([]float64, len(is.Values))
	seen := make([]bool, len(is.Values))
	for _, it := range dc.el.all("item") {
		label, _ := it.attr("value")
		v, err := is.Lookup(label)
		if err != nil {
			return nil, w.errorf(it, "%v", err)
		}
		e, err := w.number(it, "evaluation")
		if err != nil {
			return nil, err
		}
		if e < 0 && !points {
			return nil, w.errorf(it, "evaluation %g of %q in issue %q is negative", e, label, is.Name)
		}
		if seen[v] {
			p.Notes = append(p.Notes, fmt.Sprintf("issue %q lists value %q twice (evaluations %g and %g): the last is used, as GENIUS does", is.Name, label, raw[v], e))
		}
		raw[v], seen[v] = e, true
	}
	for v, ok := range seen {
		if !ok {
			return nil, w.errorf(dc.el, "issue %q gives no evaluation for value %q", is.Name, is.Values[v])
		}
	}
	return raw, nil
}

// integerEvaluator reads the linear evaluator of an integer issue, clamped
// to [0,1] as GENIUS does: offset + slope*(x - lowerbound) in GENIUS 10.4,
// parameter0 + parameter1*x in older files.
func (w where) integerEvaluator(dc *declared, p *utility.Profile) (*utility.Shape, error) {
	ev := dc.el.first("evaluator")
	if ev == nil {
		p.Notes = append(p.Notes, fmt.Sprintf("integer issue %q has no evaluator: GENIUS values every value 0", dc.Name))
		return &utility.Shape{Kind: "linear", Lower: float64(dc.Min), Clamp: true}, nil
	}
	if ft, ok := ev.attr("ftype"); ok && !strings.EqualFold(strings.TrimSpace(ft), "linear") {
		return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: ev.line, Field: "<evaluator>",
			Message: fmt.Sprintf("integer evaluator ftype=%q is not supported (GENIUS integer issues are linear)", ft)}
	}
	s := &utility.Shape{Kind: "linear", Clamp: true}
	var err error
	if _, ok := ev.attr("parameter0"); ok {
		if s.Offset, err = w.number(ev, "parameter0"); err != nil {
			return nil, err
		}
		s.Slope, err = w.number(ev, "parameter1")
		return s, err
	}
	s.Lower = float64(dc.Min)
	if s.Offset, err = w.number(ev, "offset"); err != nil {
		return nil, err
	}
	s.Slope, err = w.number(ev, "slope")
	return s, err
}

// realEvaluator reads the evaluator of a real issue: linear
// (parameter0 + parameter1*x, clamped to [0,1]), triangular (0 below
// parameter0, rising to 1 at parameter2, 0 again from parameter1) or
// constant (parameter0).
func (w where) realEvaluator(dc *declared) (*utility.Shape, error) {
	ev := dc.el.first("evaluator")
	if ev == nil {
		return nil, w.errorf(dc.el, "real issue %q has no evaluator", dc.Name)
	}
	ft, _ := ev.attr("ftype")
	params := func(n int) ([]float64, error) {
		ps := make([]float64, n)
		for k := range ps {
			x, err := w.number(ev, fmt.Sprintf("parameter%d", k))
			if err != nil {
				return nil, err
			}
			ps[k] = x
		}
		return ps, nil
	}
	switch strings.ToLower(strings.TrimSpace(ft)) {
	case "linear":
		ps, err := params(2)
		if err != nil {
			return nil, err
		}
		return &utility.Shape{Kind: "linear", Offset: ps[0], Slope: ps[1], Clamp: true}, nil
	case "triangular":
		ps, err := params(3)
		if err != nil {
			return nil, err
		}
		// GENIUS values a peak at the upper end (or beyond the ends) 0,
		// utility.Shape 1; only the triangles on which they agree are read.
		if !(ps[0] <= ps[2] && ps[2] < ps[1]) {
			return nil, w.unsupported(ev, fmt.Sprintf("triangular evaluator with peak %g not in [%g, %g)", ps[2], ps[0], ps[1]))
		}
		return &utility.Shape{Kind: "triangular", Low: ps[0], High: ps[1], Peak: ps[2]}, nil
	case "constant":
		ps, err := params(1)
		if err != nil {
			return nil, err
		}
		return &utility.Shape{Kind: "linear", Offset: ps[0]}, nil
	}
	return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: ev.line, Field: "<evaluator>",
		Message: fmt.Sprintf("real evaluator ftype=%q is not supported", ft)}
}

// standard applies GENIUS 10.4's reading: each discrete evaluation divided
// by the largest of its issue, weights as written.
func (w where) standard(us *element, d *space.Domain, a *utility.Additive, raw [][]float64, p *utility.Profile) error {
	for i, r := range raw {
		if r == nil {
			continue
		}
		top := slices.Max(r)
		ev := make([]float64, len(r))
		if top < tinyMax {
			p.Notes = append(p.Notes, fmt.Sprintf("issue %q: every evaluation is below %g, so GENIUS values the issue 0", d.Issues[i].Name, tinyMax))
		} else {
			for v, e := range r {
				ev[v] = e / top
			}
		}
		a.Evals[i] = ev
	}
	var total float64
	for _, x := range a.Weights {
		total += x
	}
	if math.Abs(total-1) > weightSlack {
		p.Notes = append(p.Notes, fmt.Sprintf("weights sum to %.9g, not 1: used as written with the utility capped at 1, as GENIUS does", total))
	}
	r, ok, err := w.value(us, "reservation")
	if err != nil {
		return err
	}
	switch {
	case !ok:
		p.Notes = append(p.Notes, "no reservation value: 0 assumed")
	case r < 0 || r > 1:
		return w.errorf(us.first("reservation"), "reservation value %g is outside [0,1]", r)
	default:
		p.Reservation = r
	}
	return w.discount(us, p)
}

// discount reads the discount factor; GENIUS replaces one outside (0,1]
// by 1.
func (w where) discount(us *element, p *utility.Profile) error {
	df, ok, err := w.value(us, "discount_factor")
	if err != nil {
		return err
	}
	p.Discount = 1
	switch {
	case !ok:
		p.Notes = append(p.Notes, "no discount factor: 1 (no discounting) assumed")
	case df <= 0 || df > 1:
		p.Notes = append(p.Notes, fmt.Sprintf("discount factor %g is outside (0,1]: 1 used, as GENIUS does", df))
	default:
		p.Discount = df
	}
	return nil
}

// value reads the value attribute of a child of the utility space, such as
// <reservation value="0.5"/>.
func (w where) value(us *element, name string) (float64, bool, error) {
	e := us.first(name)
	if e == nil {
		return 0, false, nil
	}
	x, err := w.number(e, "value")
	return x, err == nil, err
}

// pointScale tells a GeniusBI profile, whose evaluations, reservation and
// opt-out are raw points, from a standard one.
func pointScale(us *element) bool {
	return us.first("weightmultiplyer") != nil || us.first("optout") != nil || us.first("timeeffect") != nil
}

// points reads the GeniusBI dialect. Its score is weightmultiplyer × Σ
// weight × evaluation in points, possibly negative, and its reservation and
// opt-out are in the same points; dividing by the largest evaluation would
// distort it. The score is instead mapped affinely from its range
// [Smin, Smax] onto [0,1]: an affine map of an additive score is additive,
// so it folds into per-issue evaluations in [0,1] and weights summing to 1,
// and it keeps every comparison between outcomes and the reservation.
func (w where) points(us *element, d *space.Domain, a *utility.Additive, raw [][]float64, p *utility.Profile) error {
	m := 1.0
	if e := us.first("weightmultiplyer"); e != nil {
		x, err := w.number(e, "value")
		if err != nil {
			return err
		}
		if x <= 0 {
			return w.errorf(e, "weightmultiplyer %g is not positive", x)
		}
		m = x
	}
	var lowest, spread float64 // Σ weight×min and Σ weight×(max-min)
	spans := make([]float64, len(raw))
	for i, r := range raw {
		if r == nil {
			return &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: us.line, Field: "<utility_space>",
				Message: fmt.Sprintf("GeniusBI point scale with %s issue %q is not supported", d.Issues[i].Kind, d.Issues[i].Name)}
		}
		lo, hi := r[0], r[0]
		for _, e := range r {
			lo, hi = min(lo, e), max(hi, e)
		}
		ev := make([]float64, len(r))
		if hi > lo {
			for v, e := range r {
				ev[v] = (e - lo) / (hi - lo)
			}
		}
		a.Evals[i] = ev
		spans[i] = hi - lo
		lowest += a.Weights[i] * lo
		spread += a.Weights[i] * spans[i]
	}
	if spread == 0 {
		return w.errorf(us, "every outcome scores the same number of points")
	}
	for i := range a.Weights {
		a.Weights[i] *= spans[i] / spread
	}
	smin, smax := m*lowest, m*(lowest+spread)
	scale := func(points float64) float64 { return utility.Clamp((points - smin) / (smax - smin)) }
	note := fmt.Sprintf("GeniusBI points (weightmultiplyer %g × Σ weight × evaluation) mapped affinely from [%g, %g] onto [0,1]", m, smin, smax)
	r, ok, err := w.value(us, "reservation")
	if err != nil {
		return err
	}
	if ok {
		p.Reservation = scale(r)
		note += fmt.Sprintf("; reservation %g points is %.6g", r, p.Reservation)
	} else {
		note += "; no reservation value: 0 assumed"
	}
	if o, ok, err := w.value(us, "optout"); err != nil {
		return err
	} else if ok {
		note += fmt.Sprintf("; opt-out %g points would be %.6g, not modelled apart from the reservation", o, scale(o))
	}
	if t, ok, err := w.value(us, "timeeffect"); err != nil {
		return err
	} else if ok {
		note += fmt.Sprintf("; time effect %g points per round not modelled", t)
	}
	p.Notes = append(p.Notes, note)
	return w.discount(us, p)
}
