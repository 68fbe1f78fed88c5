package analysis

import (
	"math/big"

	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// Point is an outcome with its utility for each party, in party order.
type Point struct {
	Outcome   space.Outcome
	Utilities []float64
	// Ties counts the feasible outcomes that share this utility vector:
	// all of them when the result is Exact, the ones found otherwise. It
	// saturates at the largest uint64.
	Ties uint64
}

// Options tunes analyses of spaces that cannot be solved exactly.
type Options struct {
	// MaxEnumerate is the largest space of non-additive profiles that is
	// enumerated exhaustively (for sums of boxes such as utility.Hyper:
	// class vectors, values every box treats alike counting once). Above
	// it a pruned enumeration of at most MaxEnumerate/10 nodes tries to
	// settle the frontier, and when it cannot, a search runs and the
	// result is marked approximate. Zero means DefaultMaxEnumerate.
	MaxEnumerate uint64
	// Seed makes the search reproducible: the same seed, the same result.
	Seed uint64
}

// Result is the analysis of a set of profiles over one domain.
type Result struct {
	Domain      *space.Domain
	Parties     []string
	Reservation []float64
	// Outcomes is the size of the domain, Feasible the number of its
	// outcomes that satisfy every party's hard constraints.
	Outcomes, Feasible *big.Int
	// Exact is false when the frontier came from a search rather than a
	// proof; it is then a set of non-dominated outcomes found, not all.
	Exact bool
	// Frontier is sorted by the first party's utility, descending (then by
	// the second party's, and so on).
	Frontier []Point
	// The bargaining points (see the package documentation) are copies of
	// frontier points, all nil when no outcome is individually rational.
	Nash, Kalai, Egalitarian, MaxWelfare *Point
	// Notes explain what a reader of the numbers should know: a single
	// outcome, identical or indifferent parties, no outcome above every
	// reservation value, capped utilities, an approximate frontier.
	Notes []string
}

// Analyze computes the frontier and bargaining points of profiles, which
// must share one domain. Additive profiles with per-issue constraints are
// solved exactly issue by issue whatever the size of the space; others as
// opt says. Profiles that do not fit together are an EInvalid error naming
// the profile; functions that are neither additive nor sums of boxes, over
// more than opt.MaxEnumerate outcomes, are EUnsupported.
func Analyze(profiles []*utility.Profile, opt Options) (*Result, error) {
	return analyze(profiles, opt)
}
