package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/internal/migrate"
	"github.com/shuttle-mediation/shuttle/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout is how long a connection waits for a lock another process
// holds (another program reading or writing the same file) before it
// gives up.
const busyTimeout = 10 * time.Second

// Open opens the SQLite database in the file at path, creating it if need
// be, and brings its schema up to date. Only one process should serve from
// a file at a time; several may read it.
func Open(ctx context.Context, path string) (store.Store, error) {
	if path == "" {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "db", Message: "no database file named"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &shuttle.Error{Code: shuttle.EInvalid, File: path, Message: "open database", Err: err}
	}
	writeDB, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, openErr(path, err)
	}
	// SQLite lets one connection write at a time; a single connection
	// makes that explicit and keeps the writer from ever waiting on
	// itself.
	writeDB.SetMaxOpenConns(1)
	writeDB.SetConnMaxIdleTime(0)
	writeDB.SetConnMaxLifetime(0)
	if err := migrateDB(ctx, writeDB); err != nil {
		writeDB.Close()
		return nil, openErr(path, err)
	}
	readDB, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		writeDB.Close()
		return nil, openErr(path, err)
	}
	readDB.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	readDB.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	if err := readDB.PingContext(ctx); err != nil {
		writeDB.Close()
		readDB.Close()
		return nil, openErr(path, err)
	}
	c, err := newCommitter(ctx, writeDB)
	if err != nil {
		writeDB.Close()
		readDB.Close()
		return nil, openErr(path, err)
	}
	return sqlstore.New(readDB, c.write, dialect, func() error {
		return errors.Join(c.stop(), writeDB.Close(), readDB.Close())
	}), nil
}

func openErr(path string, err error) error {
	var se *shuttle.Error
	if errors.As(err, &se) {
		return err
	}
	return &shuttle.Error{Code: shuttle.EInternal, File: path, Message: "open database", Err: err}
}

// dsn is the connection string for the database file at the absolute
// path abs.
//
// The journal is a write-ahead log, so that readers do not block the
// writer nor the writer the readers. synchronous=FULL makes every commit
// flush the log to stable storage before it returns: in WAL mode NORMAL
// would only flush at checkpoints, which survives the process being
// killed (the written pages are in the operating system's cache) but
// loses the last commits if the machine loses power or the kernel
// crashes, and an acknowledged event must survive both.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// Write transactions begin IMMEDIATE, taking the write lock at
		// once rather than at their first write, so that a writer of
		// another process waits in busy_timeout instead of failing.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
		// A burst of writes grows the log file; once checkpointed, it is
		// cut back to this size rather than kept at its largest.
		q.Add("_pragma", "journal_size_limit(67108864)")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

var dialect = sqlstore.Dialect{
	Placeholder: func(n int) string { return "?" + strconv.Itoa(n) },
	IsUnique: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	RowsPerInsert: 1,
}

// migrateDB brings the schema up to date in one transaction, which the
// write lock taken at its start keeps other connections out of.
//
// SQLite reports a busy database without waiting in a few cases, among
// them a connection opening the file while another converts it to WAL, so
// a busy failure is retried until busyTimeout.
func migrateDB(ctx context.Context, db *sql.DB) error {
	all, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	deadline := time.Now().Add(busyTimeout)
	for {
		err := migrateTx(ctx, db, all)
		var e *sqlite.Error
		if !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10+rand.IntN(40)) * time.Millisecond):
		}
	}
}

func migrateTx(ctx context.Context, db *sql.DB, all []migrate.Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	pending, err := migrate.Pending(all, current)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return tx.Commit()
}
