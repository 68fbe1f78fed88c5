package scenario

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
)

// MaxFileSize bounds the scenario files Load and Parse read; real ones are
// a few kilobytes.
const MaxFileSize = 1 << 20

// Load reads a scenario file. Files it references (GENIUS or GeniusWeb
// domains and profiles) are found relative to its folder.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.ENotFound, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, File: path, Message: "cannot read", Err: unwrapPath(err)}
	}
	if len(data) > MaxFileSize {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, File: path, Message: fmt.Sprintf("larger than %d bytes", MaxFileSize)}
	}
	return Parse(path, data)
}

// Parse reads a scenario from data; file names it in errors and locates the
// files it references.
func Parse(file string, data []byte) (*Scenario, error) {
	return parse(file, data, true)
}

// ParseInline is Parse for scenarios from sources that may not make the
// caller read its own files, such as uploads to a server: a file reference
// is refused (EUnsupported) at its line, however the key is spelled.
func ParseInline(file string, data []byte) (*Scenario, error) {
	return parse(file, data, false)
}

// parse is Parse with file references optionally refused.
func parse(file string, data []byte, refs bool) (*Scenario, error) {
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: file, lines: map[string]int{"": 1}}
	r := &reader{decoder: d, dir: filepath.Dir(file), refs: refs}
	s, err := r.scenario(root)
	if err != nil {
		return nil, err
	}
	s.File = file
	s.lines = d.lines
	return s, nil
}

// reader holds what decoding a scenario needs beyond the decoder.
type reader struct {
	*decoder
	dir    string  // folder of the scenario file, for references
	refs   bool    // whether references to other files may be followed
	folder *folder // the folder the domain came from, if it did
	s      *Scenario
}

func (r *reader) scenario(root *node) (*Scenario, error) {
	f, err := r.fields("", root, "name", "description", "sources", "domain", "parties", "mediator", "protocol", "plan")
	if err != nil {
		return nil, err
	}
	s := &Scenario{}
	r.s = s
	if e, ok := f["name"]; ok {
		if s.Name, err = r.name(e); err != nil {
			return nil, err
		}
	} else {
		base := filepath.Base(r.file)
		s.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if e, ok := f["description"]; ok {
		if s.Description, err = r.str(e); err != nil {
			return nil, err
		}
		s.Description = strings.TrimSpace(s.Description)
	}
	if e, ok := f["sources"]; ok {
		if s.Sources, err = r.strs(e); err != nil {
			return nil, err
		}
	}
	e, ok := f["domain"]
	if !ok {
		return nil, r.fail("", root, "no domain: give its issues inline or a genius/geniusweb file")
	}
	if s.Domain, err = r.domain(e, s.Name); err != nil {
		return nil, err
	}
	if e, ok = f["parties"]; !ok {
		return nil, r.fail("", root, "no parties")
	}
	if s.Parties, err = r.parties(e); err != nil {
		return nil, err
	}
	if s.Mediator, err = r.mediator(f["mediator"]); err != nil {
		return nil, err
	}
	if s.Protocol, err = r.protocol(f["protocol"]); err != nil {
		return nil, err
	}
	if e, ok := f["plan"]; ok {
		if s.Plan, err = r.plan(e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// domain reads the domain inline or from a referenced file.
func (r *reader) domain(e entry, name string) (*space.Domain, error) {
	f, err := r.fields(e.path, e.val, append([]string{"name", "issues"}, domainRefs...)...)
	if err != nil {
		return nil, err
	}
	ref, ok, err := r.reference(f, domainRefs...)
	if err != nil {
		return nil, err
	}
	if ok {
		if len(f) > 1 {
			return nil, r.fail(e.path, e.val, "a %s reference takes no other keys", ref.key)
		}
		return r.readDomain(ref)
	}
	if ne, ok := f["name"]; ok {
		if name, err = r.name(ne); err != nil {
			return nil, err
		}
	}
	ie, ok := f["issues"]
	if !ok {
		return nil, r.fail(e.path, e.val, "no issues: list them under issues, or reference a genius or geniusweb file")
	}
	es, err := r.entries(ie.path, ie.val)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, r.fail(ie.path, ie.val, "no issues")
	}
	dom := &space.Domain{Name: name, Issues: make([]space.Issue, len(es))}
	for i, ie := range es {
		if dom.Issues[i], err = r.issue(ie); err != nil {
			return nil, err
		}
		if j := dom.IssueIndex(dom.Issues[i].Name); j < i {
			return nil, r.fail(ie.path, ie.val, "issue %q is already named at %s", dom.Issues[i].Name, es[j].path)
		}
	}
	return dom, nil
}

// reference finds the file-reference key among those given, if any; more
// than one is an error.
func (r *reader) reference(f map[string]entry, keys ...string) (entry, bool, error) {
	var found []entry
	for _, k := range keys {
		if e, ok := f[k]; ok {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return entry{}, false, nil
	case 1:
		return found[0], true, nil
	}
	slices.SortFunc(found, func(a, b entry) int { return r.lines[a.path] - r.lines[b.path] })
	return entry{}, false, r.fail(found[1].path, found[1].val, "only one of %s may be given", strings.Join(keys, ", "))
}

// MaxIssueValues bounds the values of an inline numeric issue, so that a
// typo in a bound cannot make every profile table enormous.
const MaxIssueValues = 100000

// issue reads one inline issue: a list of values (discrete), or a mapping
// with type and bounds.
func (r *reader) issue(e entry) (space.Issue, error) {
	is := space.Issue{Name: strings.TrimSpace(e.key)}
	if is.Name == "" {
		return is, r.fail(e.path, e.val, "an issue needs a name")
	}
	if e.val.kind == seqNode {
		return is, r.values(e, &is)
	}
	f, err := r.fields(e.path, e.val, "type", "values", "min", "max", "steps")
	if err != nil {
		return is, err
	}
	kind := "discrete"
	if te, ok := f["type"]; ok {
		if kind, err = r.oneOf(te, "issue type", []string{"discrete", "integer", "real"}); err != nil {
			return is, err
		}
	} else if _, ok := f["values"]; !ok {
		return is, r.fail(e.path, e.val, "needs type: integer or real with min and max, or a list of values")
	}
	only := func(keys ...string) error {
		for k, fe := range f {
			if k != "type" && !slices.Contains(keys, k) {
				return r.fail(fe.path, fe.val, "does not apply to %s issues", kind)
			}
		}
		for _, k := range keys {
			if _, ok := f[k]; !ok && k != "steps" {
				return r.fail(e.path, e.val, "%s issues need %s", kind, k)
			}
		}
		return nil
	}
	switch kind {
	case "discrete":
		if err := only("values"); err != nil {
			return is, err
		}
		return is, r.values(f["values"], &is)
	case "integer":
		is.Kind = space.Integer
		if err := only("min", "max"); err != nil {
			return is, err
		}
		if is.Min, err = r.integer(f["min"]); err != nil {
			return is, err
		}
		if is.Max, err = r.integer(f["max"]); err != nil {
			return is, err
		}
		if is.Max < is.Min {
			return is, r.fail(f["max"].path, f["max"].val, "must not be below min %d", is.Min)
		}
		if uint64(is.Max-is.Min) >= MaxIssueValues {
			return is, r.fail(f["max"].path, f["max"].val, "range %d..%d has more than %d values", is.Min, is.Max, MaxIssueValues)
		}
	case "real":
		is.Kind, is.Steps = space.Real, space.DefaultRealSteps
		if err := only("min", "max", "steps"); err != nil {
			return is, err
		}
		if is.Lo, err = r.number(f["min"]); err != nil {
			return is, err
		}
		if is.Hi, err = r.number(f["max"]); err != nil {
			return is, err
		}
		if is.Hi < is.Lo {
			return is, r.fail(f["max"].path, f["max"].val, "must not be below min %g", is.Lo)
		}
		if se, ok := f["steps"]; ok {
			n, err := r.integer(se)
			if err != nil {
				return is, err
			}
			if n < 2 || n > MaxIssueValues {
				return is, r.fail(se.path, se.val, "must be between 2 and %d", MaxIssueValues)
			}
			is.Steps = int(n)
		}
	}
	return is, nil
}

// values reads the labels of a discrete issue.
func (r *reader) values(e entry, is *space.Issue) error {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return err
	}
	if len(its) == 0 {
		return r.fail(e.path, e.val, "a discrete issue needs at least one value")
	}
	seen := map[string]bool{}
	for _, it := range its {
		v, err := r.name(it)
		if err != nil {
			return err
		}
		if seen[v] {
			return r.fail(it.path, it.val, "value %q is listed twice", v)
		}
		seen[v] = true
		is.Values = append(is.Values, v)
	}
	return nil
}

func (r *reader) parties(e entry) ([]Party, error) {
	its, err := r.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	if len(its) < 2 {
		return nil, r.fail(e.path, e.val, "a negotiation needs at least two parties, has %d", len(its))
	}
	ps := make([]Party, len(its))
	seen := map[string]string{}
	for i, it := range its {
		if ps[i], err = r.party(it); err != nil {
			return nil, err
		}
		if prev, ok := seen[ps[i].Name]; ok {
			return nil, r.fail(join(it.path, "name"), it.val, "party %q is already named at %s", ps[i].Name, prev)
		}
		seen[ps[i].Name] = it.path
	}
	return ps, nil
}

func (r *reader) party(e entry) (Party, error) {
	p := Party{Strategy: Strategies[0], Confide: Confides[0]}
	f, err := r.fields(e.path, e.val, "name", "profile", "strategy", "params", "confide", "channel")
	if err != nil {
		return p, err
	}
	ne, ok := f["name"]
	if !ok {
		return p, r.fail(e.path, e.val, "a party needs a name")
	}
	if p.Name, err = r.name(ne); err != nil {
		return p, err
	}
	if se, ok := f["strategy"]; ok {
		if p.Strategy, err = r.oneOf(se, "strategy", Strategies); err != nil {
			return p, err
		}
	}
	if pe, ok := f["params"]; ok {
		if p.Params, err = r.params(pe); err != nil {
			return p, err
		}
	}
	if ce, ok := f["confide"]; ok {
		if p.Confide, err = r.oneOf(ce, "confide level", Confides); err != nil {
			return p, err
		}
	}
	if ce, ok := f["channel"]; ok {
		if p.Channel, err = r.channel(ce); err != nil {
			return p, err
		}
	}
	pe, ok := f["profile"]
	if !ok {
		return p, r.fail(e.path, e.val, "party %q has no profile", p.Name)
	}
	if p.Profile, err = r.profile(pe, p.Name); err != nil {
		return p, err
	}
	return p, nil
}

func (r *reader) channel(e entry) (Channel, error) {
	var c Channel
	f, err := r.fields(e.path, e.val, "proxy", "delay", "outages")
	if err != nil {
		return c, err
	}
	if pe, ok := f["proxy"]; ok {
		if c.Proxy, err = r.name(pe); err != nil {
			return c, err
		}
	}
	if de, ok := f["delay"]; ok {
		if c.Delay, err = r.duration(de); err != nil {
			return c, err
		}
	}
	oe, ok := f["outages"]
	if !ok {
		return c, nil
	}
	its, err := r.items(oe.path, oe.val)
	if err != nil {
		return c, err
	}
	for _, it := range its {
		w, err := r.window(it)
		if err != nil {
			return c, err
		}
		if n := len(c.Outages); n > 0 && w.From < c.Outages[n-1].To {
			return c, r.fail(it.path, it.val, "outages must be in time order without overlapping: this one starts before the previous one ends")
		}
		c.Outages = append(c.Outages, Outage(w))
	}
	return c, nil
}

// window reads a stretch of time {from, to} with from < to.
func (r *reader) window(e entry) (Window, error) {
	var w Window
	f, err := r.fields(e.path, e.val, "from", "to")
	if err != nil {
		return w, err
	}
	fe, ok1 := f["from"]
	te, ok2 := f["to"]
	if !ok1 || !ok2 {
		return w, r.fail(e.path, e.val, "needs from and to")
	}
	if w.From, err = r.duration(fe); err != nil {
		return w, err
	}
	if w.To, err = r.duration(te); err != nil {
		return w, err
	}
	if w.To <= w.From {
		return w, r.fail(te.path, te.val, "must be after from (%v)", w.From)
	}
	return w, nil
}

func (r *reader) mediator(e entry) (Mediator, error) {
	m := Mediator{Strategy: MediatorStrategies[0], Target: Targets[0]}
	if e.val == nil {
		return m, nil
	}
	f, err := r.fields(e.path, e.val, "name", "strategy", "target", "params")
	if err != nil {
		return m, err
	}
	if ne, ok := f["name"]; ok {
		if m.Name, err = r.name(ne); err != nil {
			return m, err
		}
	}
	if se, ok := f["strategy"]; ok {
		if m.Strategy, err = r.oneOf(se, "mediator strategy", MediatorStrategies); err != nil {
			return m, err
		}
	}
	if te, ok := f["target"]; ok {
		if m.Target, err = r.oneOf(te, "target", Targets); err != nil {
			return m, err
		}
	}
	if pe, ok := f["params"]; ok {
		if m.Params, err = r.params(pe); err != nil {
			return m, err
		}
	}
	return m, nil
}

func (r *reader) protocol(e entry) (Protocol, error) {
	p := Protocol{Name: Protocols[0], RoundTime: DefaultRoundTime}
	if e.val == nil {
		p.Rounds = DefaultRounds
		return p, nil
	}
	f, err := r.fields(e.path, e.val, "name", "rounds", "deadline", "round_time", "post_settlement")
	if err != nil {
		return p, err
	}
	if ne, ok := f["name"]; ok {
		if p.Name, err = r.oneOf(ne, "protocol", Protocols); err != nil {
			return p, err
		}
	}
	re, hasRounds := f["rounds"]
	if hasRounds {
		n, err := r.integer(re)
		if err != nil {
			return p, err
		}
		if n < 0 || n > 1e9 {
			return p, r.fail(re.path, re.val, "must be between 0 (no limit) and 1000000000")
		}
		p.Rounds = int(n)
	}
	if de, ok := f["deadline"]; ok {
		if p.Deadline, err = r.duration(de); err != nil {
			return p, err
		}
	}
	if !hasRounds && p.Deadline == 0 {
		p.Rounds = DefaultRounds
	}
	if p.Rounds == 0 && p.Deadline == 0 {
		return p, r.fail(e.path, e.val, "needs a deadline: rounds or deadline above zero")
	}
	if te, ok := f["round_time"]; ok {
		if p.RoundTime, err = r.duration(te); err != nil {
			return p, err
		}
		if p.RoundTime == 0 {
			return p, r.fail(te.path, te.val, "must be above zero")
		}
	}
	if pe, ok := f["post_settlement"]; ok {
		if p.PostSettlement, err = r.boolean(pe); err != nil {
			return p, err
		}
	}
	return p, nil
}

// unwrapPath drops the *PathError wrapper whose path the message repeats.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
