package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
)

// applyIndicatorSave creates or edits a node of a year's indicator tree. In
// a published year, a unit newly assigned to a leaf gets its task at once,
// and a unit that has already submitted cannot be unassigned.
func applyIndicatorSave(o *op, data json.RawMessage) error {
	var in assess.Indicator
	if err := decode(data, &in); err != nil {
		return err
	}
	o.subject = in.ID
	if err := checkID(in.ID, "指标"); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	for _, s := range append([]string{in.Code, in.Title, in.Content, in.Standard, in.ScoringRule}, in.Evidence...) {
		if err := checkText(s, "指标内容"); err != nil {
			return err
		}
	}
	for _, m := range in.Milestones {
		if err := checkText(m.Title, "时间节点内容"); err != nil {
			return err
		}
	}
	y, err := o.writableYear(in.YearID)
	if err != nil {
		return err
	}
	old, found, err := o.indicator(in.ID)
	if err != nil {
		return err
	}
	if found && old.YearID != in.YearID {
		return assess.Errorf(assess.EInvalid, "指标 %s 属于%s，不能移到其他年度 (an indicator cannot move to another year)", in.Code, old.YearID)
	}
	if err := o.checkParent(in); err != nil {
		return err
	}
	var other string
	err = o.queryRow(`SELECT id FROM indicators WHERE year_id = ? AND code = ? AND id <> ?`, in.YearID, in.Code, in.ID).Scan(&other)
	if err == nil {
		return assess.Errorf(assess.EConflict, "指标编号 %s 在本年度已被使用，请换一个编号 (code %s is already used this year)", in.Code, in.Code)
	}
	if !isNoRows(err) {
		return err
	}
	units, err := o.checkUnits(in.Units)
	if err != nil {
		return err
	}
	in.Units = units
	if err := o.putIndicator(in); err != nil {
		return err
	}
	if y.State != assess.YearPublished {
		return nil
	}
	if err := o.assignTasks(in); err != nil {
		return err
	}
	return o.touchYear(y.ID)
}

// checkParent checks that the parent exists in the same year and that the
// tree stays a tree.
func (o *op) checkParent(in assess.Indicator) error {
	seen := map[string]bool{in.ID: true}
	for id := in.ParentID; id != ""; {
		if seen[id] {
			return assess.Errorf(assess.EInvalid, "指标 %s 的上级不能是它自己或它的下级 (the parent would make a loop)", in.Code)
		}
		seen[id] = true
		p, found, err := o.indicator(id)
		if err != nil {
			return err
		}
		if !found {
			return assess.Errorf(assess.EInvalid, "指标 %s 的上级指标“%s”不存在，请先保存上级指标 (no such parent indicator)", in.Code, printable(id))
		}
		if p.YearID != in.YearID {
			return assess.Errorf(assess.EInvalid, "指标 %s 的上级指标属于其他年度 (the parent belongs to another year)", in.Code)
		}
		id = p.ParentID
	}
	return nil
}

// checkUnits checks that every assigned unit exists and drops repeats.
func (o *op) checkUnits(ids []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		_, found, err := o.unit(id)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, assess.Errorf(assess.EInvalid, "分配的单位“%s”不存在，请先添加该单位 (no such unit)", printable(id))
		}
		out = append(out, id)
	}
	return out, nil
}

// assignTasks brings a published year's tasks in line with an indicator's
// assignment: new units get a task; units no longer assigned lose theirs,
// unless they have already submitted.
func (o *op) assignTasks(in assess.Indicator) error {
	if in.ParentID != "" {
		var n int
		if err := o.queryRow(`SELECT COUNT(*) FROM tasks WHERE indicator_id = ?`, in.ParentID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return assess.Errorf(assess.EConflict, "上级指标已下发为任务，不能再添加下级指标 (the parent indicator already has tasks)")
		}
	}
	var children int
	if err := o.queryRow(`SELECT COUNT(*) FROM indicators WHERE parent_id = ?`, in.ID).Scan(&children); err != nil {
		return err
	}
	existing := map[string]assess.Task{}
	rows, err := o.query(`SELECT data FROM tasks WHERE indicator_id = ?`, in.ID)
	if err != nil {
		return fmt.Errorf("tasks of %s: %w", in.ID, err)
	}
	for rows.Next() {
		var data []byte
		var t assess.Task
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(data, &t); err != nil {
			rows.Close()
			return fmt.Errorf("decode task: %w", err)
		}
		existing[t.UnitID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	assigned := map[string]bool{}
	if children == 0 {
		for _, unitID := range in.Units {
			assigned[unitID] = true
			if _, ok := existing[unitID]; !ok {
				if err := o.addTask(in, unitID); err != nil {
					return err
				}
			}
		}
	}
	for _, unitID := range sortedKeys(existing) {
		if assigned[unitID] {
			continue
		}
		t := existing[unitID]
		if t.Version > 0 {
			return assess.Errorf(assess.EConflict, "单位“%s”已提交指标 %s，不能取消分配 (the unit has already submitted this task)", printable(unitID), in.Code)
		}
		var filed int
		if err := o.queryRow(`SELECT COUNT(*) FROM milestone_filings WHERE task_id = ?`, t.ID).Scan(&filed); err != nil {
			return err
		}
		if filed > 0 {
			return assess.Errorf(assess.EConflict, "单位“%s”已报送指标 %s 的时间节点材料，不能取消分配 (the unit has already filed milestones of this task)", printable(unitID), in.Code)
		}
		if err := o.deleteTask(t); err != nil {
			return err
		}
	}
	return nil
}
