package geniusweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// linearTolerance is how far a numeric issue's evaluation table may stray
// from a straight line and still be written as NumberValueSetUtilities.
const linearTolerance = 1e-13

// WriteDomain writes d as a GeniusWeb domain file. Discrete issues are
// written as value lists and integer issues as ranges in steps of 1. A real
// issue is written as a range when its points are a decimal lattice (see
// ReadDomain), and otherwise as the list of its labels: GeniusWeb has no
// other way to write them, and the written file then holds a discrete issue.
func WriteDomain(w io.Writer, d *space.Domain) error {
	if d == nil {
		return shuttle.Errorf(shuttle.EInvalid, "write domain: no domain")
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("write domain: %w", err)
	}
	dom, err := domainJSON(d, gridsOf(d))
	if err != nil {
		return err
	}
	return encode(w, dom)
}

// WriteProfile writes an additive profile as a GeniusWeb
// LinearAdditiveUtilitySpace with its domain embedded (as WriteDomain
// writes it) and, when reservation is not nil, reservation as its
// reservationBid; reservation must then be worth p.Reservation to p.
//
// What GeniusWeb cannot hold is lost: without a reservation bid the
// reservation value is not written at all (GeniusWeb reads it as 0), and
// the discount factor is never written. Weights are written as they are;
// GeniusWeb itself requires them to sum to 1. Profiles that are not
// additive, have hard constraints, or give a numeric issue utilities that are
// not a straight line are refused (EUnsupported).
func WriteProfile(w io.Writer, p *utility.Profile, reservation Bid) error {
	if p == nil {
		return shuttle.Errorf(shuttle.EInvalid, "write profile: no profile")
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	a := p.Additive()
	switch {
	case a == nil:
		return shuttle.Errorf(shuttle.EUnsupported, "write profile %q: only additive profiles have a GeniusWeb form", p.Name)
	case len(p.Constraints) > 0:
		return shuttle.Errorf(shuttle.EUnsupported, "write profile %q: GeniusWeb profiles have no hard constraints", p.Name)
	}
	d := p.Domain
	if err := d.Validate(); err != nil {
		return fmt.Errorf("write profile %q: %w", p.Name, err)
	}
	grids := gridsOf(d)
	dom, err := domainJSON(d, grids)
	if err != nil {
		return err
	}
	utils := make(object, len(d.Issues))
	weights := make(object, len(d.Issues))
	for i := range d.Issues {
		u, err := issueUtilities(&d.Issues[i], grids[i], a.Evals[i], a.Shapes[i])
		if err != nil {
			return fmt.Errorf("write profile %q: %w", p.Name, err)
		}
		utils[i] = member{d.Issues[i].Name, u}
		weights[i] = member{d.Issues[i].Name, a.Weights[i]}
	}
	las := object{
		{"name", p.Name},
		{"issueUtilities", utils},
		{"issueWeights", weights},
		{"domain", dom},
	}
	if reservation != nil {
		bid, err := bidJSON(d, grids, reservation)
		if err != nil {
			return fmt.Errorf("write profile %q: reservation bid: %w", p.Name, err)
		}
		if u := bidUtility(a, reservation); math.Abs(u-p.Reservation) > 1e-12 {
			return fmt.Errorf("write profile %q: reservation bid is worth %g, the reservation value is %g", p.Name, u, p.Reservation)
		}
		las = append(las, member{"reservationBid", object{{"issuevalues", bid}}})
	}
	return encode(w, object{{"LinearAdditiveUtilitySpace", las}})
}

func domainJSON(d *space.Domain, grids []grid) (object, error) {
	issues := make(object, len(d.Issues))
	for i := range d.Issues {
		is := &d.Issues[i]
		if g := grids[i]; g.n > 0 {
			issues[i] = member{is.Name, object{{"range", object{
				{"low", g.literal(0)}, {"high", g.literal(g.n - 1)}, {"step", json.Number(gridNumber(g.step))},
			}}}}
			continue
		}
		labels := make([]string, is.Size())
		seen := make(map[string]bool, len(labels))
		for v := range labels {
			labels[v] = is.Label(v)
			if seen[labels[v]] {
				return nil, shuttle.Errorf(shuttle.EUnsupported, "write domain %q: issue %q has two values written %q", d.Name, is.Name, labels[v])
			}
			seen[labels[v]] = true
		}
		issues[i] = member{is.Name, object{{"values", labels}}}
	}
	return object{{"name", d.Name}, {"issuesValues", issues}}, nil
}

// issueUtilities writes one issue's evaluations: a value table for an issue
// written as a value list, NumberValueSetUtilities for a range.
func issueUtilities(is *space.Issue, g grid, evals []float64, s *utility.Shape) (object, error) {
	// Validate lets evaluations stray outside [0,1] by rounding; GeniusWeb
	// does not.
	if g.n == 0 {
		table := make(object, len(evals))
		for v, e := range evals {
			table[v] = member{is.Label(v), utility.Clamp(e)}
		}
		return object{{"DiscreteValueSetUtilities", object{{"valueUtilities", table}}}}, nil
	}
	lo, hi := g.float(0), g.float(g.n-1)
	line := &utility.Shape{Kind: "interpolate", Low: lo, High: hi, LowUtility: utility.Clamp(evals[0]), HighUtility: utility.Clamp(evals[g.n-1])}
	switch {
	case s != nil && s.Kind == "interpolate" && fits(s, g, evals) && s.LowUtility >= 0 && s.LowUtility <= 1 && s.HighUtility >= 0 && s.HighUtility <= 1:
		line = s
	case !fits(line, g, evals):
		return nil, shuttle.Errorf(shuttle.EUnsupported, "issue %q: utilities that are not linear in the value have no GeniusWeb form", is.Name)
	}
	return object{{"NumberValueSetUtilities", object{
		{"lowValue", line.Low}, {"lowUtility", line.LowUtility},
		{"highValue", line.High}, {"highUtility", line.HighUtility},
	}}}, nil
}

// fits reports whether s, evaluated at g's points as the reader will,
// gives evals.
func fits(s *utility.Shape, g grid, evals []float64) bool {
	for k, e := range evals {
		if math.Abs(s.Eval(g.float(k))-e) > linearTolerance {
			return false
		}
	}
	return true
}

// bidJSON writes a bid: strings for values of issues written as lists,
// numbers for ranges.
func bidJSON(d *space.Domain, grids []grid, b Bid) (object, error) {
	if len(b) != len(d.Issues) {
		return nil, fmt.Errorf("bid has %d values for %d issues", len(b), len(d.Issues))
	}
	var o object
	for i, v := range b {
		is := &d.Issues[i]
		switch {
		case v == Absent:
			continue
		case v < 0 || v >= is.Size():
			return nil, fmt.Errorf("issue %q: value index %d out of range", is.Name, v)
		}
		if g := grids[i]; g.n > 0 {
			o = append(o, member{is.Name, g.literal(v)})
		} else {
			o = append(o, member{is.Name, is.Label(v)})
		}
	}
	return o, nil
}

// member and object write JSON objects with their keys in order, which
// encoding/json's maps would sort.
type member struct {
	key string
	val any
}

type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := plain(&b, m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := plain(&b, m.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// plain encodes v without escaping <, > and &, which issue values use.
func plain(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
