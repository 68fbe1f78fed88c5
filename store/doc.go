// Package store is the durable record of a live mediation server: its
// cases, their participants, each case's event log and the log's signed
// tree heads. Store is the interface; the packages store/sqlite (an
// embedded file, the default) and store/postgres (for several server
// instances sharing one database) implement it, and store/storetest is
// the conformance suite both pass.
//
// The event log is the truth: a case's state is a fold over its events, so
// the store keeps events as opaque records (already-canonical JSON bodies
// and their leaf hashes, computed by the caller) and never interprets them.
// A case's summary state and its participants' rows are conveniences
// derived from the log, for listing cases and for finding which to resume
// after a restart. A case's deadlines are not kept apart: they are
// recomputed from its log when a server resumes it.
//
// # Appending
//
// Event n of a case has Seq n, from 1, so that a case's Size is also its
// last Seq and the size of its Merkle tree; the entry index of package
// ledger is Seq-1. AppendEvents is optimistic: the caller says which Seq it
// expects the first event to get, which is the case's Size+1 as it last
// saw it. If another writer (another goroutine, or another server
// instance sharing a PostgreSQL database) appended first, AppendEvents
// fails with a conflict and the caller reloads and tries again, so that the
// log never forks and never has a gap. A batch is appended whole or not at
// all, and is durable (committed and flushed to stable storage) when
// AppendEvents returns.
//
// A batch may carry an idempotency key, unique within its case. When a
// client's retry after a lost acknowledgement reaches AppendEvents with a
// key already used, the append fails with a conflict and EventsByKey
// returns what the first attempt appended, which the server answers with.
// If the context ends while AppendEvents waits, the batch may or may not
// have been appended; the key tells which.
//
// # Tokens
//
// Participants authenticate with bearer tokens that the store never sees:
// it keeps the SHA-256 of each token (see HashToken) and looks a
// participant up by that hash. The lookup is an index search whose time
// may depend on the hash, and this is safe for tokens of 256 random bits
// (NewToken makes them): what an attacker could learn from the timing is
// how the hash of its own guess compares with stored hashes, and turning
// that into a valid token would take finding a SHA-256 preimage. So the
// hash lookup is the constant-time comparison the threat model needs; no
// raw token is ever compared or stored.
//
// # Errors
//
// Every method returns a *shuttle.Error whose code says what went wrong:
// shuttle.ENotFound for a case, participant, batch or tree head that does
// not exist, shuttle.EConflict when the write does not fit what is stored
// (a taken Seq, a used key, an existing case), shuttle.EInvalid for values
// the store refuses to keep, and shuttle.EInternal when the database
// fails; or, when ctx ends first, an error wrapping ctx.Err(). Lookups are
// scoped by case: nothing stored for one case is ever found through
// another case's id.
package store
