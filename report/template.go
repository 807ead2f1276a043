package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// importTemplate describes an import template workbook: a data sheet with
// a header row and example rows under it, checks over its data rows, the
// hidden sheet holding the longer drop-down lists, and a guide sheet.
type importTemplate struct {
	sheet  string
	fields []fieldSpec // the columns: titled "*" + title when required, width wide
	// tallHeader wraps the titles in a header row 28 points high.
	tallHeader bool
	// freezeFirst keeps the first column in view beside the header row.
	freezeFirst bool
	dateField   string  // a column whose dates show as yyyy-mm-dd
	examples    [][]any // rows under the header, in grey italics
	// wrapExamples wraps the example cells, aligned at the top.
	wrapExamples bool
	checks       []templateCheck
	guide        []fieldSpec // the guide's rows; fields when nil
	help         map[string]string
	intro        string // the guide's first line
}

// templateCheck is a data validation over a template's data rows: a
// range check when kind is set, else a drop-down of values, left out
// when there are no values.
type templateCheck struct {
	cols     string   // the column ("C") or columns ("C:D") checked
	values   []string // the drop-down's values
	listed   bool     // the values stand in a column of the list sheet
	kind     excelize.DataValidationType
	min, max any
	prompt   [2]string // the title and text shown when a cell is selected, if any
	soft     bool      // a value off the list is pointed out, not refused
	title    string    // the error message's title
	message  string    // the error message
}

// write writes the template to w as an .xlsx workbook.
func (t importTemplate) write(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := t.writeData(f); err != nil {
		return err
	}
	if err := t.writeChecks(f); err != nil {
		return err
	}
	guide := t.guide
	if guide == nil {
		guide = t.fields
	}
	if err := writeGuide(f, guide, t.help, t.intro); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// writeData writes the data sheet: its header row, frozen, and the
// example rows.
func (t importTemplate) writeData(f *excelize.File) error {
	if err := f.SetSheetName("Sheet1", t.sheet); err != nil {
		return err
	}
	hdr, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: t.tallHeader},
	})
	if err != nil {
		return err
	}
	for i, fs := range t.fields {
		col, _ := excelize.ColumnNumberToName(i + 1)
		title := fs.title
		if fs.required {
			title = "*" + title
		}
		if err := f.SetCellStr(t.sheet, col+"1", title); err != nil {
			return err
		}
		if err := f.SetColWidth(t.sheet, col, col, fs.width); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(t.fields))
	if err := f.SetCellStyle(t.sheet, "A1", last+"1", hdr); err != nil {
		return err
	}
	if t.tallHeader {
		if err := f.SetRowHeight(t.sheet, 1, 28); err != nil {
			return err
		}
	}
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
	if t.freezeFirst {
		panes = &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}
	}
	if err := f.SetPanes(t.sheet, panes); err != nil {
		return err
	}
	if t.dateField != "" {
		plainDate, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
		if err != nil {
			return err
		}
		if err := f.SetColStyle(t.sheet, columnOf(t.fields, t.dateField), plainDate); err != nil {
			return err
		}
	}
	for r, row := range t.examples {
		ref, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := f.SetSheetRow(t.sheet, ref, &row); err != nil {
			return err
		}
	}
	style := &excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}}
	if t.wrapExamples {
		style.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
	}
	example, err := f.NewStyle(style)
	if err != nil {
		return err
	}
	return f.SetCellStyle(t.sheet, "A2", fmt.Sprintf("%s%d", last, len(t.examples)+1), example)
}

// writeChecks writes the listed drop-downs' values, a column each, on the
// hidden list sheet, and adds the checks to the data sheet.
func (t importTemplate) writeChecks(f *excelize.File) error {
	if _, err := f.NewSheet(listSheet); err != nil {
		return err
	}
	listRef := map[int]string{} // check → its values on the list sheet
	for i, c := range t.checks {
		if !c.listed {
			continue
		}
		col, _ := excelize.ColumnNumberToName(len(listRef) + 1)
		for j, v := range c.values {
			if err := f.SetCellStr(listSheet, fmt.Sprintf("%s%d", col, j+1), v); err != nil {
				return err
			}
		}
		listRef[i] = fmt.Sprintf("'%s'!$%s$1:$%s$%d", listSheet, col, col, len(c.values))
	}
	if err := f.SetSheetVisible(listSheet, false); err != nil {
		return err
	}
	for i, c := range t.checks {
		if c.kind == 0 && len(c.values) == 0 {
			continue
		}
		dv := excelize.NewDataValidation(true)
		first, last, ok := strings.Cut(c.cols, ":")
		if !ok {
			last = first
		}
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", first, last, templateRows))
		switch {
		case c.kind != 0:
			if err := dv.SetRange(c.min, c.max, c.kind, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
		case c.listed:
			dv.SetSqrefDropList(listRef[i])
		default:
			if err := dv.SetDropList(c.values); err != nil {
				return err
			}
		}
		if c.prompt[0] != "" {
			dv.SetInput(c.prompt[0], c.prompt[1])
		}
		style := excelize.DataValidationErrorStyleStop
		if c.soft {
			style = excelize.DataValidationErrorStyleInformation
		}
		dv.SetError(style, c.title, c.message)
		if err := f.AddDataValidation(t.sheet, dv); err != nil {
			return err
		}
	}
	return nil
}

// writeGuide adds the sheet that explains each column.
func writeGuide(f *excelize.File, fields []fieldSpec, help map[string]string, intro string) error {
	if _, err := f.NewSheet(guideSheet); err != nil {
		return err
	}
	if err := f.SetCellStr(guideSheet, "A1", intro); err != nil {
		return err
	}
	if err := f.SetSheetRow(guideSheet, "A3", &[]any{"列名", "是否必填", "说明"}); err != nil {
		return err
	}
	for i, fs := range fields {
		req := ""
		if fs.required {
			req = "必填"
		}
		if err := f.SetSheetRow(guideSheet, fmt.Sprintf("A%d", i+4), &[]any{fs.title, req, help[fs.title]}); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(guideSheet, "A", "A", 16); err != nil {
		return err
	}
	if err := f.SetColWidth(guideSheet, "B", "B", 10); err != nil {
		return err
	}
	return f.SetColWidth(guideSheet, "C", "C", 80)
}

// columnOf returns the column letter of the field titled title, "" when
// there is none.
func columnOf(fields []fieldSpec, title string) string {
	for i, f := range fields {
		if f.title == title {
			c, _ := excelize.ColumnNumberToName(i + 1)
			return c
		}
	}
	return ""
}

// unitNames returns the names of units, in order.
func unitNames(units []assess.Unit) []string {
	out := make([]string, len(units))
	for i, u := range units {
		out[i] = u.Name
	}
	return out
}
