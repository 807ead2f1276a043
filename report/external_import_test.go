package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

// externalWorkbook returns the external scores template with rows written
// from row 3, under its example row.
func externalWorkbook(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	var tpl bytes.Buffer
	if err := ExternalTemplate(&tpl, testUnits); err != nil {
		t.Fatal(err)
	}
	return fillRows(t, openXLSX(t, tpl.Bytes()), externalSheet, 3, rows...)
}

func TestImportExternal(t *testing.T) {
	wb := externalWorkbook(t,
		[]any{"西城区", "现场督察", 18.5, 20, "第二轮检查"},
		[]any{"东城区", "民意调查", "86.25", "100", ""},
		[]any{"dongcheng", "onsite", 17, 20, ""},
		[]any{"东城区", "第三方评估", "91", "100", "某某评估中心"},
	)
	got, probs, err := ImportExternal(bytes.NewReader(wb), "2026", testUnits, fixedNow)
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v problems %v", err, probs)
	}
	want := []assess.ExternalScore{
		{ID: "2026/dongcheng/third_party", YearID: "2026", UnitID: "dongcheng", Source: assess.ThirdParty, Score: 91, Max: 100, Note: "某某评估中心", UpdatedAt: fixedNow},
		{ID: "2026/dongcheng/survey", YearID: "2026", UnitID: "dongcheng", Source: assess.Survey, Score: 86.25, Max: 100, UpdatedAt: fixedNow},
		{ID: "2026/dongcheng/onsite", YearID: "2026", UnitID: "dongcheng", Source: assess.Onsite, Score: 17, Max: 20, UpdatedAt: fixedNow},
		{ID: "2026/xicheng/onsite", YearID: "2026", UnitID: "xicheng", Source: assess.Onsite, Score: 18.5, Max: 20, Note: "第二轮检查", UpdatedAt: fixedNow},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	again, _, _ := ImportExternal(bytes.NewReader(wb), "2026", testUnits, fixedNow)
	if !reflect.DeepEqual(again, got) {
		t.Error("importing the same workbook twice gave different scores")
	}
}

func TestImportExternalProblems(t *testing.T) {
	ok := func(change func(r []any)) []any {
		r := []any{"东城区", "民意调查", "80", "100", ""}
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
		{"unknown unit", [][]any{ok(func(r []any) { r[0] = "火星区" })}, 3, "A", "单位“火星区”不存在"},
		{"missing unit", [][]any{ok(func(r []any) { r[0] = "" })}, 3, "A", "单位不能为空"},
		{"unknown source", [][]any{ok(func(r []any) { r[1] = "网络投票" })}, 3, "B", "来源“网络投票”无效"},
		{"score not a number", [][]any{ok(func(r []any) { r[2] = "优秀" })}, 3, "C", "得分“优秀”不是数字"},
		{"score missing", [][]any{ok(func(r []any) { r[2] = "" })}, 3, "C", "得分不能为空"},
		{"negative score", [][]any{ok(func(r []any) { r[2] = "-1" })}, 3, "C", "不能为负数"},
		{"score above max", [][]any{ok(func(r []any) { r[2] = "101" })}, 3, "C", "超过满分"},
		{"max not a number", [][]any{ok(func(r []any) { r[3] = "百" })}, 3, "D", "满分“百”不是数字"},
		{"zero max", [][]any{ok(func(r []any) { r[3] = "0" })}, 3, "D", "满分应大于 0"},
		{"too many decimals", [][]any{ok(func(r []any) { r[2] = "80.125" })}, 3, "C", "最多保留两位小数"},
		{"duplicate", [][]any{ok(nil), ok(func(r []any) { r[2] = "90" })}, 4, "B", "与第 3 行重复"},
		{"nothing to import", nil, 2, "", "没有可导入的得分"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, probs, err := ImportExternal(bytes.NewReader(externalWorkbook(t, c.rows...)), "2026", testUnits, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				t.Errorf("%d scores imported despite the problem", len(got))
			}
			for _, p := range probs {
				if p.Row == c.row && p.Column == c.column && strings.Contains(p.Reason, c.reason) && p.Sheet == externalSheet {
					return
				}
			}
			t.Errorf("no problem at row %d column %q with %q; got %v", c.row, c.column, c.reason, probs)
		})
	}
}

func TestExternalTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := ExternalTemplate(&b, testUnits); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	rows, _ := f.GetRows(externalSheet)
	if got := strings.Join(rows[0], ","); got != "*单位,*来源,*得分,*满分,备注" {
		t.Errorf("header %s", got)
	}
	dvs, _ := f.GetDataValidations(externalSheet)
	found := false
	for _, dv := range dvs {
		if dv.Sqref == "B2:B2000" && strings.Contains(dv.Formula1, "第三方评估,民意调查,现场督察") {
			found = true
		}
	}
	if !found {
		t.Error("no drop-down list of sources")
	}
}

// FuzzImportExternal writes arbitrary cell values into a score row.
func FuzzImportExternal(f *testing.F) {
	f.Add("东城区", "民意调查", "80", "100", "")
	f.Add("火星区", "投票", "-1", "0", "x")
	f.Add("gongan", "onsite", "1e309", "NaN", "")
	f.Fuzz(func(t *testing.T, unit, source, score, max, note string) {
		tpl := openXLSX(t, externalWorkbook(t))
		if err := tpl.SetSheetRow(externalSheet, "A3", &[]any{unit, source, score, max, note}); err != nil {
			t.Skip(err)
		}
		var b bytes.Buffer
		if err := tpl.Write(&b); err != nil {
			t.Skip(err)
		}
		got, probs, err := ImportExternal(&b, "2026", testUnits, fixedNow)
		if (err != nil || len(probs) > 0) && got != nil {
			t.Fatalf("scores returned with problems %v / error %v", probs, err)
		}
		for _, e := range got {
			if err := e.Validate(); err != nil {
				t.Fatalf("imported an invalid score %+v: %v", e, err)
			}
			if _, ok := (resolver{units: testUnits}).unit(e.UnitID); !ok {
				t.Fatalf("unknown unit %q imported", e.UnitID)
			}
		}
	})
}
