// Package migrate reads the versioned schema migrations the store
// implementations embed and says which a database still needs. Applying
// them is each implementation's business: how to lock and which
// transactions to use differ between SQLite and PostgreSQL.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/shuttle-mediation/shuttle"
)

// A Migration is one step of the schema: the SQL in a file named
// NNNN_what.sql, where NNNN is its version.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Load reads the migrations in the directory dir of fsys. Versions must
// run 1, 2, 3, ... without gaps or repeats, so that a missing file is
// noticed at build time rather than in a customer's database.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", name)
		}
		sql, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(sql)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Pending returns the migrations after version current, the one a
// database is at. A database at a version this program does not know was
// migrated by a newer program, and opening it could damage it.
func Pending(ms []Migration, current int) ([]Migration, error) {
	if current > len(ms) {
		return nil, shuttle.Errorf(shuttle.EUnsupported, "database schema version %d is newer than this program's (%d): upgrade shuttle", current, len(ms))
	}
	return ms[current:], nil
}
