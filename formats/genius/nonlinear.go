package genius

import (
	"fmt"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// nonlinear reads an ANAC 2014 profile: integer issues declared in the
// profile, then <utility maxutility=M><ufun aggregation="sum"> holding
// hyperRectangles. As GENIUS computes it, an outcome is worth the sum of
// the utilities of the rectangles it satisfies, divided by M and capped at
// 1. A rectangle of INCLUDES bounds is satisfied inside all of them; one of
// EXCLUDES bounds outside at least one; one without bounds always.
func (w where) nonlinear(us *element, d *space.Domain) (*utility.Profile, error) {
	obj, err := w.objective(us)
	if err != nil {
		return nil, err
	}
	decls, notes, err := w.match(obj, d, true)
	if err != nil {
		return nil, err
	}
	byIndex := map[string]int{}
	for i, dc := range decls {
		if dc == nil {
			continue
		}
		if dc.Kind != space.Integer {
			return nil, w.unsupported(dc.el, fmt.Sprintf("nonlinear profile with %s issue %q (GENIUS's rectangles bound integers)", dc.Kind, dc.Name))
		}
		byIndex[dc.index] = i
	}
	ut := obj.first("utility")
	if ut == nil {
		return nil, w.errorf(obj, "nonlinear profile without <utility>")
	}
	top, err := w.number(ut, "maxutility")
	if err != nil {
		return nil, err
	}
	if top <= 0 {
		return nil, w.errorf(ut, "maxutility %g is not positive", top)
	}
	uf := ut.first("ufun")
	if uf == nil {
		return nil, w.errorf(ut, "no <ufun>")
	}
	if agg, ok := uf.attr("aggregation"); ok && !strings.EqualFold(strings.TrimSpace(agg), "sum") {
		return nil, w.unsupported(uf, fmt.Sprintf("aggregation=%q (only sum is supported)", agg))
	}
	if wt, ok := uf.attr("weight"); ok && strings.TrimSpace(wt) != "1" && strings.TrimSpace(wt) != "1.0" {
		return nil, w.unsupported(uf, fmt.Sprintf("ufun weight=%q (only 1 is supported)", wt))
	}
	if inner := uf.first("ufun"); inner != nil {
		return nil, w.unsupported(inner, "nested utility functions are not supported")
	}
	h := &utility.Hyper{Max: top}
	for _, re := range uf.all("hyperRectangle") {
		rects, err := w.rectangle(re, d, byIndex)
		if err != nil {
			return nil, err
		}
		h.Rects = append(h.Rects, rects...)
	}
	p := &utility.Profile{Name: stem(w.file), Domain: d, Func: h, Notes: notes}
	r, ok, err := w.value(us, "reservation")
	if err != nil {
		return nil, err
	}
	switch {
	case !ok:
		p.Notes = append(p.Notes, "no reservation value: 0 assumed")
	case r < 0 || r > 1:
		return nil, w.errorf(us.first("reservation"), "reservation value %g is outside [0,1]", r)
	default:
		p.Reservation = r
	}
	if err := w.discount(us, p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, shuttle.InFile(w.file, ut.line, "<utility>", "%v", err)
	}
	return p, nil
}

// rectangle reads one hyperRectangle as one or more utility.Rect, which
// are all inclusive: the outside of an EXCLUDES box is split into disjoint
// inclusive boxes (issue k below or above its bound while issues before k
// lie within theirs), so exactly one of them holds any outcome the GENIUS
// rectangle is satisfied by, and the sum is unchanged.
func (w where) rectangle(re *element, d *space.Domain, byIndex map[string]int) ([]utility.Rect, error) {
	u, err := w.number(re, "utility")
	if err != nil {
		return nil, err
	}
	if _, ok := re.attr("weight"); ok {
		wt, err := w.number(re, "weight")
		if err != nil {
			return nil, err
		}
		u *= wt
	}
	if u < 0 {
		// GENIUS leaves negative sums uncapped; shuttle's utilities live in [0,1].
		return nil, w.unsupported(re, fmt.Sprintf("negative rectangle utility %g", u))
	}
	incl, excl := re.all("INCLUDES"), re.all("EXCLUDES")
	if len(incl) > 0 && len(excl) > 0 {
		return nil, w.unsupported(re, "a hyperRectangle mixing INCLUDES and EXCLUDES")
	}
	bounds := append(incl, excl...)
	var box utility.Rect
	box.Utility = u
	for _, b := range bounds {
		idx, _ := b.attr("index")
		i, ok := byIndex[strings.TrimSpace(idx)]
		if !ok {
			return nil, w.errorf(b, "index %s names no issue of this profile", strings.TrimSpace(idx))
		}
		is := &d.Issues[i]
		lo, err := w.integer(b, "min")
		if err != nil {
			return nil, err
		}
		hi, err := w.integer(b, "max")
		if err != nil {
			return nil, err
		}
		if lo > hi || lo < is.Min || hi > is.Max {
			return nil, w.errorf(b, "bounds %d..%d of issue %q are not within its values %d..%d", lo, hi, is.Name, is.Min, is.Max)
		}
		box.Issues = append(box.Issues, i)
		box.Lo = append(box.Lo, int(lo-is.Min))
		box.Hi = append(box.Hi, int(hi-is.Min))
	}
	if len(excl) == 0 {
		return []utility.Rect{box}, nil
	}
	var out []utility.Rect
	for k, i := range box.Issues {
		last := d.Issues[i].Size() - 1
		for _, side := range [][2]int{{0, box.Lo[k] - 1}, {box.Hi[k] + 1, last}} {
			if side[0] > side[1] {
				continue
			}
			r := utility.Rect{Utility: u}
			r.Issues = append(append(r.Issues, box.Issues[:k]...), i)
			r.Lo = append(append(r.Lo, box.Lo[:k]...), side[0])
			r.Hi = append(append(r.Hi, box.Hi[:k]...), side[1])
			out = append(out, r)
		}
	}
	return out, nil
}

func (w where) unsupported(e *element, msg string) error {
	return &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: e.line, Field: "<" + e.name + ">", Message: msg}
}
