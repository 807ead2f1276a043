package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// ColumnKind says how a column's values are written and formatted.
type ColumnKind int

// Column kinds.
const (
	Text     ColumnKind = iota // as written
	Integer                    // 0
	Decimal                    // 0.00
	Percent                    // 0.0%, from a fraction 0..1
	Date                       // yyyy-mm-dd, China Standard Time
	DateTime                   // yyyy-mm-dd hh:mm:ss, China Standard Time
)

// Column is one column of a download table.
type Column struct {
	Title string
	Width float64 // in characters; 0 means 12
	Kind  ColumnKind
}

// Table is one sheet of a data download (数据下载): a sheet of a workbook,
// or a CSV file. Cell values are string, int, int64, float64, time.Time
// or nil (an empty cell); anything else is written as fmt.Sprint prints it.
type Table struct {
	Name    string // the sheet name
	Columns []Column
	Rows    [][]any
}

// WriteXLSX writes tables as the sheets of one workbook: each with a bold,
// frozen header row, column widths, and number formats by column kind. The
// rows are streamed, so a long audit log does not sit in memory twice.
func WriteXLSX(w io.Writer, tables ...Table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newSheetStyles(f)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Name, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("name sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("add sheet %s: %w", name, err)
		}
		if err := writeSheet(f, name, t, st); err != nil {
			return fmt.Errorf("write sheet %s: %w", name, err)
		}
	}
	if len(tables) == 0 {
		return assess.Errorf(assess.EInvalid, "没有可导出的数据表 (no tables to export)")
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// sheetStyles are the cell styles of a download workbook.
type sheetStyles struct {
	header int
	kind   map[ColumnKind]int
}

func newSheetStyles(f *excelize.File) (sheetStyles, error) {
	st := sheetStyles{kind: map[ColumnKind]int{}}
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	var err error
	st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    border,
	})
	if err != nil {
		return st, err
	}
	formats := map[ColumnKind]*excelize.Style{
		Text:     {Alignment: &excelize.Alignment{Vertical: "top"}},
		Integer:  {NumFmt: 1},
		Decimal:  {CustomNumFmt: ptr("0.00")},
		Percent:  {CustomNumFmt: ptr("0.0%")},
		Date:     {CustomNumFmt: ptr("yyyy-mm-dd")},
		DateTime: {CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")},
	}
	for _, k := range []ColumnKind{Text, Integer, Decimal, Percent, Date, DateTime} {
		if st.kind[k], err = f.NewStyle(formats[k]); err != nil {
			return st, err
		}
	}
	return st, nil
}

func ptr[T any](v T) *T { return &v }

func writeSheet(f *excelize.File, name string, t Table, st sheetStyles) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range t.Columns {
		width := c.Width
		if width <= 0 {
			width = 12
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.Title}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			var v any
			if i < len(row) {
				v = row[i]
			}
			cells[i] = excelize.Cell{StyleID: st.kind[c.Kind], Value: xlsxValue(v)}
		}
		ref, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxValue converts a table value for excelize: times to China Standard
// Time, non-finite numbers to text, unknown types to their printed form.
func xlsxValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return strings.ToValidUTF8(x, "〓")
	case int, int64:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return x
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.In(assess.CST)
	}
	return fmt.Sprint(v)
}

// sheetName makes name a valid, unused sheet name: at most 31 characters,
// none of : \ / ? * [ ].
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'")
	if name == "" {
		name = "Sheet"
	}
	base := truncateRunes(name, 31)
	name = base
	for i := 2; used[strings.ToLower(name)]; i++ {
		suffix := fmt.Sprintf("(%d)", i)
		name = truncateRunes(base, 31-len(suffix)) + suffix
	}
	used[strings.ToLower(name)] = true
	return name
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// WriteCSV writes a table as CSV for Excel: UTF-8 with a byte-order mark
// (so Excel reads the Chinese right), CRLF line ends, a header row. Numbers
// are written in full, percents as "85.0%", times in China Standard Time.
// A text cell that starts with = + - @ or a tab is prefixed with ' so that
// a spreadsheet never runs it as a formula.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		rec[i] = csvText(c.Title)
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	for _, row := range t.Rows {
		for i, c := range t.Columns {
			var v any
			if i < len(row) {
				v = row[i]
			}
			rec[i] = csvValue(v, c.Kind)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

func csvValue(v any, kind ColumnKind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvText(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		if kind == Percent {
			return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if kind == Date {
			return x.In(assess.CST).Format(time.DateOnly)
		}
		return x.In(assess.CST).Format(time.DateTime)
	}
	return csvText(fmt.Sprint(v))
}

// csvText guards text against formula injection and invalid UTF-8.
func csvText(s string) string {
	s = strings.ToValidUTF8(s, "〓")
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
