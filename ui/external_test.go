package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// extWalk visits o and everything drawn inside it.
func extWalk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			extWalk(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			extWalk(c, visit)
		}
	}
}

// extDialog returns the top dialog of the window, failing when none is
// shown.
func extDialog(t *testing.T, s *Shell) fyne.CanvasObject {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is shown")
	}
	return top
}

// extTap taps the button labelled text in the top dialog.
func extTap(t *testing.T, s *Shell, text string) {
	t.Helper()
	var btn *widget.Button
	extWalk(extDialog(t, s), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			btn = b
		}
	})
	if btn == nil {
		t.Fatalf("the dialog has no button %q", text)
	}
	test.Tap(btn)
	s.Idle()
}

// extTexts returns the texts of the labels in the top dialog.
func extTexts(t *testing.T, s *Shell) string {
	t.Helper()
	var out []string
	extWalk(extDialog(t, s), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			out = append(out, l.Text)
		}
	})
	return strings.Join(out, "\n")
}

// reviewerExternalOf shows the 第三方评估 area of a reviewer.
func reviewerExternalOf(t *testing.T, s *Shell) *reviewerExternal {
	t.Helper()
	s.Show("external")
	s.Idle()
	a, ok := s.areas["external"].(*reviewerExternal)
	if !ok {
		t.Fatalf("the reviewer's external area is a %T", s.areas["external"])
	}
	return a
}

// extRowOf returns the table row of a unit.
func extRowOf(t *testing.T, a *reviewerExternal, unitID string) int {
	t.Helper()
	for i, r := range a.rows {
		if r.Unit.ID == unitID {
			return i
		}
	}
	t.Fatalf("unit %s is not in the table", unitID)
	return -1
}

// extScores returns the external scores of a store for a year by ID.
func extScores(t *testing.T, db *localdb.DB, yearID string) map[string]assess.ExternalScore {
	t.Helper()
	es, err := db.Externals(context.Background(), yearID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]assess.ExternalScore{}
	for _, e := range es {
		out[e.ID] = e
	}
	return out
}

func TestExternalEnterAndSee(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	ps, pdb := newTestShell(t, c, assess.Reporter)
	home := reporterHomeOf(t, ps)
	before := home.total.Text
	unitID := ps.user.UnitID

	rs, rdb := newTestShell(t, c, assess.Reviewer)
	a := reviewerExternalOf(t, rs)
	if len(a.all) != 12 {
		t.Fatalf("%d units in the table, want the 12 assessed ones", len(a.all))
	}
	for _, r := range a.all {
		if r.Unit.GroupID == "kaohe" {
			t.Fatalf("the assessing office %s is listed", r.Unit.Name)
		}
	}
	row := extRowOf(t, a, unitID)
	if got := a.cellText(a.rows[row], extColFirstSource+1); got != "未录入" {
		t.Fatalf("survey cell before entering: %q", got)
	}

	// Tapping the survey cell of the unit opens the form for it.
	a.table.Select(widget.TableCellID{Row: row, Col: extColFirstSource + 1})
	f := a.edit
	if f == nil {
		t.Fatal("tapping a cell opened no form")
	}
	if f.unit.Selected != ps.unitName(unitID) || f.source.Selected != "民意调查" {
		t.Fatalf("form for %q %q", f.unit.Selected, f.source.Selected)
	}

	// A score above the max is refused in the form's error line.
	test.Type(f.score, "120")
	extTap(t, rs, "保存")
	if !rs.dialogErr.Visible() || rs.dialogErr.Text != "得分应在 0 到 100 之间" {
		t.Fatalf("score above max: error line %q", rs.dialogErr.Text)
	}
	if a.edit != f {
		t.Fatal("the form closed on a validation error")
	}
	// So are an empty score and text that is not a number.
	f.score.SetText("")
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "请填写得分" {
		t.Fatalf("empty score: %q", rs.dialogErr.Text)
	}
	test.Type(f.score, "八十")
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "得分“八十”不是数字" {
		t.Fatalf("not a number: %q", rs.dialogErr.Text)
	}
	if n := len(extScores(t, rdb, rs.year.ID)); n != 0 {
		t.Fatalf("%d scores saved by refused forms", n)
	}

	// The source document, chosen as the file dialog would.
	doc := filepath.Join(t.TempDir(), "民意调查报告.pdf")
	if err := os.WriteFile(doc, homeTestPDF, 0o600); err != nil {
		t.Fatal(err)
	}
	f.addDocument(doc)
	rs.Idle()
	if f.doc == "" || !strings.HasPrefix(f.docName.Text, "民意调查报告.pdf") {
		t.Fatalf("document %q %q", f.doc, f.docName.Text)
	}

	f.score.SetText("")
	test.Type(f.score, "86.5")
	test.Type(f.note, "样本量 1200 户")
	extTap(t, rs, "保存")
	if a.edit != nil {
		t.Fatalf("the form stayed open: %q", rs.dialogErr.Text)
	}
	id := rs.year.ID + "/" + unitID + "/survey"
	got, ok := extScores(t, rdb, rs.year.ID)[id]
	if !ok || got.Score != 86.5 || got.Max != 100 || got.Note != "样本量 1200 户" || got.Document != f.doc {
		t.Fatalf("queued score %+v", got)
	}
	if p, _, _ := rdb.PendingCount(ctx); p == 0 {
		t.Fatal("the score is not waiting to be sent")
	}
	if got := a.cellText(a.rows[extRowOf(t, a, unitID)], extColFirstSource+1); got != "86.5 / 100" {
		t.Fatalf("survey cell after saving: %q", got)
	}
	rs.SyncNow()
	rs.Idle()
	if p, r, _ := rdb.PendingCount(ctx); p != 0 || r != 0 {
		t.Fatalf("after the sync %d waiting, %d refused", p, r)
	}

	// The reporting unit sees it after its sync, and its total moves as
	// assess.Rank computes it.
	ps.SyncNow()
	ps.Idle()
	ps.Show("external")
	ps.Idle()
	pa, ok := ps.areas["external"].(*reporterExternal)
	if !ok {
		t.Fatalf("the reporter's external area is a %T", ps.areas["external"])
	}
	card := pa.cards[assess.Survey]
	if card.score.Text != "86.5 / 100" || card.note.Text != "样本量 1200 户" || card.open.Disabled() {
		t.Fatalf("survey card %q %q open disabled %v", card.score.Text, card.note.Text, card.open.Disabled())
	}
	if pa.cards[assess.Onsite].rate.Text != "尚未录入" {
		t.Fatalf("on-site card %q", pa.cards[assess.Onsite].rate.Text)
	}
	if !strings.Contains(pa.formula.Text, "民意调查 30 × 得分率 86.5%") || !strings.Contains(pa.formula.Text, "系统评价 50 × 得分率 0.0%") {
		t.Fatalf("formula %q", pa.formula.Text)
	}
	tasks, err := pdb.Tasks(ctx, localdb.TaskFilter{YearID: ps.year.ID, UnitID: unitID})
	if err != nil {
		t.Fatal(err)
	}
	us := assess.UnitScores{UnitID: unitID, External: map[assess.Source]assess.ExternalScore{assess.Survey: got}}
	for _, v := range tasks {
		us.SystemMax += v.Indicator.MaxScore
	}
	want := assess.Rank(ps.year.ID, ps.year.Weights, []assess.UnitScores{us})[0]
	if !strings.Contains(pa.points.Text, "= "+assess.FormatScore(want.Total)+" 分") {
		t.Fatalf("points %q, want a total of %s", pa.points.Text, assess.FormatScore(want.Total))
	}
	ps.Show("home")
	ps.Idle()
	if home.total.Text != assess.FormatScore(want.Total) || home.total.Text == before {
		t.Fatalf("home total %q (before %q), want %s", home.total.Text, before, assess.FormatScore(want.Total))
	}

	// The source document opens on the reporter's PC: downloaded,
	// verified and copied out under a name with its type.
	test.Tap(card.open)
	ps.Idle()
	opened, _ := filepath.Glob(filepath.Join(ps.openDir(), "*评估依据文件-*.pdf"))
	if len(opened) != 1 {
		t.Fatalf("opened files %v", opened)
	}
	if b, err := os.ReadFile(opened[0]); err != nil || string(b) != string(homeTestPDF) {
		t.Fatalf("opened document differs: %v", err)
	}
}

func TestExternalImport(t *testing.T) {
	c := newCity(t)
	rs, rdb := newTestShell(t, c, assess.Reviewer)
	a := reviewerExternalOf(t, rs)
	dir := t.TempDir()

	// 录入/修改 with no row tapped opens an empty form; 从 Excel 导入 and
	// 下载导入模板 open file dialogs.
	test.Tap(a.enterBtn)
	if a.edit == nil || a.edit.unit.Selected != "" || a.edit.source.Selected != "" || a.edit.max.Text != "100" {
		t.Fatal("录入/修改 did not open an empty form")
	}
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "请选择单位" {
		t.Fatalf("form without a unit: %q", rs.dialogErr.Text)
	}
	extTap(t, rs, "取消")
	if a.edit != nil {
		t.Fatal("取消 left the form open")
	}
	for _, b := range []*widget.Button{a.importBtn, a.templateBtn} {
		test.Tap(b)
		top := rs.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatalf("%s opened no file dialog", b.Text)
		}
		top.Hide()
	}

	// The template, written as 下载导入模板 does.
	tmpl := filepath.Join(dir, "外部评估导入模板.xlsx")
	a.writeTemplate(tmpl)
	rs.Idle()
	if !strings.Contains(extTexts(t, rs), "已生成导入模板") {
		t.Fatalf("template dialog %q", extTexts(t, rs))
	}
	extTap(t, rs, "确定")

	// Filled in with excelize: rows 3–5, the third with a bad score.
	fill := func(path, badScore string) {
		t.Helper()
		x, err := excelize.OpenFile(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows := [][]any{
			{"东城区", "民意调查", 88, 100, "入户调查 1000 户"},
			{"西城区", "现场督察", 18.5, 20, ""},
			{"市公安局", "第三方评估", badScore, 100, "第三方机构"},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+3)
			if err := x.SetSheetRow("外部评估", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(dir, "有错误.xlsx")
	fill(bad, "九十")
	a.importFile(bad)
	rs.Idle()
	if len(a.problems) != 1 || a.problems[0].Row != 5 || a.problems[0].Column != "C" {
		t.Fatalf("problems %+v, want row 5 column C", a.problems)
	}
	text := extTexts(t, rs)
	if !strings.Contains(text, "有 1 处问题，什么也没有导入") || !strings.Contains(text, "第 5 行 C 列（得分）") {
		t.Fatalf("problem dialog %q", text)
	}
	extTap(t, rs, "关闭")
	if n := len(extScores(t, rdb, rs.year.ID)); n != 0 {
		t.Fatalf("a refused workbook queued %d scores", n)
	}

	good := filepath.Join(dir, "正确.xlsx")
	fill(good, "91")
	a.importFile(good)
	rs.Idle()
	if text := extTexts(t, rs); !strings.Contains(text, "新增 3 项、修改 0 项外部评估分数，0 项未变化已跳过") {
		t.Fatalf("import dialog %q", text)
	}
	extTap(t, rs, "确定")
	got := extScores(t, rdb, rs.year.ID)
	y := rs.year.ID
	if e := got[y+"/dongcheng/survey"]; e.Score != 88 || e.Max != 100 || e.Note != "入户调查 1000 户" {
		t.Fatalf("东城区 survey %+v", e)
	}
	if e := got[y+"/xicheng/onsite"]; e.Score != 18.5 || e.Max != 20 {
		t.Fatalf("西城区 on-site %+v", e)
	}
	if e := got[y+"/gongan/third_party"]; e.Score != 91 {
		t.Fatalf("市公安局 third-party %+v", e)
	}
	if p, _, _ := rdb.PendingCount(context.Background()); p != 3 {
		t.Fatalf("%d changes waiting, want 3", p)
	}
	if got := a.cellText(a.rows[extRowOf(t, a, "xicheng")], extColFirstSource+2); got != "18.5 / 20" {
		t.Fatalf("西城区 on-site cell %q", got)
	}

	// The same workbook again changes nothing.
	a.importFile(good)
	rs.Idle()
	if text := extTexts(t, rs); !strings.Contains(text, "新增 0 项、修改 0 项外部评估分数，3 项未变化已跳过") {
		t.Fatalf("second import dialog %q", text)
	}
	extTap(t, rs, "确定")
}

func TestExternalParse(t *testing.T) {
	for _, tc := range []struct {
		unit       string
		src        assess.Source
		score, max string
		want       string
	}{
		{"", assess.Survey, "1", "100", "请选择单位"},
		{"dongcheng", "", "1", "100", "请选择评估来源"},
		{"dongcheng", assess.Survey, "", "100", "请填写得分"},
		{"dongcheng", assess.Survey, "1", "", "请填写满分"},
		{"dongcheng", assess.Survey, "1.234", "100", "得分最多保留两位小数"},
		{"dongcheng", assess.Survey, "1", "0", "满分必须大于 0"},
		{"dongcheng", assess.Survey, "-1", "100", "得分应在 0 到 100 之间"},
		{"dongcheng", assess.Onsite, "20.5", "20", "得分应在 0 到 20 之间"},
		{"dongcheng", assess.Onsite, "19.75", "20", ""},
	} {
		_, err := extParse(tc.unit, tc.src, tc.score, tc.max)
		if got := assess.ErrorMessage(err); got != tc.want {
			t.Errorf("extParse(%q, %q, %q, %q) = %q, want %q", tc.unit, tc.src, tc.score, tc.max, got, tc.want)
		}
	}
}
