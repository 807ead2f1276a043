package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
)

// submissions returns the submitted versions of a task, oldest first, each
// with its attachments in order.
func submissions(ctx context.Context, q querier, taskID string) ([]assess.Submission, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, task_id, unit_id, version, statement, attachments, submitted_by, submitted_at
		FROM submissions WHERE task_id = ? ORDER BY version, id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	defer rows.Close()
	var out []assess.Submission
	for rows.Next() {
		var s assess.Submission
		var atts, at string
		if err := rows.Scan(&s.ID, &s.TaskID, &s.UnitID, &s.Version, &s.Statement, &atts, &s.SubmittedBy, &at); err != nil {
			return nil, fmt.Errorf("read submissions: %w", err)
		}
		if err := json.Unmarshal([]byte(atts), &s.Attachments); err != nil {
			return nil, fmt.Errorf("read submission %s: %w", s.ID, err)
		}
		if s.SubmittedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Submissions returns the submitted versions of a task, oldest first.
func (db *DB) Submissions(ctx context.Context, taskID string) ([]assess.Submission, error) {
	var out []assess.Submission
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = submissions(ctx, tx, taskID)
		return err
	})
	return out, err
}
