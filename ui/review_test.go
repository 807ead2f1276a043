package ui

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// rvSubmitted is a task a reporter submitted in a test, with its evidence.
type rvSubmitted struct {
	id        string
	statement string
	file      assess.Attachment
	content   string
}

// rvSubmit has a reporting user's window submit its first n tasks, each
// with a statement and a PDF, and sync them to the city.
func rvSubmit(t *testing.T, c *city, n int) []rvSubmitted {
	t.Helper()
	ctx := context.Background()
	rep, db := newTestShell(t, c, assess.Reporter)
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: rep.Year().ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(views) < n {
		t.Fatalf("the reporter has %d tasks, want %d", len(views), n)
	}
	var out []rvSubmitted
	for _, v := range views[:n] {
		content := fmt.Sprintf("%%PDF-1.4\n%% 会议纪要 %s\n", v.ID)
		att, err := db.AddEvidenceReader(ctx, "会议纪要.pdf", strings.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		att.Slot = 0
		statement := fmt.Sprintf("%s：已召开专题会议研究部署，形成会议纪要并印发执行。", v.Indicator.Title)
		if err := db.SaveDraft(ctx, v.ID, statement, []assess.Attachment{att}); err != nil {
			t.Fatal(err)
		}
		if err := db.Submit(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		out = append(out, rvSubmitted{id: v.ID, statement: statement, file: att, content: content})
	}
	rep.SyncNow()
	rep.Idle()
	if p, r, err := db.PendingCount(ctx); err != nil || p != 0 || r != 0 {
		t.Fatalf("after the reporter's sync: %d pending, %d rejected, %v", p, r, err)
	}
	return out
}

// rvWalk calls fn on o and everything drawn inside it, widgets' renderings
// included.
func rvWalk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			rvWalk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			rvWalk(c, fn)
		}
	}
}

// rvDialog returns the shown dialog's text, unfolded, and taps its button labelled
// tap ("" taps nothing).
func rvDialog(t *testing.T, s *Shell, tap string) string {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	var texts []string
	var btn *widget.Button
	rvWalk(top, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *widget.Button:
			if x.Text == tap {
				btn = x
			}
		}
	})
	if tap != "" {
		if btn == nil {
			t.Fatalf("the dialog %q has no button %q", texts, tap)
		}
		test.Tap(btn)
		s.Idle()
	}
	return strings.ReplaceAll(strings.Join(texts, ""), "\n", "")
}

// rvReviewArea shows 指标审核 and returns it once loaded.
func rvReviewArea(t *testing.T, s *Shell) *review {
	t.Helper()
	s.Show("review")
	s.Idle()
	a, ok := s.areas["review"].(*review)
	if !ok {
		t.Fatal("指标审核 is not shown")
	}
	return a
}

// rvOpen selects a task in the queue as the reviewer would: by its row.
func rvOpen(t *testing.T, a *review, id string) {
	t.Helper()
	for row, i := range a.shown {
		if a.rows[i].TaskID == id {
			a.table.Select(widget.TableCellID{Row: row, Col: queueTitle})
			a.s.Idle()
			if a.item == nil || a.item.view.ID != id {
				t.Fatalf("selected %s, opened %v", id, a.item)
			}
			return
		}
	}
	t.Fatalf("task %s is not in the queue shown", id)
}

// rvSetText replaces an entry's text by typing.
func rvSetText(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

func TestReviewQueueScoreAndReturn(t *testing.T) {
	c := newCity(t)
	subs := rvSubmit(t, c, 2)
	s, db := newTestShell(t, c, assess.Reviewer)
	ctx := context.Background()
	a := rvReviewArea(t, s)
	year := s.Year().ID

	// The queue holds every task of the year, the two submitted first.
	all, err := db.Tasks(ctx, localdb.TaskFilter{YearID: year})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.rows) != len(all) || len(a.shown) != len(all) {
		t.Fatalf("queue has %d rows, %d shown; the store has %d tasks", len(a.rows), len(a.shown), len(all))
	}
	first := []string{a.rows[a.shown[0]].TaskID, a.rows[a.shown[1]].TaskID}
	if !slices.Contains(first, subs[0].id) || !slices.Contains(first, subs[1].id) {
		t.Fatalf("the queue starts with %v, want the submitted %s and %s", first, subs[0].id, subs[1].id)
	}
	if got := queueCell(&a.rows[a.shown[0]], queueStatus); got != "已提交" {
		t.Fatalf("first row's state %q", got)
	}

	// Filters narrow the list to what the store holds.
	a.stateSel.SetSelected("已提交")
	submitted, _ := db.Tasks(ctx, localdb.TaskFilter{YearID: year, Status: assess.Submitted})
	if len(a.shown) != len(submitted) || len(submitted) != 2 {
		t.Fatalf("已提交 shows %d, the store has %d", len(a.shown), len(submitted))
	}
	a.stateSel.SetSelectedIndex(0)
	unit := all[len(all)-1]
	a.unitSel.SetSelected(unit.UnitName)
	ofUnit, _ := db.Tasks(ctx, localdb.TaskFilter{YearID: year, UnitID: unit.UnitID})
	if len(a.shown) != len(ofUnit) || len(ofUnit) == 0 || len(ofUnit) == len(all) {
		t.Fatalf("unit %s shows %d, the store has %d of %d", unit.UnitName, len(a.shown), len(ofUnit), len(all))
	}
	if !strings.Contains(a.count.Text, fmt.Sprintf("%d / %d", len(ofUnit), len(all))) {
		t.Fatalf("count %q", a.count.Text)
	}
	cat := unit.Indicator.Category()
	a.catSel.SetSelected(cat + " " + a.catSelTitle(cat))
	ofCat, _ := db.Tasks(ctx, localdb.TaskFilter{YearID: year, UnitID: unit.UnitID, Category: cat})
	if len(a.shown) != len(ofCat) || len(ofCat) == 0 {
		t.Fatalf("unit and category show %d, the store has %d", len(a.shown), len(ofCat))
	}
	a.unitSel.SetSelectedIndex(0)
	a.catSel.SetSelectedIndex(0)
	subView, _ := db.Task(ctx, subs[0].id)
	test.Type(a.search, subView.Indicator.Code+" "+subView.UnitName)
	if len(a.shown) != 1 || a.rows[a.shown[0]].TaskID != subs[0].id {
		t.Fatalf("searching %q shows %d rows", a.search.Text, len(a.shown))
	}
	a.search.SetText("")
	if len(a.shown) != len(all) {
		t.Fatalf("cleared filters show %d of %d", len(a.shown), len(all))
	}

	// Open the first submission: statement, evidence, requirements.
	rvOpen(t, a, subs[0].id)
	in := a.item.view.Indicator
	if !strings.Contains(a.heading.Text, in.Code) || a.stmt.Text != subs[0].statement {
		t.Fatalf("opened %q with statement %q", a.heading.Text, a.stmt.Text)
	}
	if files := a.item.files(); len(files) != 1 || files[0].Hash != subs[0].file.Hash {
		t.Fatalf("evidence %v", files)
	}
	if req := a.reqs.String(); !strings.Contains(req, in.Standard) || !strings.Contains(req, in.Evidence[0]) || !strings.Contains(req, "已附 1 份") {
		t.Fatalf("requirements %q", req)
	}
	if !a.form.Visible() {
		t.Fatalf("no scoring form for a submitted task: %q", a.note.Text)
	}

	// Open the evidence: downloaded, verified, copied out under its name.
	var open *widget.Button
	rvWalk(a.files, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "打开" {
			open = b
		}
	})
	if open == nil {
		t.Fatal("no 打开 button in the evidence list")
	}
	test.Tap(open)
	s.Idle()
	got, err := os.ReadFile(filepath.Join(s.openDir(), subs[0].file.Hash[:8]+"-会议纪要.pdf"))
	if err != nil || string(got) != subs[0].content {
		t.Fatalf("opened evidence %q, %v", got, err)
	}

	// Invalid scores are refused in Chinese.
	max := assess.FormatScore(in.MaxScore)
	for _, tc := range []struct{ score, want string }{
		{"", "请填写分数"},
		{"abc", "分数“abc”不是数字"},
		{"12", "分数不能超过满分 " + max + " 分"},
		{"-1", "分数不能为负数"},
		{"0.25", "分数最多保留一位小数"},
	} {
		rvSetText(a.score, tc.score)
		test.Tap(a.scoreBtn)
		if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, tc.want) {
			t.Fatalf("score %q: error %q (visible %v), want %q", tc.score, a.errLabel.Text, a.errLabel.Visible(), tc.want)
		}
		if s.win.Canvas().Overlays().Top() != nil {
			t.Fatalf("score %q asked for confirmation", tc.score)
		}
	}

	// A low score: the confirmation says a rectification will open.
	rvSetText(a.score, "0.5")
	rvSetText(a.comment, "会议纪要未体现研究部署内容")
	test.Tap(a.scoreBtn)
	if a.errLabel.Visible() {
		t.Fatalf("valid score refused: %q", a.errLabel.Text)
	}
	if text := rvDialog(t, s, "确认赋分"); !strings.Contains(text, "低于低分线") || !strings.Contains(text, "重点督察事项") {
		t.Fatalf("confirmation %q does not warn of the rectification", text)
	}
	v, err := db.Task(ctx, subs[0].id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Local != assess.Scored || !slices.Contains(v.Pending, wire.KindScore) {
		t.Fatalf("after scoring: local %s, pending %v", v.Local, v.Pending)
	}
	if a.form.Visible() || !strings.Contains(a.note.Text, "下次同步时发送") || a.score.Text != "" {
		t.Fatalf("after scoring: form visible %v, note %q, score %q", a.form.Visible(), a.note.Text, a.score.Text)
	}

	// Return the other: the reason is required.
	rvOpen(t, a, subs[1].id)
	if a.comment.Text != "" {
		t.Fatalf("another task opened with the comment %q", a.comment.Text)
	}
	test.Tap(a.returnBtn)
	if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, "请填写退回理由") {
		t.Fatalf("empty return reason: %q", a.errLabel.Text)
	}
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a return without a reason asked for confirmation")
	}
	test.Type(a.comment, "请补充会议照片和签到表")
	test.Tap(a.returnBtn)
	rvDialog(t, s, "退回补充材料")
	if v, _ := db.Task(ctx, subs[1].id); v.Local != assess.Returned || !slices.Contains(v.Pending, wire.KindReturn) {
		t.Fatalf("after returning: local %s, pending %v", v.Local, v.Pending)
	}
	a.stateSel.SetSelected("退回补充")
	if len(a.shown) != 1 || a.rows[a.shown[0]].TaskID != subs[1].id || !a.rows[a.shown[0]].Pending {
		t.Fatalf("退回补充 shows %d rows", len(a.shown))
	}
	a.stateSel.SetSelectedIndex(0)

	// After the sync, the history holds the versions and the reviews.
	s.SyncNow()
	s.Idle()
	if p, r, err := db.PendingCount(ctx); err != nil || p != 0 || r != 0 {
		t.Fatalf("after the reviewer's sync: %d pending, %d rejected, %v", p, r, err)
	}
	rvOpen(t, a, subs[0].id)
	h := a.history.String()
	for _, want := range []string{"第 1 版提交", "赋分 0.5 分（第 1 版）", "会议纪要未体现研究部署内容", "重点督察事项整改"} {
		if !strings.Contains(h, want) {
			t.Fatalf("history of the scored task lacks %q:\n%s", want, h)
		}
	}
	if strings.Index(h, "第 1 版提交") > strings.Index(h, "赋分 0.5 分") {
		t.Fatalf("history out of order:\n%s", h)
	}
	if a.item.warning.Level != assess.Red || !a.warn.Visible() {
		t.Fatalf("a low score should warn red: %+v", a.item.warning)
	}
	rvOpen(t, a, subs[1].id)
	h = a.history.String()
	for _, want := range []string{"第 1 版提交", "退回补充（第 1 版）", "请补充会议照片和签到表"} {
		if !strings.Contains(h, want) {
			t.Fatalf("history of the returned task lacks %q:\n%s", want, h)
		}
	}
	if !strings.Contains(a.note.Text, "等待单位重新提交") {
		t.Fatalf("returned task note %q", a.note.Text)
	}
}

// catSelTitle is the title of a category in the category select.
func (a *review) catSelTitle(code string) string {
	for i, c := range a.catCodes {
		if c == code {
			_, title, _ := strings.Cut(a.catSel.Options[i+1], " ")
			return title
		}
	}
	return ""
}

func TestReviewParseScore(t *testing.T) {
	for _, tc := range []struct {
		text string
		max  float64
		want float64
		err  string
	}{
		{"3", 5, 3, ""},
		{" 4.5 ", 5, 4.5, ""},
		{"４．５", 5, 4.5, ""},
		{"2.50", 5, 2.5, ""},
		{"0", 5, 0, ""},
		{"5", 5, 5, ""},
		{"", 5, 0, "请填写分数"},
		{"abc", 5, 0, "不是数字"},
		{"1e1", 5, 0, "不是数字"},
		{"NaN", 5, 0, "不是数字"},
		{"-0.5", 5, 0, "不能为负数"},
		{"5.1", 5, 0, "不能超过满分 5 分"},
		{"1.25", 5, 0, "最多保留一位小数"},
	} {
		got, err := parseScore(tc.text, tc.max)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("parseScore(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(message(err), tc.err)):
			t.Errorf("parseScore(%q) error %v, want %q", tc.text, err, tc.err)
		}
	}
}

func TestReviewFilterQueue(t *testing.T) {
	rows := []queueRow{
		newQueueRow(localdb.TaskView{Task: assess.Task{ID: "a", UnitID: "u1", UpdatedAt: testNow.Add(2 * time.Hour)}, UnitName: "东城区", Local: assess.Submitted,
			Indicator: assess.Indicator{Code: "1.1", Title: "政府职能转变"}}, assess.Warning{}),
		newQueueRow(localdb.TaskView{Task: assess.Task{ID: "b", UnitID: "u2"}, UnitName: "市公安局", Local: assess.Draft,
			Indicator: assess.Indicator{Code: "2.1", Title: "规范性文件备案审查"}}, assess.Warning{Level: assess.Blue}),
		newQueueRow(localdb.TaskView{Task: assess.Task{ID: "c", UnitID: "u1"}, UnitName: "东城区", Local: assess.Returned,
			Indicator: assess.Indicator{Code: "2.10", Title: "Legal Advisers 法律顾问"}}, assess.Warning{Level: assess.Yellow}),
	}
	for _, tc := range []struct {
		name string
		f    queueFilter
		want []int
	}{
		{"all", queueFilter{}, []int{0, 1, 2}},
		{"unit", queueFilter{UnitID: "u1"}, []int{0, 2}},
		{"category", queueFilter{Category: "2"}, []int{1, 2}},
		{"state", queueFilter{Status: assess.Draft}, []int{1}},
		{"no warning", queueFilter{ByLevel: true, Level: assess.NoWarning}, []int{0}},
		{"yellow", queueFilter{ByLevel: true, Level: assess.Yellow}, []int{2}},
		{"text case", queueFilter{Text: "legal"}, []int{2}},
		{"text terms", queueFilter{Text: "东城 2."}, []int{2}},
		{"code", queueFilter{Text: "2.1"}, []int{1, 2}},
		{"combined", queueFilter{UnitID: "u2", Category: "2", Text: "备案"}, []int{1}},
		{"nothing", queueFilter{UnitID: "u2", Status: assess.Submitted}, []int{}},
	} {
		got := filterQueue(rows, tc.f, nil)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	late := newQueueRow(localdb.TaskView{Task: assess.Task{ID: "late", UpdatedAt: testNow.Add(time.Hour)}, Local: assess.Submitted}, assess.Warning{})
	early := newQueueRow(localdb.TaskView{Task: assess.Task{ID: "early", UpdatedAt: testNow}, Local: assess.Submitted}, assess.Warning{})
	scored := newQueueRow(localdb.TaskView{Task: assess.Task{ID: "scored"}, Local: assess.Scored}, assess.Warning{})
	rows = append([]queueRow{scored, late}, append(rows, early)...)
	sortQueue(rows)
	var order []string
	for _, r := range rows {
		order = append(order, r.TaskID)
	}
	if want := []string{"early", "late", "a", "c", "b", "scored"}; !slices.Equal(order, want) {
		t.Fatalf("queue order %v, want %v: submitted oldest first, then returned, draft, scored", order, want)
	}
}

// rvButton returns the visible button labelled text inside o, the n-th
// (from 0) when there are several.
func rvButton(t *testing.T, o fyne.CanvasObject, text string, n int) *widget.Button {
	t.Helper()
	var found []*widget.Button
	rvWalk(o, func(x fyne.CanvasObject) {
		if b, ok := x.(*widget.Button); ok && b.Text == text {
			found = append(found, b)
		}
	})
	if n >= len(found) {
		t.Fatalf("%d buttons %q, want #%d", len(found), text, n)
	}
	return found[n]
}

// rvRound2 rounds to two decimals, as the server prints points.
func rvRound2(f float64) float64 { return math.Round(f*100) / 100 }

// rvStanding returns the unit's standing in the store.
func rvStanding(t *testing.T, db *localdb.DB, yearID, unitID string) assess.Standing {
	t.Helper()
	sts, err := db.Standings(context.Background(), yearID)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.UnitID == unitID {
			return st
		}
	}
	t.Fatalf("no standing of %s", unitID)
	return assess.Standing{}
}

// rvSync syncs a window and checks that nothing waits or was refused.
func rvSync(t *testing.T, s *Shell, db *localdb.DB) {
	t.Helper()
	s.SyncNow()
	s.Idle()
	if p, r, err := db.PendingCount(context.Background()); err != nil || p != 0 || r != 0 {
		rej, _ := db.Rejected(context.Background())
		t.Fatalf("after the sync: %d pending, %d rejected %v, %v", p, r, rej, err)
	}
}

func TestReviewMilestonesLeadsAndStanding(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	s, db := newTestShell(t, c, assess.Reviewer)
	rep, rdb := newTestShell(t, c, assess.Reporter)
	year := s.Year()
	unit := rep.User().UnitID
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: year.ID, UnitID: unit})
	if err != nil || len(views) < 4 {
		t.Fatalf("the unit has %d tasks, %v", len(views), err)
	}
	taskA, taskB, taskC, taskD := views[0], views[1], views[2], views[3]

	// The reviewer gives two indicators milestones: A one due before today
	// (to be filed late) and one due on its deadline; B one due before today.
	inds, err := db.Indicators(ctx, year.ID)
	if err != nil {
		t.Fatal(err)
	}
	indicator := func(id string) assess.Indicator {
		for _, in := range inds {
			if in.ID == id {
				return in
			}
		}
		t.Fatalf("no indicator %s", id)
		return assess.Indicator{}
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, assess.CST) }
	inA := indicator(taskA.Indicator.ID)
	inA.Milestones = []assess.Milestone{{ID: "m1", Title: "制定年度工作计划", Due: day(2, 27)}, {ID: "m2", Title: "完成中期自查", Due: assess.DayOf(inA.Deadline)}}
	inB := indicator(taskB.Indicator.ID)
	inB.Milestones = []assess.Milestone{{ID: "m1", Title: "印发实施方案", Due: day(2, 26)}}
	if err := db.SaveIndicators(ctx, []assess.Indicator{inA, inB}); err != nil {
		t.Fatal(err)
	}
	rvSync(t, s, db)

	// The unit files A's first milestone with a file, and submits C and D.
	rep.SyncNow()
	rep.Idle()
	const planPDF = "%PDF-1.4\n% 年度工作计划\n"
	plan, err := rdb.AddEvidenceReader(ctx, "年度工作计划.pdf", strings.NewReader(planPDF))
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.FileMilestone(ctx, taskA.ID, "m1", "已印发年度工作计划。", []assess.Attachment{plan}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []localdb.TaskView{taskC, taskD} {
		att, err := rdb.AddEvidenceReader(ctx, "会议纪要.pdf", strings.NewReader("%PDF-1.4\n% "+v.ID+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := rdb.SaveDraft(ctx, v.ID, "已落实。", []assess.Attachment{att}); err != nil {
			t.Fatal(err)
		}
		if err := rdb.Submit(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
	}
	rvSync(t, rep, rdb)

	// The reviewer scores C and D in full, and imports three leads: one
	// about C's indicator, one about the unit, one about D's indicator.
	rvSync(t, s, db)
	scored := 0.0
	for _, v := range []localdb.TaskView{taskC, taskD} {
		if err := db.Score(ctx, v.ID, 1, v.Indicator.MaxScore, "材料齐全"); err != nil {
			t.Fatal(err)
		}
		scored += v.Indicator.MaxScore
	}
	leadC := wire.LeadRecord{Source: assess.LeadLitigation, RecordID: "(2026)行初12号", UnitID: unit, Date: "2026-02-10",
		Summary: "行政处罚决定因程序违法被法院判决撤销", IndicatorCode: taskC.Indicator.Code}
	leadUnit := wire.LeadRecord{Source: assess.LeadPetition, RecordID: "XF-0088", UnitID: unit, Date: "2026-02-20", Summary: "群众反映办事窗口推诿"}
	leadD := wire.LeadRecord{Source: assess.LeadHotline, RecordID: "12345-0301", UnitID: unit, Date: "2026-02-25",
		Summary: "投诉执法人员未出示证件", IndicatorCode: taskD.Indicator.Code}
	if err := db.ImportLeads(ctx, wire.LeadBatch{Leads: []wire.LeadRecord{leadC, leadUnit, leadD}}); err != nil {
		t.Fatal(err)
	}
	rvSync(t, s, db)

	// The queue's warnings count the filings: B's missed milestone warns
	// yellow; A's, filed late, does not.
	a := rvReviewArea(t, s)
	row := func(id string) queueRow {
		for _, r := range a.rows {
			if r.TaskID == id {
				return r
			}
		}
		t.Fatalf("task %s is not in the queue", id)
		return queueRow{}
	}
	if r := row(taskB.ID); r.Level != assess.Yellow || !strings.Contains(r.Reason, "印发实施方案") {
		t.Fatalf("B warns %v %q, want yellow for its missed milestone", r.Level, r.Reason)
	}
	if r := row(taskA.ID); r.Level == assess.Yellow || strings.Contains(r.Reason, "制定年度工作计划") {
		t.Fatalf("A warns %v %q, though its past milestone was filed", r.Level, r.Reason)
	}

	// A's milestones: the first filed late (the server's time of filing is
	// after its due day), with its statement and file; the second not due.
	rvOpen(t, a, taskA.ID)
	a.tabs.Select(a.msTab)
	s.Idle()
	f, ok := a.item.filings["m1"]
	if !ok || f.Pending {
		t.Fatalf("A's filings %v", a.item.filings)
	}
	wantFirst := assess.MilestoneMet
	if assess.DayOf(f.FiledAt).After(day(2, 27)) {
		wantFirst = assess.MilestoneLate
	}
	if _, _, st := a.item.milestone(0); st != wantFirst {
		t.Fatalf("m1 is %s, filed %s: want %s", st, f.FiledAt, wantFirst)
	}
	if _, _, st := a.item.milestone(1); st != assess.MilestonePending {
		t.Fatalf("m2 is %s, want pending", st)
	}
	if a.msTab.Text != "时间节点（2）" || !strings.Contains(a.msOf.Text, milestoneLabel(wantFirst)+" 1") || !strings.Contains(a.msOf.Text, "未到期 1") {
		t.Fatalf("milestones tab %q: %q", a.msTab.Text, a.msOf.Text)
	}
	m, fv, st := a.item.milestone(0)
	if info := milestoneInfo(m, fv, st); !strings.Contains(info, "截止 2026-02-27") || !strings.Contains(info, milestoneLabel(wantFirst)) || !strings.Contains(info, "报送于 "+reviewTime(f.FiledAt)) {
		t.Fatalf("m1 info %q", info)
	}
	if a.msStmt.Text != "已印发年度工作计划。" || !strings.Contains(a.msStmtOf.Text, "制定年度工作计划") {
		t.Fatalf("m1 shows %q: %q", a.msStmtOf.Text, a.msStmt.Text)
	}
	test.Tap(rvButton(t, a.msFiles, "打开", 0))
	s.Idle()
	if got, err := os.ReadFile(filepath.Join(s.openDir(), plan.Hash[:8]+"-年度工作计划.pdf")); err != nil || string(got) != planPDF {
		t.Fatalf("opened milestone file %q, %v", got, err)
	}
	a.msList.Select(1)
	if !strings.Contains(a.msStmt.Text, "尚未报送") {
		t.Fatalf("m2 shows %q", a.msStmt.Text)
	}

	// B: its milestone missed, and the warning says so.
	rvOpen(t, a, taskB.ID)
	if _, _, st := a.item.milestone(0); st != assess.MilestoneMissed || !a.warn.Visible() || !strings.Contains(a.warn.Text, "印发实施方案") {
		t.Fatalf("B's milestone %s, warning %q", st, a.warn.Text)
	}

	// The unit's system points before any deduction, from the server.
	var max float64
	for _, v := range views {
		max += v.Indicator.MaxScore
	}
	w := year.Weights.System
	before := rvStanding(t, db, year.ID, unit)
	if want := rvRound2(w * scored / max); before.System != want {
		t.Fatalf("system points %v, want %v × %v ÷ %v = %v", before.System, w, scored, max, want)
	}

	// C shows its indicator's lead and the unit's, not D's.
	rvOpen(t, a, taskC.ID)
	a.tabs.Select(a.leadTab)
	s.Idle()
	// By hand: the unit's leads about C's indicator (the demo's own too, if
	// any), newest first, then those about no indicator.
	unitLeads, err := db.Leads(ctx, localdb.LeadFilter{YearID: year.ID, UnitID: unit})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(unitLeads, func(x, y assess.Lead) int { return y.Date.Compare(x.Date) })
	var wantIDs, ids []string
	for _, l := range unitLeads {
		if l.IndicatorID == taskC.Indicator.ID {
			wantIDs = append(wantIDs, l.ID)
		}
	}
	for _, l := range unitLeads {
		if l.IndicatorID == "" {
			wantIDs = append(wantIDs, l.ID)
		}
	}
	for _, l := range a.item.leads {
		ids = append(ids, l.ID)
	}
	idC := assess.LeadID(leadC.Source, leadC.RecordID)
	rowC := slices.Index(ids, idC)
	if !slices.Equal(ids, wantIDs) || rowC < 0 || !slices.Contains(ids, assess.LeadID(leadUnit.Source, leadUnit.RecordID)) ||
		slices.Contains(ids, assess.LeadID(leadD.Source, leadD.RecordID)) || a.leadTab.Text != fmt.Sprintf("督察线索（%d）", len(wantIDs)) {
		t.Fatalf("C's leads %v (tab %q), want %v", ids, a.leadTab.Text, wantIDs)
	}
	a.leadList.Select(rowC)
	if !strings.Contains(a.leadText.Text, leadC.Summary) || !strings.Contains(a.leadText.Text, "行政诉讼败诉") {
		t.Fatalf("lead detail %q", a.leadText.Text)
	}

	// 纳入考核 with a deduction typed in: bad values are refused in Chinese.
	test.Tap(rvButton(t, a.leadList, "纳入考核", rowC))
	form := a.leadForm
	if form == nil {
		t.Fatal("no 纳入考核 form")
	}
	for _, tc := range []struct{ text, want string }{
		{"", "请填写扣分"},
		{"abc", "扣分“abc”不是数字"},
		{"-1", "扣分不能为负数"},
		{"100.5", "扣分不能超过 100 分"},
		{"1.234", "扣分最多保留两位小数"},
	} {
		rvSetText(&form.deduction.Entry, tc.text)
		rvDialog(t, s, "纳入考核")
		if !s.dialogErr.Visible() || !strings.Contains(s.dialogErr.Text, tc.want) {
			t.Fatalf("deduction %q: %q, want %q", tc.text, s.dialogErr.Text, tc.want)
		}
	}
	const deduction = 1.25
	rvSetText(&form.deduction.Entry, "１.25")
	test.Type(form.comment, "行政处罚程序违法，扣减相应分值")
	rvDialog(t, s, "纳入考核")
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the form stays open: %q", s.dialogErr.Text)
	}
	ls, err := db.Leads(ctx, localdb.LeadFilter{YearID: year.ID, UnitID: unit, OnlyConsidered: true})
	if err != nil || len(ls) != 1 || ls[0].ID != idC || ls[0].Deduction != deduction || ls[0].Comment != "行政处罚程序违法，扣减相应分值" {
		t.Fatalf("considered leads %+v, %v", ls, err)
	}
	rvSync(t, s, db)

	// The server's standing drops by the deduction's weighted share.
	after := rvStanding(t, db, year.ID, unit)
	want := rvRound2(w * (scored - deduction) / max)
	if after.System != want {
		t.Fatalf("system points after the deduction %v, want %v × (%v − %v) ÷ %v = %v", after.System, w, scored, deduction, max, want)
	}
	if drop := rvRound2(before.System - after.System); drop != rvRound2(before.System-want) || drop <= 0 {
		t.Fatalf("system points dropped by %v", drop)
	}

	// The unit sees the deduction in its own 第三方评估: the system score net
	// of it, and where it came from.
	rvSync(t, rep, rdb)
	rep.Show("external")
	rep.Idle()
	mine := rep.areas["external"].(*reporterExternal)
	wantNet := assess.FormatScore(rvRound2(scored-deduction)) + " / " + assess.FormatScore(max)
	if got := mine.system.score.Text; got != wantNet {
		t.Errorf("reporter's system score %q, want %q", got, wantNet)
	}
	if got := mine.system.sample.Text; !strings.Contains(got, "督察线索扣分 1.25 分（1 条线索纳入考核") || !mine.system.sample.Visible() {
		t.Errorf("reporter's system card says %q", got)
	}

	// The lead now shows as taken into account; 撤销 withdraws it.
	rvOpen(t, a, taskC.ID)
	if l := a.item.leads[rowC]; !l.Considered || !strings.Contains(a.leadsOf.Text, "已纳入考核 1 条，共扣 1.25 分") {
		t.Fatalf("after the deduction: %+v, %q", l, a.leadsOf.Text)
	}
	test.Tap(rvButton(t, a.leadList, "撤销", 0))
	if text := rvDialog(t, s, "撤销"); !strings.Contains(text, "原扣 1.25 分") {
		t.Fatalf("withdraw asks %q", text)
	}
	rvSync(t, s, db)
	if st := rvStanding(t, db, year.ID, unit); st.System != before.System {
		t.Fatalf("after withdrawing: %v, want %v", st.System, before.System)
	}
}
