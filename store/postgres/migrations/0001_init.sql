-- The schema of a shuttle store; store/sqlite has the same tables.
-- Times are nanoseconds since 1970 UTC, as bigint, so that they
-- round-trip exactly.

CREATE TABLE cases (
	id text PRIMARY KEY,
	name text NOT NULL,
	created bigint NOT NULL,
	state text NOT NULL,
	closed boolean NOT NULL,
	size bigint NOT NULL CHECK (size >= 0),
	scenario bytea,
	meta bytea
);

CREATE INDEX cases_created ON cases (created, id);

CREATE TABLE participants (
	added bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id text NOT NULL REFERENCES cases (id),
	name text NOT NULL,
	role text NOT NULL,
	token_hash bytea NOT NULL UNIQUE,
	public_key bytea,
	UNIQUE (case_id, name)
);

-- The log. The primary key is what keeps it from forking: one event per
-- (case, seq), whatever the writers do.
CREATE TABLE events (
	case_id text NOT NULL REFERENCES cases (id),
	seq bigint NOT NULL CHECK (seq >= 1),
	time bigint NOT NULL,
	wall bigint,
	kind text NOT NULL,
	sender text NOT NULL,
	recipients text NOT NULL,
	body bytea,
	leaf bytea NOT NULL,
	PRIMARY KEY (case_id, seq)
);

-- Appended batches by idempotency key.
CREATE TABLE batches (
	case_id text NOT NULL REFERENCES cases (id),
	key text NOT NULL,
	first_seq bigint NOT NULL,
	count bigint NOT NULL,
	PRIMARY KEY (case_id, key)
);

CREATE TABLE tree_heads (
	case_id text NOT NULL REFERENCES cases (id),
	size bigint NOT NULL,
	root bytea NOT NULL,
	note bytea NOT NULL,
	PRIMARY KEY (case_id, size)
);

CREATE TABLE timers (
	case_id text NOT NULL REFERENCES cases (id),
	name text NOT NULL,
	at bigint NOT NULL,
	PRIMARY KEY (case_id, name)
);

CREATE INDEX timers_at ON timers (at);
