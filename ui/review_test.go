package ui

import (
	"context"
	"fmt"
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
