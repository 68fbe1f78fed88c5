package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// profile reads a party's profile: inline weights and values, or a
// referenced GENIUS/GeniusWeb file, either with reservation, discount and
// must-haves on top.
func (r *reader) profile(e entry, party string) (*utility.Profile, error) {
	f, err := r.fields(e.path, e.val, append([]string{"reservation", "discount", "weights", "values", "must"}, profileRefs...)...)
	if err != nil {
		return nil, err
	}
	dom := r.s.Domain
	var p *utility.Profile
	ref, ok, err := r.reference(f, profileRefs...)
	if err != nil {
		return nil, err
	}
	if ok {
		for _, k := range []string{"weights", "values"} {
			if ke, ok := f[k]; ok {
				return nil, r.fail(ke.path, ke.val, "cannot be combined with a %s profile file", ref.key)
			}
		}
		if p, err = r.readProfile(ref); err != nil {
			return nil, err
		}
		p.Domain = dom
	} else {
		add, err := r.additive(e, f)
		if err != nil {
			return nil, err
		}
		p = &utility.Profile{Domain: dom, Func: add, Discount: 1}
	}
	p.Name = party
	if re, ok := f["reservation"]; ok {
		if p.Reservation, err = r.unit(re); err != nil {
			return nil, err
		}
	}
	if de, ok := f["discount"]; ok {
		if p.Discount, err = r.number(de); err != nil {
			return nil, err
		}
		if p.Discount <= 0 || p.Discount > 1 {
			return nil, r.fail(de.path, de.val, "must be above 0 and at most 1 (1: no time pressure), is %g", p.Discount)
		}
	}
	if me, ok := f["must"]; ok {
		cs, err := r.musts(me)
		if err != nil {
			return nil, err
		}
		p.Constraints = append(p.Constraints, cs...)
	}
	if err := p.Validate(); err != nil {
		return nil, r.fail(e.path, e.val, "%v", err)
	}
	return p, nil
}

// issueEntries reads a mapping keyed by issue names, in domain order, with
// unknown issues reported at their line.
func (r *reader) issueEntries(e entry) ([]entry, []int, error) {
	es, err := r.entries(e.path, e.val)
	if err != nil {
		return nil, nil, err
	}
	idx := make([]int, len(es))
	for k, ie := range es {
		if idx[k] = r.s.Domain.IssueIndex(ie.key); idx[k] < 0 {
			return nil, nil, r.fail(ie.path, ie.val, "no such issue in domain %q", r.s.Domain.Name)
		}
	}
	return es, idx, nil
}

// additive builds an inline linear additive function. Weights are divided
// by their sum; each issue's ratings are divided by its largest rating.
func (r *reader) additive(e entry, f map[string]entry) (*utility.Additive, error) {
	dom := r.s.Domain
	n := len(dom.Issues)
	a := &utility.Additive{Weights: make([]float64, n), Evals: make([][]float64, n), Shapes: make([]*utility.Shape, n)}
	ve, ok := f["values"]
	if !ok {
		return nil, r.fail(e.path, e.val, "needs values (how the party rates each issue's values), or a genius or geniusweb file")
	}
	ves, vidx, err := r.issueEntries(ve)
	if err != nil {
		return nil, err
	}
	valued := make([]string, n) // path of each issue's values, "" if none
	for k, ie := range ves {
		i := vidx[k]
		if a.Evals[i], a.Shapes[i], err = r.evaluation(ie, &dom.Issues[i]); err != nil {
			return nil, err
		}
		valued[i] = ie.path
	}
	if we, ok := f["weights"]; ok {
		wes, widx, err := r.issueEntries(we)
		if err != nil {
			return nil, err
		}
		weighted := make([]bool, n)
		for k, ie := range wes {
			i := widx[k]
			w, err := r.number(ie)
			if err != nil || w < 0 {
				return nil, r.fail(ie.path, ie.val, "must be a non-negative number")
			}
			if w > 0 && valued[i] == "" {
				return nil, r.fail(ie.path, ie.val, "issue has a weight but no ratings under values")
			}
			a.Weights[i], weighted[i] = w, true
		}
		for i, p := range valued {
			if p != "" && !weighted[i] {
				return nil, r.fail(p, nil, "issue has ratings but no weight (give it weight 0 to ignore it)")
			}
		}
	} else {
		for i, p := range valued {
			if p != "" {
				a.Weights[i] = 1
			}
		}
	}
	var total float64
	for _, w := range a.Weights {
		total += w
	}
	if total == 0 || math.IsInf(total, 0) {
		return nil, r.fail(join(e.path, "weights"), e.val, "weights must add up to a positive finite number")
	}
	for i := range a.Weights {
		a.Weights[i] /= total
		if a.Evals[i] == nil {
			// An issue the party ignores: weight 0, ratings all 0.
			a.Evals[i] = make([]float64, dom.Issues[i].Size())
		}
	}
	return a, nil
}

// evaluation reads how a party rates one issue: a rating per label for a
// discrete issue; for a numeric one, prefer: high|low (linear from 0 at the
// worst bound to 1 at the best) or points: {x: rating} (piecewise linear,
// flat beyond the outermost points). A discrete issue whose labels are all
// numbers may be rated either way.
func (r *reader) evaluation(e entry, is *space.Issue) ([]float64, *utility.Shape, error) {
	ev := make([]float64, is.Size())
	numeric := is.Kind != space.Discrete
	if !numeric && e.val.kind == mapNode && numericLabels(is) != textLabels {
		numeric = e.val.get("prefer") != nil || e.val.get("points") != nil
	}
	if !numeric {
		es, err := r.entries(e.path, e.val)
		if err != nil {
			return nil, nil, err
		}
		for _, ve := range es {
			v, err := is.Lookup(ve.key)
			if err != nil {
				return nil, nil, r.fail(ve.path, ve.val, "issue %q has no value %q", is.Name, ve.key)
			}
			if ev[v], err = r.rating(ve); err != nil {
				return nil, nil, err
			}
		}
		return ev, nil, r.scale(e, ev)
	}
	f, err := r.fields(e.path, e.val, "prefer", "points")
	if err != nil {
		return nil, nil, err
	}
	if len(f) != 1 {
		return nil, nil, r.fail(e.path, e.val, "a numeric issue takes either prefer: high|low or points: {value: rating}")
	}
	xs := numbers(is)
	lo, hi := slices.Min(xs), slices.Max(xs)
	if pe, ok := f["prefer"]; ok {
		dir, err := r.oneOf(pe, "preference", []string{"high", "low"})
		if err != nil {
			return nil, nil, err
		}
		s := &utility.Shape{Kind: "linear", Lower: lo, Offset: 1}
		if hi > lo {
			s.Slope = 1 / (hi - lo)
			s.Offset = 0
			if dir == "low" {
				s.Offset, s.Slope = 1, -s.Slope
			}
		}
		for v, x := range xs {
			ev[v] = utility.Clamp(s.Eval(x))
		}
		if is.Kind == space.Discrete {
			// Shapes are evaluated at value positions, not labels.
			s = nil
		}
		return ev, s, nil
	}
	pts, err := r.points(f["points"], is.Name, lo, hi)
	if err != nil {
		return nil, nil, err
	}
	for v, x := range xs {
		ev[v] = interpolate(pts, x)
	}
	return ev, nil, r.scale(f["points"], ev)
}

// numbers lists the number of each value of a numeric issue, or of a
// discrete issue whose labels are all numbers.
func numbers(is *space.Issue) []float64 {
	xs := make([]float64, is.Size())
	for v := range xs {
		if is.Kind == space.Discrete {
			xs[v], _ = strconv.ParseFloat(strings.TrimSpace(is.Values[v]), 64)
		} else {
			xs[v] = is.Number(v)
		}
	}
	return xs
}

type point struct {
	x, y float64
	path string
}

// points reads {value: rating} pairs for a numeric issue, sorted by value.
func (r *reader) points(e entry, issue string, lo, hi float64) ([]point, error) {
	es, err := r.entries(e.path, e.val)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, r.fail(e.path, e.val, "needs at least one value: rating pair")
	}
	pts := make([]point, 0, len(es))
	for _, pe := range es {
		x, err := strconv.ParseFloat(strings.TrimSpace(pe.key), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, r.fail(pe.path, pe.val, "%q is not a number of issue %q", pe.key, issue)
		}
		if x < lo || x > hi {
			return nil, r.fail(pe.path, pe.val, "value %g is outside issue %q's range %g..%g", x, issue, lo, hi)
		}
		y, err := r.rating(pe)
		if err != nil {
			return nil, err
		}
		pts = append(pts, point{x, y, pe.path})
	}
	slices.SortFunc(pts, func(a, b point) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	for k := 1; k < len(pts); k++ {
		if pts[k].x == pts[k-1].x {
			return nil, r.fail(pts[k].path, nil, "value %g is rated twice", pts[k].x)
		}
	}
	return pts, nil
}

// interpolate is the piecewise linear function through pts at x.
func interpolate(pts []point, x float64) float64 {
	if x <= pts[0].x {
		return pts[0].y
	}
	for k := 1; k < len(pts); k++ {
		if x <= pts[k].x {
			a, b := pts[k-1], pts[k]
			return a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)
		}
	}
	return pts[len(pts)-1].y
}

func (r *reader) rating(e entry) (float64, error) {
	y, err := r.number(e)
	if err != nil || y < 0 {
		return 0, r.fail(e.path, e.val, "a rating must be a non-negative number")
	}
	return y, nil
}

// scale divides ratings by the largest, so that the best value rates 1.
func (r *reader) scale(e entry, ev []float64) error {
	top := slices.Max(ev)
	if top == 0 || math.IsInf(top, 0) {
		return r.fail(e.path, e.val, "at least one rating must be above zero")
	}
	for v := range ev {
		ev[v] /= top
	}
	return nil
}

// musts reads hard constraints: for each issue, the list of allowed values,
// or for a numeric issue {min, max} bounds (either may be left out).
func (r *reader) musts(e entry) ([]utility.Constraint, error) {
	es, idx, err := r.issueEntries(e)
	if err != nil {
		return nil, err
	}
	cs := make([]utility.Constraint, 0, len(es))
	for k, me := range es {
		is := &r.s.Domain.Issues[idx[k]]
		c := utility.Constraint{Issue: idx[k], Allowed: make([]bool, is.Size())}
		if me.val.kind == seqNode || me.val.kind == scalarNode {
			if c.Text, err = r.allowed(me, is, c.Allowed); err != nil {
				return nil, err
			}
		} else {
			if c.Text, err = r.bounds(me, is, c.Allowed); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(c.Allowed, true) {
			return nil, r.fail(me.path, me.val, "allows no value of issue %q", is.Name)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// allowed marks the listed values of an issue.
func (r *reader) allowed(e entry, is *space.Issue, ok []bool) (string, error) {
	labels, err := r.strs(e)
	if err != nil {
		return "", err
	}
	for k, l := range labels {
		v, err := is.Lookup(l)
		if err != nil || is.Kind != space.Discrete && is.Label(v) != canonical(l) {
			p := e.path
			if e.val.kind == seqNode {
				p = index(e.path, k)
			}
			return "", r.fail(p, e.val, "issue %q has no value %q", is.Name, l)
		}
		ok[v] = true
	}
	return fmt.Sprintf("%s in {%s}", is.Name, strings.Join(labels, ", ")), nil
}

// canonical writes a number the way space labels numeric values, so that a
// listed real value must be one of the issue's points, not merely near one.
func canonical(s string) string {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// bounds marks the values within {min, max} of a numeric issue, or of a
// discrete issue whose labels are all numbers.
func (r *reader) bounds(e entry, is *space.Issue, ok []bool) (string, error) {
	if is.Kind == space.Discrete && numericLabels(is) == textLabels {
		return "", r.fail(e.path, e.val, "list the allowed values of discrete issue %q", is.Name)
	}
	f, err := r.fields(e.path, e.val, "min", "max")
	if err != nil {
		return "", err
	}
	if len(f) == 0 {
		return "", r.fail(e.path, e.val, "needs min, max or both")
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	var text []string
	if me, has := f["min"]; has {
		if lo, err = r.number(me); err != nil {
			return "", err
		}
		text = append(text, fmt.Sprintf("%s >= %g", is.Name, lo))
	}
	if me, has := f["max"]; has {
		if hi, err = r.number(me); err != nil {
			return "", err
		}
		text = append(text, fmt.Sprintf("%s <= %g", is.Name, hi))
	}
	for v, x := range numbers(is) {
		ok[v] = x >= lo && x <= hi
	}
	return strings.Join(text, " and "), nil
}
