package strategy_test

import (
	"fmt"
	"testing"

	"github.com/shuttle-mediation/shuttle/negotiate"
)

// pairings are the protocol and mediator combinations every test plays.
var pairings = []struct {
	protocol negotiate.Protocol
	mediator string
}{
	{negotiate.Shuttle, "confided"},
	{negotiate.Shuttle, "objections"},
	{negotiate.Shuttle, "votes"},
	{negotiate.SingleText, "votes"},
	{negotiate.SingleText, "confided"},
	{negotiate.AlternatingOffers, ""},
	{negotiate.BlindBidding, "confided"},
	{negotiate.BlindBidding, "votes"},
}

// Every protocol settles between conceding parties when a deal is there to
// be had, and fails by the deadline when none is: in the Lunch domain no
// outcome is worth a reservation value of 0.8 to both parties.
func TestProtocolsEasyAndImpossible(t *testing.T) {
	easy := loadTable(t, "ItexvsCypress", 2, false)
	three := loadTable(t, "group2-new_sporthal", 3, false)
	impossible := loadTable(t, "Lunch", 2, false)
	if impossible.analysis.Nash != nil {
		t.Fatal("the impossible case has a bargaining point")
	}
	for _, p := range pairings {
		for _, confide := range []string{"full", "none"} {
			name := fmt.Sprintf("%s/%s/%s", p.protocol, p.mediator, confide)
			t.Run(name, func(t *testing.T) {
				g := game{protocol: p.protocol, mediator: p.mediator, confide: confide, strategies: []string{"conceder"}, rounds: 50}
				for _, tb := range []table{easy, three} {
					if res, _ := tb.play(t, g); res.Agreement == nil {
						t.Errorf("%s: no agreement (%s after %d rounds)", tb.domain.Name, res.Reason, res.Rounds)
					}
				}
				g.strategies = []string{"reservation"}
				res, _ := impossible.play(t, g)
				switch {
				case res.Agreement != nil:
					t.Errorf("agreed on the impossible")
				case res.Reason == negotiate.EndExhausted && p.mediator == "confided" && confide == "full":
					// The mediator knows from the confided profiles that
					// nothing can be agreed, and says so at once.
				case res.Reason != negotiate.EndDeadline || res.Rounds != g.rounds:
					t.Errorf("ended with %s after %d rounds, want the deadline after %d", res.Reason, res.Rounds, g.rounds)
				}
			})
		}
	}
}
