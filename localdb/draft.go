package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// DraftSource says where the draft a user edits comes from.
type DraftSource string

// Draft sources, in the order Draft looks for them.
const (
	FromLocal      DraftSource = "local"      // the user's own draft on this PC
	FromServer     DraftSource = "server"     // the unit's draft on the server (saved from any PC)
	FromSubmission DraftSource = "submission" // the latest submitted version
	FromNothing    DraftSource = ""           // nothing written yet
)

// Draft is a task's working statement and evidence.
type Draft struct {
	TaskID      string
	Statement   string
	Attachments []assess.Attachment
	UpdatedAt   time.Time
	Source      DraftSource
}

// SaveDraft keeps the user's draft of a task and queues a draft.save, in one
// transaction. Successive saves coalesce into one outbox row while it has not
// been handed to the syncer (see queueDraft). The statement may be empty; the
// task must still be editable (not submitted or scored, and no submit of it
// waiting to be sent), and only the task's own unit may write it.
func (db *DB) SaveDraft(ctx context.Context, taskID, statement string, atts []assess.Attachment) error {
	_, err := db.saveDraft(ctx, taskID, statement, atts)
	return err
}

func (db *DB) saveDraft(ctx context.Context, taskID, statement string, atts []assess.Attachment) (string, error) {
	var id string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = db.saveDraftTx(ctx, tx, taskID, statement, atts)
		return err
	})
	return id, err
}

func (db *DB) saveDraftTx(ctx context.Context, tx *sql.Tx, taskID, statement string, atts []assess.Attachment) (string, error) {
	if err := assess.ValidateStatement(statement, false); err != nil {
		return "", err
	}
	t, err := db.unitTask(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	st, err := localStatus(ctx, tx, t)
	if err != nil {
		return "", err
	}
	if !st.Editable() {
		return "", notEditable(st, st != t.Status)
	}
	if atts, err = checkAttachments(ctx, tx, t, atts); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (task_id, statement, attachments, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (task_id) DO UPDATE SET statement = excluded.statement, attachments = excluded.attachments,
		updated_at = excluded.updated_at`, taskID, statement, jsonAttachments(atts), fmtTime(db.now())); err != nil {
		return "", fmt.Errorf("save draft: %w", err)
	}
	return db.queueDraft(ctx, tx, wire.DraftSave{TaskID: taskID, Statement: statement, Attachments: atts})
}

// notEditable explains why a task's draft cannot change.
func notEditable(st assess.Status, waiting bool) error {
	switch {
	case waiting && st == assess.Submitted:
		return assess.Errorf(assess.EConflict, "该指标已提交（待同步），同步完成前不能修改草稿 (a submit is waiting to be sent)")
	case st == assess.Submitted:
		return assess.Errorf(assess.EConflict, "该指标已提交，正在等待审核，不能修改；如需补充，请等待审核退回 (submitted, awaiting review)")
	case st == assess.Scored:
		return assess.Errorf(assess.EConflict, "该指标已赋分，不能再修改 (the task is already scored)")
	}
	return assess.Errorf(assess.EConflict, "该指标当前状态为“%s”，不能修改 (the task cannot be edited)", st.Label())
}

// unitTask loads a task for an action of its unit: the session user (when
// known) must be a reporter of the task's unit, and the year must be open.
func (db *DB) unitTask(ctx context.Context, tx *sql.Tx, taskID string) (assess.Task, error) {
	t, err := loadTask(ctx, tx, taskID)
	if err != nil {
		return t, err
	}
	u, known, err := actor(ctx, tx)
	if err != nil {
		return t, err
	}
	if err := checkReporter(u, known, t.UnitID); err != nil {
		return t, err
	}
	return t, yearWritable(ctx, tx, t.YearID)
}

// checkAttachments validates a list of evidence files for a task and returns
// a copy (never nil).
func checkAttachments(ctx context.Context, q querier, t assess.Task, atts []assess.Attachment) ([]assess.Attachment, error) {
	slots := -1 // unknown
	if in, ok, err := loadIndicator(ctx, q, t.IndicatorID); err != nil {
		return nil, err
	} else if ok {
		slots = len(in.Evidence)
	}
	out := make([]assess.Attachment, 0, len(atts))
	type key struct {
		hash string
		slot int
	}
	seen := map[key]bool{}
	for _, a := range atts {
		if err := assess.ValidateFileName(a.Name); err != nil {
			return nil, err
		}
		if err := assess.ValidateHash(a.Hash); err != nil {
			return nil, assess.Errorf(assess.EInvalid, "佐证材料“%s”的文件摘要不正确，请重新添加该文件 (bad SHA-256)", a.Name)
		}
		if a.Size <= 0 || a.Size > assess.MaxEvidenceSize {
			return nil, assess.Errorf(assess.EInvalid, "佐证材料“%s”的大小不正确，请重新添加该文件 (bad size)", a.Name)
		}
		if a.Slot < -1 || slots >= 0 && a.Slot >= slots {
			return nil, assess.Errorf(assess.EInvalid, "佐证材料“%s”对应的资料清单项不存在，请重新选择 (no such checklist item)", a.Name)
		}
		k := key{a.Hash, a.Slot}
		if seen[k] {
			return nil, assess.Errorf(assess.EInvalid, "佐证材料“%s”重复添加了，请删除重复的一份 (the same file is attached twice)", a.Name)
		}
		seen[k] = true
		out = append(out, a)
	}
	return out, nil
}

func scanDraft(taskID, statement, atts, updated string, src DraftSource) (Draft, error) {
	d := Draft{TaskID: taskID, Statement: statement, Source: src}
	if err := json.Unmarshal([]byte(atts), &d.Attachments); err != nil {
		return Draft{}, fmt.Errorf("read draft %s: %w", taskID, err)
	}
	var err error
	d.UpdatedAt, err = parseTime(updated)
	return d, err
}

// loadDraft returns the local draft of a task.
func loadDraft(ctx context.Context, q querier, taskID string) (Draft, bool, error) {
	var st, atts, upd string
	err := q.QueryRowContext(ctx, "SELECT statement, attachments, updated_at FROM drafts WHERE task_id = ?", taskID).Scan(&st, &atts, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, false, nil
	}
	if err != nil {
		return Draft{}, false, fmt.Errorf("read draft %s: %w", taskID, err)
	}
	d, err := scanDraft(taskID, st, atts, upd, FromLocal)
	return d, err == nil, err
}

// loadServerDraft returns the server's copy of a task's draft.
func loadServerDraft(ctx context.Context, q querier, taskID string) (Draft, bool, error) {
	var st, atts, upd string
	err := q.QueryRowContext(ctx, `SELECT statement, attachments, updated_at FROM server_drafts WHERE task_id = ?
		ORDER BY updated_at DESC LIMIT 1`, taskID).Scan(&st, &atts, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return Draft{}, false, nil
	}
	if err != nil {
		return Draft{}, false, fmt.Errorf("read server draft %s: %w", taskID, err)
	}
	d, err := scanDraft(taskID, st, atts, upd, FromServer)
	return d, err == nil, err
}

// effectiveDraft returns the draft the user works on: the local one, else
// the server's, else the latest submission's content, else an empty draft.
func effectiveDraft(ctx context.Context, q querier, taskID string) (Draft, error) {
	if d, ok, err := loadDraft(ctx, q, taskID); err != nil || ok {
		return d, err
	}
	if d, ok, err := loadServerDraft(ctx, q, taskID); err != nil || ok {
		return d, err
	}
	subs, err := submissions(ctx, q, taskID)
	if err != nil {
		return Draft{}, err
	}
	if len(subs) > 0 {
		s := subs[len(subs)-1]
		return Draft{TaskID: taskID, Statement: s.Statement, Attachments: s.Attachments, UpdatedAt: s.SubmittedAt, Source: FromSubmission}, nil
	}
	return Draft{TaskID: taskID, Attachments: []assess.Attachment{}, Source: FromNothing}, nil
}

// Draft returns the draft the user should edit for a task: the local draft,
// else the unit's draft on the server, else the content of the latest
// submission (after a return), else an empty draft.
func (db *DB) Draft(ctx context.Context, taskID string) (Draft, error) {
	var d Draft
	err := db.read(ctx, func(tx *sql.Tx) error {
		if _, err := loadTask(ctx, tx, taskID); err != nil {
			return err
		}
		var err error
		d, err = effectiveDraft(ctx, tx, taskID)
		return err
	})
	return d, err
}
