package report

import (
	"cmp"
	"io"
	"math"
	"slices"
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
	{title: colUnit, aliases: []string{"单位名称", "unit"}, required: true, width: 20},
	{title: colSource, aliases: []string{"评估来源", "类型", "source"}, required: true, width: 14},
	{title: colScore, aliases: []string{"分数", "score"}, required: true, width: 10},
	{title: colFull, aliases: []string{"max"}, required: true, width: 10},
	{title: colNote, aliases: []string{"说明", "note"}, width: 40},
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
	var labels []string
	for _, s := range sources {
		labels = append(labels, s.Label())
	}
	return importTemplate{
		sheet:    externalSheet,
		fields:   externalFields,
		examples: [][]any{{examplePrefix + "：东城区", assess.Survey.Label(), 86.5, 100, "以“示例”开头的行不会导入"}},
		checks: []templateCheck{
			{cols: "A", values: unitNames(units), listed: true, title: "单位", message: "请从列表中选择单位。"},
			{cols: "B", values: labels, title: "来源", message: "请选择第三方评估、民意调查或现场督察。"},
			{cols: "C:D", kind: excelize.DataValidationTypeDecimal, min: 0, max: 100000, title: "分数", message: "请输入数字。"},
		},
		help:  externalHelp,
		intro: "外部评估导入说明：每行填写一个单位一项来源的得分；同一单位同一来源只能出现一次。导入时会检查全部行，有任何问题都不会导入。",
	}.write(w)
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
	if probs := tooManyRows(sheet, rows); probs != nil {
		return nil, probs, nil
	}
	h, probs := readHeader(sheet, rows[0], externalFields)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	res := resolver{units: units}
	seen := map[[2]string]int{}
	var out []assess.ExternalScore
	for n, row := range dataRows(h, rows, 0, colUnit) {
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
	place := unitPlaces(units)
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
	e.UnitID = c.unit(res, "请从下拉列表选择或核对名称")
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
