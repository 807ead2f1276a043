package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// The external scores workbook: sheet 外部评估, one score a row.
const externalSheet = "外部评估"

// External scores workbook columns.
const (
	colUnit   = "单位"
	colSource = "来源"
	colScore  = "得分"
	colFull   = "满分"
	colNote   = "备注"
)

var externalFields = []fieldSpec{
	{title: colUnit, aliases: []string{"单位名称", "unit"}, required: true},
	{title: colSource, aliases: []string{"评估来源", "类型", "source"}, required: true},
	{title: colScore, aliases: []string{"分数", "score"}, required: true},
	{title: colFull, aliases: []string{"max"}, required: true},
	{title: colNote, aliases: []string{"说明", "note"}},
}

var externalHelp = map[string]string{
	colUnit:   "必填。单位名称，从下拉列表选择。",
	colSource: "必填。第三方评估、民意调查或现场督察。",
	colScore:  "必填。0 到满分之间的数字，最多两位小数。",
	colFull:   "必填。大于 0 的数字，如 100。",
	colNote:   "可填写评估机构、调查样本量等说明。",
}

var sources = []assess.Source{assess.ThirdParty, assess.Survey, assess.Onsite}

// ExternalTemplate writes the external scores import template (.xlsx): the
// header row, an example row (its unit starting with 示例, so an import
// skips it), a sheet explaining the columns, and drop-down lists of the
// units and of the three sources.
func ExternalTemplate(w io.Writer, units []assess.Unit) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", externalSheet); err != nil {
		return err
	}
	hdr, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	if err != nil {
		return err
	}
	for i, fs := range externalFields {
		col, _ := excelize.ColumnNumberToName(i + 1)
		title := fs.title
		if fs.required {
			title = "*" + title
		}
		if err := f.SetCellStr(externalSheet, col+"1", title); err != nil {
			return err
		}
		if err := f.SetColWidth(externalSheet, col, col, []float64{20, 14, 10, 10, 40}[i]); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(externalSheet, "A1", "E1", hdr); err != nil {
		return err
	}
	if err := f.SetPanes(externalSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.SetSheetRow(externalSheet, "A2", &[]any{examplePrefix + "：东城区", assess.Survey.Label(), 86.5, 100, "以“示例”开头的行不会导入"}); err != nil {
		return err
	}
	example, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(externalSheet, "A2", "E2", example); err != nil {
		return err
	}
	if _, err := f.NewSheet(listSheet); err != nil {
		return err
	}
	for i, u := range units {
		if err := f.SetCellStr(listSheet, fmt.Sprintf("A%d", i+1), u.Name); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(listSheet, false); err != nil {
		return err
	}
	if len(units) > 0 {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("A2:A%d", templateRows))
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$1:$A$%d", listSheet, len(units)))
		dv.SetError(excelize.DataValidationErrorStyleStop, "单位", "请从列表中选择单位。")
		if err := f.AddDataValidation(externalSheet, dv); err != nil {
			return err
		}
	}
	src := excelize.NewDataValidation(true)
	src.SetSqref(fmt.Sprintf("B2:B%d", templateRows))
	var labels []string
	for _, s := range sources {
		labels = append(labels, s.Label())
	}
	if err := src.SetDropList(labels); err != nil {
		return err
	}
	src.SetError(excelize.DataValidationErrorStyleStop, "来源", "请选择第三方评估、民意调查或现场督察。")
	if err := f.AddDataValidation(externalSheet, src); err != nil {
		return err
	}
	num := excelize.NewDataValidation(true)
	num.SetSqref(fmt.Sprintf("C2:D%d", templateRows))
	if err := num.SetRange(0, 100000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	num.SetError(excelize.DataValidationErrorStyleStop, "分数", "请输入数字。")
	if err := f.AddDataValidation(externalSheet, num); err != nil {
		return err
	}
	if err := writeGuide(f, externalFields, externalHelp, "外部评估导入说明：每行填写一个单位一项来源的得分；同一单位同一来源只能出现一次。导入时会检查全部行，有任何问题都不会导入。"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// ExternalID returns the ID of a unit's external score of a source in a
// year: "yearID/unitID/source".
func ExternalID(yearID, unitID string, src assess.Source) string {
	return assess.ExternalID(yearID, unitID, src)
}

// ImportExternal reads the external scores workbook (sheet 外部评估, or the
// first sheet) for the year yearID, with the rules of ImportIndicators:
// every row is checked (an unknown unit or source, a score or maximum that
// is not a number or out of range, the same unit and source twice), every
// problem is reported with its sheet, row, column and a Chinese reason, and
// scores are returned only when there is none, ordered by unit (in the
// order of units) and source. Each score's ID is ExternalID and its
// UpdatedAt is now.
func ImportExternal(r io.Reader, yearID string, units []assess.Unit, now time.Time) ([]assess.ExternalScore, []ImportProblem, error) {
	if !validID(yearID) {
		return nil, nil, assess.Errorf(assess.EInvalid, "考核年度编号“%s”无效 (bad year ID)", yearID)
	}
	f, err := openWorkbook(r)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sheet, rows, err := sheetRows(f, externalSheet)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, []ImportProblem{{Sheet: sheet, Row: 1, Reason: "工作表是空的，请在模板中填写后再导入 (the sheet is empty)"}}, nil
	}
	if len(rows) > maxImportRows+1 {
		return nil, []ImportProblem{{Sheet: sheet, Row: maxImportRows + 2, Reason: fmt.Sprintf("超过 %d 行，请分批导入 (more than %d rows)", maxImportRows, maxImportRows)}}, nil
	}
	h, probs := readHeader(sheet, rows[0], externalFields)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	res := resolver{units: units}
	seen := map[[2]string]int{}
	var out []assess.ExternalScore
	for i, row := range rows[1:] {
		n := i + 2
		if blank(row) || strings.HasPrefix(h.cell(row, colUnit), examplePrefix) {
			continue
		}
		e, ps := parseExternalRow(h, n, row, yearID, res, now)
		probs = append(probs, ps...)
		if len(ps) > 0 {
			continue
		}
		key := [2]string{e.UnitID, string(e.Source)}
		if first, dup := seen[key]; dup {
			probs = append(probs, h.problem(n, colSource, "%s的%s得分与第 %d 行重复，同一单位同一来源只能填写一次 (duplicate unit and source)", h.cell(row, colUnit), e.Source.Label(), first))
			continue
		}
		seen[key] = n
		out = append(out, e)
	}
	if len(out) == 0 && len(probs) == 0 {
		return nil, []ImportProblem{{Sheet: sheet, Row: 2, Reason: "没有可导入的得分（以“示例”开头的行不会导入），请填写后再导入 (no scores in the sheet)"}}, nil
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs, nil
	}
	place := map[string]int{}
	for i, u := range units {
		if _, ok := place[u.ID]; !ok {
			place[u.ID] = i
		}
	}
	slices.SortStableFunc(out, func(a, b assess.ExternalScore) int {
		if c := cmp.Compare(place[a.UnitID], place[b.UnitID]); c != 0 {
			return c
		}
		return cmp.Compare(slices.Index(sources, a.Source), slices.Index(sources, b.Source))
	})
	return out, nil, nil
}

func parseExternalRow(h header, n int, row []string, yearID string, res resolver, now time.Time) (assess.ExternalScore, []ImportProblem) {
	c := &rowCells{h: h, n: n, row: row}
	e := assess.ExternalScore{YearID: yearID, UpdatedAt: now}
	switch u := c.text(colUnit); {
	case u == "":
		c.add(colUnit, "单位不能为空 (unit is required)")
	default:
		id, ok := res.unit(u)
		if !ok {
			c.add(colUnit, "单位“%s”不存在，请从下拉列表选择或核对名称 (unknown unit)", printable(u))
		}
		e.UnitID = id
	}
	switch s := c.text(colSource); {
	case s == "":
		c.add(colSource, "来源不能为空，请选择第三方评估、民意调查或现场督察 (source is required)")
	default:
		e.Source = parseSource(s)
		if e.Source == "" {
			c.add(colSource, "来源“%s”无效，应为第三方评估、民意调查或现场督察 (unknown source)", printable(s))
		}
	}
	number := func(field, what string) (float64, bool) {
		v, given, ok := c.number(field, what)
		if !given {
			c.add(field, "%s不能为空 (%s is required)", what, field)
			return 0, false
		}
		if ok && math.Abs(v*100-math.Round(v*100)) > 1e-6 {
			c.add(field, "%s最多保留两位小数 (more than two decimals)", what)
			return 0, false
		}
		return v, ok
	}
	score, okScore := number(colScore, "得分")
	full, okFull := number(colFull, "满分")
	if okFull && (full <= 0 || full > 100000) {
		c.add(colFull, "满分应大于 0 (max must be positive)")
		okFull = false
	}
	if okScore && score < 0 {
		c.add(colScore, "得分不能为负数 (score must not be negative)")
		okScore = false
	}
	if okScore && okFull && score > full {
		c.add(colScore, "得分 %s 超过满分 %s (score above max)", assess.FormatScore(score), assess.FormatScore(full))
	}
	e.Score, e.Max = score, full
	e.Note = c.text(colNote)
	if len(c.probs) == 0 {
		if err := e.Validate(); err != nil {
			c.add(colScore, "%s", assess.ErrorMessage(err))
		}
		e.ID = assess.ExternalID(yearID, e.UnitID, e.Source)
	}
	return e, c.probs
}

// parseSource reads a source by its Chinese label or its ID.
func parseSource(s string) assess.Source {
	for _, src := range sources {
		if s == src.Label() || s == string(src) {
			return src
		}
	}
	switch s {
	case "第三方", "第三方评价":
		return assess.ThirdParty
	case "民意调查满意度", "满意度调查", "群众满意度":
		return assess.Survey
	case "现场检查", "实地督察":
		return assess.Onsite
	}
	return ""
}
