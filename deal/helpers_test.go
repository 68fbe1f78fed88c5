package deal_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/deal"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/space"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// load reads a scenario: a fixture in testdata by its base name, or a path.
func load(t tb, name string) *scenario.Scenario {
	t.Helper()
	path := name
	if filepath.Ext(name) == "" {
		path = filepath.Join("testdata", name+".yaml")
	}
	sc, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// agree makes an outcome from value labels.
func agree(t tb, sc *scenario.Scenario, labels map[string]string) space.Outcome {
	t.Helper()
	o, err := sc.Domain.Parse(labels)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// exchange is the exchange fixture's outcome: goods over days, ratio coins a
// good.
func exchange(goods, ratio, days int) map[string]string {
	return map[string]string{"goods": fmt.Sprint(goods), "ratio": fmt.Sprint(ratio), "days": fmt.Sprint(days)}
}

// start instantiates a fixture's plan for an outcome and starts it.
func start(t tb, fixture string, labels map[string]string) (*deal.Implementation, []deal.Event) {
	t.Helper()
	sc := load(t, fixture)
	s, err := deal.NewSchedule(sc, agree(t, sc, labels))
	if err != nil {
		t.Fatal(err)
	}
	return deal.New(s)
}

// recommend is a script step: rule breach n as the package's policy
// recommends.
type recommend int

// run applies a script of actions and recommend steps, failing the test on
// the first refusal, and returns the events.
func run(t tb, m *deal.Implementation, steps ...any) []deal.Event {
	t.Helper()
	var evs []deal.Event
	for i, st := range steps {
		a, ok := st.(deal.Action)
		if n, isRec := st.(recommend); isRec {
			r, err := m.Recommend(int(n))
			if err != nil {
				t.Fatalf("step %d: recommend %d: %v", i, n, err)
			}
			a, ok = r, true
		}
		if !ok {
			t.Fatalf("step %d: %T is not a step", i, st)
		}
		e, err := m.Do(a)
		if err != nil {
			t.Fatalf("step %d: %#v: %v", i, a, err)
		}
		evs = append(evs, e...)
	}
	return evs
}

// golden compares events, one JSON line each, with testdata/golden/name.jsonl.
func golden(t *testing.T, name string, evs []deal.Event) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, e := range evs {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join("testdata", "golden", name+".jsonl")
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		got := bytes.Split(b.Bytes(), []byte("\n"))
		exp := bytes.Split(want, []byte("\n"))
		for i := range max(len(got), len(exp)) {
			var g, w []byte
			if i < len(got) {
				g = got[i]
			}
			if i < len(exp) {
				w = exp[i]
			}
			if !bytes.Equal(g, w) {
				t.Fatalf("%s line %d:\n got %s\nwant %s\n(run with -update if the change is intended)", path, i+1, g, w)
			}
		}
	}
}

// items names n list items from first on.
func items(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("g%d", first+i)
	}
	return out
}
