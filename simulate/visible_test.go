package simulate_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/negotiate/negotest"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
	"github.com/shuttle-mediation/shuttle/utility"
)

// TestConfidentiality runs random cases, bundled scenarios with random
// settings and random domains with random parties, and checks every
// party's view against an oracle that assigns each event to a channel: a
// party sees exactly the public events and those of its own channel, and
// its transcript never shows another party's exchanges with the mediator.
func TestConfidentiality(t *testing.T) {
	planned := []*scenario.Scenario{example(t, "truce"), example(t, "labour"), example(t, "supply")}
	rapid.Check(t, func(t *rapid.T) {
		var sc *scenario.Scenario
		if rapid.Bool().Draw(t, "bundled") {
			sc = withSettings(t, rapid.SampledFrom(planned).Draw(t, "scenario"))
		} else {
			sc = randomScenario(t)
		}
		post := rapid.Bool().Draw(t, "post")
		r, err := simulate.Run(t.Context(), sc, simulate.Options{
			Protocol:       rapid.SampledFrom(scenario.Protocols).Draw(t, "protocol"),
			Mediator:       rapid.SampledFrom(scenario.MediatorStrategies).Draw(t, "mediator"),
			Target:         rapid.SampledFrom(scenario.Targets).Draw(t, "target"),
			PostSettlement: &post,
			Seed:           rapid.Uint64().Draw(t, "seed"),
		})
		if err != nil {
			t.Fatal(err)
		}
		names := r.PartyNames()
		for _, viewer := range names {
			var want []simulate.Event
			for _, e := range r.Events {
				if on := channels(e); on == nil || slices.Contains(on, viewer) {
					want = append(want, e)
				}
			}
			if got := r.View(viewer); !sameEvents(got, want) {
				t.Fatalf("%s sees %d events, its channel and the public record hold %d", viewer, len(got), len(want))
			}
			var buf bytes.Buffer
			if err := r.Transcript(&buf, viewer); err != nil {
				t.Fatal(err)
			}
			text := buf.String()
			for _, other := range names {
				if other == viewer {
					continue
				}
				for _, private := range []string{simulate.Mediator + " → " + other + ":", other + " → " + simulate.Mediator + ":"} {
					if strings.Contains(text, private) {
						t.Fatalf("%s's transcript shows %q", viewer, private)
					}
				}
			}
		}
		if n := len(r.View(simulate.Mediator)); n != len(r.Events) {
			t.Fatalf("the mediator sees %d of %d events", n, len(r.Events))
		}
	})
}

// planFault reports whether err is sc's plan failing for the agreed
// outcome, at its line in the scenario file.
// channels is the oracle: the parties whose channel carries e, nil for a
// public event. A negotiation message travels between one party and the
// mediator (or the table); an implementation event concerns the parties
// that act in it or receive it.
func channels(e simulate.Event) []string {
	if n := e.Negotiation; n != nil {
		if n.To == negotiate.Everyone {
			return nil
		}
		var on []string
		for _, p := range []string{n.From, n.To} {
			if p != negotiate.MediatorName && p != "" {
				on = append(on, p)
			}
		}
		return on
	}
	if len(e.Deal.To) == 0 {
		return nil
	}
	return append([]string{e.Deal.From}, e.Deal.To...)
}

func sameEvents(a, b []simulate.Event) bool {
	return slices.EqualFunc(a, b, func(x, y simulate.Event) bool {
		return x.Negotiation == y.Negotiation && x.Deal == y.Deal
	})
}

// withSettings copies a bundled scenario with random confide levels and
// channels.
func withSettings(t *rapid.T, sc *scenario.Scenario) *scenario.Scenario {
	c := *sc
	c.Parties = slices.Clone(sc.Parties)
	for i := range c.Parties {
		c.Parties[i].Confide = rapid.SampledFrom(scenario.Confides).Draw(t, "confide")
		c.Parties[i].Channel = randomChannel(t)
	}
	return &c
}

func randomChannel(t *rapid.T) scenario.Channel {
	ch := scenario.Channel{Delay: time.Duration(rapid.IntRange(0, 3).Draw(t, "delay")) * 20 * time.Minute}
	if rapid.Bool().Draw(t, "outage") {
		from := time.Duration(rapid.IntRange(0, 20).Draw(t, "from")) * time.Hour
		ch.Outages = []scenario.Outage{{From: from, To: from + time.Duration(rapid.IntRange(1, 20).Draw(t, "length"))*time.Hour}}
	}
	return ch
}

// randomScenario draws a small domain with two to four parties of random
// profiles, strategies, confide levels and channels.
func randomScenario(t *rapid.T) *scenario.Scenario {
	r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "domain"), 1))
	d := negotest.Domain(r, 3, 4)
	n := rapid.IntRange(2, 4).Draw(t, "parties")
	profiles := make([]*utility.Profile, n)
	for i := range profiles {
		name := []string{"Ash", "Birch", "Cedar", "Dogwood"}[i]
		profiles[i] = negotest.Profile(r, d, name, rapid.Float64Range(0, 0.8).Draw(t, "reservation"), rapid.Bool().Draw(t, "constrained"))
	}
	sc := simulate.FromProfiles("random", d, profiles)
	sc.Protocol.Rounds = rapid.IntRange(1, 30).Draw(t, "rounds")
	for i := range sc.Parties {
		sc.Parties[i].Strategy = rapid.SampledFrom(scenario.Strategies).Draw(t, fmt.Sprint("strategy", i))
		sc.Parties[i].Confide = rapid.SampledFrom(scenario.Confides).Draw(t, "confide")
		sc.Parties[i].Channel = randomChannel(t)
	}
	return sc
}
