-- 0002: milestones (时间节点), leads (督察线索), on-site inspections (现场督察)
-- and the versioned external scores of survey and third-party results.

-- An indicator's milestones: a JSON array of assess.Milestone.
ALTER TABLE indicators ADD COLUMN milestones TEXT NOT NULL DEFAULT '[]';

-- What a survey or evaluation contractor delivered, and which save this is.
ALTER TABLE externals ADD COLUMN sample_size   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE externals ADD COLUMN items         TEXT NOT NULL DEFAULT '[]'; -- JSON array of assess.ItemScore
ALTER TABLE externals ADD COLUMN document_name TEXT NOT NULL DEFAULT '';
ALTER TABLE externals ADD COLUMN version       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE externals ADD COLUMN updated_by    TEXT NOT NULL DEFAULT '';

-- A unit's filing against one milestone of a task (mirror, feed entity
-- "milestone"). filed_at is the server's time of the first filing.
CREATE TABLE milestone_filings (
    id           TEXT PRIMARY KEY, -- task_id || '~' || milestone_id
    task_id      TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    milestone_id TEXT NOT NULL,
    statement    TEXT NOT NULL,
    attachments  TEXT NOT NULL, -- JSON array of assess.Attachment
    filed_by     TEXT NOT NULL,
    filed_at     TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX milestone_filings_task ON milestone_filings (task_id, milestone_id);

-- Leads from other government systems (mirror, feed entity "lead").
CREATE TABLE leads (
    id            TEXT PRIMARY KEY, -- source || ':' || record_id
    source        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    year_id       TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    date          TEXT NOT NULL,
    summary       TEXT NOT NULL,
    indicator_id  TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    considered    INTEGER NOT NULL,
    deduction     REAL NOT NULL,
    comment       TEXT NOT NULL,
    considered_by TEXT NOT NULL,
    considered_at TEXT NOT NULL
) STRICT;
CREATE INDEX leads_year_unit ON leads (year_id, unit_id, date);
CREATE INDEX leads_indicator ON leads (indicator_id, date);

-- On-site inspection visits (mirror, feed entity "inspection").
CREATE TABLE inspections (
    id          TEXT PRIMARY KEY, -- year_id/unit_id/<random hex>
    year_id     TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    date        TEXT NOT NULL,
    inspectors  TEXT NOT NULL, -- JSON array of names
    findings    TEXT NOT NULL,
    score       REAL NOT NULL,
    max         REAL NOT NULL,
    photos      TEXT NOT NULL, -- JSON array of assess.Attachment
    recorded_by TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX inspections_year_unit ON inspections (year_id, unit_id, date);

-- Progress reads the time of each task's first submission: the index covers
-- it, so that the read never touches the rows with their attachment lists.
DROP INDEX submissions_task;
CREATE INDEX submissions_task ON submissions (task_id, version, submitted_at);
