package deal_test

import (
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
)

// truce loads the bundled truce scenario and the deal the reports describe:
// 50 released over four days, three prisoners each, a day more for ten
// more; the other terms are those the reports mention.
func truce(t testing.TB) (*scenario.Scenario, space.Outcome) {
	t.Helper()
	sc := load(t, filepath.Join(testenv.RepoRoot(t), "examples", "truce.yaml"))
	return sc, agree(t, sc, map[string]string{
		"hostages": "50", "ratio": "3", "days": "4", "per_extra_day": "10",
		"drones": "paused 6 h a day in the north", "troops": "hold positions",
		"aid_trucks": "200", "fuel_trucks": "4", "lists": "all names at signing, daily lists",
	})
}

func TestTruceSchedule(t *testing.T) {
	sc, o := truce(t)
	s, err := deal.NewSchedule(sc, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Planned != 4 || s.Phases[0].Start != deal.Duration(29*h) {
		t.Fatalf("%d phases from %v, want 4 from 29h", s.Planned, s.Phases[0].Start)
	}
	for k, want := range []int{13, 13, 13, 11} {
		ph := s.Phases[k]
		var got []int
		for _, o := range ph.Obligations {
			got = append(got, o.Quantity)
		}
		if !slices.Equal(got, []int{want, 3 * want, 200, 4}) {
			t.Errorf("phase %d quantities %v, want %d hostages, %d prisoners, 200 aid and 4 fuel trucks", k+1, got, want, 3*want)
		}
		if len(ph.Lists) != 2 || ph.Lists[0].Due != ph.Start-deal.Duration(12*h) {
			t.Errorf("phase %d lists %+v, want two due 12 hours before %v", k+1, ph.Lists, ph.Start)
		}
	}
	var rules []string
	for _, r := range s.Rules {
		rules = append(rules, r.Name)
	}
	if want := []string{"ceasefire", "tanks stay put", "drone pause in the north"}; !slices.Equal(rules, want) {
		t.Errorf("rules in force %v, want %v", rules, want)
	}
	if x := s.Extension; x == nil || x.Phases != 1 || x.More != 10 || x.Max != 6 {
		t.Errorf("extension %+v, want a day for 10 more, 6 at most", x)
	}
}

// TestTruceCourse pins the course of the truce for the default seed to the
// one reported: four days, extended a day at a time three times to seven
// days, one dispute that the mediators resolve, an end when an extension
// is not agreed, 80 released for 240 prisoners.
func TestTruceCourse(t *testing.T) {
	sc, o := truce(t)
	r, evs, err := deal.Simulate(sc, o, deal.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	checkLog(t, sc, evs, r)
	if r.State != deal.Extended || r.Phases != (deal.PhaseCount{Planned: 4, Scheduled: 7, Run: 7}) || r.Extensions != (deal.ExtensionCount{Offered: 4, Accepted: 3}) {
		t.Errorf("%s with phases %+v and extensions %+v; want extended, 4 planned, 7 run, 3 of 4 offers accepted", r.State, r.Phases, r.Extensions)
	}
	if n := len(evs); n < 2 || evs[n-2].Kind != deal.KindPhaseEnded || evs[n-1].Kind != deal.KindClosed {
		t.Errorf("the course does not end with the last phase")
	}
	if i := slices.IndexFunc(evs, func(e deal.Event) bool { return e.Kind == deal.KindDeclined }); i < 0 || evs[i].Phase != 7 {
		t.Errorf("no extension declined on the seventh day")
	}
	if len(r.Breaches) != 1 || r.Rulings.Major != 0 || r.Breaches[0].Verdict != deal.Unfounded && r.Breaches[0].Cured == nil {
		t.Errorf("breaches %+v, want one dispute, resolved", r.Breaches)
	}
	released, prisoners := r.Totals[0], r.Totals[1]
	if released.Kind != "hostages released" || released.Verified < 75 || released.Verified > 110 {
		t.Errorf("released %+v, want about 100 (80 under the deal)", released)
	}
	if prisoners.Kind != "prisoners released" || prisoners.Verified < 210 || prisoners.Verified != 3*released.Verified {
		t.Errorf("prisoners %+v, want at least 210, three for each of %d", prisoners, released.Verified)
	}
	if p := r.PeakExposure; p.Value <= 0 || p.Value >= 0.5 {
		t.Errorf("peak exposure %+v, want some but under half", p)
	}
}

// TestSimulateSeeds runs the bundled scenarios and a fixture over many
// seeds and checks each course for sense (checkLog and what follows), and
// that a seed always gives the same course.
func TestSimulateSeeds(t *testing.T) {
	root := testenv.RepoRoot(t)
	tests := []struct {
		name  string
		sc    *scenario.Scenario
		seeds int
		fixed space.Outcome // nil: a random outcome per seed
	}{
		{name: "truce", seeds: 200},
		{name: "supply", sc: load(t, filepath.Join(root, "examples", "supply.yaml")), seeds: 50},
		{name: "labour", sc: load(t, filepath.Join(root, "examples", "labour.yaml")), seeds: 50},
		{name: "exchange", sc: load(t, "exchange"), seeds: 100},
	}
	tests[0].sc, tests[0].fixed = truce(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := map[deal.State]int{}
			for seed := range uint64(tt.seeds) {
				o := tt.fixed
				if o == nil {
					o = tt.sc.Domain.NewOutcome()
					tt.sc.Domain.Random(rand.New(rand.NewPCG(seed, 1)), o)
				}
				r, evs, err := deal.Simulate(tt.sc, o, deal.NewRand(seed))
				if err != nil {
					t.Fatalf("seed %d, %s: %v", seed, tt.sc.Domain.Format(o), err)
				}
				checkLog(t, tt.sc, evs, r)
				checkCourse(t, r, evs)
				states[r.State]++
				if seed%10 == 0 {
					again, evs2, _ := deal.Simulate(tt.sc, o, deal.NewRand(seed))
					if a, b := jsonOf(t, r, evs), jsonOf(t, again, evs2); a != b {
						t.Fatalf("seed %d gives two courses", seed)
					}
				}
			}
			t.Logf("%v", states)
		})
	}
}

// checkCourse checks what a finished simulation must satisfy beyond
// checkLog.
func checkCourse(t *testing.T, r *deal.Report, evs []deal.Event) {
	t.Helper()
	count := map[string]int{}
	for _, e := range evs {
		count[e.Kind]++
	}
	switch r.State {
	case deal.Completed, deal.Extended:
		for _, f := range r.Deliveries {
			if f.Verified != f.Scheduled {
				t.Fatalf("%s with %+v", r.State, f)
			}
		}
		if r.Phases.Run != r.Phases.Scheduled || r.Rulings.Major != 0 {
			t.Fatalf("%s after %+v phases and %+v rulings", r.State, r.Phases, r.Rulings)
		}
		if (r.State == deal.Extended) != (r.Extensions.Accepted > 0) {
			t.Fatalf("%s after %d extensions", r.State, r.Extensions.Accepted)
		}
	case deal.Collapsed:
		if r.Rulings.Major != 1 {
			t.Fatalf("collapsed after %d major rulings", r.Rulings.Major)
		}
	default:
		t.Fatalf("the simulation stopped %s", r.State)
	}
	if count[deal.KindOffered] != r.Extensions.Offered || count[deal.KindExtended] != r.Extensions.Accepted {
		t.Fatalf("extensions %+v from %d offers and %d extensions", r.Extensions, count[deal.KindOffered], count[deal.KindExtended])
	}
	if r.Phases.Scheduled != r.Phases.Planned+r.Extensions.Accepted*phasesPer(t, evs) {
		t.Fatalf("phases %+v after %d extensions", r.Phases, r.Extensions.Accepted)
	}
	// A minor breach escalated for want of a cure counts as minor and major.
	if rulings := r.Rulings.Unfounded + r.Rulings.Major + r.Rulings.Minor; rulings != count[deal.KindRuled] {
		t.Fatalf("rulings %+v from %d ruling events", r.Rulings, count[deal.KindRuled])
	}
}

// phasesPer is how many phases each extension adds, from the logged
// schedule.
func phasesPer(t *testing.T, evs []deal.Event) int {
	t.Helper()
	s, ok := evs[0].Body.(*deal.Schedule)
	if !ok {
		t.Fatalf("the first event is %s", evs[0].Kind)
	}
	if s.Extension == nil {
		return 0
	}
	return s.Extension.Phases
}

func jsonOf(t *testing.T, r *deal.Report, evs []deal.Event) string {
	t.Helper()
	b, err := json.Marshal(struct {
		R *deal.Report
		E []deal.Event
	}{r, evs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func BenchmarkSimulateTruce(b *testing.B) {
	sc, o := truce(b)
	for i := 0; b.Loop(); i++ {
		if _, _, err := deal.Simulate(sc, o, deal.NewRand(uint64(i))); err != nil {
			b.Fatal(err)
		}
	}
}
