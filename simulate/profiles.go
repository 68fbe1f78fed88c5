package simulate

import (
	"strconv"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
	"github.com/shuttle-mediation/shuttle/utility"
)

// FromProfiles makes a scenario without a plan from a domain and its
// profiles, as GENIUS and GeniusWeb folders give them: the parties are
// named after their profiles, play strategies[i mod len(strategies)] (the
// default strategy when strategies is empty) and confide in full, and the
// mediator and protocol take the scenario defaults. file names the source
// in errors.
func FromProfiles(file string, d *space.Domain, profiles []*utility.Profile, strategies ...string) *scenario.Scenario {
	sc := &scenario.Scenario{
		File:     file,
		Name:     d.Name,
		Domain:   d,
		Parties:  make([]scenario.Party, len(profiles)),
		Mediator: scenario.Mediator{Strategy: scenario.MediatorStrategies[0], Target: scenario.Targets[0]},
		Protocol: scenario.Protocol{Name: scenario.Protocols[0], Rounds: scenario.DefaultRounds, RoundTime: scenario.DefaultRoundTime},
	}
	seen := map[string]bool{}
	for i, p := range profiles {
		base := p.Name
		if base == "" || base == negotiate.MediatorName || base == negotiate.Everyone {
			base = "party" + strconv.Itoa(i+1)
		}
		name := base
		for k := 2; seen[name]; k++ {
			name = base + "-" + strconv.Itoa(k)
		}
		seen[name] = true
		sc.Parties[i] = scenario.Party{Name: name, Profile: p, Strategy: scenario.Strategies[0], Confide: scenario.Confides[0]}
		if len(strategies) > 0 {
			sc.Parties[i].Strategy = strategies[i%len(strategies)]
		}
	}
	return sc
}
