package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TaskFilter selects tasks; empty fields match everything.
type TaskFilter struct {
	YearID   string
	UnitID   string
	Status   assess.Status // matched against TaskView.Local
	Category string        // the first segment of the indicator code, e.g. "3"
	id       string
}

// TaskView is a task as the UI shows it: the server's copy joined with its
// indicator and unit, the local draft and the state of the task's changes in
// the outbox.
type TaskView struct {
	assess.Task                  // the server's copy
	Indicator   assess.Indicator // zero when not pulled yet
	UnitName    string
	// Local is the status the user should see: the server's, moved on by the
	// changes still waiting to be sent (a waiting submit shows as submitted),
	// and draft once a draft exists.
	Local       assess.Status
	Draft       *Draft      // the local draft, nil when none
	ServerDraft *Draft      // the unit's draft on the server, nil when none
	Pending     []string    // kinds of the task's changes waiting to be sent, oldest first
	Rejected    []Rejection // the task's rejected changes, until the user acts
}

// SubmitPending reports whether a submit of the task waits to be sent.
func (v TaskView) SubmitPending() bool {
	for _, k := range v.Pending {
		if k == wire.KindSubmit {
			return true
		}
	}
	return false
}

// StatusLabel returns the Chinese status the UI shows, e.g. 已提交（待同步）
// while a submit waits to be sent, or 退回补充（同步被拒绝） after a refusal.
func (v TaskView) StatusLabel() string {
	s := v.Local.Label()
	switch {
	case len(v.Rejected) > 0:
		s += "（同步被拒绝）"
	case len(v.Pending) > 0:
		s += "（待同步）"
	}
	return s
}

// loadTask returns the server's copy of a task.
func loadTask(ctx context.Context, q querier, id string) (assess.Task, error) {
	var t assess.Task
	var status, upd string
	err := q.QueryRowContext(ctx, `SELECT id, year_id, indicator_id, unit_id, status, version, score, scored, review_version, updated_at
		FROM tasks WHERE id = ?`, id).Scan(&t.ID, &t.YearID, &t.IndicatorID, &t.UnitID, &status, &t.Version, &t.Score,
		&t.Scored, &t.ReviewVersion, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return t, assess.Errorf(assess.ENotFound, "没有找到该指标任务，请先同步后再试 (task %s not found)", id)
	}
	if err != nil {
		return t, fmt.Errorf("read task %s: %w", id, err)
	}
	t.Status = assess.Status(status)
	t.UpdatedAt, err = parseTime(upd)
	return t, err
}

// moveStatus applies the waiting changes of a task to its status.
func moveStatus(st assess.Status, kind string) assess.Status {
	switch kind {
	case wire.KindSubmit:
		return assess.Submitted
	case wire.KindReturn:
		return assess.Returned
	case wire.KindScore:
		return assess.Scored
	}
	return st
}

// localStatus returns the task's status moved on by its waiting changes.
func localStatus(ctx context.Context, q querier, t assess.Task) (assess.Status, error) {
	rows, err := outboxWhere(ctx, q, "ref = ? AND state = 'pending'", t.ID)
	if err != nil {
		return "", err
	}
	st := t.Status
	for _, r := range rows {
		st = moveStatus(st, r.kind)
	}
	return st, nil
}

// Submit submits the task's draft (the local one, else the unit's draft on
// the server): it queues a task.submit based on the task's server version,
// so that the task shows as 已提交（待同步） until the server answers. What the
// rules refuse is refused here too: an empty statement, no evidence, a task
// already submitted or scored, a closed year.
func (db *DB) Submit(ctx context.Context, taskID string) error {
	_, err := db.submit(ctx, taskID)
	return err
}

func (db *DB) submit(ctx context.Context, taskID string) (string, error) {
	var id string
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := loadTask(ctx, tx, taskID); err != nil {
			return err
		}
		d, ok, err := loadDraft(ctx, tx, taskID)
		if err != nil {
			return err
		}
		if !ok {
			if d, _, err = loadServerDraft(ctx, tx, taskID); err != nil {
				return err
			}
		}
		id, err = db.submitTx(ctx, tx, taskID, d)
		return err
	})
	return id, err
}

func (db *DB) submitTx(ctx context.Context, tx *sql.Tx, taskID string, d Draft) (string, error) {
	t, err := db.unitTask(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	waiting, err := hasPending(ctx, tx, taskID, wire.KindSubmit)
	if err != nil {
		return "", err
	}
	if waiting {
		return "", assess.Errorf(assess.EConflict, "该指标已提交（待同步），不能重复提交 (a submit is already waiting to be sent)")
	}
	st, err := localStatus(ctx, tx, t)
	if err != nil {
		return "", err
	}
	if _, err := (assess.Task{Status: st}).Transition(assess.Submitted); err != nil {
		return "", err
	}
	if err := assess.ValidateStatement(d.Statement, true); err != nil {
		return "", err
	}
	if len(d.Attachments) == 0 {
		return "", assess.Errorf(assess.EInvalid, "请至少添加一份佐证材料后再提交 (attach at least one evidence file)")
	}
	atts, err := checkAttachments(ctx, tx, t, d.Attachments)
	if err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindSubmit, taskID, wire.Submit{
		TaskID: taskID, BaseVersion: t.Version, Statement: d.Statement, Attachments: atts,
	})
}

// Task returns one task as the UI shows it.
func (db *DB) Task(ctx context.Context, id string) (TaskView, error) {
	vs, err := db.Tasks(ctx, TaskFilter{id: id})
	if err != nil {
		return TaskView{}, err
	}
	if len(vs) == 0 {
		return TaskView{}, assess.Errorf(assess.ENotFound, "没有找到该指标任务，请先同步后再试 (task %s not found)", id)
	}
	return vs[0], nil
}

// Tasks returns the tasks the filter selects, ordered by year, indicator
// code (numerically, segment by segment) and unit name.
func (db *DB) Tasks(ctx context.Context, f TaskFilter) ([]TaskView, error) {
	var out []TaskView
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = tasks(ctx, tx, f)
		return err
	})
	return out, err
}

func tasks(ctx context.Context, tx *sql.Tx, f TaskFilter) ([]TaskView, error) {
	cat := f.Category
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.year_id, t.indicator_id, t.unit_id, t.status, t.version, t.score,
		t.scored, t.review_version, t.updated_at, COALESCE(u.name, ''),
		d.statement, d.attachments, d.updated_at,
		sd.statement, sd.attachments, sd.updated_at
		FROM tasks t
		LEFT JOIN units u ON u.id = t.unit_id
		LEFT JOIN indicators i ON i.id = t.indicator_id
		LEFT JOIN drafts d ON d.task_id = t.id
		LEFT JOIN server_drafts sd ON sd.id = (SELECT s.id FROM server_drafts s WHERE s.task_id = t.id ORDER BY s.updated_at DESC LIMIT 1)
		WHERE (?1 = '' OR t.id = ?1) AND (?2 = '' OR t.year_id = ?2) AND (?3 = '' OR t.unit_id = ?3)
		AND (?4 = '' OR i.code = ?4 OR substr(i.code, 1, length(?4) + 1) = ?4 || '.')`,
		f.id, f.YearID, f.UnitID, cat)
	if err != nil {
		return nil, fmt.Errorf("read tasks: %w", err)
	}
	defer rows.Close()
	var out []TaskView
	for rows.Next() {
		var v TaskView
		var status, upd string
		var ds, da, du, ss, sa, su sql.NullString
		if err := rows.Scan(&v.ID, &v.YearID, &v.IndicatorID, &v.UnitID, &status, &v.Version, &v.Score, &v.Scored,
			&v.ReviewVersion, &upd, &v.UnitName, &ds, &da, &du, &ss, &sa, &su); err != nil {
			return nil, fmt.Errorf("read tasks: %w", err)
		}
		v.Status = assess.Status(status)
		if v.UpdatedAt, err = parseTime(upd); err != nil {
			return nil, err
		}
		if ds.Valid {
			d, err := scanDraft(v.ID, ds.String, da.String, du.String, FromLocal)
			if err != nil {
				return nil, err
			}
			v.Draft = &d
		}
		if ss.Valid {
			d, err := scanDraft(v.ID, ss.String, sa.String, su.String, FromServer)
			if err != nil {
				return nil, err
			}
			v.ServerDraft = &d
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tasks: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}

	inds, err := indicatorMap(ctx, tx, f.YearID, out)
	if err != nil {
		return nil, err
	}
	box, err := outboxWhere(ctx, tx, "ref IN (SELECT id FROM tasks)")
	if err != nil {
		return nil, err
	}
	byTask := map[string][]outboxRow{}
	for _, r := range box {
		if taskKinds[r.kind] {
			byTask[r.ref] = append(byTask[r.ref], r)
		}
	}
	kept := out[:0]
	for _, v := range out {
		v.Indicator = inds[v.IndicatorID]
		v.Local = v.Status
		for _, r := range byTask[v.ID] {
			if r.state == StatePending {
				v.Pending = append(v.Pending, r.kind)
				v.Local = moveStatus(v.Local, r.kind)
			} else {
				v.Rejected = append(v.Rejected, rejectionOf(r))
			}
		}
		if v.Local == assess.NotStarted && (v.Draft != nil || v.ServerDraft != nil) {
			v.Local = assess.Draft
		}
		if f.Status == "" || f.Status == v.Local {
			kept = append(kept, v)
		}
	}
	out = kept
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.YearID != b.YearID {
			return a.YearID < b.YearID
		}
		if c := compareCodes(a.Indicator.Code, b.Indicator.Code); c != 0 {
			return c < 0
		}
		if a.UnitName != b.UnitName {
			return a.UnitName < b.UnitName
		}
		return a.ID < b.ID
	})
	return out, nil
}

// indicatorMap loads the indicators the tasks name, once each.
func indicatorMap(ctx context.Context, q querier, yearID string, ts []TaskView) (map[string]assess.Indicator, error) {
	m := map[string]assess.Indicator{}
	if len(ts) == 1 {
		in, ok, err := loadIndicator(ctx, q, ts[0].IndicatorID)
		if ok {
			m[in.ID] = in
		}
		return m, err
	}
	ins, err := indicators(ctx, q, yearID)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		m[in.ID] = in
	}
	return m, nil
}

// compareCodes orders indicator codes segment by segment, numerically where
// both segments are numbers: 2.10 after 2.9, and 10 after 9.
func compareCodes(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		switch {
		case errx == nil && erry == nil && x != y:
			if x < y {
				return -1
			}
			return 1
		case (errx != nil || erry != nil) && as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}
