-- Milestone filings, leads from other government systems and on-site
-- inspection records. As in 0001, each record keeps its full JSON in data;
-- the other columns copy the fields that queries filter, join or sum on.

-- A unit's filing against one milestone of a task. filed_at (Unix
-- nanoseconds) is the server's time of the first filing.
CREATE TABLE milestone_filings (
	id           TEXT PRIMARY KEY,
	task_id      TEXT NOT NULL REFERENCES tasks (id),
	unit_id      TEXT NOT NULL,
	milestone_id TEXT NOT NULL,
	filed_at     INTEGER NOT NULL,
	data         TEXT NOT NULL,
	UNIQUE (task_id, milestone_id)
);

-- Leads (督察线索), by source:record_id. A considered lead's deduction comes
-- off its unit's system score in its year.
CREATE TABLE leads (
	id           TEXT PRIMARY KEY,
	year_id      TEXT NOT NULL REFERENCES years (id),
	unit_id      TEXT NOT NULL REFERENCES units (id),
	indicator_id TEXT NOT NULL, -- '' when the sender named none
	considered   INTEGER NOT NULL DEFAULT 0,
	deduction    REAL NOT NULL DEFAULT 0,
	data         TEXT NOT NULL
);
CREATE INDEX leads_year_unit ON leads (year_id, unit_id);

-- On-site inspection visits; a unit's on-site score is their mean.
CREATE TABLE inspections (
	id      TEXT PRIMARY KEY,
	year_id TEXT NOT NULL REFERENCES years (id),
	unit_id TEXT NOT NULL REFERENCES units (id),
	data    TEXT NOT NULL
);
CREATE INDEX inspections_year_unit ON inspections (year_id, unit_id);
