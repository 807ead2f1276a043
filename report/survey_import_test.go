package report

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/yiwangtong/yiwangtong/assess"
)

// newWorkbook returns an .xlsx file with one sheet holding rows from A1.
func newWorkbook(t testing.TB, sheet string, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	return fillRows(t, f, sheet, 1, rows...)
}

// gbk encodes CSV text as Excel saves “CSV (逗号分隔)” on Chinese Windows.
func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// contractorCSV is a survey as a contractor delivers it: a row number, item
// scores only, a sample size with a thousands separator, units by name and
// by ID.
const contractorCSV = "序号,单位名称,有效样本量,政务公开满意度,行政执法满意度,政务服务满意度,备注\r\n" +
	"1,东城区,\"1,200\",88.5,84,91.25,电话调查\r\n" +
	"2,xicheng,950,80,,77.333,\r\n" +
	"3,市公安局,0,90,90,90,\r\n"

// contractorWant is contractorCSV imported, the means computed by hand:
// 东城区 (88.5+84+91.25)/3 = 263.75/3 = 87.916… → 87.92; 西城区 has no
// 行政执法 item: (80+77.33)/2 = 78.665 → 78.67 (77.333 is kept as 77.33).
func contractorWant(src assess.Source) []assess.ExternalScore {
	items := func(v ...any) []assess.ItemScore {
		var out []assess.ItemScore
		for i := 0; i < len(v); i += 2 {
			out = append(out, assess.ItemScore{Name: v[i].(string), Score: v[i+1].(float64)})
		}
		return out
	}
	return []assess.ExternalScore{
		{ID: "2026/dongcheng/" + string(src), YearID: "2026", UnitID: "dongcheng", Source: src, Score: 87.92, Max: 100, SampleSize: 1200,
			Items: items("政务公开满意度", 88.5, "行政执法满意度", 84.0, "政务服务满意度", 91.25), Note: "电话调查", UpdatedAt: fixedNow},
		{ID: "2026/xicheng/" + string(src), YearID: "2026", UnitID: "xicheng", Source: src, Score: 78.67, Max: 100, SampleSize: 950,
			Items: items("政务公开满意度", 80.0, "政务服务满意度", 77.33), UpdatedAt: fixedNow},
		{ID: "2026/gongan/" + string(src), YearID: "2026", UnitID: "gongan", Source: src, Score: 90, Max: 100,
			Items: items("政务公开满意度", 90.0, "行政执法满意度", 90.0, "政务服务满意度", 90.0), UpdatedAt: fixedNow},
	}
}

func TestImportSurveyCSV(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"utf8", []byte(contractorCSV)},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, contractorCSV...)},
		{"gbk", gbk(t, contractorCSV)},
		{"utf8 tabs", []byte(strings.ReplaceAll(strings.ReplaceAll(contractorCSV, `"1,200"`, "1200"), ",", "\t"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, probs, err := ImportSurvey(bytes.NewReader(c.data), "2026年民意调查结果.csv", "2026", assess.Survey, testUnits, fixedNow)
			if err != nil || len(probs) > 0 {
				t.Fatalf("err %v problems %v", err, probs)
			}
			if want := contractorWant(assess.Survey); !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestImportSurveyWorkbook(t *testing.T) {
	// The contractor's own workbook: the overall score given for some
	// units, a maximum of 10, numbers as numbers and as text.
	wb := newWorkbook(t, "结果",
		[]any{"单位", "样本量", "得分", "满分", "依法决策", "规范执法"},
		[]any{"南湖区", 300, 8.5, 10, 9, 7.5},
		[]any{"东城区", "", "", "10", "9.25", "8"},
		[]any{"示例：西城区", 1, 1, 10, 1, 1},
		[]any{},
		[]any{"市生态环境局", nil, 7.125, nil, nil, nil},
	)
	got, probs, err := ImportSurvey(bytes.NewReader(wb), "第三方评估.xlsx", "2026", assess.ThirdParty, testUnits, fixedNow)
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v problems %v", err, probs)
	}
	want := []assess.ExternalScore{
		// (9.25 + 8) / 2 = 8.625 → 8.63
		{ID: "2026/dongcheng/third_party", YearID: "2026", UnitID: "dongcheng", Source: assess.ThirdParty, Score: 8.63, Max: 10,
			Items: []assess.ItemScore{{Name: "依法决策", Score: 9.25}, {Name: "规范执法", Score: 8}}, UpdatedAt: fixedNow},
		{ID: "2026/nanhu/third_party", YearID: "2026", UnitID: "nanhu", Source: assess.ThirdParty, Score: 8.5, Max: 10, SampleSize: 300,
			Items: []assess.ItemScore{{Name: "依法决策", Score: 9}, {Name: "规范执法", Score: 7.5}}, UpdatedAt: fixedNow},
		// no items, no 满分: the maximum is 100 and the score is rounded half up
		{ID: "2026/shengtai/third_party", YearID: "2026", UnitID: "shengtai", Source: assess.ThirdParty, Score: 7.13, Max: 100, UpdatedAt: fixedNow},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestSurveyTemplateRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := SurveyTemplate(&b, assess.Survey, testUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if sheets := f.GetSheetList(); sheets[0] != "民意调查" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("民意调查")
	if got := strings.Join(rows[0], ","); got != "*单位,样本量,满意度得分,满分,政务公开满意度,行政执法满意度,政务服务满意度,备注" {
		t.Errorf("header %s", got)
	}
	filled := fillRows(t, f, "民意调查", 3,
		[]any{"东城区", 1200, nil, nil, 88.5, 84, 91.25, "电话调查"},
		[]any{"xicheng", 950, nil, 100, 80, nil, 77.333},
		[]any{"市公安局", 0, 90, nil, 90, 90, 90},
	)
	got, probs, err := ImportSurvey(bytes.NewReader(filled), "民意调查.xlsx", "2026", assess.Survey, testUnits, fixedNow)
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v problems %v", err, probs)
	}
	if want := contractorWant(assess.Survey); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	var third bytes.Buffer
	if err := SurveyTemplate(&third, assess.ThirdParty, testUnits, []string{"甲", "乙"}); err != nil {
		t.Fatal(err)
	}
	rows, _ = openXLSX(t, third.Bytes()).GetRows("第三方评估")
	if got := strings.Join(rows[0], ","); got != "*单位,样本量,得分,满分,甲,乙,备注" {
		t.Errorf("third-party header %s", got)
	}
	if err := SurveyTemplate(&third, assess.Onsite, testUnits, nil); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("on-site template: %v", err)
	}
}

func TestImportSurveyProblems(t *testing.T) {
	csv := "单位,样本量,得分,满分,政务公开,执法\n" +
		"东城区,100,80,100,80,\n" + // row 2: fine
		"火星区,100,80,100,,\n" + // row 3: unknown unit
		"东城区,100,70,,,\n" + // row 4: repeated unit
		"西城区,-5,101,,,\n" + // row 5: negative sample, score above 100
		"南湖区,12.5,,,优秀,\n" + // row 6: fractional sample, item not a number
		"市公安局,,,,,\n" + // row 7: neither score nor items
		"市生态环境局,10,8,10,11,-1\n" + // row 8: item above 满分 10, negative item
		",1,1,,,\n" // row 9: no unit
	got, probs, err := ImportSurvey(strings.NewReader(csv), "s.csv", "2026", assess.Survey, testUnits, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if got != nil {
		t.Errorf("%d scores returned despite problems", len(got))
	}
	want := []struct {
		row    int
		column string
		reason string
	}{
		{3, "A", "单位“火星区”不存在"},
		{4, "A", "与第 2 行重复"},
		{5, "B", "样本量不能为负数"},
		{5, "C", "得分 101 超过满分 100"},
		{6, "B", "样本量应为整数"},
		{6, "E", "分项“政务公开”的得分“优秀”不是数字"},
		{7, "C", "得分和各分项得分都为空"},
		{8, "E", "分项“政务公开”的得分 11 超过满分 10"},
		{8, "F", "分项“执法”的得分不能为负数"},
		{9, "A", "单位不能为空"},
	}
	if len(probs) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(probs), len(want), probs)
	}
	for i, w := range want {
		if i >= len(probs) {
			break
		}
		p := probs[i]
		if p.Row != w.row || p.Column != w.column || !strings.Contains(p.Reason, w.reason) || p.Sheet != "s" {
			t.Errorf("problem %d: %s, want row %d column %s %q", i, p.Error(), w.row, w.column, w.reason)
		}
	}
}

func TestImportSurveyHeaderProblems(t *testing.T) {
	for _, c := range []struct {
		name, csv, reason string
	}{
		{"no unit column", "名称,得分\n东城区,80\n", "缺少“单位”列"},
		{"no score and no items", "单位,样本量\n东城区,80\n", "缺少“得分”列"},
		{"source column", "单位,来源,得分\n东城区,民意调查,80\n", "表中有“来源”列"},
		{"untitled data", "单位,得分,\n东城区,80,5\n", "该列有数据但没有列名"},
		{"repeated item", "单位,甲,甲\n东城区,80,5\n", "分项“甲”与 B 列重名"},
		{"only header", "单位,得分\n", "没有可导入的结果"},
		{"empty", "", "第 1 行应为列名"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, probs, err := ImportSurvey(strings.NewReader(c.csv), "x.csv", "2026", assess.Survey, testUnits, fixedNow)
			if err != nil || got != nil || len(probs) != 1 || !strings.Contains(probs[0].Reason, c.reason) {
				t.Errorf("got %v, problems %v, error %v; want one problem %q", got, probs, err, c.reason)
			}
		})
	}
}

func TestImportSurveyBadFiles(t *testing.T) {
	for _, c := range []struct {
		name, file string
		data       []byte
		src        assess.Source
		reason     string
	}{
		{"not gb18030 either", "x.csv", []byte("单位,得分\n\xff\xfe\xfd,80\n"), assess.Survey, "CSV UTF-8"},
		{"old excel", "x.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, assess.Survey, ".xls"},
		{"broken xlsx", "x.xlsx", []byte("单位,得分\n"), assess.Survey, "不是有效的 Excel 工作簿"},
		{"on-site", "x.csv", []byte("单位,得分\n东城区,80\n"), assess.Onsite, "现场督察得分由督察记录计算"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, probs, err := ImportSurvey(bytes.NewReader(c.data), c.file, "2026", c.src, testUnits, fixedNow)
			if got != nil || len(probs) > 0 || assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), c.reason) {
				t.Errorf("got %v problems %v error %v; want an error with %q", got, probs, err, c.reason)
			}
		})
	}
}

func TestImportError(t *testing.T) {
	err := problemsError([]ImportProblem{
		{Sheet: "督察线索", Row: 5, Column: "C", Field: "单位", Reason: "单位“火星区”不存在"},
		{Sheet: "督察线索", Row: 3, Column: "A", Field: "来源", Reason: "来源不能为空"},
	})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 2 || ie.Problems[0].Row != 3 {
		t.Fatalf("%#v", err)
	}
	msg := assess.ErrorMessage(err)
	if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(msg, "文件有 2 处问题") ||
		strings.Index(msg, "第 3 行 A 列（来源）：来源不能为空") > strings.Index(msg, "第 5 行 C 列（单位）") {
		t.Errorf("message %q", msg)
	}
	if problemsError(nil) != nil {
		t.Error("an error without problems")
	}
}

// FuzzImportSurvey imports arbitrary CSV bytes: a result is valid, known
// and never returned with problems.
func FuzzImportSurvey(f *testing.F) {
	f.Add([]byte(contractorCSV))
	f.Add(gbk(f, contractorCSV))
	f.Add([]byte("单位,得分,甲\n东城区,1e309,NaN\n"))
	f.Add([]byte("\xff\xfe\x00A"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, probs, err := ImportSurvey(bytes.NewReader(data), "f.csv", "2026", assess.Survey, testUnits, fixedNow)
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

// TestImportSurveyTitleRows reads a contractor's sheet with a title and a
// blank row above the header: the header is found, and problems name the
// rows as Excel numbers them.
func TestImportSurveyTitleRows(t *testing.T) {
	wb := newWorkbook(t, "Sheet1",
		[]any{"2026年度法治政府建设群众满意度调查结果"},
		[]any{},
		[]any{"序号", "被调查单位", "样本量", "综合满意度"},
		[]any{1, "东城区", 500, 91.5},
		[]any{2, "火星区", 500, 90},
	)
	got, probs, err := ImportSurvey(bytes.NewReader(wb), "结果.xlsx", "2026", assess.Survey, testUnits, fixedNow)
	if err != nil || got != nil || len(probs) != 1 || probs[0].Row != 5 || probs[0].Column != "B" || !strings.Contains(probs[0].Reason, "火星区") {
		t.Fatalf("got %v, problems %v, error %v; want one problem at B5", got, probs, err)
	}
	wb = newWorkbook(t, "Sheet1",
		[]any{"2026年度法治政府建设群众满意度调查结果"},
		[]any{"序号", "被调查单位", "样本量", "综合满意度"},
		[]any{1, "东城区", 500, 91.5},
	)
	got, probs, err = ImportSurvey(bytes.NewReader(wb), "结果.xlsx", "2026", assess.Survey, testUnits, fixedNow)
	if err != nil || len(probs) > 0 || len(got) != 1 || got[0].Score != 91.5 || got[0].SampleSize != 500 || got[0].Items != nil {
		t.Errorf("got %+v, problems %v, error %v", got, probs, err)
	}
	leads := "督察线索导出（2026年4月）\n来源,记录编号,单位,日期,摘要\n信访,1,东城区,2026-03-01,x\n信访,2,东城区,2026-02-30,y\n"
	_, err = ParseLeads(strings.NewReader(leads), "x.csv", testUnits, nil)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Row != 4 || ie.Problems[0].Column != "D" {
		t.Errorf("leads under a title row: %v", err)
	}
}
