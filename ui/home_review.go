package ui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report/localdata"
)

// maxUrgent is how many of the most urgent tasks the home page lists.
const maxUrgent = 30

// trendDays is how many days back the progress trend goes.
const trendDays = 30

// progressCount is how many of a set of things to do — tasks (done once
// first submitted) and milestones (done once filed) — are done out of how
// many, whether one of the tasks warns red, and the share done at the end
// of each of the last trendDays days.
type progressCount struct {
	Done, Total int
	Red         bool
	Trend       []assess.Progress // oldest first; the last is today
}

// add counts one item, done or not.
func (c *progressCount) add(done bool) {
	c.Total++
	if done {
		c.Done++
	}
}

// change is how much the share done grew over the trend, in percentage
// points.
func (c progressCount) change() float64 {
	if len(c.Trend) == 0 {
		return 0
	}
	return (c.Trend[len(c.Trend)-1].Share() - c.Trend[0].Share()) * 100
}

// changeText prints a change in percentage points with its sign, e.g.
// +12.5%.
func changeText(points float64) string {
	if math.Abs(points) < 0.05 {
		return "0.0%"
	}
	return fmt.Sprintf("%+.1f%%", points)
}

// rate is the share done, 0 for no tasks.
func (c progressCount) rate() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Done) / float64(c.Total)
}

// color is the colour of a progress cell: red when a task is overdue or
// scored low, else green when all is done, blue past half, yellow when
// begun, grey when nothing is done; nil for no tasks.
func (c progressCount) color() color.Color {
	switch {
	case c.Total == 0:
		return nil
	case c.Red:
		return colorRed
	case c.Done == c.Total:
		return colorGreen
	case c.Done*2 >= c.Total:
		return colorBlue
	case c.Done > 0:
		return colorYellow
	}
	return colorGrey
}

// unitProgress is one row of the progress matrix: a unit's counts of
// tasks and milestones per indicator category, then its total.
type unitProgress struct {
	Unit  assess.Unit
	Cells []progressCount // len(categories) + 1; the last is the total
}

// urgentTask is a task the home page lists among the most urgent.
type urgentTask struct {
	TaskID  string
	Unit    string
	Code    string
	Title   string
	Warning assess.Warning
	Due     time.Time
}

// cityProgress is what the reviewer's home page shows, computed off the
// UI goroutine from one read of the year's tasks and progress items.
type cityProgress struct {
	Categories []assess.Indicator // the matrix's columns, by code
	Units      []unitProgress     // units with tasks, by group and name
	Total      progressCount      // the whole city, tasks and milestones
	Tasks      assess.Progress    // the whole city's tasks
	Milestones assess.Progress    // the whole city's milestones
	CatTotals  []progressCount    // the whole city per category
	Days       []time.Time        // the days of the trends, oldest first
	Levels     [4]int             // tasks per warning level (assess.Level)
	Urgent     []urgentTask       // most urgent first
	Ranked     [][]assess.Standing
	Skipped    []string          // names of the groups left out of the ranking
	UnitNames  map[string]string // unit ID → name
	GroupNames map[string]string // group ID → name
}

// aggregateProgress counts the year's tasks and milestones (items) done by
// the end of now's day per unit and category with their trends, totals the
// warnings and picks the most urgent tasks. warns[i] is views[i]'s warning;
// units and cats give the rows' and columns' order.
func aggregateProgress(views []localdb.TaskView, warns []assess.Warning, items []assess.ProgressItem, units []assess.Unit, cats []assess.Indicator, now time.Time) cityProgress {
	p := cityProgress{Categories: slices.Clone(cats)}
	col := map[string]int{}
	for i, c := range cats {
		col[c.Code] = i
	}
	addCategory := func(code string) {
		if _, ok := col[code]; !ok {
			col[code] = len(p.Categories)
			p.Categories = append(p.Categories, assess.Indicator{Code: code, Title: code})
		}
	}
	row := map[string]int{}
	names := map[string]string{}
	for _, it := range items {
		addCategory(it.Category)
		if _, ok := row[it.UnitID]; !ok {
			row[it.UnitID] = -1
		}
	}
	for i, v := range views {
		addCategory(v.Indicator.Category())
		if _, ok := row[v.UnitID]; !ok {
			row[v.UnitID] = -1
		}
		names[v.UnitID] = v.UnitName
		l := warns[i].Level
		p.Levels[l]++
		if l != assess.NoWarning {
			p.Urgent = append(p.Urgent, urgentTask{TaskID: v.ID, Unit: v.UnitName, Code: v.Indicator.Code,
				Title: v.Indicator.Title, Warning: warns[i], Due: v.Indicator.Deadline})
		}
	}
	order := append([]assess.Unit{}, units...)
	known := map[string]bool{}
	for _, u := range units {
		known[u.ID] = true
	}
	for id := range row {
		if !known[id] {
			known[id] = true
			order = append(order, assess.Unit{ID: id, Name: nameOf(names, id)})
		}
	}
	slices.SortStableFunc(order[len(units):], func(a, b assess.Unit) int { return cmp.Compare(a.ID, b.ID) })
	for _, u := range order {
		if _, ok := row[u.ID]; ok {
			row[u.ID] = len(p.Units)
			p.Units = append(p.Units, unitProgress{Unit: u, Cells: make([]progressCount, len(p.Categories)+1)})
		}
	}
	total := len(p.Categories)
	p.CatTotals = make([]progressCount, len(p.Categories))
	for i, v := range views {
		if warns[i].Level != assess.Red {
			continue
		}
		up := &p.Units[row[v.UnitID]]
		c := col[v.Indicator.Category()]
		up.Cells[c].Red, up.Cells[total].Red, p.CatTotals[c].Red, p.Total.Red = true, true, true, true
	}
	end := assess.DayOf(now).AddDate(0, 0, 1)
	unitItems := make([][]assess.ProgressItem, len(p.Units))
	catItems := make([][]assess.ProgressItem, len(p.Categories))
	for _, it := range items {
		done := !it.DoneAt.IsZero() && it.DoneAt.Before(end)
		r, c := row[it.UnitID], col[it.Category]
		up := &p.Units[r]
		up.Cells[c].add(done)
		up.Cells[total].add(done)
		p.CatTotals[c].add(done)
		p.Total.add(done)
		if it.Milestone {
			p.Milestones = p.Milestones.Add(done)
		} else {
			p.Tasks = p.Tasks.Add(done)
		}
		unitItems[r] = append(unitItems[r], it)
		catItems[c] = append(catItems[c], it)
	}
	p.Total.Trend = assess.Trend(items, now, trendDays)
	for r := range p.Units {
		p.Units[r].Cells[total].Trend = assess.Trend(unitItems[r], now, trendDays)
	}
	for c := range p.CatTotals {
		p.CatTotals[c].Trend = assess.Trend(catItems[c], now, trendDays)
	}
	first := assess.DayOf(now).AddDate(0, 0, -(trendDays - 1))
	for d := range trendDays {
		p.Days = append(p.Days, first.AddDate(0, 0, d))
	}
	slices.SortStableFunc(p.Urgent, func(a, b urgentTask) int {
		if c := cmp.Compare(b.Warning.Level, a.Warning.Level); c != 0 {
			return c
		}
		return a.Due.Compare(b.Due)
	})
	if len(p.Urgent) > maxUrgent {
		p.Urgent = p.Urgent[:maxUrgent]
	}
	return p
}

// rankedGroups splits standings by group, in the groups' order, leaving out
// the groups with a single unit (such as the reviewers' own office), whose
// names it returns too.
func rankedGroups(standings []assess.Standing, groups []assess.Group) (ranked [][]assess.Standing, skipped []string) {
	by := map[string][]assess.Standing{}
	for _, st := range standings {
		by[st.GroupID] = append(by[st.GroupID], st)
	}
	order := make([]assess.Group, 0, len(groups))
	seen := map[string]bool{}
	for _, g := range groups {
		order, seen[g.ID] = append(order, g), true
	}
	for _, st := range standings {
		if !seen[st.GroupID] {
			order, seen[st.GroupID] = append(order, assess.Group{ID: st.GroupID, Name: st.GroupID}), true
		}
	}
	for _, g := range order {
		sts := by[g.ID]
		switch {
		case len(sts) == 1:
			skipped = append(skipped, g.Name)
		case len(sts) > 1:
			slices.SortStableFunc(sts, func(a, b assess.Standing) int { return cmp.Compare(a.Rank, b.Rank) })
			ranked = append(ranked, sts)
		}
	}
	return ranked, skipped
}

// localStandings ranks the units here, as the server does, from the
// scores on this PC less the deductions of the leads taken into account,
// and the external scores: used while the server has not sent a standing
// for every unit with tasks.
func localStandings(y assess.Year, views []localdb.TaskView, units []assess.Unit, exts []assess.ExternalScore, leads []assess.Lead) []assess.Standing {
	return assess.Rank(y.ID, y.Weights, localdata.UnitScores(units, views, exts, leads))
}

// standingsComplete reports whether standings has one for every unit with tasks.
func standingsComplete(standings []assess.Standing, views []localdb.TaskView) bool {
	have := map[string]bool{}
	for _, st := range standings {
		have[st.UnitID] = true
	}
	for _, v := range views {
		if !have[v.UnitID] {
			return false
		}
	}
	return true
}

// loadProgress reads the year once and aggregates it.
func loadProgress(ctx context.Context, db Store, y assess.Year, now time.Time) (cityProgress, error) {
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: y.ID})
	if err != nil {
		return cityProgress{}, err
	}
	filings, err := db.YearMilestoneFilings(ctx, y.ID)
	if err != nil {
		return cityProgress{}, err
	}
	warns, err := taskWarnings(ctx, db, y, views, filings, now)
	if err != nil {
		return cityProgress{}, err
	}
	items, err := db.ProgressItems(ctx, y.ID)
	if err != nil {
		return cityProgress{}, err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return cityProgress{}, err
	}
	groups, err := db.Groups(ctx)
	if err != nil {
		return cityProgress{}, err
	}
	inds, err := db.Indicators(ctx, y.ID)
	if err != nil {
		return cityProgress{}, err
	}
	standings, err := db.Standings(ctx, y.ID)
	if err != nil {
		return cityProgress{}, err
	}
	if !standingsComplete(standings, views) {
		exts, err := db.Externals(ctx, y.ID)
		if err != nil {
			return cityProgress{}, err
		}
		leads, err := db.Leads(ctx, localdb.LeadFilter{YearID: y.ID, OnlyConsidered: true})
		if err != nil {
			return cityProgress{}, err
		}
		standings = localStandings(y, views, units, exts, leads)
	}
	p := aggregateProgress(views, warns, items, units, topCategories(inds), now)
	p.Ranked, p.Skipped = rankedGroups(standings, groups)
	p.UnitNames, p.GroupNames = map[string]string{}, map[string]string{}
	for _, u := range units {
		p.UnitNames[u.ID] = u.Name
	}
	for _, g := range groups {
		p.GroupNames[g.ID] = g.Name
	}
	return p, nil
}

// topCategories returns the first level of an indicator tree, by code.
func topCategories(inds []assess.Indicator) []assess.Indicator {
	var out []assess.Indicator
	for _, in := range inds {
		if in.ParentID == "" && !strings.Contains(in.Code, ".") {
			out = append(out, in)
		}
	}
	return out
}

// reviewerHome is the reviewer's 首页: the completion of the tasks and
// milestones of every unit as a matrix by indicator category and as a
// chart, with the change over the last 30 days; the city-wide completion
// rate and its trend (or a unit's, or a category's); the warnings with the
// most urgent tasks; and the ranking of each group.
type reviewerHome struct {
	s   *Shell
	box fyne.CanvasObject
	gen int // the load in flight; older loads are dropped

	data     cityProgress
	rate     *widget.Label
	rateBar  *widget.ProgressBar
	levels   [4]*widget.Label
	matrix   *widget.Table
	legend   *widget.Label
	chart    *barChart
	catChart *barChart
	trendSel *widget.Select
	trendOf  *widget.Label
	trend    *lineChart
	urgent   *widget.List
	urgentOf *widget.Label
	ranks    *fyne.Container
	footnote *widget.Label
}

func newReviewerHome(s *Shell) area {
	a := &reviewerHome{s: s}
	a.rate = widget.NewLabelWithStyle(T("正在统计…"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.rateBar = widget.NewProgressBar()
	a.rateBar.TextFormatter = func() string { return fmt.Sprintf("%.1f%%", a.rateBar.Value*100) }
	levels := container.NewHBox()
	for _, l := range []assess.Level{assess.Red, assess.Yellow, assess.Blue} {
		a.levels[l] = widget.NewLabel("")
		levels.Add(container.NewHBox(colorDot(warningColor(l)), a.levels[l]))
	}
	summary := container.NewHBox(a.rate, container.NewGridWrap(fyne.NewSize(220, a.rateBar.MinSize().Height), a.rateBar),
		layout.NewSpacer(), levels)

	a.matrix = a.newMatrix()
	a.legend = widget.NewLabel("")
	a.legend.Wrapping = fyne.TextWrapBreak
	a.legend.SizeName = theme.SizeNameCaptionText
	colors := container.NewHBox(widget.NewLabel(T("颜色：")),
		colorDot(colorGreen), widget.NewLabel(T("全部完成")), colorDot(colorBlue), widget.NewLabel(T("过半")),
		colorDot(colorYellow), widget.NewLabel(T("未过半")), colorDot(colorGrey), widget.NewLabel(T("尚未完成任何一项")),
		colorDot(colorRed), widget.NewLabel(T("有逾期或低分")))
	matrixTab := container.NewBorder(nil, container.NewVBox(colors, a.legend), nil, nil, a.matrix)

	a.chart = newBarChart(nil)
	a.chart.labelWidth = 120
	a.chart.valueWidth = 150
	a.catChart = newBarChart(nil)
	a.catChart.labelWidth = 170
	a.catChart.valueWidth = 150
	chartTab := container.NewGridWithColumns(2,
		chartCard(T("各单位完成率（已完成的任务和时间节点 / 全部）"), a.chart, 420),
		chartCard(T("各类别完成率（全市）"), a.catChart, 420))

	a.trendSel = widget.NewSelect(nil, func(string) { a.showTrend() })
	a.trendOf = widget.NewLabel("")
	a.trendOf.Wrapping = fyne.TextWrapWord
	a.trend = newLineChart()
	trendTop := container.NewBorder(nil, nil, widget.NewLabel(T("查看")),
		container.NewGridWrap(fyne.NewSize(240, a.trendSel.MinSize().Height), a.trendSel), a.trendOf)
	trendNote := widget.NewLabel(T("每天结束时已完成的任务（首次提交）和时间节点（已报送）占全部的比例。"))
	trendNote.Importance = widget.LowImportance
	trendNote.SizeName = theme.SizeNameCaptionText
	trendTab := container.NewBorder(trendTop, trendNote, nil, nil, a.trend)

	a.urgentOf = widget.NewLabel("")
	a.urgent = a.newUrgentList()
	warnTab := container.NewBorder(a.urgentOf, nil, nil, nil, a.urgent)

	a.ranks = container.NewStack()
	a.footnote = widget.NewLabel("")
	a.footnote.Wrapping = fyne.TextWrapBreak
	rankTab := container.NewBorder(a.footnote, nil, nil, nil, container.NewVScroll(a.ranks))

	tabs := container.NewAppTabs(
		container.NewTabItem(T("进度矩阵"), matrixTab),
		container.NewTabItem(T("完成率图表"), chartTab),
		container.NewTabItem(T("进度趋势"), trendTab),
		container.NewTabItem(T("预警"), warnTab),
		container.NewTabItem(T("分组排名"), rankTab),
	)
	a.box = container.NewBorder(container.NewVBox(summary, widget.NewSeparator()), nil, nil, nil, tabs)
	return a
}

func (a *reviewerHome) view() fyne.CanvasObject { return a.box }

// refresh reloads the year's progress in the background.
func (a *reviewerHome) refresh() {
	a.gen++
	gen, y, s := a.gen, a.s.year, a.s
	if y.ID == "" {
		a.show(cityProgress{})
		a.rate.SetText(T("尚无考核年度数据，请先同步"))
		return
	}
	now := s.now()
	background(s, func(ctx context.Context) (cityProgress, error) {
		return loadProgress(ctx, s.db(), y, now)
	}, func(p cityProgress, err error) {
		if gen != a.gen {
			return
		}
		if err != nil {
			s.showError(err)
			return
		}
		a.show(p)
	})
}

// show puts a computed progress on the screen.
func (a *reviewerHome) show(p cityProgress) {
	a.data = p
	a.rate.SetText(T("全市完成率 %.1f%%（任务 %d / %d 项，时间节点 %d / %d 个；近30天 %s）", p.Total.rate()*100,
		p.Tasks.Done, p.Tasks.Total, p.Milestones.Done, p.Milestones.Total, changeText(p.Total.change())))
	a.rateBar.SetValue(p.Total.rate())
	for _, l := range []assess.Level{assess.Red, assess.Yellow, assess.Blue} {
		a.levels[l].SetText(fmt.Sprintf("%s %d", warningLabel(l), p.Levels[l]))
	}
	a.matrix.Refresh()
	var names []string
	for _, c := range p.Categories {
		names = append(names, c.Code+" "+c.Title)
	}
	a.legend.SetText(T("类别：%s", strings.Join(names, "；")))

	bars := make([]bar, len(p.Units))
	for i, u := range p.Units {
		t := u.Cells[len(u.Cells)-1]
		bars[i] = bar{Label: oneLineExcerpt(u.Unit.Name, 9), Value: t.rate() * 100, Max: 100, Color: t.color(),
			Text: fmt.Sprintf("%.0f%%（%d/%d） %s", t.rate()*100, t.Done, t.Total, changeText(t.change()))}
	}
	a.chart.SetBars(bars)
	a.catChart.SetBars(categoryBars(p))
	a.setTrendOptions()

	warned := p.Levels[assess.Red] + p.Levels[assess.Yellow] + p.Levels[assess.Blue]
	a.urgentOf.SetText(T("共有 %d 项任务预警，以下是最紧急的 %d 项（点击打开审核）", warned, len(p.Urgent)))
	a.urgent.Refresh()
	a.showRanks()
}

// nameOf returns names[id], or id when it has no name.
func nameOf(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return n
	}
	return id
}

// categoryBars are the city-wide completion of each indicator category.
func categoryBars(p cityProgress) []bar {
	bars := make([]bar, len(p.Categories))
	for i, c := range p.Categories {
		sum := p.CatTotals[i]
		bars[i] = bar{Label: oneLineExcerpt(c.Code+" "+c.Title, 11), Value: sum.rate() * 100, Max: 100, Color: sum.color(),
			Text: fmt.Sprintf("%.0f%%（%d/%d） %s", sum.rate()*100, sum.Done, sum.Total, changeText(sum.change()))}
	}
	return bars
}

// setTrendOptions offers the city, each unit and each category in the
// trend's select, keeping the one chosen when it is still there.
func (a *reviewerHome) setTrendOptions() {
	opts := []string{T("全市")}
	for _, u := range a.data.Units {
		opts = append(opts, T("单位：%s", u.Unit.Name))
	}
	for _, c := range a.data.Categories {
		opts = append(opts, T("类别：%s", c.Code+" "+c.Title))
	}
	sel := max(0, slices.Index(opts, a.trendSel.Selected))
	a.trendSel.Options = opts
	a.trendSel.SetSelectedIndex(sel) // shows the trend, also when unchanged
	a.showTrend()
}

// trendChoice returns the progress the trend's select names, and its name.
func (a *reviewerHome) trendChoice() (progressCount, string) {
	i := a.trendSel.SelectedIndex()
	switch {
	case i > 0 && i <= len(a.data.Units):
		u := a.data.Units[i-1]
		return u.Cells[len(u.Cells)-1], u.Unit.Name
	case i > len(a.data.Units) && i <= len(a.data.Units)+len(a.data.CatTotals):
		k := i - 1 - len(a.data.Units)
		c := a.data.Categories[k]
		return a.data.CatTotals[k], c.Code + " " + c.Title
	}
	return a.data.Total, T("全市")
}

// showTrend draws the trend the select names.
func (a *reviewerHome) showTrend() {
	c, name := a.trendChoice()
	values := make([]float64, len(c.Trend))
	labels := make([]string, len(c.Trend))
	for i, pr := range c.Trend {
		values[i] = pr.Share() * 100
		if i < len(a.data.Days) {
			d := a.data.Days[i]
			labels[i] = T("%d月%d日", int(d.Month()), d.Day())
		}
	}
	a.trend.SetPoints(values, labels)
	if len(c.Trend) == 0 {
		a.trendOf.SetText(T("%s：暂无任务和时间节点", name))
		return
	}
	first, last := c.Trend[0], c.Trend[len(c.Trend)-1]
	a.trendOf.SetText(T("%s 近30天：%.1f%% → %.1f%%（%s），已完成 %d / %d", name, first.Share()*100, last.Share()*100,
		changeText(c.change()), last.Done, last.Total))
}

// colorDot is a small coloured circle, the mark of a warning or state colour.
func colorDot(c color.Color) fyne.CanvasObject {
	circle := canvas.NewCircle(c)
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), circle))
}

// tintColor is c made light enough to put text on.
func tintColor(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x48}
}

// Matrix columns before the categories.
const (
	matrixUnit = iota
	matrixGroup
	matrixFirstCategory
)

// newMatrix returns the virtualised progress table: a row per unit, a
// column per category and the total.
func (a *reviewerHome) newMatrix() *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(a.data.Units), matrixFirstCategory + len(a.data.Categories) + 2 },
		func() fyne.CanvasObject {
			l := widget.NewLabel("市生态环境局")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(canvas.NewRectangle(color.Transparent), l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			bg := box.Objects[0].(*canvas.Rectangle)
			l := box.Objects[1].(*widget.Label)
			l.SetText(a.cellText(id.Row, id.Col))
			l.Alignment = fyne.TextAlignLeading
			bg.FillColor = color.Transparent
			if id.Col >= matrixFirstCategory {
				l.Alignment = fyne.TextAlignCenter
			}
			if id.Col >= matrixFirstCategory && id.Col <= a.totalCol() {
				if c := a.cell(id.Row, id.Col).color(); c != nil {
					bg.FillColor = tintColor(c)
				}
			}
			l.TextStyle.Bold = id.Col == a.totalCol()
			bg.Refresh()
			l.Refresh()
		})
	t.ShowHeaderRow = true
	t.StickyColumnCount = 1
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(a.headerText(id.Col))
	}
	// The widths are set once, before the table has rows: each later
	// SetColumnWidth would redraw every visible cell. Columns beyond the
	// categories shown are simply not there.
	t.SetColumnWidth(matrixUnit, 124)
	t.SetColumnWidth(matrixGroup, 84)
	for col := matrixFirstCategory; col < matrixFirstCategory+maxMatrixCategories+2; col++ {
		t.SetColumnWidth(col, 88)
	}
	return t
}

// maxMatrixCategories is how many category columns the matrix is sized
// for; a tree with more shows the rest at the table's default width.
const maxMatrixCategories = 40

// totalCol is the matrix's column of a unit's total; changeCol that of its
// change over the last 30 days.
func (a *reviewerHome) totalCol() int  { return matrixFirstCategory + len(a.data.Categories) }
func (a *reviewerHome) changeCol() int { return a.totalCol() + 1 }

// headerText is the title of a matrix column.
func (a *reviewerHome) headerText(col int) string {
	switch {
	case col == matrixUnit:
		return T("单位")
	case col == matrixGroup:
		return T("分组")
	case col-matrixFirstCategory < len(a.data.Categories):
		c := a.data.Categories[col-matrixFirstCategory]
		return c.Code + " " + c.Title
	case col == a.totalCol():
		return T("合计")
	}
	return T("近30天")
}

// cell is the count of a category (or the total) column of a row.
func (a *reviewerHome) cell(row, col int) progressCount {
	return a.data.Units[row].Cells[col-matrixFirstCategory]
}

// cellText is what a matrix cell shows: a category cell "done/to do",
// counting tasks and milestones; the last the change of the unit's share
// over the last 30 days.
func (a *reviewerHome) cellText(row, col int) string {
	if row >= len(a.data.Units) {
		return ""
	}
	u := a.data.Units[row]
	switch col {
	case matrixUnit:
		return u.Unit.Name
	case matrixGroup:
		return nameOf(a.data.GroupNames, u.Unit.GroupID)
	case a.changeCol():
		return changeText(u.Cells[len(u.Cells)-1].change())
	}
	c := a.cell(row, col)
	if c.Total == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d", c.Done, c.Total)
}

// newUrgentList returns the list of the most urgent tasks; choosing one
// opens it in 指标审核.
func (a *reviewerHome) newUrgentList() *widget.List {
	l := widget.NewList(
		func() int { return len(a.data.Urgent) },
		func() fyne.CanvasObject {
			level := widget.NewLabelWithStyle("红色预警", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			what := widget.NewLabel("")
			what.Truncation = fyne.TextTruncateEllipsis
			why := widget.NewLabel("")
			why.Truncation = fyne.TextTruncateEllipsis
			why.SizeName = theme.SizeNameCaptionText
			return container.NewBorder(nil, nil, container.NewHBox(colorDot(colorRed), level), nil, container.NewVBox(what, why))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			u := a.data.Urgent[id]
			box := o.(*fyne.Container)
			texts := box.Objects[0].(*fyne.Container)
			left := box.Objects[1].(*fyne.Container)
			circle := left.Objects[0].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
			circle.FillColor = warningColor(u.Warning.Level)
			circle.Refresh()
			left.Objects[1].(*widget.Label).SetText(warningLabel(u.Warning.Level))
			texts.Objects[0].(*widget.Label).SetText(u.Unit + " · " + u.Code + " " + u.Title)
			texts.Objects[1].(*widget.Label).SetText(domainText(a.s, u.Warning.Reason))
		})
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		if id < len(a.data.Urgent) {
			a.openInReview(a.data.Urgent[id].TaskID)
		}
	}
	return l
}

// openInReview shows 指标审核 with a task opened.
func (a *reviewerHome) openInReview(taskID string) {
	a.s.Show("review")
	if r, ok := a.s.areas["review"].(*review); ok {
		r.openTask(taskID)
	}
}

// showRanks puts a ranking table per group on the screen, side by side.
func (a *reviewerHome) showRanks() {
	rows := 1
	for _, sts := range a.data.Ranked {
		rows = max(rows, min(len(sts), 12))
	}
	cards := container.NewGridWrap(fyne.NewSize(rankWidth+8, float32(rows+1)*38+44))
	for _, sts := range a.data.Ranked {
		title := widget.NewLabelWithStyle(T("%s（%d 个单位）", nameOf(a.data.GroupNames, sts[0].GroupID), len(sts)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		cards.Add(container.NewBorder(title, nil, nil, nil, a.newRankTable(sts)))
	}
	if len(a.data.Ranked) == 0 {
		cards.Add(widget.NewLabel(T("暂无排名数据")))
	}
	a.ranks.Objects = []fyne.CanvasObject{cards}
	a.ranks.Refresh()
	note := T("排名为组内排名：总分 = 系统评价 + 民意调查 + 实地察验，按年度权重折算。")
	if len(a.data.Skipped) > 0 {
		note += T("只有一个单位的分组不参与排名，未列出：%s。", strings.Join(a.data.Skipped, "、"))
	}
	a.footnote.SetText(note)
}

// rankWidths are the widths of a ranking table's columns; rankWidth is
// their sum.
var rankWidths = []float32{64, 150, 82, 82, 82, 82}

const (
	rankColumns = 6
	rankWidth   = 64 + 150 + 4*82 + 6*4
)

// newRankTable returns a virtualised ranking table of one group.
func (a *reviewerHome) newRankTable(sts []assess.Standing) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(sts), rankColumns },
		func() fyne.CanvasObject {
			l := widget.NewLabel("市生态环境局")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(a.rankText(sts[id.Row], id.Col))
		})
	withHeader(t, rankHeader, rankWidths...)
	return t
}

// rankHeader is the translated title of a ranking column.
func rankHeader(col int) string {
	switch col {
	case 0:
		return T("名次")
	case 1:
		return T("单位")
	case 2:
		return T("总分")
	case 3:
		return T("系统评价")
	case 4:
		return T("民意调查")
	}
	return T("实地察验")
}

// rankText is what a ranking cell shows.
func (a *reviewerHome) rankText(st assess.Standing, col int) string {
	switch col {
	case 0:
		return fmt.Sprintf("%d / %d", st.Rank, st.OutOf)
	case 1:
		return nameOf(a.data.UnitNames, st.UnitID)
	case 2:
		return assess.FormatScore(st.Total)
	case 3:
		return assess.FormatScore(st.System)
	case 4:
		return assess.FormatScore(st.Survey)
	}
	return assess.FormatScore(st.Onsite)
}
