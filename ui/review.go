package ui

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
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
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// review is the 指标审核 area: the review queue on the left, filtered by
// unit, category, state, warning and text; the task opened on the right,
// with the unit's latest statement and evidence, its milestones (时间节点)
// with their filings, the leads (督察线索) about the unit and the indicator,
// the indicator's requirements, the history of versions and reviews, and
// the form to score it (赋分) or return it for more material (退回补充).
type review struct {
	s   *Shell
	box fyne.CanvasObject
	gen int // the queue load in flight; older loads are dropped

	rows     []queueRow
	shown    []int // indexes into rows, after the filter
	filter   queueFilter
	unitIDs  []string // the unit select's values, after 全部单位
	catCodes []string // the category select's values, after 全部类别
	setting  bool     // the selects' options are being replaced
	unitSel  *widget.Select
	catSel   *widget.Select
	stateSel *widget.Select
	levelSel *widget.Select
	search   *widget.Entry
	count    *widget.Label
	table    *widget.Table

	openID  string
	openGen int
	item    *reviewItem
	right   *fyne.Container // the hint, or the opened task
	hint    fyne.CanvasObject
	detail  *fyne.Container
	heading *widget.Label
	meta    *widget.Label
	warn    *widget.Label
	stmtOf  *widget.Label
	stmt    *widget.Label
	filesOf *widget.Label
	files   *widget.List
	reqs    *widget.RichText
	history *widget.RichText
	tabs    *container.AppTabs
	msTab   *container.TabItem
	leadTab *container.TabItem

	msOf     *widget.Label
	msList   *widget.List
	msSel    int // the milestone shown below the list
	msStmtOf *widget.Label
	msStmt   *widget.Label
	msFiles  *widget.List

	leadsOf  *widget.Label
	leadList *widget.List
	leadText *widget.Label
	leadForm *leadForm // the 纳入考核 form last shown

	form      *fyne.Container
	note      *widget.Label
	score     *widget.Entry
	comment   *widget.Entry
	errLabel  *widget.Label
	scoreBtn  *widget.Button
	returnBtn *widget.Button
}

// reviewItem is an opened task with everything the reviewer reads.
type reviewItem struct {
	view    localdb.TaskView
	warning assess.Warning
	subs    []assess.Submission // oldest first
	reviews []assess.Review     // oldest first
	rect    *assess.Rectification
	users   map[string]string // user ID → name
	year    assess.Year
	now     time.Time

	filings map[string]localdb.MilestoneView // milestone ID → the unit's filing
	leads   []assess.Lead                    // about the unit and the indicator, then about the unit
}

// milestone returns the task's milestone i with its filing and state.
func (it *reviewItem) milestone(i int) (assess.Milestone, *localdb.MilestoneView, assess.MilestoneState) {
	m := it.view.Indicator.Milestones[i]
	var fp *assess.MilestoneFiling
	f, ok := it.filings[m.ID]
	if ok {
		fp = &f.MilestoneFiling
	}
	st := m.State(fp, it.now, assess.ChinaCalendar())
	if !ok {
		return m, nil, st
	}
	return m, &f, st
}

// milestoneFiles returns the evidence of milestone i's filing.
func (it *reviewItem) milestoneFiles(i int) []assess.Attachment {
	if it == nil || i < 0 || i >= len(it.view.Indicator.Milestones) {
		return nil
	}
	if _, f, _ := it.milestone(i); f != nil {
		return f.Attachments
	}
	return nil
}

// latest returns the latest submitted version, if any.
func (it *reviewItem) latest() (assess.Submission, bool) {
	if len(it.subs) == 0 {
		return assess.Submission{}, false
	}
	return it.subs[len(it.subs)-1], true
}

// files returns the evidence of the latest version.
func (it *reviewItem) files() []assess.Attachment {
	if it == nil {
		return nil
	}
	sub, _ := it.latest()
	return sub.Attachments
}

func newReview(s *Shell) area {
	a := &review{s: s}
	queue := a.newQueue()
	a.detail = a.newDetail()
	a.hint = container.NewCenter(widget.NewLabel(T("在左侧队列中选择一项任务，查看提交材料并审核")))
	a.right = container.NewStack(a.hint)
	split := container.NewHSplit(queue, a.right)
	split.Offset = 0.55
	a.box = split
	return a
}

func (a *review) view() fyne.CanvasObject { return a.box }

// newQueue builds the filters and the queue table.
func (a *review) newQueue() fyne.CanvasObject {
	a.unitSel = widget.NewSelect(nil, func(string) { a.onSelect() })
	a.catSel = widget.NewSelect(nil, func(string) { a.onSelect() })
	states := []string{T("全部状态")}
	for _, st := range reviewStates {
		states = append(states, statusLabel(st))
	}
	a.stateSel = widget.NewSelect(states, func(string) { a.onSelect() })
	levels := []string{T("全部预警")}
	for _, l := range reviewLevels {
		levels = append(levels, warningLabel(l))
	}
	a.levelSel = widget.NewSelect(levels, func(string) { a.onSelect() })
	a.setOptions(nil, nil)
	a.setting = true
	a.stateSel.SetSelectedIndex(0)
	a.levelSel.SetSelectedIndex(0)
	a.setting = false
	a.search = widget.NewEntry()
	a.search.SetPlaceHolder(T("搜索编号、指标或单位"))
	a.search.OnChanged = func(text string) {
		a.filter.Text = text
		a.apply(true)
	}
	a.count = widget.NewLabel(T("正在读取任务…"))
	a.table = a.newTable()
	filters := container.NewGridWithColumns(2, a.unitSel, a.catSel, a.stateSel, a.levelSel)
	// The count has a line of its own under the table, the pane's full
	// width, so that no split position cuts it.
	return container.NewBorder(container.NewVBox(filters, a.search), a.count, nil, nil, a.table)
}

// reviewStates are the states the queue can be narrowed to, in queue order.
var reviewStates = []assess.Status{assess.Submitted, assess.Returned, assess.Scored, assess.Draft, assess.NotStarted}

// reviewLevels are the warning levels the queue can be narrowed to.
var reviewLevels = []assess.Level{assess.Red, assess.Yellow, assess.Blue, assess.NoWarning}

// setOptions replaces the unit and category choices, keeping the chosen
// ones when they still exist.
func (a *review) setOptions(units []assess.Unit, cats []assess.Indicator) {
	a.setting = true
	defer func() { a.setting = false }()
	a.unitIDs = a.unitIDs[:0]
	opts := []string{T("全部单位")}
	sel := 0
	for _, u := range units {
		if u.ID == a.filter.UnitID {
			sel = len(opts)
		}
		a.unitIDs = append(a.unitIDs, u.ID)
		opts = append(opts, u.Name)
	}
	a.unitSel.SetOptions(opts)
	a.unitSel.SetSelectedIndex(sel)
	if sel == 0 {
		a.filter.UnitID = ""
	}
	a.catCodes = a.catCodes[:0]
	opts = []string{T("全部类别")}
	sel = 0
	for _, c := range cats {
		if c.Code == a.filter.Category {
			sel = len(opts)
		}
		a.catCodes = append(a.catCodes, c.Code)
		opts = append(opts, c.Code+" "+c.Title)
	}
	a.catSel.SetOptions(opts)
	a.catSel.SetSelectedIndex(sel)
	if sel == 0 {
		a.filter.Category = ""
	}
}

// onSelect reads the four selects into the filter.
func (a *review) onSelect() {
	if a.setting {
		return
	}
	f := a.filter
	f.UnitID, f.Category, f.Status, f.ByLevel = "", "", "", false
	if i := a.unitSel.SelectedIndex(); i > 0 && i <= len(a.unitIDs) {
		f.UnitID = a.unitIDs[i-1]
	}
	if i := a.catSel.SelectedIndex(); i > 0 && i <= len(a.catCodes) {
		f.Category = a.catCodes[i-1]
	}
	if i := a.stateSel.SelectedIndex(); i > 0 {
		f.Status = reviewStates[i-1]
	}
	if i := a.levelSel.SelectedIndex(); i > 0 {
		f.Level, f.ByLevel = reviewLevels[i-1], true
	}
	a.filter = f
	a.apply(true)
}

// apply filters the loaded rows and shows the result, from the top when
// the filter changed (a reload keeps the place in the list).
func (a *review) apply(top bool) {
	a.shown = filterQueue(a.rows, a.filter, a.shown)
	a.count.SetText(T("显示 %d / %d 项", len(a.shown), len(a.rows)))
	a.table.UnselectAll()
	a.table.Refresh()
	if top {
		a.table.ScrollToTop()
	}
}

// Queue columns.
const (
	queueStatus = iota
	queueLevel
	queueUnit
	queueCode
	queueTitle
	queueTime
	queueColumns
)

// newTable returns the virtualised queue: a row per task.
func (a *review) newTable() *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(a.shown), queueColumns },
		func() fyne.CanvasObject {
			l := widget.NewLabel("已提交（待同步）")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, colorDot(colorGrey), nil, l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row >= len(a.shown) {
				return
			}
			r := &a.rows[a.shown[id.Row]]
			box := o.(*fyne.Container)
			l := box.Objects[0].(*widget.Label)
			mark := box.Objects[1].(*fyne.Container)
			l.SetText(queueCell(r, id.Col))
			c := warningColor(r.Level)
			dot := id.Col == queueLevel && c != nil
			if dot {
				circle := mark.Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
				circle.FillColor = c
				circle.Refresh()
			}
			if dot != mark.Visible() {
				// A reused cell: lay the text out again for the dot shown
				// or hidden, so that it does not keep the dot's place.
				if dot {
					mark.Show()
				} else {
					mark.Hide()
				}
				box.Refresh()
			}
		})
	withHeader(t, queueHeader, 116, 104, 104, 50, 128, 108)
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(a.shown) {
			a.openTask(a.rows[a.shown[id.Row]].TaskID)
		}
	}
	return t
}

// queueHeader is the title of a queue column.
func queueHeader(col int) string {
	switch col {
	case queueStatus:
		return T("状态")
	case queueLevel:
		return T("预警")
	case queueUnit:
		return T("单位")
	case queueCode:
		return T("编号")
	case queueTitle:
		return T("指标")
	}
	return T("提交时间")
}

// queueCell is what a queue cell shows.
func queueCell(r *queueRow, col int) string {
	switch col {
	case queueStatus:
		if r.Pending {
			return statusLabel(r.Status) + T("（待同步）")
		}
		return statusLabel(r.Status)
	case queueLevel:
		return warningLabel(r.Level)
	case queueUnit:
		return r.Unit
	case queueCode:
		return r.Code
	case queueTitle:
		return r.Title
	}
	switch {
	case r.Version > 0:
		return r.Submitted.In(assess.CST).Format("01-02 15:04")
	case !r.Deadline.IsZero():
		return T("截止 %s", r.Deadline.In(assess.CST).Format("01-02"))
	}
	return "—"
}

// refresh reloads the queue, and the opened task, in the background.
func (a *review) refresh() {
	a.gen++
	gen, y, s := a.gen, a.s.year, a.s
	if y.ID == "" {
		a.rows = nil
		a.apply(true)
		a.count.SetText(T("尚无考核年度数据，请先同步"))
		return
	}
	type loaded struct {
		rows  []queueRow
		units []assess.Unit
		cats  []assess.Indicator
	}
	now := s.now()
	background(s, func(ctx context.Context) (loaded, error) {
		var l loaded
		var err error
		if l.rows, err = loadQueue(ctx, s.db(), y, now); err != nil {
			return l, err
		}
		units, err := s.db().Units(ctx)
		if err != nil {
			return l, err
		}
		inds, err := s.db().Indicators(ctx, y.ID)
		if err != nil {
			return l, err
		}
		has := map[string]bool{}
		for _, r := range l.rows {
			has[r.UnitID] = true
		}
		for _, u := range units {
			if has[u.ID] {
				l.units = append(l.units, u)
			}
		}
		l.cats = topCategories(inds)
		return l, nil
	}, func(l loaded, err error) {
		if gen != a.gen {
			return
		}
		if err != nil {
			s.showError(err)
			return
		}
		a.rows = l.rows
		a.setOptions(l.units, l.cats)
		a.apply(false)
		switch {
		case a.openID == "":
		case slices.ContainsFunc(a.rows, func(r queueRow) bool { return r.TaskID == a.openID }):
			a.openTask(a.openID)
		default:
			a.closeTask()
		}
	})
}

// loadQueue reads the year's tasks once and prepares the queue's rows in
// review order.
func loadQueue(ctx context.Context, db Store, y assess.Year, now time.Time) ([]queueRow, error) {
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: y.ID})
	if err != nil {
		return nil, err
	}
	filings, err := db.YearMilestoneFilings(ctx, y.ID)
	if err != nil {
		return nil, err
	}
	warns, err := taskWarnings(ctx, db, y, views, filings, now)
	if err != nil {
		return nil, err
	}
	rows := make([]queueRow, len(views))
	for i, v := range views {
		rows[i] = newQueueRow(v, warns[i])
	}
	sortQueue(rows)
	return rows, nil
}

// taskWarnings computes each task's warning at now as the reviewer sees
// its status, its milestones judged by filings (task ID → milestone ID →
// filing). Only a task scored below its threshold can have a
// rectification, so only those are read. A score still waiting to be sent
// is not known yet and warns of nothing.
func taskWarnings(ctx context.Context, db Store, y assess.Year, views []localdb.TaskView, filings map[string]map[string]assess.MilestoneFiling, now time.Time) ([]assess.Warning, error) {
	cal := assess.ChinaCalendar()
	out := make([]assess.Warning, len(views))
	for i, v := range views {
		scored := v.Scored || v.Status == assess.Scored
		if v.Local == assess.Scored && !scored {
			continue
		}
		var rect *assess.Rectification
		if scored && v.Score < v.Indicator.Threshold() {
			var err error
			if rect, err = rectOf(ctx, db, v.ID); err != nil {
				return nil, err
			}
		}
		t := v.Task
		t.Status = v.Local
		out[i] = assess.TaskWarning(t, v.Indicator, rect, filings[v.ID], now, cal, y.WarnDays)
	}
	return out, nil
}

// newDetail builds the opened task's view: what it is, the tabs of
// material, requirements and history, and the scoring form.
func (a *review) newDetail() *fyne.Container {
	a.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.heading.Wrapping = fyne.TextWrapBreak
	a.meta = widget.NewLabel("")
	a.meta.Wrapping = fyne.TextWrapBreak
	a.warn = widget.NewLabel("")
	a.warn.Wrapping = fyne.TextWrapBreak

	a.stmtOf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.stmtOf.Truncation = fyne.TextTruncateEllipsis
	a.stmt = widget.NewLabel("")
	a.stmt.Wrapping = fyne.TextWrapBreak
	a.filesOf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.files = a.newFileList()
	material := container.NewVSplit(
		container.NewBorder(a.stmtOf, nil, nil, nil, container.NewVScroll(a.stmt)),
		container.NewBorder(a.filesOf, nil, nil, nil, a.files))
	material.Offset = 0.5

	a.reqs = widget.NewRichText()
	a.reqs.Wrapping = fyne.TextWrapBreak
	a.history = widget.NewRichText()
	a.history.Wrapping = fyne.TextWrapBreak
	a.msTab = container.NewTabItem(T("时间节点"), a.newMilestones())
	a.leadTab = container.NewTabItem(T("督察线索"), a.newLeads())
	a.tabs = container.NewAppTabs(
		container.NewTabItem(T("提交材料"), material),
		a.msTab,
		a.leadTab,
		container.NewTabItem(T("指标要求"), container.NewVScroll(a.reqs)),
		container.NewTabItem(T("审核历史"), container.NewVScroll(a.history)),
	)

	top := container.NewVBox(a.heading, a.meta, a.warn)
	return container.NewBorder(top, a.newForm(), nil, nil, a.tabs)
}

// newForm builds the scoring form and the note shown instead of it when
// the task cannot be reviewed.
func (a *review) newForm() fyne.CanvasObject {
	a.score = widget.NewEntry()
	a.score.OnSubmitted = func(string) { a.onScore() }
	a.comment = widget.NewMultiLineEntry()
	a.comment.SetPlaceHolder(T("审核意见：赋分说明，或退回时写明需要补充哪些材料"))
	a.comment.SetMinRowsVisible(3)
	a.comment.Wrapping = fyne.TextWrapBreak
	a.errLabel = widget.NewLabel("")
	a.errLabel.Importance = widget.DangerImportance
	a.errLabel.Wrapping = fyne.TextWrapBreak
	a.errLabel.Hide()
	a.returnBtn = widget.NewButtonWithIcon(T("退回补充材料"), theme.MailReplyIcon(), a.onReturn)
	a.returnBtn.Importance = widget.WarningImportance
	a.scoreBtn = widget.NewButtonWithIcon(T("确认赋分"), theme.ConfirmIcon(), a.onScore)
	a.scoreBtn.Importance = widget.HighImportance
	entry := container.NewGridWrap(fyne.NewSize(120, a.score.MinSize().Height), a.score)
	a.form = container.NewVBox(widget.NewSeparator(),
		container.NewHBox(widget.NewLabel(T("分数")), entry, layout.NewSpacer(), a.returnBtn, a.scoreBtn),
		a.comment, a.errLabel)
	a.note = widget.NewLabel("")
	a.note.Wrapping = fyne.TextWrapBreak
	a.note.Importance = widget.LowImportance
	return container.NewVBox(a.form, a.note)
}

// newFileList returns the list of the opened version's evidence files.
func (a *review) newFileList() *widget.List {
	return widget.NewList(
		func() int { return len(a.item.files()) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("会议纪要.pdf")
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("")
			info.Truncation = fyne.TextTruncateEllipsis
			info.SizeName = theme.SizeNameCaptionText
			open := widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), nil)
			return container.NewBorder(nil, nil, nil, open, container.NewVBox(name, info))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			files := a.item.files()
			if id >= len(files) {
				return
			}
			f := files[id]
			box := o.(*fyne.Container)
			texts := box.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(f.Name)
			texts.Objects[1].(*widget.Label).SetText(a.fileInfo(f))
			box.Objects[1].(*widget.Button).OnTapped = func() { a.s.openEvidence(f) }
		})
}

// fileInfo is an evidence file's type, size, hash and checklist slot.
func (a *review) fileInfo(f assess.Attachment) string {
	kind := strings.ToUpper(strings.TrimPrefix(path.Ext(f.Name), "."))
	if kind == "" {
		kind = T("文件")
	}
	hash := f.Hash
	if len(hash) > 16 {
		hash = hash[:16] + "…"
	}
	s := fmt.Sprintf("%s · %s · SHA-256 %s", kind, formatBytes(f.Size), hash)
	if ev := a.item.view.Indicator.Evidence; f.Slot >= 0 && f.Slot < len(ev) {
		s += " · " + T("对应：%s", ev[f.Slot])
	}
	return s
}

// openTask opens a task on the right, loading it in the background. The
// score and comment typed stay while the same task is reloaded.
func (a *review) openTask(id string) {
	if id != a.openID {
		a.score.SetText("")
		a.comment.SetText("")
		a.hideError()
		a.msSel = 0
		a.leadText.SetText("")
	}
	a.openID = id
	a.openGen++
	gen, s, y := a.openGen, a.s, a.s.year
	now := s.now()
	background(s, func(ctx context.Context) (*reviewItem, error) {
		return loadReviewItem(ctx, s.db(), y, id, now)
	}, func(it *reviewItem, err error) {
		if gen != a.openGen {
			return
		}
		if err != nil {
			s.showError(err)
			return
		}
		a.showItem(it)
	})
}

// closeTask shows the hint again, e.g. after switching to another year.
func (a *review) closeTask() {
	a.openID, a.item = "", nil
	a.openGen++
	a.right.Objects = []fyne.CanvasObject{a.hint}
	a.right.Refresh()
}

// loadReviewItem reads a task, its versions, reviews, rectification and
// the names of the people in its history.
func loadReviewItem(ctx context.Context, db Store, y assess.Year, id string, now time.Time) (*reviewItem, error) {
	it := &reviewItem{year: y, users: map[string]string{}}
	var err error
	if it.view, err = db.Task(ctx, id); err != nil {
		return nil, err
	}
	if it.subs, err = db.Submissions(ctx, id); err != nil {
		return nil, err
	}
	slices.SortStableFunc(it.subs, func(a, b assess.Submission) int { return cmp.Compare(a.Version, b.Version) })
	if it.reviews, err = db.Reviews(ctx, id); err != nil {
		return nil, err
	}
	if it.rect, err = rectOf(ctx, db, id); err != nil {
		return nil, err
	}
	fs, err := db.MilestoneFilings(ctx, id)
	if err != nil {
		return nil, err
	}
	it.now, it.filings = now, map[string]localdb.MilestoneView{}
	byID := map[string]assess.MilestoneFiling{}
	for _, f := range fs {
		it.filings[f.MilestoneID] = f
		byID[f.MilestoneID] = f.MilestoneFiling
	}
	ws, err := taskWarnings(ctx, db, y, []localdb.TaskView{it.view}, map[string]map[string]assess.MilestoneFiling{id: byID}, now)
	if err != nil {
		return nil, err
	}
	it.warning = ws[0]
	leads, err := db.Leads(ctx, localdb.LeadFilter{YearID: y.ID, UnitID: it.view.UnitID})
	if err != nil {
		return nil, err
	}
	inds, err := db.Indicators(ctx, y.ID)
	if err != nil {
		return nil, err
	}
	parents := map[string]string{}
	for _, in := range inds {
		parents[in.ID] = in.ParentID
	}
	it.leads = leadsFor(leads, it.view.Indicator, parents)
	users, err := db.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		it.users[u.ID] = u.Name
	}
	return it, nil
}

// showItem puts an opened task on the screen.
func (a *review) showItem(it *reviewItem) {
	a.item = it
	v := it.view
	in := v.Indicator
	a.heading.SetText(fmt.Sprintf("%s %s", in.Code, in.Title))
	status := statusLabel(v.Local)
	if len(v.Pending) > 0 {
		status += T("（待同步）")
	}
	a.meta.SetText(T("%s · %s · 最新第 %d 版 · 满分 %s 分", v.UnitName, status, v.Version, assess.FormatScore(in.MaxScore)))
	a.showWarning(it.warning)

	if sub, ok := it.latest(); ok {
		a.stmtOf.SetText(T("落实情况说明（第 %d 版，%s 由 %s 提交）", sub.Version, reviewTime(sub.SubmittedAt), nameOf(it.users, sub.SubmittedBy)))
		a.stmt.SetText(sub.Statement)
	} else {
		a.stmtOf.SetText(T("落实情况说明"))
		a.stmt.SetText(T("该单位尚未提交"))
	}
	a.filesOf.SetText(T("佐证材料（%d 份）", len(it.files())))
	a.files.UnselectAll()
	a.files.Refresh()
	a.reqs.Segments = requirementSegments(it)
	a.reqs.Refresh()
	a.history.Segments = a.historySegments(it)
	a.history.Refresh()
	a.showMilestones(it)
	a.showLeads(it)

	a.score.SetPlaceHolder(T("0 到 %s 分", assess.FormatScore(in.MaxScore)))
	if why := blockedReason(it); why != "" {
		a.form.Hide()
		a.note.SetText(why)
		a.note.Show()
	} else {
		a.note.Hide()
		a.form.Show()
	}
	a.right.Objects = []fyne.CanvasObject{a.detail}
	a.right.Refresh()
	a.detail.Refresh()
}

// showWarning shows a warning in its colour, or hides the line.
func (a *review) showWarning(w assess.Warning) {
	if w.Level == assess.NoWarning {
		a.warn.Hide()
		return
	}
	switch w.Level {
	case assess.Red:
		a.warn.Importance = widget.DangerImportance
	case assess.Yellow:
		a.warn.Importance = widget.WarningImportance
	default:
		a.warn.Importance = widget.HighImportance
	}
	a.warn.SetText(T("%s：%s", warningLabel(w.Level), domainText(a.s, w.Reason)))
	a.warn.Show()
}

// blockedReason says why the task cannot be reviewed now; "" when it can.
func blockedReason(it *reviewItem) string {
	v := it.view
	switch {
	case it.year.State == assess.YearClosed:
		return T("考核年度已关闭，数据已冻结，不能再审核")
	case reviewPending(v):
		return T("本机的审核意见已保存，将在下次同步时发送")
	case v.Local == assess.Submitted && v.Version > 0:
		return ""
	case v.Local == assess.Scored:
		return T("该指标已赋分 %s 分", assess.FormatScore(v.Score))
	case v.Local == assess.Returned:
		return T("已退回补充，等待单位重新提交")
	}
	return T("该单位尚未提交，暂无可审核的材料")
}

// reviewPending reports whether a review of the task waits to be sent.
func reviewPending(v localdb.TaskView) bool {
	return slices.Contains(v.Pending, wire.KindScore) || slices.Contains(v.Pending, wire.KindReturn)
}

// Rich-text styles of the requirements and the history.
var (
	reviewStyleHeading = widget.RichTextStyle{ColorName: theme.ColorNamePrimary, TextStyle: fyne.TextStyle{Bold: true}}
	reviewStyleReturn  = widget.RichTextStyle{ColorName: theme.ColorNameWarning, TextStyle: fyne.TextStyle{Bold: true}}
	reviewStyleScore   = widget.RichTextStyle{ColorName: theme.ColorNameSuccess, TextStyle: fyne.TextStyle{Bold: true}}
)

// richSection is a heading and its paragraph.
func richSection(style widget.RichTextStyle, heading, text string) []widget.RichTextSegment {
	return []widget.RichTextSegment{
		&widget.TextSegment{Style: style, Text: heading},
		&widget.TextSegment{Style: widget.RichTextStyleParagraph, Text: text},
	}
}

// orNoneText is text, or （无） when it is blank.
func orNoneText(text string) string {
	if strings.TrimSpace(text) == "" {
		return T("（无）")
	}
	return text
}

// requirementSegments are the indicator's content, standard, checklist
// (with what the latest version attached to each item), scoring rule and
// scores.
func requirementSegments(it *reviewItem) []widget.RichTextSegment {
	in := it.view.Indicator
	perSlot := map[int]int{}
	for _, f := range it.files() {
		perSlot[f.Slot]++
	}
	var list []string
	for i, item := range in.Evidence {
		mark := T("未附材料")
		if n := perSlot[i]; n > 0 {
			mark = T("已附 %d 份", n)
		}
		list = append(list, fmt.Sprintf("%d. %s（%s）", i+1, item, mark))
	}
	if n := perSlot[-1]; n > 0 {
		list = append(list, T("其他材料 %d 份", n))
	}
	scores := T("满分 %s 分，低于 %s 分列为重点督察事项", assess.FormatScore(in.MaxScore), assess.FormatScore(in.Threshold()))
	if !in.Deadline.IsZero() {
		scores += T("；截止日期 %s", in.Deadline.In(assess.CST).Format(time.DateOnly))
	}
	var segs []widget.RichTextSegment
	segs = append(segs, richSection(reviewStyleHeading, T("指标内容"), orNoneText(in.Content))...)
	segs = append(segs, richSection(reviewStyleHeading, T("达标标准"), orNoneText(in.Standard))...)
	segs = append(segs, richSection(reviewStyleHeading, T("需要查验的资料"), orNoneText(strings.Join(list, "\n")))...)
	segs = append(segs, richSection(reviewStyleHeading, T("评分细则"), orNoneText(in.ScoringRule))...)
	segs = append(segs, richSection(reviewStyleHeading, T("分值"), scores)...)
	return segs
}

// historyEvent is one entry of a task's history.
type historyEvent struct {
	at   time.Time
	segs []widget.RichTextSegment
}

// historySegments are the task's versions and reviews in time order, then
// a review waiting to be sent and the rectification, if any.
func (a *review) historySegments(it *reviewItem) []widget.RichTextSegment {
	var evs []historyEvent
	for _, sub := range it.subs {
		head := T("第 %d 版提交", sub.Version) + " · " + reviewTime(sub.SubmittedAt) + " · " + nameOf(it.users, sub.SubmittedBy)
		text := T("附 %d 份佐证材料。", len(sub.Attachments)) + "\n" + oneLineExcerpt(sub.Statement, 120)
		evs = append(evs, historyEvent{sub.SubmittedAt, richSection(reviewStyleHeading, head, text)})
	}
	for _, r := range it.reviews {
		style, head := reviewStyleReturn, T("退回补充（第 %d 版）", r.Version)
		if r.Decision == assess.Score {
			style, head = reviewStyleScore, T("赋分 %s 分（第 %d 版）", assess.FormatScore(r.Score), r.Version)
		}
		head += " · " + reviewTime(r.CreatedAt) + " · " + nameOf(it.users, r.Reviewer)
		evs = append(evs, historyEvent{r.CreatedAt, richSection(style, head, orNoneText(r.Comment))})
	}
	slices.SortStableFunc(evs, func(x, y historyEvent) int { return x.at.Compare(y.at) })
	var segs []widget.RichTextSegment
	for _, e := range evs {
		segs = append(segs, e.segs...)
	}
	if reviewPending(it.view) {
		segs = append(segs, richSection(reviewStyleHeading, T("本机审核意见（待同步）"), T("%s，将在下次同步时发送", statusLabel(it.view.Local)))...)
	}
	if r := it.rect; r != nil {
		text := r.State.Label()
		if !r.Deadline.IsZero() {
			text += " · " + T("整改期限 %s", r.Deadline.In(assess.CST).Format(time.DateOnly))
		}
		segs = append(segs, richSection(reviewStyleReturn, T("重点督察事项整改"), text+"\n"+orNoneText(r.Demand))...)
	}
	if len(segs) == 0 {
		segs = richSection(reviewStyleHeading, T("暂无记录"), T("该任务还没有提交和审核记录"))
	}
	return segs
}

// oneLineExcerpt is the first n characters of text on one line.
func oneLineExcerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}

// reviewTime is a time as the reviewer reads it, in China time.
func reviewTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(assess.CST).Format("2006-01-02 15:04")
}

// domainText is the part of a domain message ("中文 (English)") in the
// language chosen.
func domainText(s *Shell, msg string) string {
	i := strings.LastIndex(msg, " (")
	if i < 0 || !strings.HasSuffix(msg, ")") {
		return msg
	}
	if s.app.Preferences().StringWithFallback(prefLanguage, LangChinese) == LangEnglish {
		return msg[i+2 : len(msg)-1]
	}
	return msg[:i]
}

// fail shows a validation error under the form.
func (a *review) fail(err error) {
	a.errLabel.SetText(message(err))
	a.errLabel.Show()
	a.detail.Refresh()
}

// hideError hides the form's error line.
func (a *review) hideError() {
	if a.errLabel.Visible() {
		a.errLabel.Hide()
		a.detail.Refresh()
	}
}

// onScore checks the score, asks, and queues it for the latest version.
func (a *review) onScore() {
	it := a.item
	if it == nil || blockedReason(it) != "" {
		return
	}
	v := it.view
	score, err := parseScore(a.score.Text, v.Indicator.MaxScore)
	if err != nil {
		a.fail(err)
		return
	}
	a.hideError()
	comment := strings.TrimSpace(a.comment.Text)
	text := T("为“%s”的 %s %s 第 %d 版赋分 %s 分（满分 %s 分）。", v.UnitName, v.Indicator.Code, v.Indicator.Title,
		v.Version, assess.FormatScore(score), assess.FormatScore(v.Indicator.MaxScore))
	if v.Indicator.MaxScore > 0 && score < v.Indicator.Threshold() {
		text += "\n" + T("该得分低于低分线 %s 分，确认后将开启整改，该任务列为重点督察事项。", assess.FormatScore(v.Indicator.Threshold()))
	}
	id, version := v.ID, v.Version
	a.s.confirm(T("确认赋分"), text, T("确认赋分"), func() {
		a.s.act(func(ctx context.Context) error {
			return a.s.db().Score(ctx, id, version, score, comment)
		}, func() { a.clearForm(id) })
	})
}

// onReturn checks that the comment says what is missing, asks, and
// queues the return of the latest version.
func (a *review) onReturn() {
	it := a.item
	if it == nil || blockedReason(it) != "" {
		return
	}
	comment := strings.TrimSpace(a.comment.Text)
	if comment == "" {
		a.fail(assess.Errorf(assess.EInvalid, "%s", T("请填写退回理由，说明需要补充哪些材料")))
		return
	}
	a.hideError()
	v := it.view
	id, version := v.ID, v.Version
	text := T("将“%s”的 %s %s 第 %d 版退回补充，单位将看到退回理由并重新提交。", v.UnitName, v.Indicator.Code, v.Indicator.Title, version)
	a.s.confirm(T("退回补充材料"), text, T("退回补充材料"), func() {
		a.s.act(func(ctx context.Context) error {
			return a.s.db().Return(ctx, id, version, comment)
		}, func() { a.clearForm(id) })
	})
}

// clearForm empties the form after a review of the task was saved.
func (a *review) clearForm(id string) {
	if a.openID == id {
		a.score.SetText("")
		a.comment.SetText("")
		a.hideError()
	}
}

// scoreSyntax is a plain decimal number, perhaps negative.
var scoreSyntax = regexp.MustCompile(`^-?(\d+(\.\d*)?|\.\d+)$`)

// parseScore reads a score typed by a reviewer (full-width digits
// included) and checks it against the maximum, with Chinese messages: not
// a number, negative, above the maximum, more than one decimal (scores go
// in steps of 0.1).
func parseScore(text string, max float64) (float64, error) {
	s := strings.TrimSpace(strings.Map(halfWidth, text))
	invalid := func(msg string) (float64, error) { return 0, assess.Errorf(assess.EInvalid, "%s", msg) }
	if s == "" {
		return invalid(T("请填写分数"))
	}
	if !scoreSyntax.MatchString(s) {
		return invalid(T("分数“%s”不是数字，请填写 0 到 %s 之间的数字", strings.TrimSpace(text), assess.FormatScore(max)))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return invalid(T("分数“%s”不是数字，请填写 0 到 %s 之间的数字", strings.TrimSpace(text), assess.FormatScore(max)))
	}
	switch {
	case f < 0:
		return invalid(T("分数不能为负数"))
	case f > max:
		return invalid(T("分数不能超过满分 %s 分", assess.FormatScore(max)))
	}
	if _, frac, ok := strings.Cut(s, "."); ok && len(strings.TrimRight(frac, "0")) > 1 {
		return invalid(T("分数最多保留一位小数"))
	}
	return f, nil
}

// halfWidth maps the full-width digits, point and minus sign a Chinese
// input method types to ASCII.
func halfWidth(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return r - '０' + '0'
	case r == '．' || r == '。':
		return '.'
	case r == '－':
		return '-'
	}
	return r
}

// newMilestones builds the milestones tab: the task's milestones with the
// unit's standing on each, and below, the statement and evidence filed
// against the one chosen.
func (a *review) newMilestones() fyne.CanvasObject {
	a.msOf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.msOf.Wrapping = fyne.TextWrapBreak
	a.msList = widget.NewList(
		func() int {
			if a.item == nil {
				return 0
			}
			return len(a.item.view.Indicator.Milestones)
		},
		func() fyne.CanvasObject {
			title := widget.NewLabel("6月30日前 制定年度计划")
			title.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabel("")
			info.Truncation = fyne.TextTruncateEllipsis
			info.SizeName = theme.SizeNameCaptionText
			return container.NewBorder(nil, nil, colorDot(colorGrey), nil, container.NewVBox(title, info))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if a.item == nil || id >= len(a.item.view.Indicator.Milestones) {
				return
			}
			m, f, st := a.item.milestone(id)
			box := o.(*fyne.Container)
			texts := box.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(m.Title)
			texts.Objects[1].(*widget.Label).SetText(milestoneInfo(m, f, st))
			circle := box.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
			circle.FillColor = milestoneColor(st)
			circle.Refresh()
		})
	a.msList.OnSelected = func(id widget.ListItemID) {
		a.msSel = id
		a.showMilestone()
	}
	a.msStmtOf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.msStmtOf.Truncation = fyne.TextTruncateEllipsis
	a.msStmt = widget.NewLabel("")
	a.msStmt.Wrapping = fyne.TextWrapBreak
	a.msFiles = widget.NewList(
		func() int { return len(a.item.milestoneFiles(a.msSel)) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("年度计划.pdf")
			name.Truncation = fyne.TextTruncateEllipsis
			open := widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), nil)
			return container.NewBorder(nil, nil, nil, open, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			files := a.item.milestoneFiles(a.msSel)
			if id >= len(files) {
				return
			}
			f := files[id]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s（%s）", f.Name, formatBytes(f.Size)))
			box.Objects[1].(*widget.Button).OnTapped = func() { a.s.openEvidence(f) }
		})
	below := container.NewBorder(a.msStmtOf, nil, nil, nil,
		container.NewVSplit(container.NewVScroll(a.msStmt), a.msFiles))
	split := container.NewVSplit(a.msList, below)
	split.Offset = 0.45
	return container.NewBorder(a.msOf, nil, nil, nil, split)
}

// milestoneInfo is a milestone's due day, state and filing time.
func milestoneInfo(m assess.Milestone, f *localdb.MilestoneView, st assess.MilestoneState) string {
	due := m.DueDay(nil)
	s := T("截止 %s", due.Format(time.DateOnly))
	if !assess.DayOf(m.Due).Equal(due) {
		s += T("（节假日顺延）")
	}
	s += " · " + milestoneLabel(st)
	if f != nil {
		s += " · " + T("报送于 %s", reviewTime(f.FiledAt))
		if f.UpdatedAt.After(f.FiledAt) {
			s += " · " + T("%s 更正", reviewTime(f.UpdatedAt))
		}
		if f.Pending {
			s += T("（待同步）")
		}
	}
	return s
}

// milestoneCounts says how many of the task's milestones are in each state.
func milestoneCounts(it *reviewItem) string {
	n := map[assess.MilestoneState]int{}
	for i := range it.view.Indicator.Milestones {
		_, _, st := it.milestone(i)
		n[st]++
	}
	return T("时间节点 %d 个：按时完成 %d，逾期完成 %d，逾期未完成 %d，未到期 %d", len(it.view.Indicator.Milestones),
		n[assess.MilestoneMet], n[assess.MilestoneLate], n[assess.MilestoneMissed], n[assess.MilestonePending])
}

// showMilestones shows the opened task's milestones.
func (a *review) showMilestones(it *reviewItem) {
	ms := it.view.Indicator.Milestones
	if len(ms) == 0 {
		a.msOf.SetText(T("该指标未设置时间节点"))
		a.msTab.Text = T("时间节点")
	} else {
		a.msOf.SetText(milestoneCounts(it))
		a.msTab.Text = T("时间节点（%d）", len(ms))
	}
	if a.msSel >= len(ms) {
		a.msSel = 0
	}
	a.msList.Refresh()
	if len(ms) > 0 {
		a.msList.Select(a.msSel)
	}
	a.showMilestone()
	a.tabs.Refresh()
}

// showMilestone shows the filing of the milestone chosen.
func (a *review) showMilestone() {
	it := a.item
	if it == nil || a.msSel >= len(it.view.Indicator.Milestones) {
		a.msStmtOf.SetText("")
		a.msStmt.SetText("")
		a.msFiles.Refresh()
		return
	}
	m, f, st := it.milestone(a.msSel)
	if f == nil {
		a.msStmtOf.SetText(T("%s：%s", m.Title, milestoneLabel(st)))
		a.msStmt.SetText(T("该单位尚未报送此时间节点"))
	} else {
		a.msStmtOf.SetText(T("%s：%s，%s 由 %s 报送", m.Title, milestoneLabel(st), reviewTime(f.FiledAt), nameOf(it.users, f.FiledBy)))
		a.msStmt.SetText(orNoneText(f.Statement))
	}
	a.msFiles.Refresh()
}

// newLeads builds the leads tab: the leads about the unit and the
// indicator, then those about the unit only, each with its decision and
// the button to take it into account or withdraw that; the chosen one's
// full summary below.
func (a *review) newLeads() fyne.CanvasObject {
	a.leadsOf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.leadsOf.Wrapping = fyne.TextWrapBreak
	a.leadList = widget.NewList(
		func() int {
			if a.item == nil {
				return 0
			}
			return len(a.item.leads)
		},
		func() fyne.CanvasObject {
			head := widget.NewLabelWithStyle("人大建议政协提案 · 2026-01-01", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			head.Truncation = fyne.TextTruncateEllipsis
			text := widget.NewLabel("")
			text.Truncation = fyne.TextTruncateEllipsis
			text.SizeName = theme.SizeNameCaptionText
			btn := widget.NewButton(T("纳入考核"), nil)
			return container.NewBorder(nil, nil, nil, container.NewCenter(btn), container.NewVBox(head, text))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if a.item == nil || id >= len(a.item.leads) {
				return
			}
			l := a.item.leads[id]
			box := o.(*fyne.Container)
			texts := box.Objects[0].(*fyne.Container)
			btn := box.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
			texts.Objects[0].(*widget.Label).SetText(a.leadHead(l))
			state := texts.Objects[1].(*widget.Label)
			state.Importance = widget.MediumImportance
			if l.Considered {
				state.Importance = widget.DangerImportance
			}
			state.SetText(leadStateText(l) + " · " + oneLineExcerpt(l.Summary, 60))
			unit := a.item.view.UnitName
			if l.Considered {
				btn.SetText(T("撤销"))
				btn.Importance = widget.WarningImportance
				btn.OnTapped = func() { withdrawLead(a.s, l, unit) }
			} else {
				btn.SetText(T("纳入考核"))
				btn.Importance = widget.HighImportance
				btn.OnTapped = func() { a.leadForm = considerLead(a.s, l, unit) }
			}
			setEnabled(btn, a.item.year.State != assess.YearClosed)
			btn.Refresh()
		})
	a.leadText = widget.NewLabel("")
	a.leadText.Wrapping = fyne.TextWrapBreak
	a.leadList.OnSelected = func(id widget.ListItemID) {
		if a.item == nil || id >= len(a.item.leads) {
			return
		}
		l := a.item.leads[id]
		text := a.leadHead(l) + " · " + T("记录编号 %s", l.RecordID) + "\n" + leadStateText(l)
		if c := strings.TrimSpace(l.Comment); l.Considered && c != "" {
			text += " · " + T("考核意见：%s", c)
		}
		a.leadText.SetText(text + "\n" + l.Summary)
	}
	split := container.NewVSplit(a.leadList, container.NewVScroll(a.leadText))
	split.Offset = 0.65
	return container.NewBorder(a.leadsOf, nil, nil, nil, split)
}

// leadHead is a lead's source, date and what it concerns.
func (a *review) leadHead(l assess.Lead) string {
	what := T("单位线索")
	if l.IndicatorID != "" {
		what = T("本指标线索")
		if l.IndicatorID != a.item.view.Indicator.ID {
			what = T("上级指标线索")
		}
	}
	return leadSourceLabel(l.Source) + " · " + leadDate(l) + " · " + what
}

// showLeads shows the opened task's leads.
func (a *review) showLeads(it *reviewItem) {
	a.leadsOf.SetText(leadsSummary(it.leads))
	a.leadTab.Text = T("督察线索")
	if len(it.leads) > 0 {
		a.leadTab.Text = T("督察线索（%d）", len(it.leads))
	}
	a.leadList.UnselectAll()
	a.leadList.Refresh()
	a.tabs.Refresh()
}
