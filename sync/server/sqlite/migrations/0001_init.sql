-- The first schema of the central server's SQLite store.
--
-- Records keep their full JSON in a data column; the columns beside it are
-- copies of the fields that queries filter, join or sum on. Times are Unix
-- nanoseconds.

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	unit_id       TEXT NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	disabled      INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	addr       TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE rank_groups (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);

CREATE TABLE units (
	id       TEXT PRIMARY KEY,
	group_id TEXT NOT NULL REFERENCES rank_groups (id),
	data     TEXT NOT NULL
);
CREATE INDEX units_group ON units (group_id);

CREATE TABLE years (
	id    TEXT PRIMARY KEY,
	state TEXT NOT NULL,
	data  TEXT NOT NULL
);

CREATE TABLE indicators (
	id        TEXT PRIMARY KEY,
	year_id   TEXT NOT NULL REFERENCES years (id),
	parent_id TEXT NOT NULL, -- '' for a top-level category
	code      TEXT NOT NULL,
	max_score REAL NOT NULL,
	data      TEXT NOT NULL,
	UNIQUE (year_id, code)
);
CREATE INDEX indicators_parent ON indicators (parent_id);

CREATE TABLE tasks (
	id           TEXT PRIMARY KEY,
	year_id      TEXT NOT NULL REFERENCES years (id),
	indicator_id TEXT NOT NULL REFERENCES indicators (id),
	unit_id      TEXT NOT NULL REFERENCES units (id),
	status       TEXT NOT NULL,
	version      INTEGER NOT NULL,
	score        REAL NOT NULL,
	scored       INTEGER NOT NULL,
	data         TEXT NOT NULL
);
CREATE INDEX tasks_year_unit ON tasks (year_id, unit_id);
CREATE INDEX tasks_indicator ON tasks (indicator_id);

CREATE TABLE drafts (
	task_id TEXT PRIMARY KEY REFERENCES tasks (id),
	unit_id TEXT NOT NULL,
	data    TEXT NOT NULL
);

CREATE TABLE submissions (
	id      TEXT PRIMARY KEY,
	task_id TEXT NOT NULL REFERENCES tasks (id),
	unit_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	data    TEXT NOT NULL,
	UNIQUE (task_id, version)
);

CREATE TABLE reviews (
	id      TEXT PRIMARY KEY,
	task_id TEXT NOT NULL REFERENCES tasks (id),
	unit_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	data    TEXT NOT NULL
);
CREATE INDEX reviews_task ON reviews (task_id);

CREATE TABLE rectifications (
	id      TEXT PRIMARY KEY,
	task_id TEXT NOT NULL UNIQUE REFERENCES tasks (id),
	unit_id TEXT NOT NULL,
	state   TEXT NOT NULL,
	data    TEXT NOT NULL
);

CREATE TABLE externals (
	id      TEXT PRIMARY KEY,
	year_id TEXT NOT NULL REFERENCES years (id),
	unit_id TEXT NOT NULL REFERENCES units (id),
	source  TEXT NOT NULL,
	data    TEXT NOT NULL
);
CREATE INDEX externals_year_unit ON externals (year_id, unit_id);

CREATE TABLE standings (
	id       TEXT PRIMARY KEY,
	year_id  TEXT NOT NULL REFERENCES years (id),
	unit_id  TEXT NOT NULL,
	group_id TEXT NOT NULL,
	data     TEXT NOT NULL
);

-- Evidence files whose SHA-256 the server has verified.
CREATE TABLE blobs (
	hash        TEXT PRIMARY KEY,
	size        INTEGER NOT NULL,
	name        TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	unit_id     TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);

-- Which units may read an evidence file: the units that uploaded it or whose
-- drafts, submissions or rectifications name it. A row may name a file that
-- is not uploaded yet.
CREATE TABLE blob_units (
	hash    TEXT NOT NULL,
	unit_id TEXT NOT NULL,
	PRIMARY KEY (hash, unit_id)
);

-- Pushed changes by client ID, so that a retried push answers the original
-- result and applies nothing again.
CREATE TABLE changes (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	body_hash  TEXT NOT NULL,
	result     TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

-- The change feed: the latest entry of each entity. AUTOINCREMENT keeps the
-- sequence monotonic even when the newest row is replaced.
CREATE TABLE feed (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	unit_id   TEXT NOT NULL, -- '' when every user may see it
	deleted   INTEGER NOT NULL DEFAULT 0,
	data      TEXT,
	UNIQUE (entity, entity_id)
);
CREATE INDEX feed_unit ON feed (unit_id, seq);

-- The audit chain. Each event's hash covers its fields and the previous
-- event's hash; audit_head remembers the last event so that a removed tail
-- is noticed too.
CREATE TABLE audit (
	seq     INTEGER PRIMARY KEY,
	time    INTEGER NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT NOT NULL,
	data    TEXT NOT NULL,
	prev    TEXT NOT NULL,
	hash    TEXT NOT NULL
);

CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit chain is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit chain is append-only');
END;
