package report

import (
	"errors"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/yiwangtong/yiwangtong/assess"
)

// The indicator workbook: sheet 指标 holds one indicator a row under a
// header row; sheet 填写说明 explains the columns; the hidden sheet 选项
// holds the lists the drop-downs offer.
const (
	indicatorSheet = "指标"
	guideSheet     = "填写说明"
	listSheet      = "选项"
	// examplePrefix starts the code of the template's example rows, which
	// an import skips.
	examplePrefix = "示例"
	allUnitsName  = "全部单位"
	templateRows  = 2000 // rows the template's validations cover
)

// Indicator workbook columns.
const (
	colCode     = "编号"
	colParent   = "上级编号"
	colTitle    = "名称"
	colContent  = "指标内容"
	colStandard = "达标标准"
	colEvidence = "需要查验的资料"
	colMax      = "分值"
	colLow      = "低分线"
	colRule     = "评分细则"
	colDeadline = "截止日期"
	colKey      = "重点任务"
	colGroups   = "分配分组"
	colUnits    = "分配单位"
)

var indicatorFields = []fieldSpec{
	{title: colCode, aliases: []string{"指标编号", "code"}, required: true, width: 10},
	{title: colParent, aliases: []string{"上级指标编号", "parent"}, width: 10},
	{title: colTitle, aliases: []string{"指标名称", "title"}, required: true, width: 28},
	{title: colContent, aliases: []string{"内容", "content"}, width: 40},
	{title: colStandard, aliases: []string{"standard"}, width: 40},
	{title: colEvidence, aliases: []string{"佐证材料", "evidence"}, width: 30},
	{title: colMax, aliases: []string{"满分", "max_score"}, required: true, width: 8},
	{title: colLow, aliases: []string{"low_score"}, width: 8},
	{title: colRule, aliases: []string{"scoring_rule"}, width: 40},
	{title: colDeadline, aliases: []string{"deadline"}, width: 12},
	{title: colKey, aliases: []string{"key_task"}, width: 10},
	{title: colGroups, aliases: []string{"groups"}, width: 16},
	{title: colUnits, aliases: []string{"units"}, width: 30},
}

var indicatorHelp = map[string]string{
	colCode:     "必填。如 1、1.1、3.2.1；同一年度内不能重复。以“示例”开头的行不会导入。",
	colParent:   "上级指标的编号，一级指标留空；上级指标必须也在本表中。",
	colTitle:    "必填。",
	colEvidence: "每项资料一行（Alt+Enter 换行），或用“；”分隔。",
	colMax:      "末级指标必填，0 到 1000 的数字；上级指标留空时按下级指标分值合计。",
	colLow:      "低于此分列为重点督察事项；留空为分值的 60%。",
	colDeadline: "如 2026-06-30。",
	colKey:      "是 / 否，留空为否。",
	colGroups:   "只对末级指标填写：分配给该分组的全部单位；填“全部单位”分配给所有单位。多个用“、”分隔。",
	colUnits:    "只对末级指标填写：单位名称，多个用“、”分隔；与分配分组合并计算。",
}

// IndicatorTemplate writes the indicator import template (.xlsx): the
// header row, two example rows (a category and one of its indicators, their
// codes starting with 示例 so an import skips them), a sheet explaining each
// column, and drop-down lists of the units and groups (several can be typed,
// separated by 、), of 是/否 for key tasks, with number and date checks.
func IndicatorTemplate(w io.Writer, units []assess.Unit, groups []assess.Group) error {
	exampleUnits := ""
	if len(units) > 0 {
		exampleUnits = units[0].Name
	}
	exampleGroup := allUnitsName
	if len(groups) > 0 {
		exampleGroup = groups[0].Name
	}
	t := importTemplate{
		sheet:       indicatorSheet,
		fields:      indicatorFields,
		tallHeader:  true,
		freezeFirst: true,
		dateField:   colDeadline,
		examples: [][]any{
			{examplePrefix + "1", "", "依法全面履行政府职能", "推进政府机构职能优化协同高效。", "", "", nil, nil, "", nil, "", "", ""},
			{examplePrefix + "1.1", examplePrefix + "1", "权责清单动态管理", "全面实行政府权责清单制度，及时动态调整并向社会公布。",
				"年内完成权责清单动态调整并在政府门户网站公布。", "权责清单调整文件\n政府门户网站公开页面截图", 2.5, 1.5,
				"未按规定动态调整的扣1分；未公布的扣0.5分。", "如 2026-06-30", "否", exampleGroup, exampleUnits},
		},
		wrapExamples: true,
		help:         indicatorHelp,
		intro:        "指标导入说明：在“指标”工作表中每行填写一个指标，先填上级指标再填下级指标均可；导入时会检查全部行，有任何问题都不会导入，并列出每个问题所在的行和列。",
	}
	col := func(field string) string { return columnOf(indicatorFields, field) }
	t.checks = []templateCheck{
		{cols: col(colUnits), values: unitNames(units), listed: true, prompt: [2]string{"分配单位", "从列表选择；分配多个单位时用“、”分隔输入。"},
			soft: true, title: "分配单位", message: "多个单位请用“、”分隔，名称须与单位列表一致。"},
		{cols: col(colGroups), values: append([]string{allUnitsName}, groupNameList(groups)...), listed: true, prompt: [2]string{"分配分组", "从列表选择；多个分组用“、”分隔输入。"},
			soft: true, title: "分配分组", message: "多个分组请用“、”分隔，名称须与分组列表一致。"},
		{cols: col(colKey), values: []string{"是", "否"}, title: "重点任务", message: "请选择“是”或“否”。"},
	}
	for _, field := range []string{colMax, colLow} {
		t.checks = append(t.checks, templateCheck{cols: col(field), kind: excelize.DataValidationTypeDecimal, min: 0, max: 1000, title: field, message: "请输入 0 到 1000 之间的数字。"})
	}
	return t.write(w)
}

func groupNameList(groups []assess.Group) []string {
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.Name)
	}
	return out
}

// IndicatorID returns the ID an imported indicator gets: the year's ID and
// the indicator's code, e.g. "2026-3.2.1". Importing the same workbook twice
// therefore gives the same indicators.
func IndicatorID(yearID, code string) string { return yearID + "-" + code }

// maxIDBytes bounds the IDs the server accepts.
const maxIDBytes = 64

// indicatorRow is one parsed row of the indicator sheet.
type indicatorRow struct {
	n        int // spreadsheet row
	in       assess.Indicator
	parent   string // parent code
	hasMax   bool   // the max score is known
	maxGiven bool   // the 分值 cell is not empty
	assigns  bool   // the row names groups or units
	bad      bool   // the row's own checks found a problem
}

// ImportIndicators reads the indicator workbook for the year yearID (sheet
// 指标, or the first sheet). It checks every row before anything is
// imported: a missing code or title, a code used twice, a parent code not in
// the workbook, a max score or threshold that is not a number or out of
// range, a bad date, an unknown unit or group, units on an indicator that
// has sub-indicators, and then the tree as assess.ValidateTree sees it
// (cycles, children worth more than their parent). Each problem names its
// sheet, row and column with a Chinese reason.
//
// Only when there is no problem at all are the indicators returned, parents
// before children and siblings in code order. A category whose 分值 is
// empty is worth the sum of its children. IDs come from the year and the
// code (IndicatorID), units are listed in the order of units, so importing
// the same workbook twice gives identical indicators and the caller's upsert
// changes nothing. Units and groups are matched by name or ID.
//
// The error is for a file that is not a readable workbook (an
// *assess.Error with a Chinese message) or a bad yearID.
func ImportIndicators(r io.Reader, yearID string, units []assess.Unit, groups []assess.Group) ([]assess.Indicator, []ImportProblem, error) {
	if !validID(yearID) || len(yearID) > maxIDBytes/2 {
		return nil, nil, assess.Errorf(assess.EInvalid, "考核年度编号“%s”无效 (bad year ID)", yearID)
	}
	f, err := openWorkbook(r)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sheet, rows, err := sheetRows(f, indicatorSheet)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, []ImportProblem{{Sheet: sheet, Row: 1, Reason: "工作表是空的，请在模板中填写指标后再导入 (the sheet is empty)"}}, nil
	}
	if probs := tooManyRows(sheet, rows); probs != nil {
		return nil, probs, nil
	}
	h, probs := readHeader(sheet, rows[0], indicatorFields)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	res := resolver{units: units, groups: groups}
	var parsed []indicatorRow
	firstRow := map[string]int{} // code → row of its first use
	for n, row := range dataRows(h, rows, 0, colCode) {
		ir, ps := parseIndicatorRow(h, n, row, yearID, res)
		probs = append(probs, ps...)
		ir.bad = len(ps) > 0
		code := ir.in.Code
		if code == "" || !validID(code) {
			continue
		}
		if first, dup := firstRow[code]; dup {
			probs = append(probs, h.problem(n, colCode, "指标编号“%s”与第 %d 行重复，同一年度内编号不能重复 (duplicate code)", code, first))
			continue
		}
		firstRow[code] = n
		parsed = append(parsed, ir)
	}
	if len(parsed) == 0 && len(probs) == 0 {
		return nil, []ImportProblem{{Sheet: sheet, Row: 2, Reason: "没有可导入的指标（以“示例”开头的行不会导入），请填写后再导入 (no indicators in the sheet)"}}, nil
	}
	probs = append(probs, checkIndicatorTree(h, parsed, firstRow, yearID)...)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs, nil
	}
	return treeOrder(parsed), nil, nil
}

// parseIndicatorRow reads one row's cells into an indicator.
func parseIndicatorRow(h header, n int, row []string, yearID string, res resolver) (indicatorRow, []ImportProblem) {
	var probs []ImportProblem
	text := func(field string) string {
		s := h.cell(row, field)
		if why := checkCell(s); why != "" {
			probs = append(probs, h.problem(n, field, "%s", why))
			return ""
		}
		return s
	}
	ir := indicatorRow{n: n}
	in := &ir.in
	in.YearID = yearID
	in.Code = text(colCode)
	switch {
	case in.Code == "":
		probs = append(probs, h.problem(n, colCode, "指标编号不能为空 (code is required)"))
	case !validID(in.Code):
		probs = append(probs, h.problem(n, colCode, "指标编号“%s”不能含有空格、控制字符或 / # @ (bad code)", printable(in.Code)))
		in.Code = ""
	case len(IndicatorID(yearID, in.Code)) > maxIDBytes:
		probs = append(probs, h.problem(n, colCode, "指标编号“%s”过长，请缩短 (code too long)", in.Code))
		in.Code = ""
	}
	if in.Code != "" {
		in.ID = IndicatorID(yearID, in.Code)
	}
	ir.parent = text(colParent)
	if ir.parent != "" && !validID(ir.parent) {
		probs = append(probs, h.problem(n, colParent, "上级编号“%s”不能含有空格、控制字符或 / # @ (bad parent code)", printable(ir.parent)))
		ir.parent = ""
	}
	in.Title = text(colTitle)
	if in.Title == "" && h.cell(row, colTitle) == "" {
		probs = append(probs, h.problem(n, colTitle, "指标名称不能为空 (title is required)"))
	}
	in.Content = text(colContent)
	in.Standard = text(colStandard)
	in.ScoringRule = text(colRule)
	for _, e := range strings.FieldsFunc(text(colEvidence), func(r rune) bool { return r == '\n' || r == '\r' || r == '；' || r == ';' }) {
		if e = strings.TrimSpace(e); e != "" {
			in.Evidence = append(in.Evidence, e)
		}
	}
	if s := text(colMax); s != "" {
		ir.maxGiven = true
		v, ok := parseNumber(s)
		switch {
		case !ok:
			probs = append(probs, h.problem(n, colMax, "分值“%s”不是数字，请填写如 2 或 2.5 (max score is not a number)", printable(s)))
		case v < 0 || v > 1000:
			probs = append(probs, h.problem(n, colMax, "分值 %s 应在 0 到 1000 之间 (max score out of range)", assess.FormatScore(v)))
		case math.Abs(v*100-math.Round(v*100)) > 1e-6:
			probs = append(probs, h.problem(n, colMax, "分值最多保留两位小数 (max score has more than two decimals)"))
		default:
			in.MaxScore, ir.hasMax = v, true
		}
	}
	if s := text(colLow); s != "" {
		v, ok := parseNumber(s)
		switch {
		case !ok:
			probs = append(probs, h.problem(n, colLow, "低分线“%s”不是数字 (threshold is not a number)", printable(s)))
		case v < 0 || ir.hasMax && v > in.MaxScore:
			probs = append(probs, h.problem(n, colLow, "低分线 %s 应在 0 到分值之间 (threshold out of range)", assess.FormatScore(v)))
		default:
			in.LowScore = v
		}
	}
	if s := text(colDeadline); s != "" {
		if t, ok := parseDate(s); ok {
			in.Deadline = t
		} else {
			probs = append(probs, h.problem(n, colDeadline, "截止日期“%s”无法识别，请填写如 2026-06-30 (bad date)", printable(s)))
		}
	}
	switch k := text(colKey); strings.ToLower(k) {
	case "", "否", "n", "no", "false", "0":
	case "是", "y", "yes", "true", "1":
		in.KeyTask = true
	default:
		probs = append(probs, h.problem(n, colKey, "重点任务应填“是”或“否”，而不是“%s” (key task must be 是 or 否)", printable(k)))
	}
	assigned := map[string]bool{}
	for _, g := range splitList(text(colGroups)) {
		ids, ok := res.group(g)
		if !ok {
			probs = append(probs, h.problem(n, colGroups, "排名分组“%s”不存在，请从下拉列表选择 (unknown group)", printable(g)))
			continue
		}
		ir.assigns = true
		for _, id := range ids {
			assigned[id] = true
		}
	}
	for _, u := range splitList(text(colUnits)) {
		id, ok := res.unit(u)
		if !ok {
			probs = append(probs, h.problem(n, colUnits, "单位“%s”不存在，请从下拉列表选择或核对名称 (unknown unit)", printable(u)))
			continue
		}
		ir.assigns = true
		assigned[id] = true
	}
	for _, u := range res.units {
		if assigned[u.ID] && !slices.Contains(in.Units, u.ID) {
			in.Units = append(in.Units, u.ID)
		}
	}
	return ir, probs
}

// checkIndicatorTree checks what needs every row: parents that exist,
// scores of leaves, units only on leaves, and assess.ValidateTree.
func checkIndicatorTree(h header, rows []indicatorRow, rowOf map[string]int, yearID string) []ImportProblem {
	var probs []ImportProblem
	hasChildren := map[string]bool{}
	for i := range rows {
		r := &rows[i]
		if r.parent == "" {
			continue
		}
		if _, ok := rowOf[r.parent]; !ok {
			probs = append(probs, h.problem(r.n, colParent, "上级编号“%s”在本表中不存在，请先添加上级指标或更正编号 (parent %s not in the workbook)", r.parent, r.parent))
			continue
		}
		r.in.ParentID = IndicatorID(yearID, r.parent)
		hasChildren[r.parent] = true
	}
	byCode := map[string]*indicatorRow{}
	for i := range rows {
		byCode[rows[i].in.Code] = &rows[i]
	}
	// Categories without a 分值 are worth the sum of their children,
	// computed from the leaves up (a loop is left alone: the tree check
	// reports it).
	var total func(code string, depth int) float64
	total = func(code string, depth int) float64 {
		r := byCode[code]
		if r.hasMax || depth > len(rows) {
			return r.in.MaxScore
		}
		sum := 0.0
		for i := range rows {
			if rows[i].parent == code {
				sum += total(rows[i].in.Code, depth+1)
			}
		}
		r.in.MaxScore, r.hasMax = math.Round(sum*100)/100, true
		return r.in.MaxScore
	}
	for i := range rows {
		r := &rows[i]
		leaf := !hasChildren[r.in.Code]
		if leaf && !r.maxGiven {
			probs = append(probs, h.problem(r.n, colMax, "末级指标“%s”必须填写分值 (a leaf needs a max score)", r.in.Code))
		}
		if !leaf && r.assigns {
			probs = append(probs, h.problem(r.n, colUnits, "指标 %s 有下级指标，只有末级指标可以分配单位，请把单位填在其下级指标上 (only leaves are assigned to units)", r.in.Code))
		}
	}
	for i := range rows {
		if hasChildren[rows[i].in.Code] {
			total(rows[i].in.Code, 0)
		}
	}
	flagged := map[int]bool{}
	for _, p := range probs {
		flagged[p.Row] = true
	}
	for _, r := range rows {
		if r.bad {
			flagged[r.n] = true
		}
	}
	inds := make([]assess.Indicator, len(rows))
	for i, r := range rows {
		inds[i] = r.in
	}
	for _, err := range assess.ValidateTree(inds) {
		var tp *assess.TreeProblem
		if !errors.As(err, &tp) {
			probs = append(probs, ImportProblem{Sheet: h.sheet, Reason: assess.ErrorMessage(err)})
			continue
		}
		if tp.Kind == assess.ProblemInvalid && flagged[rowOf[tp.Code]] {
			continue // the row's own checks have said it already
		}
		field := ""
		switch tp.Kind {
		case assess.ProblemDuplicate:
			field = colCode
		case assess.ProblemParent, assess.ProblemCycle:
			field = colParent
		case assess.ProblemOverScore:
			field = colMax
		}
		p := h.problem(rowOf[tp.Code], field, "%s", tp.Err.Message)
		if field == "" {
			p.Column, p.Field = "", ""
		}
		probs = append(probs, p)
	}
	return probs
}

// treeOrder lists the indicators parents first: roots in code order, each
// followed by its children in code order, depth first.
func treeOrder(rows []indicatorRow) []assess.Indicator {
	children := map[string][]assess.Indicator{}
	for _, r := range rows {
		children[r.in.ParentID] = append(children[r.in.ParentID], r.in)
	}
	for _, c := range children {
		slices.SortStableFunc(c, func(a, b assess.Indicator) int { return assess.CompareCodes(a.Code, b.Code) })
	}
	out := make([]assess.Indicator, 0, len(rows))
	var walk func(parent string)
	walk = func(parent string) {
		for _, in := range children[parent] {
			out = append(out, in)
			walk(in.ID)
		}
	}
	walk("")
	return out
}

// resolver finds units and groups by name or ID.
type resolver struct {
	units  []assess.Unit
	groups []assess.Group
}

// unit returns the ID of the unit named or identified by s.
func (r resolver) unit(s string) (string, bool) {
	for _, u := range r.units {
		if u.Name == s {
			return u.ID, true
		}
	}
	for _, u := range r.units {
		if u.ID == s {
			return u.ID, true
		}
	}
	return "", false
}

// group returns the IDs of the units of the group named or identified by
// s; 全部单位 means every unit.
func (r resolver) group(s string) ([]string, bool) {
	var ids []string
	if s == allUnitsName || s == "全部" {
		for _, u := range r.units {
			ids = append(ids, u.ID)
		}
		return ids, true
	}
	gid := ""
	for _, g := range r.groups {
		if g.Name == s {
			gid = g.ID
			break
		}
	}
	if gid == "" {
		for _, g := range r.groups {
			if g.ID == s {
				gid = g.ID
				break
			}
		}
	}
	if gid == "" {
		return nil, false
	}
	for _, u := range r.units {
		if u.GroupID == gid {
			ids = append(ids, u.ID)
		}
	}
	return ids, true
}

// printable shortens a cell value for a message and replaces control
// characters.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if rs := []rune(s); len(rs) > 30 {
		return string(rs[:30]) + "…"
	}
	return s
}
