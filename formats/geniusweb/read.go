package geniusweb

import (
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Bid is a GeniusWeb bid over a domain: a value index for each issue, or
// Absent for an issue the bid leaves out (worth 0 to every profile).
type Bid []int

// Absent marks an issue a Bid does not mention.
const Absent = -1

// The two spellings GeniusWeb has used for each kind of issue utilities.
var (
	discreteKeys = []string{"DiscreteValueSetUtilities", "discreteutils"}
	numberKeys   = []string{"NumberValueSetUtilities", "numberutils"}
)

// ReadDomain reads a GeniusWeb domain file: {"name", "issuesValues"}.
func ReadDomain(path string) (*space.Domain, error) {
	doc, err := readDoc(path)
	if err != nil {
		return nil, err
	}
	if classify(doc.root) != domainFile {
		return nil, doc.errAt(doc.root, "not a GeniusWeb domain (an object with name and issuesValues)")
	}
	return doc.domain(doc.root)
}

// ReadProfile reads a GeniusWeb LinearAdditiveUtilitySpace profile. The
// profile embeds its domain; when d is nil that embedded domain is used,
// otherwise the embedded domain must equal d (same name, issues and
// values; the order of issues and values may differ) and the profile is
// built over d. The reservation value is the profile's utility of its
// reservationBid, 0 when it has none (with a Note).
func ReadProfile(path string, d *space.Domain) (*utility.Profile, error) {
	p, _, err := ReadProfileBid(path, d)
	return p, err
}

// ReadProfileBid is ReadProfile that also returns the reservation bid the
// reservation value was computed from, nil when the file has none, so that
// WriteProfile can write it back.
func ReadProfileBid(path string, d *space.Domain) (*utility.Profile, Bid, error) {
	doc, err := readDoc(path)
	if err != nil {
		return nil, nil, err
	}
	return doc.profile(d, "")
}

// ReadFolder reads a folder of GeniusWeb JSON files: at most one domain
// file and the LinearAdditiveUtilitySpace profiles, classified by content,
// profiles in file-name order. Without a domain file the first profile's
// embedded domain is the domain; either way every profile's embedded domain
// must equal it. specials.json (see ReadSpecials) is skipped. Any other JSON
// file is an error, and so is a DefaultPartialOrdering profile: an ordering
// of bids has no utilities (EUnsupported; read the other profiles one by
// one with ReadProfile).
func ReadFolder(dir string) (*space.Domain, []*utility.Profile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, &shuttle.Error{Code: shuttle.ENotFound, File: dir, Message: "cannot read folder", Err: unwrapPath(err)}
	}
	var (
		domainDoc *document
		profiles  []*document
	)
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			continue
		}
		doc, err := readDoc(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		switch classify(doc.root) {
		case domainFile:
			if domainDoc != nil {
				return nil, nil, doc.errAt(doc.root, "second domain file in the folder (the first is %s)", domainDoc.file)
			}
			domainDoc = doc
		case profileFile:
			profiles = append(profiles, doc)
		case specialsFile:
		case otherProfile:
			return nil, nil, doc.refuseKind("; move it out of the folder to read the other profiles")
		default:
			return nil, nil, doc.unsupported(doc.root, "neither a GeniusWeb domain, a profile nor specials.json")
		}
	}
	var (
		d   *space.Domain
		ref string
	)
	switch {
	case domainDoc != nil:
		ref = domainDoc.file
		if d, err = domainDoc.domain(domainDoc.root); err != nil {
			return nil, nil, err
		}
	case len(profiles) > 0:
		ref = profiles[0].file
	default:
		return nil, nil, shuttle.InFile(dir, 0, "", "no GeniusWeb domain or profile in the folder")
	}
	ps := make([]*utility.Profile, 0, len(profiles))
	for _, doc := range profiles {
		p, _, err := doc.profile(d, ref)
		if err != nil {
			return nil, nil, err
		}
		d = p.Domain
		ps = append(ps, p)
	}
	return d, ps, nil
}

type fileKind int

const (
	otherFile fileKind = iota
	domainFile
	profileFile
	otherProfile // a GeniusWeb profile kind other than LinearAdditiveUtilitySpace
	specialsFile
)

// classify tells the files of a GeniusWeb folder apart by their content.
func classify(root *node) fileKind {
	switch {
	case root.kind != kObject:
		return otherFile
	case root.get("issuesValues") != nil:
		return domainFile
	case root.get("pareto_front") != nil:
		return specialsFile
	case len(root.keys) == 1 && root.keys[0] == "LinearAdditiveUtilitySpace":
		return profileFile
	case len(root.keys) == 1 && (strings.HasSuffix(root.keys[0], "Space") || strings.HasSuffix(root.keys[0], "Ordering")):
		return otherProfile
	}
	return otherFile
}

// domain reads a domain object, in a domain file or embedded in a profile.
func (doc *document) domain(n *node) (*space.Domain, error) {
	if err := doc.object(n, []string{"name", "issuesValues"}); err != nil {
		return nil, err
	}
	name, err := doc.str(n.get("name"))
	if err != nil {
		return nil, err
	}
	iv := n.get("issuesValues")
	if iv.kind != kObject || len(iv.keys) == 0 {
		return nil, doc.errAt(iv, "want an object with at least one issue")
	}
	d := &space.Domain{Name: name, Issues: make([]space.Issue, len(iv.keys))}
	for i, key := range iv.keys {
		if d.Issues[i], err = doc.issue(key, iv.elems[i]); err != nil {
			return nil, err
		}
	}
	if err := d.Validate(); err != nil {
		return nil, doc.errAt(iv, "%v", err)
	}
	return d, nil
}

// issue reads one issue: {"values": [...]} or {"range": {low, high, step}}.
func (doc *document) issue(name string, n *node) (space.Issue, error) {
	is := space.Issue{Name: name}
	if name == "" {
		return is, doc.errAt(n, "issue with an empty name")
	}
	if err := doc.object(n, nil, "values", "range"); err != nil {
		return is, err
	}
	if len(n.keys) != 1 {
		return is, doc.errAt(n, "want exactly one of values and range")
	}
	v := n.elems[0]
	if n.keys[0] == "range" {
		return doc.rangeIssue(name, v)
	}
	if v.kind != kArray || len(v.elems) == 0 {
		return is, doc.errAt(v, "want a non-empty array of strings")
	}
	seen := make(map[string]bool, len(v.elems))
	for _, e := range v.elems {
		label, err := doc.str(e)
		if err != nil {
			return is, err
		}
		if seen[label] {
			return is, doc.errAt(e, "value %q appears twice", label)
		}
		seen[label] = true
		is.Values = append(is.Values, label)
	}
	return is, nil
}

// rangeIssue reads {low, high, step}: the numbers low + k*step up to high.
// A range of integers in steps of 1 is an integer issue; any other range is
// a real issue whose Steps points are exactly those numbers.
func (doc *document) rangeIssue(name string, n *node) (space.Issue, error) {
	is := space.Issue{Name: name}
	if err := doc.object(n, []string{"low", "high", "step"}); err != nil {
		return is, err
	}
	var b [3]*big.Rat
	for i, key := range []string{"low", "high", "step"} {
		e := n.get(key)
		if _, err := doc.num(e); err != nil {
			return is, err
		}
		r, ok := exact(e.text)
		if !ok {
			return is, doc.errAt(e, "number %s is out of range", e.text)
		}
		b[i] = r
	}
	low, high, step := b[0], b[1], b[2]
	if step.Sign() <= 0 {
		return is, doc.errAt(n.get("step"), "step %s is not positive", n.get("step").text)
	}
	if high.Cmp(low) < 0 {
		return is, doc.errAt(n.get("high"), "high %s is below low %s", n.get("high").text, n.get("low").text)
	}
	span := new(big.Rat).Sub(high, low)
	span.Quo(span, step)
	count := new(big.Int).Quo(span.Num(), span.Denom())
	if !count.IsInt64() || count.Int64() >= maxValues {
		return is, &shuttle.Error{Code: shuttle.ETooLarge, File: doc.file, Line: n.line, Field: n.path,
			Message: fmt.Sprintf("range has more than %d values", maxValues)}
	}
	g := newGrid(low, step, int(count.Int64())+1)
	last := g.point(g.n - 1)
	if low.IsInt() && step.Cmp(big.NewRat(1, 1)) == 0 {
		const limit = 1 << 53 // integers beyond it have no exact float64
		lo, hi := low.Num(), last.Num()
		if !lo.IsInt64() || !hi.IsInt64() || lo.Int64() < -limit || hi.Int64() > limit {
			return is, doc.unsupported(n, "integer range beyond ±2^53")
		}
		is.Kind, is.Min, is.Max = space.Integer, lo.Int64(), hi.Int64()
		return is, nil
	}
	if g.n < 2 {
		return is, doc.unsupported(n, "a range with the single non-integral value %s", n.get("low").text)
	}
	is.Kind, is.Steps = space.Real, g.n
	is.Lo, _ = low.Float64()
	is.Hi, _ = last.Float64()
	if w, ok := gridOf(&is); !ok || w.low.Cmp(low) != 0 || w.step.Cmp(step) != 0 {
		return is, doc.unsupported(n, "range %s..%s step %s: its points need more than %d digits or are not distinct as float64 numbers",
			n.get("low").text, n.get("high").text, n.get("step").text, maxGridDigits)
	}
	return is, nil
}

// profile reads a profile file over domain d (nil: its embedded domain).
// ref names the file d came from, for messages.
func (doc *document) profile(d *space.Domain, ref string) (*utility.Profile, Bid, error) {
	root := doc.root
	switch classify(root) {
	case profileFile:
	case domainFile:
		return nil, nil, doc.errAt(root, "a GeniusWeb domain, not a profile")
	case otherProfile:
		return nil, nil, doc.refuseKind("")
	default:
		return nil, nil, doc.errAt(root, "not a GeniusWeb profile (an object with LinearAdditiveUtilitySpace)")
	}
	n := root.elems[0]
	if err := doc.object(n, []string{"name", "issueUtilities", "issueWeights", "domain"}, "reservationBid"); err != nil {
		return nil, nil, err
	}
	name, err := doc.str(n.get("name"))
	if err != nil {
		return nil, nil, err
	}
	embedded, err := doc.domain(n.get("domain"))
	if err != nil {
		return nil, nil, err
	}
	if d == nil {
		d = embedded
	} else if err := doc.sameDomain(n.get("domain"), embedded, d, ref); err != nil {
		return nil, nil, err
	}
	p := &utility.Profile{Name: name, Domain: d, Discount: 1}
	a := &utility.Additive{
		Weights: make([]float64, len(d.Issues)),
		Evals:   make([][]float64, len(d.Issues)),
		Shapes:  make([]*utility.Shape, len(d.Issues)),
	}
	p.Func = a
	grids := gridsOf(d)
	if err := doc.utilities(n.get("issueUtilities"), p, a, grids); err != nil {
		return nil, nil, err
	}
	if err := doc.weights(n.get("issueWeights"), p, a); err != nil {
		return nil, nil, err
	}
	var bid Bid
	if rb := n.get("reservationBid"); rb != nil && rb.kind != kNull {
		if err := doc.object(rb, []string{"issuevalues"}); err != nil {
			return nil, nil, err
		}
		if bid, err = doc.bid(rb.get("issuevalues"), d, grids, false); err != nil {
			return nil, nil, err
		}
		p.Reservation = bidUtility(a, bid)
		if missing := absent(d, bid); len(missing) > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("reservationBid leaves out %s: worth 0 there", strings.Join(missing, ", ")))
		}
	} else {
		p.Notes = append(p.Notes, "no reservationBid: reservation value 0")
	}
	if err := p.Validate(); err != nil {
		return nil, nil, doc.errAt(n, "%v", err)
	}
	return p, bid, nil
}

// refuseKind is the error for a profile of another kind than
// LinearAdditiveUtilitySpace, such as DefaultPartialOrdering; hint ends the
// message.
func (doc *document) refuseKind(hint string) error {
	return doc.unsupported(doc.root.elems[0], "this kind of profile is not supported: only LinearAdditiveUtilitySpace profiles give utilities%s", hint)
}

// sameDomain checks that the domain embedded in a profile (at n) is d.
func (doc *document) sameDomain(n *node, embedded, d *space.Domain, ref string) error {
	from := ""
	if ref != "" {
		from = " of " + ref
	}
	if embedded.Name != d.Name {
		return doc.errAt(n.get("name"), "profile is for domain %q, not %q%s", embedded.Name, d.Name, from)
	}
	iv := n.get("issuesValues")
	for k := range embedded.Issues {
		e := &embedded.Issues[k]
		i := d.IssueIndex(e.Name)
		if i < 0 {
			return doc.errAt(iv.elems[k], "issue not in domain %q%s", d.Name, from)
		}
		if !sameIssue(e, &d.Issues[i]) {
			return doc.errAt(iv.elems[k], "differs from issue %q of domain %q%s", e.Name, d.Name, from)
		}
	}
	for i := range d.Issues {
		if embedded.IssueIndex(d.Issues[i].Name) < 0 {
			return doc.errAt(iv, "lacks issue %q of domain %q%s", d.Issues[i].Name, d.Name, from)
		}
	}
	return nil
}

// sameIssue compares issues as GeniusWeb sees them: discrete values as a
// set (utilities and bids name values, not positions), numeric issues by
// their points (a real issue on the integers in steps of 1 is an integer
// issue).
func sameIssue(a, b *space.Issue) bool {
	if a.Kind == space.Discrete || b.Kind == space.Discrete {
		if a.Kind != b.Kind || len(a.Values) != len(b.Values) {
			return false
		}
		for _, v := range a.Values {
			if !slices.Contains(b.Values, v) {
				return false
			}
		}
		return true
	}
	ga, oka := gridOf(a)
	gb, okb := gridOf(b)
	return oka && okb && ga.n == gb.n && ga.low.Cmp(gb.low) == 0 && ga.step.Cmp(gb.step) == 0
}

// utilities reads issueUtilities into a.
func (doc *document) utilities(n *node, p *utility.Profile, a *utility.Additive, grids []grid) error {
	d := p.Domain
	if n.kind != kObject {
		return doc.errAt(n, "is %s, want an object", kindNames[n.kind])
	}
	for k, name := range n.keys {
		u := n.elems[k]
		i := d.IssueIndex(name)
		if i < 0 {
			return doc.errAt(u, "no issue %q in domain %q", name, d.Name)
		}
		is := &d.Issues[i]
		if err := doc.object(u, nil, append(slices.Clone(discreteKeys), numberKeys...)...); err != nil {
			return err
		}
		if len(u.keys) != 1 {
			return doc.errAt(u, "want exactly one of %s", strings.Join(append(slices.Clone(discreteKeys), numberKeys...), ", "))
		}
		var err error
		if slices.Contains(discreteKeys, u.keys[0]) {
			a.Evals[i], err = doc.discreteUtilities(u.elems[0], is, p)
		} else {
			a.Shapes[i], a.Evals[i], err = doc.numberUtilities(u.elems[0], is, grids[i])
		}
		if err != nil {
			return err
		}
	}
	for i := range d.Issues {
		if a.Evals[i] == nil {
			return doc.errAt(n, "no utilities for issue %q", d.Issues[i].Name)
		}
	}
	return nil
}

// discreteUtilities reads {"valueUtilities": {value: utility}}. Values
// the profile does not list are worth 0, as in GeniusWeb.
func (doc *document) discreteUtilities(n *node, is *space.Issue, p *utility.Profile) ([]float64, error) {
	if is.Kind != space.Discrete {
		return nil, doc.errAt(n, "discrete utilities for the %s issue %q", is.Kind, is.Name)
	}
	if err := doc.object(n, []string{"valueUtilities"}); err != nil {
		return nil, err
	}
	vu := n.get("valueUtilities")
	if vu.kind != kObject {
		return nil, doc.errAt(vu, "is %s, want an object", kindNames[vu.kind])
	}
	evals := make([]float64, is.Size())
	given := make([]bool, is.Size())
	for k, label := range vu.keys {
		v, err := is.Lookup(label)
		if err != nil {
			return nil, doc.errAt(vu.elems[k], "issue %q has no value %q", is.Name, label)
		}
		if evals[v], err = doc.unit(vu.elems[k]); err != nil {
			return nil, err
		}
		given[v] = true
	}
	var missing []string
	for v, ok := range given {
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", is.Values[v]))
		}
	}
	if len(missing) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("issue %q: no utility for %s: worth 0", is.Name, strings.Join(missing, ", ")))
	}
	return evals, nil
}

// numberUtilities reads {lowValue, lowUtility, highValue, highUtility}:
// linear between the two points, 0 outside them. The table is evaluated at
// the range's exact points.
func (doc *document) numberUtilities(n *node, is *space.Issue, g grid) (*utility.Shape, []float64, error) {
	if is.Kind == space.Discrete {
		return nil, nil, doc.errAt(n, "number utilities for the discrete issue %q", is.Name)
	}
	keys := []string{"lowValue", "lowUtility", "highValue", "highUtility"}
	if err := doc.object(n, keys); err != nil {
		return nil, nil, err
	}
	var x [4]float64
	for k, key := range keys {
		var err error
		if k%2 == 0 {
			x[k], err = doc.num(n.get(key))
		} else {
			x[k], err = doc.unit(n.get(key))
		}
		if err != nil {
			return nil, nil, err
		}
	}
	s := &utility.Shape{Kind: "interpolate", Low: x[0], LowUtility: x[1], High: x[2], HighUtility: x[3]}
	if s.High < s.Low {
		return nil, nil, doc.errAt(n.get("highValue"), "highValue %g is below lowValue %g", s.High, s.Low)
	}
	if g.n == 0 {
		return nil, nil, doc.unsupported(n, "issue %q is a real issue without an exact GeniusWeb range", is.Name)
	}
	evals := make([]float64, g.n)
	for k := range evals {
		evals[k] = s.Eval(g.float(k))
	}
	return s, evals, nil
}

// weights reads issueWeights: one non-negative number per issue.
func (doc *document) weights(n *node, p *utility.Profile, a *utility.Additive) error {
	d := p.Domain
	if n.kind != kObject {
		return doc.errAt(n, "is %s, want an object", kindNames[n.kind])
	}
	given := make([]bool, len(d.Issues))
	var sum float64
	for k, name := range n.keys {
		i := d.IssueIndex(name)
		if i < 0 {
			return doc.errAt(n.elems[k], "no issue %q in domain %q", name, d.Name)
		}
		w, err := doc.num(n.elems[k])
		if err != nil {
			return err
		}
		if w < 0 {
			return doc.errAt(n.elems[k], "weight %s is negative", n.elems[k].text)
		}
		a.Weights[i], given[i] = w, true
		sum += w
	}
	for i, ok := range given {
		if !ok {
			return doc.errAt(n, "no weight for issue %q", d.Issues[i].Name)
		}
	}
	if sum == 0 {
		return doc.errAt(n, "all weights are 0")
	}
	if math.Abs(sum-1) > 1e-9 {
		p.Notes = append(p.Notes, fmt.Sprintf("weights sum to %g, not 1: used as written", sum))
	}
	return nil
}

// bid reads an issue -> value object over d, whose issues have grids.
// Discrete values are strings, range values numbers. complete demands a
// value for every issue.
func (doc *document) bid(n *node, d *space.Domain, grids []grid, complete bool) (Bid, error) {
	if n.kind != kObject {
		return nil, doc.errAt(n, "is %s, want an object", kindNames[n.kind])
	}
	b := make(Bid, len(d.Issues))
	for i := range b {
		b[i] = Absent
	}
	for k, name := range n.keys {
		e := n.elems[k]
		i := d.IssueIndex(name)
		if i < 0 {
			return nil, doc.errAt(e, "no issue %q in domain %q", name, d.Name)
		}
		is := &d.Issues[i]
		if is.Kind == space.Discrete {
			label, err := doc.str(e)
			if err != nil {
				return nil, err
			}
			if b[i], err = is.Lookup(label); err != nil {
				return nil, doc.errAt(e, "issue %q has no value %q", name, label)
			}
			continue
		}
		if e.kind != kNumber {
			return nil, doc.errAt(e, "is %s, want a number in the range of issue %q", kindNames[e.kind], name)
		}
		x, ok := exact(e.text)
		if ok && grids[i].n > 0 {
			b[i], ok = grids[i].index(x)
		}
		if !ok || grids[i].n == 0 {
			return nil, doc.errAt(e, "%s is not a value of issue %q", e.text, name)
		}
	}
	if complete {
		if missing := absent(d, b); len(missing) > 0 {
			return nil, doc.errAt(n, "bid lacks %s", strings.Join(missing, ", "))
		}
	}
	return b, nil
}

// absent lists the issues a bid leaves out.
func absent(d *space.Domain, b Bid) []string {
	var names []string
	for i, v := range b {
		if v == Absent {
			names = append(names, fmt.Sprintf("%q", d.Issues[i].Name))
		}
	}
	return names
}

// bidUtility is a's utility of a possibly partial bid.
func bidUtility(a *utility.Additive, b Bid) float64 {
	var s float64
	for i, v := range b {
		if v != Absent {
			s += a.Term(i, v)
		}
	}
	return utility.Clamp(s)
}
