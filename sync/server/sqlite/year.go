package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// maxDays bounds the working-day settings of a year.
const maxDays = 250

// applyYearSave creates a year in draft or edits a year that is not closed;
// its state changes only by publishing and closing.
func applyYearSave(o *op, data json.RawMessage) error {
	var y assess.Year
	if err := decode(data, &y); err != nil {
		return err
	}
	o.subject = y.ID
	if err := checkID(y.ID, "考核年度"); err != nil {
		return err
	}
	if strings.TrimSpace(y.Name) == "" {
		return assess.Errorf(assess.EInvalid, "考核年度名称不能为空 (year name is required)")
	}
	if err := checkText(y.Name, "名称"); err != nil {
		return err
	}
	if err := y.Weights.Validate(); err != nil {
		return err
	}
	if y.RectifyDays < 0 || y.RectifyDays > maxDays || y.WarnDays < 0 || y.WarnDays > maxDays {
		return assess.Errorf(assess.EInvalid, "整改期限和预警天数应在 0 到 %d 个工作日之间 (working-day settings out of range)", maxDays)
	}
	old, found, err := o.year(y.ID)
	if err != nil {
		return err
	}
	y.State = assess.YearDraft
	if found {
		if err := old.CheckWritable(); err != nil {
			return err
		}
		y.State = old.State
	}
	if err := o.putYear(y); err != nil {
		return err
	}
	if found && y.State == assess.YearPublished && y.Weights != old.Weights {
		return o.touchYear(y.ID)
	}
	return nil
}

// touchYear marks every group's standings in the year for recomputing.
func (o *op) touchYear(yearID string) error {
	rows, err := o.query(`SELECT id FROM rank_groups`)
	if err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		o.dirty[standingKey{YearID: yearID, GroupID: id}] = true
	}
	return rows.Err()
}

func (o *op) yearRef(data json.RawMessage) (assess.Year, error) {
	var ref wire.YearRef
	if err := decode(data, &ref); err != nil {
		return assess.Year{}, err
	}
	o.subject = ref.YearID
	return o.writableYear(ref.YearID)
}

// applyYearPublish publishes a draft year: every leaf indicator becomes a
// task, not started, for each unit it is assigned to.
func applyYearPublish(o *op, data json.RawMessage) error {
	y, err := o.yearRef(data)
	if err != nil {
		return err
	}
	if !y.State.CanBecome(assess.YearPublished) {
		return assess.Errorf(assess.EConflict, "%s考核年度已发布，不能重复发布 (the year is already published)", y.Name)
	}
	y.State = assess.YearPublished
	if err := o.putYear(y); err != nil {
		return err
	}
	leaves, err := o.leafIndicators(y.ID)
	if err != nil {
		return err
	}
	for _, in := range leaves {
		for _, unitID := range in.Units {
			if err := o.addTask(in, unitID); err != nil {
				return err
			}
		}
	}
	return o.touchYear(y.ID)
}

// leafIndicators returns the indicators of a year that have no children:
// the ones that become tasks.
func (o *op) leafIndicators(yearID string) ([]assess.Indicator, error) {
	rows, err := o.query(`SELECT data FROM indicators i WHERE year_id = ?
		AND NOT EXISTS (SELECT 1 FROM indicators c WHERE c.parent_id = i.id) ORDER BY code, id`, yearID)
	if err != nil {
		return nil, fmt.Errorf("leaf indicators: %w", err)
	}
	defer rows.Close()
	var ins []assess.Indicator
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var in assess.Indicator
		if err := json.Unmarshal(data, &in); err != nil {
			return nil, fmt.Errorf("decode indicator: %w", err)
		}
		ins = append(ins, in)
	}
	return ins, rows.Err()
}

func (o *op) addTask(in assess.Indicator, unitID string) error {
	return o.putTask(assess.Task{
		ID:          assess.TaskID(in.ID, unitID),
		YearID:      in.YearID,
		IndicatorID: in.ID,
		UnitID:      unitID,
		Status:      assess.NotStarted,
		UpdatedAt:   o.now,
	})
}

// applyYearClose closes a published year; from then on it is frozen.
func applyYearClose(o *op, data json.RawMessage) error {
	y, err := o.yearRef(data)
	if err != nil {
		return err
	}
	if !y.State.CanBecome(assess.YearClosed) {
		return assess.Errorf(assess.EConflict, "%s考核年度尚未发布，不能关闭 (a year must be published before it is closed)", y.Name)
	}
	y.State = assess.YearClosed
	return o.putYear(y)
}
