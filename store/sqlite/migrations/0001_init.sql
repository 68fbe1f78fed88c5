-- The schema of a shuttle store; store/postgres has the same tables.
-- Times are nanoseconds since 1970 UTC.

CREATE TABLE cases (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created INTEGER NOT NULL,
	state TEXT NOT NULL,
	closed INTEGER NOT NULL CHECK (closed IN (0, 1)),
	size INTEGER NOT NULL CHECK (size >= 0),
	scenario BLOB,
	meta BLOB
) STRICT;

CREATE INDEX cases_created ON cases (created, id);

-- added, an alias of the rowid, orders participants as they were added.
CREATE TABLE participants (
	added INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	public_key BLOB,
	UNIQUE (case_id, name)
) STRICT;

-- The log. The primary key is what keeps it from forking: one event per
-- (case, seq), whatever the writers do.
CREATE TABLE events (
	case_id TEXT NOT NULL REFERENCES cases (id),
	seq INTEGER NOT NULL CHECK (seq >= 1),
	time INTEGER NOT NULL,
	wall INTEGER,
	kind TEXT NOT NULL,
	sender TEXT NOT NULL,
	recipients TEXT NOT NULL,
	body BLOB,
	leaf BLOB NOT NULL,
	PRIMARY KEY (case_id, seq)
) STRICT;

-- Appended batches by idempotency key.
CREATE TABLE batches (
	case_id TEXT NOT NULL REFERENCES cases (id),
	key TEXT NOT NULL,
	first_seq INTEGER NOT NULL,
	count INTEGER NOT NULL,
	PRIMARY KEY (case_id, key)
) STRICT;

CREATE TABLE tree_heads (
	case_id TEXT NOT NULL REFERENCES cases (id),
	size INTEGER NOT NULL,
	root BLOB NOT NULL,
	note BLOB NOT NULL,
	PRIMARY KEY (case_id, size)
) STRICT;

CREATE TABLE timers (
	case_id TEXT NOT NULL REFERENCES cases (id),
	name TEXT NOT NULL,
	at INTEGER NOT NULL,
	PRIMARY KEY (case_id, name)
) STRICT;

CREATE INDEX timers_at ON timers (at);
