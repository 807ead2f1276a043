package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// MilestoneView is a milestone filing as the UI shows it.
type MilestoneView struct {
	assess.MilestoneFiling
	// Pending: filed on this PC and not yet applied by the server. A first
	// filing that waits has FiledAt set to the local time it was made; the
	// server's time replaces it once the filing is applied.
	Pending bool
}

const milestoneColumns = "id, task_id, unit_id, milestone_id, statement, attachments, filed_by, filed_at, updated_at"

// milestoneFilings returns the server's filings the condition selects.
func milestoneFilings(ctx context.Context, q querier, cond string, args ...any) ([]assess.MilestoneFiling, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+milestoneColumns+" FROM milestone_filings f WHERE "+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("read milestone filings: %w", err)
	}
	defer rows.Close()
	var out []assess.MilestoneFiling
	for rows.Next() {
		var f assess.MilestoneFiling
		var atts, filed, upd string
		if err := rows.Scan(&f.ID, &f.TaskID, &f.UnitID, &f.MilestoneID, &f.Statement, &atts, &f.FiledBy, &filed, &upd); err != nil {
			return nil, fmt.Errorf("read milestone filings: %w", err)
		}
		if err := json.Unmarshal([]byte(atts), &f.Attachments); err != nil {
			return nil, fmt.Errorf("read milestone filing %s: %w", f.ID, err)
		}
		if f.FiledAt, err = parseTime(filed); err != nil {
			return nil, err
		}
		if f.UpdatedAt, err = parseTime(upd); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// overlayMilestones lays the waiting milestone filings that keep selects
// over the server's filings. A refiling keeps the server's FiledAt and
// FiledBy; a first filing is filed at the time it was made on this PC.
func overlayMilestones(ctx context.Context, q querier, fs []assess.MilestoneFiling, keep func(taskID string) (bool, error)) ([]MilestoneView, error) {
	out := make([]MilestoneView, len(fs))
	at := map[string]int{}
	for i, f := range fs {
		out[i] = MilestoneView{MilestoneFiling: f}
		at[f.ID] = i
	}
	rows, err := outboxWhere(ctx, q, "state = 'pending' AND kind = ?", wire.KindMilestoneFile)
	if err != nil {
		return nil, err
	}
	var units map[string]string // task → unit, read when needed
	for _, r := range rows {
		var m wire.MilestoneFile
		if err := json.Unmarshal([]byte(r.data), &m); err != nil {
			return nil, fmt.Errorf("read waiting %s %s: %w", r.kind, r.id, err)
		}
		if ok, err := keep(m.TaskID); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		id := assess.MilestoneFilingID(m.TaskID, m.MilestoneID)
		i, ok := at[id]
		if !ok {
			if units == nil {
				units = map[string]string{}
			}
			unit, seen := units[m.TaskID]
			if !seen {
				if t, err := loadTask(ctx, q, m.TaskID); err == nil {
					unit = t.UnitID
				} else if assess.ErrorCode(err) != assess.ENotFound {
					return nil, err
				}
				units[m.TaskID] = unit
			}
			out = append(out, MilestoneView{MilestoneFiling: assess.MilestoneFiling{
				ID: id, TaskID: m.TaskID, UnitID: unit, MilestoneID: m.MilestoneID, FiledBy: r.userID, FiledAt: r.madeAt,
			}})
			i = len(out) - 1
			at[id] = i
		}
		v := &out[i]
		v.Statement, v.Attachments, v.UpdatedAt, v.Pending = m.Statement, m.Attachments, r.madeAt, true
		if v.Attachments == nil {
			v.Attachments = []assess.Attachment{}
		}
	}
	return out, nil
}

// MilestoneFilings returns a task's milestone filings, the waiting ones laid
// over the server's, ordered by milestone ID.
func (db *DB) MilestoneFilings(ctx context.Context, taskID string) ([]MilestoneView, error) {
	var out []MilestoneView
	err := db.read(ctx, func(tx *sql.Tx) error {
		fs, err := milestoneFilings(ctx, tx, "task_id = ?", taskID)
		if err != nil {
			return err
		}
		out, err = overlayMilestones(ctx, tx, fs, func(t string) (bool, error) { return t == taskID, nil })
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].MilestoneID < out[j].MilestoneID })
	return out, err
}

// YearMilestoneFilings returns the milestone filings of every task of a
// year, waiting ones laid over, as task ID → milestone ID → filing: what
// assess.TaskWarning and the milestone overview take.
func (db *DB) YearMilestoneFilings(ctx context.Context, yearID string) (map[string]map[string]assess.MilestoneFiling, error) {
	out := map[string]map[string]assess.MilestoneFiling{}
	err := db.read(ctx, func(tx *sql.Tx) error {
		vs, err := yearMilestoneViews(ctx, tx, yearID)
		if err != nil {
			return err
		}
		for _, v := range vs {
			m := out[v.TaskID]
			if m == nil {
				m = map[string]assess.MilestoneFiling{}
				out[v.TaskID] = m
			}
			m[v.MilestoneID] = v.MilestoneFiling
		}
		return nil
	})
	return out, err
}

// yearMilestoneViews returns the filings of the tasks of a year, waiting
// ones laid over.
func yearMilestoneViews(ctx context.Context, q querier, yearID string) ([]MilestoneView, error) {
	fs, err := milestoneFilings(ctx, q, "EXISTS (SELECT 1 FROM tasks t WHERE t.id = f.task_id AND t.year_id = ?)", yearID)
	if err != nil {
		return nil, err
	}
	return overlayMilestones(ctx, q, fs, func(taskID string) (bool, error) {
		var y string
		err := q.QueryRowContext(ctx, "SELECT year_id FROM tasks WHERE id = ?", taskID).Scan(&y)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read task %s: %w", taskID, err)
		}
		return y == yearID, nil
	})
}

// FileMilestone queues a unit's filing (or correction) of one milestone of
// a task (reporters of the task's unit): a statement and the milestone's
// evidence. It is refused as the server would: the task's year closed or not
// published, the task scored (or a score of it waiting), an indicator
// without that milestone, a statement too long, nothing filed at all.
func (db *DB) FileMilestone(ctx context.Context, taskID, milestoneID, statement string, atts []assess.Attachment) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.fileMilestoneTx(ctx, tx, wire.MilestoneFile{TaskID: taskID, MilestoneID: milestoneID, Statement: statement, Attachments: atts})
		return err
	})
}

func (db *DB) fileMilestoneTx(ctx context.Context, tx *sql.Tx, m wire.MilestoneFile) (string, error) {
	if err := assess.ValidateStatement(m.Statement, false); err != nil {
		return "", err
	}
	if strings.TrimSpace(m.Statement) == "" && len(m.Attachments) == 0 {
		return "", assess.Errorf(assess.EInvalid, "请填写时间节点的完成情况或添加佐证材料后再报送 (write a statement or attach evidence)")
	}
	t, err := db.unitTask(ctx, tx, m.TaskID)
	if err != nil {
		return "", err
	}
	if y, ok, err := effectiveYear(ctx, tx, t.YearID); err != nil {
		return "", err
	} else if ok && y.State == assess.YearDraft {
		return "", assess.Errorf(assess.EConflict, "%s考核尚未发布，不能报送时间节点 (the year is not published)", y.Name)
	}
	st, err := localStatus(ctx, tx, t)
	if err != nil {
		return "", err
	}
	if t.Scored || st == assess.Scored {
		return "", assess.Errorf(assess.EConflict, "该指标已赋分，不能再报送时间节点 (the task is already scored)")
	}
	in, ok, err := loadIndicator(ctx, tx, t.IndicatorID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", assess.Errorf(assess.ENotFound, "没有找到该任务的指标，请先同步后再试 (indicator %s not found)", t.IndicatorID)
	}
	found := false
	for _, ms := range in.Milestones {
		found = found || ms.ID == m.MilestoneID
	}
	if !found {
		return "", assess.Errorf(assess.ENotFound, "指标 %s 没有编号为“%s”的时间节点，请同步后再试 (no such milestone)", in.Code, m.MilestoneID)
	}
	// The slot of a milestone's evidence is the milestone itself, not an
	// item of the indicator's checklist.
	if m.Attachments, err = checkAttachments(ctx, tx, assess.Task{}, m.Attachments); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindMilestoneFile, assess.MilestoneFilingID(m.TaskID, m.MilestoneID), m)
}

// milestoneTask returns the task of a milestone filing ID (taskID~milestoneID).
func milestoneTask(id string) string {
	if i := strings.LastIndexByte(id, '~'); i >= 0 {
		return id[:i]
	}
	return id
}
