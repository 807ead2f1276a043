package ui

import (
	"cmp"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// leadsArea is the 督察线索 area of the reviewers: the leads other
// government systems sent about the units (lost lawsuits, overturned
// reconsiderations, petitions, 12345 complaints, deputies' proposals),
// filtered by unit, source, decision and text; the lead chosen on the
// right, with the decision to take it into account with a deduction
// (纳入考核) or to withdraw that (撤销); and the import of a workbook or CSV
// file with its template.
type leadsArea struct {
	s   *Shell
	box fyne.CanvasObject
	gen int // the load in flight; older loads are dropped

	rows      []leadRow
	shown     []int // indexes into rows, after the filter
	filter    leadFilter
	unitIDs   []string // the unit select's values, after 全部单位
	setting   bool     // the selects' options are being replaced
	unitSel   *widget.Select
	sourceSel *widget.Select
	stateSel  *widget.Select
	search    *widget.Entry
	count     *widget.Label
	notice    *widget.Label
	table     *widget.Table

	importBtn   *widget.Button
	templateBtn *widget.Button

	openID      string
	right       *fyne.Container // the hint, or the lead opened
	hint        fyne.CanvasObject
	detail      fyne.CanvasObject
	heading     *widget.Label
	meta        *widget.Label
	summary     *widget.Label
	decision    *widget.Label
	considerBtn *widget.Button
	withdrawBtn *widget.Button
	closedNote  *widget.Label

	problems []string  // the last refused import's problems, as listed
	form     *leadForm // the 纳入考核 form last shown
}

// leadRow is one lead of the table, prepared once per load.
type leadRow struct {
	Lead      assess.Lead
	Unit      string // the unit's name
	Indicator string // the indicator's code and title, "" when none
	Importer  string // who imported it
	Decider   string // who decided on it
	text      string // lower-case record ID, unit, indicator and summary
}

// leadFilter is what the reviewer narrowed the leads to. Zero fields match
// everything.
type leadFilter struct {
	UnitID string
	Source assess.LeadSource
	// State is 1 for the leads taken into account, 2 for the others.
	State int
	Text  string
}

// Lead states the table can be narrowed to.
const (
	leadAnyState = iota
	leadConsidered
	leadNotConsidered
)

// filterLeads returns the indexes of the rows f selects, reusing out.
func filterLeads(rows []leadRow, f leadFilter, out []int) []int {
	terms := strings.Fields(lowerFast(f.Text))
	out = out[:0]
	for i := range rows {
		r := &rows[i]
		switch {
		case f.UnitID != "" && r.Lead.UnitID != f.UnitID,
			f.Source != "" && r.Lead.Source != f.Source,
			f.State == leadConsidered && !r.Lead.Considered,
			f.State == leadNotConsidered && r.Lead.Considered,
			!containsAll(r.text, terms):
			continue
		}
		out = append(out, i)
	}
	return out
}

func newLeads(s *Shell) area {
	a := &leadsArea{s: s}
	a.unitSel = widget.NewSelect(nil, func(string) { a.onSelect() })
	sources := []string{T("全部来源")}
	for _, src := range assess.LeadSources {
		sources = append(sources, leadSourceLabel(src))
	}
	a.sourceSel = widget.NewSelect(sources, func(string) { a.onSelect() })
	a.stateSel = widget.NewSelect([]string{T("全部线索"), T("已纳入考核"), T("未纳入考核")}, func(string) { a.onSelect() })
	a.setUnits(nil)
	a.setting = true
	a.sourceSel.SetSelectedIndex(0)
	a.stateSel.SetSelectedIndex(0)
	a.setting = false
	a.search = widget.NewEntry()
	a.search.SetPlaceHolder(T("搜索记录编号、单位、指标或摘要"))
	a.search.OnChanged = func(text string) {
		a.filter.Text = text
		a.apply(true)
	}
	a.count = widget.NewLabel(T("正在读取线索…"))
	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Wrapping = fyne.TextWrapWord
	a.notice.Hide()
	a.importBtn = widget.NewButtonWithIcon(T("从 Excel/CSV 导入"), theme.UploadIcon(), a.chooseImport)
	a.importBtn.Importance = widget.HighImportance
	a.templateBtn = widget.NewButtonWithIcon(T("下载导入模板"), theme.DownloadIcon(), a.chooseTemplate)
	a.table = a.newTable()

	filters := container.NewGridWithColumns(3, a.unitSel, a.sourceSel, a.stateSel)
	left := container.NewBorder(container.NewVBox(filters, a.search), a.count, nil, nil, a.table)

	a.detail = a.newDetail()
	a.hint = container.NewCenter(widget.NewLabel(T("在左侧选择一条线索查看详情")))
	a.right = container.NewStack(a.hint)
	split := container.NewHSplit(left, a.right)
	split.Offset = 0.62

	hint := widget.NewLabel(T("线索来自行政诉讼、行政复议、信访、12345 热线和人大建议政协提案等系统；纳入考核的扣分从该单位的系统评价得分中扣减。"))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(a.importBtn, a.templateBtn), hint)
	a.box = container.NewBorder(container.NewVBox(a.notice, bar), nil, nil, nil, split)
	return a
}

func (a *leadsArea) view() fyne.CanvasObject { return a.box }

// leadSourceLabel names a lead source in the chosen language.
func leadSourceLabel(src assess.LeadSource) string {
	switch src {
	case assess.LeadLitigation:
		return T("行政诉讼败诉")
	case assess.LeadReconsideration:
		return T("行政复议纠错")
	case assess.LeadPetition:
		return T("信访")
	case assess.LeadHotline:
		return T("12345热线")
	case assess.LeadProposal:
		return T("人大建议政协提案")
	}
	return string(src)
}

// leadStateText says whether a lead was taken into account, and with what
// deduction.
func leadStateText(l assess.Lead) string {
	if l.Considered {
		return T("已纳入考核，扣 %s 分", formatDeduction(l.Deduction))
	}
	return T("未纳入考核")
}

// formatDeduction prints a deduction with at most two decimals.
func formatDeduction(d float64) string {
	return strconv.FormatFloat(d, 'f', -1, 64)
}

// leadDate is a lead's day as the reviewer reads it.
func leadDate(l assess.Lead) string {
	if l.Date.IsZero() {
		return "—"
	}
	return l.Date.In(assess.CST).Format(time.DateOnly)
}

// setUnits replaces the unit choices, keeping the chosen one when it still
// exists.
func (a *leadsArea) setUnits(units []assess.Unit) {
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
}

// onSelect reads the selects into the filter.
func (a *leadsArea) onSelect() {
	if a.setting {
		return
	}
	f := a.filter
	f.UnitID, f.Source, f.State = "", "", leadAnyState
	if i := a.unitSel.SelectedIndex(); i > 0 && i <= len(a.unitIDs) {
		f.UnitID = a.unitIDs[i-1]
	}
	if i := a.sourceSel.SelectedIndex(); i > 0 && i <= len(assess.LeadSources) {
		f.Source = assess.LeadSources[i-1]
	}
	if i := a.stateSel.SelectedIndex(); i > 0 {
		f.State = i
	}
	a.filter = f
	a.apply(true)
}

// apply filters the loaded rows and shows the result, from the top when
// the filter changed.
func (a *leadsArea) apply(top bool) {
	a.shown = filterLeads(a.rows, a.filter, a.shown)
	considered := 0
	var sum float64
	for _, i := range a.shown {
		if l := a.rows[i].Lead; l.Considered {
			considered++
			sum += l.Deduction
		}
	}
	a.count.SetText(T("显示 %d / %d 条，纳入考核 %d 条，共扣 %s 分", len(a.shown), len(a.rows), considered, formatDeduction(roundCents(sum))))
	a.table.UnselectAll()
	a.table.Refresh()
	if top {
		a.table.ScrollToTop()
	}
}

// roundCents rounds to two decimals.
func roundCents(v float64) float64 { return math.Round(v*100) / 100 }

// Lead table columns.
const (
	leadColSource = iota
	leadColDate
	leadColUnit
	leadColIndicator
	leadColSummary
	leadColState
	leadColumns
)

// newTable returns the virtualised table of leads.
func (a *leadsArea) newTable() *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(a.shown), leadColumns },
		func() fyne.CanvasObject {
			l := widget.NewLabel("人大建议政协提案")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id.Row >= len(a.shown) {
				l.SetText("")
				return
			}
			r := &a.rows[a.shown[id.Row]]
			l.Importance = widget.MediumImportance
			if id.Col == leadColState && r.Lead.Considered {
				l.Importance = widget.DangerImportance
			}
			l.SetText(leadCell(r, id.Col))
		})
	withHeader(t, leadHeader, 104, 100, 110, 64, 190, 130)
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(a.shown) {
			a.open(a.rows[a.shown[id.Row]].Lead.ID)
		}
	}
	return t
}

// leadHeader is the title of a lead column.
func leadHeader(col int) string {
	switch col {
	case leadColSource:
		return T("来源")
	case leadColDate:
		return T("日期")
	case leadColUnit:
		return T("单位")
	case leadColIndicator:
		return T("指标")
	case leadColSummary:
		return T("摘要")
	}
	return T("是否纳入考核")
}

// leadCell is what a lead cell shows.
func leadCell(r *leadRow, col int) string {
	l := r.Lead
	switch col {
	case leadColSource:
		return leadSourceLabel(l.Source)
	case leadColDate:
		return leadDate(l)
	case leadColUnit:
		return r.Unit
	case leadColIndicator:
		if code, _, ok := strings.Cut(r.Indicator, " "); ok {
			return code
		}
		return "—"
	case leadColSummary:
		return oneLineExcerpt(l.Summary, 60)
	}
	if l.Considered {
		return T("扣 %s 分", formatDeduction(l.Deduction))
	}
	return T("未纳入")
}

// newDetail builds the pane of the lead opened.
func (a *leadsArea) newDetail() fyne.CanvasObject {
	a.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	a.heading.Wrapping = fyne.TextWrapBreak
	a.meta = widget.NewLabel("")
	a.meta.Wrapping = fyne.TextWrapBreak
	a.summary = widget.NewLabel("")
	a.summary.Wrapping = fyne.TextWrapBreak
	a.decision = widget.NewLabel("")
	a.decision.Wrapping = fyne.TextWrapBreak
	a.considerBtn = widget.NewButtonWithIcon(T("纳入考核"), theme.ConfirmIcon(), func() {
		if r, ok := a.openRow(); ok {
			a.form = considerLead(a.s, r.Lead, r.Unit)
		}
	})
	a.considerBtn.Importance = widget.HighImportance
	a.withdrawBtn = widget.NewButtonWithIcon(T("撤销"), theme.ContentUndoIcon(), func() {
		if r, ok := a.openRow(); ok {
			withdrawLead(a.s, r.Lead, r.Unit)
		}
	})
	a.withdrawBtn.Importance = widget.WarningImportance
	a.closedNote = widget.NewLabel(T("考核年度已关闭，数据已冻结，不能再修改"))
	a.closedNote.Importance = widget.LowImportance
	a.closedNote.Wrapping = fyne.TextWrapWord
	summaryOf := widget.NewLabelWithStyle(T("线索摘要"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	buttons := container.NewHBox(layout.NewSpacer(), a.withdrawBtn, a.considerBtn)
	bottom := container.NewVBox(widget.NewSeparator(), a.decision, a.closedNote, buttons)
	return container.NewBorder(container.NewVBox(a.heading, a.meta, summaryOf), bottom, nil, nil, container.NewVScroll(a.summary))
}

// openRow returns the row of the lead opened.
func (a *leadsArea) openRow() (leadRow, bool) {
	for _, r := range a.rows {
		if r.Lead.ID == a.openID {
			return r, true
		}
	}
	return leadRow{}, false
}

// open shows a lead on the right.
func (a *leadsArea) open(id string) {
	a.openID = id
	r, ok := a.openRow()
	if !ok {
		a.closeLead()
		return
	}
	l := r.Lead
	a.heading.SetText(T("%s · 记录编号 %s", leadSourceLabel(l.Source), l.RecordID))
	ind := r.Indicator
	if ind == "" {
		ind = T("未指明指标（计入单位）")
	}
	meta := T("单位：%s", r.Unit) + "\n" + T("日期：%s", leadDate(l)) + "\n" + T("指标：%s", ind) + "\n" +
		T("导入：%s（%s）", reviewTime(l.ImportedAt), orDash(r.Importer))
	a.meta.SetText(meta)
	a.summary.SetText(l.Summary)
	dec := leadStateText(l)
	if l.Considered {
		if c := strings.TrimSpace(l.Comment); c != "" {
			dec += "\n" + T("考核意见：%s", c)
		}
		if !l.ConsideredAt.IsZero() {
			dec += "\n" + T("%s 由 %s 决定", reviewTime(l.ConsideredAt), orDash(r.Decider))
		}
		a.decision.Importance = widget.DangerImportance
	} else {
		a.decision.Importance = widget.MediumImportance
	}
	a.decision.SetText(dec)
	closed := a.s.year.State == assess.YearClosed
	if closed {
		a.closedNote.Show()
	} else {
		a.closedNote.Hide()
	}
	a.considerBtn.SetText(T("纳入考核"))
	if l.Considered {
		a.considerBtn.SetText(T("修改扣分"))
	}
	setEnabled(a.considerBtn, !closed)
	setEnabled(a.withdrawBtn, !closed && l.Considered)
	a.right.Objects = []fyne.CanvasObject{a.detail}
	a.right.Refresh()
}

// orDash is s, or — when it is empty.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// setEnabled enables or disables a button.
func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// closeLead shows the hint again.
func (a *leadsArea) closeLead() {
	a.openID = ""
	a.right.Objects = []fyne.CanvasObject{a.hint}
	a.right.Refresh()
}

// leadsLoad is what the area reads from the store.
type leadsLoad struct {
	rows  []leadRow
	units []assess.Unit // the units with leads, in the store's order
}

// refresh reloads the year's leads in the background.
func (a *leadsArea) refresh() {
	a.gen++
	gen, y, s := a.gen, a.s.year, a.s
	if y.ID == "" {
		a.rows = nil
		a.apply(true)
		a.count.SetText(T("尚无考核年度数据，请先同步"))
		return
	}
	closed := y.State == assess.YearClosed
	setEnabled(a.importBtn, !closed)
	background(s, func(ctx context.Context) (leadsLoad, error) {
		return loadLeads(ctx, s.db(), y.ID)
	}, func(l leadsLoad, err error) {
		if gen != a.gen {
			return
		}
		if err != nil {
			a.notice.SetText(message(err))
			a.notice.Show()
			return
		}
		a.notice.Hide()
		a.rows = l.rows
		a.setUnits(l.units)
		a.apply(false)
		if a.openID != "" {
			a.open(a.openID)
		}
	})
}

// loadLeads reads the year's leads with the names of their units,
// indicators and the people who imported and decided on them.
func loadLeads(ctx context.Context, db Store, yearID string) (leadsLoad, error) {
	var out leadsLoad
	leads, err := db.Leads(ctx, localdb.LeadFilter{YearID: yearID})
	if err != nil {
		return out, err
	}
	units, err := db.Units(ctx)
	if err != nil {
		return out, err
	}
	inds, err := db.Indicators(ctx, yearID)
	if err != nil {
		return out, err
	}
	users, err := db.Users(ctx)
	if err != nil {
		return out, err
	}
	unitNames := map[string]string{}
	for _, u := range units {
		unitNames[u.ID] = u.Name
	}
	indNames := map[string]string{}
	for _, in := range inds {
		indNames[in.ID] = in.Code + " " + in.Title
	}
	userNames := map[string]string{}
	for _, u := range users {
		userNames[u.ID] = u.Name
	}
	has := map[string]bool{}
	out.rows = make([]leadRow, len(leads))
	for i, l := range leads {
		r := leadRow{Lead: l, Unit: nameOf(unitNames, l.UnitID), Importer: nameOf(userNames, l.ImportedBy)}
		if l.ConsideredBy != "" {
			r.Decider = nameOf(userNames, l.ConsideredBy)
		}
		if l.IndicatorID != "" {
			r.Indicator = nameOf(indNames, l.IndicatorID)
		}
		r.text = lowerFast(strings.Join([]string{l.RecordID, r.Unit, r.Indicator, l.Summary}, "\x00"))
		out.rows[i] = r
		has[l.UnitID] = true
	}
	for _, u := range units {
		if has[u.ID] {
			out.units = append(out.units, u)
		}
	}
	return out, nil
}

// deductionSyntax is a plain decimal number, perhaps negative.
var deductionSyntax = regexp.MustCompile(`^-?(\d+(\.\d*)?|\.\d+)$`)

// parseDeduction reads a deduction typed by a reviewer (full-width digits
// included), with Chinese messages: empty, not a number, negative, above
// assess.MaxDeduction, more than two decimals.
func parseDeduction(text string) (float64, error) {
	s := strings.TrimSpace(strings.Map(halfWidth, text))
	invalid := func(msg string) (float64, error) { return 0, assess.Errorf(assess.EInvalid, "%s", msg) }
	if s == "" {
		return invalid(T("请填写扣分"))
	}
	f, err := strconv.ParseFloat(s, 64)
	if !deductionSyntax.MatchString(s) || err != nil {
		return invalid(T("扣分“%s”不是数字，请填写 0 到 %d 之间的数字", strings.TrimSpace(text), assess.MaxDeduction))
	}
	switch {
	case f < 0:
		return invalid(T("扣分不能为负数"))
	case f > assess.MaxDeduction:
		return invalid(T("扣分不能超过 %d 分", assess.MaxDeduction))
	}
	if _, frac, ok := strings.Cut(s, "."); ok && len(strings.TrimRight(frac, "0")) > 2 {
		return invalid(T("扣分最多保留两位小数"))
	}
	return f, nil
}

// leadForm is the shown 纳入考核 form; tests fill it in.
type leadForm struct {
	deduction *keyEntry
	comment   *widget.Entry
}

// considerLead asks for the deduction and the comment of taking a lead
// into account, and queues the decision.
func considerLead(s *Shell, l assess.Lead, unit string) *leadForm {
	f := &leadForm{deduction: s.newEntry(), comment: widget.NewMultiLineEntry()}
	f.deduction.SetPlaceHolder(T("0 到 %d 分，最多两位小数", assess.MaxDeduction))
	f.comment.SetPlaceHolder(T("说明扣分理由，将写入反馈报告"))
	f.comment.SetMinRowsVisible(3)
	f.comment.Wrapping = fyne.TextWrapBreak
	if l.Considered {
		f.deduction.SetText(formatDeduction(l.Deduction))
		f.comment.SetText(l.Comment)
	}
	what := widget.NewLabel(T("%s · %s · %s", leadSourceLabel(l.Source), unit, leadDate(l)) + "\n" + oneLineExcerpt(l.Summary, 80))
	what.Wrapping = fyne.TextWrapBreak
	s.form(T("纳入考核"), T("纳入考核"), []*widget.FormItem{
		widget.NewFormItem(T("线索"), what),
		widget.NewFormItem(T("扣分"), f.deduction),
		widget.NewFormItem(T("考核意见"), f.comment),
	}, func() error {
		d, err := parseDeduction(f.deduction.Text)
		if err != nil {
			return err
		}
		dec := wire.LeadDecision{LeadID: l.ID, Considered: true, Deduction: d, Comment: strings.TrimSpace(f.comment.Text)}
		s.act(func(ctx context.Context) error { return s.db().ConsiderLead(ctx, dec) }, nil)
		return nil
	})
	return f
}

// withdrawLead asks, then queues the withdrawal of a lead's deduction.
func withdrawLead(s *Shell, l assess.Lead, unit string) {
	text := T("撤销后，该线索不再扣减“%s”的系统评价得分（原扣 %s 分）。确定撤销吗？", unit, formatDeduction(l.Deduction))
	s.confirm(T("撤销纳入考核"), text, T("撤销"), func() {
		dec := wire.LeadDecision{LeadID: l.ID, Considered: false}
		s.act(func(ctx context.Context) error { return s.db().ConsiderLead(ctx, dec) }, nil)
	})
}

// chooseImport picks a workbook or CSV file of leads.
func (a *leadsArea) chooseImport() {
	a.s.askOpenPath([]string{".xlsx", ".csv"}, a.importFile)
}

// leadImport is what reading a file of leads found.
type leadImport struct {
	batch    wire.LeadBatch
	problems []string
}

// importFile reads the leads at path and checks every row: a file with
// problems lists them all and imports nothing; otherwise the reviewer
// confirms and the batch is queued in one transaction.
func (a *leadsArea) importFile(path string) {
	s := a.s
	y := s.year
	if y.State == assess.YearClosed {
		s.info(T("导入线索"), T("考核年度已关闭，数据已冻结，不能再修改"))
		return
	}
	background(s, func(ctx context.Context) (leadImport, error) {
		return readLeads(ctx, s.db(), y.ID, path)
	}, func(r leadImport, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if len(r.problems) > 0 {
			a.showProblems(path, r.problems)
			return
		}
		n := len(r.batch.Leads)
		if n == 0 {
			s.info(T("导入线索"), T("“%s”中没有线索", filepath.Base(path)))
			return
		}
		a.problems = nil
		s.confirm(T("导入线索"), T("导入 %d 条线索？已有的同一来源、同一记录编号的线索将按文件更新，已作出的考核决定保留。", n), T("导入"), func() {
			batch := r.batch
			s.act(func(ctx context.Context) error { return s.db().ImportLeads(ctx, batch) }, func() {
				s.info(T("导入线索"), T("已导入 %d 条线索，将在下次同步时发送", n))
			})
		})
	})
}

// readLeads parses a file of leads against the units and the year's
// indicators on this PC. A lead naming an indicator belongs to its year;
// one without, to the year of its date (as the server decides).
func readLeads(ctx context.Context, db Store, yearID, path string) (leadImport, error) {
	var r leadImport
	units, err := db.Units(ctx)
	if err != nil {
		return r, err
	}
	inds, err := db.Indicators(ctx, yearID)
	if err != nil {
		return r, err
	}
	f, err := os.Open(path)
	if err != nil {
		return r, assess.Errorf(assess.EInvalid, "%s", T("无法打开文件“%s”：%s", filepath.Base(path), err.Error()))
	}
	defer f.Close()
	leads, err := report.ParseLeads(f, filepath.Base(path), units, inds)
	var ie *report.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			r.problems = append(r.problems, p.Error())
		}
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.batch = wire.LeadBatch{Leads: leads}
	return r, nil
}

// showProblems lists every problem of a refused file in a scrolling list.
func (a *leadsArea) showProblems(path string, probs []string) {
	s := a.s
	a.problems = probs
	head := widget.NewLabel(T("“%s”有 %d 处问题，什么也没有导入；请按下面的提示改正后重新导入。", filepath.Base(path), len(probs)))
	head.Wrapping = fyne.TextWrapWord
	head.Importance = widget.DangerImportance
	list := widget.NewList(
		func() int { return len(probs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Wrapping = fyne.TextWrapBreak
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(domainText(s, probs[id]))
		},
	)
	content := container.NewBorder(head, nil, nil, nil, list)
	d := dialog.NewCustom(T("导入失败"), T("关闭"), container.NewGridWrap(fyne.NewSize(760, 400), content), s.win)
	s.keys(d, d.Hide, d.Hide)
	d.Show()
}

// chooseTemplate asks where to save the import template.
func (a *leadsArea) chooseTemplate() {
	a.s.askSavePath(T("督察线索导入模板")+".xlsx", []string{".xlsx"}, a.writeTemplate)
}

// writeTemplate writes the leads import template to path.
func (a *leadsArea) writeTemplate(path string) {
	s := a.s
	yearID := s.year.ID
	background(s, func(ctx context.Context) (struct{}, error) {
		units, err := s.db().Units(ctx)
		if err != nil {
			return struct{}{}, err
		}
		inds, err := s.db().Indicators(ctx, yearID)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, report.WriteFile(path, func(w io.Writer) error { return report.LeadTemplate(w, units, inds) })
	}, func(_ struct{}, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.info(T("下载导入模板"), T("已生成导入模板：%s", path))
	})
}

// leadsFor returns, of a unit's leads, those about the indicator or one of
// its parents, then those about no indicator, each newest first.
func leadsFor(leads []assess.Lead, ind assess.Indicator, parents map[string]string) []assess.Lead {
	related := map[string]bool{}
	for id := ind.ID; id != "" && !related[id]; id = parents[id] {
		related[id] = true
	}
	var out []assess.Lead
	for _, l := range leads {
		if l.IndicatorID == "" || related[l.IndicatorID] {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(x, y assess.Lead) int {
		if c := cmp.Compare(boolOrder(x.IndicatorID == ""), boolOrder(y.IndicatorID == "")); c != 0 {
			return c
		}
		return y.Date.Compare(x.Date)
	})
	return out
}

// boolOrder puts false before true.
func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

// leadsSummary is one line on the leads of a task: how many, how many
// taken into account and their deductions.
func leadsSummary(leads []assess.Lead) string {
	if len(leads) == 0 {
		return T("暂无督察线索")
	}
	n := 0
	for _, l := range leads {
		if l.Considered {
			n++
		}
	}
	return T("督察线索 %d 条，已纳入考核 %d 条，共扣 %s 分", len(leads), n, formatDeduction(assess.Deductions(leads)))
}
