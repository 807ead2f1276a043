package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Outbox states of a change.
const (
	// StatePending: waiting to be pushed (or pushed, with no final answer yet).
	StatePending = "pending"
	// StateRejected: refused by the server; kept with the reason until the
	// user keeps their version (KeepMine) or takes the server's (TakeServer).
	StateRejected = "rejected"
)

// KindLabel returns the Chinese name of a change kind for the UI.
func KindLabel(kind string) string {
	switch kind {
	case wire.KindDraftSave:
		return "保存草稿"
	case wire.KindSubmit:
		return "提交材料"
	case wire.KindReturn:
		return "退回补充"
	case wire.KindScore:
		return "赋分"
	case wire.KindRectRespond:
		return "整改反馈"
	case wire.KindRectVerify:
		return "整改核验"
	case wire.KindYearSave:
		return "保存考核年度"
	case wire.KindYearPublish:
		return "发布考核年度"
	case wire.KindYearClose:
		return "关闭考核年度"
	case wire.KindIndicatorSave:
		return "保存指标"
	case wire.KindExternalSave:
		return "保存外部评估分数"
	case wire.KindGroupSave:
		return "保存排名分组"
	case wire.KindUnitSave:
		return "保存单位"
	case wire.KindMilestoneFile:
		return "报送时间节点"
	case wire.KindLeadImport:
		return "导入督察线索"
	case wire.KindLeadConsider:
		return "线索纳入考核"
	case wire.KindInspectionSave:
		return "保存现场督察记录"
	}
	return kind
}

// taskKinds are the change kinds whose ref is a task ID.
var taskKinds = map[string]bool{
	wire.KindDraftSave: true, wire.KindSubmit: true, wire.KindReturn: true, wire.KindScore: true,
	wire.KindRectRespond: true, wire.KindRectVerify: true,
}

// outboxRow is one stored change.
type outboxRow struct {
	seq        int64
	id         string
	kind       string
	ref        string
	userID     string
	data       string
	madeAt     time.Time
	state      string
	handedOut  bool
	code       string
	message    string
	rejectedAt time.Time
}

const outboxColumns = "seq, id, kind, ref, user_id, data, made_at, state, handed_out, code, message, rejected_at"

func scanOutbox(rows *sql.Rows) ([]outboxRow, error) {
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		var made, rejected string
		if err := rows.Scan(&r.seq, &r.id, &r.kind, &r.ref, &r.userID, &r.data, &made, &r.state, &r.handedOut,
			&r.code, &r.message, &rejected); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		var err error
		if r.madeAt, err = parseTime(made); err != nil {
			return nil, err
		}
		if r.rejectedAt, err = parseTime(rejected); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// outboxWhere returns the changes matching a condition, oldest first.
func outboxWhere(ctx context.Context, q querier, cond string, args ...any) ([]outboxRow, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE "+cond+" ORDER BY seq", args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return scanOutbox(rows)
}

// hasPending reports whether a change of one of the kinds waits for ref.
func hasPending(ctx context.Context, q querier, ref string, kinds ...string) (bool, error) {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")
	args := []any{ref}
	for _, k := range kinds {
		args = append(args, k)
	}
	var ok bool
	err := q.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM outbox WHERE ref = ? AND state = 'pending' AND kind IN ("+ph+"))", args...).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read outbox: %w", err)
	}
	return ok, nil
}

// queue appends a change to the outbox inside tx and returns its new ID.
func (db *DB) queue(ctx context.Context, tx *sql.Tx, kind, ref string, payload any) (string, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("queue %s: %w", kind, err)
	}
	u, _, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	id := uuid.NewString()
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, ref, user_id, data, made_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, kind, ref, u.ID, string(data), fmtTime(db.now())); err != nil {
		return "", fmt.Errorf("queue %s: %w", kind, err)
	}
	return id, nil
}

// queueDraft queues a draft.save, coalescing it into the newest change of
// the task when that is a draft.save of the same user that Pending has never
// handed out. Such a change cannot have reached the server, so replacing its
// data (and moving it to the end of the queue, as if just made) is the same as
// deleting it and queueing the new one, while keeping one row and its ID. A
// change that was handed out may be in flight and is never touched: the new
// save gets a row of its own.
func (db *DB) queueDraft(ctx context.Context, tx *sql.Tx, d wire.DraftSave) (string, error) {
	u, _, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	var seq int64
	var id, kind, state, userID string
	var handedOut bool
	err = tx.QueryRowContext(ctx, `SELECT seq, id, kind, state, handed_out, user_id FROM outbox WHERE ref = ?
		ORDER BY seq DESC LIMIT 1`, d.TaskID).Scan(&seq, &id, &kind, &state, &handedOut, &userID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (kind != wire.KindDraftSave || state != StatePending || handedOut || userID != u.ID) {
		return db.queue(ctx, tx, wire.KindDraftSave, d.TaskID, d)
	}
	if err != nil {
		return "", fmt.Errorf("queue draft: %w", err)
	}
	data, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("queue draft: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET data = ?, made_at = ?, seq = (SELECT MAX(seq) + 1 FROM outbox)
		WHERE seq = ? AND handed_out = 0`, string(data), fmtTime(db.now()), seq); err != nil {
		return "", fmt.Errorf("queue draft: %w", err)
	}
	return id, nil
}

// Pending returns up to limit changes waiting to be pushed, oldest first
// (limit ≤ 0 means wire.MaxPushChanges), and marks them handed out, so
// that later saves never coalesce into a change that may be in flight.
// A change stays pending until RecordResults records the server's decision;
// after a crash it is handed out again with the same ID, and the server
// answers a repeated ID with the original result.
func (db *DB) Pending(ctx context.Context, limit int) ([]wire.Change, error) {
	if limit <= 0 || limit > wire.MaxPushChanges {
		limit = wire.MaxPushChanges
	}
	var out []wire.Change
	err := db.write(ctx, func(tx *sql.Tx) error {
		q, err := tx.QueryContext(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", limit)
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		rows, err := scanOutbox(q)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET handed_out = 1 WHERE state = 'pending' AND seq <= ? AND handed_out = 0",
			rows[len(rows)-1].seq); err != nil {
			return fmt.Errorf("mark handed out: %w", err)
		}
		for _, r := range rows {
			out = append(out, wire.Change{ID: r.id, Kind: r.kind, Data: json.RawMessage(r.data), MadeAt: r.madeAt})
		}
		return nil
	})
	return out, err
}

// retryable are the result codes after which a change stays pending and is
// pushed again later.
var retryable = map[string]bool{
	assess.EMissing:     true,
	assess.EUnavailable: true,
	assess.EInternal:    true,
	assess.ETooMany:     true,
}

// RecordResults stores the server's decisions in one transaction: an applied
// change leaves the outbox; a rejected one stays, marked with its code and
// Chinese reason, until the user resolves it; a result with a retryable code
// (EMissing, EUnavailable, EInternal, ETooMany; a result without a code
// gets the one its HTTP status maps to) or an unknown status leaves the
// change pending. Results for IDs no longer in the outbox are ignored,
// so recording the same results twice is harmless.
func (db *DB) RecordResults(ctx context.Context, results []wire.Result) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		for _, r := range results {
			if r.Status == wire.Rejected && r.Code == "" {
				r.Code = wire.CodeOf(r.HTTP)
			}
			switch {
			case r.Status == wire.Applied:
				var kind, ref string
				err := tx.QueryRowContext(ctx, "DELETE FROM outbox WHERE id = ? RETURNING kind, ref", r.ID).Scan(&kind, &ref)
				if errors.Is(err, sql.ErrNoRows) {
					continue
				}
				if err != nil {
					return fmt.Errorf("record result %s: %w", r.ID, err)
				}
				if (kind == wire.KindDraftSave || kind == wire.KindSubmit) && r.Seq > 0 {
					if _, err := tx.ExecContext(ctx, "UPDATE drafts SET synced_seq = MAX(synced_seq, ?) WHERE task_id = ?", r.Seq, ref); err != nil {
						return fmt.Errorf("record result %s: %w", r.ID, err)
					}
				}
			case r.Status == wire.Rejected && !retryable[r.Code]:
				msg := r.Message
				if msg == "" {
					msg = "服务器拒绝了此修改，请查看后重新提交或采用服务器版本 (rejected by the server)"
				}
				if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'rejected', code = ?, message = ?, rejected_at = ?
					WHERE id = ? AND state = 'pending'`, r.Code, msg, fmtTime(db.now()), r.ID); err != nil {
					return fmt.Errorf("record result %s: %w", r.ID, err)
				}
			}
		}
		return nil
	})
}

// Rejection is a change the server refused, kept until the user acts.
type Rejection struct {
	ChangeID   string
	Kind       string
	TaskID     string // the task the change is about (a milestone filing's task too), "" for other kinds
	Ref        string // the task, milestone filing, year, indicator, group, unit, score, lead or inspection the change is about
	Code       string
	Message    string // the server's reason, in Chinese
	MadeAt     time.Time
	RejectedAt time.Time
	Data       json.RawMessage // the change as it was pushed
}

// KindLabel returns the Chinese name of the rejected change's kind.
func (r Rejection) KindLabel() string { return KindLabel(r.Kind) }

func rejectionOf(r outboxRow) Rejection {
	x := Rejection{ChangeID: r.id, Kind: r.kind, Ref: r.ref, Code: r.code, Message: r.message,
		MadeAt: r.madeAt, RejectedAt: r.rejectedAt, Data: json.RawMessage(r.data)}
	switch {
	case taskKinds[r.kind]:
		x.TaskID = r.ref
	case r.kind == wire.KindMilestoneFile:
		x.TaskID = milestoneTask(r.ref)
	}
	return x
}

// Rejected lists the rejected changes, oldest first.
func (db *DB) Rejected(ctx context.Context) ([]Rejection, error) {
	rows, err := outboxWhere(ctx, db.r, "state = 'rejected'")
	if err != nil {
		return nil, err
	}
	out := make([]Rejection, 0, len(rows))
	for _, r := range rows {
		out = append(out, rejectionOf(r))
	}
	return out, nil
}

// PendingCount returns how many changes wait to be pushed and how many were
// rejected, for the sync state the UI shows.
func (db *DB) PendingCount(ctx context.Context) (pending, rejected int, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'rejected'), 0) FROM outbox`).
		Scan(&pending, &rejected)
	return pending, rejected, err
}

func loadRejected(ctx context.Context, tx *sql.Tx, changeID string) (outboxRow, error) {
	rows, err := outboxWhere(ctx, tx, "id = ? AND state = 'rejected'", changeID)
	if err != nil {
		return outboxRow{}, err
	}
	if len(rows) == 0 {
		return outboxRow{}, assess.Errorf(assess.ENotFound, "没有找到这条被拒绝的修改，可能已经处理过了 (no such rejected change)")
	}
	return rows[0], nil
}

// KeepMine resolves a rejected change in favour of the user: the user's
// content is queued again as a new change (new ID) based on the current
// server state, and the rejected change is removed, in one transaction. For
// a draft the newest local draft is saved again; for a submit the local draft
// (or the rejected content) is submitted against the task's current version;
// a review is made again on the current version. When the rules refuse the
// change against the current state (say, the task has been scored meanwhile),
// KeepMine fails with that reason and changes nothing: the user can only take
// the server's version.
func (db *DB) KeepMine(ctx context.Context, changeID string) error {
	_, err := db.keepMine(ctx, changeID)
	return err
}

func (db *DB) keepMine(ctx context.Context, changeID string) (string, error) {
	var newID string
	err := db.write(ctx, func(tx *sql.Tx) error {
		r, err := loadRejected(ctx, tx, changeID)
		if err != nil {
			return err
		}
		// Remove the rejected row first, so that checks for waiting changes
		// and draft coalescing see the outbox as it will be.
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE seq = ?", r.seq); err != nil {
			return fmt.Errorf("keep mine: %w", err)
		}
		newID, err = db.requeue(ctx, tx, r)
		return err
	})
	return newID, err
}

func (db *DB) requeue(ctx context.Context, tx *sql.Tx, r outboxRow) (string, error) {
	data := []byte(r.data)
	switch r.kind {
	case wire.KindDraftSave, wire.KindSubmit:
		var d wire.DraftSave // Submit has the same content fields
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		if local, ok, err := loadDraft(ctx, tx, r.ref); err != nil {
			return "", err
		} else if ok {
			d.Statement, d.Attachments = local.Statement, local.Attachments
		}
		if r.kind == wire.KindDraftSave {
			return db.saveDraftTx(ctx, tx, r.ref, d.Statement, d.Attachments)
		}
		return db.submitTx(ctx, tx, r.ref, Draft{TaskID: r.ref, Statement: d.Statement, Attachments: d.Attachments})
	case wire.KindReturn, wire.KindScore:
		var d wire.ReviewDecision
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		t, err := loadTask(ctx, tx, r.ref)
		if err != nil {
			return "", err
		}
		if r.kind == wire.KindReturn {
			return db.returnTx(ctx, tx, r.ref, t.Version, d.Comment)
		}
		return db.scoreTx(ctx, tx, r.ref, t.Version, d.Score, d.Comment)
	case wire.KindRectRespond:
		var d wire.RectRespond
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.respondRectTx(ctx, tx, r.ref, d.Response, d.Attachments)
	case wire.KindRectVerify:
		var d wire.RectVerify
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.verifyRectTx(ctx, tx, r.ref, d.Accept, d.Comment)
	case wire.KindExternalSave:
		var d assess.ExternalScore
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveExternalTx(ctx, tx, d)
	case wire.KindYearSave:
		var d assess.Year
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveYearTx(ctx, tx, d)
	case wire.KindYearPublish, wire.KindYearClose:
		to := assess.YearPublished
		if r.kind == wire.KindYearClose {
			to = assess.YearClosed
		}
		return db.moveYearTx(ctx, tx, r.ref, to)
	case wire.KindIndicatorSave:
		var d assess.Indicator
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveIndicatorTx(ctx, tx, d)
	case wire.KindGroupSave:
		var d assess.Group
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveGroupTx(ctx, tx, d)
	case wire.KindUnitSave:
		var d assess.Unit
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveUnitTx(ctx, tx, d)
	case wire.KindMilestoneFile:
		var d wire.MilestoneFile
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.fileMilestoneTx(ctx, tx, d)
	case wire.KindLeadImport:
		var d wire.LeadBatch
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.importLeadsTx(ctx, tx, d)
	case wire.KindLeadConsider:
		var d wire.LeadDecision
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.considerLeadTx(ctx, tx, d)
	case wire.KindInspectionSave:
		var d assess.Inspection
		if err := json.Unmarshal(data, &d); err != nil {
			return "", fmt.Errorf("keep mine: %w", err)
		}
		return db.saveInspectionTx(ctx, tx, d)
	}
	return "", assess.Errorf(assess.EInvalid, "无法重新提交未知类型的修改“%s”，请采用服务器版本 (unknown change kind)", r.kind)
}

// TakeServer resolves a rejected change in favour of the server: the change
// is dropped, and for a draft or a submit so is the local draft — unless
// other changes of the same task still wait in the outbox and need it.
func (db *DB) TakeServer(ctx context.Context, changeID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		r, err := loadRejected(ctx, tx, changeID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE seq = ?", r.seq); err != nil {
			return fmt.Errorf("take server: %w", err)
		}
		if r.kind == wire.KindDraftSave || r.kind == wire.KindSubmit {
			if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE task_id = ?
				AND NOT EXISTS (SELECT 1 FROM outbox WHERE ref = ?)`, r.ref, r.ref); err != nil {
				return fmt.Errorf("take server: %w", err)
			}
		}
		return nil
	})
}
