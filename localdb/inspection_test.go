package localdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestInspectionFeedApply(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	at := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	v1 := assess.Inspection{ID: "2026/u1/aa", YearID: "2026", UnitID: "u1", Date: time.Date(2026, 4, 30, 16, 0, 0, 0, time.UTC),
		Inspectors: []string{"王督察", "李督察"}, Findings: "执法台账不全", Score: 80, Max: 100,
		Photos: []assess.Attachment{{Hash: strings.Repeat("c", 64), Name: "现场.jpg", Size: 5, Slot: -1}}, RecordedBy: "v1", UpdatedAt: at}
	v2 := assess.Inspection{ID: "2026/u2/bb", YearID: "2026", UnitID: "u2", Date: time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC),
		Inspectors: []string{"王督察"}, Findings: "良好", Score: 9, Max: 10, RecordedBy: "v1", UpdatedAt: at}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{
		entry(101, wire.EntityInspection, v1.ID, v1), entry(102, wire.EntityInspection, v2.ID, v2)}, Next: 102}); err != nil {
		t.Fatal(err)
	}
	all, err := db.Inspections(ctx, "2026", "")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "inspections, newest first", all, []assess.Inspection{v1, v2})
	u2, _ := db.Inspections(ctx, "2026", "u2")
	equal(t, "u2's inspections", u2, []assess.Inspection{v2})
	if none, _ := db.Inspections(ctx, "2027", ""); len(none) != 0 {
		t.Fatalf("2027: %+v", none)
	}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{{Seq: 103, Entity: wire.EntityInspection, ID: v1.ID, Deleted: true}}, Next: 103}); err != nil {
		t.Fatal(err)
	}
	all, _ = db.Inspections(ctx, "2026", "")
	equal(t, "after delete", all, []assess.Inspection{v2})
}

func TestSaveInspectionOffline(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reviewer)
	photo := addFile(t, db, "现场照片.jpg", "\xff\xd8\xff site")
	in := assess.Inspection{YearID: "2026", UnitID: "u1", Date: day(2026, 5, 20), Inspectors: []string{" 王督察 ", ""},
		Findings: "行政执法公示不到位", Score: 85, Max: 100, Photos: []assess.Attachment{photo}}
	saved, err := db.SaveInspection(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(saved.ID, "2026/u1/") || len(saved.ID) != len("2026/u1/")+16 || saved.RecordedBy != "v1" ||
		saved.UpdatedAt.IsZero() || len(saved.Inspectors) != 1 || saved.Inspectors[0] != "王督察" {
		t.Fatalf("saved = %+v", saved)
	}
	rows := outboxRows(t, db)
	if len(rows) != 1 || rows[0].kind != wire.KindInspectionSave || rows[0].ref != saved.ID {
		t.Fatalf("outbox = %+v", rows)
	}
	got, _ := db.Inspections(ctx, "2026", "u1")
	if len(got) != 1 || got[0].ID != saved.ID || got[0].Findings != in.Findings || len(got[0].Photos) != 1 {
		t.Fatalf("inspections = %+v", got)
	}
	if ups, _ := db.PendingUploads(ctx); len(ups) != 1 || ups[0].Hash != photo.Hash {
		t.Fatalf("the photo is not waiting to be uploaded: %+v", ups)
	}

	// A correction keeps the ID; the list shows it once.
	saved.Score = 90
	again, err := db.SaveInspection(ctx, saved)
	if err != nil || again.ID != saved.ID {
		t.Fatalf("again = %+v, %v", again, err)
	}
	got, _ = db.Inspections(ctx, "2026", "")
	if len(got) != 1 || got[0].Score != 90 {
		t.Fatalf("after correction = %+v", got)
	}
	if KindLabel(wire.KindInspectionSave) != "保存现场督察记录" {
		t.Fatal("no Chinese label")
	}

	// The on-site score now comes from the records.
	err = db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u1", Source: assess.Onsite, Score: 70, Max: 100})
	wantCode(t, err, assess.EConflict)
	if err := db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u2", Source: assess.Onsite, Score: 70, Max: 100}); err != nil {
		t.Fatal(err)
	}

	before := snapshot(t, db)
	moved := saved
	moved.UnitID = "u2"
	wantCode(t, func() error { _, err := db.SaveInspection(ctx, moved); return err }(), assess.EInvalid)
	for name, bad := range map[string]assess.Inspection{
		"no inspector": {YearID: "2026", UnitID: "u1", Date: day(2026, 5, 20), Findings: "x", Score: 1, Max: 10},
		"score > max":  {YearID: "2026", UnitID: "u1", Date: day(2026, 5, 20), Inspectors: []string{"王"}, Findings: "x", Score: 11, Max: 10},
		"no date":      {YearID: "2026", UnitID: "u1", Inspectors: []string{"王"}, Findings: "x", Score: 1, Max: 10},
	} {
		_, err := db.SaveInspection(ctx, bad)
		if assess.ErrorCode(err) != assess.EInvalid {
			t.Errorf("%s: got %v", name, err)
		}
	}
	_, err = db.SaveInspection(ctx, assess.Inspection{YearID: "2026", UnitID: "u9", Date: day(2026, 5, 20), Inspectors: []string{"王"}, Findings: "x", Score: 1, Max: 10})
	wantCode(t, err, assess.ENotFound)
	if snapshot(t, db) != before {
		t.Fatal("a refused inspection queued something")
	}

	db2 := seeded(t)
	login(t, db2, reporter1)
	_, err = db2.SaveInspection(ctx, in)
	wantCode(t, err, assess.EForbidden)
}

func TestExternalNewFields(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	x := assess.ExternalScore{ID: "2026/u1/survey", YearID: "2026", UnitID: "u1", Source: assess.Survey, Score: 86.5, Max: 100,
		Note: "第二轮", Document: strings.Repeat("d", 64), DocumentName: "民调结果.xlsx", SampleSize: 1200,
		Items:   []assess.ItemScore{{Name: "政务公开满意度", Score: 88}, {Name: "执法满意度", Score: 85}},
		Version: 2, UpdatedBy: "v1", UpdatedAt: at}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(101, wire.EntityExternal, x.ID, x)}, Next: 101}); err != nil {
		t.Fatal(err)
	}
	xs, err := db.Externals(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "externals", xs, []assess.ExternalScore{x})

	// A re-import is the next version, by this user, and shows at once.
	login(t, db, reviewer)
	next := x
	next.Score, next.SampleSize, next.Items = 90, 1500, []assess.ItemScore{{Name: "政务公开满意度", Score: 90}}
	if err := db.SaveExternal(ctx, next); err != nil {
		t.Fatal(err)
	}
	xs, _ = db.Externals(ctx, "2026")
	if len(xs) != 1 || xs[0].Version != 3 || xs[0].UpdatedBy != "v1" || xs[0].SampleSize != 1500 || len(xs[0].Items) != 1 ||
		xs[0].DocumentName != "民调结果.xlsx" {
		t.Fatalf("after re-import = %+v", xs)
	}
	if err := db.SaveExternal(ctx, next); err != nil {
		t.Fatal(err)
	}
	if xs, _ = db.Externals(ctx, "2026"); xs[0].Version != 4 {
		t.Fatalf("a second waiting save has version %d, want 4", xs[0].Version)
	}
	bad := next
	bad.DocumentName = "a/b.xlsx"
	wantCode(t, db.SaveExternal(ctx, bad), assess.EInvalid)
}
