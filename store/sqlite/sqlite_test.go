package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/sqlite"
	"github.com/shuttle-mediation/shuttle/store/storetest"
)

// opener opens, for each test, a database file named after it in dir.
func opener(dir string) storetest.Opener {
	return func(t *testing.T) store.Store {
		t.Helper()
		path := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".db")
		s, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("Open(%s): %v", path, err)
		}
		return s
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, opener(t.TempDir()))
}
