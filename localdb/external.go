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

// Externals returns the external scores of a year ("" for all), with waiting
// edits laid over them, ordered by unit and source.
func (db *DB) Externals(ctx context.Context, yearID string) ([]assess.ExternalScore, error) {
	var out []assess.ExternalScore
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, year_id, unit_id, source, score, max, note, document, updated_at,
			sample_size, items, document_name, version, updated_by
			FROM externals WHERE ?1 = '' OR year_id = ?1`, yearID)
		if err != nil {
			return fmt.Errorf("read external scores: %w", err)
		}
		defer rows.Close()
		var xs []assess.ExternalScore
		for rows.Next() {
			var x assess.ExternalScore
			var src, upd, items string
			if err := rows.Scan(&x.ID, &x.YearID, &x.UnitID, &src, &x.Score, &x.Max, &x.Note, &x.Document, &upd,
				&x.SampleSize, &items, &x.DocumentName, &x.Version, &x.UpdatedBy); err != nil {
				return fmt.Errorf("read external scores: %w", err)
			}
			if items != "[]" {
				if err := json.Unmarshal([]byte(items), &x.Items); err != nil {
					return fmt.Errorf("read external score %s items: %w", x.ID, err)
				}
			}
			x.Source = assess.Source(src)
			if x.UpdatedAt, err = parseTime(upd); err != nil {
				return err
			}
			xs = append(xs, x)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read external scores: %w", err)
		}
		out, err = overlay(ctx, tx, wire.KindExternalSave, xs,
			func(x assess.ExternalScore) string { return x.ID },
			func(x assess.ExternalScore) bool { return yearID == "" || x.YearID == yearID })
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].UnitID != out[j].UnitID {
			return out[i].UnitID < out[j].UnitID
		}
		return out[i].Source < out[j].Source
	})
	return out, err
}

// SaveExternal queues a third-party, survey or on-site score of a unit
// (reviewers). Its ID is yearID/unitID/source; Document, when set, is the
// SHA-256 of the source document added with AddEvidence.
func (db *DB) SaveExternal(ctx context.Context, e assess.ExternalScore) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.saveExternalTx(ctx, tx, e)
		return err
	})
}

func (db *DB) saveExternalTx(ctx context.Context, tx *sql.Tx, e assess.ExternalScore) (string, error) {
	e, err := db.checkExternal(ctx, tx, e)
	if err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindExternalSave, e.ID, e)
}

// SaveExternals queues many external scores at once (reviewers), as an
// import does: every score is checked first, then all are queued in one
// transaction, so that either all of them wait to be sent or, on any error,
// none does. The error names the score that failed; the same unit and
// source listed twice is an error too.
func (db *DB) SaveExternals(ctx context.Context, es []assess.ExternalScore) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		checked := make([]assess.ExternalScore, len(es))
		first := map[string]int{}
		for i, e := range es {
			c, err := db.checkExternal(ctx, tx, e)
			if err != nil {
				return batchError(i, strings.TrimSpace(e.UnitID+" "+e.Source.Label()), err)
			}
			if j, dup := first[c.ID]; dup {
				return assess.Errorf(assess.EInvalid, "单位 %s 的%s在本批中出现了两次（第 %d 项和第 %d 项），请删去重复的一项，什么也没有保存 (score listed twice; nothing saved)",
					c.UnitID, c.Source.Label(), j+1, i+1)
			}
			first[c.ID] = i
			checked[i] = c
		}
		for _, e := range checked {
			if _, err := db.queue(ctx, tx, wire.KindExternalSave, e.ID, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkExternal checks that the user may save the score and that it is well
// formed and in a year that can change; it returns the score with its ID
// and update time set.
func (db *DB) checkExternal(ctx context.Context, tx *sql.Tx, e assess.ExternalScore) (assess.ExternalScore, error) {
	u, known, err := actor(ctx, tx)
	if err != nil {
		return e, err
	}
	if err := checkReviewer(u, known); err != nil {
		return e, err
	}
	if strings.TrimSpace(e.YearID) == "" || strings.TrimSpace(e.UnitID) == "" {
		return e, assess.Errorf(assess.EInvalid, "请选择考核年度和单位 (year and unit are required)")
	}
	if err := e.Validate(); err != nil {
		return e, err
	}
	if e.Document != "" {
		if err := assess.ValidateHash(e.Document); err != nil {
			return e, assess.Errorf(assess.EInvalid, "评估依据文件的摘要不正确，请重新添加该文件 (bad document SHA-256)")
		}
	}
	if e.DocumentName != "" {
		if err := assess.ValidateFileName(e.DocumentName); err != nil {
			return e, err
		}
	}
	if err := yearWritable(ctx, tx, e.YearID); err != nil {
		return e, err
	}
	e.ID = assess.ExternalID(e.YearID, e.UnitID, e.Source)
	if e.Source == assess.Onsite {
		ins, err := inspections(ctx, tx, e.YearID, e.UnitID)
		if err != nil {
			return e, err
		}
		if len(ins) > 0 {
			return e, assess.Errorf(assess.EConflict, "该单位已有现场督察记录，现场督察得分由督察记录计算 (on-site score comes from inspection records)")
		}
	}
	if e.Version, err = nextExternalVersion(ctx, tx, e.ID); err != nil {
		return e, err
	}
	if known {
		e.UpdatedBy = u.ID
	}
	e.UpdatedAt = db.now()
	return e, nil
}

// nextExternalVersion returns the version the next save of an external
// score gets, as the server numbers it: one more than the newest version,
// the server's or a waiting save's.
func nextExternalVersion(ctx context.Context, tx *sql.Tx, id string) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, "SELECT version FROM externals WHERE id = ?", id).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read external score %s: %w", id, err)
	}
	var w sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(json_extract(data, '$.version')) FROM outbox
		WHERE kind = ? AND ref = ? AND state = 'pending'`, wire.KindExternalSave, id).Scan(&w); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	return max(v, int(w.Int64)) + 1, nil
}
