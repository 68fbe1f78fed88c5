package analysis

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// DefaultMaxEnumerate is the Options.MaxEnumerate used when it is zero.
const DefaultMaxEnumerate = 10_000_000

// maxBrute is the largest space Enumerate visits.
const maxBrute = 1_000_000_000

func analyze(profiles []*utility.Profile, opt Options) (*Result, error) {
	if opt.MaxEnumerate == 0 {
		opt.MaxEnumerate = DefaultMaxEnumerate
	}
	res, allowed, err := prepare(profiles)
	if err != nil || allowed == nil {
		return res, err
	}
	adds := make([]*utility.Additive, len(profiles))
	for j, p := range profiles {
		adds[j] = p.Additive()
	}
	if !hasNil(adds) {
		c, outs, exactTies, err := additiveFront(res.Domain, adds, allowed)
		if err != nil {
			return nil, err
		}
		res.Exact = true
		res.finish(c, outs)
		res.additiveFacts(adds, allowed)
		if !exactTies {
			res.note("too many outcomes tie where GENIUS's cap at 1 binds to count them: ties at capped points are a lower bound")
		}
		return res, nil
	}
	c, outs, f, exact, err := generalFront(res, profiles, allowed, opt)
	if err != nil {
		return nil, err
	}
	res.Exact = exact
	res.finish(c, outs)
	if f != nil {
		res.factNotes(f)
	}
	if !exact {
		res.note("the space of %s outcomes is too large to settle exactly (pruned enumeration ran out of its %d nodes): the frontier comes from a search with seed %d and may miss points; its ties count only the outcomes found", res.Feasible, max(1, opt.MaxEnumerate/10), opt.Seed)
	}
	return res, nil
}

// Enumerate analyses profiles by visiting every feasible outcome and asking
// each profile for its utility: slow, but independent of the structure of
// the utility functions, which makes it the reference Analyze is tested
// against. It refuses spaces of more than 10^9 outcomes.
func Enumerate(profiles []*utility.Profile) (*Result, error) {
	res, allowed, err := prepare(profiles)
	if err != nil || allowed == nil {
		return res, err
	}
	if res.Feasible.Cmp(big.NewInt(maxBrute)) > 0 {
		return nil, &shuttle.Error{Code: shuttle.ETooLarge, Message: fmt.Sprintf("analysis: %s outcomes are too many to enumerate", res.Feasible)}
	}
	c, outs, f, err := enumerate(profiles, allowed)
	if err != nil {
		return nil, err
	}
	res.Exact = true
	res.finish(c, outs)
	res.factNotes(f)
	return res, nil
}

// enumerate sieves the utility vectors of every outcome in the product of
// the allowed values, a chunk at a time so that memory stays that of the
// frontier, and learns on the way which parties are indifferent or agree.
func enumerate(profiles []*utility.Profile, allowed [][]int) (*cloud, []space.Outcome, *facts, error) {
	k := len(profiles)
	var (
		sv            sieve
		acc, tmp, buf cloud
		u             = make([]float64, k)
		o             = make(space.Outcome, len(allowed))
		pick          = make([]int, len(allowed))
		f             = newFacts(k)
		chunk         = min(1<<16, maxSieve(k)/2)
	)
	acc.reset(k)
	buf.reset(k)
	flush := func() {
		// acc goes first so that each class keeps the earliest outcome.
		acc.u = append(acc.u, buf.u...)
		acc.ties = append(acc.ties, buf.ties...)
		acc.ref = append(acc.ref, buf.ref...)
		sv.front(&acc, &tmp)
		acc, tmp = tmp, acc
		buf.reset(k)
	}
	for idx := int64(0); ; idx++ {
		for i, x := range pick {
			o[i] = allowed[i][x]
		}
		for j, p := range profiles {
			u[j] = p.Utility(o)
		}
		f.observe(u, idx == 0)
		buf.add(u, 1, idx)
		if buf.len() >= chunk {
			flush()
			if acc.len() > chunk {
				return nil, nil, nil, errTooLarge(k)
			}
		}
		if !nextPick(pick, allowed) {
			break
		}
	}
	flush()
	outs := make([]space.Outcome, acc.len())
	for x, r := range acc.ref {
		outs[x] = pickOutcome(r, allowed)
	}
	return &acc, outs, f, nil
}

// facts are what a whole space shows about its profiles: parties with the
// same utility everywhere, and pairs of parties (same[l][j], l < j) that
// agree on every outcome.
type facts struct {
	constant []bool
	same     [][]bool
	first    []float64 // the first outcome's utilities
}

func newFacts(k int) *facts {
	f := &facts{constant: make([]bool, k), same: make([][]bool, k)}
	for j := range f.same {
		f.same[j] = make([]bool, k)
	}
	return f
}

// observe accounts for one more outcome's utilities.
func (f *facts) observe(u []float64, first bool) {
	if first {
		f.first = slices.Clone(u)
		for j := range u {
			f.constant[j] = true
			for l := j + 1; l < len(u); l++ {
				f.same[j][l] = true
			}
		}
		return
	}
	for j := range u {
		f.constant[j] = f.constant[j] && near(u[j], f.first[j])
		for l := j + 1; l < len(u); l++ {
			f.same[j][l] = f.same[j][l] && near(u[j], u[l])
		}
	}
}

func (r *Result) factNotes(f *facts) {
	for j := range f.constant {
		if f.constant[j] {
			r.note("party %q gets %.6g from every feasible outcome: it is indifferent among them", r.Parties[j], r.Frontier[0].Utilities[j])
		}
		for l := range j {
			if f.same[l][j] {
				r.note("parties %q and %q give every outcome the same utility", r.Parties[l], r.Parties[j])
			}
		}
	}
}

// nextPick advances a mixed-radix counter over the allowed values, the last
// issue fastest, and reports false when it wraps.
func nextPick(pick []int, allowed [][]int) bool {
	for i := len(pick) - 1; i >= 0; i-- {
		pick[i]++
		if pick[i] < len(allowed[i]) {
			return true
		}
		pick[i] = 0
	}
	return false
}

// pickOutcome is the outcome with index r in nextPick's order.
func pickOutcome(r int64, allowed [][]int) space.Outcome {
	o := make(space.Outcome, len(allowed))
	for i := len(allowed) - 1; i >= 0; i-- {
		n := int64(len(allowed[i]))
		o[i] = allowed[i][r%n]
		r /= n
	}
	return o
}

func hasNil[T any](s []*T) bool {
	for _, x := range s {
		if x == nil {
			return true
		}
	}
	return false
}

// prepare checks the profiles and returns an empty result with the allowed
// values of every issue, or nil allowed values when the constraints leave
// no outcome (the result then says so).
func prepare(profiles []*utility.Profile) (*Result, [][]int, error) {
	if len(profiles) == 0 {
		return nil, nil, &shuttle.Error{Code: shuttle.EInvalid, Message: "analysis: no profiles"}
	}
	for j, p := range profiles {
		if p == nil {
			return nil, nil, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("analysis: profile %d is nil", j+1)}
		}
		if err := p.Validate(); err != nil {
			return nil, nil, &shuttle.Error{Code: shuttle.EInvalid, Message: "analysis", Err: err}
		}
	}
	d := profiles[0].Domain
	if err := d.Validate(); err != nil {
		return nil, nil, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("analysis: profile %q", profiles[0].Name), Err: err}
	}
	for _, p := range profiles[1:] {
		if !sameDomain(d, p.Domain) {
			return nil, nil, &shuttle.Error{Code: shuttle.EInvalid, Message: fmt.Sprintf("analysis: profile %q is on domain %q, not on %q of profile %q", p.Name, p.Domain.Name, d.Name, profiles[0].Name)}
		}
	}
	res := &Result{
		Domain:      d,
		Parties:     make([]string, len(profiles)),
		Reservation: make([]float64, len(profiles)),
		Outcomes:    d.Count(),
		Feasible:    big.NewInt(1),
	}
	for j, p := range profiles {
		res.Parties[j] = p.Name
		res.Reservation[j] = p.Reservation
	}
	allowed := make([][]int, len(d.Issues))
	var n big.Int
	for i := range d.Issues {
		for v := range d.Issues[i].Size() {
			ok := true
			for _, p := range profiles {
				for _, c := range p.Constraints {
					if c.Issue == i && !c.Allowed[v] {
						ok = false
					}
				}
			}
			if ok {
				allowed[i] = append(allowed[i], v)
			}
		}
		if len(allowed[i]) == 0 {
			res.Feasible.SetInt64(0)
			res.Exact = true
			res.note("no outcome satisfies every party's hard constraints: they exclude every value of issue %q", d.Issues[i].Name)
			return res, nil, nil
		}
		res.Feasible.Mul(res.Feasible, n.SetInt64(int64(len(allowed[i]))))
	}
	if res.Feasible.Cmp(res.Outcomes) < 0 {
		res.note("hard constraints leave %s of the %s outcomes", res.Feasible, res.Outcomes)
	}
	return res, allowed, nil
}

// sameDomain reports whether two domains offer the same issues and values,
// which is what analysing profiles together needs; readers may give each
// profile its own copy.
func sameDomain(a, b *space.Domain) bool {
	if a == b {
		return true
	}
	if b == nil || len(a.Issues) != len(b.Issues) {
		return false
	}
	for i := range a.Issues {
		x, y := &a.Issues[i], &b.Issues[i]
		if x.Name != y.Name || x.Kind != y.Kind || x.Size() != y.Size() {
			return false
		}
		for v := range x.Size() {
			if x.Label(v) != y.Label(v) {
				return false
			}
		}
	}
	return true
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}
