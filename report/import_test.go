package report

import (
	"archive/zip"
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// indicatorWorkbook returns the indicator template with rows written under
// its example rows (from row 4), each row in template column order.
func indicatorWorkbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	var tpl bytes.Buffer
	if err := IndicatorTemplate(&tpl, testUnits, testGroups); err != nil {
		t.Fatal(err)
	}
	return fillRows(t, openXLSX(t, tpl.Bytes()), indicatorSheet, 4, rows...)
}

// goodRows is a valid tree: two categories, the first without a 分值 (the
// sum of its leaves), leaves assigned by group, by unit name and by ID.
var goodRows = [][]any{
	{"1", "", "依法全面履行政府职能", "职能优化", "", "", "", "", "", "", "", "", ""},
	{"1.2", "1", "行政许可事项清单管理", "", "实施规范公布", "许可清单；实施规范", "2", "", "未公布扣1分", "2026-09-30", "是", "", "东城区、xicheng"},
	{"1.1", "1", "权责清单动态管理", "动态调整", "年内调整并公布", "权责清单调整文件\n公开网页截图", "2.5", "1.5", "", "2026/6/30", "否", "区县", ""},
	{"2", "", "完善依法行政制度体系", "", "", "", "10", "", "", "", "", "", ""},
	{"2.1", "2", "规范性文件合法性审核", "", "", "", "3", "", "", "2026年10月31日", "", "全部单位", ""},
}

func TestImportIndicators(t *testing.T) {
	wb := indicatorWorkbook(t, goodRows...)
	inds, probs, err := ImportIndicators(bytes.NewReader(wb), "2026", testUnits, testGroups)
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v, problems %v", err, probs)
	}
	var codes []string
	for _, in := range inds {
		codes = append(codes, in.Code)
	}
	if got := strings.Join(codes, " "); got != "1 1.1 1.2 2 2.1" {
		t.Fatalf("order %s, want parents first and siblings in code order", got)
	}
	all := []string{"dongcheng", "xicheng", "nanhu", "gongan", "shengtai"}
	want := []assess.Indicator{
		{ID: "2026-1", YearID: "2026", Code: "1", Title: "依法全面履行政府职能", Content: "职能优化", MaxScore: 4.5},
		{ID: "2026-1.1", YearID: "2026", ParentID: "2026-1", Code: "1.1", Title: "权责清单动态管理", Content: "动态调整", Standard: "年内调整并公布",
			Evidence: []string{"权责清单调整文件", "公开网页截图"}, MaxScore: 2.5, LowScore: 1.5, Deadline: assess.Date(2026, 6, 30), Units: all[:3]},
		{ID: "2026-1.2", YearID: "2026", ParentID: "2026-1", Code: "1.2", Title: "行政许可事项清单管理", Standard: "实施规范公布",
			Evidence: []string{"许可清单", "实施规范"}, MaxScore: 2, ScoringRule: "未公布扣1分", Deadline: assess.Date(2026, 9, 30), KeyTask: true, Units: all[:2]},
		{ID: "2026-2", YearID: "2026", Code: "2", Title: "完善依法行政制度体系", MaxScore: 10},
		{ID: "2026-2.1", YearID: "2026", ParentID: "2026-2", Code: "2.1", Title: "规范性文件合法性审核", MaxScore: 3, Deadline: assess.Date(2026, 10, 31), Units: all},
	}
	for i := range want {
		if !reflect.DeepEqual(inds[i], want[i]) {
			t.Errorf("indicator %d\n got %+v\nwant %+v", i, inds[i], want[i])
		}
	}
	if errs := assess.ValidateTree(inds); len(errs) > 0 {
		t.Errorf("imported tree is not valid: %v", errs)
	}

	again, probs, err := ImportIndicators(bytes.NewReader(wb), "2026", testUnits, testGroups)
	if err != nil || len(probs) > 0 || !reflect.DeepEqual(again, inds) {
		t.Errorf("importing the same workbook again gave different indicators (err %v, problems %v)", err, probs)
	}
}

// TestImportIndicatorsDateCell reads a deadline typed as a real date cell.
func TestImportIndicatorsDateCell(t *testing.T) {
	wb := indicatorWorkbook(t, []any{"1", "", "类别", "", "", "", "", "", "", "", "", "", ""},
		[]any{"1.1", "1", "指标", "", "", "", 1, "", "", time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), "", "", "南湖区"})
	inds, probs, err := ImportIndicators(bytes.NewReader(wb), "2026", testUnits, testGroups)
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v, problems %v", err, probs)
	}
	if !inds[1].Deadline.Equal(assess.Date(2026, 7, 15)) || inds[0].MaxScore != 1 {
		t.Errorf("deadline %v, category max %v", inds[1].Deadline, inds[0].MaxScore)
	}
}

func TestImportIndicatorProblems(t *testing.T) {
	cat := []any{"1", "", "类别", "", "", "", "", "", "", "", "", "", ""}
	leaf := func(code string, change func(r []any)) []any {
		r := []any{code, "1", "指标" + code, "", "", "", "2", "", "", "", "", "", "东城区"}
		if change != nil {
			change(r)
		}
		return r
	}
	for _, c := range []struct {
		name   string
		rows   [][]any
		row    int
		column string
		reason string
	}{
		{"duplicate code", [][]any{cat, leaf("1.1", nil), leaf("1.1", nil)}, 6, "A", "与第 5 行重复"},
		{"parent missing", [][]any{cat, leaf("1.1", func(r []any) { r[1] = "9" })}, 5, "B", "上级编号“9”在本表中不存在"},
		{"max not a number", [][]any{cat, leaf("1.1", func(r []any) { r[6] = "十分" })}, 5, "G", "分值“十分”不是数字"},
		{"max out of range", [][]any{cat, leaf("1.1", func(r []any) { r[6] = "2000" })}, 5, "G", "应在 0 到 1000 之间"},
		{"max with three decimals", [][]any{cat, leaf("1.1", func(r []any) { r[6] = "1.125" })}, 5, "G", "最多保留两位小数"},
		{"leaf without max", [][]any{cat, leaf("1.1", func(r []any) { r[6] = "" })}, 5, "G", "必须填写分值"},
		{"unknown unit", [][]any{cat, leaf("1.1", func(r []any) { r[12] = "东城区、火星区" })}, 5, "M", "单位“火星区”不存在"},
		{"unknown group", [][]any{cat, leaf("1.1", func(r []any) { r[11] = "乡镇街道" })}, 5, "L", "排名分组“乡镇街道”不存在"},
		{"missing title", [][]any{cat, leaf("1.1", func(r []any) { r[2] = "" })}, 5, "C", "指标名称不能为空"},
		{"missing code", [][]any{cat, leaf("", nil)}, 5, "A", "指标编号不能为空"},
		{"code with a space", [][]any{cat, leaf("1 .1", nil)}, 5, "A", "不能含有空格"},
		{"code with a slash", [][]any{cat, leaf("1/1", nil)}, 5, "A", "不能含有空格"},
		{"threshold above max", [][]any{cat, leaf("1.1", func(r []any) { r[7] = "3" })}, 5, "H", "低分线 3 应在 0 到分值之间"},
		{"threshold not a number", [][]any{cat, leaf("1.1", func(r []any) { r[7] = "低" })}, 5, "H", "不是数字"},
		{"bad date", [][]any{cat, leaf("1.1", func(r []any) { r[9] = "下个月" })}, 5, "J", "截止日期“下个月”无法识别"},
		{"impossible date", [][]any{cat, leaf("1.1", func(r []any) { r[9] = "2026-02-30" })}, 5, "J", "无法识别"},
		{"bad key task", [][]any{cat, leaf("1.1", func(r []any) { r[10] = "重要" })}, 5, "K", "重点任务应填“是”或“否”"},
		{"units on a category", [][]any{{"1", "", "类别", "", "", "", "", "", "", "", "", "", "东城区"}, leaf("1.1", nil)}, 4, "M", "只有末级指标可以分配单位"},
		{"cycle", [][]any{cat, leaf("1.1", func(r []any) { r[1] = "1.2" }), leaf("1.2", func(r []any) { r[1] = "1.1" })}, 5, "B", "形成循环"},
		{"children over the parent", [][]any{{"1", "", "类别", "", "", "", "3", "", "", "", "", "", ""}, leaf("1.1", nil), leaf("1.2", nil)}, 4, "G", "超过其分值 3 分"},
		{"nothing to import", [][]any{}, 2, "", "没有可导入的指标"},
	} {
		t.Run(c.name, func(t *testing.T) {
			inds, probs, err := ImportIndicators(bytes.NewReader(indicatorWorkbook(t, c.rows...)), "2026", testUnits, testGroups)
			if err != nil {
				t.Fatal(err)
			}
			if inds != nil {
				t.Errorf("%d indicators imported despite the problem", len(inds))
			}
			for _, p := range probs {
				if p.Row == c.row && p.Column == c.column && strings.Contains(p.Reason, c.reason) {
					if p.Sheet != indicatorSheet {
						t.Errorf("problem on sheet %q", p.Sheet)
					}
					if !strings.ContainsAny(p.Error(), "第列") || !strings.Contains(p.Error(), "工作表“指标”") {
						t.Errorf("message %q does not say where", p.Error())
					}
					return
				}
			}
			t.Errorf("no problem at row %d column %q with %q; got %v", c.row, c.column, c.reason, probs)
		})
	}
}

// TestImportIndicatorAllProblems checks that every bad row is reported at
// once, in row order.
func TestImportIndicatorAllProblems(t *testing.T) {
	wb := indicatorWorkbook(t,
		[]any{"1", "", "类别", "", "", "", "", "", "", "", "", "", ""},
		[]any{"1.1", "1", "", "", "", "", "x", "", "", "", "", "", ""},
		[]any{"1.2", "1", "好指标", "", "", "", "1", "", "", "", "", "", ""},
		[]any{"1.3", "7", "指标", "", "", "", "1", "", "", "", "", "", "火星区"},
	)
	inds, probs, err := ImportIndicators(bytes.NewReader(wb), "2026", testUnits, testGroups)
	if err != nil || inds != nil {
		t.Fatalf("inds %v err %v", inds, err)
	}
	var where []string
	for _, p := range probs {
		where = append(where, p.Column+strconv.Itoa(p.Row))
	}
	if got := strings.Join(where, " "); got != "C5 G5 M7 B7" && got != "C5 G5 B7 M7" {
		t.Errorf("problems at %s, want C5 G5 B7 M7: %v", got, probs)
	}
}

func TestImportIndicatorHeader(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"编号", "名称", "备注"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"1", "指标"}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	inds, probs, err := ImportIndicators(&b, "2026", testUnits, testGroups)
	if err != nil || inds != nil || len(probs) != 1 || probs[0].Row != 1 || !strings.Contains(probs[0].Reason, "缺少“分值”列") || probs[0].Sheet != "Sheet1" {
		t.Errorf("inds %v problems %v err %v", inds, probs, err)
	}
}

func TestImportNotAWorkbook(t *testing.T) {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("不是表格"))
	zw.Close()
	for name, data := range map[string][]byte{
		"text":      []byte("编号,名称\n1,指标\n"),
		"empty":     nil,
		"plain zip": z.Bytes(),
		"truncated": indicatorWorkbook(t, goodRows...)[:300],
	} {
		t.Run(name, func(t *testing.T) {
			inds, _, err := ImportIndicators(bytes.NewReader(data), "2026", testUnits, testGroups)
			if inds != nil || assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), ".xlsx") {
				t.Errorf("inds %v err %v, want an EInvalid error naming .xlsx", inds, err)
			}
			_, _, err = ImportExternal(bytes.NewReader(data), "2026", testUnits, fixedNow)
			if assess.ErrorCode(err) != assess.EInvalid {
				t.Errorf("external: err %v, want EInvalid", err)
			}
		})
	}
	if _, _, err := ImportIndicators(bytes.NewReader(nil), "20 26", testUnits, testGroups); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("bad year ID: err %v", err)
	}
}

func TestIndicatorTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := IndicatorTemplate(&b, testUnits, testGroups); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if got := f.GetSheetList(); strings.Join(got, ",") != "指标,选项,填写说明" {
		t.Errorf("sheets %q", got)
	}
	rows, _ := f.GetRows(indicatorSheet)
	if got := strings.Join(rows[0], ","); got != "*编号,上级编号,*名称,指标内容,达标标准,需要查验的资料,*分值,低分线,评分细则,截止日期,重点任务,分配分组,分配单位" {
		t.Errorf("header %s", got)
	}
	if len(rows) != 3 || !strings.HasPrefix(rows[2][0], examplePrefix) || rows[2][1] != rows[1][0] {
		t.Errorf("example rows %q", rows[1:])
	}
	if visible, _ := f.GetSheetVisible(listSheet); visible {
		t.Error("the list sheet is visible")
	}
	units, _ := f.GetCols(listSheet)
	if strings.Trim(strings.Join(units[0], ","), ",") != "东城区,西城区,南湖区,市公安局,市生态环境局" || strings.Trim(strings.Join(units[1], ","), ",") != "全部单位,区县,市直部门" {
		t.Errorf("lists %q", units)
	}
	dvs, err := f.GetDataValidations(indicatorSheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, dv := range dvs {
		lists[dv.Sqref] = dv.Formula1
	}
	for sqref, want := range map[string]string{
		"M2:M2000": "'选项'!$A$1:$A$5",
		"L2:L2000": "'选项'!$B$1:$B$3",
		"K2:K2000": `"是,否"`,
	} {
		if got := lists[sqref]; !strings.Contains(got, want) {
			t.Errorf("validation of %s = %q, want %q", sqref, got, want)
		}
	}
	// The template imports as nothing, and says so.
	inds, probs, err := ImportIndicators(bytes.NewReader(b.Bytes()), "2026", testUnits, testGroups)
	if err != nil || inds != nil || len(probs) != 1 || !strings.Contains(probs[0].Reason, "没有可导入的指标") {
		t.Errorf("importing the bare template: inds %v problems %v err %v", inds, probs, err)
	}
}

// FuzzImportIndicators feeds arbitrary bytes, seeded with real workbooks:
// no panic, and indicators only when there is no problem, forming a valid
// tree.
func FuzzImportIndicators(f *testing.F) {
	f.Add(indicatorWorkbook(f, goodRows...))
	f.Add(indicatorWorkbook(f))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("编号,名称"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inds, probs, err := ImportIndicators(bytes.NewReader(data), "2026", testUnits, testGroups)
		checkImported(t, inds, probs, err)
	})
}

// FuzzIndicatorCells writes arbitrary cell values into a workbook with a
// valid category row and imports it.
func FuzzIndicatorCells(f *testing.F) {
	f.Add("1.1", "1", "指标", "2", "1", "2026-06-30", "是", "区县", "东城区")
	f.Add("1.1", "1.1", "", "x", "-1", "昨天", "maybe", "火星", "火星区")
	f.Add("", "", "t", "1e400", "NaN", "99999999", "", "全部单位", "")
	f.Add("1", "", "重复", "0", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, code, parent, title, max, low, deadline, key, groups, units string) {
		tpl := openXLSX(t, indicatorWorkbook(t))
		row := []any{code, parent, title, "", "", "", max, low, "", deadline, key, groups, units}
		if err := tpl.SetSheetRow(indicatorSheet, "A4", &[]any{"1", "", "类别", "", "", "", "", "", "", "", "", "", ""}); err != nil {
			t.Skip(err)
		}
		if err := tpl.SetSheetRow(indicatorSheet, "A5", &row); err != nil {
			t.Skip(err)
		}
		var b bytes.Buffer
		if err := tpl.Write(&b); err != nil {
			t.Skip(err)
		}
		inds, probs, err := ImportIndicators(&b, "2026", testUnits, testGroups)
		checkImported(t, inds, probs, err)
	})
}

func checkImported(t *testing.T, inds []assess.Indicator, probs []ImportProblem, err error) {
	t.Helper()
	if (err != nil || len(probs) > 0) && inds != nil {
		t.Fatalf("%d indicators returned with problems %v / error %v", len(inds), probs, err)
	}
	if err == nil && len(probs) == 0 && len(inds) == 0 {
		t.Fatal("no indicators, no problem and no error")
	}
	if errs := assess.ValidateTree(inds); len(errs) > 0 {
		t.Fatalf("imported an invalid tree: %v", errs)
	}
	known := map[string]bool{}
	for _, u := range testUnits {
		known[u.ID] = true
	}
	for _, in := range inds {
		if in.ID != IndicatorID("2026", in.Code) {
			t.Fatalf("ID %q for code %q", in.ID, in.Code)
		}
		for _, u := range in.Units {
			if !known[u] {
				t.Fatalf("unknown unit %q imported", u)
			}
		}
	}
	for _, p := range probs {
		if p.Reason == "" || p.Sheet == "" {
			t.Fatalf("problem without a reason or sheet: %+v", p)
		}
	}
}
