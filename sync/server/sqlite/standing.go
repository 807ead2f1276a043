package sqlite

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// standingKey names the standings of one ranking group in one year.
type standingKey struct{ YearID, GroupID string }

// recomputeStandings re-ranks each group a batch touched, in a fixed order.
func (t *txn) recomputeStandings(dirty map[standingKey]bool) error {
	keys := make([]standingKey, 0, len(dirty))
	for k := range dirty {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].YearID != keys[j].YearID {
			return keys[i].YearID < keys[j].YearID
		}
		return keys[i].GroupID < keys[j].GroupID
	})
	for _, k := range keys {
		if err := t.recomputeGroup(k); err != nil {
			return fmt.Errorf("standings of %s in %s: %w", k.GroupID, k.YearID, err)
		}
	}
	return nil
}

// recomputeGroup ranks the units of a group in a published year with
// assess.Rank and writes (and feeds) only the standings that changed. A
// unit's system score is the sum of its scored tasks less the deductions of
// its considered leads of the year, and at least 0.
func (t *txn) recomputeGroup(k standingKey) error {
	y, found, err := t.year(k.YearID)
	if err != nil || !found || y.State != assess.YearPublished {
		return err
	}
	scores := map[string]*assess.UnitScores{}
	var units []*assess.UnitScores
	rows, err := t.query(`SELECT data FROM units WHERE group_id = ? ORDER BY id`, k.GroupID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var data []byte
		var u assess.Unit
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(data, &u); err != nil {
			rows.Close()
			return err
		}
		us := &assess.UnitScores{UnitID: u.ID, GroupID: u.GroupID, Name: u.Name, External: map[assess.Source]assess.ExternalScore{}}
		scores[u.ID] = us
		units = append(units, us)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(units) == 0 {
		return nil
	}

	rows, err = t.query(`SELECT t.unit_id, SUM(CASE WHEN t.scored = 1 THEN t.score ELSE 0 END), SUM(i.max_score)
		FROM tasks t JOIN units u ON u.id = t.unit_id JOIN indicators i ON i.id = t.indicator_id
		WHERE t.year_id = ? AND u.group_id = ? GROUP BY t.unit_id`, k.YearID, k.GroupID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var unitID string
		var score, max float64
		if err := rows.Scan(&unitID, &score, &max); err != nil {
			rows.Close()
			return err
		}
		if us := scores[unitID]; us != nil {
			us.SystemScore, us.SystemMax = score, max
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// A considered lead's deduction comes off the unit's system score,
	// which stays at least 0.
	rows, err = t.query(`SELECT l.unit_id, SUM(l.deduction)
		FROM leads l JOIN units u ON u.id = l.unit_id
		WHERE l.year_id = ? AND u.group_id = ? AND l.considered = 1 GROUP BY l.unit_id`, k.YearID, k.GroupID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var unitID string
		var deduction float64
		if err := rows.Scan(&unitID, &deduction); err != nil {
			rows.Close()
			return err
		}
		if us := scores[unitID]; us != nil {
			us.Deduction = deduction
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = t.query(`SELECT e.data FROM externals e JOIN units u ON u.id = e.unit_id
		WHERE e.year_id = ? AND u.group_id = ?`, k.YearID, k.GroupID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var data []byte
		var e assess.ExternalScore
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(data, &e); err != nil {
			rows.Close()
			return err
		}
		if us := scores[e.UnitID]; us != nil {
			us.External[e.Source] = e
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	in := make([]assess.UnitScores, len(units))
	for i, us := range units {
		in[i] = *us
	}
	for _, st := range assess.Rank(y.ID, y.Weights, in) {
		if err := t.putStanding(st); err != nil {
			return err
		}
	}
	return nil
}

// putStanding stores a unit's standing when it differs from the stored one.
func (t *txn) putStanding(st assess.Standing) error {
	id := st.YearID + "/" + st.UnitID
	data, err := encode(st)
	if err != nil {
		return err
	}
	var old string
	err = t.queryRow(`SELECT data FROM standings WHERE id = ?`, id).Scan(&old)
	if err == nil && old == data {
		return nil
	}
	if err != nil && !isNoRows(err) {
		return err
	}
	if _, err := t.exec(`INSERT INTO standings (id, year_id, unit_id, group_id, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, data = excluded.data`,
		id, st.YearID, st.UnitID, st.GroupID, data); err != nil {
		return fmt.Errorf("put standing %s: %w", id, err)
	}
	return t.emit(wire.EntityStanding, id, "", st)
}
