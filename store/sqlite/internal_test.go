package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/internal/migrate"
	"github.com/shuttle-mediation/shuttle/store/internal/sqlstore"
	"github.com/shuttle-mediation/shuttle/store/storetest"
)

// rawExec runs statements on the database file behind the store's back.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestSeqUnique checks that the primary key refuses an event at a seq
// already written behind the store's back.
func TestSeqUnique(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.SeqUnique(t, s, func(t *testing.T) {
		rawExec(t, path, `INSERT INTO events (case_id, seq, time, kind, sender, recipients, leaf) VALUES ('c', 2, 0, 'intruder', '', '', x'00')`)
	})
}

// TestNewerSchema opens a database a newer shuttle migrated: it must be
// refused rather than used.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "n.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	rawExec(t, path, `INSERT INTO schema_migrations (version, name, applied) VALUES (99, '0099_future.sql', 0)`)
	if _, err := Open(ctx, path); shuttle.ErrorCode(err) != shuttle.EUnsupported {
		t.Fatalf("Open of a newer schema = %v, want unsupported", err)
	}
}

// TestUpgrade opens a file an older shuttle, of schema version 1, made.
func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "u.db")
	atV1 := func(t *testing.T) *sql.DB {
		all, err := migrate.Load(migrations, "migrations")
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", dsn(path, false))
		if err != nil {
			t.Fatal(err)
		}
		if err := migrateTx(ctx, db, all[:1]); err != nil {
			db.Close()
			t.Fatal(err)
		}
		return db
	}
	open := func(t *testing.T) store.Store {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}
	storetest.Upgrade(t, atV1, open)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, ""); shuttle.ErrorCode(err) != shuttle.EInvalid {
		t.Errorf("Open(\"\") = %v, want invalid", err)
	}
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "no", "such", "dir", "x.db")); shuttle.ErrorCode(err) != shuttle.EInternal {
		t.Errorf("Open in a missing directory = %v, want internal", err)
	}
	// Characters that mean something in a URI are part of the name.
	odd := filepath.Join(dir, "a?b#c%20 d.db")
	s, err := Open(ctx, odd)
	if err != nil {
		t.Fatalf("Open(%q): %v", odd, err)
	}
	s.Close()
	if m, _ := filepath.Glob(filepath.Join(dir, "a*")); len(m) == 0 || filepath.Base(m[0]) != "a?b#c%20 d.db" {
		t.Errorf("database created as %v, want %q", m, odd)
	}
}

// TestGroupFailure commits a group in which one write fails: the writes
// before and after it must be kept, and only it refused, although the
// group first runs without savepoints.
func TestGroupFailure(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "g.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (k INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	c, err := newCommitter(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	insert := func(k int) *request {
		return &request{ctx: ctx, err: make(chan error, 1), fn: func(ctx context.Context, tx sqlstore.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, k)
			return err
		}}
	}
	group := []*request{insert(1), insert(2), insert(1), insert(3)} // the second 1 is a duplicate
	c.commit(group)
	for i, want := range []bool{true, true, false, true} {
		if err := <-group[i].err; (err == nil) != want {
			t.Errorf("write %d: err = %v, want success %v", i, err, want)
		}
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 3 {
		t.Errorf("rows kept = %d, %v; want 3", n, err)
	}
}
