package localdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// milestoneInd is ind1 with two milestones.
func milestoneInd() assess.Indicator {
	in := ind1
	in.Milestones = []assess.Milestone{
		{ID: "m1", Title: "制定年度计划", Due: time.Date(2026, 6, 29, 16, 0, 0, 0, time.UTC)},
		{ID: "m2", Title: "完成中期自查", Due: time.Date(2026, 9, 29, 16, 0, 0, 0, time.UTC)},
	}
	return in
}

// seededMilestones is the seeded store with ind1 carrying milestones.
func seededMilestones(t *testing.T) *DB {
	t.Helper()
	db := seeded(t)
	in := milestoneInd()
	if err := db.ApplyPage(context.Background(), wire.ChangesResponse{Entries: []wire.Entry{entry(101, wire.EntityIndicator, in.ID, in)}, Next: 101}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestIndicatorMilestonesRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	ins, err := db.Indicators(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	got := find(ins, ind1.ID, func(in assess.Indicator) string { return in.ID })
	equal(t, "milestones", got.Milestones, milestoneInd().Milestones)
	if m := find(ins, ind2.ID, func(in assess.Indicator) string { return in.ID }).Milestones; m != nil {
		t.Fatalf("ind2 milestones = %+v", m)
	}

	// An administrator's edit keeps them, and the overlay shows the edit.
	login(t, db, reviewer)
	in := got
	in.Milestones = append(in.Milestones, assess.Milestone{ID: "m3", Title: "年终总结", Due: time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)})
	if err := db.SaveIndicator(ctx, in); err != nil {
		t.Fatal(err)
	}
	ins, _ = db.Indicators(ctx, "2026")
	if ms := find(ins, ind1.ID, func(in assess.Indicator) string { return in.ID }).Milestones; len(ms) != 3 || ms[2].ID != "m3" {
		t.Fatalf("milestones after edit = %+v", ms)
	}
	bad := in
	bad.Milestones = append(bad.Milestones, assess.Milestone{ID: "m3", Title: "重复", Due: in.Milestones[0].Due})
	wantCode(t, db.SaveIndicator(ctx, bad), assess.EInvalid)
}

func TestMilestoneFeedApply(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	f := assess.MilestoneFiling{ID: assess.MilestoneFilingID(t11, "m1"), TaskID: t11, UnitID: "u1", MilestoneID: "m1",
		Statement: "已制定", Attachments: []assess.Attachment{{Hash: strings.Repeat("a", 64), Name: "计划.pdf", Size: 9, Slot: -1}},
		FiledBy: "r1", FiledAt: at, UpdatedAt: at.Add(time.Hour)}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(102, wire.EntityMilestone, f.ID, f)}, Next: 102}); err != nil {
		t.Fatal(err)
	}
	vs, err := db.MilestoneFilings(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "filings", vs, []MilestoneView{{MilestoneFiling: f}})
	ym, err := db.YearMilestoneFilings(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "year filings", ym, map[string]map[string]assess.MilestoneFiling{t11: {"m1": f}})
	if ym, _ := db.YearMilestoneFilings(ctx, "2027"); len(ym) != 0 {
		t.Fatalf("2027 filings = %+v", ym)
	}

	del := wire.Entry{Seq: 103, Entity: wire.EntityMilestone, ID: f.ID, Deleted: true}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{del}, Next: 103}); err != nil {
		t.Fatal(err)
	}
	if vs, _ := db.MilestoneFilings(ctx, t11); len(vs) != 0 {
		t.Fatalf("after delete: %+v", vs)
	}
}

func TestFileMilestoneOffline(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	a := addFile(t, db, "年度计划.pdf", "%PDF plan")

	if err := db.FileMilestone(ctx, t11, "m1", "已制定年度计划", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	rows := outboxRows(t, db)
	if len(rows) != 1 || rows[0].kind != wire.KindMilestoneFile || rows[0].ref != assess.MilestoneFilingID(t11, "m1") {
		t.Fatalf("outbox = %+v", rows)
	}
	madeAt := rows[0].madeAt
	want := MilestoneView{Pending: true, MilestoneFiling: assess.MilestoneFiling{
		ID: assess.MilestoneFilingID(t11, "m1"), TaskID: t11, UnitID: "u1", MilestoneID: "m1", Statement: "已制定年度计划",
		Attachments: []assess.Attachment{a}, FiledBy: "r1", FiledAt: madeAt, UpdatedAt: madeAt}}
	vs, err := db.MilestoneFilings(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "pending filing", vs, []MilestoneView{want})
	ym, _ := db.YearMilestoneFilings(ctx, "2026")
	equal(t, "year filings", ym, map[string]map[string]assess.MilestoneFiling{t11: {"m1": want.MilestoneFiling}})
	if ups, _ := db.PendingUploads(ctx); len(ups) != 1 || ups[0].Hash != a.Hash {
		t.Fatalf("uploads = %+v", ups)
	}

	// The server applies it; the pull brings its own filing time.
	cs, _ := db.Pending(ctx, 0)
	if err := db.RecordResults(ctx, []wire.Result{{ID: cs[0].ID, Status: wire.Applied, Seq: 104}}); err != nil {
		t.Fatal(err)
	}
	server := want.MilestoneFiling
	server.FiledAt = time.Date(2026, 3, 2, 1, 5, 0, 0, time.UTC)
	server.UpdatedAt = server.FiledAt
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(104, wire.EntityMilestone, server.ID, server)}, Next: 104}); err != nil {
		t.Fatal(err)
	}
	vs, _ = db.MilestoneFilings(ctx, t11)
	equal(t, "server filing", vs, []MilestoneView{{MilestoneFiling: server}})

	// A correction keeps the first filing's time and waits again.
	if err := db.FileMilestone(ctx, t11, "m1", "补充说明", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	vs, _ = db.MilestoneFilings(ctx, t11)
	if len(vs) != 1 || !vs[0].Pending || vs[0].Statement != "补充说明" || !vs[0].FiledAt.Equal(server.FiledAt) || vs[0].FiledBy != "r1" {
		t.Fatalf("corrected = %+v", vs)
	}
}

func TestFileMilestoneRefused(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	t21 := assess.TaskID(ind2.ID, unit1.ID)
	login(t, db, reporter1)
	before := snapshot(t, db)
	cases := []struct {
		name      string
		task, mID string
		statement string
		code      string
	}{
		{"unknown milestone", t11, "m9", "说明", assess.ENotFound},
		{"indicator without milestones", t21, "m1", "说明", assess.ENotFound},
		{"unknown task", "2026/9.9@u1", "m1", "说明", assess.ENotFound},
		{"nothing filed", t11, "m1", "  ", assess.EInvalid},
		{"statement too long", t11, "m1", strings.Repeat("字", assess.MaxStatementRunes+1), assess.EInvalid},
		{"other unit's task", assess.TaskID(ind1.ID, unit2.ID), "m1", "说明", assess.EForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, db.FileMilestone(ctx, c.task, c.mID, c.statement, nil), c.code)
		})
	}
	// A scored task, and a closed year.
	scored := task(ind1, unit1, assess.Scored, 1)
	scored.Scored = true
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(110, wire.EntityTask, scored.ID, scored)}, Next: 110}); err != nil {
		t.Fatal(err)
	}
	err := db.FileMilestone(ctx, t11, "m1", "说明", nil)
	wantCode(t, err, assess.EConflict)
	if !strings.Contains(assess.ErrorMessage(err), "已赋分") {
		t.Fatalf("got %v", err)
	}
	closed := year
	closed.State = assess.YearClosed
	open := task(ind1, unit1, assess.NotStarted, 0)
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{
		entry(111, wire.EntityTask, open.ID, open), entry(112, wire.EntityYear, closed.ID, closed)}, Next: 112}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.FileMilestone(ctx, t11, "m1", "说明", nil), assess.EClosed)
	if snapshot(t, db) != before {
		t.Fatal("a refused filing wrote to the outbox")
	}

	db = seededMilestones(t)
	login(t, db, reviewer)
	wantCode(t, db.FileMilestone(ctx, t11, "m1", "说明", nil), assess.EForbidden)
}

func TestMilestoneRejectedKeepMine(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	if err := db.FileMilestone(ctx, t11, "m2", "中期自查报告", nil); err != nil {
		t.Fatal(err)
	}
	cs, _ := db.Pending(ctx, 0)
	if err := db.RecordResults(ctx, []wire.Result{{ID: cs[0].ID, Status: wire.Rejected, Code: assess.EConflict, Message: "时间节点已调整"}}); err != nil {
		t.Fatal(err)
	}
	if vs, _ := db.MilestoneFilings(ctx, t11); len(vs) != 0 {
		t.Fatalf("a rejected filing is still shown: %+v", vs)
	}
	rej, err := db.Rejected(ctx)
	if err != nil || len(rej) != 1 || rej[0].TaskID != t11 || rej[0].KindLabel() != "报送时间节点" {
		t.Fatalf("rejected = %+v, %v", rej, err)
	}
	if err := db.KeepMine(ctx, rej[0].ChangeID); err != nil {
		t.Fatal(err)
	}
	vs, _ := db.MilestoneFilings(ctx, t11)
	if len(vs) != 1 || !vs[0].Pending || vs[0].MilestoneID != "m2" || vs[0].Statement != "中期自查报告" {
		t.Fatalf("after keep mine = %+v", vs)
	}
}
