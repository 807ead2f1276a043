package ui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"
	"unicode"

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

// reporterHome is a reporting unit's 首页 for the year shown: its tasks by
// state and the completion rate, the deadlines and warnings most urgent
// first, its total score with the system, survey and on-site points and its
// rank in its group, the score of each indicator category, and the sync
// state.
type reporterHome struct {
	s   *Shell
	box fyne.CanvasObject
	seq int // the latest load; older loads are dropped

	tiles    map[assess.Status]*canvas.Text
	rate     *canvas.Text
	miles    *canvas.Text
	states   *barChart
	warnings []homeWarning
	warnList *widget.List
	warnNone *widget.Label
	warnCard *widget.Card
	total    *canvas.Text
	outOf    *widget.Label
	parts    *barChart
	rank     *widget.Label
	cats     *barChart
	online   *widget.Label
	pending  *widget.Label
	last     *widget.Label
	notice   *widget.Label
}

// homeWarning is one line of the deadlines and warnings list: a task's
// warning, or its rectification's.
type homeWarning struct {
	Level  assess.Level
	Rect   bool // the rectification's warning, not the task's
	TaskID string
	Code   string
	Title  string
	Reason string
	Due    time.Time // the deadline the warning is about; zero when none
}

// homeCategory is the score of one indicator category: the points of its
// scored tasks and the max score of all its tasks.
type homeCategory struct {
	Code, Title string
	Score, Max  float64
}

// homeData is what the home page shows, read from the store in one go.
type homeData struct {
	Counts     map[assess.Status]int
	Total      int
	Warnings   []homeWarning
	Standing   assess.Standing
	Categories []homeCategory
	Milestones assess.Progress // the unit's milestones (时间节点) filed, of all
	Pending    int
	Rejected   int
}

// homeStatusColors are the colours of the task states in the chart.
var homeStatusColors = map[assess.Status]color.Color{
	assess.NotStarted: colorGrey,
	assess.Draft:      colorBlue,
	assess.Submitted:  color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0xff},
	assess.Returned:   colorYellow,
	assess.Scored:     colorGreen,
}

func newReporterHome(s *Shell) area {
	a := &reporterHome{s: s, tiles: map[assess.Status]*canvas.Text{}}
	var tiles []fyne.CanvasObject
	for _, st := range assess.Statuses {
		num, tile := homeTile(statusLabel(st), homeStatusColors[st])
		a.tiles[st] = num
		tiles = append(tiles, tile)
	}
	num, tile := homeTile(T("填报完成率"), theme.Color(theme.ColorNamePrimary))
	a.rate = num
	tiles = append(tiles, tile)
	num, tile = homeTile(T("时间节点完成"), colorGreen)
	a.miles = num
	tiles = append(tiles, tile)

	a.warnList = widget.NewList(
		func() int { return len(a.warnings) },
		func() fyne.CanvasObject { return newHomeWarningRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*homeWarningRow).set(s, a.warnings[id]) },
	)
	a.warnList.OnSelected = func(id widget.ListItemID) {
		a.warnList.UnselectAll()
		s.Show("filing")
	}
	a.warnNone = widget.NewLabel(T("没有需要提醒的事项"))
	a.warnNone.Alignment = fyne.TextAlignCenter
	a.warnCard = widget.NewCard(T("截止日期与预警"), "", container.NewStack(a.warnList, container.NewCenter(a.warnNone)))

	a.total = canvas.NewText("0", theme.Color(theme.ColorNamePrimary))
	a.total.TextSize = 30
	a.total.TextStyle.Bold = true
	a.outOf = widget.NewLabel("")
	a.rank = widget.NewLabel("")
	a.rank.TextStyle.Bold = true
	a.parts = newBarChart(nil)
	a.parts.labelWidth = 90
	score := widget.NewCard(T("我的得分与排名"), "", container.NewVBox(
		container.NewHBox(a.total, container.NewCenter(a.outOf), layout.NewSpacer(), container.NewCenter(a.rank)),
		a.parts,
	))

	a.states = newBarChart(nil)
	a.states.labelWidth = 90
	a.cats = newBarChart(nil)
	a.cats.labelWidth = 170

	a.online = widget.NewLabel("")
	a.pending = widget.NewLabel("")
	a.last = widget.NewLabel("")
	syncNow := widget.NewButtonWithIcon(T("立即同步"), theme.ViewRefreshIcon(), s.SyncNow)
	syncCard := widget.NewCard(T("同步状态"), "", container.NewBorder(nil, nil, nil, container.NewCenter(syncNow), container.NewVBox(a.online, a.pending, a.last)))

	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Hide()

	right := container.NewVScroll(container.NewVBox(
		score,
		widget.NewCard(T("任务状态"), "", a.states),
		widget.NewCard(T("各类指标得分"), "", a.cats),
		syncCard,
	))
	split := container.NewHSplit(a.warnCard, right)
	split.Offset = 0.55
	a.box = container.NewBorder(container.NewVBox(a.notice, container.NewGridWithColumns(len(tiles), tiles...)), nil, nil, nil, split)
	return a
}

// homeTile is a number tile: a large number over its label.
func homeTile(label string, c color.Color) (*canvas.Text, fyne.CanvasObject) {
	num := canvas.NewText("0", c)
	num.TextSize = 26
	num.TextStyle.Bold = true
	num.Alignment = fyne.TextAlignCenter
	l := widget.NewLabel(label)
	l.Alignment = fyne.TextAlignCenter
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = 6
	return num, container.NewStack(bg, container.NewVBox(num, l))
}

// homeWarningRow is a line of the warnings list: a coloured mark, the
// level, the indicator and the reason.
type homeWarningRow struct {
	widget.BaseWidget
	mark    *canvas.Rectangle
	level   *canvas.Text
	title   *widget.Label
	reason  *widget.Label
	content fyne.CanvasObject
}

func newHomeWarningRow() *homeWarningRow {
	r := &homeWarningRow{
		mark:   canvas.NewRectangle(colorBlue),
		level:  canvas.NewText(T("红色预警"), colorRed),
		title:  widget.NewLabel(""),
		reason: widget.NewLabel(""),
	}
	r.mark.CornerRadius = 2
	r.level.TextStyle.Bold = true
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.title.TextStyle.Bold = true
	r.reason.Truncation = fyne.TextTruncateEllipsis
	left := container.NewHBox(container.NewGridWrap(fyne.NewSize(6, 52), r.mark), container.NewCenter(r.level))
	r.content = container.NewBorder(nil, nil, left, nil, container.NewVBox(r.title, r.reason))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer draws the row's content.
func (r *homeWarningRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// set shows w.
func (r *homeWarningRow) set(s *Shell, w homeWarning) {
	c := warningColor(w.Level)
	r.mark.FillColor = c
	r.mark.Refresh()
	r.level.Text = warningLabel(w.Level)
	r.level.Color = c
	r.level.Refresh()
	title := w.Code + " " + w.Title
	if w.Rect {
		title = T("%s（整改）", title)
	}
	r.title.SetText(title)
	r.reason.SetText(homeReason(s, w.Reason))
}

func (a *reporterHome) view() fyne.CanvasObject { return a.box }

// refresh reloads the page from the store.
func (a *reporterHome) refresh() {
	s := a.s
	a.seq++
	seq := a.seq
	y, unitID, now := s.year, s.user.UnitID, s.now()
	if y.ID == "" {
		a.notice.SetText(T("还没有已发布的考核年度，请同步后再看"))
		a.notice.Show()
		return
	}
	background(s, func(ctx context.Context) (homeData, error) {
		return loadHome(ctx, s.db(), y, unitID, now)
	}, func(d homeData, err error) {
		if seq != a.seq {
			return
		}
		if err != nil {
			a.notice.SetText(message(err))
			a.notice.Show()
			return
		}
		a.notice.Hide()
		a.show(d)
	})
}

// show writes the loaded data into the widgets.
func (a *reporterHome) show(d homeData) {
	s := a.s
	var bars []bar
	for _, st := range assess.Statuses {
		n := d.Counts[st]
		a.tiles[st].Text = fmt.Sprint(n)
		a.tiles[st].Refresh()
		bars = append(bars, bar{Label: statusLabel(st), Value: float64(n), Max: float64(d.Total),
			Color: homeStatusColors[st], Text: T("%d 项", n)})
	}
	a.states.SetBars(bars)
	a.rate.Text = homePercent(float64(d.Counts[assess.Submitted]+d.Counts[assess.Scored]), float64(d.Total))
	a.rate.Refresh()
	a.miles.Text = fmt.Sprintf("%d / %d", d.Milestones.Done, d.Milestones.Total)
	a.miles.Refresh()

	a.warnings = d.Warnings
	a.warnList.Refresh()
	a.warnNone.Hidden = len(d.Warnings) > 0
	a.warnNone.Refresh()
	a.warnCard.SetSubTitle(T("共 %d 项，点击一项转到指标填报", len(d.Warnings)))

	w := s.year.Weights
	st := d.Standing
	a.total.Text = assess.FormatScore(st.Total)
	a.total.Refresh()
	a.outOf.SetText(T("/ %s 分", assess.FormatScore(w.Sum())))
	a.rank.SetText(homeRankText(s, st))
	a.parts.SetBars([]bar{
		{Label: T("系统评价"), Value: st.System, Max: w.System, Text: T("%s / %s 分", assess.FormatScore(st.System), assess.FormatScore(w.System))},
		{Label: T("民意调查"), Value: st.Survey, Max: w.Survey, Color: colorGreen, Text: T("%s / %s 分", assess.FormatScore(st.Survey), assess.FormatScore(w.Survey))},
		{Label: T("现场督察"), Value: st.Onsite, Max: w.Onsite, Color: colorYellow, Text: T("%s / %s 分", assess.FormatScore(st.Onsite), assess.FormatScore(w.Onsite))},
	})

	bars = bars[:0:0]
	for _, c := range d.Categories {
		label := c.Code
		if c.Title != "" {
			label = c.Code + " " + homeShort(c.Title, 10)
		}
		bars = append(bars, bar{Label: label, Value: c.Score, Max: c.Max,
			Text: T("%s / %s 分", assess.FormatScore(c.Score), assess.FormatScore(c.Max))})
	}
	a.cats.SetBars(bars)

	online, _, last := s.Status()
	a.online.SetText(online)
	if d.Pending > 0 {
		a.pending.SetText(T("待发送 %d 项", d.Pending))
	} else {
		a.pending.SetText(T("没有待发送的修改"))
	}
	if d.Rejected > 0 {
		a.pending.SetText(a.pending.Text + " · " + T("冲突 %d 项，请处理", d.Rejected))
	}
	a.last.SetText(last)
}

// loadHome reads what the home page of unitID shows for year y at now.
func loadHome(ctx context.Context, db Store, y assess.Year, unitID string, now time.Time) (homeData, error) {
	d := homeData{Counts: map[assess.Status]int{}}
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: y.ID, UnitID: unitID})
	if err != nil {
		return d, err
	}
	d.Total = len(tasks)
	for _, v := range tasks {
		d.Counts[v.Local]++
	}
	filed, err := db.YearMilestoneFilings(ctx, y.ID)
	if err != nil {
		return d, err
	}
	d.Milestones = homeMilestones(tasks, filed)
	if d.Warnings, err = homeWarnings(ctx, db, y, tasks, filed, now); err != nil {
		return d, err
	}
	inds, err := db.Indicators(ctx, y.ID)
	if err != nil {
		return d, err
	}
	d.Categories = homeCategories(inds, tasks)
	exts, err := db.Externals(ctx, y.ID)
	if err != nil {
		return d, err
	}
	standings, err := db.Standings(ctx, y.ID)
	if err != nil {
		return d, err
	}
	leads, err := db.Leads(ctx, localdb.LeadFilter{YearID: y.ID, UnitID: unitID, OnlyConsidered: true})
	if err != nil {
		return d, err
	}
	d.Standing = homeStanding(y, unitID, tasks, exts, leads, standings)
	d.Pending, d.Rejected, err = db.PendingCount(ctx)
	return d, err
}

// homeMilestones counts the milestones of tasks and those filed (waiting
// filings included); filed maps task ID → milestone ID → filing.
func homeMilestones(tasks []localdb.TaskView, filed map[string]map[string]assess.MilestoneFiling) assess.Progress {
	var p assess.Progress
	for _, v := range tasks {
		for _, m := range v.Indicator.Milestones {
			f, ok := filed[v.ID][m.ID]
			p = p.Add(ok && !f.FiledAt.IsZero())
		}
	}
	return p
}

// homeWarnings returns the warnings of tasks at now, most urgent first: the
// task's own (computed from the status the user sees, its milestones'
// filings in filed included) and, where it says more, its rectification's.
func homeWarnings(ctx context.Context, db Store, y assess.Year, tasks []localdb.TaskView, filed map[string]map[string]assess.MilestoneFiling, now time.Time) ([]homeWarning, error) {
	cal := assess.ChinaCalendar()
	var out []homeWarning
	for _, v := range tasks {
		rect, err := homeRect(ctx, db, v)
		if err != nil {
			return nil, err
		}
		t := v.Task
		t.Status = v.Local
		base := homeWarning{TaskID: v.ID, Code: v.Indicator.Code, Title: v.Indicator.Title}
		if base.Code == "" {
			base.Code = v.IndicatorID
		}
		w := assess.TaskWarning(t, v.Indicator, rect, filed[v.ID], now, cal, y.WarnDays)
		if w.Level != assess.NoWarning {
			hw := base
			hw.Level, hw.Reason, hw.Due = w.Level, w.Reason, v.Indicator.Deadline
			if mw := assess.MilestoneWarning(t, v.Indicator, filed[v.ID], now, cal, y.WarnDays); mw == w {
				hw.Due = homeMilestoneDue(v.Indicator, filed[v.ID], cal)
			}
			out = append(out, hw)
		}
		if rect == nil {
			continue
		}
		if rw := assess.RectWarning(*rect, now, cal); rw.Level != assess.NoWarning && rw.Reason != w.Reason {
			hw := base
			hw.Level, hw.Reason, hw.Due, hw.Rect = rw.Level, rw.Reason, rect.Deadline, true
			out = append(out, hw)
		}
	}
	slices.SortStableFunc(out, homeCompareWarnings)
	return out, nil
}

// homeMilestoneDue returns the day the first milestone not filed is due,
// the one a milestone warning is about.
func homeMilestoneDue(in assess.Indicator, filed map[string]assess.MilestoneFiling, cal *assess.Calendar) time.Time {
	var due time.Time
	for _, m := range in.Milestones {
		if f, ok := filed[m.ID]; ok && !f.FiledAt.IsZero() {
			continue
		}
		if d := m.DueDay(cal); due.IsZero() || d.Before(due) {
			due = d
		}
	}
	return due
}

// homeCompareWarnings orders warnings most urgent first: the higher level, then
// the earlier deadline (none last), then by indicator code, the task's own
// warning before its rectification's.
func homeCompareWarnings(a, b homeWarning) int {
	if c := cmp.Compare(b.Level, a.Level); c != 0 {
		return c
	}
	if a.Due.IsZero() != b.Due.IsZero() {
		if a.Due.IsZero() {
			return 1
		}
		return -1
	}
	if c := a.Due.Compare(b.Due); c != 0 {
		return c
	}
	if c := assess.CompareCodes(a.Code, b.Code); c != 0 {
		return c
	}
	if a.Rect != b.Rect {
		if a.Rect {
			return 1
		}
		return -1
	}
	return 0
}

// homeRect returns a scored task's rectification, nil when it has none;
// only a scored task can have one.
func homeRect(ctx context.Context, db Store, v localdb.TaskView) (*assess.Rectification, error) {
	if v.Status != assess.Scored && !v.Scored {
		return nil, nil
	}
	return rectOf(ctx, db, v.ID)
}

// homeCategories sums the tasks by indicator category: the points of the
// scored tasks and the max score of all, in code order, each named by its
// first-level indicator.
func homeCategories(inds []assess.Indicator, tasks []localdb.TaskView) []homeCategory {
	titles := map[string]string{}
	for _, in := range inds {
		if in.ParentID == "" {
			titles[in.Code] = in.Title
		}
	}
	sums := map[string]*homeCategory{}
	var codes []string
	for _, v := range tasks {
		code := v.Indicator.Category()
		c, ok := sums[code]
		if !ok {
			c = &homeCategory{Code: code, Title: titles[code]}
			sums[code] = c
			codes = append(codes, code)
		}
		c.Max += v.Indicator.MaxScore
		if v.Status == assess.Scored || v.Scored {
			c.Score += v.Score
		}
	}
	slices.SortFunc(codes, assess.CompareCodes)
	out := make([]homeCategory, len(codes))
	for i, code := range codes {
		out[i] = *sums[code]
	}
	return out
}

// homeStanding returns the server's standing of a unit; without one, its
// points are computed here with assess.Rank and it is left unranked.
func homeStanding(y assess.Year, unitID string, tasks []localdb.TaskView, exts []assess.ExternalScore, leads []assess.Lead, standings []assess.Standing) assess.Standing {
	for _, st := range standings {
		if st.UnitID == unitID {
			return st
		}
	}
	st := assess.Rank(y.ID, y.Weights, localdata.UnitScores([]assess.Unit{{ID: unitID}}, tasks, exts, leads))[0]
	st.Rank, st.OutOf = 0, 0
	return st
}

// homeRankText words a unit's rank in its group, e.g. 第 2 名 / 共 6 个（区县）;
// a unit alone in its group is not ranked.
func homeRankText(s *Shell, st assess.Standing) string {
	switch {
	case st.Rank == 0:
		return T("尚未排名")
	case st.OutOf <= 1:
		return T("所在分组只有本单位，不参与排名")
	}
	return T("第 %d 名 / 共 %d 个（%s）", st.Rank, st.OutOf, s.groupName(st.GroupID))
}

// homePercent writes part of whole as a percentage with one decimal.
func homePercent(part, whole float64) string {
	if whole <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", 100*part/whole)
}

// homeShort cuts s to n characters, with an ellipsis when cut.
func homeShort(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// homeReason returns a domain message, written "中文 (English)", in the
// chosen language: the Chinese part for Chinese, the whole for English.
func homeReason(s *Shell, msg string) string {
	if s.app != nil && s.app.Preferences().StringWithFallback(prefLanguage, LangChinese) == LangEnglish {
		return msg
	}
	i := strings.LastIndex(msg, " (")
	if i <= 0 || !strings.HasSuffix(msg, ")") {
		return msg
	}
	for _, r := range msg[i+2 : len(msg)-1] {
		if r > unicode.MaxASCII {
			return msg
		}
	}
	return msg[:i]
}
