package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// extWrite writes a file of content into dir and returns its path.
func extWrite(t *testing.T, dir, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// extHash is the SHA-256 of a file as the evidence store names it.
func extHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// extRunImport fills the import form as a reviewer does — the source
// picked, the data file and source document chosen as the file dialogs
// would — and taps 预览.
func extRunImport(t *testing.T, s *Shell, a *reviewerExternal, src assess.Source, data, doc string) {
	t.Helper()
	test.Tap(a.importBtn)
	f := a.imp
	if f == nil {
		t.Fatal("导入调查/评估结果 opened no form")
	}
	f.source.SetSelected(extSourceLabel(src))
	if data != "" {
		f.setFile(data)
	}
	if doc != "" {
		f.addDocument(doc)
		s.Idle()
	}
	extTap(t, s, "预览")
}

// extStandings returns the server's standings of a year, as synced, by
// unit.
func extStandings(t *testing.T, db *localdb.DB, yearID string) map[string]assess.Standing {
	t.Helper()
	ss, err := db.Standings(context.Background(), yearID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]assess.Standing{}
	for _, st := range ss {
		out[st.UnitID] = st
	}
	return out
}

// extWantStanding checks a unit's survey points, total and rank.
func extWantStanding(t *testing.T, got map[string]assess.Standing, unitID string, survey, total float64, rank int) {
	t.Helper()
	st := got[unitID]
	if st.Survey != survey || st.Total != total || st.Rank != rank {
		t.Errorf("standing of %s: survey %v total %v rank %d, want %v %v %d", unitID, st.Survey, st.Total, st.Rank, survey, total, rank)
	}
}

// extSync syncs a window and checks that nothing waits or was refused.
func extSync(t *testing.T, s *Shell, db *localdb.DB) {
	t.Helper()
	s.SyncNow()
	s.Idle()
	if p, r, err := db.PendingCount(context.Background()); p != 0 || r != 0 || err != nil {
		rej, _ := db.Rejected(context.Background())
		t.Fatalf("after the sync %d waiting, %d refused (%+v), %v", p, r, rej, err)
	}
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
	surveyCol := extColFirstSource // 民意调查 is the first source column
	if got, _ := a.cellText(a.rows[row], surveyCol); got != "未录入" {
		t.Fatalf("survey cell before entering: %q", got)
	}

	// Tapping the survey cell of the unit opens the form for it.
	a.table.Select(widget.TableCellID{Row: row, Col: surveyCol})
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
	// So are an empty score, text that is not a number and a bad sample
	// size.
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
	f.score.SetText("86.5")
	test.Type(f.sample, "-3")
	extTap(t, rs, "保存")
	if rs.dialogErr.Text != "样本量“-3”应为不小于 0 的整数" {
		t.Fatalf("bad sample size: %q", rs.dialogErr.Text)
	}
	if n := len(extScores(t, rdb, rs.year.ID)); n != 0 {
		t.Fatalf("%d scores saved by refused forms", n)
	}

	// The source document, chosen as the file dialog would.
	doc := extWrite(t, t.TempDir(), "民意调查报告.pdf", homeTestPDF)
	f.addDocument(doc)
	rs.Idle()
	if f.doc.Document != extHash(t, doc) || f.doc.DocumentName != "民意调查报告.pdf" || !strings.HasPrefix(f.docName.Text, "民意调查报告.pdf") {
		t.Fatalf("document %+v %q", f.doc, f.docName.Text)
	}

	f.sample.SetText("1200")
	test.Type(f.note, "入户调查")
	extTap(t, rs, "保存")
	if a.edit != nil {
		t.Fatalf("the form stayed open: %q", rs.dialogErr.Text)
	}
	id := assess.ExternalID(rs.year.ID, unitID, assess.Survey)
	got, ok := extScores(t, rdb, rs.year.ID)[id]
	if !ok || got.Score != 86.5 || got.Max != 100 || got.SampleSize != 1200 || got.Note != "入户调查" ||
		got.Document != extHash(t, doc) || got.DocumentName != "民意调查报告.pdf" {
		t.Fatalf("queued score %+v", got)
	}
	if p, _, _ := rdb.PendingCount(ctx); p == 0 {
		t.Fatal("the score is not waiting to be sent")
	}
	if got, _ := a.cellText(a.rows[extRowOf(t, a, unitID)], surveyCol); got != "86.5 / 100" {
		t.Fatalf("survey cell after saving: %q", got)
	}
	extSync(t, rs, rdb)
	if _, sub := a.cellText(a.rows[extRowOf(t, a, unitID)], surveyCol); !strings.HasPrefix(sub, "第 1 版 · ") {
		t.Fatalf("survey cell's version line %q", sub)
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
	if card.score.Text != "86.5 / 100" || card.note.Text != "入户调查" || card.sample.Text != "样本量 1200" ||
		card.docName.Text != "评估依据：民意调查报告.pdf" || card.open.Disabled() || !strings.HasPrefix(card.version.Text, "第 1 版 · ") {
		t.Fatalf("survey card %q %q %q %q %q open disabled %v", card.score.Text, card.note.Text, card.sample.Text,
			card.docName.Text, card.version.Text, card.open.Disabled())
	}
	if card.weight.Text != "满分 100 · 权重 30 · 计 25.95 分（得分率 86.5%）" {
		t.Fatalf("survey card weight line %q", card.weight.Text)
	}
	if pa.cards[assess.Onsite].weight.Text != "尚未录入" || !pa.cards[assess.Onsite].open.Disabled() {
		t.Fatalf("on-site card %q", pa.cards[assess.Onsite].weight.Text)
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
	if sys := pa.system; sys.weight.Text != "权重 50 · 计 0 分" || sys.note.Text != fmt.Sprintf("已赋分 0 项，共 %d 项指标", len(tasks)) {
		t.Fatalf("system card %q %q", sys.weight.Text, sys.note.Text)
	}
	ps.Show("home")
	ps.Idle()
	if home.total.Text != assess.FormatScore(want.Total) || home.total.Text == before {
		t.Fatalf("home total %q (before %q), want %s", home.total.Text, before, assess.FormatScore(want.Total))
	}

	// The source document opens on the reporter's PC under its own name:
	// downloaded, verified and copied out.
	test.Tap(card.open)
	ps.Idle()
	opened, _ := filepath.Glob(filepath.Join(ps.openDir(), "*-民意调查报告.pdf"))
	if len(opened) != 1 {
		t.Fatalf("opened files %v", opened)
	}
	if b, err := os.ReadFile(opened[0]); err != nil || string(b) != string(homeTestPDF) {
		t.Fatalf("opened document differs: %v", err)
	}
}

// TestExternalImportSurvey imports a contractor's survey results from CSV
// with their report, then a second delivery that replaces some of them:
// the previews word what changes, the server's standings move as computed
// by hand here, versions count and the audit log keeps both versions.
func TestExternalImportSurvey(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	rs, rdb := newTestShell(t, c, assess.Reviewer)
	a := reviewerExternalOf(t, rs)
	dir := t.TempDir()
	y := rs.year.ID

	data1 := extWrite(t, dir, "survey1.csv", []byte("单位,样本量,满意度得分,备注\n"+
		"东城区,1200,86.5,入户调查\n西城区,800,90,\n南湖区,600,80,\n市公安局,500,75.5,\n"))
	doc1 := extWrite(t, dir, "2026年民意调查报告.pdf", homeTestPDF)

	// Without a document the form refuses.
	extRunImport(t, rs, a, assess.Survey, data1, "")
	if a.imp == nil || rs.dialogErr.Text != "请选择评估依据文件（调查机构或评估机构的报告）" {
		t.Fatalf("import without a document: %q", rs.dialogErr.Text)
	}
	extTap(t, rs, "取消")

	extRunImport(t, rs, a, assess.Survey, data1, doc1)
	pv := a.preview
	if pv == nil {
		t.Fatalf("no preview; problems %v", a.problems)
	}
	want := "民意调查：文件“survey1.csv”中有 4 个单位的结果，评估依据文件“2026年民意调查报告.pdf”。\n" +
		"将导入 4 个单位的结果：新增 4 个，替换 0 个；0 个单位的结果与现有结果相同，不再导入。"
	if pv.text != want {
		t.Fatalf("preview\n%s\nwant\n%s", pv.text, want)
	}
	if len(pv.lines) != 4 || pv.lines[0] != "东城区：新增 86.5 / 100，样本量 1200" {
		t.Fatalf("preview lines %q", pv.lines)
	}
	if !strings.Contains(extTexts(t, rs), "新增 4 个，替换 0 个") {
		t.Fatalf("preview dialog %q", extTexts(t, rs))
	}
	extTap(t, rs, "确认导入")
	if text := extTexts(t, rs); !strings.Contains(text, "已导入 4 个单位的民意调查结果（新增 4 个，替换 0 个）") {
		t.Fatalf("after the import %q", text)
	}
	extTap(t, rs, "确定")
	got := extScores(t, rdb, y)
	e := got[assess.ExternalID(y, "dongcheng", assess.Survey)]
	if e.Score != 86.5 || e.Max != 100 || e.SampleSize != 1200 || e.Note != "入户调查" ||
		e.Document != extHash(t, doc1) || e.DocumentName != "2026年民意调查报告.pdf" {
		t.Fatalf("东城区 survey %+v", e)
	}
	if p, _, _ := rdb.PendingCount(ctx); p != 4 {
		t.Fatalf("%d changes waiting, want 4", p)
	}

	// On the server: survey points = 30 × score ÷ 100, nothing else scored
	// yet. 区县: 西城区 27, 东城区 25.95, 南湖区 24, the other three 0;
	// 市直部门: 市公安局 22.65 first.
	extSync(t, rs, rdb)
	st := extStandings(t, rdb, y)
	extWantStanding(t, st, "xicheng", 27, 27, 1)
	extWantStanding(t, st, "dongcheng", 25.95, 25.95, 2)
	extWantStanding(t, st, "nanhu", 24, 24, 3)
	extWantStanding(t, st, "linchuan", 0, 0, 4)
	extWantStanding(t, st, "gongan", 22.65, 22.65, 1)
	for id, e := range extScores(t, rdb, y) {
		if e.Version != 1 || e.UpdatedBy != rs.user.ID {
			t.Errorf("%s after the first import: version %d by %q", id, e.Version, e.UpdatedBy)
		}
	}

	// The second delivery: item scores only (the score is their mean), a
	// BOM, a 序号 column; 东城区, 南湖区 and 市公安局 change, 临川县 is new,
	// 西城区 is not in it.
	data2 := extWrite(t, dir, "survey2.csv", []byte("\uFEFF序号,单位,有效样本量,政务公开满意度,行政执法满意度\n"+
		"1,东城区,1300,92,88\n2,南湖区,700,70,70\n3,市公安局,500,75.5,75.5\n4,临川县,300,60,60\n"))
	doc2 := extWrite(t, dir, "2026年民意调查报告（修订）.pdf", append(append([]byte{}, homeTestPDF...), "\n% revised\n"...))
	extRunImport(t, rs, a, assess.Survey, data2, doc2)
	pv = a.preview
	if pv == nil {
		t.Fatalf("no preview of the second import; problems %v", a.problems)
	}
	want = "民意调查：文件“survey2.csv”中有 4 个单位的结果，评估依据文件“2026年民意调查报告（修订）.pdf”。\n" +
		"将导入 4 个单位的结果：新增 1 个，替换 3 个；0 个单位的结果与现有结果相同，不再导入。\n" +
		"将替换 3 个单位的现有结果（第 1 版），原结果保留在审计日志中"
	if pv.text != want {
		t.Fatalf("second preview\n%s\nwant\n%s", pv.text, want)
	}
	wantLines := []string{
		"东城区：86.5 / 100 → 90 / 100，样本量 1300（第 1 版 → 第 2 版）",
		"南湖区：80 / 100 → 70 / 100，样本量 700（第 1 版 → 第 2 版）",
		"市公安局：75.5 / 100 → 75.5 / 100，样本量 500（第 1 版 → 第 2 版）",
		"临川县：新增 60 / 100，样本量 300",
	}
	if strings.Join(pv.lines, "\n") != strings.Join(wantLines, "\n") {
		t.Fatalf("second preview lines\n%s", strings.Join(pv.lines, "\n"))
	}
	// 取消 saves nothing; the same file again does.
	extTap(t, rs, "取消")
	if p, _, _ := rdb.PendingCount(ctx); p != 0 {
		t.Fatalf("a cancelled import queued %d changes", p)
	}
	extRunImport(t, rs, a, assess.Survey, data2, doc2)
	extTap(t, rs, "确认导入")
	extTap(t, rs, "确定")
	extSync(t, rs, rdb)

	got = extScores(t, rdb, y)
	versions := map[string]int{"dongcheng": 2, "nanhu": 2, "gongan": 2, "xicheng": 1, "linchuan": 1}
	for unit, v := range versions {
		if e := got[assess.ExternalID(y, unit, assess.Survey)]; e.Version != v {
			t.Errorf("%s survey version %d, want %d", unit, e.Version, v)
		}
	}
	e = got[assess.ExternalID(y, "dongcheng", assess.Survey)]
	wantItems := []assess.ItemScore{{Name: "政务公开满意度", Score: 92}, {Name: "行政执法满意度", Score: 88}}
	if e.Score != 90 || e.SampleSize != 1300 || !slices.Equal(e.Items, wantItems) || e.Document != extHash(t, doc2) {
		t.Fatalf("东城区 survey after the second import %+v", e)
	}
	// 区县: 东城区 and 西城区 27 each share the first place, 南湖区 21,
	// 临川县 18; 市公安局 keeps 22.65.
	st = extStandings(t, rdb, y)
	extWantStanding(t, st, "dongcheng", 27, 27, 1)
	extWantStanding(t, st, "xicheng", 27, 27, 1)
	extWantStanding(t, st, "nanhu", 21, 21, 3)
	extWantStanding(t, st, "linchuan", 18, 18, 4)
	extWantStanding(t, st, "gaoxin", 0, 0, 5)
	extWantStanding(t, st, "gongan", 22.65, 22.65, 1)

	// The reviewer sees each unit's version.
	if main, sub := a.cellText(a.rows[extRowOf(t, a, "dongcheng")], extColFirstSource); main != "90 / 100" || !strings.HasPrefix(sub, "第 2 版 · ") {
		t.Fatalf("东城区 survey cell %q %q", main, sub)
	}
	if _, sub := a.cellText(a.rows[extRowOf(t, a, "xicheng")], extColFirstSource); !strings.HasPrefix(sub, "第 1 版 · ") {
		t.Fatalf("西城区 survey cell version %q", sub)
	}

	// The reporting unit (东城区) sees the second version with its items,
	// sample size and report, and the points it makes.
	ps, _ := newTestShell(t, c, assess.Reporter)
	ps.Show("external")
	ps.Idle()
	card := ps.areas["external"].(*reporterExternal).cards[assess.Survey]
	if card.score.Text != "90 / 100" || card.sample.Text != "样本量 1300" ||
		card.items.Text != "分项得分：政务公开满意度 92；行政执法满意度 88" ||
		card.docName.Text != "评估依据：2026年民意调查报告（修订）.pdf" || !strings.HasPrefix(card.version.Text, "第 2 版 · ") ||
		card.weight.Text != "满分 100 · 权重 30 · 计 27 分（得分率 90.0%）" {
		t.Fatalf("the reporter's survey card %q %q %q %q %q %q", card.score.Text, card.sample.Text, card.items.Text,
			card.docName.Text, card.version.Text, card.weight.Text)
	}

	// The audit log holds both versions of 东城区's result.
	events, err := rs.api.AuditLog(ctx, time.Time{}, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var saves []string
	for _, ev := range events {
		if ev.Action == "external.save" && ev.Subject == assess.ExternalID(y, "dongcheng", assess.Survey) {
			saves = append(saves, string(ev.Data))
		}
	}
	if len(saves) != 2 || !strings.Contains(saves[1], `"replaces"`) || !strings.Contains(saves[1], "86.5") {
		t.Fatalf("audit events of 东城区's survey: %q", saves)
	}
}

// TestExternalImportRefused: a file with bad rows lists every problem in
// the dialog and saves nothing; the template is written and, filled in,
// imported.
func TestExternalImportRefused(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	rs, rdb := newTestShell(t, c, assess.Reviewer)
	a := reviewerExternalOf(t, rs)
	dir := t.TempDir()
	doc := extWrite(t, dir, "第三方评估报告.pdf", homeTestPDF)

	bad := extWrite(t, dir, "有错误.csv", []byte("单位,样本量,得分\n东城区,1200,88\n西城区,很多,90\n不存在区,10,50\n"))
	extRunImport(t, rs, a, assess.ThirdParty, bad, doc)
	if a.preview != nil {
		t.Fatal("a file with bad rows was previewed")
	}
	if len(a.problems) != 2 || a.problems[0].Row != 3 || a.problems[0].Column != "B" || a.problems[1].Row != 4 || a.problems[1].Column != "A" {
		t.Fatalf("problems %+v, want row 3 column B and row 4 column A", a.problems)
	}
	text := extTexts(t, rs)
	if !strings.Contains(text, "“有错误.csv”有 2 处问题，什么也没有导入") || !strings.Contains(text, "样本量“很多”不是数字") ||
		!strings.Contains(text, "单位“不存在区”不存在") {
		t.Fatalf("problem dialog %q", text)
	}
	extTap(t, rs, "关闭")
	if n := len(extScores(t, rdb, rs.year.ID)); n != 0 {
		t.Fatalf("a refused file saved %d scores", n)
	}
	if p, _, _ := rdb.PendingCount(ctx); p != 0 {
		t.Fatalf("a refused file queued %d changes", p)
	}

	// 下载导入模板 offers the template of each source.
	test.Tap(a.templateBtn)
	var menu *widget.PopUpMenu
	extWalk(extDialog(t, rs), func(o fyne.CanvasObject) {
		if m, ok := o.(*widget.PopUpMenu); ok {
			menu = m
		}
	})
	if menu == nil || len(menu.Items) != 2 {
		t.Fatalf("下载导入模板 shows %v", menu)
	}
	menu.Hide()

	// The template of third-party results, written as 下载导入模板 does,
	// filled in with excelize and imported as a workbook.
	tmpl := filepath.Join(dir, "第三方评估结果导入模板.xlsx")
	a.writeTemplate(assess.ThirdParty, tmpl)
	rs.Idle()
	if !strings.Contains(extTexts(t, rs), "已生成导入模板") {
		t.Fatalf("template dialog %q", extTexts(t, rs))
	}
	extTap(t, rs, "确定")
	x, err := excelize.OpenFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	head, err := x.GetRows("第三方评估")
	if err != nil || len(head) < 1 || head[0][0] != "*单位" || head[0][1] != "样本量" || head[0][2] != "得分" {
		t.Fatalf("template header %v, %v", head, err)
	}
	for i, r := range [][]any{{"东城区", 0, 91.5, 100}, {"市公安局", 0, 84, 100}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := x.SetSheetRow("第三方评估", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	filled := filepath.Join(dir, "第三方评估结果.xlsx")
	if err := x.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	x.Close()
	extRunImport(t, rs, a, assess.ThirdParty, filled, doc)
	if a.preview == nil || !strings.Contains(a.preview.text, "第三方评估：文件“第三方评估结果.xlsx”中有 2 个单位的结果") {
		t.Fatalf("template import: preview %v, problems %v", a.preview, a.problems)
	}
	extTap(t, rs, "确认导入")
	extTap(t, rs, "确定")
	if e := extScores(t, rdb, rs.year.ID)[assess.ExternalID(rs.year.ID, "dongcheng", assess.ThirdParty)]; e.Score != 91.5 {
		t.Fatalf("东城区 third-party %+v", e)
	}
	// The template's items come as empty columns: no item scores.
	if e := extScores(t, rdb, rs.year.ID)[assess.ExternalID(rs.year.ID, "gongan", assess.ThirdParty)]; e.Score != 84 || len(e.Items) != 0 {
		t.Fatalf("市公安局 third-party %+v", e)
	}
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
