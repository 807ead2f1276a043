package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"github.com/yiwangtong/yiwangtong/assess"
)

// ImportError is the error of an import refused because of problems in its
// rows: every problem found, in row order, and nothing was imported. It
// wraps an *assess.Error (EInvalid) whose message lists the problems, so
// assess.ErrorMessage shows them to the user.
type ImportError struct {
	Problems []ImportProblem
}

// maxListedProblems bounds the problems an ImportError's message lists.
const maxListedProblems = 100

// Error lists the problems, one a line.
func (e *ImportError) Error() string { return e.message() }

// Unwrap returns the *assess.Error with the same message.
func (e *ImportError) Unwrap() error {
	return &assess.Error{Code: assess.EInvalid, Message: e.message()}
}

func (e *ImportError) message() string {
	var b strings.Builder
	fmt.Fprintf(&b, "文件有 %d 处问题，没有导入任何记录；请改正后重新导入 (%d problems, nothing imported)：", len(e.Problems), len(e.Problems))
	for i, p := range e.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(&b, "\n……另有 %d 处问题 (and %d more)", len(e.Problems)-i, len(e.Problems)-i)
			break
		}
		b.WriteString("\n")
		b.WriteString(p.Error())
	}
	return b.String()
}

// problemsError returns nil without problems, else an *ImportError with
// them in row order.
func problemsError(probs []ImportProblem) error {
	if len(probs) == 0 {
		return nil
	}
	sortProblems(probs)
	return &ImportError{Problems: probs}
}

// readTable reads the rows of an import file: an .xlsx workbook (the sheet
// named want, or the first sheet), or a CSV file, whose rows are named as
// Excel names the one sheet of a CSV file it opens: after the file. The
// kind is told by the content (a workbook is a ZIP file), then by the name.
// A CSV file may be UTF-8 with or without a byte-order mark, UTF-16 with
// one (Excel's Unicode text, tab-separated), or GB18030/GBK as Excel saves
// “CSV (逗号分隔)” on Chinese Windows. Cells are trimmed by the callers;
// dates in a workbook come as serial numbers.
func readTable(r io.Reader, name, want string) (sheet string, rows [][]string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxImportBytes {
		return "", nil, assess.Errorf(assess.ETooLarge, "文件超过 32 MB，请删除多余内容或分批导入 (file larger than 32 MB)")
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK")):
		f, err := openWorkbook(bytes.NewReader(data))
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		return sheetRows(f, want)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xls":
		return "", nil, assess.Errorf(assess.EInvalid, "不支持旧版 Excel 97-2003 工作簿（.xls），请在 Excel 中另存为 .xlsx 或“CSV UTF-8（逗号分隔）”后再导入 (.xls is not supported; save as .xlsx or CSV)")
	case ext == ".xlsx" || ext == ".xlsm":
		return "", nil, assess.Errorf(assess.EInvalid, "文件不是有效的 Excel 工作簿（.xlsx），请用模板填写后另存为 .xlsx 再导入 (not an .xlsx workbook)")
	}
	sheet = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if name == "" || sheet == "." || sheet == "" {
		sheet = "CSV"
	}
	text, err := decodeCSV(data)
	if err != nil {
		return sheet, nil, err
	}
	rows, err = parseCSV(text)
	return sheet, rows, err
}

// maxTitleRows bounds the rows above a header row that headerRow skips.
const maxTitleRows = 10

// headerRow returns the index of the header row in rows: the first of the
// first rows that names every required field (by title or alias), so that
// title rows above the header, as a contractor's file often has, are
// skipped; 0 when no row does.
func headerRow(rows [][]string, fields []fieldSpec) int {
	for i, row := range rows[:min(len(rows), maxTitleRows+1)] {
		if _, probs := readHeader("", row, fields); len(probs) == 0 {
			return i
		}
	}
	return 0
}

// findHeader returns the index of the header row of rows, as headerRow
// finds it, or the problem of a file without one (columns naming the
// expected columns) or with too many rows.
func findHeader(sheet string, rows [][]string, fields []fieldSpec, columns string) (int, []ImportProblem) {
	skip := 0
	if len(rows) > 0 {
		skip = headerRow(rows, fields)
	}
	if len(rows) == 0 || blank(rows[skip]) {
		return 0, []ImportProblem{{Sheet: sheet, Row: 1, Reason: "第 1 行应为列名（" + columns + "），文件是空的或第 1 行为空 (no header row)"}}
	}
	return skip, tooManyRows(sheet, rows)
}

// tooManyRows returns the problem of a sheet with more rows than an import
// reads, nil when there are not.
func tooManyRows(sheet string, rows [][]string) []ImportProblem {
	if len(rows) <= maxImportRows+1 {
		return nil
	}
	return []ImportProblem{{Sheet: sheet, Row: maxImportRows + 2, Reason: fmt.Sprintf("超过 %d 行，请分批导入 (more than %d rows)", maxImportRows, maxImportRows)}}
}

// dataRows yields the rows under the header row rows[skip] with their
// numbers in the sheet, passing over empty rows and example rows (whose
// cell of field starts with 示例).
func dataRows(h header, rows [][]string, skip int, field string) iter.Seq2[int, []string] {
	return func(yield func(int, []string) bool) {
		for i, row := range rows[skip+1:] {
			if blank(row) || strings.HasPrefix(h.cell(row, field), examplePrefix) {
				continue
			}
			if !yield(skip+i+2, row) {
				return
			}
		}
	}
}

// unitPlaces maps each unit's ID to its first place in units.
func unitPlaces(units []assess.Unit) map[string]int {
	place := map[string]int{}
	for i, u := range units {
		if _, ok := place[u.ID]; !ok {
			place[u.ID] = i
		}
	}
	return place
}

// shiftRows moves problems found in rows[skip:] to their rows in the file.
func shiftRows(probs []ImportProblem, skip int) []ImportProblem {
	for i := range probs {
		probs[i].Row += skip
	}
	return probs
}

// decodeCSV decodes a CSV file's bytes to UTF-8 text.
func decodeCSV(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		s, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil || bytes.ContainsRune(s, utf8.RuneError) {
			return "", badEncoding()
		}
		return string(s), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	// Not UTF-8: Excel's “CSV (逗号分隔)” on Chinese Windows is GBK, which
	// GB18030 extends.
	s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(s, utf8.RuneError) {
		return "", badEncoding()
	}
	return string(s), nil
}

func badEncoding() error {
	return assess.Errorf(assess.EInvalid, "文件既不是 Excel 工作簿，也不是能识别编码的 CSV 文件；请在 Excel 中另存为 .xlsx 或“CSV UTF-8（逗号分隔）”后再导入 (unrecognised file encoding; save as .xlsx or UTF-8 CSV)")
}

// parseCSV splits CSV text into rows. The separator is a comma, or a tab
// when the first line has tabs and no commas (Excel's Unicode text).
func parseCSV(text string) ([][]string, error) {
	if strings.ContainsRune(text, 0) {
		return nil, badEncoding()
	}
	first, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Contains(first, "\t") && !strings.Contains(first, ",") {
		cr.Comma = '\t'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, assess.Errorf(assess.EInvalid, "CSV 文件第 %d 行格式有误（引号不成对等），请在 Excel 中打开核对后重新保存 (CSV syntax error on line %d)", line, line)
		}
		if len(rows) > maxImportRows+1 {
			return rows, nil // the caller reports the row limit
		}
		rows = append(rows, rec)
	}
}
