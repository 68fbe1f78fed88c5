package tournament

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// small is a tournament on the test domains that plays every protocol,
// two mediators and a few strategies: 728 negotiations.
func small() *Config {
	return &Config{
		Domains:    []string{"testdata/domains"},
		Strategies: []Strategy{{Name: "linear"}, {Name: "boulware"}, {Name: "tit-for-tat"}, {Name: "random"}},
		Mediators:  []Mediator{{Name: "confided"}, {Name: "votes"}},
		Seed:       7,
		Rounds:     40,
	}
}

func newTournament(t testing.TB, c *Config) *Tournament {
	t.Helper()
	tr, err := New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// runFile runs tr into a new file of the given extension without the time
// column and returns its content.
func runFile(t *testing.T, tr *Tournament, ext string, opt Options) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rows"+ext)
	if _, err := tr.RunFile(context.Background(), path, false, opt); err != nil {
		t.Fatal(err)
	}
	return readFile(t, path)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sameFloat compares like ==, except that NaN equals NaN.
func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// firstDiff describes where two files part.
func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n%s\n%s", i+1, la[i], lb[i])
		}
	}
	return "one file is a prefix of the other"
}
