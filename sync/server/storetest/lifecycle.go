package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func testTaskLifecycle(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	task := Task(Leaf11, UnitA)
	got := func() assess.Task { return MustEntity[assess.Task](c, c.ReporterA, wire.EntityTask, task) }
	if tk := got(); tk.Status != assess.NotStarted || tk.Version != 0 || tk.YearID != YearID || tk.IndicatorID != Leaf11 || tk.UnitID != UnitA {
		t.Fatalf("published task %+v", tk)
	}

	// Drafting: not started → draft, and the draft is on the server.
	e1 := c.Blob(c.ReporterA)
	c.Apply(c.ReporterA, wire.KindDraftSave, wire.DraftSave{TaskID: task, Statement: "初稿", Attachments: []assess.Attachment{e1}})
	c.Clock.Advance(time.Hour)
	c.Apply(c.ReporterA, wire.KindDraftSave, wire.DraftSave{TaskID: task, Statement: "二稿", Attachments: []assess.Attachment{e1}})
	if tk := got(); tk.Status != assess.Draft {
		t.Fatalf("after drafting: %s", tk.Status)
	}
	if d := MustEntity[wire.DraftSave](c, c.ReporterA, wire.EntityDraft, task); d.Statement != "二稿" || len(d.Attachments) != 1 {
		t.Fatalf("draft %+v", d)
	}

	// Submitting: version 1, the draft is gone from the feed.
	e2 := c.Blob(c.ReporterA)
	c.Clock.Advance(time.Hour)
	c.Apply(c.ReporterA, wire.KindSubmit, wire.Submit{TaskID: task, BaseVersion: 0, Statement: "已落实。", Attachments: []assess.Attachment{e1, e2}})
	if tk := got(); tk.Status != assess.Submitted || tk.Version != 1 || !tk.UpdatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("after submitting: %+v", tk)
	}
	latest := c.Latest(c.ReporterA)
	if e, ok := latest[wire.EntityDraft+" "+task]; !ok || !e.Deleted || e.UnitID != UnitA {
		t.Fatalf("draft entry after submitting: %+v", e)
	}
	sub1 := MustEntity[assess.Submission](c, c.ReporterA, wire.EntitySubmission, task+"#1")
	if sub1.Version != 1 || sub1.TaskID != task || sub1.UnitID != UnitA || sub1.SubmittedBy != c.ReporterA.ID ||
		len(sub1.Attachments) != 2 || sub1.Attachments[1].Hash != e2.Hash || sub1.Statement != "已落实。" || !sub1.SubmittedAt.Equal(c.Clock.Now()) {
		t.Fatalf("submission %+v", sub1)
	}

	// Returning for more material.
	c.Clock.Advance(time.Hour)
	c.Apply(c.Reviewer, wire.KindReturn, wire.ReviewDecision{TaskID: task, Version: 1, Comment: "请补充会议纪要"})
	if tk := got(); tk.Status != assess.Returned || tk.ReviewVersion != 1 || tk.Scored {
		t.Fatalf("after returning: %+v", tk)
	}
	rv := MustEntity[assess.Review](c, c.ReporterA, wire.EntityReview, task+"#1")
	if rv.Decision != assess.Return || rv.Comment != "请补充会议纪要" || rv.Reviewer != c.Reviewer.ID || rv.Version != 1 || rv.UnitID != UnitA {
		t.Fatalf("review %+v", rv)
	}

	// A draft while returned keeps the task returned.
	c.Apply(c.ReporterA, wire.KindDraftSave, wire.DraftSave{TaskID: task, Statement: "补充中"})
	if tk := got(); tk.Status != assess.Returned {
		t.Fatalf("drafting a returned task made it %s", tk.Status)
	}

	// Resubmitting: a new version; version 1 stays as it was.
	e3 := c.Blob(c.ReporterA)
	c.Apply(c.ReporterA, wire.KindSubmit, wire.Submit{TaskID: task, BaseVersion: 1, Statement: "已补充。", Attachments: []assess.Attachment{e1, e2, e3}})
	if tk := got(); tk.Status != assess.Submitted || tk.Version != 2 {
		t.Fatalf("after resubmitting: %+v", tk)
	}
	if again := MustEntity[assess.Submission](c, c.Admin, wire.EntitySubmission, task+"#1"); again.Statement != sub1.Statement || len(again.Attachments) != 2 {
		t.Fatalf("version 1 changed: %+v", again)
	}

	// Scoring at or above the threshold: scored, no rectification.
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: task, Version: 2, Score: 9.5, Comment: "材料齐全"})
	if tk := got(); tk.Status != assess.Scored || !tk.Scored || tk.Score != 9.5 || tk.ReviewVersion != 2 {
		t.Fatalf("after scoring: %+v", tk)
	}
	if _, ok := Entity[assess.Rectification](c, c.Admin, wire.EntityRectification, task); ok {
		t.Fatal("a rectification for a good score")
	}
	if n := len(reviewsOf(c, task)); n != 2 {
		t.Fatalf("%d reviews, want 2 (append-only)", n)
	}
}

func reviewsOf(c *City, task string) []assess.Review {
	var out []assess.Review
	for _, e := range c.Latest(c.Admin) {
		if e.Entity == wire.EntityReview && strings.HasPrefix(e.ID, task+"#") {
			out = append(out, MustEntity[assess.Review](c, c.Admin, wire.EntityReview, e.ID))
		}
	}
	return out
}

func testClosedYear(t *testing.T, open Opener) {
	c := ruleCity(t, open)
	c.Apply(c.ReporterB, wire.KindRectRespond, wire.RectRespond{TaskID: b12, Response: "已整改完毕"})
	c.Apply(c.Admin, wire.KindYearClose, wire.YearRef{YearID: YearID})
	if y := MustEntity[assess.Year](c, c.ReporterA, wire.EntityYear, YearID); y.State != assess.YearClosed {
		t.Fatalf("year %+v", y)
	}
	events := c.AuditEvents()
	for _, tt := range []ruleCase{
		{"draft", reporterB, wire.KindDraftSave, draft(b11, "x"), "", ""},
		{"submit", reporterB, wire.KindSubmit, withBlob(b11, 0, reporterB), "", ""},
		{"return", reviewer, wire.KindReturn, decision(a11, 1, 0), "", ""},
		{"score", reviewer, wire.KindScore, decision(a11, 1, 8), "", ""},
		{"respond", reporterB, wire.KindRectRespond, val(wire.RectRespond{TaskID: b12, Response: "再次整改"}), "", ""},
		{"verify", reviewer, wire.KindRectVerify, val(wire.RectVerify{TaskID: b12, Accept: true}), "", ""},
		{"year.save", admin, wire.KindYearSave, val(assess.Year{ID: YearID, Name: "2026年度", Weights: assess.Weights{System: 60, Survey: 20, Onsite: 20}}), "", ""},
		{"year.publish", admin, wire.KindYearPublish, val(wire.YearRef{YearID: YearID}), "", ""},
		{"year.close", admin, wire.KindYearClose, val(wire.YearRef{YearID: YearID}), "", ""},
		{"indicator.save", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-2", YearID: YearID, Code: "2", Title: "完善依法行政制度体系", MaxScore: 20}), "", ""},
		{"indicator edit", admin, wire.KindIndicatorSave, val(c.Leaf11), "", ""},
		{"external.save", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Onsite, Score: 80, Max: 100}), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.T = t
			r := c.Push(tt.user(c), tt.kind, tt.data(c))
			CheckRejected(t, r, assess.EClosed)
			if !strings.Contains(r.Message, "2026年度") || !strings.Contains(r.Message, "已关闭") {
				t.Fatalf("message %q does not name the closed year", r.Message)
			}
		})
	}
	c.T = t
	if got := c.AuditEvents(); got != events+1 { // the one evidence file recorded
		t.Fatalf("%d audit events, want %d", got, events+1)
	}
	// Other years and the organisation stay writable.
	c.Apply(c.Admin, wire.KindIndicatorSave, assess.Indicator{ID: "ind-27-1", YearID: "2027", Code: "1", Title: "依法全面履行政府职能", MaxScore: 10})
	c.Apply(c.Admin, wire.KindUnitSave, assess.Unit{ID: "boshan", Name: "博山区", GroupID: GroupDist})
}

func testIndicatorAssignment(t *testing.T, open Opener) {
	c := NewCity(t, open, false)
	// In a draft year indicators carry no tasks.
	if n := feedCount(c, c.Admin, wire.EntityTask); n != 0 {
		t.Fatalf("%d tasks before publishing", n)
	}
	c.Apply(c.Admin, wire.KindYearPublish, wire.YearRef{YearID: YearID})
	// Publishing makes one task per leaf and assigned unit; the category has
	// none.
	tasks := map[string]bool{}
	for _, e := range c.Latest(c.Admin) {
		if e.Entity == wire.EntityTask {
			tasks[e.ID] = true
		}
	}
	want := []string{Task(Leaf11, UnitA), Task(Leaf11, UnitB), Task(Leaf11, UnitC), Task(Leaf12, UnitA), Task(Leaf12, UnitB)}
	if len(tasks) != len(want) {
		t.Fatalf("tasks %v, want %v", tasks, want)
	}
	for _, id := range want {
		if !tasks[id] {
			t.Fatalf("no task %s", id)
		}
	}

	// A new leaf in the published year: its units get tasks at once.
	leaf := assess.Indicator{ID: "ind-1-3", YearID: YearID, ParentID: Category1, Code: "1.3", Title: "政务公开", MaxScore: 5, Units: []string{UnitA, UnitB, UnitA}}
	c.Apply(c.Admin, wire.KindIndicatorSave, leaf)
	if got := MustEntity[assess.Indicator](c, c.ReporterA, wire.EntityIndicator, leaf.ID); len(got.Units) != 2 {
		t.Fatalf("units %v, want repeats dropped", got.Units)
	}
	if tk := MustEntity[assess.Task](c, c.ReporterB, wire.EntityTask, Task(leaf.ID, UnitB)); tk.Status != assess.NotStarted {
		t.Fatalf("new task %+v", tk)
	}
	c.Apply(c.ReporterB, wire.KindDraftSave, wire.DraftSave{TaskID: Task(leaf.ID, UnitB), Statement: "草稿"})

	// Unassigning a unit that has not submitted removes its task and draft.
	leaf.Units = []string{UnitA}
	c.Apply(c.Admin, wire.KindIndicatorSave, leaf)
	latest := c.Latest(c.ReporterB)
	for _, k := range []string{wire.EntityTask + " " + Task(leaf.ID, UnitB), wire.EntityDraft + " " + Task(leaf.ID, UnitB)} {
		if e, ok := latest[k]; !ok || !e.Deleted {
			t.Fatalf("%s after unassigning: %+v", k, e)
		}
	}
	// Assigning it again gives a fresh task.
	leaf.Units = []string{UnitA, UnitB}
	c.Apply(c.Admin, wire.KindIndicatorSave, leaf)
	if tk := MustEntity[assess.Task](c, c.ReporterB, wire.EntityTask, Task(leaf.ID, UnitB)); tk.Status != assess.NotStarted {
		t.Fatalf("reassigned task %+v", tk)
	}
	// Once submitted, the unit cannot be unassigned.
	c.Submit(c.ReporterB, Task(leaf.ID, UnitB), 0)
	leaf.Units = []string{UnitA}
	c.Reject(c.Admin, wire.KindIndicatorSave, leaf, assess.EConflict)
}
