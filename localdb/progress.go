package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// ProgressItems returns what the units have to do in a year, for the
// progress overview: one item per task in the mirror, done when it was first
// submitted (the time of its version-1 submission; for a task submitted or
// scored whose submission is not mirrored, the task's last change), and one
// item per milestone of the task's indicator, done when filed (FiledAt).
// Waiting submits and filings made on this PC count as done at the time
// they were made. Category is the indicator's top-level code.
func (db *DB) ProgressItems(ctx context.Context, yearID string) ([]assess.ProgressItem, error) {
	var out []assess.ProgressItem
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = progressItems(ctx, tx, yearID)
		return err
	})
	return out, err
}

func progressItems(ctx context.Context, tx *sql.Tx, yearID string) ([]assess.ProgressItem, error) {
	filings, err := yearMilestoneViews(ctx, tx, yearID)
	if err != nil {
		return nil, err
	}
	filed := make(map[string]time.Time, len(filings))
	for _, f := range filings {
		filed[f.ID] = f.FiledAt
	}
	box, err := outboxWhere(ctx, tx, "state = 'pending' AND kind = ?", wire.KindSubmit)
	if err != nil {
		return nil, err
	}
	submitted := map[string]time.Time{}
	for _, r := range box {
		if _, ok := submitted[r.ref]; !ok {
			submitted[r.ref] = r.madeAt
		}
	}

	type indicator struct {
		category   string
		milestones []assess.Milestone
	}
	inds := map[string]indicator{}
	irows, err := tx.QueryContext(ctx, "SELECT id, code, milestones FROM indicators WHERE year_id = ?", yearID)
	if err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	defer irows.Close()
	for irows.Next() {
		var id, code, ms string
		if err := irows.Scan(&id, &code, &ms); err != nil {
			return nil, fmt.Errorf("read progress: %w", err)
		}
		in := indicator{}
		in.category, _, _ = strings.Cut(code, ".")
		if ms != "[]" {
			if err := json.Unmarshal([]byte(ms), &in.milestones); err != nil {
				return nil, fmt.Errorf("indicator %s milestones: %w", id, err)
			}
		}
		inds[id] = in
	}
	if err := irows.Err(); err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.indicator_id, t.unit_id, t.status, t.version, t.scored, t.updated_at,
		COALESCE((SELECT MIN(s.submitted_at) FROM submissions s WHERE s.task_id = t.id AND s.version = 1), '')
		FROM tasks t WHERE t.year_id = ?`, yearID)
	if err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	defer rows.Close()
	var out []assess.ProgressItem
	for rows.Next() {
		var id, indID, unit, status, upd, sub string
		var version int
		var scored bool
		if err := rows.Scan(&id, &indID, &unit, &status, &version, &scored, &upd, &sub); err != nil {
			return nil, fmt.Errorf("read progress: %w", err)
		}
		done, err := parseTime(sub)
		if err != nil {
			return nil, err
		}
		st := assess.Status(status)
		if done.IsZero() && (scored || version > 0 || st == assess.Submitted || st == assess.Scored) {
			if done, err = parseTime(upd); err != nil {
				return nil, err
			}
		}
		if done.IsZero() {
			done = submitted[id]
		}
		in := inds[indID]
		out = append(out, assess.ProgressItem{UnitID: unit, Category: in.category, DoneAt: done})
		for _, m := range in.milestones {
			out = append(out, assess.ProgressItem{UnitID: unit, Category: in.category, Milestone: true,
				DoneAt: filed[assess.MilestoneFilingID(id, m.ID)]})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read progress: %w", err)
	}
	return out, nil
}
