package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/shuttle-mediation/shuttle/store/internal/migrate"
)

// MigrateTo brings the database dsn names to schema version v and no
// further, as an older shuttle left it.
func MigrateTo(ctx context.Context, dsn string, v int) error {
	all, err := migrate.Load(migrations, "migrations")
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrateTo(ctx, pool, all[:v])
}
