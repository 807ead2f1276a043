package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// ImportProblem is one thing wrong with an imported workbook: where it is
// and, in Chinese, what to fix.
type ImportProblem struct {
	Sheet  string
	Row    int    // 1-based spreadsheet row
	Column string // column letter, "" for the whole row
	Field  string // the column's header, "" for the whole row
	Reason string
}

// Error says where the problem is and what is wrong, e.g.
// 工作表“指标”第 5 行 G 列（分值）：分值“十”不是数字.
func (p ImportProblem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "工作表“%s”", p.Sheet)
	if p.Row > 0 {
		fmt.Fprintf(&b, "第 %d 行", p.Row)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " %s 列", p.Column)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "（%s）", p.Field)
	}
	b.WriteString("：")
	b.WriteString(p.Reason)
	return b.String()
}

// sortProblems orders problems by row, then column.
func sortProblems(ps []ImportProblem) {
	slices.SortStableFunc(ps, func(a, b ImportProblem) int {
		if c := cmp.Compare(a.Row, b.Row); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.Column), len(b.Column)); c != 0 {
			return c
		}
		return cmp.Compare(a.Column, b.Column)
	})
}

// Limits on what an import reads.
const (
	maxImportBytes = 32 << 20 // the workbook file
	maxImportRows  = 10000
	maxCellRunes   = assess.MaxStatementRunes
)

// openWorkbook reads a workbook from r, refusing files too large or not
// spreadsheets, with the Chinese reason as an *assess.Error. excelize is
// guarded: a panic on a malformed file becomes an error too.
func openWorkbook(r io.Reader) (f *excelize.File, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > maxImportBytes {
		return nil, assess.Errorf(assess.ETooLarge, "文件超过 32 MB，请删除多余内容后再导入 (workbook larger than 32 MB)")
	}
	notWorkbook := assess.Errorf(assess.EInvalid, "文件不是有效的 Excel 工作簿（.xlsx），请用模板填写后另存为 .xlsx 再导入 (not an .xlsx workbook)")
	if !bytes.HasPrefix(data, []byte("PK")) {
		return nil, notWorkbook
	}
	defer func() {
		if recover() != nil {
			f, err = nil, notWorkbook
		}
	}()
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, notWorkbook
	}
	return f, nil
}

// sheetRows returns the rows of the sheet named want, or of the first sheet
// when there is none by that name, with raw cell values (dates as serial
// numbers). A panic in excelize becomes an error.
func sheetRows(f *excelize.File, want string) (sheet string, rows [][]string, err error) {
	defer func() {
		if recover() != nil {
			sheet, rows, err = "", nil, assess.Errorf(assess.EInvalid, "工作表内容无法读取，请用模板重新填写 (the sheet cannot be read)")
		}
	}()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", nil, assess.Errorf(assess.EInvalid, "工作簿中没有工作表 (the workbook has no sheets)")
	}
	sheet = sheets[0]
	if slices.Contains(sheets, want) {
		sheet = want
	}
	rows, err = f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return sheet, nil, assess.Errorf(assess.EInvalid, "工作表“%s”无法读取，请用模板重新填写 (the sheet cannot be read)", sheet)
	}
	return sheet, rows, nil
}

// header maps a sheet's header row to column indexes by title; a title may
// also be matched by one of its aliases. It reports the required columns
// that are missing.
type header struct {
	sheet string
	index map[string]int // field → column index
}

// fieldSpec is a column an import reads: its title in the template,
// other titles accepted for it, and its width in the template.
type fieldSpec struct {
	title    string
	aliases  []string
	required bool
	width    float64
}

func readHeader(sheet string, row []string, fields []fieldSpec) (header, []ImportProblem) {
	h := header{sheet: sheet, index: map[string]int{}}
	norm := func(s string) string {
		s = strings.TrimSpace(strings.TrimLeft(s, "*＊"))
		return strings.ToLower(strings.Join(strings.Fields(s), ""))
	}
	seen := map[string]int{}
	for i, c := range row {
		seen[norm(c)] = i
	}
	var probs []ImportProblem
	for _, f := range fields {
		for _, name := range append([]string{f.title}, f.aliases...) {
			if i, ok := seen[norm(name)]; ok {
				h.index[f.title] = i
				break
			}
		}
		if _, ok := h.index[f.title]; !ok && f.required {
			probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Reason: fmt.Sprintf("缺少“%s”列，请使用下载的模板，不要修改第 1 行的列名 (column %q missing)", f.title, f.title)})
		}
	}
	return h, probs
}

// cell returns the trimmed value of field in row, "" when absent.
func (h header) cell(row []string, field string) string {
	i, ok := h.index[field]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// problem returns a problem at field of spreadsheet row n.
func (h header) problem(n int, field, format string, args ...any) ImportProblem {
	col := ""
	if i, ok := h.index[field]; ok {
		col, _ = excelize.ColumnNumberToName(i + 1)
	}
	return ImportProblem{Sheet: h.sheet, Row: n, Column: col, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// rowCells reads the cells of one data row, gathering the row's problems.
type rowCells struct {
	h     header
	n     int // spreadsheet row
	row   []string
	probs []ImportProblem
}

// add records a problem at field.
func (c *rowCells) add(field, format string, args ...any) {
	c.probs = append(c.probs, c.h.problem(c.n, field, format, args...))
}

// text returns the trimmed text of field, "" (with a problem) when it is
// not valid text.
func (c *rowCells) text(field string) string {
	s := c.h.cell(c.row, field)
	if why := checkCell(s); why != "" {
		c.add(field, "%s", why)
		return ""
	}
	return s
}

// unit reads the unit column (单位), a unit's name or ID, and returns the
// unit's ID, "" for an unknown unit; hint tells in the problem how to put
// an unknown unit right.
func (c *rowCells) unit(res resolver, hint string) string {
	u := c.text(colUnit)
	if u == "" {
		c.add(colUnit, "单位不能为空 (unit is required)")
		return ""
	}
	id, ok := res.unit(u)
	if !ok {
		c.add(colUnit, "单位“%s”不存在，%s (unknown unit)", printable(u), hint)
	}
	return id
}

// number reads field as a number, what naming it in problems. given is
// false for an empty cell; ok is false for a problem (already recorded)
// or an empty cell.
func (c *rowCells) number(field, what string) (v float64, given, ok bool) {
	s := c.text(field)
	if s == "" {
		return 0, false, false
	}
	v, ok = parseNumber(s)
	if !ok {
		c.add(field, "%s“%s”不是数字 (not a number)", what, printable(s))
		return 0, true, false
	}
	return v, true, true
}

// blank reports whether every cell of row is empty.
func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// checkCell checks a cell's text: valid UTF-8, no NUL, not too long.
func checkCell(s string) string {
	switch {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "含有无效字符，请重新输入 (invalid characters)"
	case utf8.RuneCountInString(s) > maxCellRunes:
		return fmt.Sprintf("内容超过 %d 字，请精简 (longer than %d characters)", maxCellRunes, maxCellRunes)
	}
	return ""
}

// parseNumber reads a number written in a cell: ASCII or full-width
// digits, an optional trailing 分. It refuses NaN and infinities.
func parseNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		}
		return r
	}, s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "分"))
	if s == "" || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E')
	}) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseDate reads a date cell: an Excel serial number, or text such as
// 2026-06-30, 2026/6/30, 2026.6.30 or 2026年6月30日. The day is midnight
// China Standard Time.
func parseDate(s string) (time.Time, bool) {
	if f, ok := parseNumber(s); ok {
		if f < 1 || f > 2958465 { // 1900-01-01 … 9999-12-31
			return time.Time{}, false
		}
		t, err := excelize.ExcelDateToTime(f, false)
		if err != nil {
			return time.Time{}, false
		}
		return assess.Date(t.Year(), t.Month(), t.Day()), true
	}
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(strings.TrimSpace(s))
	t, err := time.ParseInLocation("2006-1-2", s, assess.CST)
	if err != nil || t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return assess.Date(t.Year(), t.Month(), t.Day()), true
}

// splitList splits a cell holding several names: separated by 、，,；; or
// line breaks, trimmed, empties dropped.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == '，' || r == ',' || r == '；' || r == ';' || r == '\n' || r == '\r'
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validID reports whether s can be part of an ID: no spaces, control
// characters or the separators / # @.
func validID(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/#@", r)
	})
}
