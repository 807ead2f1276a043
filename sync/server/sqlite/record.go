package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// get loads the JSON data column a query selects into a T and reports
// whether a row was found.
func get[T any](t *txn, query string, args ...any) (T, bool, error) {
	var v T
	var data []byte
	err := t.queryRow(query, args...).Scan(&data)
	if isNoRows(err) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, false, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, true, nil
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// maxIDBytes bounds the IDs of years, groups, units and indicators.
const maxIDBytes = 64

// checkID checks the ID of a year, group, unit or indicator: present, short,
// without spaces, control characters or the separators that compose other
// IDs (/ # @).
func checkID(id, what string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return assess.Errorf(assess.EInvalid, "%s编号不能为空 (%s ID is required)", what, whatEN[what])
	case len(id) > maxIDBytes || !utf8.ValidString(id):
		return assess.Errorf(assess.EInvalid, "%s编号过长或含有无效字符（最多 %d 字节） (%s ID too long or not UTF-8)", what, maxIDBytes, whatEN[what])
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/#@", r) }):
		return assess.Errorf(assess.EInvalid, "%s编号“%s”不能含有空格、控制字符或 / # @ (%s ID must not contain spaces, control characters, / # or @)", what, printable(id), whatEN[what])
	}
	return nil
}

var whatEN = map[string]string{"考核年度": "year", "排名分组": "group", "单位": "unit", "指标": "indicator"}

// checkText checks free text a user wrote: valid UTF-8, no NUL, not too long.
func checkText(s, what string) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return assess.Errorf(assess.EInvalid, "%s含有无效字符 (%s contains invalid characters)", what, textEN[what])
	}
	if utf8.RuneCountInString(s) > assess.MaxStatementRunes {
		return assess.Errorf(assess.EInvalid, "%s不能超过 %d 字 (%s too long)", what, assess.MaxStatementRunes, textEN[what])
	}
	return nil
}

var textEN = map[string]string{
	"审核意见": "review comment", "整改情况说明": "rectification response", "核验意见": "verification comment",
	"名称": "name", "备注": "note", "指标内容": "indicator text",
	"扣分说明": "deduction comment", "督察人员": "inspector", "文件名": "file name", "分项名称": "item name",
	"时间节点内容": "milestone title", "督察情况": "findings",
}

// Years.

func (t *txn) year(id string) (assess.Year, bool, error) {
	return get[assess.Year](t, `SELECT data FROM years WHERE id = ?`, id)
}

func (t *txn) putYear(y assess.Year) error {
	data, err := encode(y)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO years (id, state, data) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data`, y.ID, string(y.State), data); err != nil {
		return fmt.Errorf("put year %s: %w", y.ID, err)
	}
	return t.emit(wire.EntityYear, y.ID, "", y)
}

// writableYear returns the year a change writes into: ENotFound if none,
// EClosed once it is closed.
func (t *txn) writableYear(id string) (assess.Year, error) {
	y, found, err := t.year(id)
	if err != nil {
		return y, err
	}
	if !found {
		return y, assess.Errorf(assess.ENotFound, "考核年度“%s”不存在 (no such year)", printable(id))
	}
	return y, y.CheckWritable()
}

// Groups and units.

func (t *txn) group(id string) (assess.Group, bool, error) {
	return get[assess.Group](t, `SELECT data FROM rank_groups WHERE id = ?`, id)
}

func (t *txn) putGroup(g assess.Group) error {
	data, err := encode(g)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO rank_groups (id, data) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, g.ID, data); err != nil {
		return fmt.Errorf("put group %s: %w", g.ID, err)
	}
	return t.emit(wire.EntityGroup, g.ID, "", g)
}

func (t *txn) unit(id string) (assess.Unit, bool, error) {
	return get[assess.Unit](t, `SELECT data FROM units WHERE id = ?`, id)
}

func (t *txn) putUnit(u assess.Unit) error {
	data, err := encode(u)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO units (id, group_id, data) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, data = excluded.data`, u.ID, u.GroupID, data); err != nil {
		return fmt.Errorf("put unit %s: %w", u.ID, err)
	}
	return t.emit(wire.EntityUnit, u.ID, "", u)
}

// Indicators.

func (t *txn) indicator(id string) (assess.Indicator, bool, error) {
	return get[assess.Indicator](t, `SELECT data FROM indicators WHERE id = ?`, id)
}

func (t *txn) putIndicator(in assess.Indicator) error {
	data, err := encode(in)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO indicators (id, year_id, parent_id, code, max_score, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, code = excluded.code,
			max_score = excluded.max_score, data = excluded.data`,
		in.ID, in.YearID, in.ParentID, in.Code, in.MaxScore, data); err != nil {
		return fmt.Errorf("put indicator %s: %w", in.ID, err)
	}
	return t.emit(wire.EntityIndicator, in.ID, "", in)
}

// Tasks and drafts.

func (t *txn) task(id string) (assess.Task, bool, error) {
	return get[assess.Task](t, `SELECT data FROM tasks WHERE id = ?`, id)
}

func (t *txn) putTask(task assess.Task) error {
	data, err := encode(task)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO tasks (id, year_id, indicator_id, unit_id, status, version, score, scored, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, version = excluded.version,
			score = excluded.score, scored = excluded.scored, data = excluded.data`,
		task.ID, task.YearID, task.IndicatorID, task.UnitID, string(task.Status), task.Version,
		task.Score, boolInt(task.Scored), data); err != nil {
		return fmt.Errorf("put task %s: %w", task.ID, err)
	}
	return t.emit(wire.EntityTask, task.ID, task.UnitID, task)
}

func (t *txn) deleteTask(task assess.Task) error {
	if err := t.deleteDraft(task.ID, task.UnitID); err != nil {
		return err
	}
	if _, err := t.exec(`DELETE FROM tasks WHERE id = ?`, task.ID); err != nil {
		return fmt.Errorf("delete task %s: %w", task.ID, err)
	}
	return t.emitDeleted(wire.EntityTask, task.ID, task.UnitID)
}

func (t *txn) putDraft(unitID string, d wire.DraftSave) error {
	data, err := encode(d)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO drafts (task_id, unit_id, data) VALUES (?, ?, ?)
		ON CONFLICT (task_id) DO UPDATE SET data = excluded.data`, d.TaskID, unitID, data); err != nil {
		return fmt.Errorf("put draft %s: %w", d.TaskID, err)
	}
	return t.emit(wire.EntityDraft, d.TaskID, unitID, d)
}

// deleteDraft removes a task's draft, if there is one, and tells the feed.
func (t *txn) deleteDraft(taskID, unitID string) error {
	res, err := t.exec(`DELETE FROM drafts WHERE task_id = ?`, taskID)
	if err != nil {
		return fmt.Errorf("delete draft %s: %w", taskID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return t.emitDeleted(wire.EntityDraft, taskID, unitID)
}

// Submissions, reviews, rectifications: submissions and reviews are only
// ever inserted.

func (t *txn) addSubmission(s assess.Submission) error {
	data, err := encode(s)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO submissions (id, task_id, unit_id, version, data) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.TaskID, s.UnitID, s.Version, data); err != nil {
		return fmt.Errorf("add submission %s: %w", s.ID, err)
	}
	return t.emit(wire.EntitySubmission, s.ID, s.UnitID, s)
}

func (t *txn) addReview(r assess.Review) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO reviews (id, task_id, unit_id, version, data) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.TaskID, r.UnitID, r.Version, data); err != nil {
		return fmt.Errorf("add review %s: %w", r.ID, err)
	}
	return t.emit(wire.EntityReview, r.ID, r.UnitID, r)
}

func (t *txn) rectification(taskID string) (assess.Rectification, bool, error) {
	return get[assess.Rectification](t, `SELECT data FROM rectifications WHERE id = ?`, taskID)
}

func (t *txn) putRectification(r assess.Rectification) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO rectifications (id, task_id, unit_id, state, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data`,
		r.ID, r.TaskID, r.UnitID, string(r.State), data); err != nil {
		return fmt.Errorf("put rectification %s: %w", r.ID, err)
	}
	return t.emit(wire.EntityRectification, r.ID, r.UnitID, r)
}

// External scores.

func (t *txn) external(id string) (assess.ExternalScore, bool, error) {
	return get[assess.ExternalScore](t, `SELECT data FROM externals WHERE id = ?`, id)
}

func (t *txn) putExternal(e assess.ExternalScore) error {
	data, err := encode(e)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO externals (id, year_id, unit_id, source, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`,
		e.ID, e.YearID, e.UnitID, string(e.Source), data); err != nil {
		return fmt.Errorf("put external score %s: %w", e.ID, err)
	}
	return t.emit(wire.EntityExternal, e.ID, e.UnitID, e)
}
