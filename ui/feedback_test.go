package ui

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// fbCycle is a demo city where a reporter submitted two tasks and the
// reviewer scored the first below its low-score line and returned the
// second; both windows have synced since.
type fbCycle struct {
	rep, rev     *Shell
	repDB, revDB *localdb.DB
	low, back    localdb.TaskView // the reporter's view of both tasks
	score        float64
	comment      string // the reviewer's comment on the low score
	returnNote   string // the reviewer's comment on the returned task
}

func newFBCycle(t *testing.T) *fbCycle {
	t.Helper()
	ctx := context.Background()
	c := newCity(t)
	f := &fbCycle{comment: "权责事项调整台账不完整，列为重点督察事项", returnNote: "请补充许可事项办理情况统计表"}
	f.rep, f.repDB = newTestShell(t, c, assess.Reporter)
	f.rev, f.revDB = newTestShell(t, c, assess.Reviewer)

	tasks, err := f.repDB.Tasks(ctx, localdb.TaskFilter{YearID: f.rep.Year().ID, UnitID: f.rep.User().UnitID})
	if err != nil || len(tasks) < 2 {
		t.Fatalf("reporter tasks: %d, %v", len(tasks), err)
	}
	f.low, f.back = tasks[0], tasks[1]
	for _, v := range []localdb.TaskView{f.low, f.back} {
		att, err := f.repDB.AddEvidenceReader(ctx, v.Indicator.Code+"-佐证材料.pdf", strings.NewReader("%PDF-1.4\n% "+v.ID+"\n%%EOF\n"))
		if err != nil {
			t.Fatal(err)
		}
		att.Slot = 0
		if err := f.repDB.SaveDraft(ctx, v.ID, "已按要求完成"+v.Indicator.Title+"，材料见附件。", []assess.Attachment{att}); err != nil {
			t.Fatal(err)
		}
		if err := f.repDB.Submit(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
	}
	fbSync(t, f.rep, f.repDB)
	fbSync(t, f.rev, f.revDB)

	f.score = math.Floor(f.low.Indicator.Threshold()*5) / 10 // half the line, in tenths
	v, err := f.revDB.Task(ctx, f.low.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.revDB.Score(ctx, f.low.ID, v.Version, f.score, f.comment); err != nil {
		t.Fatal(err)
	}
	if v, err = f.revDB.Task(ctx, f.back.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.revDB.Return(ctx, f.back.ID, v.Version, f.returnNote); err != nil {
		t.Fatal(err)
	}
	fbSync(t, f.rev, f.revDB)
	fbSync(t, f.rep, f.repDB)
	return f
}

// fbSync syncs a window and checks that nothing waits or was refused.
func fbSync(t *testing.T, s *Shell, db *localdb.DB) {
	t.Helper()
	s.SyncNow()
	s.Idle()
	pending, rejected, err := db.PendingCount(context.Background())
	if err != nil || pending+rejected > 0 {
		rej, _ := db.Rejected(context.Background())
		t.Fatalf("after sync: %d pending, %d rejected (%+v), %v", pending, rejected, rej, err)
	}
}

// fbArea shows the feedback area of s and returns it.
func fbArea(t *testing.T, s *Shell) *feedback {
	t.Helper()
	s.Show("feedback")
	s.Idle()
	a, ok := s.areas["feedback"].(*feedback)
	if !ok {
		t.Fatal("no feedback area")
	}
	return a
}

// fbTapDialog taps the button labelled text in the dialog on top.
func fbTapDialog(t *testing.T, s *Shell, text string) {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog with %q is shown", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			s.Idle()
			return
		}
	}
	t.Fatalf("the dialog has no button %q", text)
}

// fbCloseDialogs closes the dialogs shown, as Esc does.
func fbCloseDialogs(s *Shell) {
	for s.win.Canvas().Overlays().Top() != nil && s.keyEsc != nil {
		s.keyEsc()
	}
}

// fbLabels returns the texts of the labels object o shows.
func fbLabels(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range test.LaidOutObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}

// fbRow returns the area's row of a task.
func fbRow(t *testing.T, a *feedback, taskID string) feedbackRow {
	t.Helper()
	for _, r := range a.rows {
		if r.task.ID == taskID {
			return r
		}
	}
	t.Fatalf("task %s is not shown", taskID)
	return feedbackRow{}
}

func TestFeedbackRectification(t *testing.T) {
	ctx := context.Background()
	f := newFBCycle(t)
	a := fbArea(t, f.rep)

	// Per indicator: the score and the reviewer's comment, in the table.
	r := fbRow(t, a, f.low.ID)
	if r.review == nil || r.review.Comment != f.comment || !r.low() {
		t.Fatalf("low-scored row: %+v", r)
	}
	row := slices.IndexFunc(a.rows, func(r feedbackRow) bool { return r.task.ID == f.low.ID })
	rows, cols := a.table.Length()
	if rows != len(a.rows) || cols != fbColCount {
		t.Fatalf("table %dx%d for %d tasks", rows, cols, len(a.rows))
	}
	wantScore := assess.FormatScore(f.score) + " / " + assess.FormatScore(f.low.Indicator.MaxScore)
	for col, want := range map[int]string{fbColTitle: f.low.Indicator.Title, fbColStatus: "已赋分", fbColScore: wantScore, fbColComment: f.comment} {
		cell := a.table.CreateCell().(*widget.Label)
		a.table.UpdateCell(widget.TableCellID{Row: row, Col: col}, cell)
		if cell.Text != want {
			t.Fatalf("column %d shows %q, want %q", col, cell.Text, want)
		}
		if col == fbColScore && cell.Importance != widget.DangerImportance {
			t.Fatal("a score below the line is not shown in red")
		}
	}
	a.table.Select(widget.TableCellID{Row: row, Col: fbColComment})
	if !strings.Contains(a.rowInfo.Text, f.comment) || !strings.Contains(a.rowInfo.Text, "重点督察事项") {
		t.Fatalf("the selected row in full: %q", a.rowInfo.Text)
	}
	if !strings.Contains(a.summary.Text, "整改事项 1 项") || !strings.Contains(a.summary.Text, "退回补充 1 项") {
		t.Fatalf("summary %q", a.summary.Text)
	}

	// The returned item with its comment; the button goes to 指标填报.
	if len(a.returned) != 1 || a.rows[a.returned[0]].task.ID != f.back.ID {
		t.Fatalf("returned items %v", a.returned)
	}
	a.tabs.SelectIndex(fbTabReturned)
	if got := strings.Join(fbLabels(a.retList), "\n"); !strings.Contains(got, f.returnNote) {
		t.Fatalf("returned list %q lacks the comment", got)
	}
	if a.tabs.Items[fbTabReturned].Text != "退回补充（1）" {
		t.Fatalf("tab %q", a.tabs.Items[fbTabReturned].Text)
	}
	a.retList.Select(0)
	if !strings.Contains(a.retInfo.Text, f.returnNote) || !strings.Contains(a.retInfo.Text, f.back.Indicator.Title) {
		t.Fatalf("returned item in full: %q", a.retInfo.Text)
	}
	var goFiling *widget.Button
	for _, o := range test.LaidOutObjects(a.tabs) {
		if b, ok := o.(*widget.Button); ok && b.Text == "去指标填报补充材料" {
			goFiling = b
		}
	}
	if goFiling == nil {
		t.Fatal("no button to 指标填报")
	}
	test.Tap(goFiling)
	f.rep.Idle()
	if f.rep.Current() != "filing" {
		t.Fatalf("shown %q, want filing", f.rep.Current())
	}
	a = fbArea(t, f.rep)

	// The rectification: the demand, the deadline with its working days
	// and warning colour, the state.
	a.tabs.SelectIndex(fbTabRects)
	rect, err := f.repDB.Rectification(ctx, f.low.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := a.rect
	if p.taskID != f.low.ID || !p.content.Visible() {
		t.Fatalf("rectification not shown: %q", p.taskID)
	}
	if !strings.Contains(p.demand.Text, f.comment) {
		t.Fatalf("demand %q", p.demand.Text)
	}
	days := assess.ChinaCalendar().WorkdaysUntil(testNow, rect.Deadline)
	if want := fmt.Sprintf("整改期限：%s（还有 %d 个工作日）", fbDate(rect.Deadline), days); p.deadline.Text != want {
		t.Fatalf("deadline %q, want %q", p.deadline.Text, want)
	}
	level := assess.RectWarning(rect, testNow, nil).Level
	if level == assess.NoWarning || !p.dot.Visible() || p.dot.FillColor != warningColor(level) {
		t.Fatalf("deadline marker %v visible=%v for level %v", p.dot.FillColor, p.dot.Visible(), level)
	}
	if p.state.Text != "状态：待整改" || !p.respond.Visible() || p.verify.Visible() {
		t.Fatalf("state %q respond=%v verify=%v", p.state.Text, p.respond.Visible(), p.verify.Visible())
	}

	// An empty response is refused in Chinese, and nothing is asked.
	test.Tap(p.submitBtn)
	if !p.errLabel.Visible() || p.errLabel.Text != "请填写整改情况说明" {
		t.Fatalf("empty response: %q", p.errLabel.Text)
	}
	if f.rep.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog opened for an empty response")
	}

	// A response with a file, confirmed, is queued offline-safe.
	file := filepath.Join(t.TempDir(), "整改台账.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4\n% 整改台账\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.addFiles([]string{file})
	f.rep.Idle()
	if len(p.picked) != 1 || p.picked[0].Name != "整改台账.pdf" || !slices.ContainsFunc(fbLabels(p.fileList), func(s string) bool { return strings.HasPrefix(s, "整改台账.pdf") }) {
		t.Fatalf("picked files %+v", p.picked)
	}
	response := "已补齐权责事项调整台账 36 项，并在政府门户网站公开。"
	test.Type(p.answer, response)
	test.Tap(p.submitBtn)
	if p.errLabel.Visible() {
		t.Fatalf("error shown: %q", p.errLabel.Text)
	}
	fbTapDialog(t, f.rep, "提交")
	v, err := f.repDB.Task(ctx, f.low.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(v.Pending, wire.KindRectRespond) {
		t.Fatalf("no response queued: %v", v.Pending)
	}
	if p.state.Text != "状态：已反馈（待同步）" || p.respond.Visible() || p.answer.Text != "" {
		t.Fatalf("after submitting: state %q respond=%v answer=%q", p.state.Text, p.respond.Visible(), p.answer.Text)
	}
	fbSync(t, f.rep, f.repDB)
	if rect, err = f.repDB.Rectification(ctx, f.low.ID); err != nil || rect.State != assess.RectResponded || rect.Response != response || len(rect.Attachments) != 1 {
		t.Fatalf("after sync: %+v, %v", rect, err)
	}

	// The reviewer chooses the unit, sees the response and verifies it.
	fbSync(t, f.rev, f.revDB)
	ra := fbArea(t, f.rev)
	unit := f.rep.unitName(f.rep.User().UnitID)
	ra.unitSel.SetSelected(unit)
	f.rev.Idle()
	if ra.unitID != f.rep.User().UnitID || len(ra.rects) != 1 {
		t.Fatalf("reviewer shows unit %q with %d rectifications", ra.unitID, len(ra.rects))
	}
	ra.tabs.SelectIndex(fbTabRects)
	rp := ra.rect
	if !strings.Contains(rp.response.Text, response) || len(rp.files) != 1 || !rp.verify.Visible() || rp.respond.Visible() {
		t.Fatalf("reviewer panel: response %q files %d verify=%v", rp.response.Text, len(rp.files), rp.verify.Visible())
	}
	test.Tap(rp.rejectBtn)
	if !rp.errLabel.Visible() || rp.errLabel.Text != "请填写不通过的理由" {
		t.Fatalf("reject without a reason: %q", rp.errLabel.Text)
	}
	test.Type(rp.comment, "整改到位，同意销号。")
	test.Tap(rp.acceptBtn)
	fbTapDialog(t, f.rev, "销号")
	if v, err = f.revDB.Task(ctx, f.low.ID); err != nil || !slices.Contains(v.Pending, wire.KindRectVerify) {
		t.Fatalf("no verification queued: %v, %v", v.Pending, err)
	}
	fbSync(t, f.rev, f.revDB)
	if rp.state.Text != "状态：已销号" {
		t.Fatalf("reviewer state after sync %q", rp.state.Text)
	}
	fbSync(t, f.rep, f.repDB)
	if p.state.Text != "状态：已销号" || p.respond.Visible() {
		t.Fatalf("reporter state after verification %q", p.state.Text)
	}
}

// fbPDFText returns the text of a PDF as pdftotext reads it, without white
// space (pdftotext spaces Chinese text as it pleases).
func fbPDFText(t *testing.T, path string) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext %s: %v\n%s", path, err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// fbOnlyFiles checks that dir holds exactly n files, all PDFs: no
// temporary file is left behind.
func fbOnlyFiles(t *testing.T, dir string, n int) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pdf") || strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("left in %s: %s", dir, e.Name())
		}
		names = append(names, e.Name())
	}
	if len(names) != n {
		t.Fatalf("%s holds %d reports, want %d: %v", dir, len(names), n, names)
	}
	return names
}

func TestFeedbackPrint(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := newFBCycle(t)
	unit := f.rep.unitName(f.rep.User().UnitID)
	in := f.low.Indicator
	scoreRow := in.Title + assess.FormatScore(in.MaxScore) + assess.FormatScore(f.score)

	// The reporter prints the own unit's report.
	a := fbArea(t, f.rep)
	dir := t.TempDir()
	path := filepath.Join(dir, report.FeedbackFileName(report.FeedbackData{Year: f.rep.Year(), Unit: assess.Unit{ID: f.rep.User().UnitID, Name: unit}}))
	if err := os.WriteFile(path, []byte("an older file"), 0o600); err != nil {
		t.Fatal(err)
	}
	a.printUnit(path)
	f.rep.Idle()
	text := fbPDFText(t, path)
	for _, want := range []string{unit, in.Title, scoreRow, f.comment} {
		if !strings.Contains(text, want) {
			t.Fatalf("the reporter's report lacks %q:\n%s", want, text)
		}
	}
	fbOnlyFiles(t, dir, 1)
	if got := strings.Join(fbLabels(f.rep.win.Canvas().Overlays().Top()), "\n"); !strings.Contains(got, "已生成反馈报告") {
		t.Fatalf("no confirmation: %q", got)
	}
	fbCloseDialogs(f.rep)
	for _, b := range a.printBtns {
		if b.Disabled() {
			t.Fatal("printing stays disabled")
		}
	}

	// A folder that does not exist is refused in Chinese and nothing is written.
	a.printUnit(filepath.Join(dir, "没有的文件夹", "x.pdf"))
	f.rep.Idle()
	if got := strings.Join(fbLabels(f.rep.win.Canvas().Overlays().Top()), "\n"); !strings.Contains(got, "不存在") {
		t.Fatalf("missing folder: %q", got)
	}
	fbCloseDialogs(f.rep)

	// The reviewer prints the chosen unit, every unit and the city summary.
	ra := fbArea(t, f.rev)
	ra.unitSel.SetSelected(unit)
	f.rev.Idle()
	rdir := t.TempDir()
	ra.printUnit(filepath.Join(rdir, "单位.pdf"))
	f.rev.Idle()
	fbCloseDialogs(f.rev)
	if text := fbPDFText(t, filepath.Join(rdir, "单位.pdf")); !strings.Contains(text, unit) || !strings.Contains(text, scoreRow) {
		t.Fatalf("the reviewer's unit report:\n%s", text)
	}

	all := filepath.Join(rdir, "全部单位")
	ra.printAll(all)
	f.rev.Idle()
	fbCloseDialogs(f.rev)
	n := len(ra.units)
	names := fbOnlyFiles(t, all, n)
	if n < 2 {
		t.Fatalf("only %d units", n)
	}
	if !strings.HasPrefix(ra.work.Text, fmt.Sprintf("[%d/%d] ", n, n)) || ra.work.Visible() || ra.bar.Visible() {
		t.Fatalf("progress after the batch: %q visible=%v", ra.work.Text, ra.work.Visible())
	}
	mine := report.FeedbackFileName(report.FeedbackData{Year: f.rev.Year(), Unit: assess.Unit{Name: unit}})
	if !slices.Contains(names, mine) {
		t.Fatalf("no %s in %v", mine, names)
	}
	if text := fbPDFText(t, filepath.Join(all, mine)); !strings.Contains(text, scoreRow) {
		t.Fatalf("batch report of %s:\n%s", unit, text)
	}

	city := filepath.Join(rdir, "全市.pdf")
	ra.printCity(city)
	f.rev.Idle()
	fbCloseDialogs(f.rev)
	text = fbPDFText(t, city)
	for _, want := range []string{"汇总报告", unit, ra.units[n-1].Name} {
		if !strings.Contains(text, want) {
			t.Fatalf("the city summary lacks %q:\n%s", want, text)
		}
	}
}

func TestFeedbackFileNames(t *testing.T) {
	y := assess.Year{ID: "2026", Name: "2026年"}
	data := []report.FeedbackData{
		{Year: y, Unit: assess.Unit{ID: "a", Name: "东城区"}},
		{Year: y, Unit: assess.Unit{ID: "b", Name: "西城区"}},
		{Year: y, Unit: assess.Unit{ID: "c", Name: "西城区"}},
	}
	got := report.FeedbackFileNames(data)
	want := []string{"2026年度-东城区-反馈报告.pdf", "2026年度-西城区-反馈报告-b.pdf", "2026年度-西城区-反馈报告-c.pdf"}
	if !slices.Equal(got, want) {
		t.Fatalf("names %q, want %q", got, want)
	}
}

// The marker of a rectification without a warning is hidden.
func TestFeedbackDotHidden(t *testing.T) {
	dot := canvas.NewRectangle(colorGrey)
	fbDot(dot, assess.NoWarning)
	if dot.Visible() {
		t.Fatal("a marker for no warning")
	}
	fbDot(dot, assess.Red)
	if !dot.Visible() || dot.FillColor != colorRed {
		t.Fatal("no red marker")
	}
}
