package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
)

// ldWriteXLSX writes a workbook of leads: sheet 督察线索, a header row and rows.
func ldWriteXLSX(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "督察线索"); err != nil {
		t.Fatal(err)
	}
	all := append([][]string{{"来源", "记录编号", "单位", "日期", "摘要", "指标编号"}}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		if err := f.SetSheetRow("督察线索", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// ldArea shows 督察线索 and returns it once loaded.
func ldArea(t *testing.T, s *Shell) *leadsArea {
	t.Helper()
	s.Show("leads")
	s.Idle()
	a, ok := s.areas["leads"].(*leadsArea)
	if !ok {
		t.Fatalf("督察线索 is not shown: %q", s.Current())
	}
	return a
}

// ldOpen selects a lead in the table as the reviewer would.
func ldOpen(t *testing.T, a *leadsArea, id string) {
	t.Helper()
	for row, i := range a.shown {
		if a.rows[i].Lead.ID == id {
			a.table.Select(widget.TableCellID{Row: row, Col: leadColSummary})
			if a.openID != id {
				t.Fatalf("selected %s, opened %s", id, a.openID)
			}
			return
		}
	}
	t.Fatalf("lead %s is not shown", id)
}

func TestLeadsImportFilterAndConsider(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	s, db := newTestShell(t, c, assess.Reviewer)
	year := s.Year()
	a := ldArea(t, s)
	// count is how many of the year's leads in the store keep says yes to.
	count := func(keep func(assess.Lead) bool) int {
		t.Helper()
		ls, err := db.Leads(ctx, localdb.LeadFilter{YearID: year.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range ls {
			if keep(l) {
				n++
			}
		}
		return n
	}
	all := func(assess.Lead) bool { return true }
	n0 := count(all) // the demo city's own leads
	if len(a.rows) != n0 || !strings.Contains(a.count.Text, fmt.Sprintf("%d / %d", n0, n0)) {
		t.Fatalf("the area shows %d leads (%q), the store has %d", len(a.rows), a.count.Text, n0)
	}
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: year.ID, UnitID: "dongcheng"})
	if err != nil || len(views) == 0 {
		t.Fatalf("东城区 has %d tasks, %v", len(views), err)
	}
	ind := views[0].Indicator

	// A workbook with a lead for a unit that does not exist: the row is
	// named, nothing is imported.
	dir := t.TempDir()
	path := filepath.Join(dir, "线索.xlsx")
	rows := [][]string{
		{"行政诉讼败诉", "(2026)行初1号", "东城区", "2026-02-10", "行政处罚决定因程序违法被判决撤销", ind.Code},
		{"12345热线", "GD-20260211-001", "市公安局", "2026-02-11", "群众投诉执法人员未出示证件", ""},
		{"信访", "XF-2026-002", "北湖区", "2026-02-12", "群众反映办事窗口推诿", ""},
	}
	ldWriteXLSX(t, path, rows)
	a.importFile(path)
	s.Idle()
	if len(a.problems) != 1 || !strings.Contains(a.problems[0], "第 4 行") || !strings.Contains(a.problems[0], "北湖区") {
		t.Fatalf("problems %q, want one naming row 4 and its unit", a.problems)
	}
	if text := rvDialog(t, s, "关闭"); !strings.Contains(text, "有 1 处问题，什么也没有导入") {
		t.Fatalf("the refusal says %q", text)
	}
	if n := count(all); n != n0 {
		t.Fatalf("a refused file imported %d leads", n-n0)
	}
	if p, _, _ := db.PendingCount(ctx); p != 0 {
		t.Fatalf("a refused file queued %d changes", p)
	}

	// Fixed, it is imported after the reviewer confirms the count.
	rows[2][2] = "西城区"
	ldWriteXLSX(t, path, rows)
	a.importFile(path)
	s.Idle()
	if text := rvDialog(t, s, "导入"); !strings.Contains(text, "导入 3 条线索") {
		t.Fatalf("confirmation %q", text)
	}
	if text := rvDialog(t, s, "确定"); !strings.Contains(text, "已导入 3 条线索") {
		t.Fatalf("after the import: %q", text)
	}
	rvSync(t, s, db)
	ls, err := db.Leads(ctx, localdb.LeadFilter{YearID: year.ID})
	if err != nil || len(ls) != n0+3 {
		t.Fatalf("the store holds %d leads of %s, %v; want %d", len(ls), year.ID, err, n0+3)
	}
	for _, l := range ls {
		if l.ImportedBy == "" || l.ImportedAt.IsZero() {
			t.Fatalf("lead %s was not applied by the server: %+v", l.ID, l)
		}
	}
	if len(a.rows) != n0+3 || len(a.shown) != n0+3 {
		t.Fatalf("the area lists %d leads, shows %d", len(a.rows), len(a.shown))
	}
	litigation := assess.LeadID(assess.LeadLitigation, "(2026)行初1号")
	if r := a.rows[slices.IndexFunc(a.rows, func(r leadRow) bool { return r.Lead.ID == litigation })]; r.Unit != "东城区" ||
		r.Lead.IndicatorID != ind.ID || leadCell(&r, leadColIndicator) != ind.Code || leadCell(&r, leadColSource) != "行政诉讼败诉" {
		t.Fatalf("the litigation lead's row %+v", r)
	}

	// A CSV file adds one more.
	csvPath := filepath.Join(dir, "热线.csv")
	csv := "来源,记录编号,单位,日期,摘要,指标编号\n12345热线,GD-20260220-007,东城区,2026-02-20,反映行政许可办理超期,\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	a.importFile(csvPath)
	s.Idle()
	rvDialog(t, s, "导入")
	rvDialog(t, s, "确定")
	if len(a.rows) != n0+4 || count(all) != n0+4 {
		t.Fatalf("after the CSV: %d leads listed, %d stored", len(a.rows), count(all))
	}

	// Filters: unit, source, text.
	a.unitSel.SetSelected("东城区")
	if want := count(func(l assess.Lead) bool { return l.UnitID == "dongcheng" }); len(a.shown) != want || want < 2 {
		t.Fatalf("东城区 shows %d leads, the store has %d", len(a.shown), want)
	}
	a.sourceSel.SetSelected("12345热线")
	if want := count(func(l assess.Lead) bool { return l.UnitID == "dongcheng" && l.Source == assess.LeadHotline }); len(a.shown) != want ||
		!slices.ContainsFunc(a.shown, func(i int) bool { return a.rows[i].Lead.RecordID == "GD-20260220-007" }) {
		t.Fatalf("东城区's hotline leads: %d shown, %d stored", len(a.shown), want)
	}
	a.unitSel.SetSelectedIndex(0)
	a.sourceSel.SetSelectedIndex(0)
	test.Type(a.search, "办事窗口 西城")
	if len(a.shown) != 1 || a.rows[a.shown[0]].Lead.RecordID != "XF-2026-002" {
		t.Fatalf("searching %q shows %d", a.search.Text, len(a.shown))
	}
	a.search.SetText("")

	// Take the litigation lead into account from its detail pane.
	ldOpen(t, a, litigation)
	if !strings.Contains(a.heading.Text, "行政诉讼败诉") || !strings.Contains(a.meta.Text, ind.Code) || a.summary.Text != rows[0][4] {
		t.Fatalf("detail %q / %q / %q", a.heading.Text, a.meta.Text, a.summary.Text)
	}
	if a.withdrawBtn.Disabled() == false {
		t.Fatal("撤销 is enabled for a lead not taken into account")
	}
	test.Tap(a.considerBtn)
	test.Type(a.form.deduction, "2.5")
	test.Type(a.form.comment, "败诉案件，扣减依法行政分")
	rvDialog(t, s, "纳入考核")
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the form stays open: %q", s.dialogErr.Text)
	}
	rvSync(t, s, db)
	considered := func(l assess.Lead) bool { return l.Considered }
	if n := count(considered); n != 1 {
		t.Fatalf("%d leads taken into account, want 1", n)
	}
	a.stateSel.SetSelected("已纳入考核")
	if len(a.shown) != 1 || a.rows[a.shown[0]].Lead.ID != litigation || a.rows[a.shown[0]].Lead.Deduction != 2.5 {
		t.Fatalf("已纳入考核 shows %d", len(a.shown))
	}
	if !strings.Contains(a.count.Text, "纳入考核 1 条，共扣 2.5 分") || leadCell(&a.rows[a.shown[0]], leadColState) != "扣 2.5 分" {
		t.Fatalf("count %q", a.count.Text)
	}
	if !strings.Contains(a.decision.Text, "已纳入考核，扣 2.5 分") || !strings.Contains(a.decision.Text, "败诉案件") || a.considerBtn.Text != "修改扣分" {
		t.Fatalf("decision %q, button %q", a.decision.Text, a.considerBtn.Text)
	}
	a.stateSel.SetSelected("未纳入考核")
	if len(a.shown) != n0+3 {
		t.Fatalf("未纳入考核 shows %d", len(a.shown))
	}
	a.stateSel.SetSelectedIndex(0)

	// Withdraw it.
	test.Tap(a.withdrawBtn)
	rvDialog(t, s, "撤销")
	rvSync(t, s, db)
	if n := count(considered); n != 0 {
		t.Fatalf("after withdrawing, %d leads taken into account", n)
	}

	// The template is a workbook the import reads: its only row is the
	// example, so it holds no leads yet.
	tpl := filepath.Join(dir, "模板.xlsx")
	a.writeTemplate(tpl)
	s.Idle()
	rvDialog(t, s, "确定")
	f, err := os.Open(tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	units, _ := db.Units(ctx)
	inds, _ := db.Indicators(ctx, year.ID)
	_, err = report.ParseLeads(f, "模板.xlsx", units, inds)
	var ie *report.ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.Contains(ie.Problems[0].Reason, "没有可导入的线索") {
		t.Fatalf("reading the template back: %v", err)
	}
}

func TestLeadsParseDeduction(t *testing.T) {
	for _, tc := range []struct {
		text string
		want float64
		err  string
	}{
		{"0", 0, ""},
		{"2.5", 2.5, ""},
		{" 1.25 ", 1.25, ""},
		{"１．５", 1.5, ""},
		{"100", 100, ""},
		{"3.10", 3.1, ""},
		{"", 0, "请填写扣分"},
		{"两分", 0, "不是数字"},
		{"1e2", 0, "不是数字"},
		{"-0.5", 0, "不能为负数"},
		{"100.01", 0, "不能超过 100 分"},
		{"0.125", 0, "最多保留两位小数"},
	} {
		got, err := parseDeduction(tc.text)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("parseDeduction(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(message(err), tc.err)):
			t.Errorf("parseDeduction(%q) error %v, want %q", tc.text, err, tc.err)
		}
		if err == nil && assess.ValidateDeduction(got) != nil {
			t.Errorf("parseDeduction(%q) = %v, which the server refuses", tc.text, got)
		}
	}
}

func TestLeadsFilter(t *testing.T) {
	mk := func(id, unit string, src assess.LeadSource, considered bool, summary string) leadRow {
		r := leadRow{Lead: assess.Lead{ID: id, UnitID: unit, Source: src, Considered: considered, Summary: summary}, Unit: unit}
		r.text = lowerFast(strings.Join([]string{id, unit, summary}, "\x00"))
		return r
	}
	rows := []leadRow{
		mk("a", "u1", assess.LeadHotline, false, "Noise 噪声投诉"),
		mk("b", "u2", assess.LeadPetition, true, "窗口推诿"),
		mk("c", "u1", assess.LeadPetition, true, "拖延办理"),
	}
	for _, tc := range []struct {
		name string
		f    leadFilter
		want []int
	}{
		{"all", leadFilter{}, []int{0, 1, 2}},
		{"unit", leadFilter{UnitID: "u1"}, []int{0, 2}},
		{"source", leadFilter{Source: assess.LeadPetition}, []int{1, 2}},
		{"considered", leadFilter{State: leadConsidered}, []int{1, 2}},
		{"not considered", leadFilter{State: leadNotConsidered}, []int{0}},
		{"text case", leadFilter{Text: "NOISE"}, []int{0}},
		{"combined", leadFilter{UnitID: "u1", Source: assess.LeadPetition, State: leadConsidered, Text: "拖延"}, []int{2}},
		{"nothing", leadFilter{UnitID: "u2", State: leadNotConsidered}, nil},
	} {
		if got := filterLeads(rows, tc.f, nil); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
