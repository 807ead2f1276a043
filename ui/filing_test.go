package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// filingArea shows the filing area of s and returns it.
func filingArea(t *testing.T, s *Shell) *filing {
	t.Helper()
	s.Show("filing")
	s.Idle()
	a, ok := s.areas["filing"].(*filing)
	if !ok {
		t.Fatal("no filing area")
	}
	return a
}

// filingTaskByCode returns the reporter's task of an indicator code.
func filingTaskByCode(t *testing.T, a *filing, code string) localdb.TaskView {
	t.Helper()
	for _, r := range a.all {
		if r.v.Indicator.Code == code {
			return r.v
		}
	}
	t.Fatalf("no task of indicator %s in the list", code)
	return localdb.TaskView{}
}

// filingWalk calls fn for o and everything it shows, as drawn: widgets
// through their cached renderers.
func filingWalk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch x := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			filingWalk(c, fn)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			filingWalk(c, fn)
		}
	}
}

// filingObjects returns o and everything it shows.
func filingObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	filingWalk(o, func(x fyne.CanvasObject) { out = append(out, x) })
	return out
}

// filingTap taps the task's row in the tree, as the user does.
func filingTap(t *testing.T, s *Shell, a *filing, code string) {
	t.Helper()
	v := filingTaskByCode(t, a, code)
	a.tree.ScrollTo(v.ID)
	for _, o := range filingObjects(a.tree) {
		row, ok := o.(fyne.Tappable)
		if !ok || !o.Visible() {
			continue
		}
		for _, x := range filingObjects(o) {
			if n, ok := x.(*filingNode); ok && n.code.Text == code {
				test.Tap(row)
				s.Idle()
				return
			}
		}
	}
	t.Fatalf("the tree shows no row of %s", code)
}

// filingTexts returns the texts of the visible labels under o.
func filingTexts(o fyne.CanvasObject) string {
	var out []string
	for _, x := range filingObjects(o) {
		if l, ok := x.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// filingDialog returns the texts of the dialog on top, failing when none
// is shown.
func filingDialog(t *testing.T, s *Shell) string {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	return filingTexts(top)
}

// filingTapButton taps the visible, enabled button labelled text under o.
func filingTapButton(t *testing.T, s *Shell, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, x := range filingObjects(o) {
		if b, ok := x.(*widget.Button); ok && b.Text == text && b.Visible() && !b.Disabled() {
			test.Tap(b)
			s.Idle()
			return
		}
	}
	t.Fatalf("no enabled button %q", text)
}

// filingTapDialog taps a button of the dialog on top.
func filingTapDialog(t *testing.T, s *Shell, text string) {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog with %q is shown", text)
	}
	filingTapButton(t, s, top, text)
}

// filingCtrlS presses Ctrl+S on the window.
func filingCtrlS(s *Shell) {
	s.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	s.Idle()
}

// filingFile writes a file into dir and returns its path.
func filingFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// filingDraft returns the local draft of a task.
func filingDraft(t *testing.T, db *localdb.DB, id string) localdb.Draft {
	t.Helper()
	d, err := db.Draft(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// filingTask returns the local view of a task.
func filingTask(t *testing.T, db *localdb.DB, id string) localdb.TaskView {
	t.Helper()
	v, err := db.Task(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFilingFullCycle drives a clerk through a task: pick it in the tree,
// write the statement, Ctrl+S, attach files by the dialog's path and by
// dropping them (same content and bad files refused in Chinese), remove
// one, submit with the confirmation, sync; the reviewer returns it with a
// comment, which the clerk sees, edits and resubmits as version 2.
func TestFilingFullCycle(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := filingArea(t, s)

	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: s.Year().ID, UnitID: s.User().UnitID})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.all) != len(tasks) || len(tasks) == 0 {
		t.Fatalf("the list has %d tasks, the store %d", len(a.all), len(tasks))
	}
	if a.cur == nil {
		t.Fatal("no task is shown at first")
	}

	// Pick a task with a checklist of at least two items.
	var v localdb.TaskView
	for _, x := range tasks {
		if len(x.Indicator.Evidence) >= 2 && x.ID != a.selected {
			v = x
			break
		}
	}
	if v.ID == "" {
		t.Fatal("no task with a checklist of two items")
	}
	filingTap(t, s, a, v.Indicator.Code)
	if a.selected != v.ID || a.cur == nil || a.cur.v.ID != v.ID {
		t.Fatalf("tapped %s, shown %q", v.ID, a.selected)
	}
	detail := filingTexts(a.right)
	for _, want := range []string{v.Indicator.Code + "  " + v.Indicator.Title, "达标标准", v.Indicator.Standard,
		"满分 " + assess.FormatScore(v.Indicator.MaxScore) + " 分", "截止日期", "个工作日", "1. " + v.Indicator.Evidence[0], "其他材料", "未开始"} {
		if !strings.Contains(detail, want) {
			t.Fatalf("the detail lacks %q:\n%s", want, detail)
		}
	}

	// Write the statement; Ctrl+S saves it as the draft.
	statement := "已建立权责清单动态调整机制，全年调整事项 36 项，均已公开。"
	test.Type(a.statement, statement)
	if !strings.Contains(a.unsaved.Text, "未保存") {
		t.Fatalf("no unsaved mark after typing: %q", a.unsaved.Text)
	}
	filingCtrlS(s)
	if d := filingDraft(t, db, v.ID); d.Statement != statement || d.Source != localdb.FromLocal {
		t.Fatalf("draft after Ctrl+S: %+v", d)
	}
	if a.unsaved.Text != "草稿已保存" {
		t.Fatalf("unsaved mark after saving: %q", a.unsaved.Text)
	}
	if got := filingTask(t, db, v.ID).Local; got != assess.Draft {
		t.Fatalf("status after saving %s, want draft", got)
	}

	// The file dialog's path: 添加文件 opens it; the chosen file goes to the slot.
	filingTapButton(t, s, a.slots, "添加文件")
	if s.win.Canvas().Overlays().Top() == nil {
		t.Fatal("添加文件 showed no file dialog")
	}
	s.win.Canvas().Overlays().Top().Hide()
	s.win.Canvas().Overlays().Remove(s.win.Canvas().Overlays().Top())
	dir := t.TempDir()
	pdf := filingFile(t, dir, "权责清单调整文件.pdf", "%PDF-1.4\n% 权责清单\n%%EOF\n")
	a.attach(v.ID, 0, []string{pdf})
	s.Idle()
	d := filingDraft(t, db, v.ID)
	if len(d.Attachments) != 1 || d.Attachments[0].Slot != 0 || d.Attachments[0].Name != "权责清单调整文件.pdf" || d.Statement != statement {
		t.Fatalf("draft after attaching: %+v", d)
	}
	hash := d.Attachments[0].Hash
	rows := filingTexts(a.slots)
	for _, want := range []string{"权责清单调整文件.pdf", "PDF · " + formatBytes(d.Attachments[0].Size) + " · SHA-256 " + hash[:12] + "… · 待上传"} {
		if !strings.Contains(rows, want) {
			t.Fatalf("the slots lack %q:\n%s", want, rows)
		}
	}

	// The same content under another name is not added again.
	again := filingFile(t, dir, "副本.pdf", "%PDF-1.4\n% 权责清单\n%%EOF\n")
	a.attach(v.ID, 1, []string{again})
	s.Idle()
	if msg := filingDialog(t, s); !strings.Contains(msg, "“副本.pdf”与已附的“权责清单调整文件.pdf”内容相同，不重复添加") {
		t.Fatalf("duplicate message: %q", msg)
	}
	filingTapDialog(t, s, "确定")
	if n := len(filingDraft(t, db, v.ID).Attachments); n != 1 {
		t.Fatalf("%d files after adding the same content", n)
	}

	// An empty file and a program named .pdf are refused in Chinese.
	empty := filingFile(t, dir, "空白.pdf", "")
	a.attach(v.ID, 0, []string{empty})
	s.Idle()
	if msg := filingDialog(t, s); !strings.Contains(msg, "文件“空白.pdf”是空文件（0 字节），请选择有内容的文件") {
		t.Fatalf("empty file message: %q", msg)
	}
	if !strings.Contains(a.note.Text, "空文件") || a.note.Importance != widget.DangerImportance {
		t.Fatalf("note after an empty file: %q", a.note.Text)
	}
	filingTapDialog(t, s, "确定")
	exe := filingFile(t, dir, "通知.pdf", "MZ\x90\x00 program")
	a.attach(v.ID, 0, []string{exe})
	s.Idle()
	if msg := filingDialog(t, s); !strings.Contains(msg, "通知.pdf") || !strings.Contains(msg, "程序") {
		t.Fatalf("program message: %q", msg)
	}
	filingTapDialog(t, s, "确定")
	if n := len(filingDraft(t, db, v.ID).Attachments); n != 1 {
		t.Fatalf("%d files after bad files", n)
	}

	// Dropping two files onto the window asks for the checklist item.
	photo := filingFile(t, dir, "现场照片.png", "\x89PNG\r\n\x1a\n photo")
	minutes := filingFile(t, dir, "会议纪要.docx", "PK\x03\x04 minutes")
	s.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(photo), storage.NewFileURI(minutes)})
	if a.dropChoice == nil || !strings.Contains(filingDialog(t, s), "会议纪要.docx") {
		t.Fatal("dropping files asked nothing")
	}
	a.dropChoice.SetSelectedIndex(2) // the second checklist item
	s.keyEnter()
	s.Idle()
	d = filingDraft(t, db, v.ID)
	if len(d.Attachments) != 3 || d.Attachments[1].Slot != 1 || d.Attachments[2].Slot != 1 {
		t.Fatalf("draft after dropping: %+v", d.Attachments)
	}
	if rows := filingTexts(a.slots); !strings.Contains(rows, "图片 · ") || !strings.Contains(rows, "Word · ") {
		t.Fatalf("file types not shown:\n%s", rows)
	}

	// Remove the photo, after confirming.
	var photoRow fyne.CanvasObject
	for _, o := range filingObjects(a.slots) {
		if c, ok := o.(*fyne.Container); ok && strings.HasPrefix(filingTexts(c), "现场照片.png\n") {
			photoRow = c // the row, the outermost container that starts with the name
			break
		}
	}
	if photoRow == nil {
		t.Fatal("no row of the photo")
	}
	filingTapButton(t, s, photoRow, "移除")
	if !strings.Contains(filingDialog(t, s), "确定从草稿中移除“现场照片.png”吗？") {
		t.Fatal("removing asked nothing")
	}
	filingTapDialog(t, s, "移除")
	d = filingDraft(t, db, v.ID)
	if len(d.Attachments) != 2 || slices.ContainsFunc(d.Attachments, func(x assess.Attachment) bool { return x.Name == "现场照片.png" }) {
		t.Fatalf("draft after removing: %+v", d.Attachments)
	}

	// Submit: the confirmation counts the files and names empty checklist items.
	filingTapButton(t, s, a.right, "提交")
	msg := filingDialog(t, s)
	if !strings.Contains(msg, "和 2 份佐证材料") {
		t.Fatalf("confirmation: %q", msg)
	}
	if len(v.Indicator.Evidence) > 2 && !strings.Contains(msg, "还没有添加文件") {
		t.Fatalf("confirmation names no empty item: %q", msg)
	}
	filingTapDialog(t, s, "提交")
	got := filingTask(t, db, v.ID)
	if got.Local != assess.Submitted || !got.SubmitPending() {
		t.Fatalf("after submitting: %s, pending %v", got.Local, got.Pending)
	}
	if a.state.Text != "已提交（待同步）" || !a.statement.Disabled() || !a.submitBtn.Disabled() {
		t.Fatalf("after submitting the detail shows %q (statement disabled %v)", a.state.Text, a.statement.Disabled())
	}

	// Sync: the server has version 1 and the files are uploaded.
	s.SyncNow()
	s.Idle()
	got = filingTask(t, db, v.ID)
	if got.Status != assess.Submitted || got.Version != 1 || len(got.Pending) != 0 {
		t.Fatalf("after syncing: %s v%d pending %v rejected %v", got.Status, got.Version, got.Pending, got.Rejected)
	}
	if rows := filingTexts(a.slots); strings.Contains(rows, "待上传") || !strings.Contains(rows, "已上传") {
		t.Fatalf("upload state after syncing:\n%s", rows)
	}

	// The reviewer returns it with a comment.
	rs, rdb := newTestShell(t, c, assess.Reviewer)
	subs, err := rdb.Submissions(ctx, v.ID)
	if err != nil || len(subs) != 1 || subs[0].Statement != statement || len(subs[0].Attachments) != 2 {
		t.Fatalf("the server's submissions: %+v, %v", subs, err)
	}
	comment := "请补充会议纪要的签发页"
	if err := rdb.Return(ctx, v.ID, 1, comment); err != nil {
		t.Fatal(err)
	}
	rs.SyncNow()
	rs.Idle()

	// The clerk sees the comment, edits and resubmits: version 2.
	s.SyncNow()
	s.Idle()
	if a.cur.v.Local != assess.Returned {
		t.Fatalf("after the return the task is %s", a.cur.v.Local)
	}
	if n := filingTexts(a.notices); !strings.Contains(n, comment) || !strings.Contains(n, "第 2 版") {
		t.Fatalf("the comment is not shown:\n%s", n)
	}
	if a.statement.Disabled() || a.statement.Text != statement || a.submitBtn.Text != "重新提交" {
		t.Fatalf("returned task: statement %q disabled %v, button %q", a.statement.Text, a.statement.Disabled(), a.submitBtn.Text)
	}
	more := "已补充会议纪要签发页。"
	a.statement.SetText(statement + more)
	filingTapButton(t, s, a.right, "重新提交")
	if msg := filingDialog(t, s); !strings.Contains(msg, "第 2 版") {
		t.Fatalf("resubmit confirmation: %q", msg)
	}
	filingTapDialog(t, s, "提交")
	s.SyncNow()
	s.Idle()
	subs, err = db.Submissions(ctx, v.ID)
	if err != nil || len(subs) != 2 || subs[1].Version != 2 || subs[1].Statement != statement+more {
		t.Fatalf("after resubmitting: %+v, %v", subs, err)
	}
	if a.cur.v.Local != assess.Submitted || a.cur.v.Version != 2 {
		t.Fatalf("shown after resubmitting: %s v%d", a.cur.v.Local, a.cur.v.Version)
	}

	// The reviewer scores version 2 and closes the year: the clerk sees the
	// score, and everything is read-only with a notice.
	rs.SyncNow()
	rs.Idle()
	if err := rdb.Score(ctx, v.ID, 2, v.Indicator.MaxScore, "材料齐全"); err != nil {
		t.Fatal(err)
	}
	if err := rdb.CloseYear(ctx, v.YearID); err != nil {
		t.Fatal(err)
	}
	rs.SyncNow()
	rs.Idle()
	s.SyncNow()
	s.Idle()
	if s.Year().State != assess.YearClosed || a.cur.v.Local != assess.Scored {
		t.Fatalf("after scoring and closing: year %s, task %s", s.Year().State, a.cur.v.Local)
	}
	notes := filingTexts(a.notices)
	max := assess.FormatScore(v.Indicator.MaxScore)
	for _, want := range []string{"本考核年度已关闭", "已赋分：" + max + " 分（满分 " + max + " 分）", "材料齐全"} {
		if !strings.Contains(notes, want) {
			t.Fatalf("the notices lack %q:\n%s", want, notes)
		}
	}
	if !a.statement.Disabled() || !a.saveBtn.Disabled() || !a.submitBtn.Disabled() {
		t.Fatal("a scored task of a closed year is editable")
	}
	for _, o := range filingObjects(a.slots) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "添加文件" || b.Text == "移除") {
			t.Fatalf("a closed year offers %s", b.Text)
		}
	}
	a.dropped([]string{pdf})
	if !strings.Contains(filingDialog(t, s), "本考核年度已关闭") {
		t.Fatal("dropping on a closed year said nothing")
	}
}

// TestFilingSwitchAsksToSave checks that switching tasks with an unsaved
// statement asks first: cancel stays, save-and-switch saves and switches.
func TestFilingSwitchAsksToSave(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := filingArea(t, s)
	first, second := a.all[0].v, a.all[1].v
	filingTap(t, s, a, first.Indicator.Code)
	if a.selected != first.ID {
		t.Fatalf("selected %s, want %s", a.selected, first.ID)
	}
	test.Type(a.statement, "尚未写完的说明")
	filingTap(t, s, a, second.Indicator.Code)
	if !strings.Contains(filingDialog(t, s), "还没有保存") {
		t.Fatal("switching with unsaved text asked nothing")
	}
	filingTapDialog(t, s, "取消")
	if a.selected != first.ID || a.statement.Text != "尚未写完的说明" {
		t.Fatalf("after cancelling: %s %q", a.selected, a.statement.Text)
	}
	filingTap(t, s, a, second.Indicator.Code)
	filingTapDialog(t, s, "保存并切换")
	if a.selected != second.ID || a.cur.v.ID != second.ID {
		t.Fatalf("after saving and switching: %s", a.selected)
	}
	if d := filingDraft(t, db, first.ID); d.Statement != "尚未写完的说明" {
		t.Fatalf("the first task's draft: %q", d.Statement)
	}
	if a.statement.Text != "" || a.dirty() {
		t.Fatalf("the second task shows %q (dirty %v)", a.statement.Text, a.dirty())
	}
}

// TestFilingSearchAndFilter checks the search entry and the status filter.
func TestFilingSearchAndFilter(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := filingArea(t, s)
	total := len(a.all)
	v := a.all[len(a.all)-1].v
	test.Type(a.search, v.Indicator.Title)
	n := 0
	for _, ids := range a.children {
		n += len(ids)
	}
	if n == 0 || n == total || !a.shown(v.ID) {
		t.Fatalf("searching %q shows %d of %d", v.Indicator.Title, n, total)
	}
	if !strings.Contains(a.count.Text, "共 "+strconv.Itoa(total)+" 项") {
		t.Fatalf("count %q", a.count.Text)
	}
	a.search.SetText("")
	if err := db.SaveDraft(context.Background(), v.ID, "草稿", nil); err != nil {
		t.Fatal(err)
	}
	s.wrote()
	s.Idle()
	a.filter.SetSelectedIndex(2) // 草稿
	var shown []string
	for _, ids := range a.children {
		shown = append(shown, ids...)
	}
	if !slices.Equal(shown, []string{v.ID}) {
		t.Fatalf("drafts shown: %v", shown)
	}
	a.filter.SetSelectedIndex(6) // 待同步
	if !a.shown(v.ID) {
		t.Fatal("the draft waiting to be sent is not under 待同步")
	}
	a.filter.SetSelectedIndex(0)
	if a.count.Text != "显示 "+strconv.Itoa(total)+" 项，共 "+strconv.Itoa(total)+" 项" {
		t.Fatalf("count %q", a.count.Text)
	}
}

// TestFilingOffline stops the server: saving, attaching and submitting
// still work and wait in the outbox; the status bar says offline.
func TestFilingOffline(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := filingArea(t, s)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	v := a.all[0].v
	filingTap(t, s, a, v.Indicator.Code)
	if a.selected != v.ID {
		t.Fatalf("selected %s", a.selected)
	}
	test.Type(a.statement, "离线填写的实施情况说明")
	filingCtrlS(s)
	pdf := filingFile(t, t.TempDir(), "离线材料.pdf", "%PDF-1.4\n% offline\n%%EOF\n")
	a.attach(v.ID, filingOtherSlot, []string{pdf})
	s.Idle()
	filingTapButton(t, s, a.right, "提交")
	filingTapDialog(t, s, "提交")
	got := filingTask(t, db, v.ID)
	if got.Local != assess.Submitted || !got.SubmitPending() {
		t.Fatalf("offline submit: %s pending %v", got.Local, got.Pending)
	}
	s.SyncNow()
	s.Idle()
	pending, rejected, err := db.PendingCount(ctx)
	if err != nil || pending == 0 || rejected != 0 {
		t.Fatalf("queued %d, rejected %d, %v", pending, rejected, err)
	}
	online, waiting, _ := s.Status()
	if !strings.HasPrefix(online, "离线") || !strings.Contains(waiting, "待发送") {
		t.Fatalf("status bar %q %q", online, waiting)
	}
	if a.state.Text != "已提交（待同步）" || !strings.Contains(filingTexts(a.slots), "待上传") {
		t.Fatalf("offline detail: %q\n%s", a.state.Text, filingTexts(a.slots))
	}
}
