package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// ImportLeads applies a batch of leads sent by a service account or a
// reviewer in one transaction, all or none: every lead is checked before
// any is stored. A lead already stored with the same content is unchanged
// (no feed entry); with other content it is replaced and keeps the
// reviewer's decision. A batch that changed something leaves one audit
// event.
func (s *Store) ImportLeads(ctx context.Context, u assess.User, batch wire.LeadBatch) (wire.LeadImportResponse, error) {
	if err := checkLeadBatchSize(batch); err != nil {
		return wire.LeadImportResponse{}, err
	}
	var resp wire.LeadImportResponse
	err := s.write(ctx, func(t *txn) error {
		user, err := t.activeUser(u.ID)
		if err != nil {
			return err
		}
		if user.Role != assess.Service && user.Role != assess.Reviewer {
			return assess.Errorf(assess.EForbidden, "只有审核用户和数据接口账号可以导入线索 (only reviewers and service accounts may import leads)")
		}
		o := &op{txn: t, user: user, dirty: map[standingKey]bool{}}
		if resp, err = o.importLeads(batch); err != nil {
			return err
		}
		if !o.quiet {
			if err := t.audit(user.ID, wire.KindLeadImport, o.subject, auditLeadImport{
				Created: resp.Created, Updated: resp.Updated, Unchanged: resp.Unchanged,
				Leads: o.changedLeads, Replaces: o.replaces,
			}); err != nil {
				return err
			}
		}
		return t.recomputeStandings(o.dirty)
	})
	if err != nil {
		return wire.LeadImportResponse{}, err
	}
	return resp, nil
}

// auditLeadImport is what the audit event of a lead import through the API
// records: the counts, the leads created or updated as stored, and the
// versions the updates replaced.
type auditLeadImport struct {
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Leads     []assess.Lead `json:"leads"`
	Replaces  any           `json:"replaces,omitempty"`
}

func checkLeadBatchSize(batch wire.LeadBatch) error {
	switch {
	case len(batch.Leads) == 0:
		return assess.Errorf(assess.EInvalid, "没有要导入的线索 (the batch has no leads)")
	case len(batch.Leads) > wire.MaxLeadBatch:
		return assess.Errorf(assess.ETooLarge, "一次最多导入 %d 条线索，请分批导入 (at most %d leads per batch)", wire.MaxLeadBatch, wire.MaxLeadBatch)
	}
	return nil
}

// applyLeadImport is the push rule of a reviewer's lead import (the
// client's Excel import): the same as ImportLeads, in the change's
// savepoint.
func applyLeadImport(o *op, data json.RawMessage) error {
	var batch wire.LeadBatch
	if err := decode(data, &batch); err != nil {
		return err
	}
	if err := checkLeadBatchSize(batch); err != nil {
		return err
	}
	_, err := o.importLeads(batch)
	return err
}

// importLeads checks every lead of a batch, then stores those that are new
// or changed. It sets the op's audit subject, the leads changed and the
// versions they replace, and quiet when nothing changed.
func (o *op) importLeads(batch wire.LeadBatch) (wire.LeadImportResponse, error) {
	leads := make([]assess.Lead, len(batch.Leads))
	rows := map[string]int{} // lead ID → 1-based row
	years := map[string]assess.Year{}
	for i, rec := range batch.Leads {
		n := i + 1
		l, err := o.checkLead(n, rec, years)
		if err != nil {
			return wire.LeadImportResponse{}, err
		}
		if m, ok := rows[l.ID]; ok {
			return wire.LeadImportResponse{}, assess.Errorf(assess.EInvalid, "第 %d 条线索（记录编号 %s）与第 %d 条重复，请删除重复的一条 (lead %d repeats lead %d)",
				n, printable(rec.RecordID), m, n, m)
		}
		rows[l.ID] = n
		leads[i] = l
	}

	resp := wire.LeadImportResponse{Results: make([]wire.LeadResult, 0, len(leads))}
	var replaced []assess.Lead
	for _, l := range leads {
		old, found, err := o.lead(l.ID)
		if err != nil {
			return wire.LeadImportResponse{}, err
		}
		status := wire.LeadCreated
		switch {
		case found && old.SameImport(l):
			status = wire.LeadUnchanged
			resp.Unchanged++
		case found:
			status = wire.LeadUpdated
			resp.Updated++
			l.Considered, l.Deduction, l.Comment = old.Considered, old.Deduction, old.Comment
			l.ConsideredBy, l.ConsideredAt = old.ConsideredBy, old.ConsideredAt
			replaced = append(replaced, old)
		default:
			resp.Created++
		}
		resp.Results = append(resp.Results, wire.LeadResult{ID: l.ID, RecordID: l.RecordID, Status: status})
		if status == wire.LeadUnchanged {
			continue
		}
		if o.subject == "" {
			o.subject = l.ID
		}
		o.changedLeads = append(o.changedLeads, l)
		if err := o.putLead(l); err != nil {
			return wire.LeadImportResponse{}, err
		}
		if found && old.Considered {
			if err := o.touchUnit(old.YearID, old.UnitID); err != nil {
				return wire.LeadImportResponse{}, err
			}
			if err := o.touchUnit(l.YearID, l.UnitID); err != nil {
				return wire.LeadImportResponse{}, err
			}
		}
	}
	if len(replaced) > 0 {
		o.replaces = replaced
	}
	o.quiet = resp.Created+resp.Updated == 0
	return resp, nil
}

// checkLead turns the nth record of a batch into a lead and checks it: a
// known source, a date, the fields Lead.Validate asks for, a year that
// exists and is not closed, a unit that exists and, when given, an
// indicator code of that year. Every refusal names the row and the record.
func (o *op) checkLead(n int, rec wire.LeadRecord, years map[string]assess.Year) (assess.Lead, error) {
	rid := printable(rec.RecordID)
	src := rec.Source
	if s, ok := assess.ParseLeadSource(string(src)); ok {
		src = s
	}
	l := assess.Lead{
		ID:         assess.LeadID(src, rec.RecordID),
		Source:     src,
		RecordID:   rec.RecordID,
		UnitID:     rec.UnitID,
		Summary:    rec.Summary,
		ImportedBy: o.user.ID,
		ImportedAt: o.now,
	}
	if strings.TrimSpace(rec.Date) != "" {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(rec.Date), assess.CST)
		if err != nil {
			return l, assess.Errorf(assess.EInvalid, "第 %d 条线索（记录编号 %s）：日期“%s”格式不正确，应为 YYYY-MM-DD (lead %d: date must be YYYY-MM-DD)",
				n, rid, printable(rec.Date), n)
		}
		l.Date = d
	}
	if err := l.Validate(); err != nil {
		return l, leadRowError(n, rec.RecordID, err)
	}
	l.YearID = strings.TrimSpace(rec.YearID)
	if l.YearID == "" {
		l.YearID = strconv.Itoa(l.Date.Year())
	}
	y, ok := years[l.YearID]
	if !ok {
		found := false
		var err error
		y, found, err = o.year(l.YearID)
		if err != nil {
			return l, err
		}
		if !found {
			return l, assess.Errorf(assess.EInvalid, "第 %d 条线索（记录编号 %s）：考核年度“%s”不存在，请核对日期或年度编号 (lead %d: no such year)",
				n, rid, printable(l.YearID), n)
		}
		years[l.YearID] = y
	}
	if err := y.CheckWritable(); err != nil {
		return l, leadRowError(n, rec.RecordID, err)
	}
	if _, found, err := o.unit(l.UnitID); err != nil || !found {
		if err != nil {
			return l, err
		}
		return l, assess.Errorf(assess.EInvalid, "第 %d 条线索（记录编号 %s）：单位“%s”不存在，请核对单位编号 (lead %d: no such unit)",
			n, rid, printable(l.UnitID), n)
	}
	if code := strings.TrimSpace(rec.IndicatorCode); code != "" {
		err := o.queryRow(`SELECT id FROM indicators WHERE year_id = ? AND code = ?`, l.YearID, code).Scan(&l.IndicatorID)
		if isNoRows(err) {
			return l, assess.Errorf(assess.EInvalid, "第 %d 条线索（记录编号 %s）：%s没有编号为“%s”的指标，请核对指标编号 (lead %d: no such indicator code)",
				n, rid, y.Name, printable(code), n)
		}
		if err != nil {
			return l, err
		}
	}
	return l, nil
}

// leadRowError puts the row and record of a batch in front of a refusal:
// "第 N 条线索（记录编号 X）：… (lead N: …)".
func leadRowError(n int, recordID string, err error) error {
	msg := assess.ErrorMessage(err)
	zh, en := msg, ""
	if i := strings.LastIndex(msg, " ("); i >= 0 && strings.HasSuffix(msg, ")") {
		zh, en = msg[:i], msg[i+2:len(msg)-1]
	}
	return assess.Errorf(assess.ErrorCode(err), "第 %d 条线索（记录编号 %s）：%s (lead %d: %s)", n, printable(recordID), zh, n, en)
}

// applyLeadConsider records a reviewer's decision on a lead: taken into
// account with a deduction from its unit's system score, or withdrawn.
func applyLeadConsider(o *op, data json.RawMessage) error {
	var d wire.LeadDecision
	if err := decode(data, &d); err != nil {
		return err
	}
	o.subject = d.LeadID
	l, found, err := o.lead(d.LeadID)
	if err != nil {
		return err
	}
	if !found {
		return assess.Errorf(assess.ENotFound, "线索“%s”不存在，请先同步 (no such lead)", printable(d.LeadID))
	}
	if _, err := o.writableYear(l.YearID); err != nil {
		return err
	}
	if err := checkText(d.Comment, "扣分说明"); err != nil {
		return err
	}
	deduction := d.Deduction
	if !d.Considered {
		deduction = 0
	}
	if err := assess.ValidateDeduction(deduction); err != nil {
		return err
	}
	o.replaces = l
	l.Considered, l.Deduction, l.Comment = d.Considered, deduction, d.Comment
	l.ConsideredBy, l.ConsideredAt = o.user.ID, o.now
	if err := o.putLead(l); err != nil {
		return err
	}
	return o.touchUnit(l.YearID, l.UnitID)
}

func (t *txn) lead(id string) (assess.Lead, bool, error) {
	return get[assess.Lead](t, `SELECT data FROM leads WHERE id = ?`, id)
}

// putLead stores a lead and feeds it to its unit.
func (t *txn) putLead(l assess.Lead) error {
	data, err := encode(l)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO leads (id, year_id, unit_id, indicator_id, considered, deduction, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, unit_id = excluded.unit_id,
			indicator_id = excluded.indicator_id, considered = excluded.considered,
			deduction = excluded.deduction, data = excluded.data`,
		l.ID, l.YearID, l.UnitID, l.IndicatorID, boolInt(l.Considered), l.Deduction, data); err != nil {
		return fmt.Errorf("put lead %s: %w", l.ID, err)
	}
	return t.emit(wire.EntityLead, l.ID, l.UnitID, l)
}
