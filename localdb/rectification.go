package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func loadRect(ctx context.Context, q querier, taskID string) (assess.Rectification, error) {
	var r assess.Rectification
	var st, deadline, atts, responded, closed, opened string
	err := q.QueryRowContext(ctx, `SELECT id, task_id, unit_id, state, demand, deadline, response, attachments,
		responded_at, verification, closed_at, opened_at FROM rectifications WHERE task_id = ?
		ORDER BY opened_at DESC LIMIT 1`, taskID).Scan(&r.ID, &r.TaskID, &r.UnitID, &st, &r.Demand, &deadline,
		&r.Response, &atts, &responded, &r.Verification, &closed, &opened)
	if errors.Is(err, sql.ErrNoRows) {
		return r, assess.Errorf(assess.ENotFound, "该指标没有整改事项 (no rectification for this task)")
	}
	if err != nil {
		return r, fmt.Errorf("read rectification %s: %w", taskID, err)
	}
	r.State = assess.RectState(st)
	if err := json.Unmarshal([]byte(atts), &r.Attachments); err != nil {
		return r, fmt.Errorf("read rectification %s: %w", taskID, err)
	}
	if r.Deadline, err = parseTime(deadline); err != nil {
		return r, err
	}
	if r.RespondedAt, err = parseTime(responded); err != nil {
		return r, err
	}
	if r.ClosedAt, err = parseTime(closed); err != nil {
		return r, err
	}
	r.OpenedAt, err = parseTime(opened)
	return r, err
}

// Rectification returns the rectification (整改) of a task; ENotFound when
// the task has none.
func (db *DB) Rectification(ctx context.Context, taskID string) (assess.Rectification, error) {
	return loadRect(ctx, db.r, taskID)
}

// RespondRect queues the unit's response to a rectification demand, with
// its evidence.
func (db *DB) RespondRect(ctx context.Context, taskID, response string, atts []assess.Attachment) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.respondRectTx(ctx, tx, taskID, response, atts)
		return err
	})
}

func (db *DB) respondRectTx(ctx context.Context, tx *sql.Tx, taskID, response string, atts []assess.Attachment) (string, error) {
	if strings.TrimSpace(response) == "" {
		return "", assess.Errorf(assess.EInvalid, "请填写整改情况说明后再提交 (write the rectification response)")
	}
	if err := assess.ValidateStatement(response, false); err != nil {
		return "", err
	}
	t, err := db.unitTask(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	r, err := loadRect(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	waiting, err := hasPending(ctx, tx, taskID, wire.KindRectRespond)
	if err != nil {
		return "", err
	}
	if waiting {
		return "", assess.Errorf(assess.EConflict, "整改情况已提交（待同步），不能重复提交 (a response is already waiting to be sent)")
	}
	if _, err := r.Transition(assess.RectResponded); err != nil {
		return "", err
	}
	if atts, err = checkAttachments(ctx, tx, assess.Task{IndicatorID: t.IndicatorID}, atts); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindRectRespond, taskID, wire.RectRespond{TaskID: taskID, Response: response, Attachments: atts})
}

// VerifyRect queues the reviewer's verification of a rectification response:
// accepted closes it (销号), otherwise it goes back to the unit with the
// comment saying why.
func (db *DB) VerifyRect(ctx context.Context, taskID string, accept bool, comment string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.verifyRectTx(ctx, tx, taskID, accept, comment)
		return err
	})
}

func (db *DB) verifyRectTx(ctx context.Context, tx *sql.Tx, taskID string, accept bool, comment string) (string, error) {
	if !accept && strings.TrimSpace(comment) == "" {
		return "", assess.Errorf(assess.EInvalid, "请填写核验不通过的理由 (say why the response is not accepted)")
	}
	if err := assess.ValidateStatement(comment, false); err != nil {
		return "", err
	}
	t, err := loadTask(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	u, known, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	if err := checkReviewer(u, known); err != nil {
		return "", err
	}
	if err := yearWritable(ctx, tx, t.YearID); err != nil {
		return "", err
	}
	r, err := loadRect(ctx, tx, taskID)
	if err != nil {
		return "", err
	}
	waiting, err := hasPending(ctx, tx, taskID, wire.KindRectVerify)
	if err != nil {
		return "", err
	}
	if waiting {
		return "", assess.Errorf(assess.EConflict, "核验意见已提交（待同步），不能重复核验 (a verification is already waiting to be sent)")
	}
	to := assess.RectOpen
	if accept {
		to = assess.RectClosed
	}
	if _, err := r.Transition(to); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindRectVerify, taskID, wire.RectVerify{TaskID: taskID, Accept: accept, Comment: comment})
}
