package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/shuttle-mediation/shuttle"
	"github.com/shuttle-mediation/shuttle/store"
	"github.com/shuttle-mediation/shuttle/store/internal/migrate"
	"github.com/shuttle-mediation/shuttle/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key under which instances migrate
// the schema: any fixed number other programs are unlikely to use.
const migrationLock = 0x73687574746c65 // "shuttle"

// Open connects to the PostgreSQL database named by dsn, a URL
// (postgres://user:password@host:port/database?sslmode=...) or key=value
// connection string as libpq takes them, and brings its schema up to date.
// Connection parameters pgx does not know, search_path for one, are set
// on each session.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The message of a parse error may quote the password.
		return nil, &shuttle.Error{Code: shuttle.EInvalid, Field: "db", Message: "not a valid PostgreSQL connection string"}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, openErr(cfg, err)
	}
	if err := migrateDB(ctx, pool); err != nil {
		pool.Close()
		return nil, openErr(cfg, err)
	}
	db := stdlib.OpenDBFromPool(pool)
	write := func(ctx context.Context, fn sqlstore.TxFunc) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return internal("begin write", err)
		}
		defer tx.Rollback()
		if err := fn(ctx, tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return internal("commit", err)
		}
		return nil
	}
	return sqlstore.New(db, write, dialect, func() error {
		err := db.Close()
		pool.Close()
		return err
	}), nil
}

var dialect = sqlstore.Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	// NO KEY UPDATE, because no one changes a case's id: it does not
	// block the key-share locks that inserting a case's events takes.
	ForUpdate: " FOR NO KEY UPDATE",
	IsUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505" // unique_violation
	},
	// Well within PostgreSQL's 65,535 parameters of a statement.
	RowsPerInsert: 500,
}

func internal(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &shuttle.Error{Code: shuttle.EInternal, Message: op, Err: err}
}

// openErr names the server in an error without its password.
func openErr(cfg *pgxpool.Config, err error) error {
	var se *shuttle.Error
	if errors.As(err, &se) {
		return err
	}
	where := fmt.Sprintf("postgres %s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	return &shuttle.Error{Code: shuttle.EInternal, Field: "db", Message: where, Err: err}
}

// migrateDB brings the schema up to date in one transaction. Instances
// starting at once take turns by an advisory lock, which the
// transaction's end releases whatever happens.
func migrateDB(ctx context.Context, pool *pgxpool.Pool) error {
	all, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	return migrateTo(ctx, pool, all)
}

// migrateTo applies those of the migrations all that the database lacks.
func migrateTo(ctx context.Context, pool *pgxpool.Pool, all []migrate.Migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		pending, err := migrate.Pending(all, current)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}
