package tournament

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle"
)

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig("testdata/tournament.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Domains:   []string{filepath.Join("testdata", "domains", "Laptop"), filepath.Join("testdata", "domains", "office.yaml")},
		Protocols: []string{"shuttle", "alternating-offers"},
		Mediators: []Mediator{{Name: "confided"}, {Name: "objections-kalai", Strategy: "objections", Target: "kalai"}},
		Strategies: []Strategy{
			{Name: "linear"},
			{Name: "stubborn", Strategy: "boulware", Params: map[string]float64{"e": 0.1}},
			{Name: "secretive", Strategy: "conceder", Confide: "none"},
		},
		Pairing: OneVsRest, Reps: 2, Seed: 42, Rounds: 50,
	}
	c.file, c.line = "", nil
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("got %+v\nwant %+v", *c, want)
	}
	tr := newTournament(t, c)
	// 2 scenarios × (shuttle under 2 mediators + alternating offers) × 3² seatings × 2 reps.
	if got := tr.Jobs(); got != 2*3*9*2 {
		t.Errorf("%d jobs, want %d", got, 2*3*9*2)
	}
}

// TestBadConfig checks that every fault is one line naming the file, the
// line and the element.
func TestBadConfig(t *testing.T) {
	tests := []struct {
		yaml string
		want string
	}{
		{"domains: [a\nreps: 2\n", "c.yaml:2: YAML:"},
		{"reps: 2\nrepz: 3\n", `c.yaml:2: YAML: unknown field "repz"`},
		{"reps: two\n", `c.yaml:1: value "two" must be a number`},
		{"reps: 2.5\n", "c.yaml:1: reps: must be a whole number from 1"},
		{"reps: 0\n", "c.yaml:1: reps: must be a whole number from 1"},
		{"seed: -1\n", "c.yaml:1: seed: must be a whole number from 0"},
		{"rounds: 1e30\n", "c.yaml:1: rounds: must be a whole number"},
		{"domains: a\n", "c.yaml:1: YAML: string was used where sequence is expected"},
		{"protocols:\n  - shuttle\n  - haggling\n", `c.yaml:3: protocols[1]: unknown protocol "haggling"`},
		{"protocols: [shuttle, shuttle]\n", `c.yaml:1: protocols[1]: protocol "shuttle" listed twice`},
		{"strategies:\n  - linear\n  - {strategy: boulware, params: {e: 0.1, speed: 2}}\n", `c.yaml:3: strategies[1]: strategy "boulware" has no parameter "speed"`},
		{"strategies:\n  - linear\n  - sulker\n", `c.yaml:3: strategies[1]: unknown party strategy "sulker"`},
		{"strategies:\n  - linear\n  - {name: linear, strategy: conceder}\n", `c.yaml:3: strategies[1]: strategy name "linear" used twice`},
		{"strategies:\n  - {params: {e: 1}}\n", "c.yaml:2: strategies[0]: needs a name or a strategy"},
		{"strategies:\n  - {name: 'a;b', strategy: linear}\n", `strategies[0]: name "a;b" holds a ";"`},
		{"strategies:\n  - {name: x, strategy: linear, confide: most}\n", `c.yaml:2: strategies[0]: unknown`},
		{"strategies:\n  - {name: x, strategy: linear, params: {e: high}}\n", `c.yaml:2: value "high" must be a number`},
		{"mediators: [confided, oracle]\n", `c.yaml:1: mediators[1]: unknown mediator strategy "oracle"`},
		{"mediators:\n  - {strategy: confided, target: egalitarian}\n", `c.yaml:2: mediators[0]: unknown mediator target "egalitarian"`},
		{"mediators: [none]\n", `mediators[0]: the name "none" is reserved`},
		{"pairing: round-robin\n", `c.yaml:1: pairing: unknown pairing "round-robin"`},
		{"domains: ['']\n", "c.yaml:1: domains[0]: empty path"},
		{"reps: 1\n---\nreps: 2\n", "c.yaml: a tournament file holds one YAML document"},
		{"reps: 1\nreps: 2\n", "c.yaml:2: YAML:"},
	}
	for _, tt := range tests {
		_, err := ParseConfig("c.yaml", []byte(tt.yaml))
		var se *shuttle.Error
		if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want one line containing %q", tt.yaml, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	c, err := LoadConfig("testdata/tournament.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SelectStrategies([]string{"stubborn", "hardliner"}); err != nil {
		t.Fatal(err)
	}
	want := []Strategy{{Name: "stubborn", Strategy: "boulware", Params: map[string]float64{"e": 0.1}}, {Name: "hardliner"}}
	if !reflect.DeepEqual(c.Strategies, want) {
		t.Errorf("selected %+v, want %+v", c.Strategies, want)
	}
	if err := c.SelectMediators([]string{"objections-kalai", "votes"}); err != nil {
		t.Fatal(err)
	}
	if c.Mediators[0].Target != "kalai" || c.Mediators[1].kind() != "votes" {
		t.Errorf("selected mediators %+v", c.Mediators)
	}
	if err := c.SelectStrategies([]string{"linear", "nobody"}); err == nil || !strings.Contains(err.Error(), `unknown party strategy "nobody"`) {
		t.Errorf("selecting an unknown strategy: %v", err)
	}
}

// TestNewRefuses checks faults that only loading finds.
func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	tests := []struct {
		c    Config
		want string
	}{
		{Config{}, "domains: no domains"},
		{Config{Domains: []string{filepath.Join(dir, "nowhere")}}, "nowhere: cannot read"},
		{Config{Domains: []string{empty}}, "holds no scenario file and no folder"},
		{Config{Domains: []string{"testdata/SOURCE.md"}}, "SOURCE.md: not a scenario file"},
		{Config{Domains: []string{"testdata/domains/japantrip"}}, "japantrip: 1 party"},
		{Config{Domains: []string{"testdata/domains/Laptop", "testdata/domains/Laptop"}}, "given twice"},
		{Config{Domains: []string{"testdata/domains/sporthal"}, MaxParties: 2}, "3 parties, more than max_parties (2)"},
		{Config{Domains: []string{"testdata/domains/Laptop"}, Strategies: []Strategy{{Name: "linear", Params: map[string]float64{"e": -1}}}}, "strategies[0]: strategy \"linear\": concession exponent"},
		{Config{Domains: []string{"testdata/domains/sporthal"}, Pairing: AllCombinations, Strategies: manyStrategies(1 << 14)}, "more than"},
	}
	for _, tt := range tests {
		_, err := New(t.Context(), &tt.c)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.c, err, tt.want)
		}
	}
}

func manyStrategies(n int) []Strategy {
	s := make([]Strategy, n)
	for i := range s {
		s[i] = Strategy{Name: "s" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)), Strategy: "linear"}
	}
	return s
}

func FuzzParseConfig(f *testing.F) {
	data, err := os.ReadFile("testdata/tournament.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("strategies: [linear, {name: x, strategy: boulware, params: {e: 0.2}}]\nreps: 3\n"))
	f.Add([]byte("mediators:\n  - {strategy: votes, params: {temperature: 1}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("f.yaml", data)
		if err != nil {
			var se *shuttle.Error
			if !errors.As(err, &se) || strings.ContainsAny(err.Error(), "\n\r") || !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error %q is not one line naming the file", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parsed config does not validate: %v", err)
		}
	})
}
