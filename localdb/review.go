package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Reviews returns the reviews of a task, oldest first.
func (db *DB) Reviews(ctx context.Context, taskID string) ([]assess.Review, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, task_id, unit_id, version, decision, score, comment, reviewer, created_at
		FROM reviews WHERE task_id = ? ORDER BY created_at, id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("read reviews: %w", err)
	}
	defer rows.Close()
	var out []assess.Review
	for rows.Next() {
		var r assess.Review
		var dec, created string
		if err := rows.Scan(&r.ID, &r.TaskID, &r.UnitID, &r.Version, &dec, &r.Score, &r.Comment, &r.Reviewer, &created); err != nil {
			return nil, fmt.Errorf("read reviews: %w", err)
		}
		r.Decision = assess.Decision(dec)
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Return queues the return of a submission version for more material
// (退回补充, reviewers); the comment says what is missing.
func (db *DB) Return(ctx context.Context, taskID string, version int, comment string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.returnTx(ctx, tx, taskID, version, comment)
		return err
	})
}

// Score queues a score for a submission version (赋分, reviewers): a number
// from 0 to the indicator's maximum, in steps of 0.1.
func (db *DB) Score(ctx context.Context, taskID string, version int, score float64, comment string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.scoreTx(ctx, tx, taskID, version, score, comment)
		return err
	})
}

func (db *DB) returnTx(ctx context.Context, tx *sql.Tx, taskID string, version int, comment string) (string, error) {
	if strings.TrimSpace(comment) == "" {
		return "", assess.Errorf(assess.EInvalid, "请填写退回理由，说明需要补充哪些材料 (say what material is missing)")
	}
	if _, err := db.reviewTask(ctx, tx, taskID, version, comment, assess.Returned); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindReturn, taskID, wire.ReviewDecision{TaskID: taskID, Version: version, Comment: comment})
}

func (db *DB) scoreTx(ctx context.Context, tx *sql.Tx, taskID string, version int, score float64, comment string) (string, error) {
	t, err := db.reviewTask(ctx, tx, taskID, version, comment, assess.Scored)
	if err != nil {
		return "", err
	}
	if in, ok, err := loadIndicator(ctx, tx, t.IndicatorID); err != nil {
		return "", err
	} else if ok {
		if err := assess.ValidateScore(score, in.MaxScore); err != nil {
			return "", err
		}
	} else if err := assess.ValidateScore(score, 1000); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindScore, taskID, wire.ReviewDecision{TaskID: taskID, Version: version, Score: score, Comment: comment})
}

// reviewTask checks a review of a task's submission version: a reviewer,
// an open year, no other review of the task waiting, the version the latest,
// and the move allowed by the task's state.
func (db *DB) reviewTask(ctx context.Context, tx *sql.Tx, taskID string, version int, comment string, to assess.Status) (assess.Task, error) {
	if err := assess.ValidateStatement(comment, false); err != nil {
		return assess.Task{}, assess.Errorf(assess.EInvalid, "审核意见过长或含有无效字符 (comment too long or invalid)")
	}
	t, err := loadTask(ctx, tx, taskID)
	if err != nil {
		return t, err
	}
	u, known, err := actor(ctx, tx)
	if err != nil {
		return t, err
	}
	if err := checkReviewer(u, known); err != nil {
		return t, err
	}
	if err := yearWritable(ctx, tx, t.YearID); err != nil {
		return t, err
	}
	waiting, err := hasPending(ctx, tx, taskID, wire.KindReturn, wire.KindScore)
	if err != nil {
		return t, err
	}
	if waiting {
		return t, assess.Errorf(assess.EConflict, "该指标已有审核意见待同步，不能重复审核 (a review is already waiting to be sent)")
	}
	st, err := localStatus(ctx, tx, t)
	if err != nil {
		return t, err
	}
	if _, err := (assess.Task{Status: st}).Transition(to); err != nil {
		return t, err
	}
	if version != t.Version {
		return t, assess.Errorf(assess.EConflict, "审核的是第 %d 版，但该指标的最新提交是第 %d 版，请查看最新材料后再审核 (not the latest version)", version, t.Version)
	}
	return t, nil
}
