package genius

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// fitSlack is how far a table may stray from the line fitted through it
// and still be written as a GENIUS linear evaluator.
const fitSlack = 1e-12

// WriteDomain writes d as a GENIUS 10.4 domain file. A real issue
// discretised more finely or coarsely than space.DefaultRealSteps carries a
// steps attribute, which GENIUS ignores and ReadDomain honours.
func WriteDomain(w io.Writer, d *space.Domain) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("write GENIUS domain: %w", err)
	}
	if err := checkText(d); err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	b.WriteString("<negotiation_template>\n")
	fmt.Fprintf(b, "<utility_space number_of_issues=\"%d\">\n", len(d.Issues))
	writeObjective(b, d)
	for i := range d.Issues {
		writeIssue(b, &d.Issues[i], i, nil, "")
	}
	b.WriteString("</objective>\n</utility_space>\n</negotiation_template>\n")
	return b.Flush()
}

// WriteProfile writes p as a GENIUS 10.4 profile file: an additive profile
// as a standard utility space, a utility.Hyper as a nonlinear one (which
// needs integer issues, as GENIUS's rectangles do). Reading the file back
// over the same domain gives every outcome the same utility.
//
// GENIUS divides each discrete evaluation by the largest of its issue, so
// an issue whose best value is worth m < 1 is written with evaluations
// scaled up by 1/m and a weight scaled down by m: the same products.
func WriteProfile(w io.Writer, p *utility.Profile) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("write GENIUS profile: %w", err)
	}
	if len(p.Constraints) > 0 {
		return shuttle.Errorf(shuttle.EUnsupported, "write GENIUS profile %q: GENIUS has no hard constraints", p.Name)
	}
	d := p.Domain
	if err := checkText(d); err != nil {
		return err
	}
	var body strings.Builder
	var err error
	switch f := p.Func.(type) {
	case *utility.Additive:
		err = writeAdditive(&body, d, f)
	case *utility.Hyper:
		err = writeHyper(&body, d, f)
	default:
		err = shuttle.Errorf(shuttle.EUnsupported, "a %T utility function has no GENIUS form", p.Func)
	}
	if err != nil {
		return fmt.Errorf("write GENIUS profile %q: %w", p.Name, err)
	}
	b := bufio.NewWriter(w)
	if _, ok := p.Func.(*utility.Hyper); ok {
		b.WriteString("<utility_space type=\"nonlinear\">\n")
	} else {
		b.WriteString("<utility_space>\n")
	}
	writeObjective(b, d)
	b.WriteString(body.String())
	b.WriteString("</objective>\n")
	fmt.Fprintf(b, "<discount_factor value=\"%s\"/>\n", num(p.Discount))
	fmt.Fprintf(b, "<reservation value=\"%s\"/>\n", num(p.Reservation))
	b.WriteString("</utility_space>\n")
	return b.Flush()
}

func writeObjective(b io.StringWriter, d *space.Domain) {
	b.WriteString(`<objective index="0" etype="objective" type="objective" description="" name="` + attr(d.Name) + "\">\n")
}

// writeIssue writes one issue; evaluations (one per value, for discrete
// issues) and evaluator (for numeric ones) are the profile's, if any.
func writeIssue(b io.StringWriter, is *space.Issue, i int, evaluations []float64, evaluator string) {
	k := is.Kind.String()
	head := fmt.Sprintf(`<issue index="%d" etype="%s" type="%s" vtype="%s" name="%s"`, i+1, k, k, k, attr(is.Name))
	switch is.Kind {
	case space.Discrete:
		b.WriteString(head + ">\n")
		for v, label := range is.Values {
			ev := ""
			if evaluations != nil {
				ev = ` evaluation="` + num(evaluations[v]) + `"`
			}
			b.WriteString(fmt.Sprintf("  <item index=\"%d\" value=\"%s\"%s/>\n", v+1, attr(label), ev))
		}
	case space.Integer:
		b.WriteString(fmt.Sprintf("%s lowerbound=\"%d\" upperbound=\"%d\">\n", head, is.Min, is.Max))
	case space.Real:
		if is.Steps != space.DefaultRealSteps {
			head += fmt.Sprintf(` steps="%d"`, is.Steps)
		}
		b.WriteString(head + ">\n")
		b.WriteString(fmt.Sprintf("  <range lowerbound=\"%s\" upperbound=\"%s\"/>\n", num(is.Lo), num(is.Hi)))
	}
	b.WriteString(evaluator)
	b.WriteString("</issue>\n")
}

func writeAdditive(b *strings.Builder, d *space.Domain, a *utility.Additive) error {
	weights := make([]float64, len(d.Issues))
	for i := range d.Issues {
		is := &d.Issues[i]
		weights[i] = a.Weights[i]
		var shape *utility.Shape
		if a.Shapes != nil {
			shape = a.Shapes[i]
		}
		switch is.Kind {
		case space.Discrete:
			top := 0.0
			for _, e := range a.Evals[i] {
				top = max(top, e)
			}
			ev := make([]float64, len(a.Evals[i]))
			if top > 0 {
				for v, e := range a.Evals[i] {
					ev[v] = e / top
				}
				weights[i] *= top
			}
			writeIssue(b, is, i, ev, "")
		case space.Integer:
			offset, slope, err := integerLine(is, shape, a.Evals[i])
			if err != nil {
				return err
			}
			writeIssue(b, is, i, nil, fmt.Sprintf("  <evaluator ftype=\"linear\" offset=\"%s\" slope=\"%s\"/>\n", num(offset), num(slope)))
		case space.Real:
			ev, err := realEvaluator(is, shape, a.Evals[i])
			if err != nil {
				return err
			}
			writeIssue(b, is, i, nil, ev)
		}
	}
	if slices.Max(weights) == 0 {
		return shuttle.Errorf(shuttle.EUnsupported, "the weights, scaled by each issue's best evaluation, underflow to zero")
	}
	for i, w := range weights {
		fmt.Fprintf(b, "<weight index=\"%d\" value=\"%s\"/>\n", i+1, num(w))
	}
	return nil
}

// integerLine is the GENIUS 10.4 evaluator offset + slope*(x - lowerbound)
// of an integer issue: from its linear shape, or fitted through its table.
func integerLine(is *space.Issue, s *utility.Shape, ev []float64) (offset, slope float64, err error) {
	if s != nil && s.Kind == "linear" {
		return s.Offset + s.Slope*(float64(is.Min)-s.Lower), s.Slope, nil
	}
	return fitLine(is, ev)
}

// realEvaluator is the GENIUS evaluator element of a real issue.
func realEvaluator(is *space.Issue, s *utility.Shape, ev []float64) (string, error) {
	if s != nil && s.Kind == "triangular" && s.Low <= s.Peak && s.Peak < s.High {
		return fmt.Sprintf("  <evaluator ftype=\"triangular\" parameter0=\"%s\" parameter1=\"%s\" parameter2=\"%s\"/>\n",
			num(s.Low), num(s.High), num(s.Peak)), nil
	}
	p0, p1 := 0.0, 0.0
	if s != nil && s.Kind == "linear" {
		p0, p1 = s.Offset-s.Slope*s.Lower, s.Slope
	} else {
		var err error
		if p0, p1, err = fitLine(is, ev); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("  <evaluator ftype=\"linear\" parameter0=\"%s\" parameter1=\"%s\"/>\n", num(p0), num(p1)), nil
}

// fitLine fits a line through a numeric issue's evaluation table, in
// GENIUS's coordinates: u = a + b*(x - lowerbound) for an integer issue,
// a + b*x for a real one, clamped to [0,1]. The table must lie on it, as
// GENIUS will compute it, to within fitSlack: GENIUS has no tabulated
// numeric evaluator.
func fitLine(is *space.Issue, ev []float64) (a, b float64, err error) {
	n := len(ev)
	x := is.Number
	if span := x(n-1) - x(0); span > 0 {
		b = (ev[n-1] - ev[0]) / span
	}
	origin := 0.0
	if is.Kind == space.Integer {
		origin = x(0)
	}
	a = ev[0] - b*(x(0)-origin)
	for v, e := range ev {
		if math.Abs(utility.Clamp(a+b*(x(v)-origin))-e) > fitSlack {
			return 0, 0, shuttle.Errorf(shuttle.EUnsupported, "issue %q: evaluations are not linear in the value, and GENIUS numeric issues take only linear or triangular evaluators", is.Name)
		}
	}
	return a, b, nil
}

func writeHyper(b *strings.Builder, d *space.Domain, h *utility.Hyper) error {
	for i := range d.Issues {
		if d.Issues[i].Kind != space.Integer {
			return shuttle.Errorf(shuttle.EUnsupported, "issue %q is %s, and GENIUS nonlinear profiles bound integer issues only", d.Issues[i].Name, d.Issues[i].Kind)
		}
		writeIssue(b, &d.Issues[i], i, nil, "")
	}
	fmt.Fprintf(b, "<utility maxutility=\"%s\">\n<ufun type=\"PlainUfun\" weight=\"1\" aggregation=\"sum\">\n", num(h.Max))
	for k := range h.Rects {
		r := &h.Rects[k]
		if r.Utility < 0 {
			return shuttle.Errorf(shuttle.EUnsupported, "constraint %d has negative utility %g, which GENIUS does not cap", k+1, r.Utility)
		}
		fmt.Fprintf(b, "  <hyperRectangle utility=\"%s\">\n", num(r.Utility))
		for j, i := range r.Issues {
			is := &d.Issues[i]
			fmt.Fprintf(b, "    <INCLUDES index=\"%d\" min=\"%d\" max=\"%d\"/>\n", i+1, is.Min+int64(r.Lo[j]), is.Min+int64(r.Hi[j]))
		}
		b.WriteString("  </hyperRectangle>\n")
	}
	b.WriteString("</ufun>\n</utility>\n")
	return nil
}

// num writes a number so that it reads back to the same float64.
func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// attr escapes an attribute value. Apostrophes stay as they are, as GENIUS
// files write them (screen sizes in inches use two), and so does '>'.
var attrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

func attr(s string) string { return attrEscaper.Replace(s) }

// checkText refuses names and values that XML cannot carry.
func checkText(d *space.Domain) error {
	texts := []string{d.Name}
	for i := range d.Issues {
		texts = append(texts, d.Issues[i].Name)
		texts = append(texts, d.Issues[i].Values...)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return shuttle.Errorf(shuttle.EInvalid, "write GENIUS: %q is not valid UTF-8", s)
		}
		for _, r := range s {
			if !xmlChar(r) {
				return shuttle.Errorf(shuttle.EInvalid, "write GENIUS: %q holds character %U, which XML cannot carry", s, r)
			}
		}
	}
	return nil
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
