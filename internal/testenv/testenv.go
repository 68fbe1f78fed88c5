// Package testenv finds what tests read outside their package: the
// repository root and the shared negotiation domains that CI places beside
// the checkout (../shared/domains).
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot is the folder holding go.mod, found by walking up from the test's
// working directory (its package folder).
func RepoRoot(t testing.TB) string {
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
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// SharedDomains is shared/domains beside the repository. The test is
// skipped when it is absent, so that a checkout on its own still runs the
// tests on each package's testdata; CI always has it.
func SharedDomains(t testing.TB) string {
	t.Helper()
	d := filepath.Join(RepoRoot(t), "..", "shared", "domains")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared domains not found at %s", d)
	}
	return d
}
