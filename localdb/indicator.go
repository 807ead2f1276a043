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

const indicatorColumns = `id, year_id, parent_id, code, title, content, standard, evidence, max_score, scoring_rule,
	deadline, low_score, units, key_task, milestones`

func scanIndicator(sc interface{ Scan(...any) error }) (assess.Indicator, error) {
	var in assess.Indicator
	var ev, units, deadline, ms string
	if err := sc.Scan(&in.ID, &in.YearID, &in.ParentID, &in.Code, &in.Title, &in.Content, &in.Standard, &ev,
		&in.MaxScore, &in.ScoringRule, &deadline, &in.LowScore, &units, &in.KeyTask, &ms); err != nil {
		return in, err
	}
	if ms != "[]" {
		if err := json.Unmarshal([]byte(ms), &in.Milestones); err != nil {
			return in, fmt.Errorf("indicator %s milestones: %w", in.ID, err)
		}
	}
	if ev != "[]" {
		if err := json.Unmarshal([]byte(ev), &in.Evidence); err != nil {
			return in, fmt.Errorf("indicator %s evidence: %w", in.ID, err)
		}
	}
	if units != "[]" {
		if err := json.Unmarshal([]byte(units), &in.Units); err != nil {
			return in, fmt.Errorf("indicator %s units: %w", in.ID, err)
		}
	}
	var err error
	in.Deadline, err = parseTime(deadline)
	return in, err
}

// loadIndicator returns the server's copy of an indicator.
func loadIndicator(ctx context.Context, q querier, id string) (assess.Indicator, bool, error) {
	in, err := scanIndicator(q.QueryRowContext(ctx, "SELECT "+indicatorColumns+" FROM indicators WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, false, nil
	}
	if err != nil {
		return in, false, fmt.Errorf("read indicator %s: %w", id, err)
	}
	return in, true, nil
}

// indicators returns the server's indicators of a year ("" for all years).
func indicators(ctx context.Context, q querier, yearID string) ([]assess.Indicator, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+indicatorColumns+" FROM indicators WHERE ?1 = '' OR year_id = ?1", yearID)
	if err != nil {
		return nil, fmt.Errorf("read indicators: %w", err)
	}
	defer rows.Close()
	var out []assess.Indicator
	for rows.Next() {
		in, err := scanIndicator(rows)
		if err != nil {
			return nil, fmt.Errorf("read indicators: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Indicators returns the indicator tree of a year as a list ordered by code,
// with waiting edits laid over it.
func (db *DB) Indicators(ctx context.Context, yearID string) ([]assess.Indicator, error) {
	var out []assess.Indicator
	err := db.read(ctx, func(tx *sql.Tx) error {
		ins, err := indicators(ctx, tx, yearID)
		if err != nil {
			return err
		}
		out, err = overlay(ctx, tx, wire.KindIndicatorSave, ins,
			func(in assess.Indicator) string { return in.ID },
			func(in assess.Indicator) bool { return yearID == "" || in.YearID == yearID })
		return err
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].YearID != out[j].YearID {
			return out[i].YearID < out[j].YearID
		}
		return compareCodes(out[i].Code, out[j].Code) < 0
	})
	return out, err
}

// SaveIndicator queues a new or changed indicator (administrators). An
// indicator without an ID gets yearID/code.
func (db *DB) SaveIndicator(ctx context.Context, in assess.Indicator) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.saveIndicatorTx(ctx, tx, in)
		return err
	})
}

func (db *DB) saveIndicatorTx(ctx context.Context, tx *sql.Tx, in assess.Indicator) (string, error) {
	in, err := checkIndicator(ctx, tx, in)
	if err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindIndicatorSave, in.ID, in)
}

// SaveIndicators queues many new or changed indicators at once
// (administrators), as an import does: every indicator is checked first,
// then all are queued in one transaction, so that either all of them wait to
// be sent or, on any error, none does. The error names the indicator that
// failed; an indicator listed twice is an error too.
func (db *DB) SaveIndicators(ctx context.Context, ins []assess.Indicator) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		checked := make([]assess.Indicator, len(ins))
		first := map[string]int{}
		for i, in := range ins {
			c, err := checkIndicator(ctx, tx, in)
			if err != nil {
				return batchError(i, "指标 "+in.Code, err)
			}
			if j, dup := first[c.ID]; dup {
				return assess.Errorf(assess.EInvalid, "指标 %s 在本批中出现了两次（第 %d 项和第 %d 项），请删去重复的一项，什么也没有保存 (indicator listed twice; nothing saved)",
					c.Code, j+1, i+1)
			}
			first[c.ID] = i
			checked[i] = c
		}
		for _, in := range checked {
			if _, err := db.queue(ctx, tx, wire.KindIndicatorSave, in.ID, in); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkIndicator checks that the user may save the indicator and that it is
// well formed and in a year that can change; it returns the indicator with
// its ID filled in.
func checkIndicator(ctx context.Context, tx *sql.Tx, in assess.Indicator) (assess.Indicator, error) {
	if err := admin(ctx, tx); err != nil {
		return in, err
	}
	if err := in.Validate(); err != nil {
		return in, err
	}
	if strings.TrimSpace(in.YearID) == "" {
		return in, assess.Errorf(assess.EInvalid, "指标 %s 没有所属考核年度 (indicator has no year)", in.Code)
	}
	y, ok, err := effectiveYear(ctx, tx, in.YearID)
	if err != nil {
		return in, err
	}
	if !ok {
		return in, assess.Errorf(assess.ENotFound, "没有找到考核年度“%s”，请先同步 (year not found)", in.YearID)
	}
	if err := y.CheckWritable(); err != nil {
		return in, err
	}
	if in.ID == "" {
		in.ID = in.YearID + "/" + in.Code
	}
	if err := checkTime("deadline", in.Deadline); err != nil {
		return in, assess.Errorf(assess.EInvalid, "指标 %s 的截止日期不正确 (bad deadline)", in.Code)
	}
	for _, m := range in.Milestones {
		if err := checkTime("milestone due", m.Due); err != nil {
			return in, assess.Errorf(assess.EInvalid, "指标 %s 的时间节点“%s”日期不正确 (bad milestone due day)", in.Code, m.Title)
		}
	}
	return in, nil
}

// batchError names the record of a batch (item i, counted from 0) that
// failed and says that nothing of the batch was saved.
func batchError(i int, what string, err error) error {
	var ae *assess.Error
	if errors.As(err, &ae) {
		return assess.Errorf(ae.Code, "第 %d 项（%s）：%s；整批什么也没有保存 (item %d refused; nothing saved)", i+1, what, ae.Message, i+1)
	}
	return fmt.Errorf("item %d (%s): %w", i+1, what, err)
}
