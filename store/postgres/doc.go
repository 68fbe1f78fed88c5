// Package postgres is the store of shuttle servers that share one
// PostgreSQL database, so that several instances can serve the same
// cases. It implements store.Store through github.com/jackc/pgx/v5.
//
// Open brings the schema up to date under an advisory lock, so that
// instances starting together migrate it once. Appends from several
// instances to one case are serialised by the case's row: each append
// updates the case's size only if it is still what the writer expected,
// which makes the second of two racing writers wait for the first and
// then fail with a conflict, and the primary key (case, seq) of the events
// would refuse a forked log even if that check were bypassed. A commit
// returns once PostgreSQL has flushed its write-ahead log, as it does by
// default (synchronous_commit on).
package postgres
