package localdb

import (
	"context"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
)

// Standings returns the totals and ranks of a year as the server computed
// them, by group and rank.
func (db *DB) Standings(ctx context.Context, yearID string) ([]assess.Standing, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT year_id, unit_id, group_id, system, survey, onsite, total, rank, out_of
		FROM standings WHERE year_id = ? ORDER BY group_id, rank, unit_id`, yearID)
	if err != nil {
		return nil, fmt.Errorf("read standings: %w", err)
	}
	defer rows.Close()
	var out []assess.Standing
	for rows.Next() {
		var s assess.Standing
		if err := rows.Scan(&s.YearID, &s.UnitID, &s.GroupID, &s.System, &s.Survey, &s.Onsite, &s.Total, &s.Rank, &s.OutOf); err != nil {
			return nil, fmt.Errorf("read standings: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
