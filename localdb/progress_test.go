package localdb

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func itemText(it assess.ProgressItem) string {
	done := "-"
	if !it.DoneAt.IsZero() {
		done = it.DoneAt.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%s %s %v %s", it.UnitID, it.Category, it.Milestone, done)
}

func TestProgressItems(t *testing.T) {
	ctx := context.Background()
	db := seededMilestones(t)
	login(t, db, reporter1)
	t11, t31 := assess.TaskID(ind1.ID, unit1.ID), assess.TaskID(ind3.ID, unit1.ID)
	t12 := assess.TaskID(ind1.ID, unit2.ID)
	sub1 := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)   // t11's first submission
	scored := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC) // t21 scored, its submission not mirrored
	filed11 := time.Date(2026, 6, 10, 8, 0, 0, 0, time.UTC)
	filed12 := time.Date(2026, 6, 20, 8, 0, 0, 0, time.UTC)

	tk11 := task(ind1, unit1, assess.Submitted, 2)
	tk21 := task(ind2, unit1, assess.Scored, 1)
	tk21.Scored, tk21.UpdatedAt = true, scored
	tk12 := task(ind1, unit2, assess.Draft, 0)
	other := assess.Task{ID: "2027/1.1@u1", YearID: "2027", IndicatorID: "2027/1.1", UnitID: "u1", Status: assess.Submitted, Version: 1}
	f11 := assess.MilestoneFiling{ID: assess.MilestoneFilingID(t11, "m1"), TaskID: t11, UnitID: "u1", MilestoneID: "m1", Statement: "计划",
		FiledBy: "r1", FiledAt: filed11, UpdatedAt: filed11}
	f12 := assess.MilestoneFiling{ID: assess.MilestoneFilingID(t12, "m1"), TaskID: t12, UnitID: "u2", MilestoneID: "m1", Statement: "计划",
		FiledBy: "r2", FiledAt: filed12, UpdatedAt: filed12}
	page := wire.ChangesResponse{Entries: []wire.Entry{
		entry(201, wire.EntityTask, tk11.ID, tk11),
		entry(202, wire.EntitySubmission, t11+"#1", assess.Submission{ID: t11 + "#1", TaskID: t11, UnitID: "u1", Version: 1, Statement: "一",
			Attachments: []assess.Attachment{}, SubmittedBy: "r1", SubmittedAt: sub1}),
		entry(203, wire.EntitySubmission, t11+"#2", assess.Submission{ID: t11 + "#2", TaskID: t11, UnitID: "u1", Version: 2, Statement: "二",
			Attachments: []assess.Attachment{}, SubmittedBy: "r1", SubmittedAt: sub1.Add(120 * time.Hour)}),
		entry(204, wire.EntityTask, tk21.ID, tk21),
		entry(205, wire.EntityTask, tk12.ID, tk12),
		entry(206, wire.EntityTask, other.ID, other),
		entry(207, wire.EntityMilestone, f11.ID, f11),
		entry(208, wire.EntityMilestone, f12.ID, f12),
	}, Next: 208}
	if err := db.ApplyPage(ctx, page); err != nil {
		t.Fatal(err)
	}
	// Offline on this PC: t31 submitted, t11's second milestone filed.
	a := addFile(t, db, "制度.pdf", "%PDF rules")
	if err := db.SaveDraft(ctx, t31, "已落实", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, t31); err != nil {
		t.Fatal(err)
	}
	if err := db.FileMilestone(ctx, t11, "m2", "中期自查", nil); err != nil {
		t.Fatal(err)
	}
	made := map[string]time.Time{}
	for _, r := range outboxRows(t, db) {
		made[r.kind] = r.madeAt
	}

	items, err := db.ProgressItems(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(items))
	for i, it := range items {
		got[i] = itemText(it)
	}
	slices.Sort(got)
	want := []string{
		itemText(assess.ProgressItem{UnitID: "u1", Category: "1", DoneAt: sub1}),
		itemText(assess.ProgressItem{UnitID: "u1", Category: "1", Milestone: true, DoneAt: filed11}),
		itemText(assess.ProgressItem{UnitID: "u1", Category: "1", Milestone: true, DoneAt: made[wire.KindMilestoneFile]}),
		itemText(assess.ProgressItem{UnitID: "u1", Category: "2", DoneAt: scored}),
		itemText(assess.ProgressItem{UnitID: "u1", Category: "10", DoneAt: made[wire.KindSubmit]}),
		itemText(assess.ProgressItem{UnitID: "u2", Category: "1"}),
		itemText(assess.ProgressItem{UnitID: "u2", Category: "1", Milestone: true, DoneAt: filed12}),
		itemText(assess.ProgressItem{UnitID: "u2", Category: "1", Milestone: true}),
		itemText(assess.ProgressItem{UnitID: "u2", Category: "2"}),
		itemText(assess.ProgressItem{UnitID: "u2", Category: "10"}),
	}
	slices.Sort(want)
	equal(t, "progress items", got, want)
	if p := assess.ProgressAt(items, day(2026, 6, 15)); p != (assess.Progress{Done: 5, Total: 10}) {
		t.Fatalf("progress on 15 June = %+v", p)
	}
}

// BenchmarkProgressItems reads the items of a city of 150 units and 120
// indicators with one milestone each (18,000 tasks and as many milestones),
// against a bare scan of the task table in the same run.
func BenchmarkProgressItems(b *testing.B) {
	c := makeCity(150, 120, wire.DefaultPageSize)
	ctx := context.Background()
	db := openTest(b)
	for _, p := range c.pages {
		if err := db.ApplyPage(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.w.Exec(`UPDATE indicators SET milestones = '[{"id":"m1","title":"计划","due":"2026-06-30T00:00:00+08:00"}]'`); err != nil {
		b.Fatal(err)
	}
	b.Run("ProgressItems", func(b *testing.B) {
		for b.Loop() {
			items, err := db.ProgressItems(ctx, c.tasks[0].YearID)
			if err != nil || len(items) != 2*len(c.tasks) {
				b.Fatalf("%d items, %v", len(items), err)
			}
		}
	})
	b.Run("ScanTasks", func(b *testing.B) {
		for b.Loop() {
			rows, err := db.r.QueryContext(ctx, "SELECT id, unit_id, status, updated_at FROM tasks")
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var a, u, s, t string
				rows.Scan(&a, &u, &s, &t)
			}
			rows.Close()
		}
	})
}
