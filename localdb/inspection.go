package localdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// inspections returns the on-site inspection records of a year and unit
// ("" for all units), the waiting ones laid over the server's, newest visit
// first.
func inspections(ctx context.Context, q querier, yearID, unitID string) ([]assess.Inspection, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, year_id, unit_id, date, inspectors, findings, score, max, photos, recorded_by, updated_at
		FROM inspections WHERE year_id = ?1 AND (?2 = '' OR unit_id = ?2)`, yearID, unitID)
	if err != nil {
		return nil, fmt.Errorf("read inspections: %w", err)
	}
	defer rows.Close()
	var ins []assess.Inspection
	for rows.Next() {
		var in assess.Inspection
		var date, names, photos, upd string
		if err := rows.Scan(&in.ID, &in.YearID, &in.UnitID, &date, &names, &in.Findings, &in.Score, &in.Max, &photos,
			&in.RecordedBy, &upd); err != nil {
			return nil, fmt.Errorf("read inspections: %w", err)
		}
		if err := json.Unmarshal([]byte(names), &in.Inspectors); err != nil {
			return nil, fmt.Errorf("read inspection %s: %w", in.ID, err)
		}
		if photos != "[]" {
			if err := json.Unmarshal([]byte(photos), &in.Photos); err != nil {
				return nil, fmt.Errorf("read inspection %s: %w", in.ID, err)
			}
		}
		if in.Date, err = parseTime(date); err != nil {
			return nil, err
		}
		if in.UpdatedAt, err = parseTime(upd); err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read inspections: %w", err)
	}
	ins, err = overlay(ctx, q, wire.KindInspectionSave, ins,
		func(in assess.Inspection) string { return in.ID },
		func(in assess.Inspection) bool { return in.YearID == yearID && (unitID == "" || in.UnitID == unitID) })
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ins, func(i, j int) bool {
		if !ins[i].Date.Equal(ins[j].Date) {
			return ins[i].Date.After(ins[j].Date)
		}
		return ins[i].ID < ins[j].ID
	})
	return ins, nil
}

// Inspections returns the on-site inspection records (现场督察) of a year for
// one unit ("" for all units), newest visit first, with waiting ones laid
// over the server's.
func (db *DB) Inspections(ctx context.Context, yearID, unitID string) ([]assess.Inspection, error) {
	var out []assess.Inspection
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = inspections(ctx, tx, yearID, unitID)
		return err
	})
	return out, err
}

// SaveInspection queues a new or corrected inspection record (reviewers)
// and returns it as queued: a new record (empty ID) gets the ID
// yearID/unitID/<random hex>; RecordedBy is the user and UpdatedAt now. The
// server then recomputes the unit's on-site score from all its visits.
func (db *DB) SaveInspection(ctx context.Context, in assess.Inspection) (assess.Inspection, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		in, err = db.checkInspection(ctx, tx, in)
		if err != nil {
			return err
		}
		_, err = db.queue(ctx, tx, wire.KindInspectionSave, in.ID, in)
		return err
	})
	return in, err
}

func (db *DB) saveInspectionTx(ctx context.Context, tx *sql.Tx, in assess.Inspection) (string, error) {
	in, err := db.checkInspection(ctx, tx, in)
	if err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindInspectionSave, in.ID, in)
}

// checkInspection checks that the user may save the record and that it is
// well formed, for a unit that exists, in a year that can change; it returns
// the record with its ID, recorder and time set.
func (db *DB) checkInspection(ctx context.Context, tx *sql.Tx, in assess.Inspection) (assess.Inspection, error) {
	u, known, err := actor(ctx, tx)
	if err != nil {
		return in, err
	}
	if err := checkReviewer(u, known); err != nil {
		return in, err
	}
	in.Inspectors = trimNames(in.Inspectors)
	if err := in.Validate(); err != nil {
		return in, err
	}
	if err := checkTime("date", in.Date); err != nil {
		return in, assess.Errorf(assess.EInvalid, "督察日期不正确 (bad date)")
	}
	if ok, err := unitExists(ctx, tx, in.UnitID); err != nil {
		return in, err
	} else if !ok {
		return in, assess.Errorf(assess.ENotFound, "单位“%s”不存在，请先同步 (no such unit)", in.UnitID)
	}
	if err := yearWritable(ctx, tx, in.YearID); err != nil {
		return in, err
	}
	if in.Photos, err = checkAttachments(ctx, tx, assess.Task{}, in.Photos); err != nil {
		return in, err
	}
	if in.ID == "" {
		b := make([]byte, 8)
		rand.Read(b)
		in.ID = in.YearID + "/" + in.UnitID + "/" + hex.EncodeToString(b)
	} else if !strings.HasPrefix(in.ID, in.YearID+"/"+in.UnitID+"/") {
		return in, assess.Errorf(assess.EInvalid, "督察记录编号“%s”与年度、单位不符，不能改到另一个年度或单位 (inspection ID does not match its year and unit)", in.ID)
	}
	if known {
		in.RecordedBy = u.ID
	}
	in.UpdatedAt = db.now()
	return in, nil
}

// trimNames trims each name and drops the empty ones.
func trimNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// unitExists reports whether a unit is in the mirror or waits to be saved.
func unitExists(ctx context.Context, q querier, id string) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = ?1)
		OR EXISTS (SELECT 1 FROM outbox WHERE kind = ?2 AND ref = ?1 AND state = 'pending')`, id, wire.KindUnitSave).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read unit %s: %w", id, err)
	}
	return ok, nil
}
