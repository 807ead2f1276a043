package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The leads workbook: sheet 督察线索, one lead a row.
const leadSheet = "督察线索"

// Leads workbook columns.
const (
	colLeadSource    = "来源"
	colLeadRecord    = "记录编号"
	colLeadDate      = "日期"
	colLeadSummary   = "摘要"
	colLeadIndicator = "指标编号"
)

var leadFields = []fieldSpec{
	{title: colLeadSource, aliases: []string{"线索来源", "来源系统", "source"}, required: true, width: 16},
	{title: colLeadRecord, aliases: []string{"原记录编号", "来源记录编号", "案号", "record_id"}, required: true, width: 20},
	{title: colUnit, aliases: []string{"单位名称", "涉及单位", "责任单位", "unit", "unit_id"}, required: true, width: 20},
	{title: colLeadDate, aliases: []string{"发生日期", "立案日期", "决定日期", "date"}, required: true, width: 12},
	{title: colLeadSummary, aliases: []string{"内容摘要", "案情摘要", "内容", "summary"}, required: true, width: 60},
	{title: colLeadIndicator, aliases: []string{"相关指标", "指标", "indicator_code", "indicator"}, width: 12},
}

var leadHelp = map[string]string{
	colLeadSource:    "必填。行政诉讼败诉、行政复议纠错、信访、12345热线或人大建议政协提案（也可填 litigation、reconsideration、petition、hotline、proposal）。",
	colLeadRecord:    "必填。线索在来源系统中的编号（案号、工单号等）。同一来源同一编号再次导入时更新原线索，不会重复。",
	colUnit:          "必填。单位名称或单位编号，从下拉列表选择。",
	colLeadDate:      "必填。案件、决定或投诉的日期，如 2026-03-15。",
	colLeadSummary:   fmt.Sprintf("必填。线索内容摘要，不超过 %d 字。", assess.MaxLeadSummaryRunes),
	colLeadIndicator: "可不填。线索涉及的考核指标编号，如 3.2.1，须是本年度已有的指标。",
}

// LeadTemplate writes the leads import template (.xlsx): sheet 督察线索
// with the columns 来源, 记录编号, 单位, 日期, 摘要, 指标编号; an example row
// (its record ID starting with 示例, so an import skips it); a sheet
// explaining the columns; drop-down lists of the sources, the units and the
// codes of indicators, and a date check.
func LeadTemplate(w io.Writer, units []assess.Unit, indicators []assess.Indicator) error {
	exampleUnit, exampleCode := "东城区", ""
	if len(units) > 0 {
		exampleUnit = units[0].Name
	}
	codes := leafCodes(indicators)
	if len(codes) > 0 {
		exampleCode = codes[0]
	}
	var labels []string
	for _, s := range assess.LeadSources {
		labels = append(labels, s.Label())
	}
	col := func(field string) string { return columnOf(leadFields, field) }
	return importTemplate{
		sheet:     leadSheet,
		fields:    leadFields,
		dateField: colLeadDate,
		examples: [][]any{{assess.LeadLitigation.Label(), examplePrefix + "（2026）京0101行初123号", exampleUnit, "2026-03-15",
			"原告诉被告不履行政府信息公开法定职责一案，一审判决被告败诉。以“示例”开头的记录编号不会导入。", exampleCode}},
		checks: []templateCheck{
			{cols: col(colLeadSource), values: labels, title: "来源", message: "请从列表中选择线索来源。"},
			{cols: col(colUnit), values: unitNames(units), listed: true, title: "单位", message: "请从列表中选择单位。"},
			{cols: col(colLeadIndicator), values: codes, listed: true, title: "指标编号", message: "请从列表中选择指标编号，或留空。"},
			{cols: col(colLeadDate), kind: excelize.DataValidationTypeDate, min: "1900-01-01", max: "9999-12-31", soft: true, title: "日期", message: "请输入日期，如 2026-03-15。"},
		},
		help:  leadHelp,
		intro: fmt.Sprintf("督察线索导入说明：每行填写一条线索，一次最多 %d 条。导入时会检查全部行，有任何问题都不会导入。同一来源、同一记录编号的线索再次导入时更新原线索（已作出的扣分决定保留），内容未变的不作改动。", wire.MaxLeadBatch),
	}.write(w)
}

// leafCodes returns the codes of the indicators without sub-indicators, in
// code order.
func leafCodes(indicators []assess.Indicator) []string {
	parents := map[string]bool{}
	for _, in := range indicators {
		parents[in.ParentID] = true
	}
	var codes []string
	for _, in := range indicators {
		if !parents[in.ID] {
			codes = append(codes, in.Code)
		}
	}
	slices.SortStableFunc(codes, assess.CompareCodes)
	return codes
}

// ParseLeads reads leads from an .xlsx workbook (sheet 督察线索, or the first
// sheet) or a CSV file (UTF-8, or GB18030/GBK as Excel saves it); name is
// the file's name. The header row is the first of the first 11 rows with
// every required column (title rows above it are skipped). The columns are 来源 (a code or Chinese name, as
// assess.ParseLeadSource reads it), 记录编号, 单位 (name or ID), 日期
// (YYYY-MM-DD, 2026/3/15, 2026年3月15日 or an Excel date), 摘要 and,
// optionally, 指标编号 (the code, or ID, of one of indicators). Rows whose
// 记录编号 starts with 示例 and empty rows are skipped.
//
// Every row is checked (an unknown source, unit or indicator, a bad date, a
// missing or too long record ID or summary, the same source and record ID
// twice, more than wire.MaxLeadBatch leads) and the leads are returned only
// when there is no problem at all; otherwise the error is an *ImportError
// listing every problem with its row and column in Chinese. A lead's UnitID
// is the unit's ID, its IndicatorCode the indicator's code and its YearID
// the indicator's year (empty without an indicator: the server takes the
// year of the date). Any other error is an *assess.Error about the file.
func ParseLeads(r io.Reader, name string, units []assess.Unit, indicators []assess.Indicator) ([]wire.LeadRecord, error) {
	sheet, rows, err := readTable(r, name, leadSheet)
	if err != nil {
		return nil, err
	}
	skip, probs := findHeader(sheet, rows, leadFields, "来源、记录编号、单位、日期、摘要、指标编号")
	if len(probs) > 0 {
		return nil, problemsError(probs)
	}
	h, probs := readHeader(sheet, rows[skip], leadFields)
	if len(probs) > 0 {
		return nil, problemsError(shiftRows(probs, skip))
	}
	res := resolver{units: units}
	seen := map[string]int{}
	var out []wire.LeadRecord
	for n, row := range dataRows(h, rows, skip, colLeadRecord) {
		l, ps := parseLeadRow(h, n, row, res, indicators)
		probs = append(probs, ps...)
		if l.Source == "" || l.RecordID == "" {
			continue
		}
		key := assess.LeadID(l.Source, l.RecordID)
		if first, dup := seen[key]; dup {
			probs = append(probs, h.problem(n, colLeadRecord, "%s记录编号“%s”与第 %d 行重复，同一来源同一编号只能有一行 (duplicate record)", l.Source.Label(), printable(l.RecordID), first))
			continue
		}
		seen[key] = n
		if len(ps) == 0 {
			out = append(out, l)
		}
	}
	switch {
	case len(out) == 0 && len(probs) == 0:
		probs = append(probs, ImportProblem{Sheet: sheet, Row: skip + 2, Reason: "没有可导入的线索（记录编号以“示例”开头的行不会导入），请填写后再导入 (no leads in the file)"})
	case len(out) > wire.MaxLeadBatch:
		probs = append(probs, ImportProblem{Sheet: sheet, Row: skip + 1, Reason: fmt.Sprintf("共 %d 条线索，一次最多导入 %d 条，请分成几个文件导入 (at most %d leads at a time)", len(out), wire.MaxLeadBatch, wire.MaxLeadBatch)})
	}
	if err := problemsError(probs); err != nil {
		return nil, err
	}
	return out, nil
}

// parseLeadRow reads one lead. Its Source and RecordID are set when valid,
// even when the row has other problems, so that a repeated record is
// reported too.
func parseLeadRow(h header, n int, row []string, res resolver, indicators []assess.Indicator) (wire.LeadRecord, []ImportProblem) {
	c := &rowCells{h: h, n: n, row: row}
	var l wire.LeadRecord
	switch s := c.text(colLeadSource); {
	case s == "":
		c.add(colLeadSource, "来源不能为空 (source is required)")
	default:
		src, ok := assess.ParseLeadSource(s)
		if !ok {
			c.add(colLeadSource, "来源“%s”无效，应为行政诉讼败诉、行政复议纠错、信访、12345热线或人大建议政协提案 (unknown source)", printable(s))
		}
		l.Source = src
	}
	switch id := c.text(colLeadRecord); {
	case id == "":
		c.add(colLeadRecord, "记录编号不能为空 (record ID is required)")
	case len(id) > 128 || strings.ContainsFunc(id, unicode.IsControl):
		c.add(colLeadRecord, "记录编号超过 128 字节或含有控制字符 (record ID longer than 128 bytes or with control characters)")
	default:
		l.RecordID = id
	}
	l.UnitID = c.unit(res, "请从下拉列表选择或核对单位名称、编号")
	var day time.Time
	switch s := c.text(colLeadDate); {
	case s == "":
		c.add(colLeadDate, "日期不能为空 (date is required)")
	default:
		t, ok := parseDate(s)
		if !ok {
			c.add(colLeadDate, "日期“%s”无法识别，请写成 2026-03-15 的形式 (bad date)", printable(s))
			break
		}
		day = t
		l.Date = t.Format("2006-01-02")
	}
	switch s := c.text(colLeadSummary); {
	case s == "":
		c.add(colLeadSummary, "摘要不能为空 (summary is required)")
	case len([]rune(s)) > assess.MaxLeadSummaryRunes:
		c.add(colLeadSummary, "摘要超过 %d 字，请精简 (summary longer than %d characters)", assess.MaxLeadSummaryRunes, assess.MaxLeadSummaryRunes)
	default:
		l.Summary = s
	}
	if code := c.text(colLeadIndicator); code != "" {
		in, ok := findIndicator(indicators, code)
		if !ok {
			c.add(colLeadIndicator, "指标编号“%s”不存在，请核对本年度的指标编号，或留空 (unknown indicator)", printable(code))
		}
		l.IndicatorCode, l.YearID = in.Code, in.YearID
	}
	if len(c.probs) == 0 {
		lead := assess.Lead{Source: l.Source, RecordID: l.RecordID, UnitID: l.UnitID, Date: day, Summary: l.Summary}
		if err := lead.Validate(); err != nil {
			c.add(colLeadRecord, "%s", assess.ErrorMessage(err))
		}
	}
	return l, c.probs
}

// findIndicator returns the indicator with code s, or with ID s.
func findIndicator(indicators []assess.Indicator, s string) (assess.Indicator, bool) {
	for _, in := range indicators {
		if in.Code == s {
			return in, true
		}
	}
	for _, in := range indicators {
		if in.ID == s {
			return in, true
		}
	}
	return assess.Indicator{}, false
}
