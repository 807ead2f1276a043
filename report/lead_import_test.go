package report

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// leadIndicators are the 2026 tree's first leaves and their categories.
func leadIndicators() []assess.Indicator {
	cats, leaves := testTree(8)
	return append(cats, leaves...)
}

func TestLeadTemplateRoundTrip(t *testing.T) {
	var tpl bytes.Buffer
	if err := LeadTemplate(&tpl, testUnits, leadIndicators()); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, tpl.Bytes())
	rows, _ := f.GetRows(leadSheet)
	if got := strings.Join(rows[0], ","); got != "*来源,*记录编号,*单位,*日期,*摘要,指标编号" {
		t.Errorf("header %s", got)
	}
	dvs, _ := f.GetDataValidations(leadSheet)
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+" "+dv.Formula1)
	}
	if got := strings.Join(lists, "\n"); !strings.Contains(got, "A2:A2000") || !strings.Contains(got, "行政诉讼败诉,行政复议纠错,信访,12345热线,人大建议政协提案") ||
		!strings.Contains(got, "F2:F2000") {
		t.Errorf("data validations:\n%s", got)
	}
	// Codes of leaves only, not the categories.
	codes, _ := f.GetCols(listSheet)
	if got := strings.Join(codes[1], " "); got != "1.1 2.1 3.1 4.1 5.1 6.1 7.1 8.1" {
		t.Errorf("indicator list %q", got)
	}
	filled := fillRows(t, f, leadSheet, 3,
		// a real Excel date cell
		[]any{"行政诉讼败诉", "（2026）京0101行初17号", "东城区", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), "判决撤销被告作出的行政处罚决定。", "1.1"},
		[]any{"hotline", "GD2026040100123", "xicheng", "2026/4/1", "群众反映执法人员未出示执法证件。", ""},
		[]any{"信访", "XF-88", "市公安局", "2026年5月6日", "  反映户籍办理超期。  ", "2026-2.1"},
	)
	got, err := ParseLeads(bytes.NewReader(filled), "线索.xlsx", testUnits, leadIndicators())
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.LeadRecord{
		{Source: assess.LeadLitigation, RecordID: "（2026）京0101行初17号", UnitID: "dongcheng", Date: "2026-03-15", Summary: "判决撤销被告作出的行政处罚决定。", IndicatorCode: "1.1", YearID: "2026"},
		{Source: assess.LeadHotline, RecordID: "GD2026040100123", UnitID: "xicheng", Date: "2026-04-01", Summary: "群众反映执法人员未出示执法证件。"},
		{Source: assess.LeadPetition, RecordID: "XF-88", UnitID: "gongan", Date: "2026-05-06", Summary: "反映户籍办理超期。", IndicatorCode: "2.1", YearID: "2026"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseLeadsCSV(t *testing.T) {
	const text = "来源,记录编号,单位,日期,摘要,指标编号\r\n" +
		"行政复议纠错,复决〔2026〕3号,南湖区,2026-02-28,\"复议机关撤销原行政行为，\r\n责令重新作出。\",3.1\r\n" +
		"人大建议,建议第12号,市生态环境局,2026/6/1,关于加强噪声执法的建议。,\r\n"
	want := []wire.LeadRecord{
		{Source: assess.LeadReconsideration, RecordID: "复决〔2026〕3号", UnitID: "nanhu", Date: "2026-02-28", Summary: "复议机关撤销原行政行为，\n责令重新作出。", IndicatorCode: "3.1", YearID: "2026"},
		{Source: assess.LeadProposal, RecordID: "建议第12号", UnitID: "shengtai", Date: "2026-06-01", Summary: "关于加强噪声执法的建议。"},
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, text...)},
		{"gbk", gbk(t, text)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseLeads(bytes.NewReader(c.data), "leads.csv", testUnits, leadIndicators())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestParseLeadsProblems(t *testing.T) {
	wb := newWorkbook(t, leadSheet,
		[]any{"来源", "记录编号", "单位", "日期", "摘要", "指标编号"},
		[]any{"信访", "A1", "东城区", "2026-03-01", "ok", ""},                 // row 2: fine
		[]any{"网络舆情", "A2", "东城区", "2026-03-01", "x", ""},                // row 3: unknown source
		[]any{"信访", "", "火星区", "2026-13-01", "", ""},                     // row 4: no record ID, unknown unit, bad date, no summary
		[]any{"petition", "A1", "西城区", "2026-03-02", "again", ""},        // row 5: same source and record as row 2
		[]any{"热线", "B1", "西城区", "", "x", "9.9"},                         // row 6: no date, unknown indicator
		[]any{"", "B2", "", "2026-01-01", strings.Repeat("长", 2001), ""}, // row 7: no source, no unit, summary too long
		[]any{"示例", "示例1", "火星区", "", "", ""},                            // skipped: an example row
	)
	got, err := ParseLeads(bytes.NewReader(wb), "leads.xlsx", testUnits, leadIndicators())
	if got != nil {
		t.Errorf("%d leads returned despite problems", len(got))
	}
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an *ImportError", err)
	}
	want := []struct {
		row    int
		column string
		reason string
	}{
		{3, "A", "来源“网络舆情”无效"},
		{4, "B", "记录编号不能为空"},
		{4, "C", "单位“火星区”不存在"},
		{4, "D", "日期“2026-13-01”无法识别"},
		{4, "E", "摘要不能为空"},
		{5, "B", "记录编号“A1”与第 2 行重复"},
		{6, "D", "日期不能为空"},
		{6, "F", "指标编号“9.9”不存在"},
		{7, "A", "来源不能为空"},
		{7, "C", "单位不能为空"},
		{7, "E", "摘要超过 2000 字"},
	}
	if len(ie.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(ie.Problems), len(want), assess.ErrorMessage(err))
	}
	for i, w := range want {
		if i >= len(ie.Problems) {
			break
		}
		p := ie.Problems[i]
		if p.Row != w.row || p.Column != w.column || !strings.Contains(p.Reason, w.reason) || p.Sheet != leadSheet {
			t.Errorf("problem %d: %s, want row %d column %s %q", i, p.Error(), w.row, w.column, w.reason)
		}
	}
	if msg := assess.ErrorMessage(err); !strings.Contains(msg, "文件有 11 处问题") || !strings.Contains(msg, "工作表“督察线索”第 3 行 A 列（来源）：来源“网络舆情”无效") {
		t.Errorf("message %q", msg)
	}
}

func TestParseLeadsFileProblems(t *testing.T) {
	var many strings.Builder
	many.WriteString("来源,记录编号,单位,日期,摘要\n")
	for i := range wire.MaxLeadBatch + 1 {
		fmt.Fprintf(&many, "信访,X%d,东城区,2026-03-01,摘要\n", i)
	}
	for _, c := range []struct {
		name, csv, reason string
	}{
		{"missing column", "来源,记录编号,单位,摘要\n信访,1,东城区,x\n", "缺少“日期”列"},
		{"only header", "来源,记录编号,单位,日期,摘要\n", "没有可导入的线索"},
		{"too many", many.String(), "一次最多导入 1000 条"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseLeads(strings.NewReader(c.csv), "x.csv", testUnits, nil)
			var ie *ImportError
			if got != nil || !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.Contains(ie.Problems[0].Reason, c.reason) {
				t.Errorf("got %d leads, error %v; want one problem %q", len(got), err, c.reason)
			}
		})
	}
	if _, err := ParseLeads(bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0}), "old.xls", testUnits, nil); assess.ErrorCode(err) != assess.EInvalid || errors.As(err, new(*ImportError)) {
		t.Errorf("old workbook: %v", err)
	}
}

// FuzzParseLeads parses arbitrary CSV bytes: leads are returned only
// without error, each valid as the server checks it.
func FuzzParseLeads(f *testing.F) {
	f.Add([]byte("来源,记录编号,单位,日期,摘要,指标编号\n信访,1,东城区,2026-03-01,x,1.1\n"))
	f.Add([]byte("来源,记录编号,单位,日期,摘要\n热线,\x00,火星区,45000,\n"))
	inds := leadIndicators()
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseLeads(bytes.NewReader(data), "f.csv", testUnits, inds)
		if err != nil && got != nil {
			t.Fatalf("leads returned with error %v", err)
		}
		for _, l := range got {
			day, perr := time.ParseInLocation("2006-01-02", l.Date, assess.CST)
			lead := assess.Lead{Source: l.Source, RecordID: l.RecordID, UnitID: l.UnitID, Date: day, Summary: l.Summary}
			if perr != nil || lead.Validate() != nil {
				t.Fatalf("invalid lead %+v: %v %v", l, perr, lead.Validate())
			}
			if _, ok := (resolver{units: testUnits}).unit(l.UnitID); !ok {
				t.Fatalf("unknown unit %q", l.UnitID)
			}
		}
	})
}
