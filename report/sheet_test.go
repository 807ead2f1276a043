package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// openXLSX reads a workbook written by this package back with excelize.
func openXLSX(t testing.TB, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot read the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fillRows writes rows into sheet of f, the first at row first, and
// returns the workbook.
func fillRows(t testing.TB, f *excelize.File, sheet string, first int, rows ...[]any) []byte {
	t.Helper()
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, first+i)
		if err := f.SetSheetRow(sheet, ref, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// numFmt returns the number format code of a cell's style.
func numFmt(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return map[int]string{0: "General", 1: "0"}[st.NumFmt]
}

var sampleTable = Table{
	Name: "样表:1/2",
	Columns: []Column{
		{"单位", 20, Text}, {"名次", 8, Integer}, {"得分", 10, Decimal}, {"完成率", 10, Percent},
		{"截止日期", 12, Date}, {"时间", 20, DateTime}, {"备注", 0, Text},
	},
	Rows: [][]any{
		{"东城区", 1, 92.456, 0.875, assess.Date(2026, 6, 30), time.Date(2026, 3, 1, 2, 3, 4, 0, time.UTC), "=HYPERLINK(\"http://x\")"},
		{"西城区", int64(2), 88.0, 0.5, nil, time.Time{}, nil},
	},
}

func TestWriteXLSX(t *testing.T) {
	var b bytes.Buffer
	second := sampleTable
	if err := WriteXLSX(&b, sampleTable, second); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	sheets := f.GetSheetList()
	if len(sheets) != 2 || sheets[0] != "样表_1_2" || sheets[1] != "样表_1_2(2)" {
		t.Fatalf("sheets %q", sheets)
	}
	s := sheets[0]
	rows, err := f.GetRows(s)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"单位", "名次", "得分", "完成率", "截止日期", "时间", "备注"},
		{"东城区", "1", "92.46", "87.5%", "2026-06-30", "2026-03-01 10:03:04", "=HYPERLINK(\"http://x\")"},
		{"西城区", "2", "88.00", "50.0%"},
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i+1, rows[i], want[i])
		}
	}
	if v, _ := f.GetCellValue(s, "C2", excelize.Options{RawCellValue: true}); v != "92.456" {
		t.Errorf("C2 stored %q, want the full 92.456", v)
	}
	if formula, _ := f.GetCellFormula(s, "G2"); formula != "" {
		t.Errorf("text became a formula: %q", formula)
	}
	for cell, want := range map[string]string{"C2": "0.00", "D2": "0.0%", "E2": "yyyy-mm-dd", "F2": "yyyy-mm-dd hh:mm:ss", "B2": "0"} {
		if got := numFmt(t, f, s, cell); got != want {
			t.Errorf("%s format %q, want %q", cell, got, want)
		}
	}
	panes, err := f.GetPanes(s)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
	for col, want := range map[string]float64{"A": 20, "B": 8, "G": 12} {
		if w, _ := f.GetColWidth(s, col); w != want {
			t.Errorf("column %s width %v, want %v", col, w, want)
		}
	}
}

func TestWriteXLSXNoTables(t *testing.T) {
	if err := WriteXLSX(&bytes.Buffer{}); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("err = %v, want EInvalid", err)
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleTable); err != nil {
		t.Fatal(err)
	}
	raw := b.String()
	if !strings.HasPrefix(raw, "\uFEFF单位,") {
		t.Fatalf("CSV does not start with a BOM and the header: %q", raw[:20])
	}
	if !strings.Contains(raw, "\r\n") {
		t.Error("CSV lines do not end in CRLF")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"单位", "名次", "得分", "完成率", "截止日期", "时间", "备注"},
		{"东城区", "1", "92.456", "87.5%", "2026-06-30", "2026-03-01 10:03:04", "'=HYPERLINK(\"http://x\")"},
		{"西城区", "2", "88", "50.0%", "", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i+1, recs[i], want[i])
		}
	}
}

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+86": "'+86", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"普通文本": "普通文本", "a=b": "a=b", "": "", "bad\xffutf8": "bad〓utf8",
	} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	long := strings.Repeat("长", 40)
	for _, c := range []struct{ in, want string }{
		{"得分矩阵", "得分矩阵"},
		{"得分矩阵", "得分矩阵(2)"},
		{"a/b:c*d?e[f]", "a_b_c_d_e_f_"},
		{"", "Sheet"},
		{long, strings.Repeat("长", 31)},
		{long, strings.Repeat("长", 28) + "(2)"},
	} {
		if got := sheetName(c.in, used); got != c.want {
			t.Errorf("sheetName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriteXLSXDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteXLSX(&a, sampleTable); err != nil {
		t.Fatal(err)
	}
	if err := WriteXLSX(&b, sampleTable); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same table gave two different workbooks")
	}
}
