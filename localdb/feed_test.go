package localdb

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// feedRecords is one record of every entity kind, with UTC times so that
// they compare equal after a round trip.
type feedRecords struct {
	year     assess.Year
	group    assess.Group
	unit     assess.Unit
	user     assess.User
	ind      assess.Indicator
	task     assess.Task
	draft    serverDraft
	sub      assess.Submission
	review   assess.Review
	rect     assess.Rectification
	external assess.ExternalScore
	standing assess.Standing
}

func allRecords() feedRecords {
	at := time.Date(2026, 4, 1, 2, 3, 4, 5000, time.UTC)
	tk := task(ind1, unit1, assess.Scored, 2)
	tk.Score, tk.Scored, tk.ReviewVersion, tk.UpdatedAt = 2.5, true, 2, at
	atts := []assess.Attachment{
		{Hash: strings.Repeat("1", 64), Name: "文件.pdf", Size: 100, Slot: 0},
		{Hash: strings.Repeat("2", 64), Name: "纪要.docx", Size: 200, Slot: 1},
	}
	in := ind1
	in.Deadline, in.Content, in.Standard, in.ScoringRule, in.KeyTask, in.LowScore = at, "内容", "标准", "细则", true, 3
	return feedRecords{
		year:  year,
		group: assess.Group{ID: "g1", Name: "区县"},
		unit:  unit1,
		user:  reporter1,
		ind:   in,
		task:  tk,
		draft: serverDraft{DraftSave: wire.DraftSave{TaskID: tk.ID, Statement: "服务器草稿", Attachments: atts[:1]}, UpdatedAt: at},
		sub: assess.Submission{ID: tk.ID + "#2", TaskID: tk.ID, UnitID: "u1", Version: 2, Statement: "第二版",
			Attachments: atts, SubmittedBy: "r1", SubmittedAt: at},
		review: assess.Review{ID: "rv1", TaskID: tk.ID, UnitID: "u1", Version: 2, Decision: assess.Score, Score: 2.5,
			Comment: "材料不全", Reviewer: "v1", CreatedAt: at},
		rect: assess.Rectification{ID: tk.ID, TaskID: tk.ID, UnitID: "u1", State: assess.RectResponded, Demand: "限期整改",
			Deadline: at.Add(240 * time.Hour), Response: "已整改", Attachments: atts[1:], RespondedAt: at.Add(time.Hour), OpenedAt: at},
		external: assess.ExternalScore{ID: "2026/u1/survey", YearID: "2026", UnitID: "u1", Source: assess.Survey, Score: 82.5,
			Max: 100, Note: "民调", Document: strings.Repeat("3", 64), UpdatedAt: at},
		standing: assess.Standing{YearID: "2026", UnitID: "u1", GroupID: "g1", System: 40, Survey: 24.75, Onsite: 18, Total: 82.75, Rank: 1, OutOf: 2},
	}
}

func (r feedRecords) page(next int64) wire.ChangesResponse {
	return wire.ChangesResponse{Entries: []wire.Entry{
		entry(next-11, wire.EntityYear, r.year.ID, r.year),
		entry(next-10, wire.EntityGroup, r.group.ID, r.group),
		entry(next-9, wire.EntityUnit, r.unit.ID, r.unit),
		entry(next-8, wire.EntityUser, r.user.ID, r.user),
		entry(next-7, wire.EntityIndicator, r.ind.ID, r.ind),
		entry(next-6, wire.EntityTask, r.task.ID, r.task),
		entry(next-5, wire.EntityDraft, r.task.ID, r.draft),
		entry(next-4, wire.EntitySubmission, r.sub.ID, r.sub),
		entry(next-3, wire.EntityReview, r.review.ID, r.review),
		entry(next-2, wire.EntityRectification, r.rect.ID, r.rect),
		entry(next-1, wire.EntityExternal, r.external.ID, r.external),
		entry(next, wire.EntityStanding, "2026/u1", r.standing),
	}, Next: next}
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// checkRecords reads every record back through the public API; lists may
// hold other records too.
func checkRecords(t *testing.T, db *DB, r feedRecords) {
	t.Helper()
	ctx := context.Background()
	ys, err := db.Years(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "year", find(ys, r.year.ID, func(y assess.Year) string { return y.ID }), r.year)
	gs, _ := db.Groups(ctx)
	equal(t, "group", find(gs, r.group.ID, func(g assess.Group) string { return g.ID }), r.group)
	us, _ := db.Units(ctx)
	equal(t, "unit", find(us, r.unit.ID, func(u assess.Unit) string { return u.ID }), r.unit)
	users, _ := db.Users(ctx)
	equal(t, "user", find(users, r.user.ID, func(u assess.User) string { return u.ID }), r.user)
	ins, _ := db.Indicators(ctx, "2026")
	equal(t, "indicator", find(ins, r.ind.ID, func(in assess.Indicator) string { return in.ID }), r.ind)
	v, err := db.Task(ctx, r.task.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "task", v.Task, r.task)
	equal(t, "task indicator", v.Indicator, r.ind)
	equal(t, "unit name", v.UnitName, r.unit.Name)
	if v.ServerDraft == nil {
		t.Fatal("no server draft")
	}
	equal(t, "server draft", *v.ServerDraft, Draft{TaskID: r.task.ID, Statement: r.draft.Statement,
		Attachments: r.draft.Attachments, UpdatedAt: r.draft.UpdatedAt, Source: FromServer})
	subs, _ := db.Submissions(ctx, r.task.ID)
	equal(t, "submissions", subs, []assess.Submission{r.sub})
	rvs, _ := db.Reviews(ctx, r.task.ID)
	equal(t, "reviews", rvs, []assess.Review{r.review})
	rect, err := db.Rectification(ctx, r.task.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "rectification", rect, r.rect)
	xs, _ := db.Externals(ctx, "2026")
	equal(t, "externals", xs, []assess.ExternalScore{r.external})
	ss, _ := db.Standings(ctx, "2026")
	equal(t, "standings", ss, []assess.Standing{r.standing})
}

// find returns the item with the given ID, or the zero value.
func find[T any](items []T, id string, idOf func(T) string) T {
	for _, it := range items {
		if idOf(it) == id {
			return it
		}
	}
	var zero T
	return zero
}

func TestApplyPageEveryEntity(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	r := allRecords()
	if err := db.ApplyPage(ctx, r.page(12)); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, db, r)
	if c, _ := db.Cursor(ctx); c != 12 {
		t.Fatalf("cursor = %d, want 12", c)
	}
	// The same page again, and again after a newer page: harmless.
	if err := db.ApplyPage(ctx, r.page(12)); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, db, r)

	// Newer states replace older ones; deletions remove (attachments too).
	r2 := r
	r2.task.Status, r2.task.UpdatedAt = assess.Returned, r.task.UpdatedAt.Add(time.Hour)
	r2.sub.Attachments = r.sub.Attachments[1:]
	r2.year.Name = "2026年度（修订）"
	if err := db.ApplyPage(ctx, r2.page(24)); err != nil {
		t.Fatal(err)
	}
	checkRecords(t, db, r2)
	if err := db.ApplyPage(ctx, r.page(12)); err != nil { // a stale page
		t.Fatal(err)
	}
	checkRecords(t, db, r2)
	if c, _ := db.Cursor(ctx); c != 24 {
		t.Fatalf("a stale page moved the cursor back to %d", c)
	}

	del := wire.ChangesResponse{Entries: []wire.Entry{
		{Seq: 25, Entity: wire.EntitySubmission, ID: r.sub.ID, Deleted: true},
		{Seq: 26, Entity: wire.EntityReview, ID: r.review.ID, Deleted: true},
		{Seq: 27, Entity: "lead", ID: "x1", Data: []byte(`{"from": "a newer server"}`)},
	}, Next: 27}
	if err := db.ApplyPage(ctx, del); err != nil {
		t.Fatal(err)
	}
	if subs, _ := db.Submissions(ctx, r.task.ID); len(subs) != 0 {
		t.Fatalf("submission not deleted: %+v", subs)
	}
	if rvs, _ := db.Reviews(ctx, r.task.ID); len(rvs) != 0 {
		t.Fatalf("review not deleted: %+v", rvs)
	}
	if c, _ := db.Cursor(ctx); c != 27 {
		t.Fatalf("cursor = %d", c)
	}
}

// TestApplyPageAtomic: an entry that fails to apply leaves everything,
// the cursor included, as it was.
func TestApplyPageAtomic(t *testing.T) {
	ctx := context.Background()
	bad := []struct {
		name string
		e    wire.Entry
	}{
		{"malformed JSON", wire.Entry{Seq: 203, Entity: wire.EntityTask, ID: "t", Data: []byte(`{"id": "t", "version": `)}},
		{"wrong type", wire.Entry{Seq: 203, Entity: wire.EntityReview, ID: "r", Data: []byte(`{"score": "high"}`)}},
		{"id mismatch", wire.Entry{Seq: 203, Entity: wire.EntityUnit, ID: "u9", Data: []byte(`{"id": "u8", "name": "x"}`)}},
		{"no data", wire.Entry{Seq: 203, Entity: wire.EntityYear, ID: "2030"}},
		{"no id", wire.Entry{Seq: 203, Entity: wire.EntityYear, Data: []byte(`{}`)}},
		{"time out of range", wire.Entry{Seq: 203, Entity: wire.EntityTask, ID: "t", Data: []byte(`{"updated_at": "0000-01-01T00:00:00+08:00"}`)}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			db := seeded(t)
			moved := task(ind1, unit1, assess.Returned, 1)
			newUnit := assess.Unit{ID: "u7", Name: "新单位", GroupID: "g1"}
			page := wire.ChangesResponse{Entries: []wire.Entry{
				entry(201, wire.EntityTask, moved.ID, moved),
				entry(202, wire.EntityUnit, newUnit.ID, newUnit),
				c.e,
			}, Next: 210}
			err := db.ApplyPage(ctx, page)
			if err == nil {
				t.Fatal("ApplyPage accepted a bad entry")
			}
			if cur, _ := db.Cursor(ctx); cur != 100 {
				t.Errorf("cursor moved to %d", cur)
			}
			v, _ := db.Task(ctx, moved.ID)
			if v.Status != assess.NotStarted {
				t.Errorf("an entry before the bad one was applied: %s", v.Status)
			}
			us, _ := db.Units(ctx)
			if len(us) != 2 {
				t.Errorf("units = %+v", us)
			}
		})
	}
}

// TestLocalDraftSupersededByServer: the local draft stays while its change
// waits and until the server's copy of at least the applied change arrives.
func TestLocalDraftSupersededByServer(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	id, err := db.saveDraft(ctx, t11, "本机草稿", nil)
	if err != nil {
		t.Fatal(err)
	}
	sd := serverDraft{DraftSave: wire.DraftSave{TaskID: t11, Statement: "旧的服务器草稿"}}
	apply := func(seq int64, statement string) {
		t.Helper()
		sd.Statement = statement
		if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(seq, wire.EntityDraft, t11, sd)}, Next: seq}); err != nil {
			t.Fatal(err)
		}
	}
	apply(140, "旧的服务器草稿")
	if d, _ := db.Draft(ctx, t11); d.Statement != "本机草稿" || d.Source != FromLocal {
		t.Fatalf("a pending draft was replaced: %+v", d)
	}
	if _, err := db.Pending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordResults(ctx, []wire.Result{{ID: id, Status: wire.Applied, Seq: 160}}); err != nil {
		t.Fatal(err)
	}
	apply(150, "更旧的服务器草稿") // fetched before the push landed
	if d, _ := db.Draft(ctx, t11); d.Statement != "本机草稿" {
		t.Fatalf("an older server draft replaced the local one: %+v", d)
	}
	apply(160, "本机草稿")
	if d, _ := db.Draft(ctx, t11); d.Statement != "本机草稿" || d.Source != FromServer {
		t.Fatalf("draft = %+v, want the server's copy", d)
	}
	if _, ok, _ := loadDraft(ctx, db.r, t11); ok {
		t.Fatal("the superseded local draft is still there")
	}
}

func TestTasksFilterAndOrder(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	if err := db.SaveDraft(ctx, assess.TaskID(ind2.ID, unit1.ID), "草稿", nil); err != nil {
		t.Fatal(err)
	}
	ids := func(vs []TaskView, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	cases := []struct {
		f    TaskFilter
		want []string
	}{
		{TaskFilter{UnitID: "u1"}, []string{"2026/1.1@u1", "2026/2.1@u1", "2026/10.1@u1"}},
		{TaskFilter{YearID: "2026", Category: "1"}, []string{"2026/1.1@u1", "2026/1.1@u2"}},
		{TaskFilter{Category: "10"}, []string{"2026/10.1@u1", "2026/10.1@u2"}},
		{TaskFilter{Status: assess.Draft}, []string{"2026/2.1@u1"}},
		{TaskFilter{UnitID: "u2", Status: assess.NotStarted}, []string{"2026/1.1@u2", "2026/2.1@u2", "2026/10.1@u2"}},
		{TaskFilter{YearID: "2025"}, nil},
	}
	for _, c := range cases {
		equal(t, "tasks", ids(db.Tasks(ctx, c.f)), c.want)
	}
	v, err := db.Task(ctx, "2026/2.1@u1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Draft == nil || v.Draft.Statement != "草稿" || v.StatusLabel() != "草稿（待同步）" || v.Indicator.Title != ind2.Title || v.UnitName != "张店区" {
		t.Fatalf("view = %+v (%s)", v, v.StatusLabel())
	}
	_, err = db.Task(ctx, "nope")
	wantCode(t, err, assess.ENotFound)
}

func TestCompareCodes(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1}, {"2.10", "2.9", 1}, {"10", "9", 1}, {"3.2.1", "3.2", 1}, {"3.2", "3.2", 0},
		{"A.1", "B.1", -1}, {"1.a", "1.b", -1}, {"", "1", -1},
	}
	for _, c := range cases {
		got := compareCodes(c.a, c.b)
		if (got < 0) != (c.want < 0) || (got > 0) != (c.want > 0) {
			t.Errorf("compareCodes(%q, %q) = %d, want sign of %d", c.a, c.b, got, c.want)
		}
	}
}

func TestOverlayShowsWaitingEdits(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reviewer)
	in := ind2
	in.Title = "完善依法行政制度体系（修订）"
	if err := db.SaveIndicator(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveYear(ctx, assess.Year{ID: "2027", Name: "2027年度", Weights: assess.DefaultWeights}); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishYear(ctx, "2027"); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveUnit(ctx, assess.Unit{ID: "u3", Name: "市司法局", GroupID: "g2"}); err != nil {
		t.Fatal(err)
	}
	ins, _ := db.Indicators(ctx, "2026")
	if len(ins) != 3 || ins[1].Title != in.Title {
		t.Fatalf("indicators = %+v", ins)
	}
	ys, _ := db.Years(ctx)
	if len(ys) != 2 || ys[1].ID != "2027" || ys[1].State != assess.YearPublished {
		t.Fatalf("years = %+v", ys)
	}
	us, _ := db.Units(ctx)
	if len(us) != 3 || us[2].ID != "u3" {
		t.Fatalf("units = %+v", us)
	}
}
