package genius

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
)

// utilitySpace is the <utility_space> element of a document: the root of a
// profile, or the child of a domain's <negotiation_template>.
func utilitySpace(root *element) *element {
	if root.name == "utility_space" {
		return root
	}
	if root.name == "negotiation_template" {
		return root.first("utility_space")
	}
	return nil
}

// objective is the one <objective> of a utility space, whose direct
// children are the issues; in some old files (inheritancedomain) the issues
// and weights sit directly in the utility space. GENIUS allows objectives to
// nest, with weights per level; no published file does, and shuttle's
// profiles are flat.
func (w where) objective(us *element) (*element, error) {
	obj := us.first("objective")
	if obj == nil {
		if us.first("issue") != nil {
			return us, nil
		}
		return nil, w.errorf(us, "no <objective> holding the issues")
	}
	if sub := obj.first("objective"); sub != nil {
		return nil, &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: sub.line, Field: "<objective>",
			Message: "nested objectives are not supported"}
	}
	return obj, nil
}

// issueKind reads the issue's type as GENIUS 10.4 does: the type attribute
// decides, and files that lack it are read from vtype, then etype.
func (w where) issueKind(e *element) (space.Kind, error) {
	s, ok := e.attr("type")
	if !ok {
		if s, ok = e.attr("vtype"); !ok {
			s, ok = e.attr("etype")
		}
	}
	if !ok {
		return space.Discrete, nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "discrete":
		return space.Discrete, nil
	case "integer":
		return space.Integer, nil
	case "real":
		return space.Real, nil
	}
	return 0, &shuttle.Error{Code: shuttle.EUnsupported, File: w.file, Line: e.line, Field: "<issue>",
		Message: "issue type " + strconv.Quote(s) + " is not supported"}
}

// bounds reads the bounds of a numeric issue from its attributes (GENIUS
// 10.4) or from a <range> child (older files); both may be present if they
// agree.
func bounds[T int64 | float64](w where, e *element, parse func(*element, string) (T, error)) (lo, hi T, err error) {
	found := false
	for _, x := range []*element{e, e.first("range")} {
		if x == nil {
			continue
		}
		_, hasLo := x.attr("lowerbound")
		_, hasHi := x.attr("upperbound")
		if !hasLo && !hasHi {
			continue
		}
		l, err := parse(x, "lowerbound")
		if err != nil {
			return lo, hi, err
		}
		h, err := parse(x, "upperbound")
		if err != nil {
			return lo, hi, err
		}
		if found && (l != lo || h != hi) {
			return lo, hi, w.errorf(x, "range %v..%v disagrees with the issue's bounds %v..%v", l, h, lo, hi)
		}
		lo, hi, found = l, h, true
	}
	if !found {
		return lo, hi, w.errorf(e, "numeric issue without lowerbound and upperbound")
	}
	if hi < lo {
		return lo, hi, w.errorf(e, "upperbound %v is below lowerbound %v", hi, lo)
	}
	return lo, hi, nil
}

// declared is an issue as one file declares it.
type declared struct {
	space.Issue
	index string // the file's index attribute, which weights and rectangles refer to
	el    *element
}

// issues reads the issues an objective declares. Discrete values are kept
// as listed, duplicates included: a profile may repeat one (AMPOvsCity).
func (w where) issues(obj *element) ([]declared, error) {
	var out []declared
	for _, e := range obj.all("issue") {
		name, _ := e.attr("name")
		if name == "" {
			return nil, w.errorf(e, "issue without a name")
		}
		index, _ := e.attr("index")
		k, err := w.issueKind(e)
		if err != nil {
			return nil, err
		}
		is := space.Issue{Name: name, Kind: k}
		switch k {
		case space.Discrete:
			for _, it := range e.all("item") {
				v, ok := it.attr("value")
				if !ok {
					return nil, w.errorf(it, "item of issue %q without a value", name)
				}
				is.Values = append(is.Values, v)
			}
			if len(is.Values) == 0 {
				return nil, w.errorf(e, "discrete issue %q has no items", name)
			}
		case space.Integer:
			lo, hi, err := bounds(w, e, w.integer)
			if err != nil {
				return nil, err
			}
			is.Min, is.Max = lo, hi
		case space.Real:
			lo, hi, err := bounds(w, e, w.number)
			if err != nil {
				return nil, err
			}
			is.Lo, is.Hi, is.Steps = lo, hi, space.DefaultRealSteps
			// Not GENIUS: shuttle writes how finely it discretised a real
			// issue when that differs from the default, so that a round
			// trip keeps the outcome space; GENIUS ignores the attribute.
			if _, ok := e.attr("steps"); ok {
				n, err := w.integer(e, "steps")
				if err != nil {
					return nil, err
				}
				if n < 2 || n > maxTable {
					return nil, w.errorf(e, "steps=%d is outside 2..%d", n, maxTable)
				}
				is.Steps = int(n)
			}
		}
		if err := is.Validate(); err != nil && k != space.Discrete {
			return nil, w.errorf(e, "%v", err)
		}
		out = append(out, declared{Issue: is, index: strings.TrimSpace(index), el: e})
	}
	if len(out) == 0 {
		return nil, w.errorf(obj, "no issues")
	}
	return out, nil
}

// domainOf builds the domain a document declares. The objective's name is
// the domain's, unless it is the placeholder "root".
func (w where) domainOf(root *element) (*space.Domain, error) {
	us := utilitySpace(root)
	if us == nil {
		return nil, shuttle.InFile(w.file, root.line, "<"+root.name+">", "no <utility_space>")
	}
	obj, err := w.objective(us)
	if err != nil {
		return nil, err
	}
	decls, err := w.issues(obj)
	if err != nil {
		return nil, err
	}
	name, _ := obj.attr("name")
	if name = strings.TrimSpace(name); name == "" || name == "root" {
		name = stem(w.file)
	}
	d := &space.Domain{Name: name}
	for _, dc := range decls {
		d.Issues = append(d.Issues, dc.Issue)
	}
	if err := d.Validate(); err != nil {
		return nil, shuttle.InFile(w.file, obj.line, "<objective>", "%v", err)
	}
	return d, nil
}

// stem is a file's name without directory and extension.
func stem(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}
