package simulate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle/scenario"
	"github.com/shuttle-mediation/shuttle/simulate"
)

// repoRoot is the directory holding go.mod, found by walking up from the
// package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// example loads a bundled scenario by name.
func example(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(filepath.Join(repoRoot(t), "examples", name+".yaml"))
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
