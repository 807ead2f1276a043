package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// indArea shows 指标管理 in s and returns it once loaded.
func indArea(t *testing.T, s *Shell) *indicators {
	t.Helper()
	s.Show("indicators")
	s.Idle()
	a, ok := s.areas["indicators"].(*indicators)
	if !ok || s.Current() != "indicators" {
		t.Fatalf("指标管理 not shown (current %q)", s.Current())
	}
	return a
}

// indTopDialog returns the dialog shown on top of the window, failing when
// there is none.
func indTopDialog(t *testing.T, s *Shell) fyne.CanvasObject {
	t.Helper()
	o := s.win.Canvas().Overlays().Top()
	if o == nil {
		t.Fatal("no dialog is shown")
	}
	return o
}

// indDialogText returns every text shown in o, joined by newlines.
func indDialogText(o fyne.CanvasObject) string {
	var texts []string
	for _, c := range test.LaidOutObjects(o) {
		switch w := c.(type) {
		case *widget.Label:
			texts = append(texts, w.Text)
		case *widget.Button:
			texts = append(texts, w.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// indTapButton taps the button labelled text inside o.
func indTapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q in:\n%s", text, indDialogText(o))
}

// indCloseDialogs hides every dialog shown.
func indCloseDialogs(s *Shell) {
	for s.win.Canvas().Overlays().Top() != nil {
		s.win.Canvas().Overlays().Top().Hide()
		s.win.Canvas().Overlays().Remove(s.win.Canvas().Overlays().Top())
	}
}

// indRetype replaces an entry's text the way a user does: clear, then type.
func indRetype(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

func indStored(t *testing.T, db *localdb.DB, yearID, id string) assess.Indicator {
	t.Helper()
	ins, err := db.Indicators(context.Background(), yearID)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("indicator %s not in the local store", id)
	return assess.Indicator{}
}

func indPending(t *testing.T, db *localdb.DB) (int, int) {
	t.Helper()
	p, r, err := db.PendingCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

func TestIndicatorEditValidation(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := indArea(t, s)
	if n := len(a.childIDs("")); n != 8 {
		t.Fatalf("%d categories at the root of the tree, want 8", n)
	}
	if a.notice.Visible() || !a.saveBtn.Disabled() || a.addRootBtn.Disabled() {
		t.Fatalf("before selecting: notice %q, save enabled %v, add disabled %v", a.notice.Text, !a.saveBtn.Disabled(), a.addRootBtn.Disabled())
	}
	const id = "2026-1.1"
	before := indStored(t, db, "2026", id)
	a.tree.Select(id)
	if a.code.Text != before.Code || a.title.Text != before.Title || a.maxScore.Text != assess.FormatScore(before.MaxScore) {
		t.Fatalf("form shows %q %q %q, want the stored %s", a.code.Text, a.title.Text, a.maxScore.Text, before.Code)
	}
	if a.evidence.Text != strings.Join(before.Evidence, "\n") {
		t.Fatalf("evidence checklist %q", a.evidence.Text)
	}

	indRetype(a.title, "权责清单动态管理（修订）")
	if !strings.Contains(a.state.Text, "未保存") {
		t.Fatalf("typing did not mark the form changed: %q", a.state.Text)
	}
	for _, tc := range []struct {
		field      *widget.Entry
		text, want string
	}{
		{a.maxScore, "abc", "分值“abc”不是数字"},
		{a.maxScore, "-1", "分值应在 0 到 1000 之间"},
		{a.maxScore, "1.234", "分值最多保留两位小数"},
		{a.maxScore, "", "请填写分值"},
		{a.maxScore, "100", "下级指标分值合计"},
	} {
		indRetype(tc.field, tc.text)
		test.Tap(a.saveBtn)
		s.Idle()
		if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, tc.want) {
			t.Fatalf("max score %q: error %q (shown %v), want %q", tc.text, a.errLabel.Text, a.errLabel.Visible(), tc.want)
		}
	}
	indRetype(a.maxScore, "1.5")
	indRetype(a.deadline, "2026-13-01")
	s.saveCurrent() // Ctrl+S
	if !strings.Contains(a.errLabel.Text, "截止日期“2026-13-01”格式不对") {
		t.Fatalf("bad deadline: %q", a.errLabel.Text)
	}
	if p, _ := indPending(t, db); p != 0 {
		t.Fatalf("%d changes queued by invalid saves", p)
	}

	indRetype(a.deadline, "2026-09-30")
	indRetype(a.evidence, "权责清单调整文件\n\n  门户网站截图  ")
	test.Tap(a.keyTask)
	test.Tap(a.saveBtn)
	s.Idle()
	if a.errLabel.Visible() {
		t.Fatalf("valid save refused: %s", a.errLabel.Text)
	}
	got := indStored(t, db, "2026", id)
	if got.Title != "权责清单动态管理（修订）" || got.MaxScore != 1.5 || !got.KeyTask ||
		!got.Deadline.Equal(assess.Date(2026, 9, 30)) || !slices.Equal(got.Evidence, []string{"权责清单调整文件", "门户网站截图"}) {
		t.Fatalf("stored %+v", got)
	}
	if p, _ := indPending(t, db); p != 1 {
		t.Fatalf("%d changes waiting after one save, want 1", p)
	}
	if !strings.Contains(a.state.Text, "等待同步") || a.code.Text != "1.1" || a.title.Text != got.Title {
		t.Fatalf("after saving the form shows %q / %q / %q", a.state.Text, a.code.Text, a.title.Text)
	}
	if !slices.ContainsFunc(a.keyTasks, func(in assess.Indicator) bool { return in.ID == id }) {
		t.Fatal("the key-task view does not list the indicator just marked")
	}

	// The server takes the change.
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
}

func TestIndicatorKeyTasksAndNavigation(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := indArea(t, s)
	ins, err := db.Indicators(context.Background(), "2026")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, in := range assess.Leaves(ins) {
		if in.KeyTask {
			keys = append(keys, in.ID)
		}
	}
	if len(keys) == 0 || len(a.keyTasks) != len(keys) {
		t.Fatalf("key-task view lists %d, the year has %d", len(a.keyTasks), len(keys))
	}
	if !strings.Contains(a.keyCount.Text, "项重点任务") {
		t.Fatalf("key-task count %q", a.keyCount.Text)
	}
	// Tapping a key task opens it in the tree.
	a.keyList.Select(0)
	if a.edit.ID != a.keyTasks[0].ID || !a.keyTask.Checked || a.tabs.SelectedIndex() != 0 {
		t.Fatalf("key task opened %q (checked %v)", a.edit.ID, a.keyTask.Checked)
	}

	// Leaving unsaved edits asks first; cancelling keeps them.
	indRetype(a.title, "改过的名称")
	a.tree.Select("2026-2.1")
	d := indTopDialog(t, s)
	if !strings.Contains(indDialogText(d), "未保存的修改") {
		t.Fatalf("no discard question: %s", indDialogText(d))
	}
	indTapButton(t, d, "取消")
	if a.title.Text != "改过的名称" || a.edit.ID != a.keyTasks[0].ID {
		t.Fatalf("cancel lost the edit: %q %s", a.title.Text, a.edit.ID)
	}
	a.tree.Select("2026-2.1")
	indTapButton(t, indTopDialog(t, s), "放弃修改")
	if a.edit.ID != "2026-2.1" || a.dirty {
		t.Fatalf("after discarding the form shows %s (dirty %v)", a.edit.ID, a.dirty)
	}
	test.Tap(a.resetBtn)
	if p, _ := indPending(t, db); p != 0 {
		t.Fatalf("%d changes queued without saving", p)
	}
}

func TestIndicatorAssignByGroup(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := indArea(t, s)
	const id = "2026-1.1"
	a.tree.Select(id)
	a.formTabs.SelectIndex(1)
	var shizhi, quxian []string
	for _, u := range a.units {
		switch u.GroupID {
		case "shizhi":
			shizhi = append(shizhi, u.ID)
		case "quxian":
			quxian = append(quxian, u.ID)
		}
	}
	if len(shizhi) != 6 || len(quxian) != 6 {
		t.Fatalf("units by group: %v %v", shizhi, quxian)
	}
	indTapButton(t, a.groupBtns, "全部清除")
	if len(a.assigned) != 0 || a.assignCount.Text != "已分配 0 个单位" {
		t.Fatalf("after clearing: %v %q", a.assigned, a.assignCount.Text)
	}
	indTapButton(t, a.groupBtns, "全选市直部门")
	if got := a.assignedUnits(); !slices.Equal(got, shizhi) {
		t.Fatalf("assigned %v, want every 市直部门 unit %v", got, shizhi)
	}
	// The list's checks show it.
	checked := 0
	for _, o := range test.LaidOutObjects(a.unitList) {
		if ch, ok := o.(*widget.Check); ok && ch.Checked {
			checked++
			if !strings.Contains(ch.Text, "市直部门") {
				t.Fatalf("checked unit %q is not a 市直部门 unit", ch.Text)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no unit is shown checked")
	}
	test.Tap(a.saveBtn)
	s.Idle()
	if a.errLabel.Visible() {
		t.Fatalf("save refused: %s", a.errLabel.Text)
	}
	if got := indStored(t, db, "2026", id).Units; !slices.Equal(got, shizhi) {
		t.Fatalf("stored units %v, want %v", got, shizhi)
	}
	if p, _ := indPending(t, db); p != 1 {
		t.Fatalf("%d waiting, want 1", p)
	}
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
	// A category takes no units.
	a.tree.Select("2026-1")
	if a.canAssign() || !strings.Contains(a.assignNote.Text, "只有末级指标") {
		t.Fatalf("a category can be assigned: %q", a.assignNote.Text)
	}
}

func TestIndicatorAddAndPublish(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	ctx := context.Background()
	y := assess.Year{ID: "2027", Name: "2027年", State: assess.YearDraft, Weights: assess.DefaultWeights, RectifyDays: 15, WarnDays: 5}
	if err := db.SaveYear(ctx, y); err != nil {
		t.Fatal(err)
	}
	s.loadRefs()
	s.Idle()
	a := indArea(t, s)
	s.setYear("2027")
	s.Idle()
	if a.year.ID != "2027" || a.publishBtn.Disabled() || len(a.inds) != 0 {
		t.Fatalf("draft year: %s, publish disabled %v, %d indicators", a.year.ID, a.publishBtn.Disabled(), len(a.inds))
	}
	test.Tap(a.publishBtn)
	if !strings.Contains(indDialogText(indTopDialog(t, s)), "还没有任何指标") {
		t.Fatal("publishing an empty year was not refused")
	}
	indCloseDialogs(s)

	test.Tap(a.addRootBtn)
	if !a.isNew || a.code.Text != "1" || a.parent.Text != "（一级类别）" {
		t.Fatalf("new category form: %v %q %q", a.isNew, a.code.Text, a.parent.Text)
	}
	test.Tap(a.saveBtn)
	if !strings.Contains(a.errLabel.Text, "请填写名称") {
		t.Fatalf("empty title: %q", a.errLabel.Text)
	}
	test.Type(a.title, "加强党对法治政府建设的领导")
	test.Type(a.maxScore, "10")
	test.Tap(a.saveBtn)
	s.Idle()
	if a.errLabel.Visible() || a.edit.ID != "2027-1" {
		t.Fatalf("category not saved: %q %q", a.errLabel.Text, a.edit.ID)
	}
	test.Tap(a.addChildBtn)
	if a.code.Text != "1.1" || a.edit.ParentID != "2027-1" {
		t.Fatalf("new sub-indicator form: %q under %q", a.code.Text, a.edit.ParentID)
	}
	test.Type(a.title, "党政主要负责人履行推进法治建设第一责任人职责")
	test.Type(a.maxScore, "10")
	test.Tap(a.saveBtn)
	s.Idle()
	if a.errLabel.Visible() || a.edit.ID != "2027-1.1" {
		t.Fatalf("sub-indicator not saved: %q", a.errLabel.Text)
	}

	// Unassigned leaves stop publishing.
	test.Tap(a.publishBtn)
	if text := indDialogText(indTopDialog(t, s)); !strings.Contains(text, "不能发布") || !strings.Contains(text, "尚未分配给任何单位") {
		t.Fatalf("publishing with an unassigned leaf: %s", text)
	}
	indCloseDialogs(s)
	indTapButton(t, a.groupBtns, "全选区县")
	test.Tap(a.saveBtn)
	s.Idle()

	test.Tap(a.publishBtn)
	d := indTopDialog(t, s)
	text := indDialogText(d)
	if !strings.Contains(text, "发布后，2027年的 1 项末级指标将按分配下发为 6 项填报任务") || !strings.Contains(text, "发布不能撤回") {
		t.Fatalf("publish confirmation says: %s", text)
	}
	indTapButton(t, d, "发布")
	s.Idle()
	years, err := db.Years(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(years, func(y assess.Year) bool { return y.ID == "2027" })
	if i < 0 || years[i].State != assess.YearPublished {
		t.Fatalf("2027 after publishing: %+v", years)
	}
	if !a.publishBtn.Disabled() || s.year.State != assess.YearPublished {
		t.Fatalf("publish still offered (shell year %s)", s.year.State)
	}
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: "2027"})
	if err != nil || len(tasks) != 6 {
		t.Fatalf("2027 has %d tasks after publishing (%v), want 6", len(tasks), err)
	}

	// A closed year is read-only.
	if err := db.CloseYear(ctx, "2027"); err != nil {
		t.Fatal(err)
	}
	s.loadRefs()
	s.changed()
	s.Idle()
	a.tree.Select("2027-1.1")
	if !a.notice.Visible() || !strings.Contains(a.notice.Text, "2027年考核已关闭") {
		t.Fatalf("closed year notice %q", a.notice.Text)
	}
	if !a.saveBtn.Disabled() || !a.title.Disabled() || !a.addRootBtn.Disabled() || !a.importBtn.Disabled() || a.canAssign() {
		t.Fatal("a closed year can still be edited")
	}
}

func TestIndicatorImport(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := indArea(t, s)
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "指标导入模板.xlsx")
	a.writeTemplate(tmpl)
	s.Idle()
	if !strings.Contains(indDialogText(indTopDialog(t, s)), tmpl) {
		t.Fatal("the template message does not name the file")
	}
	indCloseDialogs(s)
	before, err := db.Indicators(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}

	fill := func(name string, rows [][]any) string {
		t.Helper()
		f, err := excelize.OpenFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+4)
			if err := f.SetSheetRow("指标", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, name)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := [][]any{
		{"9", "", "法治政府示范创建", "开展法治政府建设示范创建活动。", "", "", "", "", "", "", "", "", ""},
		{"9.1", "9", "示范创建申报", "按要求申报示范创建项目。", "按时提交申报材料。", "创建方案\n验收材料", 2, 1, "未申报的不得分。", "2026-10-30", "是", "区县", ""},
	}
	bad := [][]any{
		good[0], good[1],
		{"9.2", "9", "示范创建验收", "", "", "", "十", "", "", "", "", "", "不存在的单位"},
		{"9.3", "99", "未知上级", "", "", "", 1, "", "", "2026-02-30", "", "", ""},
	}

	a.importPath(fill("bad.xlsx", bad))
	s.Idle()
	text := indDialogText(indTopDialog(t, s))
	for _, want := range []string{"导入失败", "处问题，什么也没有导入", "工作表“指标”第 6 行 G 列（分值）", "不是数字", "不存在的单位", "第 7 行"} {
		if !strings.Contains(text, want) {
			t.Fatalf("problem list lacks %q:\n%s", want, text)
		}
	}
	indCloseDialogs(s)
	after, _ := db.Indicators(ctx, "2026")
	if p, _ := indPending(t, db); p != 0 || len(after) != len(before) {
		t.Fatalf("a bad workbook queued %d changes (%d → %d indicators)", p, len(before), len(after))
	}

	a.importPath(fill("good.xlsx", good))
	s.Idle()
	if text := indDialogText(indTopDialog(t, s)); !strings.Contains(text, "新增 2 项、修改 0 项指标") {
		t.Fatalf("import result: %s", text)
	}
	indCloseDialogs(s)
	in := indStored(t, db, "2026", "2026-9.1")
	var districts []string
	for _, u := range a.units {
		if u.GroupID == "quxian" {
			districts = append(districts, u.ID)
		}
	}
	if in.ParentID != "2026-9" || in.MaxScore != 2 || !in.KeyTask || !slices.Equal(in.Units, districts) || len(in.Evidence) != 2 {
		t.Fatalf("imported %+v", in)
	}
	if p, _ := indPending(t, db); p != 2 {
		t.Fatalf("%d waiting after importing 2 indicators", p)
	}
	if len(a.childIDs("")) != 9 || !slices.Contains(a.childIDs("2026-9"), "2026-9.1") {
		t.Fatalf("tree after import: %v", a.childIDs(""))
	}
	// The same workbook again changes nothing.
	a.importPath(filepath.Join(dir, "good.xlsx"))
	s.Idle()
	if text := indDialogText(indTopDialog(t, s)); !strings.Contains(text, "没有需要导入的修改") {
		t.Fatalf("second import: %s", text)
	}
	indCloseDialogs(s)
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
}

func TestIndicatorReadOnly(t *testing.T) {
	c := newCity(t)
	acc, ok := c.Credential("shenhe2")
	if !ok || acc.Role != assess.Reviewer {
		t.Fatal("the demo city has no second reviewer")
	}
	deps, db := testDeps(t)
	s := loginShell(t, c, deps, acc)
	a := indArea(t, s)
	if !a.notice.Visible() || !strings.Contains(a.notice.Text, "只读") {
		t.Fatalf("no read-only notice for a reviewer who is not an administrator: %q", a.notice.Text)
	}
	a.tree.Select("2026-1.1")
	if a.code.Text != "1.1" {
		t.Fatalf("read-only form shows %q", a.code.Text)
	}
	for name, w := range map[string]fyne.Disableable{
		"title": a.title, "max": a.maxScore, "save": a.saveBtn, "add": a.addRootBtn, "child": a.addChildBtn,
		"import": a.importBtn, "publish": a.publishBtn, "key": a.keyTask,
	} {
		if !w.Disabled() {
			t.Errorf("%s is enabled for a read-only reviewer", name)
		}
	}
	a.save()
	a.assignGroup("quxian")
	s.Idle()
	if p, _ := indPending(t, db); p != 0 {
		t.Fatalf("a read-only reviewer queued %d changes", p)
	}
}
