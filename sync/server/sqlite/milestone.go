package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// applyMilestoneFile files a unit's statement and evidence against one
// milestone of its task. The first filing's server time (FiledAt) decides
// for good whether the milestone was met on time; filing again corrects
// the statement and evidence only.
func applyMilestoneFile(o *op, data json.RawMessage) error {
	var f wire.MilestoneFile
	if err := decode(data, &f); err != nil {
		return err
	}
	task, _, err := o.ownTask(f.TaskID)
	if err != nil {
		return err
	}
	o.subject = assess.MilestoneFilingID(task.ID, f.MilestoneID)
	if task.Status == assess.Scored || task.Scored {
		return assess.Errorf(assess.EConflict, "该指标已赋分，不能再报送时间节点材料 (the task is already scored)")
	}
	in, found, err := o.indicator(task.IndicatorID)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("task %s: indicator %s is missing", task.ID, task.IndicatorID)
	}
	if !hasMilestone(in, f.MilestoneID) {
		return assess.Errorf(assess.ENotFound, "指标 %s 没有编号为“%s”的时间节点，请先同步 (the indicator has no such milestone)", in.Code, printable(f.MilestoneID))
	}
	if err := assess.ValidateStatement(f.Statement, false); err != nil {
		return err
	}
	if err := checkAttachments(f.Attachments); err != nil {
		return err
	}
	atts, err := o.requireBlobs(f.Attachments)
	if err != nil {
		return err
	}
	old, found, err := o.milestoneFiling(o.subject)
	if err != nil {
		return err
	}
	mf := assess.MilestoneFiling{
		ID:          o.subject,
		TaskID:      task.ID,
		UnitID:      task.UnitID,
		MilestoneID: f.MilestoneID,
		Statement:   f.Statement,
		Attachments: atts,
		FiledBy:     o.user.ID,
		FiledAt:     o.now,
		UpdatedAt:   o.now,
	}
	if found {
		mf.FiledBy, mf.FiledAt = old.FiledBy, old.FiledAt
		o.replaces = old
	}
	if err := o.putMilestoneFiling(mf); err != nil {
		return err
	}
	return o.grantAttachments(task.UnitID, atts)
}

func hasMilestone(in assess.Indicator, id string) bool {
	for _, m := range in.Milestones {
		if m.ID == id {
			return true
		}
	}
	return false
}

func (t *txn) milestoneFiling(id string) (assess.MilestoneFiling, bool, error) {
	return get[assess.MilestoneFiling](t, `SELECT data FROM milestone_filings WHERE id = ?`, id)
}

// putMilestoneFiling stores a milestone filing and feeds it to its unit.
func (t *txn) putMilestoneFiling(f assess.MilestoneFiling) error {
	if f.Attachments == nil {
		f.Attachments = []assess.Attachment{}
	}
	data, err := encode(f)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO milestone_filings (id, task_id, unit_id, milestone_id, filed_at, data)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
		f.ID, f.TaskID, f.UnitID, f.MilestoneID, nanos(f.FiledAt), data); err != nil {
		return fmt.Errorf("put milestone filing %s: %w", f.ID, err)
	}
	return t.emit(wire.EntityMilestone, f.ID, f.UnitID, f)
}
