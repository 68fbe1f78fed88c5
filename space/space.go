package space

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of an issue's values.
type Kind uint8

const (
	// Discrete issues list their values as labels.
	Discrete Kind = iota
	// Integer issues take every integer between Min and Max inclusive.
	Integer
	// Real issues range over [Lo, Hi]; for enumeration they are discretised
	// into Steps evenly spaced points including both ends.
	Real
)

func (k Kind) String() string {
	switch k {
	case Discrete:
		return "discrete"
	case Integer:
		return "integer"
	case Real:
		return "real"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// DefaultRealSteps is how many points a real issue is discretised into when
// its source does not say: steps of a hundredth of the range.
const DefaultRealSteps = 101

// Issue is one dimension of the negotiation.
type Issue struct {
	Name   string
	Kind   Kind
	Values []string // Discrete: the labels, in order.
	Min    int64    // Integer: lowest value.
	Max    int64    // Integer: highest value.
	Lo, Hi float64  // Real: bounds.
	Steps  int      // Real: number of discretisation points (>= 2).
}

// Size is the number of values the issue offers to enumeration.
func (is *Issue) Size() int {
	switch is.Kind {
	case Integer:
		return int(is.Max - is.Min + 1)
	case Real:
		return is.Steps
	}
	return len(is.Values)
}

// Number is the numeric value of value index v: the integer itself, the real
// point, or the position for discrete issues.
func (is *Issue) Number(v int) float64 {
	switch is.Kind {
	case Integer:
		return float64(is.Min + int64(v))
	case Real:
		if is.Steps < 2 {
			return is.Lo
		}
		// Weighting both ends, rather than adding steps to Lo, gives the
		// decimal point exactly in common cases (0.3, not 0.30000000000000004).
		if v == is.Steps-1 {
			return is.Hi
		}
		n := float64(is.Steps - 1)
		return (is.Lo*(n-float64(v)) + is.Hi*float64(v)) / n
	}
	return float64(v)
}

// Label is the text of value index v as written in files and on screens.
func (is *Issue) Label(v int) string {
	switch is.Kind {
	case Integer:
		return strconv.FormatInt(is.Min+int64(v), 10)
	case Real:
		return strconv.FormatFloat(is.Number(v), 'g', -1, 64)
	}
	return is.Values[v]
}

// Lookup finds the value index of a label. Integer and real issues accept
// any number in range; a real number is snapped to the nearest point.
func (is *Issue) Lookup(label string) (int, error) {
	switch is.Kind {
	case Integer:
		n, err := strconv.ParseInt(strings.TrimSpace(label), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("issue %q: %q is not an integer", is.Name, label)
		}
		if n < is.Min || n > is.Max {
			return 0, fmt.Errorf("issue %q: %d is outside %d..%d", is.Name, n, is.Min, is.Max)
		}
		return int(n - is.Min), nil
	case Real:
		x, err := strconv.ParseFloat(strings.TrimSpace(label), 64)
		if err != nil || math.IsNaN(x) {
			return 0, fmt.Errorf("issue %q: %q is not a number", is.Name, label)
		}
		return is.Nearest(x)
	}
	for i, v := range is.Values {
		if v == label {
			return i, nil
		}
	}
	return 0, fmt.Errorf("issue %q has no value %q", is.Name, label)
}

// Nearest is the value index closest to x on a numeric issue.
func (is *Issue) Nearest(x float64) (int, error) {
	switch is.Kind {
	case Integer:
		if x < float64(is.Min)-0.5 || x > float64(is.Max)+0.5 {
			return 0, fmt.Errorf("issue %q: %g is outside %d..%d", is.Name, x, is.Min, is.Max)
		}
		return int(math.Round(x) - float64(is.Min)), nil
	case Real:
		const slack = 1e-9
		if x < is.Lo-slack*(1+math.Abs(is.Lo)) || x > is.Hi+slack*(1+math.Abs(is.Hi)) {
			return 0, fmt.Errorf("issue %q: %g is outside [%g, %g]", is.Name, x, is.Lo, is.Hi)
		}
		if is.Hi == is.Lo {
			return 0, nil
		}
		v := int(math.Round((x - is.Lo) / (is.Hi - is.Lo) * float64(is.Steps-1)))
		return min(max(v, 0), is.Steps-1), nil
	}
	return 0, fmt.Errorf("issue %q is discrete", is.Name)
}

// Validate reports the first inconsistency of an issue.
func (is *Issue) Validate() error {
	if is.Name == "" {
		return errors.New("issue without a name")
	}
	switch is.Kind {
	case Discrete:
		if len(is.Values) == 0 {
			return fmt.Errorf("issue %q has no values", is.Name)
		}
		seen := make(map[string]bool, len(is.Values))
		for _, v := range is.Values {
			if seen[v] {
				return fmt.Errorf("issue %q lists value %q twice", is.Name, v)
			}
			seen[v] = true
		}
	case Integer:
		if is.Max < is.Min {
			return fmt.Errorf("issue %q: upper bound %d below lower bound %d", is.Name, is.Max, is.Min)
		}
		if is.Max-is.Min >= math.MaxInt32 {
			return fmt.Errorf("issue %q: range %d..%d too wide to enumerate", is.Name, is.Min, is.Max)
		}
	case Real:
		if math.IsNaN(is.Lo) || math.IsNaN(is.Hi) || math.IsInf(is.Lo, 0) || math.IsInf(is.Hi, 0) || is.Hi < is.Lo {
			return fmt.Errorf("issue %q: bad bounds [%g, %g]", is.Name, is.Lo, is.Hi)
		}
		if is.Steps < 2 {
			return fmt.Errorf("issue %q: a real issue needs at least 2 steps, has %d", is.Name, is.Steps)
		}
	default:
		return fmt.Errorf("issue %q: unknown kind %d", is.Name, is.Kind)
	}
	return nil
}

// Domain is a named set of issues.
type Domain struct {
	Name   string
	Issues []Issue
}

// Outcome holds one value index per issue of its domain.
type Outcome []int

// Clone returns an independent copy.
func (o Outcome) Clone() Outcome { return append(Outcome(nil), o...) }

// Equal reports whether two outcomes pick the same values.
func (o Outcome) Equal(p Outcome) bool {
	if len(o) != len(p) {
		return false
	}
	for i := range o {
		if o[i] != p[i] {
			return false
		}
	}
	return true
}

// Validate checks the domain's issues and that their names are distinct.
func (d *Domain) Validate() error {
	if len(d.Issues) == 0 {
		return fmt.Errorf("domain %q has no issues", d.Name)
	}
	seen := make(map[string]bool, len(d.Issues))
	for i := range d.Issues {
		if err := d.Issues[i].Validate(); err != nil {
			return err
		}
		if seen[d.Issues[i].Name] {
			return fmt.Errorf("domain %q: issue %q appears twice", d.Name, d.Issues[i].Name)
		}
		seen[d.Issues[i].Name] = true
	}
	return nil
}

// IssueIndex is the position of the named issue, or -1.
func (d *Domain) IssueIndex(name string) int {
	for i := range d.Issues {
		if d.Issues[i].Name == name {
			return i
		}
	}
	return -1
}

// Count is the exact number of outcomes.
func (d *Domain) Count() *big.Int {
	n := big.NewInt(1)
	var s big.Int
	for i := range d.Issues {
		n.Mul(n, s.SetInt64(int64(d.Issues[i].Size())))
	}
	return n
}

// Count64 is the number of outcomes when it fits in a uint64.
func (d *Domain) Count64() (uint64, bool) {
	n := uint64(1)
	for i := range d.Issues {
		s := uint64(d.Issues[i].Size())
		if s != 0 && n > math.MaxUint64/s {
			return 0, false
		}
		n *= s
	}
	return n, true
}

// Decode writes the outcome with mixed-radix index idx into o, the last issue
// varying fastest. idx must be below Count64.
func (d *Domain) Decode(idx uint64, o Outcome) {
	for i := len(d.Issues) - 1; i >= 0; i-- {
		s := uint64(d.Issues[i].Size())
		o[i] = int(idx % s)
		idx /= s
	}
}

// Encode is the inverse of Decode.
func (d *Domain) Encode(o Outcome) uint64 {
	var idx uint64
	for i := range d.Issues {
		idx = idx*uint64(d.Issues[i].Size()) + uint64(o[i])
	}
	return idx
}

// DecodeBig is Decode for spaces beyond 2^64.
func (d *Domain) DecodeBig(idx *big.Int, o Outcome) {
	var q, r, s big.Int
	q.Set(idx)
	for i := len(d.Issues) - 1; i >= 0; i-- {
		s.SetInt64(int64(d.Issues[i].Size()))
		q.QuoRem(&q, &s, &r)
		o[i] = int(r.Int64())
	}
}

// EncodeBig is the inverse of DecodeBig.
func (d *Domain) EncodeBig(o Outcome) *big.Int {
	idx := new(big.Int)
	var s, v big.Int
	for i := range d.Issues {
		idx.Mul(idx, s.SetInt64(int64(d.Issues[i].Size())))
		idx.Add(idx, v.SetInt64(int64(o[i])))
	}
	return idx
}

// Next advances o to the following outcome in Decode order and reports
// false, leaving o at the first outcome, once it wraps around.
func (d *Domain) Next(o Outcome) bool {
	for i := len(d.Issues) - 1; i >= 0; i-- {
		o[i]++
		if o[i] < d.Issues[i].Size() {
			return true
		}
		o[i] = 0
	}
	return false
}

// Random fills o with an outcome drawn uniformly.
func (d *Domain) Random(r *rand.Rand, o Outcome) {
	for i := range d.Issues {
		o[i] = r.IntN(d.Issues[i].Size())
	}
}

// NewOutcome allocates an outcome with every issue at its first value.
func (d *Domain) NewOutcome() Outcome { return make(Outcome, len(d.Issues)) }

// Check reports whether o is an outcome of the domain.
func (d *Domain) Check(o Outcome) error {
	if len(o) != len(d.Issues) {
		return fmt.Errorf("outcome has %d values, domain %q has %d issues", len(o), d.Name, len(d.Issues))
	}
	for i, v := range o {
		if v < 0 || v >= d.Issues[i].Size() {
			return fmt.Errorf("issue %q: value index %d out of range", d.Issues[i].Name, v)
		}
	}
	return nil
}

// Labels maps issue names to value labels, the form outcomes take in JSON.
func (d *Domain) Labels(o Outcome) map[string]string {
	m := make(map[string]string, len(o))
	for i, v := range o {
		m[d.Issues[i].Name] = d.Issues[i].Label(v)
	}
	return m
}

// Parse is the inverse of Labels; every issue must be given exactly once.
func (d *Domain) Parse(m map[string]string) (Outcome, error) {
	o := d.NewOutcome()
	// Sorted, so that of several unknown issues the same one is named
	// every time.
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if d.IssueIndex(name) < 0 {
			return nil, fmt.Errorf("domain %q has no issue %q", d.Name, name)
		}
	}
	for i := range d.Issues {
		label, ok := m[d.Issues[i].Name]
		if !ok {
			return nil, fmt.Errorf("outcome lacks issue %q", d.Issues[i].Name)
		}
		v, err := d.Issues[i].Lookup(label)
		if err != nil {
			return nil, err
		}
		o[i] = v
	}
	return o, nil
}

// Format renders an outcome as "issue=value, ..." for humans.
func (d *Domain) Format(o Outcome) string {
	var b strings.Builder
	for i, v := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Issues[i].Name)
		b.WriteByte('=')
		b.WriteString(d.Issues[i].Label(v))
	}
	return b.String()
}
