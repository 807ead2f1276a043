package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// leadBatch is the batch the lead tests send: two leads about A (one naming
// an indicator by its code) and one about B.
func leadBatch() wire.LeadBatch {
	return wire.LeadBatch{Leads: []wire.LeadRecord{
		petition("XF-2026-001", UnitA),
		{Source: assess.LeadHotline, RecordID: "12345-778", UnitID: UnitA, Date: "2026-02-27", Summary: "投诉权责清单未及时更新", IndicatorCode: "1.1"},
		{Source: assess.LeadLitigation, RecordID: "(2026)鲁0303行初12号", UnitID: UnitB, Date: "2026-01-15", Summary: "行政处罚决定被判决撤销", YearID: YearID},
	}}
}

// importLeads imports a batch as the service account; a refusal fails the
// test.
func (c *City) importLeads(b wire.LeadBatch) wire.LeadImportResponse {
	c.T.Helper()
	resp, err := c.S.ImportLeads(c.Ctx, c.Svc, b)
	if err != nil {
		c.T.Fatalf("import leads: %v", err)
	}
	if len(resp.Results) != len(b.Leads) {
		c.T.Fatalf("import of %d leads answered %d results", len(b.Leads), len(resp.Results))
	}
	return resp
}

// importRefused imports a batch that must be refused with code and a message
// holding want; it returns the message.
func (c *City) importRefused(u assess.User, b wire.LeadBatch, code, want string) string {
	c.T.Helper()
	resp, err := c.S.ImportLeads(c.Ctx, u, b)
	if assess.ErrorCode(err) != code {
		c.T.Fatalf("import by %s: %+v, %v; want %s", u.Username, resp, err, code)
	}
	msg := assess.ErrorMessage(err)
	if !strings.Contains(msg, want) || !hasChinese(msg) || !hasEnglishGloss(msg) {
		c.T.Fatalf("message %q: want Chinese first, the English in parentheses, saying %q", msg, want)
	}
	return msg
}

func leadStatuses(r wire.LeadImportResponse) []string {
	out := make([]string, len(r.Results))
	for i, x := range r.Results {
		out[i] = x.Status
	}
	return out
}

// testLeadImport imports leads as another system would: stored and fed to
// their units, idempotent by source and record ID, a changed lead updated
// with its decision kept, and a batch with one bad lead refused whole with a
// message naming the row and the record.
func testLeadImport(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	batch := leadBatch()
	resp := c.importLeads(batch)
	if resp.Created != 3 || resp.Updated != 0 || resp.Unchanged != 0 {
		t.Fatalf("first import: %+v, want 3 created", resp)
	}
	ids := []string{"petition:XF-2026-001", "hotline:12345-778", "litigation:(2026)鲁0303行初12号"}
	for i, r := range resp.Results {
		if r.ID != ids[i] || r.RecordID != batch.Leads[i].RecordID || r.Status != wire.LeadCreated {
			t.Fatalf("result %d: %+v, want %s created", i, r, ids[i])
		}
	}
	l := MustEntity[assess.Lead](c, c.ReporterA, wire.EntityLead, ids[1])
	if l.Source != assess.LeadHotline || l.RecordID != "12345-778" || l.YearID != YearID || l.UnitID != UnitA ||
		!l.Date.Equal(day(2026, 2, 27)) || l.Summary != "投诉权责清单未及时更新" || l.IndicatorID != Leaf11 ||
		l.ImportedBy != c.Svc.ID || !l.ImportedAt.Equal(c.Clock.Now()) || l.Considered {
		t.Fatalf("stored lead %+v", l)
	}
	if _, ok := Entity[assess.Lead](c, c.ReporterA, wire.EntityLead, ids[2]); ok {
		t.Fatal("A sees B's lead")
	}
	if _, ok := Entity[assess.Lead](c, c.ReporterB, wire.EntityLead, ids[2]); !ok {
		t.Fatal("B does not see its lead")
	}
	if page, err := c.S.Changes(c.Ctx, c.Svc, 0, 0); err != nil || len(page.Entries) != 0 {
		t.Fatalf("the service account pulls %d entries, %v; want none", len(page.Entries), err)
	}

	// The same batch again changes nothing: no feed entry, no audit event.
	c.Clock.Advance(time.Hour)
	_, cursor := c.PullAll(c.Admin, 0, 0)
	events := c.AuditEvents()
	resp = c.importLeads(batch)
	if resp.Created != 0 || resp.Updated != 0 || resp.Unchanged != 3 ||
		strings.Join(leadStatuses(resp), ",") != "unchanged,unchanged,unchanged" {
		t.Fatalf("second import: %+v, want all unchanged", resp)
	}
	if _, next := c.PullAll(c.Admin, cursor, 0); next != cursor {
		t.Fatalf("feed cursor moved from %d to %d on an unchanged import", cursor, next)
	}
	if got := c.AuditEvents(); got != events {
		t.Fatalf("%d audit events after an unchanged import, want %d", got, events)
	}
	// The reviewer's Excel import of the same leads is as quiet.
	r := c.Push(c.Reviewer, wire.KindLeadImport, batch)
	if r.Status != wire.Applied || r.Seq != 0 {
		t.Fatalf("a reviewer's unchanged import: %+v, want applied with no feed entry", r)
	}
	if _, next := c.PullAll(c.Admin, cursor, 0); next != cursor || c.AuditEvents() != events {
		t.Fatal("a reviewer's unchanged import moved the feed or the audit log")
	}

	// A decision, then the sender corrects the summary: updated, decision
	// kept, one audit event that holds the replaced lead.
	c.Apply(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: ids[0], Considered: true, Deduction: 1.5, Comment: "信访事项属实"})
	decided := MustEntity[assess.Lead](c, c.Admin, wire.EntityLead, ids[0])
	events = c.AuditEvents()
	changed := leadBatch()
	changed.Leads[0].Summary = "群众反映窗口办事推诿，已核实"
	resp = c.importLeads(changed)
	if resp.Created != 0 || resp.Updated != 1 || resp.Unchanged != 2 || resp.Results[0].Status != wire.LeadUpdated {
		t.Fatalf("import of a corrected lead: %+v", resp)
	}
	l = MustEntity[assess.Lead](c, c.ReporterA, wire.EntityLead, ids[0])
	if l.Summary != "群众反映窗口办事推诿，已核实" || !l.Considered || l.Deduction != 1.5 || l.Comment != "信访事项属实" ||
		l.ConsideredBy != c.Reviewer.ID || !l.ConsideredAt.Equal(decided.ConsideredAt) {
		t.Fatalf("updated lead %+v, want the new summary and the decision kept", l)
	}
	if got := c.AuditEvents(); got != events+1 {
		t.Fatalf("%d audit events after an import that changed one lead, want %d", got, events+1)
	}
	last := lastEvent(c)
	if last.Action != wire.KindLeadImport || last.Actor != c.Svc.ID || !strings.Contains(string(last.Data), "已核实") ||
		!strings.Contains(string(last.Data), `"replaces"`) || !strings.Contains(string(last.Data), `"summary":"群众反映窗口办事推诿"`) {
		t.Fatalf("the import's audit event: %+v", last)
	}

	// One bad lead refuses the whole batch: nothing of it is stored.
	_, cursor = c.PullAll(c.Admin, 0, 0)
	events = c.AuditEvents()
	bad := wire.LeadBatch{Leads: []wire.LeadRecord{
		petition("XF-2026-002", UnitB),
		{Source: assess.LeadProposal, RecordID: "JY-17", UnitID: "nowhere", Date: "2026-03-01", Summary: "建议加强行政执法监督"},
	}}
	c.importRefused(c.Svc, bad, assess.EInvalid, "第 2 条线索（记录编号 JY-17）：单位“nowhere”不存在，请核对单位编号 (lead 2: no such unit)")
	for _, tt := range []struct {
		name string
		rec  wire.LeadRecord
		want string
	}{
		{"unknown indicator code", wire.LeadRecord{Source: assess.LeadHotline, RecordID: "H-1", UnitID: UnitA, Date: "2026-03-01", Summary: "投诉", IndicatorCode: "9.9"}, "第 2 条线索（记录编号 H-1）：2026年度没有编号为“9.9”的指标"},
		{"unknown year", wire.LeadRecord{Source: assess.LeadHotline, RecordID: "H-2", UnitID: UnitA, Date: "2019-03-01", Summary: "投诉"}, "第 2 条线索（记录编号 H-2）：考核年度“2019”不存在"},
		{"bad date", wire.LeadRecord{Source: assess.LeadHotline, RecordID: "H-3", UnitID: UnitA, Date: "2026/03/01", Summary: "投诉"}, "第 2 条线索（记录编号 H-3）：日期“2026/03/01”格式不正确"},
		{"unknown source", wire.LeadRecord{Source: "rumour", RecordID: "H-4", UnitID: UnitA, Date: "2026-03-01", Summary: "投诉"}, "第 2 条线索（记录编号 H-4）：线索来源“rumour”不正确"},
		{"no summary", wire.LeadRecord{Source: assess.LeadHotline, RecordID: "H-5", UnitID: UnitA, Date: "2026-03-01"}, "(lead 2: summary is required)"},
		{"repeated in the batch", petition("XF-2026-002", UnitA), "第 2 条线索（记录编号 XF-2026-002）与第 1 条重复"},
	} {
		c.importRefused(c.Svc, wire.LeadBatch{Leads: []wire.LeadRecord{bad.Leads[0], tt.rec}}, assess.EInvalid, tt.want)
	}
	c.importRefused(c.Svc, wire.LeadBatch{}, assess.EInvalid, "没有要导入的线索")
	c.importRefused(c.Svc, wire.LeadBatch{Leads: make([]wire.LeadRecord, wire.MaxLeadBatch+1)}, assess.ETooLarge, "1000")
	c.importRefused(c.ReporterA, bad, assess.EForbidden, "")
	if _, next := c.PullAll(c.Admin, cursor, 0); next != cursor || c.AuditEvents() != events {
		t.Fatal("a refused batch left a feed entry or an audit event")
	}
	if _, ok := Entity[assess.Lead](c, c.Admin, wire.EntityLead, "petition:XF-2026-002"); ok {
		t.Fatal("the good lead of a refused batch was stored")
	}
	if resp := c.importLeads(wire.LeadBatch{Leads: bad.Leads[:1]}); resp.Created != 1 {
		t.Fatalf("the good lead alone: %+v, want created", resp)
	}

	// A reviewer's push refuses a bad batch the same way, and imports a
	// good one.
	r = c.Reject(c.Reviewer, wire.KindLeadImport, bad, assess.EInvalid)
	if !strings.Contains(r.Message, "第 2 条线索（记录编号 JY-17）") {
		t.Fatalf("push refusal %q does not name the row", r.Message)
	}
	c.Apply(c.Reviewer, wire.KindLeadImport, wire.LeadBatch{Leads: []wire.LeadRecord{petition("XF-2026-003", UnitB)}})
	if l := MustEntity[assess.Lead](c, c.ReporterB, wire.EntityLead, "petition:XF-2026-003"); l.ImportedBy != c.Reviewer.ID {
		t.Fatalf("lead imported by push: %+v", l)
	}

	// A closed year takes no leads.
	c.Apply(c.Admin, wire.KindYearClose, wire.YearRef{YearID: YearID})
	c.importRefused(c.Svc, wire.LeadBatch{Leads: []wire.LeadRecord{petition("XF-2026-009", UnitA)}}, assess.EClosed, "第 1 条线索（记录编号 XF-2026-009）")
	c.Reject(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: ids[1], Considered: true, Deduction: 1}, assess.EClosed)
}

// lastEvent returns the last event of the audit log.
func lastEvent(c *City) wire.AuditEvent {
	c.T.Helper()
	all, err := c.S.AuditEvents(c.Ctx, time.Time{}, time.Time{}, c.AuditEvents()-1, 0)
	if err != nil || len(all) != 1 {
		c.T.Fatalf("last audit event: %d, %v", len(all), err)
	}
	return all[0]
}

// testLeadDeduction takes leads into account and checks each unit's
// standing against points worked out by hand: the system component is
// 50 × (task scores − deductions) ÷ 30 for A, and never below 0.
func testLeadDeduction(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	standing := func(unit string) assess.Standing {
		t.Helper()
		return MustEntity[assess.Standing](c, c.ReporterA, wire.EntityStanding, YearID+"/"+unit)
	}
	c.Submit(c.ReporterA, a11, 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 8})
	c.Submit(c.ReporterB, b11, 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: b11, Version: 1, Score: 7})
	c.importLeads(leadBatch())
	// A: 8 of 30 → 50 × 8 ÷ 30 = 13.33; B: 7 of 30 → 11.67. Importing
	// changes nothing until a reviewer decides.
	if a, b := standing(UnitA), standing(UnitB); a.System != 13.33 || a.Total != 13.33 || a.Rank != 1 || b.System != 11.67 || b.Rank != 2 {
		t.Fatalf("before any decision: A %+v, B %+v", a, b)
	}

	// 2.5 off A: 50 × 5.5 ÷ 30 = 9.17, and A drops below B.
	c.Apply(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: "petition:XF-2026-001", Considered: true, Deduction: 2.5, Comment: "属实"})
	l := MustEntity[assess.Lead](c, c.ReporterA, wire.EntityLead, "petition:XF-2026-001")
	if !l.Considered || l.Deduction != 2.5 || l.Comment != "属实" || l.ConsideredBy != c.Reviewer.ID || !l.ConsideredAt.Equal(c.Clock.Now()) {
		t.Fatalf("considered lead %+v", l)
	}
	if a, b := standing(UnitA), standing(UnitB); a.System != 9.17 || a.Total != 9.17 || a.Rank != 2 || b.Rank != 1 || b.System != 11.67 {
		t.Fatalf("after deducting 2.5 from A: A %+v, B %+v", a, b)
	}
	last := lastEvent(c)
	if last.Action != wire.KindLeadConsider || last.Subject != "petition:XF-2026-001" || !strings.Contains(string(last.Data), `"replaces"`) {
		t.Fatalf("the decision's audit event: %+v", last)
	}

	// A second lead adds up: 8 − 2.5 − 1 = 4.5 → 7.5.
	c.Apply(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: "hotline:12345-778", Considered: true, Deduction: 1})
	if a := standing(UnitA); a.System != 7.5 {
		t.Fatalf("after deducting 2.5 and 1 from A: %+v, want 7.5", a)
	}
	// Deductions beyond the task scores stop at 0.
	c.Apply(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: "hotline:12345-778", Considered: true, Deduction: 20})
	if a := standing(UnitA); a.System != 0 || a.Total != 0 {
		t.Fatalf("after deducting more than A scored: %+v, want 0", a)
	}
	// Withdrawing a decision gives the points back: 8 − 2.5 → 9.17.
	c.Apply(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: "hotline:12345-778", Considered: false, Deduction: 20, Comment: "经核实不属实"})
	if l := MustEntity[assess.Lead](c, c.Admin, wire.EntityLead, "hotline:12345-778"); l.Considered || l.Deduction != 0 || l.Comment != "经核实不属实" {
		t.Fatalf("withdrawn lead %+v", l)
	}
	if a := standing(UnitA); a.System != 9.17 {
		t.Fatalf("after withdrawing: %+v, want 9.17", a)
	}

	// Deductions are checked.
	for _, d := range []float64{-1, 100.5, 1.234} {
		c.Reject(c.Reviewer, wire.KindLeadConsider, wire.LeadDecision{LeadID: "hotline:12345-778", Considered: true, Deduction: d}, assess.EInvalid)
	}
	c.Reject(c.Reviewer, wire.KindLeadConsider, json.RawMessage(`{"lead_id":"hotline:12345-778","considered":true,"deduction":1,"comment":"a\u0000b"}`), assess.EInvalid)
	if a := standing(UnitA); a.System != 9.17 {
		t.Fatalf("refused decisions changed A's standing: %+v", a)
	}
}
