package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// The results of one source as a survey contractor or third-party evaluator
// delivers them: one unit a row, with its sample size, its overall score
// and any number of item scores.

// Survey results columns; every other titled column is an item score.
const (
	colSample     = "样本量"
	colSurveyFull = "满分"
	colItems      = "（分项得分）" // the item columns, in the template's guide
)

var surveyFields = []fieldSpec{
	{title: colUnit, aliases: []string{"单位名称", "被评估单位", "被调查单位", "unit", "unit_id"}, required: true},
	{title: colSample, aliases: []string{"样本数", "有效样本", "有效样本量", "有效样本数", "样本", "sample", "sample_size"}},
	{title: colScore, aliases: []string{"满意度得分", "综合得分", "总得分", "总分", "满意度", "总体满意度", "综合满意度", "评估得分", "score"}},
	{title: colSurveyFull, aliases: []string{"max"}},
	{title: colNote, aliases: []string{"说明", "note"}},
}

// surveyIgnored are column titles that are neither a field nor an item:
// a row number, a rank, the unit's ID or group beside its name.
var surveyIgnored = []string{"序号", "排名", "名次", "单位编号", "分组", "单位分组", "所属分组"}

// surveyDefaultItems are the template's example item columns.
var surveyDefaultItems = map[assess.Source][]string{
	assess.Survey:     {"政务公开满意度", "行政执法满意度", "政务服务满意度"},
	assess.ThirdParty: {"依法决策", "规范执法", "政务公开"},
}

// Bounds of a survey row.
const (
	maxSampleSize = 100_000_000
	maxItems      = 50 // as assess.ExternalScore.Validate allows
)

// scoreTitle is the overall score's column title in the template of src.
func scoreTitle(src assess.Source) string {
	if src == assess.Survey {
		return "满意度得分"
	}
	return colScore
}

// checkSurveySource refuses a source the survey format does not carry.
func checkSurveySource(src assess.Source) error {
	if src != assess.Survey && src != assess.ThirdParty {
		return assess.Errorf(assess.EInvalid, "只能导入民意调查或第三方评估的结果，现场督察得分由督察记录计算 (only survey or third-party results)")
	}
	return nil
}

// SurveyTemplate writes the import template (.xlsx) of one source's
// results, src being assess.Survey (民意调查) or assess.ThirdParty
// (第三方评估), as a contractor delivers them: sheet named after the
// source with the columns 单位, 样本量, 满意度得分 (得分 for third-party
// evaluation), 满分, one column per item of items (the source's usual items
// when empty) and 备注; an example row (its unit starting with 示例, so an
// import skips it); a sheet explaining the columns; a drop-down list of the
// units and number checks.
func SurveyTemplate(w io.Writer, src assess.Source, units []assess.Unit, items []string) error {
	if err := checkSurveySource(src); err != nil {
		return err
	}
	if len(items) == 0 {
		items = surveyDefaultItems[src]
	}
	if len(items) > maxItems {
		return assess.Errorf(assess.EInvalid, "分项最多 %d 项 (at most %d items)", maxItems, maxItems)
	}
	fields := []fieldSpec{
		{title: colUnit, required: true},
		{title: colSample},
		{title: scoreTitle(src)},
		{title: colSurveyFull},
	}
	help := map[string]string{
		colUnit:         "必填。单位名称（或单位编号），从下拉列表选择；每个单位一行，不能重复。以“示例”开头的行不会导入。",
		colSample:       "可不填。有效样本数，0 或正整数。",
		scoreTitle(src): "总体得分，0 到满分之间的数字。不填时取各分项得分的平均值（保留两位小数）；分项也不填则不能导入。",
		colSurveyFull:   "可不填，默认 100。得分和各分项得分的满分。",
		colNote:         "可填写调查机构、调查时间等说明。",
		colItems:        "其余各列为分项得分：列名即分项名称（可增删、改名），0 到满分之间的数字；某单位没有该项得分的留空。",
	}
	for _, it := range items {
		fields = append(fields, fieldSpec{title: it})
	}
	fields = append(fields, fieldSpec{title: colNote})
	guide := append(slices.Clone(fields[:4]), fieldSpec{title: colItems}, fieldSpec{title: colNote})
	example := []any{examplePrefix + "：东城区", 1200, nil, 100}
	for i := range fields {
		fs := &fields[i]
		fs.width = 14
		switch {
		case i == 0:
			fs.width = 20
		case fs.title == colNote:
			fs.width = 36
		}
		if i >= 4 && fs.title != colNote {
			example = append(example, []float64{88.5, 84, 91.25, 86, 90}[(i-4)%5])
		}
	}
	example = append(example, "以“示例”开头的行不会导入；得分留空时取分项平均值")
	lastItem, _ := excelize.ColumnNumberToName(len(fields) - 1)
	return importTemplate{
		sheet:       src.Label(),
		fields:      fields,
		tallHeader:  true,
		freezeFirst: true,
		examples:    [][]any{example},
		checks: []templateCheck{
			{cols: "A", values: unitNames(units), listed: true, title: "单位", message: "请从列表中选择单位。"},
			{cols: "B", kind: excelize.DataValidationTypeWhole, min: 0, max: maxSampleSize, title: colSample, message: "请输入 0 或正整数。"},
			{cols: "C:" + lastItem, kind: excelize.DataValidationTypeDecimal, min: 0, max: 100000, title: "分数", message: "请输入数字。"},
		},
		guide: guide,
		help:  help,
		intro: fmt.Sprintf("%s结果导入说明：每行填写一个单位的结果；也可以直接导入调查机构提供的 Excel 或 CSV 文件，只要第 1 行是列名、有“单位”列。导入时会检查全部行，有任何问题都不会导入。", src.Label()),
	}.write(w)
}

// surveyHeader is a survey file's header: the known fields and the item
// columns.
type surveyHeader struct {
	header
	items []surveyItem
}

type surveyItem struct {
	name string
	col  int
}

// readSurveyHeader reads the header row: the known fields by title or
// alias, every other titled column an item (the ignored titles aside).
func readSurveyHeader(sheet string, rows [][]string) (surveyHeader, []ImportProblem) {
	h, probs := readHeader(sheet, rows[0], surveyFields)
	sh := surveyHeader{header: h}
	known := map[int]bool{}
	for _, i := range h.index {
		known[i] = true
	}
	names := map[string]int{}
	for i, title := range rows[0] {
		col, _ := excelize.ColumnNumberToName(i + 1)
		name := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(title), "*＊"))
		norm := strings.ToLower(strings.Join(strings.Fields(name), ""))
		switch {
		case known[i] || slices.Contains(surveyIgnored, norm):
			continue
		case norm == strings.ToLower(colSource) || norm == "评估来源":
			probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Column: col, Field: name,
				Reason: "表中有“来源”列：这里一次只导入一种来源的结果，请删除该列，或改用“外部评估”模板导入 (a source column: this import takes one source)"})
			continue
		case name == "":
			for _, r := range rows[1:] {
				if i < len(r) && strings.TrimSpace(r[i]) != "" {
					probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Column: col,
						Reason: "该列有数据但没有列名，请在第 1 行填写分项名称，或删除该列 (a column with data has no title)"})
					break
				}
			}
			continue
		case checkCell(name) != "" || len([]rune(name)) > 100:
			probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Column: col, Reason: "列名过长或含有无效字符 (bad column title)"})
			continue
		}
		if first, dup := names[name]; dup {
			c, _ := excelize.ColumnNumberToName(first + 1)
			probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Column: col, Field: name,
				Reason: fmt.Sprintf("分项“%s”与 %s 列重名，请修改列名 (duplicate item column)", printable(name), c)})
			continue
		}
		names[name] = i
		sh.items = append(sh.items, surveyItem{name: name, col: i})
	}
	if len(sh.items) > maxItems {
		probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Reason: fmt.Sprintf("分项得分最多 %d 列，表中有 %d 列 (at most %d item columns)", maxItems, len(sh.items), maxItems)})
	}
	if _, ok := h.index[colScore]; !ok && len(sh.items) == 0 && len(probs) == 0 {
		probs = append(probs, ImportProblem{Sheet: sheet, Row: 1, Reason: "缺少“得分”列：请填写“满意度得分”或“得分”列，或至少一列分项得分 (no score column and no item columns)"})
	}
	return sh, probs
}

// ImportSurvey reads the results of one source, src being assess.Survey
// (民意调查) or assess.ThirdParty (第三方评估), for the year yearID from an
// .xlsx workbook (the sheet named after the source, or the first sheet) or
// a CSV file (UTF-8 with or without a byte-order mark, or GB18030/GBK as
// Excel saves it on Chinese Windows); name is the file's name.
//
// The first row holds the column titles (title rows above it are skipped:
// the header is the first of the first 11 rows with a 单位 column): 单位 (name or ID, required), 样本量
// (optional: an integer ≥ 0), 满意度得分 or 得分 (optional when there are
// item columns), 满分 (optional, 100 by default), 备注 (optional), and any
// number of further columns, each an item score titled by its item (e.g.
// 政务公开满意度); columns titled 序号, 排名, 名次, 单位编号 or 分组 are
// skipped. An empty item cell means the unit has no score for that item.
// Scores are rounded to 2 decimals; without an overall score, the score is
// the mean of the unit's item scores, rounded to 2 decimals. Rows whose unit
// starts with 示例 and empty rows are skipped.
//
// Every row is checked (an unknown or repeated unit, a score or item score
// that is not a number or not within 0..满分, a sample size that is not a
// whole number or negative, a row with neither score nor items) and every
// problem is reported with its row, column and a Chinese reason; the scores
// are returned only when there is none, in the order of units. Each score
// has ID assess.ExternalID, YearID, UnitID, Source, Score, Max, SampleSize,
// Items, Note and UpdatedAt now set; the caller sets Document and
// DocumentName. The error is for a bad source or year, or a file that is
// not a readable workbook or CSV file (an *assess.Error in Chinese).
func ImportSurvey(r io.Reader, name, yearID string, src assess.Source, units []assess.Unit, now time.Time) ([]assess.ExternalScore, []ImportProblem, error) {
	if err := checkSurveySource(src); err != nil {
		return nil, nil, err
	}
	if !validID(yearID) {
		return nil, nil, assess.Errorf(assess.EInvalid, "考核年度编号“%s”无效 (bad year ID)", yearID)
	}
	sheet, rows, err := readTable(r, name, src.Label())
	if err != nil {
		return nil, nil, err
	}
	skip, probs := findHeader(sheet, rows, surveyFields, "单位、样本量、得分等")
	if len(probs) > 0 {
		return nil, probs, nil
	}
	h, probs := readSurveyHeader(sheet, rows[skip:])
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, shiftRows(probs, skip), nil
	}
	res := resolver{units: units}
	seen := map[string]int{}
	var out []assess.ExternalScore
	for n, row := range dataRows(h.header, rows, skip, colUnit) {
		e, ps := parseSurveyRow(h, n, row, res)
		probs = append(probs, ps...)
		if e.UnitID == "" {
			continue
		}
		if first, dup := seen[e.UnitID]; dup {
			probs = append(probs, h.problem(n, colUnit, "单位“%s”与第 %d 行重复，每个单位只能有一行 (duplicate unit)", printable(h.cell(row, colUnit)), first))
			continue
		}
		seen[e.UnitID] = n
		if len(ps) == 0 {
			e.ID = assess.ExternalID(yearID, e.UnitID, src)
			e.YearID, e.Source, e.UpdatedAt = yearID, src, now
			if err := e.Validate(); err != nil {
				probs = append(probs, h.problem(n, colScore, "%s", assess.ErrorMessage(err)))
				continue
			}
			out = append(out, e)
		}
	}
	if len(out) == 0 && len(probs) == 0 {
		return nil, []ImportProblem{{Sheet: sheet, Row: skip + 2, Reason: "没有可导入的结果（以“示例”开头的行不会导入），请填写后再导入 (no results in the file)"}}, nil
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs, nil
	}
	place := unitPlaces(units)
	slices.SortStableFunc(out, func(a, b assess.ExternalScore) int { return cmp.Compare(place[a.UnitID], place[b.UnitID]) })
	return out, nil, nil
}

// parseSurveyRow reads one unit's results. The score's UnitID is set when
// the unit is known, even when the row has other problems, so that a
// repeated unit is reported too.
func parseSurveyRow(h surveyHeader, n int, row []string, res resolver) (assess.ExternalScore, []ImportProblem) {
	c := &rowCells{h: h.header, n: n, row: row}
	var e assess.ExternalScore
	e.UnitID = c.unit(res, "请核对单位名称或编号")
	if s := c.text(colSample); s != "" {
		e.SampleSize = parseSample(c, s)
	}
	e.Max = 100
	if v, given, ok := c.number(colSurveyFull, "满分"); given && ok {
		if v <= 0 || v > 100000 {
			c.add(colSurveyFull, "满分应大于 0 (max must be positive)")
		} else {
			e.Max = v
		}
	} else if given {
		e.Max = 0 // the problem is recorded; do not check scores against 100
	}
	inRange := func(field, what string, v float64) bool {
		switch {
		case v < 0:
			c.add(field, "%s不能为负数 (score must not be negative)", what)
		case e.Max > 0 && round2(v) > e.Max:
			c.add(field, "%s %s 超过满分 %s (score above max)", what, assess.FormatScore(v), assess.FormatScore(e.Max))
		default:
			return true
		}
		return false
	}
	score, hasScore, okScore := c.number(colScore, "得分")
	if okScore && inRange(colScore, "得分", score) {
		e.Score = round2(score)
	}
	for _, it := range h.items {
		s := ""
		if it.col < len(row) {
			s = strings.TrimSpace(row[it.col])
		}
		if s == "" {
			continue
		}
		col, _ := excelize.ColumnNumberToName(it.col + 1)
		bad := func(format string, args ...any) {
			c.probs = append(c.probs, ImportProblem{Sheet: h.sheet, Row: n, Column: col, Field: it.name, Reason: fmt.Sprintf(format, args...)})
		}
		v, ok := parseNumber(s)
		switch {
		case checkCell(s) != "" || !ok:
			bad("分项“%s”的得分“%s”不是数字（没有该项得分请留空） (not a number)", printable(it.name), printable(s))
		case v < 0:
			bad("分项“%s”的得分不能为负数 (item score must not be negative)", printable(it.name))
		case e.Max > 0 && round2(v) > e.Max:
			bad("分项“%s”的得分 %s 超过满分 %s (item score above max)", printable(it.name), assess.FormatScore(v), assess.FormatScore(e.Max))
		default:
			e.Items = append(e.Items, assess.ItemScore{Name: it.name, Score: round2(v)})
		}
	}
	switch {
	case !hasScore && len(e.Items) == 0 && len(c.probs) == 0:
		c.add(colScore, "得分和各分项得分都为空，请至少填写得分或一项分项得分 (neither a score nor item scores)")
	case !hasScore && len(e.Items) > 0:
		e.Score = meanScore(e.Items)
	}
	e.Note = c.text(colNote)
	return e, c.probs
}

// parseSample reads a sample size: a whole number ≥ 0, thousands
// separators and a trailing 人, 份 or 个 allowed.
func parseSample(c *rowCells, s string) int {
	t := strings.NewReplacer(",", "", "，", "", " ", "").Replace(s)
	for _, suffix := range []string{"人", "份", "个"} {
		t = strings.TrimSuffix(t, suffix)
	}
	v, ok := parseNumber(t)
	switch {
	case !ok:
		c.add(colSample, "样本量“%s”不是数字 (sample size is not a number)", printable(s))
	case v < 0:
		c.add(colSample, "样本量不能为负数 (sample size must not be negative)")
	case v != math.Trunc(v):
		c.add(colSample, "样本量应为整数 (sample size must be a whole number)")
	case v > maxSampleSize:
		c.add(colSample, "样本量 %s 过大 (sample size too large)", strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return int(v)
	}
	return 0
}

// round2 rounds a non-negative number to 2 decimals, half up as by hand:
// 7.125 is 7.13 although its binary value is a little less.
func round2(v float64) float64 { return math.Round(v*100+1e-6) / 100 }

// meanScore returns the mean of item scores that have 2 decimals, rounded
// half up to 2 decimals, computed in hundredths so that (80 + 77.33) ÷ 2 is
// 78.67 exactly as by hand.
func meanScore(items []assess.ItemScore) float64 {
	var sum int64
	for _, it := range items {
		sum += int64(math.Round(it.Score * 100))
	}
	n := int64(len(items))
	return float64((2*sum+n)/(2*n)) / 100
}
