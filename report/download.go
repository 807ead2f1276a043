package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// MatrixData is what the score downloads are made from: the year's units,
// leaf indicators, tasks and standings. The desktop client and
// `yiwangtong report matrix` fill it from the local database.
type MatrixData struct {
	Year      assess.Year
	Groups    []assess.Group // units are listed by group in this order
	Units     []assess.Unit
	Leaves    []assess.Indicator // the indicators assigned as tasks
	Tasks     []assess.Task
	Standings []assess.Standing
}

// notAssigned marks a matrix cell whose indicator is not assigned to the
// unit; an assigned task not scored yet is an empty cell.
const notAssigned = "—"

// MatrixTable returns the score matrix (得分矩阵): one row per unit, by
// group, with each leaf indicator's score (empty until scored, "—" when
// the indicator is not assigned to the unit), the unit's raw system score
// and maximum, its weighted system, survey and on-site points, total and
// rank within its group.
func MatrixTable(d MatrixData) Table {
	leaves := slices.Clone(d.Leaves)
	slices.SortStableFunc(leaves, func(a, b assess.Indicator) int { return assess.CompareCodes(a.Code, b.Code) })
	cols := []Column{{"单位", 18, Text}, {"排名分组", 10, Text}}
	for _, in := range leaves {
		cols = append(cols, Column{fmt.Sprintf("%s %s（%s分）", in.Code, in.Title, assess.FormatScore(in.MaxScore)), 12, Decimal})
	}
	cols = append(cols,
		Column{"指标得分合计", 12, Decimal}, Column{"指标满分合计", 12, Decimal},
		Column{fmt.Sprintf("体系评价（%s）", assess.FormatScore(d.Year.Weights.System)), 12, Decimal},
		Column{fmt.Sprintf("民意调查（%s）", assess.FormatScore(d.Year.Weights.Survey)), 12, Decimal},
		Column{fmt.Sprintf("现场督察（%s）", assess.FormatScore(d.Year.Weights.Onsite)), 12, Decimal},
		Column{"总分", 10, Decimal}, Column{"组内排名", 10, Integer},
	)
	tasks := map[[2]string]assess.Task{}
	for _, t := range d.Tasks {
		tasks[[2]string{t.UnitID, t.IndicatorID}] = t
	}
	standing := map[string]assess.Standing{}
	for _, s := range d.Standings {
		standing[s.UnitID] = s
	}
	groups := groupNames(d.Groups)
	var rows [][]any
	for _, u := range orderedUnits(d.Units, d.Groups) {
		row := []any{u.Name, groups(u.GroupID)}
		sum, max := 0.0, 0.0
		for _, in := range leaves {
			t, ok := tasks[[2]string{u.ID, in.ID}]
			switch {
			case !ok:
				row = append(row, notAssigned)
			case t.Status == assess.Scored || t.Scored:
				row = append(row, t.Score)
				sum += t.Score
				max += in.MaxScore
			default:
				row = append(row, nil)
				max += in.MaxScore
			}
		}
		row = append(row, sum, max)
		if s, ok := standing[u.ID]; ok {
			row = append(row, s.System, s.Survey, s.Onsite, s.Total, s.Rank)
		} else {
			row = append(row, nil, nil, nil, nil, nil)
		}
		rows = append(rows, row)
	}
	return Table{Name: "得分矩阵", Columns: cols, Rows: rows}
}

// RankingTable returns the rankings per group (分组排名): group, rank, unit,
// the three weighted components, total and the size of the group.
func RankingTable(d MatrixData) Table {
	units := map[string]assess.Unit{}
	for _, u := range d.Units {
		units[u.ID] = u
	}
	ss := slices.Clone(d.Standings)
	order := groupOrder(d.Groups)
	slices.SortStableFunc(ss, func(a, b assess.Standing) int {
		if c := cmp.Compare(order(a.GroupID), order(b.GroupID)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.GroupID, b.GroupID); c != 0 {
			return c
		}
		return cmp.Compare(a.Rank, b.Rank)
	})
	groups := groupNames(d.Groups)
	var rows [][]any
	for _, s := range ss {
		name := s.UnitID
		if u, ok := units[s.UnitID]; ok {
			name = u.Name
		}
		rows = append(rows, []any{groups(s.GroupID), s.Rank, name, s.System, s.Survey, s.Onsite, s.Total, s.OutOf})
	}
	return Table{Name: "分组排名", Columns: []Column{
		{"排名分组", 12, Text}, {"名次", 8, Integer}, {"单位", 20, Text},
		{"体系评价", 12, Decimal}, {"民意调查", 12, Decimal}, {"现场督察", 12, Decimal}, {"总分", 10, Decimal}, {"组内单位数", 12, Integer},
	}, Rows: rows}
}

// ProgressTable returns progress and warning counts per unit (进度与预警).
func ProgressTable(units []assess.Unit, groups []assess.Group, progress []UnitProgress) Table {
	byID := map[string]UnitProgress{}
	for _, p := range progress {
		byID[p.UnitID] = p
	}
	names := groupNames(groups)
	var rows [][]any
	for _, u := range orderedUnits(units, groups) {
		p, ok := byID[u.ID]
		if !ok {
			continue
		}
		rows = append(rows, []any{u.Name, names(u.GroupID), p.Tasks, p.NotStarted, p.Draft, p.Submitted, p.Returned, p.Scored, p.Completion(), p.Red, p.Yellow, p.Blue})
	}
	return Table{Name: "进度与预警", Columns: []Column{
		{"单位", 20, Text}, {"排名分组", 12, Text}, {"任务数", 8, Integer}, {"未开始", 8, Integer}, {"草稿", 8, Integer},
		{"待审核", 8, Integer}, {"退回补充", 10, Integer}, {"已赋分", 8, Integer}, {"完成率", 10, Percent},
		{"红色预警", 10, Integer}, {"黄色预警", 10, Integer}, {"蓝色预警", 10, Integer},
	}, Rows: rows}
}

// WarningTable lists task warnings (预警明细), most urgent first, then by unit
// and indicator code.
func WarningTable(rows []WarningRow) Table {
	rs := slices.Clone(rows)
	slices.SortStableFunc(rs, func(a, b WarningRow) int {
		if c := cmp.Compare(b.Warning.Level, a.Warning.Level); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Unit.Name, b.Unit.Name); c != 0 {
			return c
		}
		return assess.CompareCodes(a.Indicator.Code, b.Indicator.Code)
	})
	var out [][]any
	for _, r := range rs {
		if r.Warning.Level == assess.NoWarning {
			continue
		}
		out = append(out, []any{r.Unit.Name, r.Indicator.Code, r.Indicator.Title, r.Status.Label(), r.Warning.Level.Label(), r.Warning.Reason, dateOrNil(r.Indicator.Deadline)})
	}
	return Table{Name: "预警明细", Columns: []Column{
		{"单位", 18, Text}, {"指标编号", 10, Text}, {"指标名称", 30, Text}, {"状态", 10, Text},
		{"预警等级", 10, Text}, {"预警原因", 60, Text}, {"截止日期", 12, Date},
	}, Rows: out}
}

// RectificationTable lists rectifications (整改情况) by unit and indicator
// code, with their state at now.
func RectificationTable(rows []RectificationRow, now time.Time) Table {
	rs := slices.Clone(rows)
	slices.SortStableFunc(rs, func(a, b RectificationRow) int {
		if c := cmp.Compare(a.Unit.Name, b.Unit.Name); c != 0 {
			return c
		}
		return assess.CompareCodes(a.Indicator.Code, b.Indicator.Code)
	})
	var out [][]any
	for _, r := range rs {
		rc := r.Rectification
		overdue := ""
		if rc.Overdue(now) {
			overdue = "是"
		}
		out = append(out, []any{
			r.Unit.Name, r.Indicator.Code, r.Indicator.Title, r.Score, rc.Demand, dateOrNil(rc.Deadline), rc.State.Label(), overdue,
			timeOrNil(rc.OpenedAt), timeOrNil(rc.RespondedAt), rc.Response, rc.Verification, timeOrNil(rc.ClosedAt),
		})
	}
	return Table{Name: "整改情况", Columns: []Column{
		{"单位", 18, Text}, {"指标编号", 10, Text}, {"指标名称", 28, Text}, {"得分", 8, Decimal}, {"整改要求", 40, Text},
		{"整改期限", 12, Date}, {"状态", 10, Text}, {"是否逾期", 10, Text}, {"开具时间", 20, DateTime},
		{"反馈时间", 20, DateTime}, {"整改情况", 40, Text}, {"核验意见", 30, Text}, {"销号时间", 20, DateTime},
	}, Rows: out}
}

// AuditTable lists the audit log events at or after from and before to (a
// zero bound is open), in sequence order.
func AuditTable(entries []AuditEntry, from, to time.Time) Table {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	var out [][]any
	for _, e := range es {
		if !from.IsZero() && e.At.Before(from) || !to.IsZero() && !e.At.Before(to) {
			continue
		}
		out = append(out, []any{e.Seq, timeOrNil(e.At), e.Actor, e.Action, e.Target, e.Detail, e.Hash, e.Prev})
	}
	return Table{Name: "审计日志", Columns: []Column{
		{"序号", 8, Integer}, {"时间", 20, DateTime}, {"操作人", 14, Text}, {"操作", 16, Text},
		{"对象", 28, Text}, {"详情", 40, Text}, {"本条摘要 SHA-256", 66, Text}, {"上一条摘要", 66, Text},
	}, Rows: out}
}

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return assess.DayOf(t)
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// groupNames returns a function naming a group ID.
func groupNames(groups []assess.Group) func(string) string {
	names := map[string]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	return func(id string) string {
		if n, ok := names[id]; ok && n != "" {
			return n
		}
		return id
	}
}

// groupOrder returns a function giving each group ID its place in groups,
// unknown groups last.
func groupOrder(groups []assess.Group) func(string) int {
	place := map[string]int{}
	for i, g := range groups {
		if _, ok := place[g.ID]; !ok {
			place[g.ID] = i
		}
	}
	return func(id string) int {
		if n, ok := place[id]; ok {
			return n
		}
		return len(groups)
	}
}

// orderedUnits returns units by group in the order of groups, then in their
// own order; units of unknown groups come last.
func orderedUnits(units []assess.Unit, groups []assess.Group) []assess.Unit {
	order := groupOrder(groups)
	out := slices.Clone(units)
	slices.SortStableFunc(out, func(a, b assess.Unit) int { return cmp.Compare(order(a.GroupID), order(b.GroupID)) })
	return out
}
