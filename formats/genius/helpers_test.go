package genius

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDomains is shared/domains beside the checkout: walk up from the
// package to the folder holding go.mod, then ../shared/domains.
func sharedDomains(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "domains")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("shared domains not found at %s", d)
	}
	return d
}
