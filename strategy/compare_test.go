package strategy_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/shuttle-mediation/shuttle/negotiate"
)

// tally sums a protocol's results over many negotiations.
type tally struct {
	runs, agreements         int
	nash, nashAgreed         float64 // summed distances to the Nash point: all runs, agreements only
	measured, measuredAgreed int
}

func (s *tally) add(m negotiate.Metrics) {
	s.runs++
	if m.Agreement {
		s.agreements++
	}
	if math.IsNaN(m.NashDistance) {
		return
	}
	s.nash += m.NashDistance
	s.measured++
	if m.Agreement {
		s.nashAgreed += m.NashDistance
		s.measuredAgreed++
	}
}

func (s *tally) String() string {
	return fmt.Sprintf("%d of %d agreed, mean distance to Nash %.3f (%.3f over agreements)",
		s.agreements, s.runs, s.nash/float64(s.measured), s.nashAgreed/float64(s.measuredAgreed))
}

// compare plays every pairing of the built-in strategies (but random)
// under the shuttle protocol with the confided mediator and under
// alternating offers.
func compare(t *testing.T, tables []table) (shuttle, direct *tally) {
	strategies := []string{"boulware", "linear", "conceder", "hardliner", "tit-for-tat", "reservation"}
	shuttle, direct = &tally{}, &tally{}
	for _, tb := range tables {
		n := len(tb.profiles)
		for k := range pow(len(strategies), n) {
			assign := make([]string, n)
			for i, x := 0, k; i < n; i, x = i+1, x/len(strategies) {
				assign[i] = strategies[x%len(strategies)]
			}
			_, m := tb.play(t, game{protocol: negotiate.Shuttle, mediator: "confided", strategies: assign})
			shuttle.add(m)
			_, m = tb.play(t, game{protocol: negotiate.AlternatingOffers, strategies: assign})
			direct.add(m)
		}
	}
	return shuttle, direct
}

func pow(b, e int) int {
	p := 1
	for range e {
		p *= b
	}
	return p
}

// The shuttle protocol with the confided mediator reaches agreement at
// least as often as direct alternating offers between the same parties,
// and lands closer to the Nash point on average.
func TestShuttleBeatsAlternatingOffers(t *testing.T) {
	tables := []table{
		loadTable(t, "ItexvsCypress", 2, false),
		loadTable(t, "EnglandZimbabwe", 2, false),
		loadTable(t, "group2-new_sporthal", 3, false),
	}
	if !testing.Short() && negotestShared() {
		for _, dir := range []string{"anac/y2011/Amsterdam", "anac/y2011/Camera", "anac/y2011/Grocery", "anac/y2011/IS_BT_Acquisition",
			"anac/y2013/Animal", "anac/y2013/Coffee", "anac/y2013/DogChoosing", "anac/y2013/Icecream", "anac/y2013/Outfit", "anac/y2011/Car",
			"other/Jobs", "other/thompson", "other/inheritancedomain", "anac/y2015/group2-dinner"} {
			n := 2
			if dir == "anac/y2015/group2-dinner" {
				n = 3
			}
			tables = append(tables, loadTable(t, dir, n, true))
		}
	}
	shuttle, direct := compare(t, tables)
	t.Logf("shuttle, confided mediator: %s", shuttle)
	t.Logf("alternating offers:         %s", direct)
	if shuttle.agreements < direct.agreements {
		t.Errorf("shuttle agreed %d times, alternating offers %d", shuttle.agreements, direct.agreements)
	}
	if shuttle.nash/float64(shuttle.measured) >= direct.nash/float64(direct.measured) || shuttle.nashAgreed/float64(shuttle.measuredAgreed) >= direct.nashAgreed/float64(direct.measuredAgreed) {
		t.Errorf("shuttle lands no closer to the Nash point")
	}
}
