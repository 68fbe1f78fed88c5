package scenario

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shuttle-mediation/shuttle"
)

// decoder turns a node tree into typed values. Every fault is an error at
// the line of the element concerned, named by its path.
type decoder struct {
	file  string
	lines map[string]int
}

// fail makes the error for the element at path.
func (d *decoder) fail(path string, n *node, format string, args ...any) error {
	line := d.lines[path]
	if line == 0 && n != nil {
		line = n.line
	}
	return shuttle.InFile(d.file, line, path, format, args...)
}

var simpleKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// join extends a path with a mapping key; keys that are not simple words are
// quoted so that the path stays unambiguous.
func join(path, key string) string {
	if !simpleKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// entry is one key of a mapping with its path.
type entry struct {
	key  string
	path string
	val  *node
}

// entries lists a mapping's keys in file order, recording their lines.
func (d *decoder) entries(path string, n *node) ([]entry, error) {
	if n.kind != mapNode {
		return nil, d.fail(path, n, "must be %s, not %s", mapNode, n.kind)
	}
	out := make([]entry, len(n.keys))
	for i, k := range n.keys {
		p := join(path, k.text)
		d.lines[p] = k.line
		out[i] = entry{key: k.text, path: p, val: n.vals[i]}
	}
	return out, nil
}

// fields reads a mapping with a fixed set of keys: any other key is an error.
// The result maps each key present to its entry.
func (d *decoder) fields(path string, n *node, known ...string) (map[string]entry, error) {
	es, err := d.entries(path, n)
	if err != nil {
		return nil, err
	}
	m := make(map[string]entry, len(es))
	for _, e := range es {
		if !slices.Contains(known, e.key) {
			return nil, d.fail(e.path, e.val, "unknown key (expected one of %s)", strings.Join(known, ", "))
		}
		m[e.key] = e
	}
	return m, nil
}

// items lists a sequence's items with their paths, recording their lines.
func (d *decoder) items(path string, n *node) ([]entry, error) {
	if n.kind != seqNode {
		return nil, d.fail(path, n, "must be %s, not %s", seqNode, n.kind)
	}
	out := make([]entry, len(n.items))
	for i, it := range n.items {
		p := index(path, i)
		d.lines[p] = it.line
		out[i] = entry{key: strconv.Itoa(i), path: p, val: it}
	}
	return out, nil
}

func (d *decoder) str(e entry) (string, error) {
	if e.val.kind != scalarNode {
		return "", d.fail(e.path, e.val, "must be a single value, not %s", e.val.kind)
	}
	return e.val.text, nil
}

// name reads a non-empty single-line name.
func (d *decoder) name(e entry) (string, error) {
	s, err := d.str(e)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "\n\r") {
		return "", d.fail(e.path, e.val, "must be a non-empty name on one line")
	}
	return s, nil
}

func (d *decoder) number(e entry) (float64, error) {
	if e.val.kind != scalarNode || !e.val.num {
		return 0, d.fail(e.path, e.val, "must be a number")
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(e.val.text, "_", ""), 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, d.fail(e.path, e.val, "must be a finite number")
	}
	return x, nil
}

// unit reads a number in [0,1].
func (d *decoder) unit(e entry) (float64, error) {
	x, err := d.number(e)
	if err != nil {
		return 0, err
	}
	if x < 0 || x > 1 {
		return 0, d.fail(e.path, e.val, "must be between 0 and 1, is %g", x)
	}
	return x, nil
}

func (d *decoder) integer(e entry) (int64, error) {
	if e.val.kind != scalarNode || !e.val.isInt {
		return 0, d.fail(e.path, e.val, "must be a whole number")
	}
	x, err := strconv.ParseInt(strings.ReplaceAll(e.val.text, "_", ""), 0, 64)
	if err != nil {
		return 0, d.fail(e.path, e.val, "must be a whole number that fits 64 bits")
	}
	return x, nil
}

func (d *decoder) boolean(e entry) (bool, error) {
	if e.val.kind == scalarNode {
		switch e.val.text {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
	}
	return false, d.fail(e.path, e.val, "must be true or false")
}

// duration reads a non-negative duration: Go's form ("90m", "1h30m") plus
// whole days in front ("2d", "1d12h"), which mediators write more naturally
// than "48h".
func (d *decoder) duration(e entry) (time.Duration, error) {
	bad := d.fail(e.path, e.val, "must be a duration such as 90m, 2h or 1d12h")
	if e.val.kind != scalarNode {
		return 0, bad
	}
	t, ok := parseDuration(strings.TrimSpace(e.val.text))
	if !ok {
		return 0, bad
	}
	if t < 0 {
		return 0, d.fail(e.path, e.val, "must not be negative")
	}
	return t, nil
}

func parseDuration(s string) (time.Duration, bool) {
	var days int64
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil || n < 0 {
			return 0, false
		}
		days, s = n, s[i+1:]
		if s == "" {
			s = "0"
		}
	}
	t, err := time.ParseDuration(s)
	if err != nil {
		return 0, false
	}
	if days > 0 {
		if t < 0 || days > math.MaxInt64/int64(24*time.Hour)-1 {
			return 0, false
		}
		t += time.Duration(days) * 24 * time.Hour
		if t < 0 {
			return 0, false
		}
	}
	return t, true
}

// oneOf reads a name from a fixed list.
func (d *decoder) oneOf(e entry, what string, allowed []string) (string, error) {
	s, err := d.str(e)
	if err != nil {
		return "", err
	}
	if !slices.Contains(allowed, s) {
		return "", d.fail(e.path, e.val, "unknown %s %q (expected one of %s)", what, s, strings.Join(allowed, ", "))
	}
	return s, nil
}

// params reads a mapping of parameter names to numbers.
func (d *decoder) params(e entry) (map[string]float64, error) {
	es, err := d.entries(e.path, e.val)
	if err != nil {
		return nil, err
	}
	m := make(map[string]float64, len(es))
	for _, p := range es {
		if m[p.key], err = d.number(p); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// strs reads a list of strings, or a single string as a list of one.
func (d *decoder) strs(e entry) ([]string, error) {
	if e.val.kind == scalarNode {
		s, err := d.name(e)
		return []string{s}, err
	}
	its, err := d.items(e.path, e.val)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(its))
	for i, it := range its {
		if out[i], err = d.name(it); err != nil {
			return nil, err
		}
	}
	return out, nil
}
