package sqlite

import (
	"encoding/json"

	"github.com/yiwangtong/yiwangtong/assess"
)

// applyExternalSave records a unit's third-party, survey or on-site score
// for a year as the next version of that source's score; the audit event
// keeps the version it replaces. A unit's on-site score comes from its
// inspection records once it has any.
func applyExternalSave(o *op, data json.RawMessage) error {
	var e assess.ExternalScore
	if err := decode(data, &e); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if err := checkText(e.Note, "备注"); err != nil {
		return err
	}
	if err := checkText(e.DocumentName, "文件名"); err != nil {
		return err
	}
	for _, it := range e.Items {
		if err := checkText(it.Name, "分项名称"); err != nil {
			return err
		}
	}
	e.ID = assess.ExternalID(e.YearID, e.UnitID, e.Source)
	o.subject = e.ID
	y, err := o.writableYear(e.YearID)
	if err != nil {
		return err
	}
	if _, found, err := o.unit(e.UnitID); err != nil || !found {
		if err != nil {
			return err
		}
		return assess.Errorf(assess.EInvalid, "单位“%s”不存在 (no such unit)", printable(e.UnitID))
	}
	if e.Source == assess.Onsite {
		var n int
		if err := o.queryRow(`SELECT COUNT(*) FROM inspections WHERE year_id = ? AND unit_id = ?`, e.YearID, e.UnitID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return assess.Errorf(assess.EConflict, "该单位已有现场督察记录，现场督察得分由督察记录计算 (on-site score comes from inspection records)")
		}
	}
	if e.Document != "" {
		if err := assess.ValidateHash(e.Document); err != nil {
			return err
		}
		if _, err := o.requireBlobs([]assess.Attachment{{Hash: e.Document, Name: "评估原始文件"}}); err != nil {
			return err
		}
		if _, err := o.grantBlob(e.Document, e.UnitID); err != nil {
			return err
		}
	}
	old, found, err := o.external(e.ID)
	if err != nil {
		return err
	}
	e.Version = 1
	if found {
		// A score saved before versions were counted is version 1.
		e.Version = max(old.Version, 1) + 1
		o.replaces = old
	}
	e.UpdatedBy, e.UpdatedAt = o.user.ID, o.now
	if err := o.putExternal(e); err != nil {
		return err
	}
	if y.State == assess.YearPublished {
		return o.touchUnit(y.ID, e.UnitID)
	}
	return nil
}
