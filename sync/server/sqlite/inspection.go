package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// applyInspectionSave records (or corrects) an on-site inspection visit and
// rewrites the unit's on-site score from all its visits as a new version.
func applyInspectionSave(o *op, data json.RawMessage) error {
	var in assess.Inspection
	if err := decode(data, &in); err != nil {
		return err
	}
	o.subject = in.ID
	if err := in.Validate(); err != nil {
		return err
	}
	prefix := in.YearID + "/" + in.UnitID + "/"
	if rest, ok := strings.CutPrefix(in.ID, prefix); !ok || checkID(rest, "督察记录") != nil {
		return assess.Errorf(assess.EInvalid, "督察记录编号“%s”格式不正确，应为 年度/单位/随机编号 (inspection ID must be year/unit/random)", printable(in.ID))
	}
	if err := checkText(in.Findings, "督察情况"); err != nil {
		return err
	}
	for _, name := range in.Inspectors {
		if err := checkText(name, "督察人员"); err != nil {
			return err
		}
	}
	y, err := o.writableYear(in.YearID)
	if err != nil {
		return err
	}
	if _, found, err := o.unit(in.UnitID); err != nil || !found {
		if err != nil {
			return err
		}
		return assess.Errorf(assess.EInvalid, "单位“%s”不存在 (no such unit)", printable(in.UnitID))
	}
	if err := checkAttachments(in.Photos); err != nil {
		return err
	}
	photos, err := o.requireBlobs(in.Photos)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		photos = nil
	}
	in.Photos = photos
	in.RecordedBy, in.UpdatedAt = o.user.ID, o.now
	old, found, err := o.inspection(in.ID)
	if err != nil {
		return err
	}
	var replaced auditInspection
	if found {
		replaced.Inspection = &old
	}
	if err := o.putInspection(in); err != nil {
		return err
	}
	if err := o.grantAttachments(in.UnitID, in.Photos); err != nil {
		return err
	}
	prev, err := o.deriveOnsite(y, in.UnitID)
	if err != nil {
		return err
	}
	replaced.External = prev
	if replaced.Inspection != nil || replaced.External != nil {
		o.replaces = replaced
	}
	return o.touchUnit(y.ID, in.UnitID)
}

// auditInspection is what an inspection save replaced: the earlier record
// of the visit and the earlier on-site score.
type auditInspection struct {
	Inspection *assess.Inspection    `json:"inspection,omitempty"`
	External   *assess.ExternalScore `json:"external,omitempty"`
}

// onsiteNote is the note of an on-site score computed from n visits.
func onsiteNote(n int) string { return fmt.Sprintf("根据 %d 次现场督察记录计算", n) }

// deriveOnsite rewrites the unit's on-site score in the year as the mean of
// its inspection visits (assess.OnsiteScore), as the next version, and
// returns the version it replaced, nil if none.
func (o *op) deriveOnsite(y assess.Year, unitID string) (*assess.ExternalScore, error) {
	visits, err := o.inspections(y.ID, unitID)
	if err != nil {
		return nil, err
	}
	score, ok := assess.OnsiteScore(visits)
	if !ok {
		return nil, nil
	}
	id := assess.ExternalID(y.ID, unitID, assess.Onsite)
	old, found, err := o.external(id)
	if err != nil {
		return nil, err
	}
	e := assess.ExternalScore{
		ID: id, YearID: y.ID, UnitID: unitID, Source: assess.Onsite,
		Score: score, Max: 100, Note: onsiteNote(len(visits)),
		Version: 1, UpdatedBy: o.user.ID, UpdatedAt: o.now,
	}
	var prev *assess.ExternalScore
	if found {
		e.Version = max(old.Version, 1) + 1
		prev = &old
	}
	return prev, o.putExternal(e)
}

func (t *txn) inspection(id string) (assess.Inspection, bool, error) {
	return get[assess.Inspection](t, `SELECT data FROM inspections WHERE id = ?`, id)
}

// inspections returns a unit's inspection visits in a year, by ID.
func (t *txn) inspections(yearID, unitID string) ([]assess.Inspection, error) {
	rows, err := t.query(`SELECT data FROM inspections WHERE year_id = ? AND unit_id = ? ORDER BY id`, yearID, unitID)
	if err != nil {
		return nil, fmt.Errorf("inspections of %s: %w", unitID, err)
	}
	defer rows.Close()
	var out []assess.Inspection
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var in assess.Inspection
		if err := json.Unmarshal(data, &in); err != nil {
			return nil, fmt.Errorf("decode inspection: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// putInspection stores an inspection visit and feeds it to its unit.
func (t *txn) putInspection(in assess.Inspection) error {
	data, err := encode(in)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO inspections (id, year_id, unit_id, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, in.ID, in.YearID, in.UnitID, data); err != nil {
		return fmt.Errorf("put inspection %s: %w", in.ID, err)
	}
	return t.emit(wire.EntityInspection, in.ID, in.UnitID, in)
}
