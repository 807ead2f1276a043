package localdb

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, assess.CST) }

// serverLead is a lead as the server sends it.
func serverLead(source assess.LeadSource, recordID, unitID string, date time.Time, indicatorID string) assess.Lead {
	return assess.Lead{ID: assess.LeadID(source, recordID), Source: source, RecordID: recordID, YearID: "2026", UnitID: unitID,
		Date: date, Summary: "线索 " + recordID, IndicatorID: indicatorID, ImportedBy: "svc",
		ImportedAt: time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)}
}

func applyLeads(t *testing.T, db *DB, seq int64, ls ...assess.Lead) {
	t.Helper()
	var es []wire.Entry
	for i, l := range ls {
		es = append(es, entry(seq+int64(i), wire.EntityLead, l.ID, l))
	}
	if err := db.ApplyPage(context.Background(), wire.ChangesResponse{Entries: es, Next: seq + int64(len(ls))}); err != nil {
		t.Fatal(err)
	}
}

func TestLeadFeedApplyAndFilter(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	l1 := serverLead(assess.LeadLitigation, "XZ-1", "u1", day(2026, 3, 10), ind1.ID)
	l2 := serverLead(assess.LeadHotline, "12345-2", "u1", day(2026, 4, 2), "")
	l3 := serverLead(assess.LeadPetition, "XF-3", "u2", day(2026, 2, 1), ind1.ID)
	l3.Considered, l3.Deduction, l3.Comment, l3.ConsideredBy, l3.ConsideredAt = true, 0.5, "属实", "v1", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	applyLeads(t, db, 101, l1, l2, l3)

	all, err := db.Leads(ctx, LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "all leads, newest first", all, []assess.Lead{l2, l1, l3})
	for _, c := range []struct {
		f    LeadFilter
		want []assess.Lead
	}{
		{LeadFilter{UnitID: "u1"}, []assess.Lead{l2, l1}},
		{LeadFilter{IndicatorID: ind1.ID}, []assess.Lead{l1, l3}},
		{LeadFilter{YearID: "2026", UnitID: "u2", IndicatorID: ind1.ID}, []assess.Lead{l3}},
		{LeadFilter{OnlyConsidered: true}, []assess.Lead{l3}},
		{LeadFilter{YearID: "2027"}, nil},
	} {
		got, err := db.Leads(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		equal(t, fmt.Sprintf("leads %+v", c.f), got, c.want)
	}

	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{{Seq: 110, Entity: wire.EntityLead, ID: l2.ID, Deleted: true}}, Next: 110}); err != nil {
		t.Fatal(err)
	}
	all, _ = db.Leads(ctx, LeadFilter{})
	equal(t, "after delete", all, []assess.Lead{l1, l3})
}

func TestImportLeadsQueuesAndShows(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	old := serverLead(assess.LeadLitigation, "XZ-1", "u1", day(2026, 3, 10), "")
	old.Considered, old.Deduction, old.ConsideredBy = true, 1, "v1"
	applyLeads(t, db, 101, old)
	login(t, db, reviewer)

	batch := wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadHotline, RecordID: "12345-9", UnitID: "u2", Date: "2026-05-04", Summary: "办事难", IndicatorCode: "1.1"},
		{Source: "行政诉讼", RecordID: "XZ-1", UnitID: "u1", Date: " 2026-03-10 ", Summary: "败诉案件（更正）"},
	}}
	if err := db.ImportLeads(ctx, batch); err != nil {
		t.Fatal(err)
	}
	rows := outboxRows(t, db)
	if len(rows) != 1 || rows[0].kind != wire.KindLeadImport {
		t.Fatalf("outbox = %+v", rows)
	}
	// The queued batch carries the year and the canonical source and date.
	if d := rows[0].data; !strings.Contains(d, `"year_id":"2026"`) || !strings.Contains(d, `"source":"litigation"`) ||
		!strings.Contains(d, `"date":"2026-03-10"`) {
		t.Fatalf("queued %s", d)
	}
	ls, err := db.Leads(ctx, LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []assess.Lead{
		{ID: "hotline:12345-9", Source: assess.LeadHotline, RecordID: "12345-9", YearID: "2026", UnitID: "u2", Date: day(2026, 5, 4),
			Summary: "办事难", IndicatorID: ind1.ID, ImportedBy: "v1", ImportedAt: rows[0].madeAt},
		old,
	}
	want[1].Summary, want[1].ImportedBy, want[1].ImportedAt = "败诉案件（更正）", "v1", rows[0].madeAt // the decision stays
	equal(t, "leads with the import laid over", ls, want)
	if rej, _ := db.Rejected(ctx); len(rej) != 0 {
		t.Fatal(rej)
	}
	if KindLabel(wire.KindLeadImport) != "导入督察线索" || KindLabel(wire.KindLeadConsider) != "线索纳入考核" {
		t.Fatal("lead kinds have no Chinese label")
	}
}

func TestImportLeadsRowErrors(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reviewer)
	good := wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-1", UnitID: "u1", Date: "2026-03-01", Summary: "信访件"}
	cases := []struct {
		name string
		bad  wire.LeadRecord
		want []string
	}{
		{"unknown unit", wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "u9", Date: "2026-03-01", Summary: "信访件"},
			[]string{"第 2 条线索（记录编号 XF-2）", "单位“u9”不存在"}},
		{"bad date", wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "u1", Date: "2026/03/01", Summary: "信访件"},
			[]string{"第 2 条线索（记录编号 XF-2）", "日期“2026/03/01”格式不正确", "YYYY-MM-DD"}},
		{"unknown indicator code", wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "u1", Date: "2026-03-01", Summary: "信访件", IndicatorCode: "9.9"},
			[]string{"第 2 条线索（记录编号 XF-2）", "没有编号为“9.9”的指标"}},
		{"year of the date unknown", wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "u1", Date: "2025-12-31", Summary: "信访件"},
			[]string{"第 2 条线索", "考核年度“2025”不存在"}},
		{"unknown source", wire.LeadRecord{Source: "weibo", RecordID: "XF-2", UnitID: "u1", Date: "2026-03-01", Summary: "信访件"},
			[]string{"第 2 条线索", "线索来源“weibo”不正确"}},
		{"no summary", wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "u1", Date: "2026-03-01"},
			[]string{"第 2 条线索", "没有填写摘要"}},
		{"same record twice", good, []string{"第 2 条线索与第 1 条线索", "XF-1"}},
	}
	before := snapshot(t, db)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := db.ImportLeads(ctx, wire.LeadBatch{Leads: []wire.LeadRecord{good, c.bad}})
			wantCode(t, err, assess.EInvalid)
			for _, w := range c.want {
				if !strings.Contains(assess.ErrorMessage(err), w) {
					t.Errorf("error %q does not say %q", assess.ErrorMessage(err), w)
				}
			}
			if snapshot(t, db) != before {
				t.Fatal("a refused import queued something")
			}
		})
	}
	wantCode(t, db.ImportLeads(ctx, wire.LeadBatch{}), assess.EInvalid)
	closed := year
	closed.State = assess.YearClosed
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(120, wire.EntityYear, closed.ID, closed)}, Next: 120}); err != nil {
		t.Fatal(err)
	}
	err := db.ImportLeads(ctx, wire.LeadBatch{Leads: []wire.LeadRecord{good}})
	wantCode(t, err, assess.EClosed)
	if !strings.Contains(assess.ErrorMessage(err), "第 1 条线索（记录编号 XF-1）") {
		t.Fatalf("got %v", err)
	}

	db2 := seeded(t)
	login(t, db2, reporter1)
	wantCode(t, db2.ImportLeads(ctx, wire.LeadBatch{Leads: []wire.LeadRecord{good}}), assess.EForbidden)
}

func TestImportLeadsSplitsBatches(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reviewer)
	var b wire.LeadBatch
	for i := range wire.MaxLeadBatch + 1 {
		b.Leads = append(b.Leads, wire.LeadRecord{Source: assess.LeadHotline, RecordID: fmt.Sprint("H-", i), UnitID: "u1",
			Date: "2026-03-01", Summary: "热线投诉"})
	}
	if err := db.ImportLeads(ctx, b); err != nil {
		t.Fatal(err)
	}
	rows := outboxRows(t, db)
	if len(rows) != 2 || rows[0].kind != wire.KindLeadImport || rows[1].kind != wire.KindLeadImport {
		t.Fatalf("outbox has %d rows", len(rows))
	}
	if n := strings.Count(rows[0].data, `"record_id"`) + strings.Count(rows[1].data, `"record_id"`); n != wire.MaxLeadBatch+1 ||
		strings.Count(rows[1].data, `"record_id"`) != 1 {
		t.Fatalf("records queued: %d", n)
	}
	if ls, _ := db.Leads(ctx, LeadFilter{UnitID: "u1"}); len(ls) != wire.MaxLeadBatch+1 {
		t.Fatalf("leads shown: %d", len(ls))
	}
}

func TestConsiderLead(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	l1 := serverLead(assess.LeadReconsideration, "FY-1", "u1", day(2026, 3, 10), ind1.ID)
	applyLeads(t, db, 101, l1)
	login(t, db, reviewer)
	before := snapshot(t, db)
	wantCode(t, db.ConsiderLead(ctx, wire.LeadDecision{LeadID: l1.ID, Considered: true, Deduction: 101}), assess.EInvalid)
	wantCode(t, db.ConsiderLead(ctx, wire.LeadDecision{LeadID: l1.ID, Considered: true, Deduction: 0.125}), assess.EInvalid)
	wantCode(t, db.ConsiderLead(ctx, wire.LeadDecision{LeadID: "petition:none", Considered: true, Deduction: 1}), assess.ENotFound)
	if snapshot(t, db) != before {
		t.Fatal("a refused decision queued something")
	}

	if err := db.ConsiderLead(ctx, wire.LeadDecision{LeadID: l1.ID, Considered: true, Deduction: 1.5, Comment: "复议纠错属实"}); err != nil {
		t.Fatal(err)
	}
	rows := outboxRows(t, db)
	if len(rows) != 1 || rows[0].kind != wire.KindLeadConsider || rows[0].ref != l1.ID {
		t.Fatalf("outbox = %+v", rows)
	}
	ls, _ := db.Leads(ctx, LeadFilter{OnlyConsidered: true})
	want := l1
	want.Considered, want.Deduction, want.Comment, want.ConsideredBy, want.ConsideredAt = true, 1.5, "复议纠错属实", "v1", rows[0].madeAt
	equal(t, "considered lead", ls, []assess.Lead{want})
	if got := assess.Deductions(ls); got != 1.5 {
		t.Fatalf("deductions = %v", got)
	}

	// Withdrawn: no deduction, not listed as considered.
	if err := db.ConsiderLead(ctx, wire.LeadDecision{LeadID: l1.ID, Considered: false, Deduction: 3}); err != nil {
		t.Fatal(err)
	}
	if ls, _ := db.Leads(ctx, LeadFilter{OnlyConsidered: true}); len(ls) != 0 {
		t.Fatalf("withdrawn lead still considered: %+v", ls)
	}
	if ls, _ := db.Leads(ctx, LeadFilter{}); len(ls) != 1 || ls[0].Deduction != 0 {
		t.Fatalf("withdrawn lead = %+v", ls)
	}

	closed := year
	closed.State = assess.YearClosed
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(120, wire.EntityYear, closed.ID, closed)}, Next: 120}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.ConsiderLead(ctx, wire.LeadDecision{LeadID: l1.ID, Considered: true, Deduction: 1}), assess.EClosed)
}
