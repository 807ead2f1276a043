package localdata

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var (
	now = time.Date(2026, 11, 20, 9, 30, 0, 0, assess.CST)

	y2025 = assess.Year{ID: "2025", Name: "2025年度", State: assess.YearClosed, Weights: assess.DefaultWeights}
	y2026 = assess.Year{ID: "2026", Name: "2026年度", State: assess.YearPublished, Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}
	y2027 = assess.Year{ID: "2027", Name: "2027年度", State: assess.YearDraft, Weights: assess.DefaultWeights}

	east  = assess.Unit{ID: "east", Name: "东城区", GroupID: "qx"}
	west  = assess.Unit{ID: "west", Name: "西城区", GroupID: "qx"}
	twin  = assess.Unit{ID: "twin", Name: "西城区", GroupID: "sz"}
	cat1  = assess.Indicator{ID: "2026-1", YearID: "2026", Code: "1", Title: "依法全面履行政府职能", MaxScore: 20}
	leaf1 = assess.Indicator{ID: "2026-1.1", YearID: "2026", ParentID: "2026-1", Code: "1.1", Title: "权责清单动态管理",
		Evidence: []string{"权责清单", "网页截图"}, MaxScore: 10, LowScore: 6, Deadline: assess.Date(2026, 11, 30), Units: []string{"east", "west"}}
	leaf2 = assess.Indicator{ID: "2026-1.2", YearID: "2026", ParentID: "2026-1", Code: "1.2", Title: "行政许可事项清单", MaxScore: 10,
		Deadline: assess.Date(2026, 12, 31), Units: []string{"east"}}

	reviewer = assess.User{ID: "v1", Username: "shenhe", Name: "审核员", Role: assess.Reviewer, UnitID: "city", Admin: true}
	reporter = assess.User{ID: "r1", Username: "dongcheng", Name: "东城填报员", Role: assess.Reporter, UnitID: "east"}
)

func hash(c byte) string { return strings.Repeat(string(c), 64) }

func att(c byte, name string, slot int) assess.Attachment {
	return assess.Attachment{Hash: hash(c), Name: name, Size: int64(c) * 100, Slot: slot}
}

// city opens a local store holding what a first pull would bring: three
// years; 东城区 with one task scored low (a rectification answered, two
// submissions) and one returned; 西城区 with one task in draft on the
// server; external scores of 东城区; no standings.
func city(t *testing.T, me assess.User) *localdb.DB {
	t.Helper()
	db, err := localdb.Open(tempDir(t), localdb.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.SaveSession(ctx, localdb.Session{Server: "http://127.0.0.1:1", Token: "t", User: me, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	t1 := assess.TaskID(leaf1.ID, "east")
	t2 := assess.TaskID(leaf2.ID, "east")
	t3 := assess.TaskID(leaf1.ID, "west")
	day := func(d int) time.Time { return time.Date(2026, 10, d, 10, 0, 0, 0, assess.CST) }
	var es []wire.Entry
	add := func(entity, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, wire.Entry{Seq: int64(len(es) + 1), Entity: entity, ID: id, Data: b})
	}
	for _, y := range []assess.Year{y2025, y2026, y2027} {
		add(wire.EntityYear, y.ID, y)
	}
	add(wire.EntityGroup, "qx", assess.Group{ID: "qx", Name: "区县"})
	add(wire.EntityGroup, "sz", assess.Group{ID: "sz", Name: "市直部门"})
	for _, u := range []assess.Unit{east, west, twin} {
		add(wire.EntityUnit, u.ID, u)
	}
	add(wire.EntityUser, reviewer.ID, reviewer)
	add(wire.EntityUser, reporter.ID, reporter)
	for _, in := range []assess.Indicator{cat1, leaf1, leaf2} {
		add(wire.EntityIndicator, in.ID, in)
	}
	add(wire.EntityTask, t1, assess.Task{ID: t1, YearID: "2026", IndicatorID: leaf1.ID, UnitID: "east", Status: assess.Scored, Version: 2, Score: 4, Scored: true, ReviewVersion: 2})
	add(wire.EntityTask, t2, assess.Task{ID: t2, YearID: "2026", IndicatorID: leaf2.ID, UnitID: "east", Status: assess.Returned, Version: 1, ReviewVersion: 1})
	add(wire.EntityTask, t3, assess.Task{ID: t3, YearID: "2026", IndicatorID: leaf1.ID, UnitID: "west", Status: assess.Draft})
	add(wire.EntitySubmission, t1+"#1", assess.Submission{ID: t1 + "#1", TaskID: t1, UnitID: "east", Version: 1, Statement: "一",
		Attachments: []assess.Attachment{att('a', "权责清单.pdf", 0)}, SubmittedBy: "r1", SubmittedAt: day(1)})
	add(wire.EntitySubmission, t1+"#2", assess.Submission{ID: t1 + "#2", TaskID: t1, UnitID: "east", Version: 2, Statement: "二",
		Attachments: []assess.Attachment{att('a', "权责清单.pdf", 0), att('b', "网页截图.png", 1)}, SubmittedBy: "r1", SubmittedAt: day(5)})
	add(wire.EntitySubmission, t2+"#1", assess.Submission{ID: t2 + "#1", TaskID: t2, UnitID: "east", Version: 1, Statement: "许可",
		Attachments: []assess.Attachment{att('c', "许可清单.pdf", -1)}, SubmittedBy: "r1", SubmittedAt: day(2)})
	add(wire.EntityReview, "rv1", assess.Review{ID: "rv1", TaskID: t1, UnitID: "east", Version: 1, Decision: assess.Return, Comment: "请补充截图", Reviewer: "v1", CreatedAt: day(3)})
	add(wire.EntityReview, "rv2", assess.Review{ID: "rv2", TaskID: t1, UnitID: "east", Version: 2, Decision: assess.Score, Score: 4, Comment: "调整不及时", Reviewer: "v1", CreatedAt: day(6)})
	add(wire.EntityReview, "rv3", assess.Review{ID: "rv3", TaskID: t2, UnitID: "east", Version: 1, Decision: assess.Return, Comment: "缺少实施规范", Reviewer: "v1", CreatedAt: day(4)})
	add(wire.EntityRectification, t1, assess.Rectification{ID: t1, TaskID: t1, UnitID: "east", State: assess.RectResponded, Demand: "建立动态调整机制",
		Deadline: assess.Date(2026, 10, 20), Response: "已建立", Attachments: []assess.Attachment{att('d', "机制文件.pdf", -1), att('a', "权责清单.pdf", 0)},
		RespondedAt: day(9), OpenedAt: day(6)})
	add(wire.EntityDraft, t3, struct {
		wire.DraftSave
		UpdatedAt time.Time `json:"updated_at"`
	}{wire.DraftSave{TaskID: t3, Statement: "草稿", Attachments: []assess.Attachment{att('e', "西城清单.pdf", 0)}}, day(7)})
	add(wire.EntityExternal, "2026/east/survey", assess.ExternalScore{ID: "2026/east/survey", YearID: "2026", UnitID: "east", Source: assess.Survey, Score: 90, Max: 100, UpdatedAt: day(8)})
	add(wire.EntityExternal, "2026/east/onsite", assess.ExternalScore{ID: "2026/east/onsite", YearID: "2026", UnitID: "east", Source: assess.Onsite, Score: 15, Max: 20, Note: "第二轮", UpdatedAt: day(8)})
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: es, Next: int64(len(es))}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestYear(t *testing.T) {
	s := Source{DB: city(t, reviewer), Now: now}
	ctx := context.Background()
	tests := []struct {
		ref        string
		doc, imp   string
		docErrCode string
	}{
		{"", "2026", "2027", ""},
		{"2025", "2025", "2025", ""},
		{"2027年度", "2027", "2027", ""},
		{"2031", "", "", assess.ENotFound},
	}
	for _, tt := range tests {
		y, err := s.Year(ctx, tt.ref)
		if assess.ErrorCode(err) != tt.docErrCode || y.ID != tt.doc {
			t.Errorf("Year(%q) = %s, %v; want %s", tt.ref, y.ID, err, tt.doc)
		}
		y, err = s.ImportYear(ctx, tt.ref)
		if assess.ErrorCode(err) != tt.docErrCode || y.ID != tt.imp {
			t.Errorf("ImportYear(%q) = %s, %v; want %s", tt.ref, y.ID, err, tt.imp)
		}
	}
	empty, err := localdb.Open(tempDir(t), localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if _, err := (Source{DB: empty}).Year(ctx, ""); assess.ErrorCode(err) != assess.ENotFound || !strings.Contains(assess.ErrorMessage(err), "sync") {
		t.Errorf("a store never synced: %v", err)
	}
}

func TestUnit(t *testing.T) {
	s := Source{DB: city(t, reviewer), Now: now}
	ctx := context.Background()
	for _, tt := range []struct {
		ref, id, code string
	}{
		{"east", "east", ""},
		{"东城区", "east", ""},
		{"twin", "twin", ""},
		{"西城区", "", assess.EInvalid}, // two units share the name
		{"南湖区", "", assess.ENotFound},
	} {
		u, err := s.Unit(ctx, tt.ref)
		if u.ID != tt.id || assess.ErrorCode(err) != tt.code {
			t.Errorf("Unit(%q) = %q, %v; want %q, code %q", tt.ref, u.ID, err, tt.id, tt.code)
		}
	}
}

func TestAccess(t *testing.T) {
	disabled := reviewer
	disabled.Disabled = true
	plain := reviewer
	plain.Admin = false
	service := assess.User{ID: "s", Role: assess.Service}
	for _, tt := range []struct {
		name                        string
		u                           assess.User
		unit                        string
		unitOK, reviewerOK, adminOK bool
	}{
		{"reporter, own unit", reporter, "east", true, false, false},
		{"reporter, other unit", reporter, "west", false, false, false},
		{"reviewer", plain, "west", true, true, false},
		{"administrator", reviewer, "east", true, true, true},
		{"disabled reviewer", disabled, "east", false, false, false},
		{"service account", service, "east", false, false, false},
	} {
		if got := CheckUnit(tt.u, tt.unit) == nil; got != tt.unitOK {
			t.Errorf("%s: CheckUnit %v, want %v", tt.name, got, tt.unitOK)
		}
		if got := CheckReviewer(tt.u) == nil; got != tt.reviewerOK {
			t.Errorf("%s: CheckReviewer %v, want %v", tt.name, got, tt.reviewerOK)
		}
		if got := CheckAdmin(tt.u) == nil; got != tt.adminOK {
			t.Errorf("%s: CheckAdmin %v, want %v", tt.name, got, tt.adminOK)
		}
	}
	if err := CheckUnit(reporter, "west"); assess.ErrorCode(err) != assess.EForbidden || !strings.Contains(assess.ErrorMessage(err), "本单位") {
		t.Errorf("reporter refusal: %v", err)
	}
}

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reporter), Now: now, Issuer: "市委依法治市办"}
	d, err := s.Feedback(ctx, y2026, east)
	if err != nil {
		t.Fatal(err)
	}
	if d.Group.Name != "区县" || d.Issuer != "市委依法治市办" || !d.GeneratedAt.Equal(now) || len(d.External) != 2 {
		t.Errorf("header: group %q, issuer %q, at %v, %d external scores", d.Group.Name, d.Issuer, d.GeneratedAt, len(d.External))
	}
	if len(d.Categories) != 1 || d.Categories[0].Code != "1" {
		t.Errorf("categories %v", d.Categories)
	}
	// No standing pulled: the points are computed here, unranked.
	// System 50 × 4/20 = 10, survey 30 × 0.9 = 27, on-site 20 × 0.75 = 15.
	if st := d.Standing; st.System != 10 || st.Survey != 27 || st.Onsite != 15 || st.Total != 52 || st.Rank != 0 {
		t.Errorf("standing %+v", st)
	}
	if len(d.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(d.Rows))
	}
	r1, r2 := d.Rows[0], d.Rows[1]
	if r1.Review == nil || r1.Review.ID != "rv2" || r1.Rectification == nil || r1.Rectification.State != assess.RectResponded {
		t.Errorf("row 1.1: review %+v, rectification %+v", r1.Review, r1.Rectification)
	}
	if r1.Warning.Level != assess.Red { // below the line and not closed
		t.Errorf("row 1.1 warning %v", r1.Warning)
	}
	if r2.Review == nil || r2.Review.Comment != "缺少实施规范" || r2.Rectification != nil || r2.Warning.Level != assess.Yellow {
		t.Errorf("row 1.2: review %+v, warning %v", r2.Review, r2.Warning)
	}

	// With the server's standing pulled, that is the one printed.
	b, _ := json.Marshal(assess.Standing{YearID: "2026", UnitID: "east", GroupID: "qx", System: 10, Survey: 27, Onsite: 15, Total: 52, Rank: 2, OutOf: 2})
	if err := s.DB.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{{Seq: 100, Entity: wire.EntityStanding, ID: "2026/east", Data: b}}, Next: 100}); err != nil {
		t.Fatal(err)
	}
	d2, err := s.Feedback(ctx, y2026, east)
	if err != nil {
		t.Fatal(err)
	}
	if d2.Standing.Rank != 2 || d2.Standing.OutOf != 2 {
		t.Errorf("standing with the server's %+v", d2.Standing)
	}
	all, err := s.FeedbackAll(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Unit.ID != "east" || all[1].Unit.ID != "west" || len(all[1].Rows) != 1 {
		t.Errorf("FeedbackAll: %d reports", len(all))
	}
}

func TestOverview(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	o, err := s.Overview(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Units) != 2 || len(o.Progress) != 2 || len(o.Warnings) != 3 || len(o.Rectifications) != 1 {
		t.Fatalf("%d units, %d progress, %d warnings, %d rectifications", len(o.Units), len(o.Progress), len(o.Warnings), len(o.Rectifications))
	}
	want := report.UnitProgress{UnitID: "east", Tasks: 2, Returned: 1, Scored: 1, Red: 1, Yellow: 1}
	if o.Progress[0] != want {
		t.Errorf("progress %+v, want %+v", o.Progress[0], want)
	}
	// No standings pulled: every unit with tasks is ranked here.
	if len(o.Standings) != 2 || o.Standings[0].UnitID != "east" || o.Standings[0].Rank != 1 || o.Standings[1].Total != 0 {
		t.Errorf("standings %+v", o.Standings)
	}
	sum, err := s.CitySummary(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rectifications) != 1 || sum.Rectifications[0].Score != 4 || sum.Rectifications[0].Warning.Level != assess.NoWarning {
		t.Errorf("summary rectifications %+v", sum.Rectifications)
	}
	m, err := s.Matrix(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Leaves) != 2 || len(m.Tasks) != 3 || len(m.Units) != 2 {
		t.Errorf("matrix: %d leaves, %d tasks, %d units", len(m.Leaves), len(m.Tasks), len(m.Units))
	}
}

func TestEvidence(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	c, err := s.Checklist(ctx, y2026, east)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 2 {
		t.Fatalf("%d checklist items", len(c.Items))
	}
	var got []string
	for _, f := range c.Items[0].Files {
		got = append(got, f.Name+"@"+f.UploadedAt.In(assess.CST).Format("01-02"))
	}
	// The latest submission's files, each with its first upload, then the
	// rectification's new file; the repeated file only once.
	if want := []string{"权责清单.pdf@10-01", "网页截图.png@10-05", "机制文件.pdf@10-09"}; !slices.Equal(got, want) {
		t.Errorf("files of 1.1: %q, want %q", got, want)
	}
	items, err := s.Bundle(ctx, y2026, assess.Unit{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.Unit.Name+"/"+it.File.Name)
	}
	// By indicator code, then unit; 西城区 has no submission: its server
	// draft's file counts.
	if want := []string{"东城区/权责清单.pdf", "东城区/网页截图.png", "东城区/机制文件.pdf", "西城区/西城清单.pdf", "东城区/许可清单.pdf"}; !slices.Equal(names, want) {
		t.Errorf("bundle %q, want %q", names, want)
	}
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	h, err := s.History(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range h {
		if e.Seq != int64(i+1) || e.Hash != "" {
			t.Errorf("entry %d: seq %d, hash %q", i, e.Seq, e.Hash)
		}
		got = append(got, e.At.In(assess.CST).Format("02")+" "+e.Action[strings.Index(e.Action, "(")+1:len(e.Action)-1])
	}
	want := []string{"01 task.submit", "02 task.submit", "03 review.return", "04 review.return", "05 task.submit",
		"06 review.score", "06 rect.open", "08 external.save", "08 external.save", "09 rect.respond"}
	if !slices.Equal(got, want) {
		t.Errorf("history\n%q\nwant\n%q", got, want)
	}
	if h[0].Actor != "东城填报员" || !strings.Contains(h[0].Target, "东城区 1.1") {
		t.Errorf("first entry %+v", h[0])
	}
}

func TestPlanIndicators(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	// The workbook's IDs are IndicatorID's; its codes match the year's.
	imported := []assess.Indicator{
		{ID: "2026-1", YearID: "2026", Code: "1", Title: "依法全面履行政府职能", MaxScore: 20},
		{ID: "2026-1.1", YearID: "2026", ParentID: "2026-1", Code: "1.1", Title: "权责清单动态管理",
			Evidence: []string{"权责清单", "网页截图"}, MaxScore: 10, LowScore: 6, Deadline: assess.Date(2026, 11, 30).UTC(), Units: []string{"west", "east"}},
		{ID: "2026-1.2", YearID: "2026", ParentID: "2026-1", Code: "1.2", Title: "行政许可事项清单（修订）", MaxScore: 10,
			Deadline: assess.Date(2026, 12, 31), Units: []string{"east"}},
		{ID: "2026-2", YearID: "2026", Code: "2", Title: "完善依法行政制度体系", MaxScore: 10},
	}
	p, err := s.PlanIndicators(ctx, y2026, imported)
	if err != nil {
		t.Fatal(err)
	}
	if p.Added != 1 || p.Changed != 1 || p.Unchanged != 2 || len(p.Save) != 2 || len(p.Problems) != 0 {
		t.Fatalf("plan %+v", p)
	}
	if p.Save[0].Code != "1.2" || p.Save[1].ID != "2026-2" {
		t.Errorf("to save %q, %q", p.Save[0].Code, p.Save[1].ID)
	}

	// What the server would refuse: a child under a leaf with tasks, and
	// 东城区 taken off 1.1, which it has submitted.
	bad := slices.Clone(imported)
	bad[1].Units = []string{"west"}
	bad = append(bad, assess.Indicator{ID: "2026-1.1.1", YearID: "2026", ParentID: "2026-1.1", Code: "1.1.1", Title: "下级", MaxScore: 1})
	p, err = s.PlanIndicators(ctx, y2026, bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 2 || !strings.Contains(p.Problems[0]+p.Problems[1], "东城区") || !strings.Contains(p.Problems[0]+p.Problems[1], "1.1.1") {
		t.Errorf("problems %q", p.Problems)
	}
}

// TestPlanIndicatorWorkbookKeepsMilestones: a workbook has no milestone
// column, so importing it keeps the milestones set in the window, while a
// plan of the form's indicator saves a change of milestones.
func TestPlanIndicatorWorkbookKeepsMilestones(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	ins, err := s.DB.Indicators(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	var in assess.Indicator
	for _, x := range ins {
		if x.Code == "1.1" {
			in = x
		}
	}
	if in.ID == "" {
		t.Fatal("the fixture has no indicator 1.1")
	}
	row := in // as the workbook reads it: no milestones
	in.Milestones = []assess.Milestone{{ID: "m1", Title: "制定年度计划", Due: assess.Date(2026, 6, 30)}}
	p, err := s.PlanIndicators(ctx, y2026, []assess.Indicator{in})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changed != 1 || len(p.Save) != 1 || len(p.Save[0].Milestones) != 1 {
		t.Fatalf("plan of a milestone added in the form: %+v", p)
	}
	if err := s.DB.SaveIndicator(ctx, p.Save[0]); err != nil {
		t.Fatal(err)
	}
	p, err = s.PlanIndicatorWorkbook(ctx, y2026, []assess.Indicator{row})
	if err != nil {
		t.Fatal(err)
	}
	if p.Unchanged != 1 || len(p.Save) != 0 {
		t.Fatalf("workbook plan dropped or changed the milestones: %+v", p)
	}
	row.Title += "（修订）"
	p, err = s.PlanIndicatorWorkbook(ctx, y2026, []assess.Indicator{row})
	if err != nil {
		t.Fatal(err)
	}
	if p.Changed != 1 || len(p.Save) != 1 || !assess.SameMilestones(p.Save[0].Milestones, in.Milestones) {
		t.Fatalf("workbook plan of a changed title: %+v", p)
	}
	p, err = s.PlanIndicators(ctx, y2026, []assess.Indicator{row})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Save) != 1 || len(p.Save[0].Milestones) != 0 {
		t.Fatalf("form plan without milestones should remove them: %+v", p)
	}
}

func TestSameIndicator(t *testing.T) {
	base := leaf1
	for _, tt := range []struct {
		name string
		edit func(*assess.Indicator)
		same bool
	}{
		{"identical", func(*assess.Indicator) {}, true},
		{"deadline in another zone", func(in *assess.Indicator) { in.Deadline = in.Deadline.UTC() }, true},
		{"units in another order", func(in *assess.Indicator) { in.Units = []string{"west", "east"} }, true},
		{"evidence removed", func(in *assess.Indicator) { in.Evidence = nil }, false},
		{"evidence reordered", func(in *assess.Indicator) { in.Evidence = []string{"网页截图", "权责清单"} }, false},
		{"max score", func(in *assess.Indicator) { in.MaxScore = 9 }, false},
		{"low score", func(in *assess.Indicator) { in.LowScore = 5 }, false},
		{"deadline", func(in *assess.Indicator) { in.Deadline = in.Deadline.AddDate(0, 0, 1) }, false},
		{"title", func(in *assess.Indicator) { in.Title += "。" }, false},
		{"content", func(in *assess.Indicator) { in.Content = "内容" }, false},
		{"standard", func(in *assess.Indicator) { in.Standard = "标准" }, false},
		{"rule", func(in *assess.Indicator) { in.ScoringRule = "细则" }, false},
		{"key task", func(in *assess.Indicator) { in.KeyTask = true }, false},
		{"parent", func(in *assess.Indicator) { in.ParentID = "" }, false},
		{"unit removed", func(in *assess.Indicator) { in.Units = []string{"east"} }, false},
		{"milestone added", func(in *assess.Indicator) {
			in.Milestones = []assess.Milestone{{ID: "m1", Title: "制定计划", Due: assess.Date(2026, 6, 30)}}
		}, false},
	} {
		in := base
		in.Evidence = slices.Clone(base.Evidence)
		in.Units = slices.Clone(base.Units)
		tt.edit(&in)
		if got := sameIndicator(base, in); got != tt.same {
			t.Errorf("%s: same %v, want %v", tt.name, got, tt.same)
		}
	}
	empty := assess.Indicator{Evidence: []string{}}
	if !sameIndicator(assess.Indicator{}, empty) {
		t.Error("an empty evidence list differs from none")
	}
}

func TestPlanExternals(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	imported := []assess.ExternalScore{
		{ID: "2026/east/survey", YearID: "2026", UnitID: "east", Source: assess.Survey, Score: 90, Max: 100},
		{ID: "2026/east/onsite", YearID: "2026", UnitID: "east", Source: assess.Onsite, Score: 16, Max: 20, Note: "第二轮"},
		{ID: "2026/west/survey", YearID: "2026", UnitID: "west", Source: assess.Survey, Score: 70, Max: 100},
	}
	p, err := s.PlanExternals(ctx, y2026, imported)
	if err != nil {
		t.Fatal(err)
	}
	if p.Added != 1 || p.Changed != 1 || p.Unchanged != 1 || len(p.Save) != 2 || p.Save[0].Score != 16 {
		t.Errorf("plan %+v", p)
	}
}
