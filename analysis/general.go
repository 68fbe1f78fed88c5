package analysis

import (
	"fmt"
	"math/big"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// searchEffort is how much work the search does, in box sides updated
// (plus one per issue changed): on the ANAC 2014 domains a few tenths of a
// second, with room to spare over what it takes to match GENIUS's
// frontiers there from any seed. Small spaces get at most effortPerVector
// per class vector. A quick search of scoutEffort first gives the pruned
// enumeration points to prune with.
const (
	searchEffort    = 30_000_000
	scoutEffort     = 1_000_000
	effortPerVector = 1000
)

// generalFront analyses profiles that are not all additive. Sums of boxes
// (utility.Hyper, with any additive profiles among them) are enumerated
// with pruning over classes of equivalent values when there are at most
// opt.MaxEnumerate class vectors. Larger spaces get a quick search whose
// points help a pruned enumeration of at most opt.MaxEnumerate/10 nodes
// settle the frontier exactly, which it does on the ten-issue ANAC 2014
// domains in milliseconds; when that runs out, a full search gives an
// approximate frontier. Other functions are enumerated outcome by outcome
// up to MaxEnumerate outcomes. It returns what it learnt about the
// parties, and whether the frontier is exact.
func generalFront(res *Result, profiles []*utility.Profile, allowed [][]int, opt Options) (*cloud, []space.Outcome, *facts, bool, error) {
	m, ok := newModel(profiles, allowed)
	if !ok {
		if res.Feasible.Cmp(new(big.Int).SetUint64(opt.MaxEnumerate)) > 0 {
			return nil, nil, nil, false, &shuttle.Error{Code: shuttle.EUnsupported, Message: fmt.Sprintf("analysis: %s outcomes are more than MaxEnumerate (%d), and the utility functions are neither additive nor sums of boxes", res.Feasible, opt.MaxEnumerate)}
		}
		c, outs, f, err := enumerate(profiles, allowed)
		return c, outs, f, err == nil, err
	}
	size := m.size()
	guard := &archive{k: m.k}
	budget := uint64(0)
	if size > opt.MaxEnumerate {
		guard = search(m, opt.Seed, int(min(scoutEffort, mulSat(size, effortPerVector))))
		budget = max(1, opt.MaxEnumerate/10)
	}
	c, reps, ok, err := exhaust(m, guard, budget)
	if err != nil {
		return nil, nil, nil, false, err
	}
	if ok {
		c, outs := m.recompute(res.Domain, profiles, c, reps)
		return c, outs, m.facts(), true, nil
	}
	arch := search(m, opt.Seed, int(min(searchEffort, mulSat(size, effortPerVector))))
	var found cloud
	found.reset(m.k)
	for x := range arch.u {
		found.add(arch.u[x], arch.cnt[x], int64(x))
	}
	out, outs := m.recompute(res.Domain, profiles, &found, arch.c)
	return out, outs, m.facts(), false, nil
}

// recompute turns the points of c, whose references index class vectors,
// into outcomes, and their utilities into what the profiles themselves
// give those outcomes: the model sums box weights in its own order, which
// can differ in the last bits.
func (m *model) recompute(d *space.Domain, profiles []*utility.Profile, c *cloud, classes [][]int32) (*cloud, []space.Outcome) {
	var fixed, out cloud
	fixed.reset(m.k)
	u := make([]float64, m.k)
	outs := make([]space.Outcome, c.len())
	for x := range c.len() {
		outs[x] = m.outcome(classes[c.ref[x]], d)
		for j, p := range profiles {
			u[j] = p.Utility(outs[x])
		}
		fixed.add(u, c.ties[x], int64(x))
	}
	var sv sieve
	sv.front(&fixed, &out)
	kept := make([]space.Outcome, out.len())
	for x, r := range out.ref {
		kept[x] = outs[r]
	}
	return &out, kept
}

// facts finds the parties whose boxes hold whatever the outcome: they are
// indifferent. (Whether two parties agree everywhere is left unsaid.)
func (m *model) facts() *facts {
	f := newFacts(m.k)
	for j := range f.constant {
		f.constant[j] = true
	}
	for b := range m.boxes {
		for _, bs := range m.boxes[b].on {
			sd := &m.touch[bs.issue][bs.at]
			for c := range int32(len(m.classes[bs.issue])) {
				if !sd.admits(c) {
					f.constant[m.boxes[b].party] = false
				}
			}
		}
	}
	return f
}
