package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
)

// indicators is the 指标管理 area: the year's indicator tree (category →
// indicator → point), a form to edit the selected indicator and assign it
// to units, the year's key tasks (重点任务), import from Excel, the import
// template, and publishing the year. Only administrators change anything;
// other reviewers, and everyone in a closed year, read.
type indicators struct {
	s *Shell

	year   assess.Year
	inds   []assess.Indicator // the year's tree, by code
	byID   map[string]assess.Indicator
	kids   map[string][]string // parent ID ("" for the roots) → child IDs by code
	units  []assess.Unit       // every unit, by group order and name
	groups []assess.Group
	loaded bool

	// The indicator in the form: the one selected, or a new one not yet saved.
	edit     assess.Indicator
	isNew    bool
	assigned map[string]bool // unit ID → assigned, as edited
	dirty    bool            // the form differs from edit
	filling  bool            // the form is being filled in, not typed in
	pick     string          // the indicator to select after the next reload
	quiet    bool            // the tree is being selected by the code

	heading, notice, formHeading, parent *widget.Label
	code, title, maxScore, deadline, low *widget.Entry
	content, standard, evidence, rule    *widget.Entry
	keyTask                              *widget.Check
	errLabel, state                      *widget.Label
	saveBtn, resetBtn                    *widget.Button
	addRootBtn, addChildBtn, publishBtn  *widget.Button
	importBtn, templateBtn               *widget.Button

	top         *fyne.Container
	form        *widget.Form
	tree        *widget.Tree
	unitList    *widget.List
	assignNote  *widget.Label
	assignCount *widget.Label
	groupBtns   *fyne.Container
	miles       []*milestoneRow // the milestone editor's rows, as edited
	mileBox     *fyne.Container
	mileNote    *widget.Label
	mileAddBtn  *widget.Button
	keyTasks    []assess.Indicator
	keyList     *widget.List
	keyCount    *widget.Label
	tabs        *container.AppTabs
	formTabs    *container.AppTabs
	box         fyne.CanvasObject
}

func newIndicators(s *Shell) area {
	a := &indicators{s: s, byID: map[string]assess.Indicator{}, kids: map[string][]string{}, assigned: map[string]bool{}}
	a.heading = widget.NewLabel("")
	a.heading.TextStyle.Bold = true
	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Wrapping = fyne.TextWrapWord
	a.notice.Hide()
	a.addRootBtn = widget.NewButtonWithIcon(T("新增类别"), theme.ContentAddIcon(), a.addRoot)
	a.addChildBtn = widget.NewButtonWithIcon(T("新增下级指标"), theme.ContentAddIcon(), a.addChild)
	a.importBtn = widget.NewButtonWithIcon(T("从 Excel 导入指标"), theme.UploadIcon(), a.chooseImport)
	a.templateBtn = widget.NewButtonWithIcon(T("下载导入模板"), theme.DownloadIcon(), a.chooseTemplate)
	a.publishBtn = widget.NewButtonWithIcon(T("发布考核年度"), theme.MailSendIcon(), a.publish)
	a.publishBtn.Importance = widget.HighImportance
	toolbar := container.NewHBox(a.addRootBtn, a.addChildBtn, widget.NewSeparator(), a.importBtn, a.templateBtn,
		layout.NewSpacer(), a.publishBtn)
	a.top = container.NewVBox(a.heading, toolbar, a.notice)

	a.tree = widget.NewTree(a.childIDs, a.isBranch, a.newNode, a.updateNode)
	a.tree.OnSelected = a.onSelected
	split := container.NewHSplit(a.tree, a.newDetail())
	split.Offset = 0.36

	a.keyCount = widget.NewLabel("")
	a.keyList = widget.NewList(func() int { return len(a.keyTasks) }, a.newKeyRow, a.updateKeyRow)
	a.keyList.OnSelected = a.onKeySelected
	keyNote := widget.NewLabel(T("在“指标体系”中选中末级指标，勾选“重点任务”并保存即可标记；重点任务随指标同步到各单位。"))
	keyNote.Wrapping = fyne.TextWrapWord
	keyBox := container.NewBorder(container.NewVBox(a.keyCount, keyNote), nil, nil, nil, a.keyList)

	a.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(T("指标体系"), theme.ListIcon(), split),
		container.NewTabItemWithIcon(T("重点任务"), theme.WarningIcon(), keyBox),
	)
	a.box = container.NewBorder(a.top, nil, nil, nil, a.tabs)
	a.clearForm()
	return a
}

// newDetail builds the form of the selected indicator and its assignment.
func (a *indicators) newDetail() fyne.CanvasObject {
	a.formHeading = widget.NewLabel("")
	a.formHeading.TextStyle.Bold = true
	a.formHeading.Truncation = fyne.TextTruncateEllipsis
	a.parent = widget.NewLabel("")
	a.code = widget.NewEntry()
	a.code.SetPlaceHolder(T("如 3.2.1"))
	a.title = widget.NewEntry()
	a.content = indicatorTextArea()
	a.standard = indicatorTextArea()
	a.evidence = indicatorTextArea()
	a.evidence.SetPlaceHolder(T("每行一项，如：\n权责清单调整文件\n政府门户网站公开页面截图"))
	a.maxScore = widget.NewEntry()
	a.maxScore.SetPlaceHolder(T("如 2 或 2.5"))
	a.rule = indicatorTextArea()
	a.deadline = widget.NewEntry()
	a.deadline.SetPlaceHolder(T("YYYY-MM-DD，如 2026-06-30"))
	a.low = widget.NewEntry()
	a.low.SetPlaceHolder(T("留空为分值的 60%"))
	a.keyTask = widget.NewCheck(T("列为重点任务"), func(bool) { a.touched("") })
	for _, e := range []*widget.Entry{a.code, a.title, a.content, a.standard, a.evidence, a.maxScore, a.rule, a.deadline, a.low} {
		e.OnChanged = a.touched
	}
	a.form = widget.NewForm(
		widget.NewFormItem(T("上级指标"), a.parent),
		widget.NewFormItem(T("编号"), a.code),
		widget.NewFormItem(T("名称"), a.title),
		widget.NewFormItem(T("指标内容"), a.content),
		widget.NewFormItem(T("达标标准"), a.standard),
		widget.NewFormItem(T("需要查验的资料"), a.evidence),
		widget.NewFormItem(T("分值"), a.maxScore),
		widget.NewFormItem(T("评分细则"), a.rule),
		widget.NewFormItem(T("截止日期"), a.deadline),
		widget.NewFormItem(T("低分线"), a.low),
		widget.NewFormItem(T("重点任务"), a.keyTask),
	)

	a.assignNote = widget.NewLabel("")
	a.assignNote.Wrapping = fyne.TextWrapWord
	a.assignCount = widget.NewLabel("")
	a.groupBtns = container.NewHBox()
	a.unitList = widget.NewList(func() int { return len(a.units) }, a.newUnitRow, a.updateUnitRow)
	assign := container.NewBorder(container.NewVBox(a.assignNote, container.NewHScroll(a.groupBtns), a.assignCount),
		nil, nil, nil, a.unitList)

	a.formTabs = container.NewAppTabs(
		container.NewTabItem(T("基本信息"), container.NewVScroll(a.form)),
		container.NewTabItem(T("分配单位"), assign),
		container.NewTabItem(T("时间节点"), a.newMilestoneEditor()),
	)
	a.errLabel = widget.NewLabel("")
	a.errLabel.Importance = widget.DangerImportance
	a.errLabel.Wrapping = fyne.TextWrapWord
	a.errLabel.Hide()
	a.state = widget.NewLabel("")
	a.resetBtn = widget.NewButtonWithIcon(T("撤销修改"), theme.ContentUndoIcon(), a.reset)
	a.saveBtn = widget.NewButtonWithIcon(T("保存"), theme.DocumentSaveIcon(), a.save)
	a.saveBtn.Importance = widget.HighImportance
	bottom := container.NewVBox(a.errLabel, container.NewHBox(a.state, layout.NewSpacer(), a.resetBtn, a.saveBtn))
	return container.NewBorder(a.formHeading, bottom, nil, nil, a.formTabs)
}

// indicatorTextArea is a wrapping multi-line entry three lines high.
func indicatorTextArea() *widget.Entry {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(3)
	return e
}

func (a *indicators) view() fyne.CanvasObject { return a.box }

// indicatorData is what the area shows of a year.
type indicatorData struct {
	year   assess.Year
	inds   []assess.Indicator
	units  []assess.Unit
	groups []assess.Group
}

// refresh reloads the year, its indicators, the units and the groups.
func (a *indicators) refresh() {
	db, y := a.s.db(), a.s.year
	background(a.s, func(ctx context.Context) (indicatorData, error) {
		d := indicatorData{year: y}
		var err error
		if d.units, err = db.Units(ctx); err != nil {
			return d, err
		}
		if d.groups, err = db.Groups(ctx); err != nil {
			return d, err
		}
		if y.ID == "" {
			return d, nil
		}
		years, err := db.Years(ctx)
		if err != nil {
			return d, err
		}
		for _, yy := range years {
			if yy.ID == y.ID {
				d.year = yy
			}
		}
		d.inds, err = db.Indicators(ctx, y.ID)
		return d, err
	}, func(d indicatorData, err error) {
		if err != nil {
			a.notice.SetText(message(err))
			a.notice.Show()
			return
		}
		a.load(d)
	})
}

// load shows freshly read data, keeping edits not yet saved.
func (a *indicators) load(d indicatorData) {
	yearChanged := !a.loaded || d.year.ID != a.year.ID
	a.loaded = true
	a.year, a.inds, a.groups = d.year, d.inds, d.groups
	a.units = unitsByGroup(d.units, d.groups)
	a.index()
	a.tree.Refresh()
	if yearChanged {
		a.tree.OpenAllBranches()
	}
	a.showHeading()
	a.showGroups()
	a.showKeyTasks()
	switch {
	case yearChanged:
		a.clearForm()
	case a.pick != "":
		id := a.pick
		a.pick = ""
		a.selectNode(id)
		a.state.SetText(T("已保存在本机，等待同步"))
	case a.dirty:
	case a.edit.ID != "" && !a.isNew:
		a.selectNode(a.edit.ID)
	}
	a.applyEditable()
}

// index builds the lookups of the tree.
func (a *indicators) index() {
	a.byID = make(map[string]assess.Indicator, len(a.inds))
	for _, in := range a.inds {
		a.byID[in.ID] = in
	}
	a.kids = map[string][]string{}
	for _, in := range a.inds {
		parent := in.ParentID
		if _, ok := a.byID[parent]; !ok {
			parent = ""
		}
		a.kids[parent] = append(a.kids[parent], in.ID)
	}
	for _, ids := range a.kids {
		slices.SortStableFunc(ids, func(x, y string) int { return assess.CompareCodes(a.byID[x].Code, a.byID[y].Code) })
	}
}

func (a *indicators) showHeading() {
	y := a.year
	if y.ID == "" {
		a.heading.SetText(T("指标体系"))
		return
	}
	leaves := len(assess.Leaves(a.inds))
	a.heading.SetText(T("%s指标体系（%s）：共 %d 项，其中末级指标 %d 项", cmp.Or(y.Name, y.ID), yearStateLabel(y.State), len(a.inds), leaves))
}

// editable reports whether the user may change the year's indicators.
func (a *indicators) editable() bool {
	u := a.s.user
	return u.Role == assess.Reviewer && u.Admin && !u.Disabled && a.year.ID != "" && a.year.State != assess.YearClosed
}

// readOnlyReason says why the area is read-only, "" when it is not.
func (a *indicators) readOnlyReason() string {
	u := a.s.user
	switch {
	case !a.loaded:
		return ""
	case a.year.ID == "":
		return T("本机还没有考核年度，请先同步；新建考核年度请到“系统管理”。")
	case u.Role != assess.Reviewer || !u.Admin || u.Disabled:
		return T("只读：只有系统管理员可以修改指标体系、分配单位和发布考核年度。")
	case a.year.State == assess.YearClosed:
		return T("%s考核已关闭，指标体系只读。", cmp.Or(a.year.Name, a.year.ID))
	}
	return ""
}

// hasForm reports whether the form holds an indicator.
func (a *indicators) hasForm() bool { return a.isNew || a.edit.ID != "" }

// isLeaf reports whether the indicator in the form has no sub-indicators.
func (a *indicators) isLeaf() bool { return a.isNew || len(a.kids[a.edit.ID]) == 0 }

// canAssign reports whether the form's assignment may be changed.
func (a *indicators) canAssign() bool { return a.editable() && a.hasForm() && a.isLeaf() }

// applyEditable enables what the user may change now.
func (a *indicators) applyEditable() {
	ed := a.editable()
	formOn := ed && a.hasForm()
	for _, e := range []*widget.Entry{a.code, a.title, a.content, a.standard, a.evidence, a.maxScore, a.rule, a.deadline, a.low} {
		enableIf(e, formOn)
	}
	enableIf(a.keyTask, formOn)
	a.applyMilestonesEditable()
	enableIf(a.saveBtn, formOn)
	enableIf(a.resetBtn, formOn)
	enableIf(a.addRootBtn, ed)
	enableIf(a.addChildBtn, ed && a.edit.ID != "" && !a.isNew)
	enableIf(a.importBtn, ed)
	enableIf(a.publishBtn, ed && a.year.State == assess.YearDraft)
	for _, o := range a.groupBtns.Objects {
		if b, ok := o.(*widget.Button); ok {
			enableIf(b, a.canAssign())
		}
	}
	a.form.Refresh() // the labels follow their fields' state
	if why := a.readOnlyReason(); why != "" {
		a.notice.SetText(why)
		a.notice.Show()
	} else {
		a.notice.Hide()
	}
	a.top.Refresh()
	a.showAssignState()
	a.unitList.Refresh()
}

// switchable is a widget that can be switched off.
type switchable interface {
	Enable()
	Disable()
}

// enableIf enables w when on, else disables it.
func enableIf(w switchable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// The tree.

func (a *indicators) childIDs(uid widget.TreeNodeID) []widget.TreeNodeID { return a.kids[uid] }

func (a *indicators) isBranch(uid widget.TreeNodeID) bool { return uid == "" || len(a.kids[uid]) > 0 }

func (a *indicators) newNode(bool) fyne.CanvasObject {
	l := widget.NewLabel("3.2.1 推进行政决策科学化（10 分）")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (a *indicators) updateNode(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
	in := a.byID[uid]
	text := T("%s %s（%s 分）", in.Code, in.Title, assess.FormatScore(in.MaxScore))
	if in.KeyTask {
		text = T("【重点】") + text
	}
	o.(*widget.Label).SetText(text)
}

// onSelected shows the indicator tapped in the tree; with edits not saved
// it asks first.
func (a *indicators) onSelected(uid widget.TreeNodeID) {
	if a.quiet || (uid == a.edit.ID && !a.isNew) {
		return
	}
	if !a.dirty {
		a.fill(a.byID[uid], false)
		return
	}
	a.reselect()
	a.leave(func() { a.selectNode(uid) })
}

// selectNode selects an indicator in the tree and shows it in the form.
func (a *indicators) selectNode(id string) {
	in, ok := a.byID[id]
	if !ok {
		a.clearForm()
		return
	}
	a.fill(in, false)
	a.quiet = true
	defer func() { a.quiet = false }()
	if in.ParentID != "" {
		a.tree.OpenBranch(in.ParentID)
	}
	a.tree.Select(id)
	a.tree.ScrollTo(id)
}

// reselect selects in the tree the indicator the form shows.
func (a *indicators) reselect() {
	a.quiet = true
	defer func() { a.quiet = false }()
	if a.edit.ID != "" && !a.isNew {
		a.tree.Select(a.edit.ID)
	} else {
		a.tree.UnselectAll()
	}
}

// leave runs then once the user agrees to drop the form's edits, at once
// when there are none.
func (a *indicators) leave(then func()) {
	if !a.dirty {
		then()
		return
	}
	a.s.confirm(T("放弃修改"), T("当前指标有未保存的修改，继续将放弃这些修改。"), T("放弃修改"), func() {
		a.dirty = false
		then()
	})
}

// The form.

// fill shows an indicator in the form.
func (a *indicators) fill(in assess.Indicator, isNew bool) {
	a.filling = true
	defer func() { a.filling = false }()
	a.edit, a.isNew, a.dirty = in, isNew, false
	a.code.SetText(in.Code)
	a.title.SetText(in.Title)
	a.content.SetText(in.Content)
	a.standard.SetText(in.Standard)
	a.evidence.SetText(strings.Join(in.Evidence, "\n"))
	a.rule.SetText(in.ScoringRule)
	a.maxScore.SetText("")
	if in.ID != "" || in.MaxScore > 0 {
		a.maxScore.SetText(assess.FormatScore(in.MaxScore))
	}
	a.low.SetText("")
	if in.LowScore > 0 {
		a.low.SetText(assess.FormatScore(in.LowScore))
	}
	a.deadline.SetText("")
	if !in.Deadline.IsZero() {
		a.deadline.SetText(in.Deadline.In(assess.CST).Format(time.DateOnly))
	}
	a.keyTask.SetChecked(in.KeyTask)
	a.fillMilestones(in.Milestones)
	a.assigned = map[string]bool{}
	for _, id := range in.Units {
		a.assigned[id] = true
	}
	a.parent.SetText(a.parentText(in))
	switch {
	case isNew:
		a.formHeading.SetText(T("新增指标（尚未保存）"))
	default:
		a.formHeading.SetText(in.Code + " " + in.Title)
	}
	a.errLabel.Hide()
	a.state.SetText("")
	a.applyEditable()
}

// clearForm empties the form: nothing is selected.
func (a *indicators) clearForm() {
	a.fill(assess.Indicator{}, false)
	a.formHeading.SetText(T("请在左侧选择指标，或新增类别"))
	a.reselect()
}

func (a *indicators) parentText(in assess.Indicator) string {
	if p, ok := a.byID[in.ParentID]; ok {
		return p.Code + " " + p.Title
	}
	return T("（一级类别）")
}

// touched marks the form as changed by the user.
func (a *indicators) touched(string) {
	if a.filling {
		return
	}
	a.dirty = true
	a.state.SetText(T("有未保存的修改"))
}

// reset puts the form back to the indicator as stored.
func (a *indicators) reset() {
	if a.isNew {
		a.clearForm()
		return
	}
	a.fill(a.byID[a.edit.ID], false)
}

// addRoot starts a new first-level category.
func (a *indicators) addRoot() {
	a.leave(func() {
		a.startNew(assess.Indicator{YearID: a.year.ID, Code: a.nextCode("")})
	})
}

// addChild starts a new indicator under the one selected.
func (a *indicators) addChild() {
	parent := a.edit
	if parent.ID == "" || a.isNew {
		return
	}
	a.leave(func() {
		a.startNew(assess.Indicator{YearID: a.year.ID, ParentID: parent.ID, Code: a.nextCode(parent.ID), Deadline: parent.Deadline})
	})
}

func (a *indicators) startNew(in assess.Indicator) {
	a.quiet = true
	a.tree.UnselectAll()
	a.quiet = false
	a.fill(in, true)
	a.formTabs.SelectIndex(0)
	a.tabs.SelectIndex(0)
	a.s.win.Canvas().Focus(a.title)
}

// nextCode suggests the code of a new child of parent ("" for the roots):
// one more than the largest last segment of its children.
func (a *indicators) nextCode(parent string) string {
	n := 0
	for _, id := range a.kids[parent] {
		code := a.byID[id].Code
		last := code[strings.LastIndex(code, ".")+1:]
		if v, err := strconv.Atoi(last); err == nil && v > n {
			n = v
		}
	}
	if p, ok := a.byID[parent]; ok {
		return fmt.Sprintf("%s.%d", p.Code, n+1)
	}
	return strconv.Itoa(n + 1)
}

// save checks the form and saves the indicator on this PC, queued for the
// server (Ctrl+S). Problems are shown in red under the form.
func (a *indicators) save() {
	if !a.editable() || !a.hasForm() {
		return
	}
	in, err := a.readForm()
	if err == nil {
		err = a.treeProblems(in)
	}
	if err != nil {
		a.fail(err)
		return
	}
	src, db, y := a.s.docs(), a.s.db(), a.year
	a.saveBtn.Disable()
	a.state.SetText(T("正在保存…"))
	background(a.s, func(ctx context.Context) (bool, error) {
		plan, err := src.PlanIndicators(ctx, y, []assess.Indicator{in})
		if err != nil {
			return false, err
		}
		if len(plan.Problems) > 0 {
			return false, assess.Errorf(assess.EConflict, "%s", strings.Join(plan.Problems, "\n"))
		}
		if len(plan.Save) > 0 {
			return true, db.SaveIndicator(ctx, plan.Save[0])
		}
		return false, nil
	}, func(saved bool, err error) {
		a.saveBtn.Enable()
		if err != nil {
			a.fail(err)
			return
		}
		a.errLabel.Hide()
		a.dirty, a.isNew = false, false
		a.edit = in
		if !saved {
			a.state.SetText(T("没有修改"))
			return
		}
		a.state.SetText(T("已保存在本机，等待同步"))
		a.pick = in.ID
		a.s.wrote()
	})
}

// fail shows why the form could not be saved.
func (a *indicators) fail(err error) {
	a.state.SetText("")
	a.errLabel.SetText(message(err))
	a.errLabel.Show()
}

// readForm returns the indicator the form describes, checked on its own.
func (a *indicators) readForm() (assess.Indicator, error) {
	in := a.edit
	in.YearID = a.year.ID
	in.Code = trimmed(a.code)
	in.Title = trimmed(a.title)
	in.Content = strings.TrimSpace(a.content.Text)
	in.Standard = strings.TrimSpace(a.standard.Text)
	in.Evidence = nonEmptyLines(a.evidence.Text)
	in.ScoringRule = strings.TrimSpace(a.rule.Text)
	in.KeyTask = a.keyTask.Checked
	if err := checkIndicatorCode(in.Code); err != nil {
		return in, err
	}
	if in.Title == "" {
		return in, errEmpty(T("名称"))
	}
	var err error
	if in.MaxScore, err = a.readMax(); err != nil {
		return in, err
	}
	if in.LowScore, err = parseScoreText(a.low.Text, T("低分线")); err != nil {
		return in, err
	}
	if in.Deadline, err = parseDay(a.deadline.Text, T("截止日期")); err != nil {
		return in, err
	}
	if a.isLeaf() {
		in.Units = a.assignedUnits()
		if in.Milestones, err = a.readMilestones(); err != nil {
			return in, err
		}
	}
	if a.isNew {
		in.ID = a.newID(in.Code)
	}
	if err := in.Validate(); err != nil {
		return in, err
	}
	slices.SortStableFunc(in.Milestones, func(x, y assess.Milestone) int { return x.Due.Compare(y.Due) })
	return in, nil
}

// readMax reads the max score: required for a leaf; empty on a category
// means the sum of its children.
func (a *indicators) readMax() (float64, error) {
	if strings.TrimSpace(a.maxScore.Text) != "" || a.isLeaf() {
		if strings.TrimSpace(a.maxScore.Text) == "" {
			return 0, errEmpty(T("分值"))
		}
		return parseScoreText(a.maxScore.Text, T("分值"))
	}
	sum := 0.0
	for _, id := range a.kids[a.edit.ID] {
		sum += a.byID[id].MaxScore
	}
	return sum, nil
}

// parseScoreText reads a score typed in an entry ("" is 0): a number with at
// most two decimals, a trailing 分 allowed.
func parseScoreText(text, field string) (float64, error) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "分"))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, assess.Errorf(assess.EInvalid, "%s", T("%s“%s”不是数字，请填写如 2 或 2.5", field, strings.TrimSpace(text)))
	}
	if math.Abs(v*100-math.Round(v*100)) > 1e-6 {
		return 0, assess.Errorf(assess.EInvalid, "%s", T("%s最多保留两位小数", field))
	}
	return v, nil
}

// parseDay reads a day typed as YYYY-MM-DD ("" is none), midnight China
// Standard Time.
func parseDay(text, field string) (time.Time, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, assess.CST)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, assess.Errorf(assess.EInvalid, "%s", T("%s“%s”格式不对，应写作 2026-06-30", field, s))
	}
	return assess.Date(t.Year(), t.Month(), t.Day()), nil
}

// checkIndicatorCode refuses a code the server cannot take as part of an ID.
func checkIndicatorCode(code string) error {
	switch {
	case code == "":
		return errEmpty(T("编号"))
	case strings.ContainsFunc(code, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/#@", r)
	}):
		return assess.Errorf(assess.EInvalid, "%s", T("编号“%s”不能含有空格或 / # @", code))
	case len(code) > 24:
		return assess.Errorf(assess.EInvalid, "%s", T("编号“%s”过长，请缩短", code))
	}
	return nil
}

// nonEmptyLines returns the non-empty lines of text, trimmed.
func nonEmptyLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// newID returns the ID of a new indicator: as an import names it, made
// unique within the year.
func (a *indicators) newID(code string) string {
	base := report.IndicatorID(a.year.ID, code)
	id := base
	for n := 2; ; n++ {
		if _, used := a.byID[id]; !used {
			return id
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
}

// treeProblems checks the tree with in saved: the problems
// assess.ValidateTree finds that the tree does not have now.
func (a *indicators) treeProblems(in assess.Indicator) error {
	before := map[string]bool{}
	for _, e := range assess.ValidateTree(a.inds) {
		before[e.Error()] = true
	}
	next := slices.Clone(a.inds)
	if i := slices.IndexFunc(next, func(x assess.Indicator) bool { return x.ID == in.ID }); i >= 0 {
		next[i] = in
	} else {
		next = append(next, in)
	}
	var msgs []string
	for _, e := range assess.ValidateTree(next) {
		if !before[e.Error()] {
			msgs = append(msgs, message(e))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return assess.Errorf(assess.EInvalid, "%s", strings.Join(msgs, "\n"))
}

// Assignment to units.

func (a *indicators) newUnitRow() fyne.CanvasObject {
	return widget.NewCheck("市生态环境局 · 市直部门", nil)
}

func (a *indicators) updateUnitRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(a.units) {
		return
	}
	u := a.units[id]
	c := o.(*widget.Check)
	c.OnChanged = nil
	c.Text = u.Name + " · " + a.groupName(u.GroupID)
	c.SetChecked(a.assigned[u.ID])
	enableIf(c, a.canAssign())
	c.OnChanged = func(on bool) { a.setAssigned(u.ID, on) }
	c.Refresh()
}

func (a *indicators) groupName(id string) string {
	for _, g := range a.groups {
		if g.ID == id && g.Name != "" {
			return g.Name
		}
	}
	return id
}

// showGroups makes one 全选 button per ranking group.
func (a *indicators) showGroups() {
	a.groupBtns.Objects = nil
	for _, g := range a.groups {
		id := g.ID
		a.groupBtns.Add(widget.NewButton(T("全选%s", cmp.Or(g.Name, g.ID)), func() { a.assignGroup(id) }))
	}
	a.groupBtns.Add(widget.NewButton(T("全部清除"), a.clearAssigned))
}

// setAssigned assigns the indicator in the form to a unit, or takes it off.
func (a *indicators) setAssigned(unitID string, on bool) {
	if !a.canAssign() || a.assigned[unitID] == on {
		return
	}
	if on {
		a.assigned[unitID] = true
	} else {
		delete(a.assigned, unitID)
	}
	a.touched("")
	a.showAssignState()
}

// assignGroup assigns the indicator in the form to every unit of a group.
func (a *indicators) assignGroup(groupID string) {
	if !a.canAssign() {
		return
	}
	for _, u := range a.units {
		if u.GroupID == groupID {
			a.assigned[u.ID] = true
		}
	}
	a.touched("")
	a.showAssignState()
	a.unitList.Refresh()
}

func (a *indicators) clearAssigned() {
	if !a.canAssign() || len(a.assigned) == 0 {
		return
	}
	a.assigned = map[string]bool{}
	a.touched("")
	a.showAssignState()
	a.unitList.Refresh()
}

// assignedUnits returns the units ticked, in the order of the list, then
// those this PC does not know (yet) by ID.
func (a *indicators) assignedUnits() []string {
	var out, unknown []string
	known := map[string]bool{}
	for _, u := range a.units {
		known[u.ID] = true
		if a.assigned[u.ID] {
			out = append(out, u.ID)
		}
	}
	for id := range a.assigned {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}

func (a *indicators) showAssignState() {
	switch {
	case !a.hasForm():
		a.assignNote.SetText(T("请先在左侧选择一项末级指标。"))
	case !a.isLeaf():
		a.assignNote.SetText(T("只有末级指标分配给单位；本项有下级指标，请分配其下级指标。"))
	case a.year.State == assess.YearPublished:
		a.assignNote.SetText(T("本年度已发布：新分配的单位保存并同步后即收到任务；已提交材料的单位不能取消分配。"))
	default:
		a.assignNote.SetText(T("勾选要承担本项指标的单位，或按分组全选，然后保存。"))
	}
	a.assignCount.SetText(T("已分配 %d 个单位", len(a.assigned)))
}

// Key tasks.

func (a *indicators) showKeyTasks() {
	a.keyTasks = a.keyTasks[:0]
	for _, in := range assess.Leaves(a.inds) {
		if in.KeyTask {
			a.keyTasks = append(a.keyTasks, in)
		}
	}
	a.keyCount.SetText(T("%s共有 %d 项重点任务", cmp.Or(a.year.Name, a.year.ID), len(a.keyTasks)))
	a.keyList.UnselectAll()
	a.keyList.Refresh()
}

func (a *indicators) newKeyRow() fyne.CanvasObject {
	title := widget.NewLabel("3.2.1 重大行政决策程序")
	title.Truncation = fyne.TextTruncateEllipsis
	info := widget.NewLabel("1000 分 · 截止 2026-12-31 · 150 个单位")
	return container.NewBorder(nil, nil, nil, info, title)
}

func (a *indicators) updateKeyRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(a.keyTasks) {
		return
	}
	in := a.keyTasks[id]
	box := o.(*fyne.Container)
	box.Objects[0].(*widget.Label).SetText(in.Code + " " + in.Title)
	due := T("未设截止日期")
	if !in.Deadline.IsZero() {
		due = T("截止 %s", in.Deadline.In(assess.CST).Format(time.DateOnly))
	}
	box.Objects[1].(*widget.Label).SetText(T("%s 分 · %s · %d 个单位", assess.FormatScore(in.MaxScore), due, len(in.Units)))
}

// onKeySelected shows a key task in the tree.
func (a *indicators) onKeySelected(id widget.ListItemID) {
	if id >= len(a.keyTasks) {
		return
	}
	target := a.keyTasks[id].ID
	a.keyList.UnselectAll()
	a.leave(func() {
		a.tabs.SelectIndex(0)
		a.selectNode(target)
	})
}

// Publishing.

// publish checks the tree as publishing needs it and, after a confirmation
// that says what publishing means, publishes the year.
func (a *indicators) publish() {
	y := a.year
	if !a.editable() || y.State != assess.YearDraft {
		return
	}
	if a.dirty {
		a.s.info(T("发布考核年度"), T("当前指标有未保存的修改，请先保存或撤销后再发布。"))
		return
	}
	leaves := assess.Leaves(a.inds)
	if len(leaves) == 0 {
		a.s.info(T("发布考核年度"), T("还没有任何指标，不能发布。请先新增指标或从 Excel 导入。"))
		return
	}
	if errs := assess.ValidatePublish(a.inds); len(errs) > 0 {
		rows := make([]rowProblem, len(errs))
		for i, e := range errs {
			rows[i] = rowProblem{where: treeProblemPlace(e), what: message(e)}
		}
		a.s.showRowProblems(T("不能发布"), T("指标体系有 %d 处问题，改正后才能发布：", len(errs)), rows)
		return
	}
	tasks := 0
	for _, in := range leaves {
		tasks += len(in.Units)
	}
	db := a.s.db()
	a.s.confirm(T("发布考核年度"),
		T("发布后，%s的 %d 项末级指标将按分配下发为 %d 项填报任务，各单位同步后即可看到并开始填报，预警从此按截止日期计算。发布不能撤回：发布后仍可修改指标内容，但已下发任务的指标下不能再增加下级指标，已提交材料的单位也不能取消分配。确定发布吗？",
			cmp.Or(y.Name, y.ID), len(leaves), tasks),
		T("发布"), func() {
			a.s.act(func(ctx context.Context) error { return db.PublishYear(ctx, y.ID) }, a.s.loadRefs)
		})
}

// treeProblemPlace names the indicator a tree problem is about.
func treeProblemPlace(err error) string {
	var p *assess.TreeProblem
	if !errors.As(err, &p) || p.Code == "" {
		return T("指标体系")
	}
	return T("指标 %s", p.Code)
}

// Import from Excel and the template.

// chooseImport asks for a workbook and imports it.
func (a *indicators) chooseImport() {
	a.s.askOpenPath([]string{".xlsx"}, a.importPath)
}

// importPath imports the workbook at path, as choosing it in the dialog does.
func (a *indicators) importPath(path string) {
	a.importFrom(filepath.Base(path), func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, assess.Errorf(assess.EInvalid, "%s", T("无法打开文件“%s”", path))
		}
		return f, nil
	})
}

// indicatorImport is the outcome of importing a workbook: the problems
// that stopped it, or what was queued.
type indicatorImport struct {
	problems []rowProblem
	plan     localdata.IndicatorPlan
}

// importFrom imports a workbook into the year shown, as `yiwangtong import
// indicators` does: every row is checked first and, when anything is
// wrong, every problem is listed with its sheet, row and column and nothing
// is imported; else the changed rows are queued in one transaction.
func (a *indicators) importFrom(name string, open func() (io.ReadCloser, error)) {
	if err := localdata.CheckAdmin(a.s.user); err != nil {
		a.s.showError(err)
		return
	}
	if err := a.year.CheckWritable(); err != nil {
		a.s.showError(err)
		return
	}
	src, db, y := a.s.docs(), a.s.db(), a.year
	a.importBtn.Disable()
	background(a.s, func(ctx context.Context) (indicatorImport, error) {
		r, err := open()
		if err != nil {
			return indicatorImport{}, err
		}
		defer r.Close()
		return importIndicators(ctx, src, db, y, r)
	}, func(res indicatorImport, err error) {
		a.applyEditable()
		switch {
		case err != nil:
			a.s.showError(err)
		case len(res.problems) > 0:
			a.s.showRowProblems(T("导入失败"),
				T("“%s”有 %d 处问题，什么也没有导入。请按提示改正后重新导入：", name, len(res.problems)), res.problems)
		default:
			p := res.plan
			text := T("%s：新增 %d 项、修改 %d 项指标，%d 项未变化已跳过。", cmp.Or(y.Name, y.ID), p.Added, p.Changed, p.Unchanged)
			if len(p.Save) > 0 {
				text += "\n" + T("修改已保存在本机，将在下次同步时发送。")
				a.s.wrote()
			} else {
				text += "\n" + T("没有需要导入的修改。")
			}
			a.s.info(T("导入完成"), text)
		}
	})
}

// importIndicators reads a workbook into year y and queues what changed;
// with any problem it queues nothing and returns the problems.
func importIndicators(ctx context.Context, src localdata.Source, db Store, y assess.Year, r io.Reader) (indicatorImport, error) {
	var res indicatorImport
	units, err := db.Units(ctx)
	if err != nil {
		return res, err
	}
	groups, err := db.Groups(ctx)
	if err != nil {
		return res, err
	}
	inds, probs, err := report.ImportIndicators(r, y.ID, units, groups)
	if err != nil {
		return res, err
	}
	for _, p := range probs {
		res.problems = append(res.problems, rowProblem{where: importPlace(p), what: p.Reason})
	}
	if len(probs) > 0 {
		return res, nil
	}
	plan, err := src.PlanIndicatorWorkbook(ctx, y, inds)
	if err != nil {
		return res, err
	}
	for _, p := range plan.Problems {
		res.problems = append(res.problems, rowProblem{where: T("与本年度任务冲突"), what: p})
	}
	if len(res.problems) > 0 {
		return res, nil
	}
	if len(plan.Save) > 0 {
		if err := db.SaveIndicators(ctx, plan.Save); err != nil {
			return res, err // one transaction: nothing of the workbook was queued
		}
	}
	res.plan = plan
	return res, nil
}

// importPlace names where an import problem is: sheet, row, column.
func importPlace(p report.ImportProblem) string {
	where := T("工作表“%s”", p.Sheet)
	if p.Row > 0 {
		where += T("第 %d 行", p.Row)
	}
	if p.Column != "" {
		where += T(" %s 列", p.Column)
	}
	if p.Field != "" {
		where += T("（%s）", p.Field)
	}
	return where
}

// chooseTemplate asks where to save the import template and writes it.
func (a *indicators) chooseTemplate() {
	a.s.askSavePath(T("指标导入模板")+".xlsx", []string{".xlsx"}, a.writeTemplate)
}

// writeTemplate writes the indicator import template to path, with the
// drop-down lists of the units and groups on this PC.
func (a *indicators) writeTemplate(path string) {
	db := a.s.db()
	background(a.s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, writeIndicatorTemplate(ctx, db, path)
	}, func(_ struct{}, err error) {
		if err != nil {
			discardEmpty(path)
			a.s.showError(err)
			return
		}
		a.s.info(T("下载导入模板"), T("已生成指标导入模板：%s", path)+"\n"+T("在“指标”工作表中每行填写一个指标；以“示例”开头的行不会导入。"))
	})
}

// writeIndicatorTemplate writes the template as `yiwangtong template
// indicators` does.
func writeIndicatorTemplate(ctx context.Context, db Store, path string) error {
	units, err := db.Units(ctx)
	if err != nil {
		return err
	}
	groups, err := db.Groups(ctx)
	if err != nil {
		return err
	}
	return report.WriteFile(path, func(w io.Writer) error { return report.IndicatorTemplate(w, units, groups) })
}

// rowProblem is one line of a problem list: where, and what is wrong.
type rowProblem struct{ where, what string }

// showRowProblems lists problems in a dialog with a scrolling list, each
// with where it is; 复制全部 puts them on the clipboard. Enter and Esc close it.
func (s *Shell) showRowProblems(title, intro string, rows []rowProblem) {
	const width = 720
	head := widget.NewLabel(intro)
	head.Importance = widget.DangerImportance
	head.Wrapping = fyne.TextWrapWord
	list := widget.NewList(func() int { return len(rows) },
		func() fyne.CanvasObject {
			where := widget.NewLabel("")
			where.TextStyle.Bold = true
			what := widget.NewLabel("")
			what.Wrapping = fyne.TextWrapWord
			return container.NewVBox(where, what)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(rows[id].where)
			box.Objects[1].(*widget.Label).SetText(rows[id].what)
		})
	line := fyne.MeasureText("国", theme.TextSize(), fyne.TextStyle{}).Height + theme.InnerPadding()
	avail := float32(width) - 6*theme.Padding()
	for i, r := range rows {
		n := float32(math.Ceil(float64(fyne.MeasureText(r.what, theme.TextSize(), fyne.TextStyle{}).Width / avail)))
		list.SetItemHeight(i, (n+1)*line+3*theme.Padding())
	}
	var all strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&all, "%s：%s\n", r.where, r.what)
	}
	copyBtn := widget.NewButtonWithIcon(T("复制全部"), theme.ContentCopyIcon(), func() {
		s.app.Clipboard().SetContent(all.String())
	})
	content := container.NewBorder(head, container.NewHBox(layout.NewSpacer(), copyBtn), nil, nil, list)
	d := dialog.NewCustom(title, T("关闭"), container.NewGridWrap(fyne.NewSize(width, 420), content), s.win)
	s.keys(d, d.Hide, d.Hide)
	d.Show()
}

// Milestones (时间节点).

// milestoneRow is one row of the milestone editor: the milestone's ID, made
// when the row was added and kept while it exists, its day and content.
type milestoneRow struct {
	id    string
	date  *widget.Entry
	title *widget.Entry
	del   *widget.Button
}

// newMilestoneEditor builds the 时间节点 tab: a note, the rows and 添加时间节点.
func (a *indicators) newMilestoneEditor() fyne.CanvasObject {
	a.mileNote = widget.NewLabel("")
	a.mileNote.Wrapping = fyne.TextWrapWord
	a.mileAddBtn = widget.NewButtonWithIcon(T("添加时间节点"), theme.ContentAddIcon(), a.addMilestone)
	a.mileBox = container.NewVBox()
	head := container.NewBorder(nil, nil, nil, a.mileAddBtn, a.mileNote)
	return container.NewBorder(head, nil, nil, nil, container.NewVScroll(a.mileBox))
}

// fillMilestones shows an indicator's milestones in the editor.
func (a *indicators) fillMilestones(ms []assess.Milestone) {
	a.miles = a.miles[:0:0]
	for _, m := range ms {
		r := a.newMilestoneRow(m.ID)
		if !m.Due.IsZero() {
			r.date.SetText(m.Due.In(assess.CST).Format(time.DateOnly))
		}
		r.title.SetText(m.Title)
		a.miles = append(a.miles, r)
	}
	a.showMilestones()
}

// newMilestoneRow makes the entries of a milestone with ID id.
func (a *indicators) newMilestoneRow(id string) *milestoneRow {
	r := &milestoneRow{id: id, date: widget.NewEntry(), title: widget.NewEntry()}
	r.date.SetPlaceHolder(T("YYYY-MM-DD"))
	r.title.SetPlaceHolder(T("要完成的事项，如：制定年度工作计划"))
	r.date.OnChanged = a.touched
	r.title.OnChanged = a.touched
	r.del = widget.NewButtonWithIcon(T("删除"), theme.DeleteIcon(), func() { a.removeMilestone(r) })
	r.del.Importance = widget.LowImportance
	return r
}

// showMilestones lays the rows out, numbered, with the tab's count.
func (a *indicators) showMilestones() {
	objs := make([]fyne.CanvasObject, 0, len(a.miles)+1)
	if len(a.miles) > 0 {
		objs = append(objs, container.NewBorder(nil, nil,
			container.NewHBox(widget.NewLabel("    "), container.NewGridWrap(fyne.NewSize(130, 0), widget.NewLabel(T("日期")))),
			nil, widget.NewLabel(T("内容"))))
	}
	for i, r := range a.miles {
		num := widget.NewLabel(fmt.Sprintf("%d.", i+1))
		date := container.NewGridWrap(fyne.NewSize(130, r.date.MinSize().Height), r.date)
		objs = append(objs, container.NewBorder(nil, nil, container.NewHBox(num, date), r.del, r.title))
	}
	a.mileBox.Objects = objs
	a.mileBox.Refresh()
	title := T("时间节点")
	if len(a.miles) > 0 {
		title = T("时间节点（%d）", len(a.miles))
	}
	if a.formTabs != nil && len(a.formTabs.Items) > 2 && a.formTabs.Items[2].Text != title {
		a.formTabs.Items[2].Text = title
		a.formTabs.Refresh()
	}
	a.applyMilestonesEditable()
}

// canEditMilestones reports whether the form's milestones may be changed:
// only a leaf indicator, the one units file against, has milestones.
func (a *indicators) canEditMilestones() bool { return a.editable() && a.hasForm() && a.isLeaf() }

// applyMilestonesEditable enables the editor as the user may use it and
// says what the tab is for.
func (a *indicators) applyMilestonesEditable() {
	if a.mileBox == nil {
		return
	}
	on := a.canEditMilestones()
	for _, r := range a.miles {
		enableIf(r.date, on)
		enableIf(r.title, on)
		enableIf(r.del, on)
	}
	enableIf(a.mileAddBtn, on && len(a.miles) < assess.MaxMilestones)
	switch {
	case !a.hasForm():
		a.mileNote.SetText(T("请先在左侧选择一项末级指标。"))
	case !a.isLeaf():
		a.mileNote.SetText(T("只有末级指标可以设置时间节点；本项有下级指标。"))
	default:
		a.mileNote.SetText(T("时间节点是完成本项指标的阶段性要求，日期写作 2026-06-30，不能晚于截止日期；遇节假日顺延至下一个工作日。各单位按节点分别报送材料，逾期未报送将出现黄色预警。"))
	}
}

// addMilestone adds an empty row with a new ID and puts the cursor in its
// date.
func (a *indicators) addMilestone() {
	if !a.canEditMilestones() || len(a.miles) >= assess.MaxMilestones {
		return
	}
	r := a.newMilestoneRow(a.nextMilestoneID())
	a.miles = append(a.miles, r)
	a.touched("")
	a.showMilestones()
	a.s.win.Canvas().Focus(r.date)
}

// removeMilestone takes a row out; saving makes it final.
func (a *indicators) removeMilestone(r *milestoneRow) {
	if !a.canEditMilestones() {
		return
	}
	a.miles = slices.DeleteFunc(a.miles, func(x *milestoneRow) bool { return x == r })
	a.touched("")
	a.showMilestones()
}

// nextMilestoneID returns m<n> with n one more than any number in use, in
// the editor or in the indicator as stored, so that the filings of a
// removed milestone never pass to a new one.
func (a *indicators) nextMilestoneID() string {
	n := 0
	see := func(id string) {
		if v, err := strconv.Atoi(strings.TrimPrefix(id, "m")); err == nil && strings.HasPrefix(id, "m") && v > n {
			n = v
		}
	}
	for _, r := range a.miles {
		see(r.id)
	}
	for _, m := range a.edit.Milestones {
		see(m.ID)
	}
	for _, m := range a.byID[a.edit.ID].Milestones {
		see(m.ID)
	}
	return fmt.Sprintf("m%d", n+1)
}

// readMilestones returns the milestones the editor describes, in its order;
// rows left wholly empty are dropped. A day that is not YYYY-MM-DD is
// refused here; assess.Indicator.Validate checks the rest.
func (a *indicators) readMilestones() ([]assess.Milestone, error) {
	var out []assess.Milestone
	for i, r := range a.miles {
		date, title := trimmed(r.date), trimmed(r.title)
		if date == "" && title == "" {
			continue
		}
		due, err := parseDay(date, T("第 %d 个时间节点的日期", i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, assess.Milestone{ID: r.id, Title: title, Due: due})
	}
	return out, nil
}
