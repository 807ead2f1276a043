-- 0001: the first schema of the desktop client's local store.
-- Released migrations are never edited; later changes go into 0002_… and on.

-- Small settings: the feed cursor, the user the mirror belongs to.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- ---------------------------------------------------------------------------
-- The mirror of the server, written only by ApplyPage from the change feed.
-- No foreign keys between these tables: the feed keeps only the latest entry
-- of each entity, so a unit may arrive before the group it names.
-- Times are UTC text in a fixed-width layout, '' when unset.
-- ---------------------------------------------------------------------------

CREATE TABLE years (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    state         TEXT NOT NULL,
    weight_system REAL NOT NULL,
    weight_survey REAL NOT NULL,
    weight_onsite REAL NOT NULL,
    rectify_days  INTEGER NOT NULL,
    warn_days     INTEGER NOT NULL
) STRICT;

CREATE TABLE ranking_groups (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

CREATE TABLE units (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    group_id TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id       TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    unit_id  TEXT NOT NULL,
    admin    INTEGER NOT NULL,
    disabled INTEGER NOT NULL
) STRICT;

CREATE TABLE indicators (
    id           TEXT PRIMARY KEY,
    year_id      TEXT NOT NULL,
    parent_id    TEXT NOT NULL,
    code         TEXT NOT NULL,
    title        TEXT NOT NULL,
    content      TEXT NOT NULL,
    standard     TEXT NOT NULL,
    evidence     TEXT NOT NULL, -- JSON array of checklist items
    max_score    REAL NOT NULL,
    scoring_rule TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    low_score    REAL NOT NULL,
    units        TEXT NOT NULL, -- JSON array of unit IDs
    key_task     INTEGER NOT NULL
) STRICT;
CREATE INDEX indicators_year ON indicators (year_id, code);

CREATE TABLE tasks (
    id             TEXT PRIMARY KEY,
    year_id        TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    unit_id        TEXT NOT NULL,
    status         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    score          REAL NOT NULL,
    scored         INTEGER NOT NULL,
    review_version INTEGER NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX tasks_year_unit ON tasks (year_id, unit_id);
CREATE INDEX tasks_unit ON tasks (unit_id);

-- The unit's working draft as the server keeps it (shared by the unit's PCs).
CREATE TABLE server_drafts (
    id          TEXT PRIMARY KEY,
    task_id     TEXT NOT NULL,
    statement   TEXT NOT NULL,
    attachments TEXT NOT NULL, -- JSON array of assess.Attachment
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX server_drafts_task ON server_drafts (task_id);

-- A submitted version is immutable; its attachments are a JSON array of
-- assess.Attachment (query them with json_each).
CREATE TABLE submissions (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    statement    TEXT NOT NULL,
    attachments  TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL
) STRICT;
CREATE INDEX submissions_task ON submissions (task_id, version);

CREATE TABLE reviews (
    id         TEXT PRIMARY KEY,
    task_id    TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    decision   TEXT NOT NULL,
    score      REAL NOT NULL,
    comment    TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX reviews_task ON reviews (task_id, created_at);

CREATE TABLE rectifications (
    id           TEXT PRIMARY KEY,
    task_id      TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    state        TEXT NOT NULL,
    demand       TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    response     TEXT NOT NULL,
    attachments  TEXT NOT NULL, -- JSON array of assess.Attachment
    responded_at TEXT NOT NULL,
    verification TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    opened_at    TEXT NOT NULL
) STRICT;
CREATE INDEX rectifications_task ON rectifications (task_id);

CREATE TABLE externals (
    id         TEXT PRIMARY KEY,
    year_id    TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    source     TEXT NOT NULL,
    score      REAL NOT NULL,
    max        REAL NOT NULL,
    note       TEXT NOT NULL,
    document   TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX externals_year ON externals (year_id, unit_id);

CREATE TABLE standings (
    id       TEXT PRIMARY KEY,
    year_id  TEXT NOT NULL,
    unit_id  TEXT NOT NULL,
    group_id TEXT NOT NULL,
    system   REAL NOT NULL,
    survey   REAL NOT NULL,
    onsite   REAL NOT NULL,
    total    REAL NOT NULL,
    rank     INTEGER NOT NULL,
    out_of   INTEGER NOT NULL
) STRICT;
CREATE INDEX standings_year ON standings (year_id, group_id, rank);

-- ---------------------------------------------------------------------------
-- The user's own work.
-- ---------------------------------------------------------------------------

-- The local draft of a task: the user's newest words and files. It stays
-- until the server's copy supersedes it (a feed entry at or after synced_seq,
-- the feed sequence of the last applied change that carried it) and nothing
-- of the task waits in the outbox; a rejection never removes it.
CREATE TABLE drafts (
    task_id     TEXT PRIMARY KEY,
    statement   TEXT NOT NULL,
    attachments TEXT NOT NULL, -- JSON array of assess.Attachment
    updated_at  TEXT NOT NULL,
    synced_seq  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Changes waiting to be pushed (state 'pending') or refused by the server
-- ('rejected', with its code and reason) until the user acts. A change the
-- server applied is deleted. seq orders the changes; handed_out is set once
-- Pending has given the change to the syncer, after which its data is never
-- changed again.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL, -- the task, year, indicator, unit … the change is about
    user_id     TEXT NOT NULL,
    data        TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
    handed_out  INTEGER NOT NULL DEFAULT 0,
    code        TEXT NOT NULL DEFAULT '',
    message     TEXT NOT NULL DEFAULT '',
    rejected_at TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX outbox_ref ON outbox (ref, seq);
CREATE INDEX outbox_state ON outbox (state, seq);

-- Evidence files in the content-addressed folder evidence/ab/abcdef…
-- origin 'local': added by the user on this PC; 'download': fetched from the
-- server (a cache that ClearCache may empty).
CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    origin     TEXT NOT NULL CHECK (origin IN ('local', 'download')),
    added_at   TEXT NOT NULL,
    uploaded   INTEGER NOT NULL DEFAULT 0,
    upload_url TEXT NOT NULL DEFAULT ''
) STRICT;

-- The logged-in session (at most one row).
CREATE TABLE session (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    server     TEXT NOT NULL,
    token      TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    username   TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    admin      INTEGER NOT NULL,
    disabled   INTEGER NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

-- Offline-unlock verifiers (argon2id, computed by the caller), per username.
CREATE TABLE verifiers (
    username   TEXT PRIMARY KEY,
    verifier   BLOB NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
