package simulate_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/internal/testenv"
	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
)

// example loads a bundled scenario by name.
func example(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(filepath.Join(testenv.RepoRoot(t), "examples", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// examples are the bundled scenarios: three with a plan, two without.
var examples = []string{"truce", "supply", "labour", "laptop", "grocery"}

func run(t testing.TB, sc *scenario.Scenario, opt simulate.Options) *simulate.Result {
	t.Helper()
	r, err := simulate.Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
