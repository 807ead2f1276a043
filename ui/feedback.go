package ui

import (
	"context"
	"fmt"
	"image/color"
	"io"
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
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// feedback is the 反馈报告 area of both roles. A reporting user sees the own
// unit, a reviewer the unit chosen at the top. Three tabs: every indicator
// with the reviewer's score and comment; the items returned for more
// material (退回补充); the rectification demands (整改), where the unit
// responds and the reviewer verifies. The PDF reports are printed from the
// local data, so printing works offline.
type feedback struct {
	s        *Shell
	reviewer bool

	gen      int           // the newest load; the results of older ones are dropped
	unitID   string        // the unit shown
	units    []assess.Unit // reviewer: the units of the year, in the select's order
	rows     []feedbackRow // the unit's tasks, by indicator code
	returned []int         // indexes of rows returned for more material
	rects    []int         // indexes of rows with a rectification

	unitSel   *widget.Select
	summary   *widget.Label
	tabs      *container.AppTabs
	table     *widget.Table
	rowInfo   *widget.Label
	retList   *widget.List
	retInfo   *widget.Label
	rectList  *widget.List
	rect      *feedbackRect
	work      *widget.Label
	bar       *widget.ProgressBar
	printBtns []*widget.Button
	box       fyne.CanvasObject
}

// feedbackRow is one task of the unit with its latest review and its
// rectification.
type feedbackRow struct {
	task   localdb.TaskView
	review *assess.Review        // the latest review, nil when none
	rect   *assess.Rectification // nil when none
}

// scored reports whether the task has a score from the server.
func (r feedbackRow) scored() bool { return r.task.Status == assess.Scored || r.task.Scored }

// low reports whether the task's score is below the low-score line.
func (r feedbackRow) low() bool { return r.scored() && r.task.Score < r.task.Indicator.Threshold() }

// returned reports whether the task waits for more material.
func (r feedbackRow) returned() bool { return r.task.Local == assess.Returned }

// waiting reports whether a change of kind for the task waits to be sent.
func (r feedbackRow) waiting(kind string) bool { return slices.Contains(r.task.Pending, kind) }

// name is the task's indicator code and title.
func (r feedbackRow) name() string {
	return strings.TrimSpace(r.task.Indicator.Code + " " + r.task.Indicator.Title)
}

// Columns of the per-indicator table.
const (
	fbColCode = iota
	fbColTitle
	fbColStatus
	fbColScore
	fbColComment
	fbColTime
	fbColCount
)

// Tabs of the area.
const (
	fbTabScores = iota
	fbTabReturned
	fbTabRects
)

func newFeedback(s *Shell) area {
	a := &feedback{s: s, reviewer: s.user.Role == assess.Reviewer}
	a.summary = widget.NewLabel("")
	a.summary.Wrapping = fyne.TextWrapWord
	a.work = widget.NewLabel("")
	a.work.Hide()
	a.bar = widget.NewProgressBar()
	a.bar.Hide()
	a.rect = newFeedbackRect(a)
	a.tabs = container.NewAppTabs(
		container.NewTabItem(T("各指标得分与审核意见"), a.scoresView()),
		container.NewTabItem(T("退回补充"), a.returnedView()),
		container.NewTabItem(T("整改事项"), a.rectsView()),
	)
	a.box = container.NewBorder(container.NewVBox(a.toolbar(), a.summary), nil, nil, nil, a.tabs)
	return a
}

func (a *feedback) view() fyne.CanvasObject { return a.box }

// toolbar holds the unit choice of a reviewer, the print buttons and the
// progress of printing.
func (a *feedback) toolbar() fyne.CanvasObject {
	progress := container.NewHBox(a.work, container.NewGridWrap(fyne.NewSize(180, a.bar.MinSize().Height), a.bar))
	if !a.reviewer {
		btn := widget.NewButtonWithIcon(T("打印反馈报告"), theme.DocumentPrintIcon(), a.onPrintUnit)
		btn.Importance = widget.HighImportance
		a.printBtns = []*widget.Button{btn}
		return container.NewHBox(widget.NewLabel(T("本单位的审核结果、退回事项和整改要求")), layout.NewSpacer(), progress, btn)
	}
	a.unitSel = widget.NewSelect(nil, a.onUnit)
	a.unitSel.PlaceHolder = T("请选择单位")
	unitBtn := widget.NewButtonWithIcon(T("打印单位反馈报告"), theme.DocumentPrintIcon(), a.onPrintUnit)
	unitBtn.Importance = widget.HighImportance
	allBtn := widget.NewButtonWithIcon(T("批量打印全部单位"), theme.FolderIcon(), a.onPrintAll)
	cityBtn := widget.NewButtonWithIcon(T("打印全市汇总报告"), theme.DocumentIcon(), a.onPrintCity)
	a.printBtns = []*widget.Button{unitBtn, allBtn, cityBtn}
	sel := container.NewGridWrap(fyne.NewSize(220, a.unitSel.MinSize().Height), a.unitSel)
	return container.NewHBox(widget.NewLabel(T("单位")), sel, unitBtn, allBtn, cityBtn, layout.NewSpacer(), progress)
}

// scoresView is the per-indicator table with the selected row in full
// below it.
func (a *feedback) scoresView() fyne.CanvasObject {
	a.table = widget.NewTable(
		func() (int, int) { return len(a.rows), fbColCount },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		a.updateCell,
	)
	withHeader(a.table, fbColumnTitle, 80, 250, 150, 100, 400, 150)
	a.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(a.rows) {
			a.rowInfo.SetText(a.rowText(a.rows[id.Row]))
		}
	}
	a.rowInfo = widget.NewLabel(T("选中一行可查看完整的审核意见。"))
	a.rowInfo.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, fbMinHeight(90, container.NewVScroll(a.rowInfo)), nil, nil, a.table)
}

// fbColumnTitle names a column of the per-indicator table.
func fbColumnTitle(col int) string {
	switch col {
	case fbColCode:
		return T("编号")
	case fbColTitle:
		return T("指标")
	case fbColStatus:
		return T("状态")
	case fbColScore:
		return T("得分/满分")
	case fbColComment:
		return T("审核意见")
	case fbColTime:
		return T("审核时间")
	}
	return ""
}

func (a *feedback) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(a.rows) {
		l.SetText("")
		return
	}
	r := a.rows[id.Row]
	l.Importance = widget.MediumImportance
	text := ""
	switch id.Col {
	case fbColCode:
		text = r.task.Indicator.Code
	case fbColTitle:
		text = r.task.Indicator.Title
	case fbColStatus:
		text = fbStatus(r.task)
		if r.returned() {
			l.Importance = widget.WarningImportance
		}
	case fbColScore:
		text = fbScore(r)
		if r.low() {
			l.Importance = widget.DangerImportance
		}
	case fbColComment:
		if r.review != nil {
			text = fbOneLine(r.review.Comment)
		}
	case fbColTime:
		if r.review != nil {
			text = fbClock(r.review.CreatedAt)
		}
	}
	l.SetText(text)
}

// rowText describes a task in full: its score, the reviewer's comment and
// when it was given.
func (a *feedback) rowText(r feedbackRow) string {
	lines := []string{r.name() + "｜" + fbStatus(r.task) + "｜" + T("得分 %s", fbScore(r))}
	if r.review == nil {
		lines = append(lines, T("尚无审核意见。"))
	} else {
		comment := r.review.Comment
		if strings.TrimSpace(comment) == "" {
			comment = T("（无）")
		}
		lines = append(lines, T("审核意见：%s", comment), T("审核时间：%s", fbClock(r.review.CreatedAt)))
	}
	if r.low() {
		lines = append(lines, T("得分低于低分线 %s 分，已列为重点督察事项，见“整改事项”。", assess.FormatScore(r.task.Indicator.Threshold())))
	}
	return strings.Join(lines, "\n")
}

// returnedView lists the items returned for more material, with the
// reviewer's comment; a reporting user goes from here to 指标填报.
func (a *feedback) returnedView() fyne.CanvasObject {
	a.retList = widget.NewList(
		func() int { return len(a.returned) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(a.returned) {
				o.(*widget.Label).SetText(a.returnedText(a.rows[a.returned[id]], true))
			}
		},
	)
	a.retList.OnSelected = func(id widget.ListItemID) {
		if id < len(a.returned) {
			a.retInfo.SetText(a.returnedText(a.rows[a.returned[id]], false))
		}
	}
	a.retInfo = widget.NewLabel("")
	a.retInfo.Wrapping = fyne.TextWrapWord
	top := fyne.CanvasObject(widget.NewLabel(T("以下指标被审核用户退回，需要按审核意见补充材料后重新提交。")))
	if !a.reviewer {
		goFiling := widget.NewButtonWithIcon(T("去指标填报补充材料"), theme.DocumentCreateIcon(), func() { a.s.Show("filing") })
		goFiling.Importance = widget.HighImportance
		top = container.NewBorder(nil, nil, nil, goFiling, top)
	}
	return container.NewBorder(top, fbMinHeight(90, container.NewVScroll(a.retInfo)), nil, nil, a.retList)
}

// returnedText words a returned item: on one line for the list, in full
// below it.
func (a *feedback) returnedText(r feedbackRow, short bool) string {
	comment, at := "", ""
	if r.review != nil && r.review.Decision == assess.Return {
		comment, at = r.review.Comment, fbClock(r.review.CreatedAt)
	}
	if short {
		return r.name() + "｜" + T("退回意见：%s", fbOneLine(comment)) + "｜" + at
	}
	text := r.name() + "\n" + T("退回意见：%s", comment) + "\n" + T("退回时间：%s", at)
	if d := r.task.Indicator.Deadline; !d.IsZero() {
		text += "\n" + T("截止日期：%s", fbDate(d))
	}
	return text
}

// rectsView lists the rectifications beside the one chosen.
func (a *feedback) rectsView() fyne.CanvasObject {
	a.rectList = widget.NewList(
		func() int { return len(a.rects) },
		func() fyne.CanvasObject {
			dot := canvas.NewRectangle(colorGrey)
			dot.SetMinSize(fyne.NewSize(10, 10))
			title := widget.NewLabel("")
			title.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, container.NewCenter(dot), widget.NewLabel(""), title)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(a.rects) {
				return
			}
			r := a.rows[a.rects[id]]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(r.name())
			fbDot(box.Objects[1].(*fyne.Container).Objects[0].(*canvas.Rectangle), a.rectLevel(*r.rect))
			box.Objects[2].(*widget.Label).SetText(fbRectStatus(r))
			box.Refresh()
		},
	)
	a.rectList.OnSelected = a.showRect
	split := container.NewHSplit(a.rectList, a.rect.box)
	split.Offset = 0.34
	return split
}

// rectLevel is a rectification's warning level now.
func (a *feedback) rectLevel(r assess.Rectification) assess.Level {
	return assess.RectWarning(r, a.s.now(), assess.ChinaCalendar()).Level
}

// showRect shows the rectification at index id of the list.
func (a *feedback) showRect(id widget.ListItemID) {
	if id < 0 || id >= len(a.rects) {
		a.rect.clear()
		return
	}
	a.rect.show(a.rows[a.rects[id]])
}

// onUnit shows the unit the reviewer chose.
func (a *feedback) onUnit(string) {
	i := a.unitSel.SelectedIndex()
	if i < 0 || i >= len(a.units) || a.units[i].ID == a.unitID {
		return
	}
	a.unitID = a.units[i].ID
	a.refresh()
}

// feedbackData is what the area loads in the background.
type feedbackData struct {
	units  []assess.Unit
	unitID string
	rows   []feedbackRow
}

// refresh reloads the units (for a reviewer) and the unit's tasks, reviews
// and rectifications.
func (a *feedback) refresh() {
	s := a.s
	a.gen++
	gen, y, unitID, reviewer := a.gen, s.year, a.unitID, a.reviewer
	if !reviewer {
		unitID = s.user.UnitID
	}
	db := s.db()
	background(s, func(ctx context.Context) (feedbackData, error) {
		var d feedbackData
		if y.ID == "" {
			return d, nil
		}
		if reviewer {
			var err error
			if d.units, err = feedbackUnits(ctx, db, y.ID); err != nil {
				return d, err
			}
			if !slices.ContainsFunc(d.units, func(u assess.Unit) bool { return u.ID == unitID }) {
				unitID = ""
				if len(d.units) > 0 {
					unitID = d.units[0].ID
				}
			}
		}
		d.unitID = unitID
		if unitID == "" {
			return d, nil
		}
		var err error
		d.rows, err = loadFeedbackRows(ctx, db, y.ID, unitID)
		return d, err
	}, func(d feedbackData, err error) {
		if gen != a.gen {
			return
		}
		if err != nil {
			a.summary.SetText(message(err))
			return
		}
		a.showData(d)
	})
}

// feedbackUnits returns the units assigned indicators in the year, ordered
// by unitsByGroup.
func feedbackUnits(ctx context.Context, db Store, yearID string) ([]assess.Unit, error) {
	inds, err := db.Indicators(ctx, yearID)
	if err != nil {
		return nil, err
	}
	assigned := map[string]bool{}
	for _, in := range inds {
		for _, u := range in.Units {
			assigned[u] = true
		}
	}
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := db.Groups(ctx)
	if err != nil {
		return nil, err
	}
	units = slices.DeleteFunc(units, func(u assess.Unit) bool { return !assigned[u.ID] })
	return unitsByGroup(units, groups), nil
}

// loadFeedbackRows returns a unit's tasks in a year with their latest
// reviews and rectifications.
func loadFeedbackRows(ctx context.Context, db Store, yearID, unitID string) ([]feedbackRow, error) {
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: yearID, UnitID: unitID})
	if err != nil {
		return nil, err
	}
	rows := make([]feedbackRow, len(tasks))
	for i, v := range tasks {
		rows[i].task = v
		reviews, err := db.Reviews(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		if n := len(reviews); n > 0 {
			rows[i].review = &reviews[n-1]
		}
		if rows[i].rect, err = rectOf(ctx, db, v.ID); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// showData shows what refresh loaded.
func (a *feedback) showData(d feedbackData) {
	a.unitID, a.rows = d.unitID, d.rows
	if a.reviewer {
		a.setUnits(d.units)
	}
	a.returned, a.rects = nil, nil
	for i, r := range a.rows {
		if r.returned() {
			a.returned = append(a.returned, i)
		}
		if r.rect != nil {
			a.rects = append(a.rects, i)
		}
	}
	a.table.UnselectAll()
	a.table.Refresh()
	a.rowInfo.SetText(T("选中一行可查看完整的审核意见。"))
	a.retList.UnselectAll()
	a.retList.Refresh()
	a.retInfo.SetText("")
	a.tabs.Items[fbTabReturned].Text = T("退回补充（%d）", len(a.returned))
	a.tabs.Items[fbTabRects].Text = T("整改事项（%d）", len(a.rects))
	a.tabs.Refresh()
	a.summary.SetText(a.summaryText())
	a.reselectRect()
}

// setUnits fills the reviewer's unit choice without calling onUnit.
func (a *feedback) setUnits(units []assess.Unit) {
	a.units = units
	count := map[string]int{}
	for _, u := range units {
		count[u.Name]++
	}
	opts := make([]string, len(units))
	sel := ""
	for i, u := range units {
		opts[i] = u.Name
		if count[u.Name] > 1 {
			opts[i] = u.Name + "（" + u.ID + "）"
		}
		if u.ID == a.unitID {
			sel = opts[i]
		}
	}
	a.unitSel.Options = opts
	a.unitSel.Selected = sel
	a.unitSel.Refresh()
}

// reselectRect keeps the rectification shown across reloads, else shows
// the first one.
func (a *feedback) reselectRect() {
	a.rectList.Refresh()
	idx := -1
	for i, ri := range a.rects {
		if a.rows[ri].task.ID == a.rect.taskID {
			idx = i
		}
	}
	if idx < 0 && len(a.rects) > 0 {
		idx = 0
	}
	if idx < 0 {
		a.rectList.UnselectAll()
		a.rect.clear()
		return
	}
	a.rectList.Select(idx)
	a.showRect(idx)
}

// summaryText sums up the unit's results.
func (a *feedback) summaryText() string {
	s := a.s
	if s.year.ID == "" {
		return T("本机还没有考核年度数据，请先同步。")
	}
	if a.unitID == "" {
		return T("请选择单位。")
	}
	scored, open := 0, 0
	var sum, max float64
	for _, r := range a.rows {
		max += r.task.Indicator.MaxScore
		if r.scored() {
			scored++
			sum += r.task.Score
		}
		if r.rect != nil && r.rect.State != assess.RectClosed {
			open++
		}
	}
	year := s.year.Name
	if year == "" {
		year = s.year.ID
	}
	return T("%s · %s：共 %d 项指标，已赋分 %d 项，得分 %s / %s 分；退回补充 %d 项；整改事项 %d 项，其中未销号 %d 项。",
		a.unitLabel(), year, len(a.rows), scored, assess.FormatScore(sum), assess.FormatScore(max), len(a.returned), len(a.rects), open)
}

// unitLabel names the unit shown.
func (a *feedback) unitLabel() string {
	for _, u := range a.units {
		if u.ID == a.unitID {
			return u.Name
		}
	}
	return a.s.unitName(a.unitID)
}

// dropped adds files dragged onto the window to the rectification response
// being written.
func (a *feedback) dropped(paths []string) {
	if a.reviewer {
		return
	}
	if a.tabs.SelectedIndex() != fbTabRects || !a.rect.composing {
		a.s.info(T("添加文件"), T("请先在“整改事项”中选择待整改的事项，再把文件拖到窗口上。"))
		return
	}
	a.rect.addFiles(paths)
}

// feedbackRect shows one rectification — the demand, the deadline with its
// warning colour, the state, the unit's response, the verification — and
// below it the reporting user's response or the reviewer's verification.
type feedbackRect struct {
	a      *feedback
	taskID string
	row    feedbackRow

	title, score, demand, deadline, state, response, verification *widget.Label
	dot                                                           *canvas.Rectangle

	files     []assess.Attachment // what the file list shows
	picked    []assess.Attachment // the files of the response being written
	composing bool                // the reporting user may respond now
	fileList  *widget.List
	fileHead  *widget.Label
	addBtn    *widget.Button

	respond   *fyne.Container
	answer    *widget.Entry
	submitBtn *widget.Button

	verify    *fyne.Container
	comment   *widget.Entry
	acceptBtn *widget.Button
	rejectBtn *widget.Button

	errLabel *widget.Label
	note     *widget.Label
	content  fyne.CanvasObject
	empty    *widget.Label
	box      *fyne.Container
}

func newFeedbackRect(a *feedback) *feedbackRect {
	p := &feedbackRect{a: a}
	label := func(bold bool) *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.TextStyle.Bold = bold
		return l
	}
	p.title, p.score, p.demand = label(true), label(false), label(false)
	p.deadline, p.state, p.response, p.verification = label(false), label(false), label(false), label(false)
	p.dot = canvas.NewRectangle(colorGrey)
	p.dot.SetMinSize(fyne.NewSize(12, 12))
	info := container.NewVBox(p.title, p.score, p.demand,
		container.NewBorder(nil, nil, container.NewCenter(p.dot), nil, p.deadline),
		p.state, p.verification, p.response)

	p.fileHead = widget.NewLabel("")
	p.fileHead.TextStyle.Bold = true
	p.fileList = widget.NewList(
		func() int { return len(p.files) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, nil, widget.NewButton(T("移除"), nil), name)
		},
		p.updateFile,
	)
	p.addBtn = widget.NewButtonWithIcon(T("添加文件"), theme.ContentAddIcon(), p.onAddFile)
	files := container.NewBorder(container.NewBorder(nil, nil, nil, p.addBtn, p.fileHead), nil, nil, nil, p.fileList)

	p.answer = widget.NewMultiLineEntry()
	p.answer.Wrapping = fyne.TextWrapWord
	p.answer.SetPlaceHolder(T("写明整改措施和完成情况"))
	p.answer.SetMinRowsVisible(4)
	p.submitBtn = widget.NewButtonWithIcon(T("提交整改反馈"), theme.MailSendIcon(), p.onSubmit)
	p.submitBtn.Importance = widget.HighImportance
	p.respond = container.NewVBox(widget.NewLabel(T("整改情况说明")), p.answer,
		container.NewHBox(layout.NewSpacer(), p.submitBtn))

	p.comment = widget.NewMultiLineEntry()
	p.comment.Wrapping = fyne.TextWrapWord
	p.comment.SetPlaceHolder(T("核查意见（不通过时必填）"))
	p.comment.SetMinRowsVisible(3)
	p.acceptBtn = widget.NewButtonWithIcon(T("核查通过，销号"), theme.ConfirmIcon(), p.onAccept)
	p.acceptBtn.Importance = widget.HighImportance
	p.rejectBtn = widget.NewButtonWithIcon(T("不通过，退回整改"), theme.CancelIcon(), p.onReject)
	p.verify = container.NewVBox(widget.NewLabel(T("核查整改")), p.comment,
		container.NewHBox(layout.NewSpacer(), p.rejectBtn, p.acceptBtn))

	p.errLabel = widget.NewLabel("")
	p.errLabel.Importance = widget.DangerImportance
	p.errLabel.Wrapping = fyne.TextWrapWord
	p.errLabel.Hide()
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.note.TextStyle.Italic = true

	actions := container.NewVBox(fbMinHeight(110, files), p.respond, p.verify, p.errLabel, p.note)
	p.content = container.NewBorder(nil, actions, nil, nil, container.NewVScroll(info))
	p.empty = widget.NewLabel(T("没有整改事项。得分低于低分线的指标会列为重点督察事项，在这里整改和核查。"))
	p.empty.Wrapping = fyne.TextWrapWord
	p.box = container.NewStack(p.content, container.NewVBox(p.empty))
	p.clear()
	return p
}

func (p *feedbackRect) updateFile(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(p.files) {
		return
	}
	f := p.files[id]
	box := o.(*fyne.Container)
	box.Objects[0].(*widget.Label).SetText(f.Name + "（" + formatBytes(f.Size) + "）")
	btn := box.Objects[1].(*widget.Button)
	if p.composing {
		btn.SetText(T("移除"))
		btn.OnTapped = func() { p.removeFile(f.Hash) }
	} else {
		btn.SetText(T("打开"))
		btn.OnTapped = func() { p.a.s.openEvidence(f) }
	}
}

// clear shows that no rectification is chosen.
func (p *feedbackRect) clear() {
	p.taskID = ""
	p.row = feedbackRow{}
	p.composing = false
	p.files, p.picked = nil, nil
	p.content.Hide()
	p.empty.Show()
}

// show shows a task's rectification. The response being written is kept
// while the same task is shown again after a reload.
func (p *feedbackRect) show(r feedbackRow) {
	a := p.a
	if r.rect == nil {
		p.clear()
		return
	}
	if p.taskID != r.task.ID {
		p.answer.SetText("")
		p.comment.SetText("")
		p.picked = nil
		p.errLabel.Hide()
	}
	p.taskID, p.row = r.task.ID, r
	rect := *r.rect
	in := r.task.Indicator
	p.title.SetText(r.name())
	p.score.SetText(T("得分 %s 分（满分 %s 分，低分线 %s 分）", assess.FormatScore(r.task.Score), assess.FormatScore(in.MaxScore), assess.FormatScore(in.Threshold())))
	p.demand.SetText(T("整改要求：%s", rect.Demand))
	p.deadline.SetText(fbDeadline(rect, a.s.now()))
	fbDot(p.dot, a.rectLevel(rect))
	p.state.SetText(T("状态：%s", fbRectStatus(r)))
	fbOptional(p.verification, rect.Verification, T("核查意见：%s", rect.Verification))
	response := ""
	if rect.Response != "" {
		response = T("单位整改反馈（%s）：%s", fbClock(rect.RespondedAt), rect.Response)
	}
	fbOptional(p.response, rect.Response, response)

	open := a.s.year.State != assess.YearClosed
	p.composing = open && !a.reviewer && rect.State == assess.RectOpen && !r.waiting(wire.KindRectRespond)
	verifying := open && a.reviewer && rect.State == assess.RectResponded && !r.waiting(wire.KindRectVerify)
	p.files = rect.Attachments
	if p.composing {
		p.files = p.picked
	}
	fbShow(p.addBtn, p.composing)
	fbShow(p.respond, p.composing)
	fbShow(p.verify, verifying)
	p.note.SetText(p.noteText(r))
	fbShow(p.note, !p.composing && !verifying)
	p.showFiles()
	p.empty.Hide()
	p.content.Show()
}

// noteText says why no action is offered on a rectification.
func (p *feedbackRect) noteText(r feedbackRow) string {
	switch {
	case r.rect.State == assess.RectClosed:
		return T("整改已核查通过，已销号。")
	case p.a.s.year.State == assess.YearClosed:
		return T("考核年度已关闭，不能再修改。")
	case r.waiting(wire.KindRectRespond):
		return T("整改反馈已保存在本机，联网后自动发送给审核用户核查。")
	case r.waiting(wire.KindRectVerify):
		return T("核查意见已保存在本机，联网后自动发送。")
	case r.rect.State == assess.RectResponded:
		if p.a.reviewer {
			return ""
		}
		return T("已提交整改反馈，等待审核用户核查。")
	case p.a.reviewer:
		return T("等待单位提交整改反馈。")
	}
	return ""
}

// onAddFile picks a file for the response with the file dialog.
func (p *feedbackRect) onAddFile() {
	p.a.s.askOpenPath(nil, func(path string) { p.addFiles([]string{path}) })
}

// addFiles copies files into the local evidence folder and attaches them
// to the response being written.
func (p *feedbackRect) addFiles(paths []string) {
	s, taskID := p.a.s, p.taskID
	db := s.db()
	background(s, func(ctx context.Context) ([]assess.Attachment, error) {
		var atts []assess.Attachment
		for _, path := range paths {
			att, err := db.AddEvidence(ctx, path)
			if err != nil {
				return atts, err
			}
			att.Slot = -1
			atts = append(atts, att)
		}
		return atts, nil
	}, func(atts []assess.Attachment, err error) {
		if p.taskID == taskID && p.composing {
			for _, att := range atts {
				if !slices.ContainsFunc(p.picked, func(x assess.Attachment) bool { return x.Hash == att.Hash }) {
					p.picked = append(p.picked, att)
				}
			}
			p.files = p.picked
			p.showFiles()
		}
		s.showError(err)
	})
}

// removeFile takes a file off the response being written.
func (p *feedbackRect) removeFile(hash string) {
	p.picked = slices.DeleteFunc(slices.Clone(p.picked), func(x assess.Attachment) bool { return x.Hash == hash })
	p.files = p.picked
	p.showFiles()
}

// showFiles shows the files of the rectification or of the response being
// written, and how many there are.
func (p *feedbackRect) showFiles() {
	p.fileHead.SetText(T("整改佐证材料（%d 份）", len(p.files)))
	p.fileList.Refresh()
}

// fail shows a validation error under the form.
func (p *feedbackRect) fail(err error) {
	p.errLabel.SetText(message(err))
	p.errLabel.Show()
}

// onSubmit checks the response, asks, and queues it (offline too).
func (p *feedbackRect) onSubmit() {
	s := p.a.s
	text := strings.TrimSpace(p.answer.Text)
	if text == "" {
		p.fail(errEmpty(T("整改情况说明")))
		return
	}
	p.errLabel.Hide()
	taskID, name, atts := p.taskID, p.row.name(), slices.Clone(p.picked)
	s.confirm(T("提交整改反馈"), T("提交后将发送给审核用户核查，不能再修改。确定提交“%s”的整改反馈吗？", name), T("提交"), func() {
		s.act(func(ctx context.Context) error {
			return s.db().RespondRect(ctx, taskID, text, atts)
		}, func() {
			if p.taskID == taskID {
				p.answer.SetText("")
				p.picked = nil
			}
		})
	})
}

// onAccept asks, then queues the verification that closes the
// rectification (销号).
func (p *feedbackRect) onAccept() {
	s := p.a.s
	taskID, comment := p.taskID, strings.TrimSpace(p.comment.Text)
	p.errLabel.Hide()
	s.confirm(T("核查通过，销号"), T("确定“%s”已整改到位，予以销号吗？", p.row.name()), T("销号"), func() {
		p.queueVerify(taskID, true, comment)
	})
}

// onReject checks that the reviewer said why, asks, then queues the
// verification that sends the rectification back to the unit.
func (p *feedbackRect) onReject() {
	s := p.a.s
	taskID, comment := p.taskID, strings.TrimSpace(p.comment.Text)
	if comment == "" {
		p.fail(errEmpty(T("不通过的理由")))
		return
	}
	p.errLabel.Hide()
	s.confirm(T("核查不通过"), T("确定将“%s”退回单位继续整改吗？", p.row.name()), T("退回整改"), func() {
		p.queueVerify(taskID, false, comment)
	})
}

func (p *feedbackRect) queueVerify(taskID string, accept bool, comment string) {
	s := p.a.s
	s.act(func(ctx context.Context) error {
		return s.db().VerifyRect(ctx, taskID, accept, comment)
	}, func() {
		if p.taskID == taskID {
			p.comment.SetText("")
		}
	})
}

// onPrintUnit asks where to save the feedback report of the unit shown.
func (a *feedback) onPrintUnit() {
	if a.unitID == "" || a.s.year.ID == "" {
		a.s.info(T("打印反馈报告"), T("请先选择单位。"))
		return
	}
	unit := assess.Unit{ID: a.unitID, Name: a.unitLabel()}
	a.s.askSavePath(report.FeedbackFileName(report.FeedbackData{Year: a.s.year, Unit: unit}), []string{".pdf"}, a.printUnit)
}

// onPrintCity asks where to save the city summary report.
func (a *feedback) onPrintCity() {
	if a.s.year.ID == "" {
		a.s.info(T("打印全市汇总报告"), T("本机还没有考核年度数据，请先同步。"))
		return
	}
	a.s.askSavePath(safeName(report.SummaryTitle(report.CitySummaryData{Year: a.s.year})+".pdf"), []string{".pdf"}, a.printCity)
}

// onPrintAll asks for the folder the reports of every unit go to.
func (a *feedback) onPrintAll() {
	s := a.s
	if s.year.ID == "" {
		s.info(T("批量打印全部单位"), T("本机还没有考核年度数据，请先同步。"))
		return
	}
	s.askFolder(a.printAll)
}

// printUnit writes the feedback report of the unit shown to path.
func (a *feedback) printUnit(path string) {
	s := a.s
	y, unitID := s.year, a.unitID
	db := s.db()
	a.busy(T("正在生成反馈报告…"))
	background(s, func(ctx context.Context) (int, error) {
		src := s.docs()
		u, err := src.Unit(ctx, unitID)
		if err != nil {
			return 0, err
		}
		data, err := src.Feedback(ctx, y, u)
		if err != nil {
			return 0, err
		}
		if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteFeedback(w, data, report.Options{}) }); err != nil {
			return 0, err
		}
		return fbUnsent(ctx, db), nil
	}, func(pending int, err error) {
		a.idle()
		a.done(T("打印反馈报告"), T("已生成反馈报告：%s", path), pending, err)
	})
}

// printCity writes the city summary report to path.
func (a *feedback) printCity(path string) {
	s := a.s
	y := s.year
	db := s.db()
	a.busy(T("正在生成全市汇总报告…"))
	background(s, func(ctx context.Context) (int, error) {
		data, err := s.docs().CitySummary(ctx, y)
		if err != nil {
			return 0, err
		}
		if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteCitySummary(w, data, report.Options{}) }); err != nil {
			return 0, err
		}
		return fbUnsent(ctx, db), nil
	}, func(pending int, err error) {
		a.idle()
		a.done(T("打印全市汇总报告"), T("已生成全市汇总报告：%s", path), pending, err)
	})
}

// printAll writes the feedback report of every unit with tasks into dir,
// one PDF each, showing "[3/12] 东城区" as each is done. Each report is
// complete or absent; a failure stops the batch and keeps the finished ones.
func (a *feedback) printAll(dir string) {
	s := a.s
	y := s.year
	db := s.db()
	a.busy(T("正在准备批量打印…"))
	a.bar.SetValue(0)
	a.bar.Show()
	type result struct{ written, pending int }
	background(s, func(ctx context.Context) (result, error) {
		data, err := s.docs().FeedbackAll(ctx, y)
		if err != nil {
			return result{}, err
		}
		if len(data) == 0 {
			return result{}, assess.Errorf(assess.ENotFound, "%s", T("%s还没有任何单位的指标任务，没有可生成的反馈报告。", y.Name))
		}
		written := 0
		err = report.FeedbackReports(ctx, dir, data, func(done, total int, d report.FeedbackData, _ string) {
			written = done
			s.onUI(func() {
				a.bar.SetValue(float64(done) / float64(total))
				a.work.SetText(fmt.Sprintf("[%d/%d] %s", done, total, d.Unit.Name))
			})
		})
		if err != nil {
			return result{written: written}, err
		}
		return result{written: len(data), pending: fbUnsent(ctx, db)}, nil
	}, func(r result, err error) {
		a.idle()
		if err != nil {
			a.s.info(T("批量打印全部单位"), T("已生成 %d 份反馈报告，其余未生成：%s", r.written, message(err)))
			return
		}
		a.done(T("批量打印全部单位"), T("已生成 %d 份反馈报告：%s", r.written, dir), r.pending, nil)
	})
}

// busy disables printing and shows what is being made.
func (a *feedback) busy(text string) {
	for _, b := range a.printBtns {
		b.Disable()
	}
	a.work.SetText(text)
	a.work.Show()
}

// idle enables printing again.
func (a *feedback) idle() {
	for _, b := range a.printBtns {
		b.Enable()
	}
	a.work.Hide()
	a.bar.Hide()
}

// done reports a printed document, noting the changes of this PC not yet
// sent, which the documents do not show yet.
func (a *feedback) done(title, text string, pending int, err error) {
	if err != nil {
		a.s.showError(err)
		return
	}
	if pending > 0 {
		text += "\n" + T("提示：本机还有 %d 项修改未同步，文档按上次同步的服务器数据生成。", pending)
	}
	a.s.info(title, text)
}

// fbUnsent counts this PC's changes not yet accepted by the server.
func fbUnsent(ctx context.Context, db Store) int {
	pending, rejected, err := db.PendingCount(ctx)
	if err != nil {
		return 0
	}
	return pending + rejected
}

// fbStatus is a task's status as the user should see it, marked
// while its changes wait to be sent or were refused.
func fbStatus(v localdb.TaskView) string {
	s := statusLabel(v.Local)
	switch {
	case len(v.Rejected) > 0:
		s += T("（同步被拒绝）")
	case len(v.Pending) > 0:
		s += T("（待同步）")
	}
	return s
}

// fbScore is a task's score of its maximum, "—" for no score yet.
func fbScore(r feedbackRow) string {
	score := "—"
	if r.scored() {
		score = assess.FormatScore(r.task.Score)
	}
	return score + " / " + assess.FormatScore(r.task.Indicator.MaxScore)
}

// fbRectState names a rectification's state.
func fbRectState(st assess.RectState) string {
	switch st {
	case assess.RectOpen:
		return T("待整改")
	case assess.RectResponded:
		return T("已反馈，待核查")
	case assess.RectClosed:
		return T("已销号")
	}
	return string(st)
}

// fbRectStatus is a rectification's state, marked while a response or a
// verification waits to be sent.
func fbRectStatus(r feedbackRow) string {
	switch {
	case r.waiting(wire.KindRectRespond):
		return T("已反馈（待同步）")
	case r.waiting(wire.KindRectVerify):
		return T("已核查（待同步）")
	}
	return fbRectState(r.rect.State)
}

// fbDeadline words a rectification's deadline with the working days
// left, or overdue.
func fbDeadline(r assess.Rectification, now time.Time) string {
	if r.Deadline.IsZero() {
		return T("整改期限：未规定")
	}
	d := fbDate(r.Deadline)
	cal := assess.ChinaCalendar()
	switch {
	case r.State != assess.RectOpen:
		return T("整改期限：%s", d)
	case r.Overdue(now):
		return T("整改期限：%s（已逾期 %d 个工作日）", d, cal.WorkdaysUntil(r.Deadline, now))
	}
	return T("整改期限：%s（还有 %d 个工作日）", d, cal.WorkdaysUntil(now, r.Deadline))
}

// fbDot colours a warning marker, hiding it for no warning.
func fbDot(dot *canvas.Rectangle, l assess.Level) {
	c := warningColor(l)
	if c == nil {
		dot.Hide()
		return
	}
	dot.FillColor = c
	dot.Show()
	dot.Refresh()
}

// fbOptional shows text in l, or hides l when value is empty.
func fbOptional(l *widget.Label, value, text string) {
	l.SetText(text)
	fbShow(l, strings.TrimSpace(value) != "")
}

// fbShow shows o when on, else hides it.
func fbShow(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// fbMinHeight gives o at least height h.
func fbMinHeight(h float32, o fyne.CanvasObject) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(r, o)
}

// fbDate is the day of t in China, e.g. 2026-03-16.
func fbDate(t time.Time) string { return t.In(assess.CST).Format(time.DateOnly) }

// fbClock is t in China to the minute, "" for no time.
func fbClock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(assess.CST).Format("2006-01-02 15:04")
}

// fbOneLine folds text onto one line for a list or table cell.
func fbOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
