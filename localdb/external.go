package localdb

import (
	"context"
	"database/sql"
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
		rows, err := tx.QueryContext(ctx, `SELECT id, year_id, unit_id, source, score, max, note, document, updated_at
			FROM externals WHERE ?1 = '' OR year_id = ?1`, yearID)
		if err != nil {
			return fmt.Errorf("read external scores: %w", err)
		}
		defer rows.Close()
		var xs []assess.ExternalScore
		for rows.Next() {
			var x assess.ExternalScore
			var src, upd string
			if err := rows.Scan(&x.ID, &x.YearID, &x.UnitID, &src, &x.Score, &x.Max, &x.Note, &x.Document, &upd); err != nil {
				return fmt.Errorf("read external scores: %w", err)
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
	u, known, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	if err := checkReviewer(u, known); err != nil {
		return "", err
	}
	if strings.TrimSpace(e.YearID) == "" || strings.TrimSpace(e.UnitID) == "" {
		return "", assess.Errorf(assess.EInvalid, "请选择考核年度和单位 (year and unit are required)")
	}
	if err := e.Validate(); err != nil {
		return "", err
	}
	if e.Document != "" {
		if err := assess.ValidateHash(e.Document); err != nil {
			return "", assess.Errorf(assess.EInvalid, "评估依据文件的摘要不正确，请重新添加该文件 (bad document SHA-256)")
		}
	}
	if err := yearWritable(ctx, tx, e.YearID); err != nil {
		return "", err
	}
	e.ID = e.YearID + "/" + e.UnitID + "/" + string(e.Source)
	e.UpdatedAt = db.now()
	return db.queue(ctx, tx, wire.KindExternalSave, e.ID, e)
}
