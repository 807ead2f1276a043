package ui

import (
	"context"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// prefFilingDir remembers the folder evidence was last added from.

// filingCat prefixes the tree IDs of categories; tasks use their own IDs.
const filingCat = "cat:"

// filingOtherSlot is the slot of evidence that answers no checklist item (其他材料).
const filingOtherSlot = -1

// filing is the 指标填报 area: on the left the unit's tasks of the year as a
// tree by category, with a search and a status filter; on the right the
// selected task's indicator, standard, scoring rule, deadline and warning,
// the implementation statement and the evidence checklist as slots of files.
// Drafts are saved on this PC (Ctrl+S) and submitted offline; the outbox
// sends them when the server can be reached.
type filing struct {
	s   *Shell
	box fyne.CanvasObject
	mu  sync.Mutex // serialises the draft writes of background work

	// The list.
	heading  *widget.Label
	search   *widget.Entry
	filter   *widget.Select
	count    *widget.Label
	tree     *widget.Tree
	all      []filingRow
	rows     map[string]*filingRow
	cats     []string            // category tree IDs shown, in order
	children map[string][]string // category tree ID → task IDs shown
	catTitle map[string]string   // category tree ID → "1 依法全面履行政府职能"
	closed   map[string]bool     // categories the user folded
	listGen  int
	loaded   bool

	// The selected task.
	selected  string
	cur       *filingDetail
	detailGen int
	savedText string // the statement as stored, to tell unsaved changes

	empty     *widget.Label
	right     *fyne.Container
	title     *widget.Label
	state     *widget.Label
	warnDot   *canvas.Circle
	warnText  *widget.Label
	notices   *fyne.Container
	scroll    *container.Scroll
	info      *fyne.Container
	statement *widget.Entry
	runes     *widget.Label
	slots     *fyne.Container
	unsaved   *widget.Label
	note      *widget.Label
	bar       *fyne.Container
	saveBtn   *widget.Button
	submitBtn *widget.Button

	dropChoice *widget.Select // the checklist item asked for in the last drop dialog

	// The milestones (时间节点) of the task shown.
	milesHead *widget.Label
	milesBox  *fyne.Container
	medits    map[string]*filingMilestoneEdit // filing ID → what is being prepared
}

// filingRow is one task of the list with its warning.
type filingRow struct {
	v    localdb.TaskView
	warn assess.Warning
}

// filingList is what the list loads.
type filingList struct {
	rows []filingRow
	cats map[string]string // category code → title
}

// filingDetail is what the right side shows of one task.
type filingDetail struct {
	v       localdb.TaskView
	draft   localdb.Draft // what the user edits, or the submitted content when read-only
	reviews []assess.Review
	rect    *assess.Rectification
	states  map[string]localdb.UploadState
	warn    assess.Warning
	miles   map[string]localdb.MilestoneView // milestone ID → the unit's filing
}

func newFiling(s *Shell) area {
	a := &filing{s: s, rows: map[string]*filingRow{}, children: map[string][]string{},
		catTitle: map[string]string{}, closed: map[string]bool{}, medits: map[string]*filingMilestoneEdit{}}
	a.box = container.NewHSplit(a.listView(), a.detailView())
	a.box.(*container.Split).Offset = 0.38
	return a
}

func (a *filing) view() fyne.CanvasObject { return a.box }

// listView builds the left side: heading, search, status filter and tree.
func (a *filing) listView() fyne.CanvasObject {
	a.heading = widget.NewLabel(T("本单位指标任务"))
	a.heading.TextStyle.Bold = true
	a.heading.Truncation = fyne.TextTruncateEllipsis
	a.search = widget.NewEntry()
	a.search.SetPlaceHolder(T("搜索指标编号或名称"))
	a.search.OnChanged = func(string) { a.applyFilter() }
	opts := []string{T("全部状态")}
	for _, st := range assess.Statuses {
		opts = append(opts, statusLabel(st))
	}
	a.filter = widget.NewSelect(append(opts, T("待同步"), T("有预警")), func(string) { a.applyFilter() })
	a.filter.SetSelectedIndex(0)
	a.count = widget.NewLabel("")
	a.count.Importance = widget.LowImportance
	a.tree = widget.NewTree(a.childIDs, a.isBranch, a.createNode, a.updateNode)
	a.tree.OnSelected = a.onSelected
	a.tree.OnBranchClosed = func(uid string) { a.closed[uid] = true }
	a.tree.OnBranchOpened = func(uid string) { delete(a.closed, uid) }
	top := container.NewVBox(a.heading,
		container.NewBorder(nil, nil, nil, a.filter, a.search), a.count)
	return container.NewBorder(top, nil, nil, nil, a.tree)
}

// detailView builds the right side; it shows a hint until a task is chosen.
func (a *filing) detailView() fyne.CanvasObject {
	a.empty = widget.NewLabel(T("请在左侧选择一项指标任务"))
	a.empty.Alignment = fyne.TextAlignCenter
	a.title = widget.NewLabel("")
	a.title.TextStyle.Bold = true
	a.title.SizeName = theme.SizeNameSubHeadingText
	a.title.Wrapping = fyne.TextWrapWord
	a.state = widget.NewLabel("")
	a.warnDot = canvas.NewCircle(colorGrey)
	a.warnText = widget.NewLabel("")
	a.warnText.Wrapping = fyne.TextWrapWord
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), a.warnDot))
	a.notices = container.NewVBox()
	top := container.NewVBox(a.title,
		container.NewBorder(nil, nil, container.NewHBox(a.state, dot), nil, a.warnText), a.notices)

	a.info = container.NewVBox()
	a.statement = widget.NewMultiLineEntry()
	a.statement.Wrapping = fyne.TextWrapWord
	a.statement.SetMinRowsVisible(7)
	a.statement.SetPlaceHolder(T("请写明本单位落实该指标的具体做法、取得的成效，以及对应的佐证材料"))
	a.statement.OnChanged = func(string) { a.showDirty() }
	a.runes = widget.NewLabel("")
	a.runes.Importance = widget.LowImportance
	a.slots = container.NewVBox()
	a.milesHead = widget.NewLabel(T("时间节点"))
	a.milesHead.TextStyle.Bold = true
	a.milesBox = container.NewVBox()
	body := container.NewVBox(a.info,
		filingSection(T("实施情况说明")), a.statement, a.runes,
		filingSection(T("佐证材料")), a.slots,
		a.milesHead, a.milesBox)
	a.scroll = container.NewVScroll(container.NewPadded(body))

	a.unsaved = widget.NewLabel("")
	a.note = widget.NewLabel("")
	a.note.Truncation = fyne.TextTruncateEllipsis
	a.saveBtn = widget.NewButtonWithIcon(T("保存草稿"), theme.DocumentSaveIcon(), a.save)
	a.submitBtn = widget.NewButtonWithIcon(T("提交"), theme.MailSendIcon(), a.submit)
	a.submitBtn.Importance = widget.HighImportance
	a.bar = container.NewBorder(nil, nil, a.unsaved, container.NewHBox(a.saveBtn, a.submitBtn), a.note)
	a.right = container.NewBorder(top, container.NewVBox(widget.NewSeparator(), a.bar), nil, nil, a.scroll)
	a.right.Hide()
	return container.NewStack(container.NewCenter(a.empty), a.right)
}

// filingSection is a bold heading of the detail.
func filingSection(text string) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	return l
}

// refresh reloads the list and the selected task, keeping the selection
// and any statement the user has not saved yet.
func (a *filing) refresh() {
	s := a.s
	year, unit := s.year, s.user.UnitID
	a.listGen++
	gen := a.listGen
	a.heading.SetText(T("%s · %s指标任务", s.unitName(unit), year.Name))
	background(s, func(ctx context.Context) (filingList, error) {
		return loadFilingList(ctx, s.db(), year, unit, s.now())
	}, func(l filingList, err error) {
		if gen != a.listGen {
			return
		}
		if err != nil {
			a.count.SetText(message(err))
			return
		}
		a.setList(l)
		if _, ok := a.rows[a.selected]; !ok && a.selected != "" {
			a.clearTask() // another year, or the task was withdrawn
		}
		switch {
		case a.selected != "":
			a.load(a.selected)
		case !a.loaded && len(a.all) > 0:
			a.loaded = true
			a.selectTask(a.firstUrgent())
		}
	})
}

// loadFilingList reads the unit's tasks of year with their warnings at now.
func loadFilingList(ctx context.Context, db Store, year assess.Year, unit string, now time.Time) (filingList, error) {
	l := filingList{cats: map[string]string{}}
	if year.ID == "" {
		return l, nil
	}
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: year.ID, UnitID: unit})
	if err != nil {
		return l, err
	}
	ins, err := db.Indicators(ctx, year.ID)
	if err != nil {
		return l, err
	}
	filed, err := db.YearMilestoneFilings(ctx, year.ID)
	if err != nil {
		return l, err
	}
	for _, in := range ins {
		if !strings.Contains(in.Code, ".") {
			l.cats[in.Code] = in.Title
		}
	}
	l.rows = make([]filingRow, len(tasks))
	for i, v := range tasks {
		rect, err := filingRect(ctx, db, v)
		if err != nil {
			return l, err
		}
		l.rows[i] = filingRow{v: v, warn: filingWarning(v, rect, filed[v.ID], year, now)}
	}
	return l, nil
}

// filingRect returns the rectification of a task scored below its
// threshold, nil for any other task.
func filingRect(ctx context.Context, db Store, v localdb.TaskView) (*assess.Rectification, error) {
	if !(v.Scored || v.Status == assess.Scored) || v.Score >= v.Indicator.Threshold() {
		return nil, nil
	}
	return rectOf(ctx, db, v.ID)
}

// setList takes a freshly loaded list and shows it filtered.
func (a *filing) setList(l filingList) {
	a.all = l.rows
	a.rows = make(map[string]*filingRow, len(l.rows))
	for i := range a.all {
		a.rows[a.all[i].v.ID] = &a.all[i]
	}
	a.catTitle = map[string]string{}
	for code, title := range l.cats {
		a.catTitle[filingCat+code] = code + "  " + title
	}
	a.applyFilter()
}

// applyFilter shows the tasks the search and the status filter let through.
func (a *filing) applyFilter() {
	if a.tree == nil || a.rows == nil {
		return
	}
	q := strings.ToLower(strings.TrimSpace(a.search.Text))
	which := a.filter.SelectedIndex()
	a.cats = a.cats[:0]
	a.children = map[string][]string{}
	n := 0
	for i := range a.all {
		r := &a.all[i]
		if !filingMatch(r, q, which) {
			continue
		}
		cat := filingCat + r.v.Indicator.Category()
		if _, ok := a.children[cat]; !ok {
			a.cats = append(a.cats, cat)
		}
		a.children[cat] = append(a.children[cat], r.v.ID)
		n++
	}
	if len(a.all) == 0 {
		a.count.SetText(T("本年度没有分配给本单位的指标任务；如刚发布，请先同步"))
	} else {
		a.count.SetText(T("显示 %d 项，共 %d 项", n, len(a.all)))
	}
	a.tree.Refresh()
	for _, c := range a.cats {
		if !a.closed[c] {
			a.tree.OpenBranch(c)
		}
	}
	if a.shown(a.selected) {
		a.tree.Select(a.selected)
	} else {
		a.tree.UnselectAll()
	}
}

// filingMatch reports whether a row passes the search q (lower case) and
// the status filter (its option's index: all, each status, waiting to sync,
// with a warning).
func filingMatch(r *filingRow, q string, which int) bool {
	if q != "" && !strings.Contains(strings.ToLower(r.v.Indicator.Code+" "+r.v.Indicator.Title), q) {
		return false
	}
	n := len(assess.Statuses)
	switch {
	case which >= 1 && which <= n:
		return r.v.Local == assess.Statuses[which-1]
	case which == n+1:
		return len(r.v.Pending) > 0 || len(r.v.Rejected) > 0
	case which == n+2:
		return r.warn.Level != assess.NoWarning
	}
	return true
}

// firstUrgent returns the task to show first: the first with the most
// urgent warning, else the first task.
func (a *filing) firstUrgent() string {
	best := 0
	for i, r := range a.all {
		if r.warn.Level > a.all[best].warn.Level {
			best = i
		}
	}
	return a.all[best].v.ID
}

// childIDs lists the categories shown (for the root) or a category's tasks.
func (a *filing) childIDs(uid string) []string {
	if uid == "" {
		return a.cats
	}
	return a.children[uid]
}

// isBranch reports whether uid is the root or a category.
func (a *filing) isBranch(uid string) bool {
	return uid == "" || strings.HasPrefix(uid, filingCat)
}

// createNode makes a row template: a category heading, or a task.
func (a *filing) createNode(branch bool) fyne.CanvasObject {
	if branch {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	return newFilingNode()
}

// updateNode shows a category with its count, or a task.
func (a *filing) updateNode(uid string, branch bool, o fyne.CanvasObject) {
	if branch {
		o.(*widget.Label).SetText(T("%s（%d 项）", a.catTitle[uid], len(a.children[uid])))
		return
	}
	if r, ok := a.rows[uid]; ok {
		o.(*filingNode).set(r)
	}
}

// filingNode is a task's row: its warning mark, code, title and status.
type filingNode struct {
	widget.BaseWidget
	box    *fyne.Container
	dot    *canvas.Circle
	code   *widget.Label
	title  *widget.Label
	status *widget.Label
}

func newFilingNode() *filingNode {
	n := &filingNode{dot: canvas.NewCircle(colorGrey), code: widget.NewLabel("8.10"),
		title: widget.NewLabel(""), status: widget.NewLabel(T("已提交（待同步）"))}
	n.title.Truncation = fyne.TextTruncateEllipsis
	mark := container.NewCenter(container.NewGridWrap(fyne.NewSize(10, 10), n.dot))
	n.box = container.NewBorder(nil, nil, container.NewHBox(mark, n.code), n.status, n.title)
	n.ExtendBaseWidget(n)
	return n
}

// CreateRenderer lays the row out: mark and code, title, status.
func (n *filingNode) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(n.box)
}

// set shows a row of the list.
func (n *filingNode) set(r *filingRow) {
	n.code.Text = r.v.Indicator.Code
	n.title.Text = r.v.Indicator.Title
	n.status.Importance = filingImportance(r.v)
	n.status.Text = filingStatus(r.v)
	n.dot.FillColor = color.Transparent
	if c := warningColor(r.warn.Level); c != nil {
		n.dot.FillColor = c
	}
	n.box.Refresh() // lays the row out again: the status may be wider
}

// filingStatus is a task's status as the list and the detail show it,
// with 待同步 or 同步被拒绝 while its changes wait or were refused.
func filingStatus(v localdb.TaskView) string {
	s := statusLabel(v.Local)
	switch {
	case len(v.Rejected) > 0:
		s += T("（同步被拒绝）")
	case len(v.Pending) > 0:
		s += T("（待同步）")
	}
	return s
}

// filingImportance colours a status: refused red, returned yellow, scored
// green.
func filingImportance(v localdb.TaskView) widget.Importance {
	switch {
	case len(v.Rejected) > 0:
		return widget.DangerImportance
	case v.Local == assess.Returned:
		return widget.WarningImportance
	case v.Local == assess.Scored:
		return widget.SuccessImportance
	case v.Local == assess.Submitted:
		return widget.HighImportance
	}
	return widget.MediumImportance
}

// filingWarning computes a task's warning as the user sees its status,
// its milestones' included (filed holds its filings by milestone ID).
func filingWarning(v localdb.TaskView, rect *assess.Rectification, filed map[string]assess.MilestoneFiling, year assess.Year, now time.Time) assess.Warning {
	t := v.Task
	t.Status = v.Local
	return assess.TaskWarning(t, v.Indicator, rect, filed, now, assess.ChinaCalendar(), year.WarnDays)
}

// shown reports whether the tree lists the task now.
func (a *filing) shown(id string) bool {
	r, ok := a.rows[id]
	return ok && slices.Contains(a.children[filingCat+r.v.Indicator.Category()], id)
}

// onSelected follows a tap in the tree: a category folds or unfolds; a
// task is shown, after asking to save the statement being written.
func (a *filing) onSelected(uid string) {
	if a.isBranch(uid) {
		a.tree.ToggleBranch(uid)
		if a.selected != "" && a.shown(a.selected) {
			a.tree.Select(a.selected)
		} else {
			a.tree.UnselectAll()
		}
		return
	}
	if uid == a.selected {
		return
	}
	if a.dirty() {
		a.askSwitch(uid)
		return
	}
	a.selectTask(uid)
}

// selectTask shows the task id.
func (a *filing) selectTask(id string) {
	a.selected = id
	if a.shown(id) {
		a.tree.Select(id)
	}
	a.load(id)
}

// clearTask shows no task.
func (a *filing) clearTask() {
	a.selected, a.cur, a.savedText = "", nil, ""
	a.detailGen++
	a.tree.UnselectAll()
	a.right.Hide()
	a.empty.Show()
}

// askSwitch asks what to do with an unsaved statement before showing
// another task: save it, drop it, or stay.
func (a *filing) askSwitch(uid string) {
	s := a.s
	if a.shown(a.selected) {
		a.tree.Select(a.selected)
	}
	l := widget.NewLabel(T("“%s”的实施情况说明还没有保存。切换到其他指标前要保存草稿吗？", a.cur.v.Indicator.Code))
	l.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	save := widget.NewButton(T("保存并切换"), func() {
		d.Hide()
		a.saveThen(func() { a.selectTask(uid) })
	})
	save.Importance = widget.HighImportance
	discard := widget.NewButton(T("不保存"), func() {
		d.Hide()
		a.savedText = a.statement.Text
		a.selectTask(uid)
	})
	stay := widget.NewButton(T("取消"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(T("有未保存的修改"), container.NewGridWrap(fyne.NewSize(460, l.MinSize().Height*2), l), s.win)
	d.SetButtons([]fyne.CanvasObject{stay, discard, save})
	s.keys(d, save.OnTapped, stay.OnTapped)
	d.Show()
}

// load reads the task id and shows it, unless another task was chosen
// meanwhile.
func (a *filing) load(id string) {
	s := a.s
	a.detailGen++
	gen := a.detailGen
	year := s.year
	extra := a.editHashes(id)
	background(s, func(ctx context.Context) (filingDetail, error) {
		return loadFilingDetail(ctx, s.db(), id, year, s.now(), extra)
	}, func(d filingDetail, err error) {
		if gen != a.detailGen || id != a.selected {
			return
		}
		if err != nil {
			a.setNote(message(err), true)
			return
		}
		a.show(d)
	})
}

// loadFilingDetail reads what the detail shows of a task: the draft while
// the unit may edit it, else the content submitted last; the reviews; the
// rectification; the milestone filings; the upload state of every file
// (and of the files extra, added to milestones not filed yet).
func loadFilingDetail(ctx context.Context, db Store, id string, year assess.Year, now time.Time, extra []string) (filingDetail, error) {
	var d filingDetail
	var err error
	if d.v, err = db.Task(ctx, id); err != nil {
		return d, err
	}
	if d.draft, err = db.Draft(ctx, id); err != nil {
		return d, err
	}
	if !d.v.Local.Editable() && !d.v.SubmitPending() {
		subs, err := db.Submissions(ctx, id)
		if err != nil {
			return d, err
		}
		if n := len(subs); n > 0 {
			last := subs[n-1]
			d.draft = localdb.Draft{TaskID: id, Statement: last.Statement, Attachments: last.Attachments,
				UpdatedAt: last.SubmittedAt, Source: localdb.FromSubmission}
		}
	}
	if d.reviews, err = db.Reviews(ctx, id); err != nil {
		return d, err
	}
	if d.rect, err = filingRect(ctx, db, d.v); err != nil {
		return d, err
	}
	hashes := slices.Clone(extra)
	for _, at := range d.draft.Attachments {
		hashes = append(hashes, at.Hash)
	}
	filed := map[string]assess.MilestoneFiling{}
	if len(d.v.Indicator.Milestones) > 0 {
		views, err := db.MilestoneFilings(ctx, id)
		if err != nil {
			return d, err
		}
		d.miles = make(map[string]localdb.MilestoneView, len(views))
		for _, mv := range views {
			d.miles[mv.MilestoneID] = mv
			filed[mv.MilestoneID] = mv.MilestoneFiling
			for _, at := range mv.Attachments {
				hashes = append(hashes, at.Hash)
			}
		}
	}
	if d.states, err = db.UploadStates(ctx, hashes); err != nil {
		return d, err
	}
	d.warn = filingWarning(d.v, d.rect, filed, year, now)
	return d, nil
}

// show puts a loaded task on the right side. A statement the user is
// still writing in the same task is kept.
func (a *filing) show(d filingDetail) {
	same := a.cur != nil && a.cur.v.ID == d.v.ID
	keep := same && a.dirty()
	a.cur = &d
	a.empty.Hide()
	a.right.Show()
	in := d.v.Indicator
	a.title.SetText(in.Code + "  " + in.Title)
	a.state.Importance = filingImportance(d.v)
	a.state.SetText(filingStatus(d.v))
	if c := warningColor(d.warn.Level); c != nil {
		a.warnDot.FillColor = c
		a.warnText.SetText(warningLabel(d.warn.Level) + "：" + a.domainText(d.warn.Reason))
	} else {
		a.warnDot.FillColor = color.Transparent
		a.warnText.SetText("")
	}
	a.warnDot.Refresh()
	a.notices.Objects = a.noticeViews(d)
	a.notices.Refresh()
	a.info.Objects = a.infoViews(d)
	a.info.Refresh()

	why := a.readOnlyReason(d)
	if !keep {
		a.statement.SetText(d.draft.Statement)
	}
	a.savedText = d.draft.Statement
	if why == "" {
		a.statement.Enable()
		a.saveBtn.Enable()
		a.submitBtn.Enable()
	} else {
		a.statement.Disable()
		a.saveBtn.Disable()
		a.submitBtn.Disable()
	}
	a.submitBtn.SetText(T("提交"))
	if d.v.Local == assess.Returned {
		a.submitBtn.SetText(T("重新提交"))
	}
	a.slots.Objects = a.slotViews(d, why == "")
	a.slots.Refresh()
	a.showMilestones(d)
	a.showDirty()
	if !same {
		a.setNote(why, false)
		a.scroll.ScrollToTop()
	}
	a.right.Refresh() // lays the heading, notices and slots out for their new sizes
}

// readOnlyReason says why the unit cannot change the task now, "" when it
// can.
func (a *filing) readOnlyReason(d filingDetail) string {
	switch {
	case a.s.year.State == assess.YearClosed:
		return T("本考核年度已关闭，数据已冻结，只能查看")
	case d.v.UnitID != a.s.user.UnitID:
		return T("只能填报本单位的指标任务")
	case d.v.SubmitPending():
		return T("已提交（待同步），同步完成前不能修改")
	case d.v.Local == assess.Submitted:
		return T("已提交，正在等待审核，审核前不能修改")
	case d.v.Local == assess.Scored:
		return T("已赋分，不能再修改")
	}
	return ""
}

// infoViews shows the indicator: scores and deadline, content, standard
// and scoring rule.
func (a *filing) infoViews(d filingDetail) []fyne.CanvasObject {
	in := d.v.Indicator
	facts := T("满分 %s 分", assess.FormatScore(in.MaxScore)) + " · " + filingDeadline(in.Deadline, a.s.now())
	if d.v.Version > 0 {
		facts += " · " + T("已提交 %d 版", d.v.Version)
	}
	if in.KeyTask {
		facts += " · " + T("重点任务")
	}
	if n := len(in.Milestones); n > 0 {
		facts += " · " + T("时间节点已完成 %d / %d 个", a.milestonesDone(d), n)
	}
	out := []fyne.CanvasObject{filingText(facts)}
	for _, sec := range []struct{ title, text string }{
		{T("指标内容"), in.Content}, {T("达标标准"), in.Standard}, {T("评分细则"), in.ScoringRule},
	} {
		if strings.TrimSpace(sec.text) == "" {
			continue
		}
		out = append(out, filingSection(sec.title), filingText(sec.text))
	}
	return out
}

// filingText is a wrapping label.
func filingText(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// filingDeadline words a deadline with the working days left, or how late
// it is, at now.
func filingDeadline(deadline, now time.Time) string {
	if deadline.IsZero() {
		return T("未设截止日期")
	}
	cal := assess.ChinaCalendar()
	day, today := assess.DayOf(deadline), assess.DayOf(now)
	date := day.Format(time.DateOnly)
	switch {
	case day.Equal(today):
		return T("截止日期 %s（今天截止）", date)
	case today.After(day):
		return T("截止日期 %s（已逾期 %d 个工作日）", date, cal.WorkdaysUntil(deadline, now))
	}
	return T("截止日期 %s（还有 %d 个工作日）", date, cal.WorkdaysUntil(now, deadline))
}

// noticeViews are the prominent notes above the detail: a closed year,
// changes the server refused, the reviewer's comment after 退回补充, the
// score, or where a submission stands.
func (a *filing) noticeViews(d filingDetail) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	if a.s.year.State == assess.YearClosed {
		out = append(out, filingNotice(colorGrey, T("本考核年度已关闭，数据已冻结，只能查看")))
	}
	for _, r := range d.v.Rejected {
		n := filingNotice(colorRed, T("服务器未接受本任务的修改：%s", a.domainText(r.Message)),
			T("请在状态栏的“冲突”中选择保留我的或采用服务器的。"))
		btn := widget.NewButtonWithIcon(T("处理冲突"), theme.WarningIcon(), a.s.showConflicts)
		out = append(out, container.NewBorder(nil, nil, nil, container.NewCenter(btn), n))
	}
	last := filingLastReview(d.reviews, d.v.Version)
	switch {
	case d.v.Local == assess.Returned && last != nil:
		out = append(out, filingNotice(colorYellow, T("审核意见（退回补充，第 %d 版）：%s", last.Version, last.Comment),
			T("审核时间 %s。请按审核意见补充后重新提交，将生成第 %d 版。", last.CreatedAt.In(assess.CST).Format("2006-01-02 15:04"), d.v.Version+1)))
	case d.v.Local == assess.Returned:
		out = append(out, filingNotice(colorYellow, T("已退回补充"), T("请按审核意见补充后重新提交，将生成第 %d 版。", d.v.Version+1)))
	case d.v.Local == assess.Scored:
		lines := []string{}
		if last != nil && last.Comment != "" {
			lines = append(lines, T("审核意见：%s", last.Comment))
		}
		if d.v.Score < d.v.Indicator.Threshold() {
			lines = append(lines, T("得分低于低分线，已列为重点督察事项，请在“反馈报告”中查看整改要求并反馈。"))
		}
		c := color.Color(colorGreen)
		if d.warn.Level == assess.Red {
			c = colorRed
		}
		out = append(out, filingNotice(c, T("已赋分：%s 分（满分 %s 分）", assess.FormatScore(d.v.Score), assess.FormatScore(d.v.Indicator.MaxScore)), lines...))
	case d.v.SubmitPending():
		out = append(out, filingNotice(colorBlue, T("已提交（待同步）"), T("提交已保存在本机，联网后自动发送到服务器；发送前不能修改。")))
	case d.v.Local == assess.Submitted:
		out = append(out, filingNotice(colorBlue, T("已提交第 %d 版，正在等待审核", d.v.Version)))
	}
	return out
}

// domainText picks the language of a text of the domain rules, written
// "中文 (English)": the Chinese part, or the English one when the user
// chose English.
func (a *filing) domainText(s string) string {
	i := strings.LastIndex(s, " (")
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s
	}
	if a.s.app.Preferences().StringWithFallback(prefLanguage, LangChinese) == LangEnglish {
		return s[i+2 : len(s)-1]
	}
	return s[:i]
}

// filingLastReview returns the latest review of version, nil when none.
func filingLastReview(rs []assess.Review, version int) *assess.Review {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Version == version {
			return &rs[i]
		}
	}
	return nil
}

// filingNotice is a note with a coloured bar: a bold title and lines.
func filingNotice(c color.Color, title string, lines ...string) fyne.CanvasObject {
	bar := canvas.NewRectangle(c)
	bar.SetMinSize(fyne.NewSize(5, 0))
	r, g, b, _ := c.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x26})
	t := filingText(title)
	t.TextStyle.Bold = true
	box := container.NewVBox(t)
	for _, l := range lines {
		box.Add(filingText(l))
	}
	return container.NewStack(bg, container.NewBorder(nil, nil, bar, nil, box))
}

// slotViews are the evidence checklist (需要查验的资料) as slots, each with
// its files, and a slot for other material.
func (a *filing) slotViews(d filingDetail, editable bool) []fyne.CanvasObject {
	items := d.v.Indicator.Evidence
	out := make([]fyne.CanvasObject, 0, len(items)+1)
	for i, item := range items {
		out = append(out, a.slotView(d, i, T("%d. %s", i+1, item), editable))
	}
	return append(out, a.slotView(d, filingOtherSlot, T("其他材料"), editable))
}

// slotView is one slot: its title, the add button and its files.
func (a *filing) slotView(d filingDetail, slot int, title string, editable bool) fyne.CanvasObject {
	head := filingText(title)
	var add fyne.CanvasObject
	if editable {
		id := d.v.ID
		add = widget.NewButtonWithIcon(T("添加文件"), theme.ContentAddIcon(), func() { a.pickFile(id, slot) })
	}
	box := container.NewVBox(container.NewBorder(nil, nil, nil, add, head))
	n := 0
	for _, at := range d.draft.Attachments {
		if filingSlotOf(at, len(d.v.Indicator.Evidence)) == slot {
			var remove func()
			if editable {
				remove = func() { a.confirmRemove(at) }
			}
			box.Add(a.fileRow(at, d.states[at.Hash], remove))
			n++
		}
	}
	if n == 0 {
		l := widget.NewLabel(T("尚未添加文件"))
		l.Importance = widget.LowImportance
		if slot != filingOtherSlot {
			l.Importance = widget.WarningImportance
		}
		box.Add(l)
	}
	box.Add(widget.NewSeparator())
	return box
}

// filingSlotOf is the slot a file shows in: other material when its item no
// longer exists.
func filingSlotOf(at assess.Attachment, items int) int {
	if at.Slot < 0 || at.Slot >= items {
		return filingOtherSlot
	}
	return at.Slot
}

// fileRow shows one file: name, type, size, the start of its SHA-256 (all
// of it on the copy button), upload state, 打开 and, when remove is not
// nil, 移除.
func (a *filing) fileRow(at assess.Attachment, st localdb.UploadState, remove func()) fyne.CanvasObject {
	name := widget.NewLabel(at.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	info := widget.NewLabel(T("%s · %s · SHA-256 %s… · %s", filingType(at.Name), formatBytes(at.Size), filingShortHash(at.Hash), filingUpload(st)))
	info.Importance = widget.LowImportance
	if st == localdb.UploadWaiting || st == localdb.UploadStarted {
		info.Importance = widget.WarningImportance
	}
	copyHash := widget.NewButtonWithIcon(T("复制摘要"), theme.ContentCopyIcon(), func() {
		a.s.app.Clipboard().SetContent(at.Hash)
		a.setNote(T("已复制“%s”的 SHA-256：%s", at.Name, at.Hash), false)
	})
	copyHash.Importance = widget.LowImportance
	open := widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), func() { a.s.openEvidence(at) })
	btns := container.NewHBox(copyHash, open)
	if remove != nil {
		rm := widget.NewButtonWithIcon(T("移除"), theme.DeleteIcon(), remove)
		rm.Importance = widget.DangerImportance
		btns.Add(rm)
	}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), btns, container.NewVBox(name, info))
}

// filingShortHash is the first 12 hex digits of a SHA-256.
func filingShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// filingUpload names an upload state.
func filingUpload(st localdb.UploadState) string {
	switch st {
	case localdb.UploadWaiting:
		return T("待上传")
	case localdb.UploadStarted:
		return T("上传中")
	}
	return T("已上传")
}

// filingType names a file's kind by its extension.
func filingType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "PDF"
	case ".ofd":
		return "OFD"
	case ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp":
		return T("图片")
	case ".doc", ".docx", ".wps":
		return "Word"
	case ".xls", ".xlsx", ".et", ".csv":
		return "Excel"
	case ".ppt", ".pptx", ".dps":
		return "PPT"
	case ".txt":
		return T("文本")
	case ".zip":
		return T("压缩包")
	case ".mp4":
		return T("视频")
	case ".mp3":
		return T("音频")
	}
	return T("其他")
}

// dirty reports whether the statement differs from the stored one.
func (a *filing) dirty() bool { return a.cur != nil && a.statement.Text != a.savedText }

// showDirty updates the unsaved-changes mark and the character count.
func (a *filing) showDirty() {
	a.runes.SetText(T("%d / %d 字", utf8.RuneCountInString(a.statement.Text), assess.MaxStatementRunes))
	switch {
	case a.dirty():
		a.unsaved.Importance = widget.WarningImportance
		a.unsaved.Text = T("● 有未保存的修改（Ctrl+S 保存）")
	case a.cur != nil && a.readOnlyReason(*a.cur) == "":
		a.unsaved.Importance = widget.LowImportance
		a.unsaved.Text = T("草稿已保存")
	default:
		a.unsaved.Text = ""
	}
	a.bar.Refresh()
}

// setNote shows a line about the last action in the bottom bar, red when
// it went wrong.
func (a *filing) setNote(text string, bad bool) {
	a.note.Importance = widget.LowImportance
	if bad {
		a.note.Importance = widget.DangerImportance
	}
	a.note.Text = text
	a.bar.Refresh()
}

// save keeps the statement as the task's draft on this PC (Ctrl+S).
func (a *filing) save() { a.saveThen(nil) }

// saveThen saves the draft, then calls next (which may be nil) once saved.
func (a *filing) saveThen(next func()) {
	d := a.cur
	if d == nil {
		return
	}
	if why := a.readOnlyReason(*d); why != "" {
		a.setNote(why, true)
		return
	}
	if !a.dirty() {
		a.setNote(T("没有需要保存的修改"), false)
		if next != nil {
			next()
		}
		return
	}
	s, id, text := a.s, d.v.ID, a.statement.Text
	s.act(func(ctx context.Context) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		cur, err := s.db().Draft(ctx, id)
		if err != nil {
			return err
		}
		return s.db().SaveDraft(ctx, id, text, cur.Attachments)
	}, func() {
		if a.selected == id {
			a.savedText = text
			a.showDirty()
		}
		a.setNote(T("草稿已保存在本机（%s），联网后自动同步", s.now().In(assess.CST).Format("15:04")), false)
		if next != nil {
			next()
		}
	})
}

// submit asks for confirmation, then submits the task: the statement and
// files as they stand, queued to be sent when the server can be reached.
func (a *filing) submit() {
	d := a.cur
	if d == nil {
		return
	}
	if why := a.readOnlyReason(*d); why != "" {
		a.s.info(T("不能提交"), why)
		return
	}
	text := a.statement.Text
	if err := assess.ValidateStatement(text, true); err != nil {
		a.s.showError(err)
		return
	}
	if len(d.draft.Attachments) == 0 {
		a.s.info(T("不能提交"), T("请至少添加一份佐证材料后再提交"))
		return
	}
	a.s.confirm(T("确认提交"), a.submitText(*d), T("提交"), func() { a.submitNow(d.v.ID, text, a.dirty()) })
}

// submitText is the confirmation's text: what is sent, the version, the
// checklist items still without files.
func (a *filing) submitText(d filingDetail) string {
	in := d.v.Indicator
	lines := []string{T("将提交“%s %s”的实施情况说明和 %d 份佐证材料。", in.Code, in.Title, len(d.draft.Attachments))}
	if d.v.Local == assess.Returned {
		lines = append(lines, T("这是退回补充后的重新提交，将作为第 %d 版。", d.v.Version+1))
	}
	var empty []string
	for i, item := range in.Evidence {
		if !slices.ContainsFunc(d.draft.Attachments, func(at assess.Attachment) bool { return at.Slot == i }) {
			empty = append(empty, T("%d. %s", i+1, item))
		}
	}
	if len(empty) > 0 {
		lines = append(lines, T("注意：以下需要查验的资料还没有添加文件：")+"\n"+strings.Join(empty, "\n"))
	}
	lines = append(lines, T("提交后在审核前不能修改。没有网络时先保存在本机，联网后自动发送。"))
	return strings.Join(lines, "\n")
}

// submitNow saves the statement when it changed (or when the draft is not
// yet on this PC, e.g. after 退回补充) and submits.
func (a *filing) submitNow(id, text string, dirty bool) {
	s := a.s
	s.act(func(ctx context.Context) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		cur, err := s.db().Draft(ctx, id)
		if err != nil {
			return err
		}
		if dirty || cur.Source != localdb.FromLocal {
			stmt := cur.Statement
			if dirty {
				stmt = text
			}
			if err := s.db().SaveDraft(ctx, id, stmt, cur.Attachments); err != nil {
				return err
			}
		}
		return s.db().Submit(ctx, id)
	}, func() {
		if a.selected == id {
			a.savedText = text
			a.showDirty()
		}
		a.setNote(T("已提交，联网后自动发送到服务器"), false)
	})
}

// pickFile asks for a file with the file dialog and adds it to slot of
// the task id; the dialog opens in the folder used last.
func (a *filing) pickFile(id string, slot int) {
	a.s.askOpenPath(nil, func(path string) { a.attach(id, slot, []string{path}) })
}

// dropped takes files dragged onto the window for the task shown: straight
// into 其他材料 when the indicator has no checklist and no milestones, else
// into the checklist item or the milestone (时间节点) the user picks.
func (a *filing) dropped(paths []string) {
	d := a.cur
	if d == nil {
		a.s.info(T("添加佐证材料"), T("请先在左侧选择要添加材料的指标任务"))
		return
	}
	why, mwhy := a.readOnlyReason(*d), a.milestoneReadOnly(*d)
	in := d.v.Indicator
	if why != "" && (mwhy != "" || len(in.Milestones) == 0) {
		a.s.info(T("不能添加文件"), why)
		return
	}
	id := d.v.ID
	var opts []string
	var targets []func()
	if why == "" {
		opts = append(opts, T("其他材料"))
		targets = append(targets, func() { a.attach(id, filingOtherSlot, paths) })
		for i, item := range in.Evidence {
			opts = append(opts, T("%d. %s", i+1, item))
			targets = append(targets, func() { a.attach(id, i, paths) })
		}
	}
	if mwhy == "" {
		for i, m := range in.Milestones {
			opts = append(opts, T("时间节点 %d：%s", i+1, m.Title))
			targets = append(targets, func() { a.attachMilestone(id, m.ID, paths) })
		}
	}
	if len(targets) == 1 && why == "" { // no checklist, no milestone: 其他材料
		targets[0]()
		return
	}
	choice := widget.NewSelect(opts, nil)
	choice.SetSelectedIndex(0)
	a.dropChoice = choice
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	files := filingText(strings.Join(names, "\n"))
	a.s.form(T("添加佐证材料"), T("添加"), []*widget.FormItem{
		widget.NewFormItem(T("文件"), files),
		widget.NewFormItem(T("对应资料"), choice),
	}, func() error {
		if i := choice.SelectedIndex(); i >= 0 && i < len(targets) {
			targets[i]()
		}
		return nil
	})
}

// filingAttach is the outcome of adding files: those added, those already
// attached (name and the attached file's name), those refused.
type filingAttach struct {
	added []assess.Attachment
	dups  [][2]string
	errs  []error
}

// attach adds files to slot of the task id's draft — the same for the file
// dialog and for dropped files — and saves the draft with the statement
// (the one being written, when it changed). The same content is not added
// twice; refused files are reported with their Chinese reason.
func (a *filing) attach(id string, slot int, paths []string) {
	s := a.s
	text, dirty := a.statement.Text, a.dirty() && a.selected == id
	background(s, func(ctx context.Context) (filingAttach, error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		return addFilingEvidence(ctx, s.db(), id, slot, paths, text, dirty)
	}, func(r filingAttach, err error) {
		if err != nil {
			a.setNote(message(err), true)
			s.showError(err)
			return
		}
		if len(r.added) > 0 {
			if dirty && a.selected == id {
				a.savedText = text
				a.showDirty()
			}
			s.wrote()
		}
		a.reportAttach(r, T("已添加 %d 份佐证材料，将在下次同步时上传", len(r.added)))
	})
}

// addFilingEvidence stores the files and saves the draft with the new ones.
func addFilingEvidence(ctx context.Context, db Store, id string, slot int, paths []string, text string, useText bool) (filingAttach, error) {
	var r filingAttach
	d, err := db.Draft(ctx, id)
	if err != nil {
		return r, err
	}
	atts := slices.Clone(d.Attachments)
	for _, p := range paths {
		at, err := db.AddEvidence(ctx, p)
		if err != nil {
			if ctx.Err() != nil {
				return r, err
			}
			r.errs = append(r.errs, err)
			continue
		}
		at.Slot = slot
		if i := slices.IndexFunc(atts, func(x assess.Attachment) bool { return x.Hash == at.Hash }); i >= 0 {
			r.dups = append(r.dups, [2]string{at.Name, atts[i].Name})
			continue
		}
		atts = append(atts, at)
		r.added = append(r.added, at)
	}
	if len(r.added) == 0 {
		return r, nil
	}
	stmt := d.Statement
	if useText {
		stmt = text
	}
	if err := db.SaveDraft(ctx, id, stmt, atts); err != nil {
		return filingAttach{}, err
	}
	return r, nil
}

// reportAttach tells the user what adding files did; done is the note
// when every file was added.
func (a *filing) reportAttach(r filingAttach, done string) {
	var lines []string
	for _, err := range r.errs {
		lines = append(lines, message(err))
	}
	for _, d := range r.dups {
		lines = append(lines, T("“%s”与已附的“%s”内容相同，不重复添加", d[0], d[1]))
	}
	if len(lines) == 0 {
		a.setNote(done, false)
		return
	}
	title := T("未重复添加")
	if len(r.errs) > 0 {
		title = T("有文件未能添加")
	}
	if len(r.added) > 0 {
		lines = append([]string{T("已添加 %d 份佐证材料。", len(r.added))}, lines...)
	}
	a.setNote(lines[len(lines)-1], len(r.errs) > 0)
	a.s.info(title, strings.Join(lines, "\n"))
}

// confirmRemove asks, then removes a file from the draft.
func (a *filing) confirmRemove(at assess.Attachment) {
	id := a.selected
	a.s.confirm(T("移除佐证材料"), T("确定从草稿中移除“%s”吗？", at.Name), T("移除"), func() { a.remove(id, at) })
}

// remove takes a file out of the task id's draft (the file stays in the
// local evidence folder).
func (a *filing) remove(id string, at assess.Attachment) {
	s := a.s
	text, dirty := a.statement.Text, a.dirty() && a.selected == id
	s.act(func(ctx context.Context) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		cur, err := s.db().Draft(ctx, id)
		if err != nil {
			return err
		}
		atts := slices.DeleteFunc(slices.Clone(cur.Attachments), func(x assess.Attachment) bool {
			return x.Hash == at.Hash && x.Slot == at.Slot
		})
		if len(atts) == len(cur.Attachments) {
			return nil // removed already
		}
		stmt := cur.Statement
		if dirty {
			stmt = text
		}
		return s.db().SaveDraft(ctx, id, stmt, atts)
	}, func() {
		if dirty && a.selected == id {
			a.savedText = text
			a.showDirty()
		}
		a.setNote(T("已从草稿中移除“%s”", at.Name), false)
	})
}
