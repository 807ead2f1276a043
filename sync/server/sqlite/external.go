package sqlite

import (
	"encoding/json"

	"github.com/yiwangtong/yiwangtong/assess"
)

// applyExternalSave records a unit's third-party, survey or on-site score
// for a year; the latest of each source counts.
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
	e.ID = e.YearID + "/" + e.UnitID + "/" + string(e.Source)
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
	e.UpdatedAt = o.now
	if err := o.putExternal(e); err != nil {
		return err
	}
	if y.State == assess.YearPublished {
		return o.touchUnit(y.ID, e.UnitID)
	}
	return nil
}
