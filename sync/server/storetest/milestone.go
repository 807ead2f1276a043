package storetest

import (
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// day returns midnight of a day in China Standard Time.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, assess.CST) }

// testMilestones files milestones on the store's clock: the first filing's
// server time decides met or late for good, a refiling corrects the content
// only, a due day on a weekend moves to the next working day, and only the
// unit itself may file, while its task is not scored.
func testMilestones(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	in := c.Leaf11
	in.Deadline = day(2026, 6, 30)
	in.Milestones = []assess.Milestone{
		{ID: "m1", Title: "制定年度工作计划", Due: day(2026, 3, 10)}, // a Tuesday
		{ID: "m2", Title: "完成中期自查", Due: day(2026, 3, 14)},   // a Saturday: due Monday 16 March
	}
	c.Apply(c.Admin, wire.KindIndicatorSave, in)
	if got := MustEntity[assess.Indicator](c, c.ReporterA, wire.EntityIndicator, Leaf11); len(got.Milestones) != 2 ||
		got.Milestones[1].Title != "完成中期自查" || !got.Milestones[1].Due.Equal(day(2026, 3, 14)) {
		t.Fatalf("indicator after saving milestones: %+v", got.Milestones)
	}
	late := in
	late.Milestones = append([]assess.Milestone{}, in.Milestones...)
	late.Milestones[1].Due = day(2026, 7, 1)
	c.Reject(c.Admin, wire.KindIndicatorSave, late, assess.EInvalid)

	filing := func(u assess.User, task, m string) assess.MilestoneFiling {
		t.Helper()
		return MustEntity[assess.MilestoneFiling](c, u, wire.EntityMilestone, assess.MilestoneFilingID(task, m))
	}
	state := func(f assess.MilestoneFiling, m assess.Milestone) assess.MilestoneState {
		return m.State(&f, c.Clock.Now(), nil)
	}

	// A files m1 on 2 March, before it is due: met.
	first := c.Clock.Now()
	e1 := c.Blob(c.ReporterA)
	c.Apply(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m1", Statement: "年度计划已印发。", Attachments: []assess.Attachment{e1}})
	f := filing(c.ReporterA, a11, "m1")
	if f.ID != a11+"~m1" || f.TaskID != a11 || f.UnitID != UnitA || f.MilestoneID != "m1" || f.Statement != "年度计划已印发。" ||
		f.FiledBy != c.ReporterA.ID || !f.FiledAt.Equal(first) || !f.UpdatedAt.Equal(first) || len(f.Attachments) != 1 || f.Attachments[0].Hash != e1.Hash {
		t.Fatalf("A's filing of m1: %+v", f)
	}
	if s := state(f, in.Milestones[0]); s != assess.MilestoneMet {
		t.Fatalf("m1 filed on %v: %s, want met", f.FiledAt, s)
	}
	if _, ok := Entity[assess.MilestoneFiling](c, c.ReporterB, wire.EntityMilestone, f.ID); ok {
		t.Fatal("another unit sees A's milestone filing")
	}
	if _, ok := Entity[assess.MilestoneFiling](c, c.Reviewer, wire.EntityMilestone, f.ID); !ok {
		t.Fatal("the reviewer does not see A's milestone filing")
	}

	// B files m1 on Wednesday 11 March, a day after it was due: late.
	c.Clock.Advance(9 * 24 * time.Hour)
	c.Apply(c.ReporterB, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: b11, MilestoneID: "m1", Statement: "计划已报送。"})
	fb := filing(c.ReporterB, b11, "m1")
	if !assess.DayOf(fb.FiledAt).Equal(day(2026, 3, 11)) || state(fb, in.Milestones[0]) != assess.MilestoneLate {
		t.Fatalf("B's m1 filed %v: %s, want late", fb.FiledAt, state(fb, in.Milestones[0]))
	}
	if fb.Attachments == nil {
		t.Fatal("a filing without evidence has nil attachments, want an empty list")
	}

	// Refiling keeps the first filing's time: A's m1 stays met, B's late.
	c.Clock.Advance(24 * time.Hour)
	refiled := c.Clock.Now()
	c.Apply(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m1", Statement: "年度计划已印发并公开。"})
	f = filing(c.ReporterA, a11, "m1")
	if !f.FiledAt.Equal(first) || !f.UpdatedAt.Equal(refiled) || f.Statement != "年度计划已印发并公开。" || len(f.Attachments) != 0 {
		t.Fatalf("A's m1 after refiling: %+v, want filed at %v, updated at %v", f, first, refiled)
	}
	if state(f, in.Milestones[0]) != assess.MilestoneMet {
		t.Fatal("refiling turned a met milestone late")
	}
	c.Apply(c.ReporterB, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: b11, MilestoneID: "m1", Statement: "计划已报送并公开。"})
	if fb2 := filing(c.ReporterB, b11, "m1"); !fb2.FiledAt.Equal(fb.FiledAt) || state(fb2, in.Milestones[0]) != assess.MilestoneLate {
		t.Fatalf("B's m1 after refiling: %+v, want still late", fb2)
	}

	// m2 is due Saturday 14 March, so Monday 16 March is still on time;
	// Tuesday is late.
	c.Clock.Advance(4 * 24 * time.Hour) // Monday 16 March
	c.Apply(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m2", Statement: "自查报告已完成。"})
	if s := state(filing(c.ReporterA, a11, "m2"), in.Milestones[1]); s != assess.MilestoneMet {
		t.Fatalf("m2 filed on the next working day after its weekend due day: %s, want met", s)
	}
	c.Clock.Advance(24 * time.Hour)
	c.Apply(c.ReporterB, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: b11, MilestoneID: "m2", Statement: "自查报告已完成。"})
	if s := state(filing(c.ReporterB, b11, "m2"), in.Milestones[1]); s != assess.MilestoneLate {
		t.Fatalf("m2 filed on Tuesday: %s, want late", s)
	}

	// Only the unit itself files, and only while its task is not scored.
	c.Reject(c.ReporterB, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: Task(Leaf11, UnitC), MilestoneID: "m1", Statement: "代报"}, assess.EForbidden)
	c.Reject(c.Reviewer, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m1", Statement: "代报"}, assess.EForbidden)
	c.Reject(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m9", Statement: "x"}, assess.ENotFound)
	c.Reject(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m2", Statement: "x",
		Attachments: []assess.Attachment{c.UnknownBlob()}}, assess.EMissing)
	c.Submit(c.ReporterA, a11, 0)
	c.Apply(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m2", Statement: "提交后补充说明。"})
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 9})
	r := c.Reject(c.ReporterA, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: a11, MilestoneID: "m2", Statement: "赋分后修改"}, assess.EConflict)
	if f := filing(c.ReporterA, a11, "m2"); f.Statement != "提交后补充说明。" {
		t.Fatalf("a refused filing changed the record: %+v (%s)", f, r.Message)
	}

	// A unit that has filed a milestone keeps its task.
	unassign := in
	unassign.Units = []string{UnitA, UnitC}
	c.Reject(c.Admin, wire.KindIndicatorSave, unassign, assess.EConflict)

	// A closed year takes no filings.
	c.Apply(c.Admin, wire.KindYearClose, wire.YearRef{YearID: YearID})
	c.Reject(c.ReporterB, wire.KindMilestoneFile, wire.MilestoneFile{TaskID: b11, MilestoneID: "m2", Statement: "关闭后"}, assess.EClosed)
	c.AuditEvents()
}
