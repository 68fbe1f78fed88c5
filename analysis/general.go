package analysis

import (
	"fmt"
	"math/big"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// generalFront analyses profiles that are not all additive by enumerating
// spaces of at most opt.MaxEnumerate outcomes.
// It returns what the enumeration learnt about the parties, nil if none.
func generalFront(res *Result, profiles []*utility.Profile, allowed [][]int, opt Options) (*cloud, []space.Outcome, *facts, bool, error) {
	if res.Feasible.Cmp(new(big.Int).SetUint64(opt.MaxEnumerate)) > 0 {
		return nil, nil, nil, false, &shuttle.Error{Code: shuttle.EUnsupported, Message: fmt.Sprintf("analysis: %s outcomes of non-additive profiles are more than MaxEnumerate (%d)", res.Feasible, opt.MaxEnumerate)}
	}
	c, outs, f := enumerate(profiles, allowed)
	return c, outs, f, true, nil
}
