package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func years(ctx context.Context, q querier, id string) ([]assess.Year, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, state, weight_system, weight_survey, weight_onsite, rectify_days, warn_days
		FROM years WHERE ?1 = '' OR id = ?1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read years: %w", err)
	}
	defer rows.Close()
	var out []assess.Year
	for rows.Next() {
		var y assess.Year
		var st string
		if err := rows.Scan(&y.ID, &y.Name, &st, &y.Weights.System, &y.Weights.Survey, &y.Weights.Onsite, &y.RectifyDays, &y.WarnDays); err != nil {
			return nil, fmt.Errorf("read years: %w", err)
		}
		y.State = assess.YearState(st)
		out = append(out, y)
	}
	return out, rows.Err()
}

// effectiveYears returns the years (all, or the one named) with the waiting
// year changes laid over them in order.
func effectiveYears(ctx context.Context, q querier, id string) ([]assess.Year, error) {
	ys, err := years(ctx, q, id)
	if err != nil {
		return nil, err
	}
	cond := "state = 'pending' AND kind IN (?, ?, ?)"
	args := []any{wire.KindYearSave, wire.KindYearPublish, wire.KindYearClose}
	if id != "" {
		cond += " AND ref = ?"
		args = append(args, id)
	}
	rows, err := outboxWhere(ctx, q, cond, args...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		i := -1
		for j := range ys {
			if ys[j].ID == r.ref {
				i = j
			}
		}
		switch r.kind {
		case wire.KindYearSave:
			if ys, err = overlayYear(ys, i, r); err != nil {
				return nil, err
			}
		case wire.KindYearPublish:
			if i >= 0 {
				ys[i].State = assess.YearPublished
			}
		case wire.KindYearClose:
			if i >= 0 {
				ys[i].State = assess.YearClosed
			}
		}
	}
	sort.Slice(ys, func(i, j int) bool { return ys[i].ID < ys[j].ID })
	return ys, nil
}

func overlayYear(ys []assess.Year, i int, r outboxRow) ([]assess.Year, error) {
	var y assess.Year
	if err := json.Unmarshal([]byte(r.data), &y); err != nil {
		return nil, fmt.Errorf("read waiting %s %s: %w", r.kind, r.id, err)
	}
	if i >= 0 {
		ys[i] = y
		return ys, nil
	}
	return append(ys, y), nil
}

// effectiveYear returns one year as the user sees it.
func effectiveYear(ctx context.Context, q querier, id string) (assess.Year, bool, error) {
	if id == "" {
		return assess.Year{}, false, nil
	}
	ys, err := effectiveYears(ctx, q, id)
	if err != nil || len(ys) == 0 {
		return assess.Year{}, false, err
	}
	return ys[0], true, nil
}

// yearWritable refuses changes in a closed year. A year not pulled yet is
// left to the server to judge.
func yearWritable(ctx context.Context, q querier, id string) error {
	y, ok, err := effectiveYear(ctx, q, id)
	if err != nil || !ok {
		return err
	}
	return y.CheckWritable()
}

// Years returns the assessment years, with waiting changes laid over them.
func (db *DB) Years(ctx context.Context) ([]assess.Year, error) {
	var out []assess.Year
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = effectiveYears(ctx, tx, "")
		return err
	})
	return out, err
}

// SaveYear queues a new or changed assessment year (administrators). A new
// year starts as a draft; its state changes only by PublishYear and
// CloseYear; a closed year cannot change.
func (db *DB) SaveYear(ctx context.Context, y assess.Year) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.saveYearTx(ctx, tx, y)
		return err
	})
}

func (db *DB) saveYearTx(ctx context.Context, tx *sql.Tx, y assess.Year) (string, error) {
	if err := admin(ctx, tx); err != nil {
		return "", err
	}
	switch {
	case strings.TrimSpace(y.ID) == "":
		return "", assess.Errorf(assess.EInvalid, "考核年度编号不能为空，例如“2026” (year ID is required)")
	case strings.TrimSpace(y.Name) == "":
		return "", assess.Errorf(assess.EInvalid, "考核年度名称不能为空 (year name is required)")
	case y.RectifyDays < 0 || y.RectifyDays > 365 || y.WarnDays < 0 || y.WarnDays > 365:
		return "", assess.Errorf(assess.EInvalid, "整改期限和预警天数应在 0 到 365 个工作日之间 (days out of range)")
	}
	if err := y.Weights.Validate(); err != nil {
		return "", err
	}
	old, exists, err := effectiveYear(ctx, tx, y.ID)
	if err != nil {
		return "", err
	}
	switch {
	case exists:
		if err := old.CheckWritable(); err != nil {
			return "", err
		}
		if y.State == "" {
			y.State = old.State
		}
		if y.State != old.State {
			return "", assess.Errorf(assess.EInvalid, "请用“发布”或“关闭”操作改变考核年度的状态 (use publish or close to change the state)")
		}
	case y.State == "" || y.State == assess.YearDraft:
		y.State = assess.YearDraft
	default:
		return "", assess.Errorf(assess.EInvalid, "新建的考核年度应为草稿状态，填好指标后再发布 (a new year starts as a draft)")
	}
	return db.queue(ctx, tx, wire.KindYearSave, y.ID, y)
}

// PublishYear queues the publishing of a draft year (administrators).
func (db *DB) PublishYear(ctx context.Context, yearID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.moveYearTx(ctx, tx, yearID, assess.YearPublished)
		return err
	})
}

// CloseYear queues the closing of a published year (administrators); a
// closed year is frozen.
func (db *DB) CloseYear(ctx context.Context, yearID string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.moveYearTx(ctx, tx, yearID, assess.YearClosed)
		return err
	})
}

func (db *DB) moveYearTx(ctx context.Context, tx *sql.Tx, yearID string, to assess.YearState) (string, error) {
	if err := admin(ctx, tx); err != nil {
		return "", err
	}
	y, ok, err := effectiveYear(ctx, tx, yearID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", assess.Errorf(assess.ENotFound, "没有找到考核年度“%s”，请先同步 (year not found)", yearID)
	}
	if err := y.CheckWritable(); err != nil {
		return "", err
	}
	if !y.State.CanBecome(to) {
		return "", assess.Errorf(assess.EConflict, "%s考核年度当前为“%s”，不能改为“%s” (the year cannot move from %s to %s)",
			y.Name, y.State.Label(), to.Label(), y.State, to)
	}
	kind := wire.KindYearPublish
	if to == assess.YearClosed {
		kind = wire.KindYearClose
	}
	return db.queue(ctx, tx, kind, yearID, wire.YearRef{YearID: yearID})
}

// admin checks that the session user (when known) is an administrator.
func admin(ctx context.Context, q querier) error {
	u, known, err := actor(ctx, q)
	if err != nil {
		return err
	}
	return checkAdmin(u, known)
}
