package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// CitySummaryData is what the city summary report for reviewers prints.
// The desktop client and `yiwangtong report summary` fill it from the local
// database: the standings from assess.Rank, the progress by counting every
// task with its warning (UnitProgress.Add), and the rectifications not yet
// closed.
type CitySummaryData struct {
	Year      assess.Year
	Groups    []assess.Group // in the order the report lists them
	Units     []assess.Unit
	Standings []assess.Standing
	Progress  []UnitProgress
	// Rectifications are the open ones (待整改 and 待核验).
	Rectifications []RectificationRow
	Issuer         string
	GeneratedAt    time.Time
}

// SummaryTitle returns the title of the city summary report.
func SummaryTitle(d CitySummaryData) string {
	return yearLabel(d.Year) + "法治政府建设考核汇总报告"
}

// WriteCitySummary writes the city summary report as a PDF: the overall
// progress, the ranking of each group with completion and warning counts
// per unit, a chart of every unit's total, progress and warnings per unit,
// and the list of open rectifications.
func WriteCitySummary(w io.Writer, d CitySummaryData, opt Options) error {
	return renderPDF(w, opt, SummaryTitle(d), d.GeneratedAt, func(p *pdfDoc) error {
		drawSummary(p, d)
		return nil
	})
}

var chineseOrdinals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func ordinal(i int) string {
	if i < len(chineseOrdinals) {
		return chineseOrdinals[i]
	}
	return fmt.Sprint(i + 1)
}

func drawSummary(p *pdfDoc, d CitySummaryData) {
	p.head = SummaryTitle(d)
	p.foot = "生成时间：" + dateTime(d.GeneratedAt)
	units := map[string]assess.Unit{}
	for _, u := range d.Units {
		units[u.ID] = u
	}
	progress := map[string]UnitProgress{}
	var all UnitProgress
	for _, pr := range d.Progress {
		progress[pr.UnitID] = pr
		all.Tasks += pr.Tasks
		all.Scored += pr.Scored
		all.Submitted += pr.Submitted
		all.Returned += pr.Returned
		all.Draft += pr.Draft
		all.NotStarted += pr.NotStarted
		all.Red += pr.Red
		all.Yellow += pr.Yellow
		all.Blue += pr.Blue
	}
	name := func(id string) string {
		if u, ok := units[id]; ok {
			return u.Name
		}
		return id
	}

	p.title(yearLabel(d.Year) + "法治政府建设考核")
	p.title("汇总报告")
	p.y += 2
	p.rule(p.y, 0.8)
	p.rule(p.y+1.2, 0.2)
	p.y += 4
	p.subtitle("生成时间：" + dateTime(d.GeneratedAt))
	p.y += 2

	p.heading("一、总体情况", 20)
	p.keyValues([][2]string{
		{"参评单位", fmt.Sprintf("%d 个", len(d.Standings))},
		{"考核任务", fmt.Sprintf("%d 项", all.Tasks)},
		{"已赋分", fmt.Sprintf("%d 项（%s）", all.Scored, percent(float64(all.Scored), float64(all.Tasks)))},
		{"待审核", fmt.Sprintf("%d 项", all.Submitted)},
		{"预警", fmt.Sprintf("红 %d · 黄 %d · 蓝 %d", all.Red, all.Yellow, all.Blue)},
		{"未销号整改", fmt.Sprintf("%d 项", len(d.Rectifications))},
	})

	// Standings by group, in the order of d.Groups, then any other group.
	byGroup := map[string][]assess.Standing{}
	for _, s := range d.Standings {
		byGroup[s.GroupID] = append(byGroup[s.GroupID], s)
	}
	var groups []assess.Group
	seen := map[string]bool{}
	for _, g := range d.Groups {
		if len(byGroup[g.ID]) > 0 && !seen[g.ID] {
			groups = append(groups, g)
			seen[g.ID] = true
		}
	}
	var rest []string
	for id := range byGroup {
		if !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		groups = append(groups, assess.Group{ID: id, Name: id})
	}

	p.heading("二、分组排名", 30)
	w := d.Year.Weights
	for gi, g := range groups {
		ss := slices.Clone(byGroup[g.ID])
		slices.SortStableFunc(ss, func(a, b assess.Standing) int { return cmp.Compare(a.Rank, b.Rank) })
		var rows []pdfRow
		for _, s := range ss {
			pr := progress[s.UnitID]
			rows = append(rows, pdfRow{cells: []string{
				fmt.Sprint(s.Rank), name(s.UnitID), assess.FormatScore(s.System), assess.FormatScore(s.Survey),
				assess.FormatScore(s.Onsite), assess.FormatScore(s.Total), percent(float64(pr.Scored), float64(pr.Tasks)),
				fmt.Sprintf("%d / %d / %d", pr.Red, pr.Yellow, pr.Blue),
			}})
		}
		cols := []pdfColumn{
			{"名次", 12, "C"}, {"单位", 34, "L"},
			{fmt.Sprintf("体系评价（%s）", assess.FormatScore(w.System)), 20, "C"},
			{fmt.Sprintf("民意调查（%s）", assess.FormatScore(w.Survey)), 18, "C"},
			{fmt.Sprintf("现场督察（%s）", assess.FormatScore(w.Onsite)), 18, "C"},
			{"总分", 16, "C"}, {"完成率", 16, "C"}, {"预警 红/黄/蓝", 22, "C"},
		}
		p.setSize(sizeBody)
		h := p.lineH()
		p.ensure(h + 1 + p.tableLead(cols, rows))
		p.text(marginLeft, p.y, h, fmt.Sprintf("（%s）%s（%d 个单位）", ordinal(gi), g.Name, len(ss)), "L", true)
		p.y += h + 1
		p.table(cols, rows)
		p.y += 2
	}

	var bars []bar
	for _, g := range groups {
		ss := slices.Clone(byGroup[g.ID])
		slices.SortStableFunc(ss, func(a, b assess.Standing) int { return cmp.Compare(a.Rank, b.Rank) })
		for _, s := range ss {
			bars = append(bars, bar{label: g.Name + " · " + name(s.UnitID), value: s.Total, max: w.Sum(),
				note: fmt.Sprintf("%s 分（第 %d 名）", assess.FormatScore(s.Total), s.Rank)})
		}
	}
	p.heading("三、各单位考核总分", chartKeep(len(bars)))
	p.barChart(bars)

	var prog []pdfRow
	ids := make([]string, 0, len(d.Progress))
	for _, pr := range d.Progress {
		ids = append(ids, pr.UnitID)
	}
	order := unitOrder(d.Units, d.Groups)
	slices.SortStableFunc(ids, func(a, b string) int { return cmp.Compare(order(a), order(b)) })
	for _, id := range ids {
		pr := progress[id]
		prog = append(prog, pdfRow{cells: []string{
			name(id), fmt.Sprint(pr.Tasks), fmt.Sprint(pr.Scored), fmt.Sprint(pr.Submitted), fmt.Sprint(pr.Returned),
			fmt.Sprint(pr.Draft + pr.NotStarted), percent(float64(pr.Scored), float64(pr.Tasks)),
			fmt.Sprint(pr.Red), fmt.Sprint(pr.Yellow), fmt.Sprint(pr.Blue),
		}, shaded: pr.Red > 0})
	}
	progCols := []pdfColumn{
		{"单位", 34, "L"}, {"任务数", 14, "C"}, {"已赋分", 14, "C"}, {"待审核", 14, "C"}, {"退回补充", 14, "C"},
		{"未提交", 14, "C"}, {"完成率", 16, "C"}, {"红色预警", 12, "C"}, {"黄色预警", 12, "C"}, {"蓝色预警", 12, "C"},
	}
	p.heading("四、指标完成与预警情况", p.tableLead(progCols, prog))
	p.table(progCols, prog)
	p.setSize(sizeSmall)
	p.paragraph("注：灰底为有红色预警的单位。", 0)

	rectCols := []pdfColumn{
		{"单位", 24, "L"}, {"编号", 12, "C"}, {"指标名称", 32, "L"}, {"得分", 12, "C"},
		{"整改要求", 40, "L"}, {"整改期限", 19, "C"}, {"状态", 17, "C"},
	}
	if len(d.Rectifications) == 0 {
		p.heading("五、未销号整改事项", 10)
		p.paragraph("无未销号的整改事项。", 0)
	} else {
		rects := slices.Clone(d.Rectifications)
		slices.SortStableFunc(rects, func(a, b RectificationRow) int {
			if c := cmp.Compare(order(a.Unit.ID), order(b.Unit.ID)); c != 0 {
				return c
			}
			return assess.CompareCodes(a.Indicator.Code, b.Indicator.Code)
		})
		var rows []pdfRow
		for _, r := range rects {
			state := r.Rectification.State.Label()
			if r.Rectification.Overdue(d.GeneratedAt) {
				state += "\n已逾期"
			}
			rows = append(rows, pdfRow{cells: []string{
				r.Unit.Name, r.Indicator.Code, r.Indicator.Title, assess.FormatScore(r.Score),
				r.Rectification.Demand, date(r.Rectification.Deadline), state,
			}, shaded: r.Warning.Level == assess.Red})
		}
		p.heading("五、未销号整改事项", p.tableLead(rectCols, rows))
		p.table(rectCols, rows)
	}
	p.signature(d.Issuer, d.GeneratedAt)
}

// unitOrder returns a function giving each unit ID its place: by group in
// the order of groups, then in the order of units; unknown IDs last.
func unitOrder(units []assess.Unit, groups []assess.Group) func(string) int {
	gi := map[string]int{}
	for i, g := range groups {
		if _, ok := gi[g.ID]; !ok {
			gi[g.ID] = i
		}
	}
	place := map[string]int{}
	for i, u := range units {
		g, ok := gi[u.GroupID]
		if !ok {
			g = len(groups)
		}
		if _, dup := place[u.ID]; !dup {
			place[u.ID] = g*(len(units)+1) + i
		}
	}
	return func(id string) int {
		if n, ok := place[id]; ok {
			return n
		}
		return (len(groups) + 1) * (len(units) + 1)
	}
}
