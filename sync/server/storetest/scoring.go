package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func testConcurrentScoring(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	tasks := []struct {
		id       string
		reporter assess.User
	}{{a11, c.ReporterA}, {a12, c.ReporterA}, {b11, c.ReporterB}, {b12, c.ReporterB}}
	for _, tk := range tasks {
		c.Submit(tk.reporter, tk.id, 0)
	}
	for i, tk := range tasks {
		// Two reviewers decide the same version at once; on odd rounds one
		// scores and the other returns.
		kinds := [2]string{wire.KindScore, wire.KindScore}
		if i%2 == 1 {
			kinds[1] = wire.KindReturn
		}
		scores := [2]float64{7, 9}
		var changes [2]wire.Change
		for j := range changes {
			changes[j] = c.Change(kinds[j], wire.ReviewDecision{TaskID: tk.id, Version: 1, Score: scores[j], Comment: "意见"})
		}
		var results [2]wire.Result
		var errs [2]error
		start := make(chan struct{})
		var wg sync.WaitGroup
		for j, u := range []assess.User{c.Reviewer, c.Reviewer2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var rs []wire.Result
				rs, errs[j] = c.S.Push(c.Ctx, u, []wire.Change{changes[j]})
				if len(rs) == 1 {
					results[j] = rs[0]
				}
			}()
		}
		close(start)
		wg.Wait()
		for j := range errs {
			if errs[j] != nil {
				t.Fatalf("task %s reviewer %d: %v", tk.id, j, errs[j])
			}
		}
		winner := -1
		for j, r := range results {
			switch r.Status {
			case wire.Applied:
				if winner >= 0 {
					t.Fatalf("task %s: both decisions applied: %+v", tk.id, results)
				}
				winner = j
			default:
				CheckRejected(t, r, assess.EConflict)
			}
		}
		if winner < 0 {
			t.Fatalf("task %s: neither decision applied: %+v", tk.id, results)
		}
		got := MustEntity[assess.Task](c, c.Admin, wire.EntityTask, tk.id)
		switch kinds[winner] {
		case wire.KindScore:
			if got.Status != assess.Scored || got.Score != scores[winner] {
				t.Fatalf("task %s after the race: %+v, want scored %v", tk.id, got, scores[winner])
			}
		default:
			if got.Status != assess.Returned || got.Scored {
				t.Fatalf("task %s after the race: %+v, want returned", tk.id, got)
			}
		}
		rs := reviewsOf(c, tk.id)
		if len(rs) != 1 || rs[0].Decision != map[string]assess.Decision{wire.KindScore: assess.Score, wire.KindReturn: assess.Return}[kinds[winner]] {
			t.Fatalf("task %s reviews %+v, want the winner's only", tk.id, rs)
		}
		if want := []string{c.Reviewer.ID, c.Reviewer2.ID}[winner]; rs[0].Reviewer != want {
			t.Fatalf("review by %s, want %s", rs[0].Reviewer, want)
		}
	}

	// Many writers at once: every change applied exactly once, no deadlock.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := []assess.User{c.ReporterA, c.ReporterB}[i%2]
			task := []string{Task(Leaf12, UnitA), b11}[i%2]
			ch := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: task, Statement: "并发草稿"})
			if _, err := c.S.Push(c.Ctx, u, []wire.Change{ch}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c.AuditEvents()
}

func testRectification(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	c.Submit(c.ReporterB, b12, 0)
	now := c.Clock.Now()
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: b12, Version: 1, Score: 14.9, Comment: "缺少营商环境评估报告，请补充并整改"})

	r := MustEntity[assess.Rectification](c, c.ReporterB, wire.EntityRectification, b12)
	wantDeadline := assess.ChinaCalendar().AddWorkdays(now, 10)
	if r.ID != b12 || r.TaskID != b12 || r.UnitID != UnitB || r.State != assess.RectOpen ||
		r.Demand != "缺少营商环境评估报告，请补充并整改" || !r.OpenedAt.Equal(now) || !r.Deadline.Equal(wantDeadline) {
		t.Fatalf("rectification %+v, want open with deadline %v", r, wantDeadline)
	}
	if days := r.Deadline.Sub(now).Hours() / 24; days < 13 {
		t.Fatalf("deadline %v is %.1f days away; 10 working days take at least two weeks", r.Deadline, days)
	}
	if _, ok := Entity[assess.Rectification](c, c.ReporterA, wire.EntityRectification, b12); ok {
		t.Fatal("another unit sees the rectification")
	}

	// The unit responds; the reviewer sends it back; the unit responds
	// again; the reviewer closes it.
	c.Clock.Advance(24 * time.Hour)
	e := c.Blob(c.ReporterB)
	c.Apply(c.ReporterB, wire.KindRectRespond, wire.RectRespond{TaskID: b12, Response: "已补充评估报告", Attachments: []assess.Attachment{e}})
	r = MustEntity[assess.Rectification](c, c.ReporterB, wire.EntityRectification, b12)
	if r.State != assess.RectResponded || r.Response != "已补充评估报告" || len(r.Attachments) != 1 || !r.RespondedAt.Equal(c.Clock.Now()) {
		t.Fatalf("after responding: %+v", r)
	}
	c.Reject(c.ReporterB, wire.KindRectRespond, wire.RectRespond{TaskID: b12, Response: "重复反馈"}, assess.EConflict)
	c.Apply(c.Reviewer, wire.KindRectVerify, wire.RectVerify{TaskID: b12, Accept: false, Comment: "报告未盖章"})
	if r = MustEntity[assess.Rectification](c, c.ReporterB, wire.EntityRectification, b12); r.State != assess.RectOpen || r.Verification != "报告未盖章" {
		t.Fatalf("after sending back: %+v", r)
	}
	c.Apply(c.ReporterB, wire.KindRectRespond, wire.RectRespond{TaskID: b12, Response: "已盖章"})
	c.Apply(c.Reviewer, wire.KindRectVerify, wire.RectVerify{TaskID: b12, Accept: true, Comment: "同意销号"})
	if r = MustEntity[assess.Rectification](c, c.ReporterB, wire.EntityRectification, b12); r.State != assess.RectClosed || !r.ClosedAt.Equal(c.Clock.Now()) {
		t.Fatalf("after closing: %+v", r)
	}
	c.Reject(c.Reviewer, wire.KindRectVerify, wire.RectVerify{TaskID: b12, Accept: true}, assess.EConflict)

	// The year's RectifyDays sets the deadline; exactly the threshold opens
	// nothing.
	y := c.Year
	y.RectifyDays = 3
	c.Apply(c.Admin, wire.KindYearSave, y)
	c.Submit(c.ReporterA, a12, 0)
	c.Submit(c.ReporterA, a11, 0)
	now = c.Clock.Now()
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a12, Version: 1, Score: 15})
	if _, ok := Entity[assess.Rectification](c, c.Admin, wire.EntityRectification, a12); ok {
		t.Fatal("a score equal to the threshold opened a rectification")
	}
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 5.9}) // 60% of 10 is 6
	r = MustEntity[assess.Rectification](c, c.ReporterA, wire.EntityRectification, a11)
	if !r.Deadline.Equal(assess.ChinaCalendar().AddWorkdays(now, 3)) || r.Demand == "" {
		t.Fatalf("rectification %+v, want a deadline 3 working days on and a demand", r)
	}
}

func testStandings(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	standing := func(unit string) assess.Standing {
		return MustEntity[assess.Standing](c, c.ReporterA, wire.EntityStanding, YearID+"/"+unit)
	}
	expect := func(units ...assess.UnitScores) map[string]assess.Standing {
		m := map[string]assess.Standing{}
		for _, s := range assess.Rank(YearID, c.Year.Weights, units) {
			m[s.UnitID] = s
		}
		return m
	}
	check := func(want map[string]assess.Standing) {
		t.Helper()
		for unit, w := range want {
			if got := standing(unit); got != w {
				t.Fatalf("standing of %s: %+v, want %+v", unit, got, w)
			}
		}
	}
	a := assess.UnitScores{UnitID: UnitA, GroupID: GroupDist, Name: "张店区", SystemMax: 30, External: map[assess.Source]assess.ExternalScore{}}
	b := assess.UnitScores{UnitID: UnitB, GroupID: GroupDist, Name: "淄川区", SystemMax: 30, External: map[assess.Source]assess.ExternalScore{}}
	cc := assess.UnitScores{UnitID: UnitC, GroupID: GroupDept, Name: "市司法局", SystemMax: 10, External: map[assess.Source]assess.ExternalScore{}}
	// Publishing ranks every unit.
	check(expect(a, b))
	check(expect(cc))

	c.Submit(c.ReporterB, b12, 0)
	c.Submit(c.ReporterA, a11, 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: b12, Version: 1, Score: 16})
	b.SystemScore = 16
	check(expect(a, b))

	// Scoring A below B changes A's standing only; the department group is
	// untouched.
	_, cursor := c.PullAll(c.Admin, 0, 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 8})
	a.SystemScore = 8
	want := expect(a, b)
	check(want)
	page, _ := c.PullAll(c.Admin, cursor, 0)
	var changed []string
	for _, e := range page {
		if e.Entity == wire.EntityStanding {
			changed = append(changed, e.ID)
			if e.UnitID != "" {
				t.Fatalf("standing entry scoped to %q", e.UnitID)
			}
		}
	}
	if len(changed) != 1 || changed[0] != YearID+"/"+UnitA {
		t.Fatalf("standings fed after scoring A: %v, want only A's", changed)
	}

	// External scores count too.
	ext := assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 95, Max: 100, Note: "民意调查"}
	c.Apply(c.Reviewer, wire.KindExternalSave, ext)
	got := MustEntity[assess.ExternalScore](c, c.ReporterA, wire.EntityExternal, YearID+"/"+UnitA+"/survey")
	if got.Score != 95 || !got.UpdatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("external score %+v", got)
	}
	if _, ok := Entity[assess.ExternalScore](c, c.ReporterB, wire.EntityExternal, got.ID); ok {
		t.Fatal("another unit sees the external score")
	}
	a.External[assess.Survey] = got
	check(expect(a, b))

	// New weights re-rank the published year.
	y := c.Year
	y.Weights = assess.Weights{System: 70, Survey: 20, Onsite: 10}
	c.Apply(c.Admin, wire.KindYearSave, y)
	c.Year.Weights = y.Weights
	check(expect(a, b))
	check(expect(cc))

	// Moving a unit to another group ranks it there.
	c.Apply(c.Admin, wire.KindUnitSave, assess.Unit{ID: UnitC, Name: "市司法局", GroupID: GroupDist})
	cc.GroupID = GroupDist
	want = expect(a, b, cc)
	check(want)
	if want[UnitC].OutOf != 3 {
		t.Fatalf("standing of the moved unit %+v", want[UnitC])
	}
}
