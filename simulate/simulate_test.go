package simulate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/analysis"
	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/negotiate"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
)

// TestRun plays every bundled scenario under every protocol and checks
// what any run must satisfy.
func TestRun(t *testing.T) {
	for _, name := range examples {
		sc := example(t, name)
		for _, proto := range scenario.Protocols {
			for seed := range uint64(2) {
				t.Run(fmt.Sprintf("%s/%s/%d", name, proto, seed), func(t *testing.T) {
					r := run(t, sc, simulate.Options{Protocol: proto, Seed: seed})
					checkResult(t, r)
				})
			}
		}
	}
}

func checkResult(t *testing.T, r *simulate.Result) {
	t.Helper()
	sc := r.Scenario
	m := r.Metrics
	if (r.Agreement != nil) != m.Agreement {
		t.Fatalf("agreement %v but metrics say %v", r.Agreement, m.Agreement)
	}
	var welfare float64
	for i, p := range sc.Profiles() {
		want := p.Reservation
		if r.Agreement != nil {
			if !p.Acceptable(r.Agreement) {
				t.Errorf("%s agreed to %s, which it cannot accept", p.Name, sc.Domain.Format(r.Agreement))
			}
			want = p.Utility(r.Agreement)
		}
		if m.Utilities[i] != want {
			t.Errorf("utility of %s is %g, want %g", p.Name, m.Utilities[i], want)
		}
		welfare += want
	}
	if math.Abs(m.Welfare-welfare) > 1e-12 {
		t.Errorf("welfare %g, want %g", m.Welfare, welfare)
	}
	if r.Analysis.Nash != nil && math.Abs(m.NashDistance-analysis.Distance(r.Analysis.Nash.Utilities, m.Utilities)) > 1e-12 {
		t.Errorf("nash distance %g", m.NashDistance)
	}
	if d := m.ParetoDistance; !(d >= 0) || d > m.NashDistance+1e-12 {
		t.Errorf("pareto distance %g, nash distance %g", d, m.NashDistance)
	}
	if (r.Implementation != nil) != (r.Agreement != nil && sc.Plan != nil) {
		t.Errorf("implementation %v after agreement %v with plan %v", r.Implementation != nil, r.Agreement != nil, sc.Plan != nil)
	}
	dealt := false
	for i, e := range r.Events {
		if (e.Negotiation == nil) == (e.Deal == nil) {
			t.Fatalf("event %d is not exactly one kind of event", i)
		}
		if i > 0 && e.Time < r.Events[i-1].Time {
			t.Fatalf("event %d at %v goes back in time", i, e.Time)
		}
		if e.Deal != nil {
			dealt = true
		} else if dealt {
			t.Fatalf("negotiation event %d after the implementation began", i)
		}
	}
	if dealt != (r.Implementation != nil) {
		t.Errorf("implementation events %v, report %v", dealt, r.Implementation != nil)
	}
	checkJSON(t, r)
}

// checkJSON checks the contract of DESIGN.md: exactly these members, and
// an agreement that reads back as the agreed outcome.
func checkJSON(t *testing.T, r *simulate.Result) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var j map[string]json.RawMessage
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range j {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"agreement", "implementation", "messages", "nash_distance", "pareto_distance", "rounds", "welfare"}; !slices.Equal(keys, want) {
		t.Fatalf("JSON members %v, want %v", keys, want)
	}
	var a *struct {
		Outcome   map[string]any `json:"outcome"`
		Utilities []float64      `json:"utilities"`
	}
	if err := json.Unmarshal(j["agreement"], &a); err != nil {
		t.Fatal(err)
	}
	if (a == nil) != (r.Agreement == nil) {
		t.Fatalf("JSON agreement %s for %v", j["agreement"], r.Agreement)
	}
	if a == nil {
		return
	}
	labels := make(map[string]string, len(a.Outcome))
	for k, v := range a.Outcome {
		labels[k] = fmt.Sprint(v)
	}
	d := r.Scenario.Domain
	o, err := d.Parse(labels)
	if err != nil {
		t.Fatalf("JSON outcome %s: %v", j["agreement"], err)
	}
	if !o.Equal(r.Agreement) {
		t.Errorf("JSON outcome %s, agreed %s", d.Format(o), d.Format(r.Agreement))
	}
}

// TestTruce checks the target the project set for its bundled case: the
// default mediator settles on the terms the reports describe (the Nash
// point of the illustrative profiles), and with the default seed the
// implementation plays the reported course: four days, extended a day at a
// time, a dispute over a handover that the mediators resolve, about 100
// released on one side and over 200 on the other.
func TestTruce(t *testing.T) {
	sc := example(t, "truce")
	for seed := range uint64(8) {
		r := run(t, sc, simulate.Options{Seed: seed})
		if r.Agreement == nil {
			t.Fatalf("seed %d: no agreement (%s)", seed, r.Negotiation.Reason)
		}
		got := sc.Domain.Labels(r.Agreement)
		for issue, want := range map[string]string{"hostages": "50", "ratio": "3", "days": "4", "per_extra_day": "10", "troops": "hold positions"} {
			if got[issue] != want {
				t.Errorf("seed %d: %s = %s, want %s", seed, issue, got[issue], want)
			}
		}
		if r.Metrics.NashDistance > 1e-9 {
			t.Errorf("seed %d: agreement %.4f from the Nash point", seed, r.Metrics.NashDistance)
		}
	}
	r := run(t, sc, simulate.Options{Seed: 1})
	rep := r.Implementation
	if rep.Phases.Planned != 4 || rep.State != deal.Extended || rep.Extensions.Accepted == 0 || rep.Phases.Scheduled != 4+rep.Extensions.Accepted {
		t.Errorf("%s: phases %+v, extensions %+v; want 4 days extended a day at a time", rep.State, rep.Phases, rep.Extensions)
	}
	resolved := 0
	for _, b := range rep.Breaches {
		if b.Verdict == deal.Unfounded || b.Verdict == deal.Minor && b.Cured != nil {
			resolved++
		}
	}
	if resolved == 0 || rep.Rulings.Major != 0 {
		t.Errorf("breaches %+v; want a dispute resolved and none major", rep.Breaches)
	}
	released, prisoners := rep.Totals[0], rep.Totals[1]
	if released.Verified < 75 || released.Verified > 110 || prisoners.Verified < 210 || prisoners.Verified != 3*released.Verified {
		t.Errorf("released %d for %d; want about 100 and over 200, three for one", released.Verified, prisoners.Verified)
	}
}

// TestDeterministic checks that a seed gives the same bytes, in JSON and in
// the exported archive, whatever the number of threads.
func TestDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, name := range []string{"truce", "supply", "labour", "grocery"} {
		sc := example(t, name)
		var first []byte
		for _, procs := range []int{1, 2, 1, 2} {
			runtime.GOMAXPROCS(procs)
			r := run(t, sc, simulate.Options{Seed: 7})
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.Transcript(&buf, simulate.Mediator); err != nil {
				t.Fatal(err)
			}
			b = append(b, buf.Bytes()...)
			buf.Reset()
			keys, err := simulate.SimulationKeys(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Export(&buf, keys); err != nil {
				t.Fatal(err)
			}
			b = append(b, buf.Bytes()...)
			if first == nil {
				first = b
			} else if !bytes.Equal(b, first) {
				t.Fatalf("%s: seed 7 gives different bytes with GOMAXPROCS=%d", name, procs)
			}
		}
	}
}

// TestBadInput checks that faults only the strategies can find are
// reported at their line in the scenario, and bad options by name.
func TestBadInput(t *testing.T) {
	tests := []struct {
		file string
		opt  simulate.Options
		want string
	}{
		{"unknown-param.yaml", simulate.Options{}, `unknown-param.yaml:17: parties[1].params.speed: strategy linear has no parameter "speed" (it takes e, min, patience)`},
		{"bad-param-value.yaml", simulate.Options{}, "bad-param-value.yaml:9: parties[0].params: "},
		{"unknown-mediator-param.yaml", simulate.Options{}, `unknown-mediator-param.yaml:15: mediator.params: `},
		{"unknown-param.yaml", simulate.Options{Protocol: "auction"}, `protocol: unknown protocol "auction"`},
		{"unknown-param.yaml", simulate.Options{Mediator: "oracle"}, `mediator: unknown strategy "oracle"`},
		{"unknown-param.yaml", simulate.Options{Target: "egalitarian"}, `target: unknown target "egalitarian"`},
	}
	for _, tt := range tests {
		sc, err := scenario.Load(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = simulate.Run(context.Background(), sc, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s with %+v: error %v, want one line containing %q", tt.file, tt.opt, err, tt.want)
			continue
		}
		if code := shuttle.ErrorCode(err); code != shuttle.EInvalid {
			t.Errorf("%s: error code %s, want %s", tt.file, code, shuttle.EInvalid)
		}
	}
}

// TestOptions checks that options replace the scenario's settings and that
// a precomputed analysis is used as given.
func TestOptions(t *testing.T) {
	sc := example(t, "supply")
	a, err := analysis.Analyze(sc.Profiles(), simulate.AnalysisOptions)
	if err != nil {
		t.Fatal(err)
	}
	off := false
	r := run(t, sc, simulate.Options{Protocol: "single-text", Mediator: "votes", Target: "nash", PostSettlement: &off, Analysis: a})
	if r.Protocol != negotiate.SingleText || r.Mediator != "votes" || r.Target != "nash" || r.PostSettlement || r.Analysis != a {
		t.Errorf("settings %s %s %s %v", r.Protocol, r.Mediator, r.Target, r.PostSettlement)
	}
	if r.Events[0].Negotiation.Note != "single-text" {
		t.Errorf("the negotiation opened %q", r.Events[0].Negotiation.Note)
	}
	for _, e := range r.Events {
		if e.Negotiation != nil && e.Negotiation.Kind == negotiate.KindImprove {
			t.Fatal("a post-settlement round ran although it was switched off")
		}
	}
	again := run(t, sc, simulate.Options{Protocol: "single-text", Mediator: "votes", Target: "nash", PostSettlement: &off})
	if a, b := jsonOf(t, r), jsonOf(t, again); a != b {
		t.Error("a precomputed analysis changes the result")
	}
}

func jsonOf(t *testing.T, r *simulate.Result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFromProfiles(t *testing.T) {
	sc := example(t, "grocery")
	p := sc.Profiles()
	named := func(name string) *scenario.Scenario {
		q := *p[1]
		q.Name = name
		return simulate.FromProfiles("x", sc.Domain, append(p[:1:1], &q, &q), "boulware", "conceder")
	}
	tests := []struct {
		name string
		want []string
	}{
		{"Sam", []string{"Mary", "Sam", "Sam-2"}},
		{"Mary", []string{"Mary", "Mary-2", "Mary-3"}},
		{"mediator", []string{"Mary", "party2", "party3"}},
		{"", []string{"Mary", "party2", "party3"}},
	}
	for _, tt := range tests {
		got := named(tt.name)
		var names, strategies []string
		for _, p := range got.Parties {
			names, strategies = append(names, p.Name), append(strategies, p.Strategy)
		}
		if !slices.Equal(names, tt.want) || !slices.Equal(strategies, []string{"boulware", "conceder", "boulware"}) {
			t.Errorf("profile named %q: parties %v playing %v", tt.name, names, strategies)
		}
	}
	r := run(t, simulate.FromProfiles("grocery", sc.Domain, p), simulate.Options{Seed: 1})
	checkResult(t, r)
	if r.Protocol != negotiate.Shuttle || r.Mediator != "confided" || r.Implementation != nil {
		t.Errorf("defaults: %s, %s, implementation %v", r.Protocol, r.Mediator, r.Implementation)
	}
}

func TestPaths(t *testing.T) {
	for _, proto := range scenario.Protocols {
		r := run(t, example(t, "laptop"), simulate.Options{Protocol: proto, Seed: 1})
		paths := r.Paths()
		if len(paths) == 0 {
			t.Fatalf("%s: no paths", proto)
		}
		profiles := r.Scenario.Profiles()
		for _, p := range paths {
			for _, u := range p.Points {
				if len(u) != len(profiles) {
					t.Fatalf("%s: %s has a point of %d utilities", proto, p.Label, len(u))
				}
			}
		}
		if proto == "alternating-offers" && paths[0].Label == "mediator's proposals" {
			t.Errorf("alternating offers drew a mediator's proposals")
		}
	}
}

func BenchmarkRunTruce(b *testing.B) {
	sc := example(b, "truce")
	a, err := analysis.Analyze(sc.Profiles(), simulate.AnalysisOptions)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		run(b, sc, simulate.Options{Seed: 1, Analysis: a})
	}
}
