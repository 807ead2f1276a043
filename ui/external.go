package ui

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
)

// extSources are the external score sources in the order they are shown.
var extSources = []assess.Source{assess.Survey, assess.ThirdParty, assess.Onsite}

// extSourceLabel names a source in the chosen language.
func extSourceLabel(src assess.Source) string {
	switch src {
	case assess.ThirdParty:
		return T("第三方评估")
	case assess.Survey:
		return T("民意调查")
	case assess.Onsite:
		return T("现场督察")
	}
	return string(src)
}

// newExternal returns the 第三方评估 area of the user's role: a reporting
// unit reads its results, a reviewer enters and imports every unit's and
// records on-site inspections.
func newExternal(s *Shell) area {
	if s.user.Role == assess.Reviewer {
		return newReviewerExternal(s)
	}
	return newReporterExternal(s)
}

// extScoreText writes a score as "86.5 / 100".
func extScoreText(e assess.ExternalScore) string {
	return assess.FormatScore(e.Score) + " / " + assess.FormatScore(e.Max)
}

// extTime writes an update time in China Standard Time.
func extTime(e assess.ExternalScore) string {
	return e.UpdatedAt.In(assess.CST).Format("2006-01-02 15:04")
}

// extVersionText words which save a score is and when it was made, e.g.
// 第 2 版 · 2026-03-02 09:00.
func extVersionText(e assess.ExternalScore) string {
	switch {
	case e.UpdatedAt.IsZero() && e.Version == 0:
		return ""
	case e.Version == 0:
		return T("更新于 %s", extTime(e))
	case e.UpdatedAt.IsZero():
		return T("第 %d 版", e.Version)
	}
	return T("第 %d 版 · %s", e.Version, extTime(e))
}

// extItemsText lists item scores, e.g. 政务公开 88.5；执法规范 90.
func extItemsText(items []assess.ItemScore) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Name + " " + assess.FormatScore(it.Score)
	}
	return strings.Join(parts, "；")
}

// openDocument opens an external score's source document with the system
// viewer, downloading it first when it is not on this PC. It is opened
// under the name it was added with; a score saved before documents had
// names is named after what it is, with the extension its content shows.
func openDocument(s *Shell, e assess.ExternalScore) {
	if e.Document == "" {
		return
	}
	if e.DocumentName != "" {
		s.openEvidence(assess.Attachment{Hash: e.Document, Name: e.DocumentName, Slot: -1})
		return
	}
	hash := e.Document
	att := assess.Attachment{Hash: hash, Name: T("评估依据文件"), Slot: -1}
	background(s, func(ctx context.Context) (string, error) {
		if err := s.fetchEvidence(ctx, att); err != nil {
			return "", err
		}
		r, err := s.db().OpenVerified(ctx, hash)
		if err != nil {
			return "", err
		}
		defer r.Close()
		return extDocumentExt(r), nil
	}, func(ext string, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		att.Name = fmt.Sprintf("%s-%s%s", att.Name, hash[:8], ext)
		s.openEvidence(att)
	})
}

// extDocumentExt returns the file extension that a document's content
// shows (".pdf", ".docx", ".jpg" …), "" when it cannot tell.
func extDocumentExt(r io.ReadSeeker) string {
	head := make([]byte, 512)
	n, _ := io.ReadFull(r, head)
	ct := http.DetectContentType(head[:n])
	switch {
	case ct == "application/pdf":
		return ".pdf"
	case ct == "image/jpeg":
		return ".jpg"
	case ct == "image/png":
		return ".png"
	case ct == "image/gif":
		return ".gif"
	case ct == "image/bmp":
		return ".bmp"
	case strings.HasPrefix(ct, "text/plain"):
		return ".txt"
	case ct == "application/zip":
		return extZipKind(r)
	}
	return ""
}

// extZipKind tells a zip-based document (Office Open XML, OFD) by the
// names inside it.
func extZipKind(r io.ReadSeeker) string {
	ra, ok := r.(io.ReaderAt)
	size, err := r.Seek(0, io.SeekEnd)
	if !ok || err != nil {
		return ".zip"
	}
	z, err := zip.NewReader(ra, size)
	if err != nil {
		return ".zip"
	}
	for _, f := range z.File {
		switch {
		case strings.HasPrefix(f.Name, "word/"):
			return ".docx"
		case strings.HasPrefix(f.Name, "xl/"):
			return ".xlsx"
		case strings.HasPrefix(f.Name, "ppt/"):
			return ".pptx"
		case strings.EqualFold(f.Name, "OFD.xml"):
			return ".ofd"
		}
	}
	return ".zip"
}

// ---- 填报用户: my unit's results ----

// reporterExternal shows a reporting unit's components for the year — the
// system evaluation, the public-opinion survey, the third-party evaluation
// and the on-site inspection — with where each came from (sample size,
// item scores, version, source document, inspection visits), and how they
// make up the unit's total with the year's weights.
type reporterExternal struct {
	s       *Shell
	box     fyne.CanvasObject
	seq     int
	system  *extCard
	cards   map[assess.Source]*extCard
	visits  *fyne.Container // one view per inspection visit
	formula *widget.Label
	points  *widget.Label
	notice  *widget.Label
}

// extCard is one component of the total.
type extCard struct {
	card    *widget.Card
	score   *canvas.Text
	weight  *widget.Label // max, weight and points
	sample  *widget.Label
	items   *widget.Label
	note    *widget.Label
	version *widget.Label
	docName *widget.Label
	open    *widget.Button
	box     *fyne.Container
	e       assess.ExternalScore // the score shown; Document "" when none
}

// extMine is what the reporting unit's page shows.
type extMine struct {
	Scores   map[assess.Source]assess.ExternalScore
	Unit     assess.UnitScores
	Standing assess.Standing
	Visits   []assess.Inspection // by date, newest first
	Scored   int                 // tasks scored
	Tasks    int                 // tasks assigned
	Leads    int                 // leads taken into account (Unit.Deduction is theirs)
}

func newReporterExternal(s *Shell) *reporterExternal {
	a := &reporterExternal{s: s, cards: map[assess.Source]*extCard{}}
	a.system = newExtCard(s, T("系统评价"))
	cards := []fyne.CanvasObject{a.system.card}
	for _, src := range extSources {
		c := newExtCard(s, extSourceLabel(src))
		a.cards[src] = c
		cards = append(cards, c.card)
	}
	a.formula = widget.NewLabel("")
	a.formula.Wrapping = fyne.TextWrapWord
	a.points = widget.NewLabel("")
	a.points.Wrapping = fyne.TextWrapWord
	a.points.TextStyle.Bold = true
	hint := widget.NewLabel(T("系统评价得分率 = 已赋分指标得分之和 ÷ 全部指标分值之和；民意调查、现场督察得分率 = 得分 ÷ 满分。第三方评估结果供参考，不单独计入总分。"))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Hide()
	a.visits = container.NewVBox()
	sum := widget.NewCard(T("总分构成"), "", container.NewVBox(a.formula, a.points, hint))
	visits := widget.NewCard(T("现场督察记录"), "", a.visits)
	// The composition and the visits side by side, so that the window
	// shows every component with its source and the visits at once.
	a.box = container.NewVScroll(container.NewVBox(a.notice, container.NewGridWithColumns(4, cards...),
		container.NewGridWithColumns(2, sum, visits)))
	return a
}

func newExtCard(s *Shell, title string) *extCard {
	c := &extCard{
		score:   canvas.NewText("—", theme.Color(theme.ColorNamePrimary)),
		weight:  widget.NewLabel(""),
		sample:  widget.NewLabel(""),
		items:   widget.NewLabel(""),
		note:    widget.NewLabel(""),
		version: widget.NewLabel(""),
		docName: widget.NewLabel(""),
	}
	c.score.TextSize = 26
	c.score.TextStyle.Bold = true
	c.weight.Wrapping = fyne.TextWrapWord
	c.sample.Wrapping = fyne.TextWrapWord // the sample size, or 系统评价's lead deductions
	c.items.Wrapping = fyne.TextWrapWord
	c.note.Wrapping = fyne.TextWrapWord
	c.docName.Truncation = fyne.TextTruncateEllipsis
	c.open = widget.NewButtonWithIcon(T("打开评估依据文件"), theme.FileIcon(), func() { openDocument(s, c.e) })
	c.box = container.NewVBox(c.score, c.weight, c.sample, c.items, c.note, c.version, c.docName, c.open)
	c.card = widget.NewCard(title, "", c.box)
	return c
}

// showText sets a label's text and shows it, or hides it when text is "".
func showText(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// setSystem shows the system evaluation: the task scores, the weight and
// the points they make.
func (c *extCard) setSystem(m extMine, w assess.Weights) {
	c.e = assess.ExternalScore{}
	c.score.Text = assess.FormatScore(m.Unit.NetSystemScore()) + " / " + assess.FormatScore(m.Unit.SystemMax)
	c.score.Refresh()
	showText(c.weight, T("权重 %s · 计 %s 分", assess.FormatScore(w.System), assess.FormatScore(m.Standing.System)))
	showText(c.note, T("已赋分 %d 项，共 %d 项指标", m.Scored, m.Tasks))
	deduction := ""
	if m.Leads > 0 {
		deduction = T("指标得分 %s 分，督察线索扣分 %s 分（%d 条线索纳入考核，详见反馈报告）",
			assess.FormatScore(m.Unit.SystemScore), assess.FormatScore(m.Unit.Deduction), m.Leads)
	}
	showText(c.sample, deduction)
	for _, l := range []*widget.Label{c.items, c.version, c.docName} {
		showText(l, "")
	}
	c.open.Hide()
	c.box.Refresh()
}

// set shows a source's result, ok false when the unit has none yet:
// weight is its weight in the total and points what it contributes
// (weight 0: shown for reference, not counted).
func (c *extCard) set(e assess.ExternalScore, ok bool, weight, points float64) {
	defer c.box.Refresh()
	c.e = e
	c.open.Show()
	if !ok {
		c.e = assess.ExternalScore{}
		c.score.Text = "—"
		c.score.Refresh()
		showText(c.weight, T("尚未录入"))
		for _, l := range []*widget.Label{c.sample, c.items, c.note, c.version, c.docName} {
			showText(l, "")
		}
		c.open.SetText(T("无评估依据文件"))
		c.open.Disable()
		return
	}
	c.score.Text = extScoreText(e)
	c.score.Refresh()
	if weight > 0 {
		showText(c.weight, T("满分 %s · 权重 %s · 计 %s 分（得分率 %s）", assess.FormatScore(e.Max),
			assess.FormatScore(weight), assess.FormatScore(points), homePercent(e.Score, e.Max)))
	} else {
		showText(c.weight, T("满分 %s · 仅供参考，不计入总分", assess.FormatScore(e.Max)))
	}
	sample := ""
	if e.SampleSize > 0 {
		sample = T("样本量 %d", e.SampleSize)
	}
	showText(c.sample, sample)
	items := ""
	if len(e.Items) > 0 {
		items = T("分项得分：%s", extItemsText(e.Items))
	}
	showText(c.items, items)
	note := e.Note
	if note == "" {
		note = T("（无备注）")
	}
	showText(c.note, note)
	showText(c.version, extVersionText(e))
	switch {
	case e.Document == "" && e.Source == assess.Onsite:
		showText(c.docName, "")
		c.open.Hide()
	case e.Document == "":
		showText(c.docName, "")
		c.open.SetText(T("无评估依据文件"))
		c.open.Disable()
	default:
		name := e.DocumentName
		if name == "" {
			name = T("评估依据文件")
		}
		showText(c.docName, T("评估依据：%s", name))
		c.open.SetText(T("打开评估依据文件"))
		c.open.Enable()
	}
}

func (a *reporterExternal) view() fyne.CanvasObject { return a.box }

// refresh reloads the unit's results from the store.
func (a *reporterExternal) refresh() {
	s := a.s
	a.seq++
	seq := a.seq
	y, unitID := s.year, s.user.UnitID
	if y.ID == "" {
		a.notice.SetText(T("还没有已发布的考核年度，请同步后再看"))
		a.notice.Show()
		return
	}
	background(s, func(ctx context.Context) (extMine, error) {
		return loadExtMine(ctx, s.db(), y, unitID)
	}, func(m extMine, err error) {
		if seq != a.seq {
			return
		}
		if err != nil {
			a.notice.SetText(message(err))
			a.notice.Show()
			return
		}
		a.notice.Hide()
		a.show(m)
	})
}

// loadExtMine reads a unit's external scores, tasks, standing and
// inspection visits.
func loadExtMine(ctx context.Context, db Store, y assess.Year, unitID string) (extMine, error) {
	m := extMine{Scores: map[assess.Source]assess.ExternalScore{}}
	exts, err := db.Externals(ctx, y.ID)
	if err != nil {
		return m, err
	}
	for _, e := range exts {
		if e.UnitID == unitID {
			m.Scores[e.Source] = e
		}
	}
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: y.ID, UnitID: unitID})
	if err != nil {
		return m, err
	}
	for _, v := range tasks {
		if v.UnitID == unitID && v.YearID == y.ID {
			m.Tasks++
			if v.Status == assess.Scored || v.Scored {
				m.Scored++
			}
		}
	}
	standings, err := db.Standings(ctx, y.ID)
	if err != nil {
		return m, err
	}
	if m.Visits, err = db.Inspections(ctx, y.ID, unitID); err != nil {
		return m, err
	}
	leads, err := db.Leads(ctx, localdb.LeadFilter{YearID: y.ID, UnitID: unitID, OnlyConsidered: true})
	if err != nil {
		return m, err
	}
	m.Leads = len(leads)
	m.Unit = localdata.UnitScores([]assess.Unit{{ID: unitID}}, tasks, exts, leads)[0]
	m.Standing = homeStanding(y, unitID, tasks, exts, leads, standings)
	return m, nil
}

// show writes the components, the visits and the composition of the total.
func (a *reporterExternal) show(m extMine) {
	w := a.s.year.Weights
	st := m.Standing
	a.system.setSystem(m, w)
	for _, src := range extSources {
		e, ok := m.Scores[src]
		switch src {
		case assess.Survey:
			a.cards[src].set(e, ok, w.Survey, st.Survey)
		case assess.Onsite:
			a.cards[src].set(e, ok, w.Onsite, st.Onsite)
		default:
			a.cards[src].set(e, ok, 0, 0)
		}
	}
	a.visits.Objects = visitViews(a.s, m.Visits)
	a.visits.Refresh()
	a.formula.SetText(extFormula(w, m.Unit))
	a.points.SetText(T("= %s + %s + %s = %s 分（满分 %s 分）",
		assess.FormatScore(st.System), assess.FormatScore(st.Survey), assess.FormatScore(st.Onsite),
		assess.FormatScore(st.Total), assess.FormatScore(w.Sum())))
	a.box.Refresh()
}

// extFormula words how the components make up the total: the weights times
// the rate of each, e.g. 系统评价 50 × 得分率 70.0% + 民意调查 30 × 86.5% + ….
func extFormula(w assess.Weights, us assess.UnitScores) string {
	rate := func(src assess.Source) string {
		e, ok := us.External[src]
		if !ok {
			return T("未录入")
		}
		return homePercent(e.Score, e.Max)
	}
	return T("总分 = 系统评价 %s × 得分率 %s + 民意调查 %s × 得分率 %s + 现场督察 %s × 得分率 %s",
		assess.FormatScore(w.System), homePercent(us.NetSystemScore(), us.SystemMax),
		assess.FormatScore(w.Survey), rate(assess.Survey),
		assess.FormatScore(w.Onsite), rate(assess.Onsite))
}

// ---- 审核用户: every unit's scores ----

// reviewerExternal is the reviewers' 第三方评估: a table of units × sources
// with each score's version and update time, where a score is entered or
// corrected with its source document; the import of a survey or
// evaluation contractor's results; and the on-site inspection records.
// Every change is queued offline and synced.
type reviewerExternal struct {
	s      *Shell
	box    fyne.CanvasObject
	tabs   *container.AppTabs
	seq    int
	all    []extRow // every assessed unit
	rows   []extRow // the rows the filter keeps
	table  *widget.Table
	filter *widget.Entry
	count  *widget.Label
	notice *widget.Label
	last   extRow // the row last tapped, the form's default unit

	enterBtn, importBtn, templateBtn *widget.Button

	edit     *extForm               // the score form shown, nil when none
	imp      *extImportForm         // the import form shown, nil when none
	impLast  extImportChoice        // what the last import form chose
	preview  *extPreview            // the import preview shown, nil when none
	problems []report.ImportProblem // the last import's problems
	insp     *inspections           // the 现场督察 tab
}

// extRow is one unit's line of the table.
type extRow struct {
	Unit   assess.Unit
	Scores map[assess.Source]assess.ExternalScore
	Visits []assess.Inspection // by date, newest first
}

// Table columns.
const (
	extColUnit = iota
	extColGroup
	extColFirstSource // then one column per source
	extColVisits      = extColFirstSource + 3
	extCols           = extColVisits + 1
)

func newReviewerExternal(s *Shell) *reviewerExternal {
	a := &reviewerExternal{s: s}
	a.filter = widget.NewEntry()
	a.filter.SetPlaceHolder(T("按单位名称筛选"))
	a.filter.OnChanged = func(string) { a.applyFilter() }
	a.enterBtn = widget.NewButtonWithIcon(T("录入/修改"), theme.DocumentCreateIcon(), func() {
		a.openForm(a.last.Unit.ID, "")
	})
	a.importBtn = widget.NewButtonWithIcon(T("导入调查/评估结果"), theme.UploadIcon(), a.openImport)
	a.importBtn.Importance = widget.HighImportance
	a.templateBtn = widget.NewButtonWithIcon(T("下载导入模板"), theme.DownloadIcon(), a.chooseTemplate)
	a.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(a.rows), extCols },
		func() fyne.CanvasObject {
			main := widget.NewLabel("市市场监督管理局")
			main.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("第 1 版 · 2026-03-02 09:00")
			sub.Truncation = fyne.TextTruncateEllipsis
			sub.SizeName = theme.SizeNameCaptionText
			return container.New(&extCellLayout{}, main, sub)
		},
		a.updateCell,
	)
	a.table.ShowHeaderColumn = false
	withHeader(a.table, extHeader, 210, 150, 200, 200, 200, 110)
	a.table.OnSelected = func(id widget.TableCellID) {
		a.table.UnselectAll()
		if id.Row < 0 || id.Row >= len(a.rows) {
			return
		}
		a.last = a.rows[id.Row]
		a.tapped(a.last, id.Col)
	}
	a.count = widget.NewLabel("")
	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Hide()
	hint := widget.NewLabel(T("点击单元格录入或修改该单位该来源的分数；有现场督察记录的单位，现场督察得分由督察记录计算。修改保存在本机，联网后自动同步。"))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(a.enterBtn, a.importBtn, a.templateBtn), a.filter)
	scores := container.NewBorder(container.NewVBox(bar, hint), a.count, nil, nil, a.table)
	a.insp = newInspections(a)
	a.tabs = container.NewAppTabs(
		container.NewTabItem(T("评估结果"), scores),
		container.NewTabItem(T("现场督察记录"), a.insp.view()),
	)
	a.box = container.NewBorder(a.notice, nil, nil, nil, a.tabs)
	return a
}

// extCellLayout stacks a cell's score line and its version line, the
// second overlapping the first's bottom padding.
type extCellLayout struct{}

// Layout places the two lines one under the other.
func (extCellLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	h0 := objs[0].MinSize().Height
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, h0))
	top := h0 - theme.InnerPadding()
	objs[1].Move(fyne.NewPos(0, top))
	objs[1].Resize(fyne.NewSize(size.Width, max(size.Height-top, objs[1].MinSize().Height)))
}

// MinSize is the height of both lines less the overlap.
func (extCellLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(a.Width, b.Width), a.Height+b.Height-theme.InnerPadding())
}

// extHeader names a table column.
func extHeader(col int) string {
	switch col {
	case extColUnit:
		return T("单位")
	case extColGroup:
		return T("排名分组")
	case extColVisits:
		return T("督察记录")
	}
	if k := col - extColFirstSource; k >= 0 && k < len(extSources) {
		return extSourceLabel(extSources[k])
	}
	return ""
}

func (a *reviewerExternal) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	main, sub := box.Objects[0].(*widget.Label), box.Objects[1].(*widget.Label)
	if id.Row < 0 || id.Row >= len(a.rows) {
		main.SetText("")
		sub.SetText("")
		return
	}
	m, v := a.cellText(a.rows[id.Row], id.Col)
	main.SetText(m)
	sub.SetText(v)
}

// cellText is what a cell of row shows: its main line and the line under
// it (a score's version and update time).
func (a *reviewerExternal) cellText(r extRow, col int) (string, string) {
	switch col {
	case extColUnit:
		return r.Unit.Name, ""
	case extColGroup:
		return a.s.groupName(r.Unit.GroupID), ""
	case extColVisits:
		if len(r.Visits) == 0 {
			return T("无"), ""
		}
		return T("%d 次", len(r.Visits)), r.Visits[0].Date.In(assess.CST).Format("2006-01-02")
	}
	k := col - extColFirstSource
	if k < 0 || k >= len(extSources) {
		return "", ""
	}
	src := extSources[k]
	e, ok := r.Scores[src]
	if src == assess.Onsite && len(r.Visits) > 0 {
		mean, _ := assess.OnsiteScore(r.Visits)
		return assess.FormatScore(mean) + " / 100", extVersionText(e)
	}
	if !ok {
		return T("未录入"), ""
	}
	return extScoreText(e), extVersionText(e)
}

// tapped acts on a tapped cell: the inspection records of the unit for its
// on-site score when it has visits and for its visits column, else the
// score form for the unit and the cell's source.
func (a *reviewerExternal) tapped(r extRow, col int) {
	k := col - extColFirstSource
	if col == extColVisits || (k >= 0 && k < len(extSources) && extSources[k] == assess.Onsite && len(r.Visits) > 0) {
		a.tabs.SelectIndex(1)
		a.insp.selectUnit(r.Unit.ID)
		return
	}
	src := assess.Source("")
	if k >= 0 && k < len(extSources) {
		src = extSources[k]
	}
	a.openForm(r.Unit.ID, src)
}

func (a *reviewerExternal) view() fyne.CanvasObject { return a.box }

// refresh reloads the units, their scores and visits from the store.
func (a *reviewerExternal) refresh() {
	s := a.s
	a.seq++
	seq := a.seq
	y := s.year
	if y.ID == "" {
		a.notice.SetText(T("还没有考核年度，请同步后再看"))
		a.notice.Show()
		return
	}
	background(s, func(ctx context.Context) ([]extRow, error) {
		return loadExtRows(ctx, s.db(), y)
	}, func(rows []extRow, err error) {
		if seq != a.seq {
			return
		}
		if err != nil {
			a.notice.SetText(message(err))
			a.notice.Show()
			return
		}
		a.notice.Hide()
		a.all = rows
		a.applyFilter()
		a.insp.setRows(rows)
	})
}

// loadExtRows returns the assessed units of year y (those it assigns
// indicators to, and those with a score or a visit) in the store's order,
// by group and name, each with its scores and inspection visits.
func loadExtRows(ctx context.Context, db Store, y assess.Year) ([]extRow, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return nil, err
	}
	inds, err := db.Indicators(ctx, y.ID)
	if err != nil {
		return nil, err
	}
	exts, err := db.Externals(ctx, y.ID)
	if err != nil {
		return nil, err
	}
	visits, err := db.Inspections(ctx, y.ID, "")
	if err != nil {
		return nil, err
	}
	assessed := map[string]bool{}
	for _, in := range inds {
		for _, id := range in.Units {
			assessed[id] = true
		}
	}
	scores := map[string]map[assess.Source]assess.ExternalScore{}
	for _, e := range exts {
		assessed[e.UnitID] = true
		if scores[e.UnitID] == nil {
			scores[e.UnitID] = map[assess.Source]assess.ExternalScore{}
		}
		scores[e.UnitID][e.Source] = e
	}
	byUnit := map[string][]assess.Inspection{}
	for _, v := range visits {
		assessed[v.UnitID] = true
		byUnit[v.UnitID] = append(byUnit[v.UnitID], v)
	}
	var rows []extRow
	for _, u := range units {
		if assessed[u.ID] {
			rows = append(rows, extRow{Unit: u, Scores: scores[u.ID], Visits: byUnit[u.ID]})
		}
	}
	return rows, nil
}

// applyFilter keeps the rows whose unit name holds the filter's text.
func (a *reviewerExternal) applyFilter() {
	q := strings.TrimSpace(a.filter.Text)
	a.rows = a.rows[:0:0]
	entered := 0
	for _, r := range a.all {
		if q == "" || strings.Contains(r.Unit.Name, q) {
			a.rows = append(a.rows, r)
			entered += len(r.Scores)
		}
	}
	a.table.Refresh()
	a.count.SetText(T("共 %d 个单位，已录入 %d 项分数", len(a.rows), entered))
}

// row returns the row of a unit among all rows.
func (a *reviewerExternal) row(unitID string) (extRow, bool) {
	for _, r := range a.all {
		if r.Unit.ID == unitID {
			return r, true
		}
	}
	return extRow{}, false
}

// extForm is the 录入/修改 dialog's fields.
type extForm struct {
	a       *reviewerExternal
	unit    *widget.Select
	source  *widget.Select
	score   *keyEntry
	max     *keyEntry
	sample  *keyEntry
	note    *keyEntry
	docName *widget.Label
	docOpen *widget.Button
	doc     assess.ExternalScore // Document and DocumentName of the source document
	prev    assess.ExternalScore // the stored score of the unit and source, if any
	adding  bool                 // a chosen document is being added to the store
	filled  bool                 // the fields show a stored score, not the user's typing
	locked  bool                 // the unit's on-site score comes from its inspection records
	errLine *widget.Label
	dlg     dialog.Dialog
}

// openForm shows the form for a unit and source ("" leaves them to pick),
// filled with the score they have.
func (a *reviewerExternal) openForm(unitID string, src assess.Source) {
	s := a.s
	f := &extForm{a: a}
	var names []string
	for _, r := range a.all {
		names = append(names, r.Unit.Name)
	}
	f.unit = widget.NewSelect(names, func(string) { f.fill() })
	f.unit.PlaceHolder = T("请选择单位")
	var labels []string
	for _, src := range extSources {
		labels = append(labels, extSourceLabel(src))
	}
	f.source = widget.NewSelect(labels, func(string) { f.fill() })
	f.source.PlaceHolder = T("请选择评估来源")
	f.score, f.max, f.sample, f.note = s.newEntry(), s.newEntry(), s.newEntry(), s.newEntry()
	f.score.SetPlaceHolder(T("0 到满分之间，最多两位小数"))
	f.max.SetText("100")
	f.sample.SetPlaceHolder(T("调查的有效样本数，可不填"))
	f.note.SetPlaceHolder(T("评估机构等说明"))
	f.docName = widget.NewLabel(T("未附文件"))
	f.docName.Truncation = fyne.TextTruncateEllipsis
	pick := widget.NewButtonWithIcon(T("选择文件…"), theme.FolderOpenIcon(), f.chooseDocument)
	f.docOpen = widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), func() { openDocument(s, f.doc) })
	f.docOpen.Disable()
	items := []*widget.FormItem{
		widget.NewFormItem(T("单位"), f.unit),
		widget.NewFormItem(T("评估来源"), f.source),
		widget.NewFormItem(T("得分"), f.score),
		widget.NewFormItem(T("满分"), f.max),
		widget.NewFormItem(T("样本量"), f.sample),
		widget.NewFormItem(T("备注"), f.note),
		widget.NewFormItem(T("评估依据文件"), container.NewBorder(nil, nil, nil, container.NewHBox(pick, f.docOpen), f.docName)),
	}
	if r, ok := a.row(unitID); ok {
		f.unit.Selected = r.Unit.Name
	}
	if src != "" {
		f.source.Selected = extSourceLabel(src)
	}
	f.fill()
	a.edit = f
	f.dlg = s.form(T("录入/修改外部评估分数"), T("保存"), items, f.submit)
	f.errLine = s.dialogErr
	f.showLock()
	f.dlg.SetOnClosed(func() {
		if a.edit == f {
			a.edit = nil
		}
	})
}

// selected returns the unit and source picked, "" for none.
func (f *extForm) selected() (unitID string, src assess.Source) {
	for _, r := range f.a.all {
		if r.Unit.Name == f.unit.Selected {
			unitID = r.Unit.ID
			break
		}
	}
	for _, s := range extSources {
		if extSourceLabel(s) == f.source.Selected {
			src = s
		}
	}
	return unitID, src
}

// fill shows the score the picked unit and source have, if any; the
// on-site score of a unit with inspection records cannot be typed.
func (f *extForm) fill() {
	unitID, src := f.selected()
	if f.score == nil || unitID == "" || src == "" {
		return
	}
	r, _ := f.a.row(unitID)
	f.locked = src == assess.Onsite && len(r.Visits) > 0
	for _, e := range []*keyEntry{f.score, f.max, f.sample} {
		if f.locked {
			e.Disable()
		} else {
			e.Enable()
		}
	}
	f.showLock()
	e, ok := r.Scores[src]
	f.prev = e
	if !ok {
		if f.filled {
			f.score.SetText("")
			f.sample.SetText("")
			f.note.SetText("")
			f.setDocument(assess.ExternalScore{}, "")
			f.filled = false
		}
		return
	}
	f.filled = true
	f.score.SetText(assess.FormatScore(e.Score))
	f.max.SetText(assess.FormatScore(e.Max))
	f.sample.SetText("")
	if e.SampleSize > 0 {
		f.sample.SetText(strconv.Itoa(e.SampleSize))
	}
	f.note.SetText(e.Note)
	name := e.DocumentName
	if name == "" && e.Document != "" {
		name = T("已附评估依据文件（%s…）", e.Document[:8])
	}
	f.setDocument(e, name)
}

// showLock tells, in the form's error line, why an on-site score cannot
// be typed.
func (f *extForm) showLock() {
	if f.errLine == nil {
		return
	}
	if f.locked {
		f.errLine.SetText(T("该单位已有现场督察记录，现场督察得分由督察记录计算，请在“现场督察记录”中录入或修改督察记录"))
		f.errLine.Show()
		return
	}
	f.errLine.Hide()
}

// setDocument shows the form's source document, the one e names.
func (f *extForm) setDocument(e assess.ExternalScore, label string) {
	f.doc = assess.ExternalScore{Document: e.Document, DocumentName: e.DocumentName}
	if e.Document == "" {
		f.docName.SetText(T("未附文件"))
		f.docOpen.Disable()
		return
	}
	f.docName.SetText(label)
	f.docOpen.Enable()
}

// chooseDocument picks the source document with a file dialog.
func (f *extForm) chooseDocument() {
	f.a.s.askOpenPath(nil, f.addDocument)
}

// addDocument adds the file at path to the evidence store as the score's
// source document; a refused file is named in the form's error line.
func (f *extForm) addDocument(path string) {
	s := f.a.s
	f.adding = true
	prevDoc, prevLabel := f.doc, f.docName.Text
	f.docName.SetText(T("正在添加 %s…", filepath.Base(path)))
	errLine := f.errLine
	background(s, func(ctx context.Context) (assess.Attachment, error) {
		return s.db().AddEvidence(ctx, path)
	}, func(att assess.Attachment, err error) {
		f.adding = false
		if err != nil {
			f.setDocument(prevDoc, prevLabel)
			if errLine != nil {
				errLine.SetText(message(err))
				errLine.Show()
			}
			return
		}
		f.setDocument(assess.ExternalScore{Document: att.Hash, DocumentName: att.Name},
			fmt.Sprintf("%s（%s）", att.Name, formatBytes(att.Size)))
	})
}

// submit checks the form and queues the score; its error is shown in the
// form's error line.
func (f *extForm) submit() error {
	s := f.a.s
	if s.year.ID == "" {
		return assess.Errorf(assess.EInvalid, "%s", T("还没有考核年度，请同步后再录入"))
	}
	if err := s.year.CheckWritable(); err != nil {
		return err
	}
	if f.locked {
		return assess.Errorf(assess.EConflict, "%s", T("该单位已有现场督察记录，现场督察得分由督察记录计算，请在“现场督察记录”中录入或修改督察记录"))
	}
	unitID, src := f.selected()
	e, err := extParse(unitID, src, f.score.Text, f.max.Text)
	if err != nil {
		return err
	}
	if e.SampleSize, err = extSample(f.sample.Text); err != nil {
		return err
	}
	if f.adding {
		return assess.Errorf(assess.EInvalid, "%s", T("评估依据文件正在添加，请稍候再保存"))
	}
	e.YearID = s.year.ID
	e.Note = strings.TrimSpace(f.note.Text)
	e.Document, e.DocumentName = f.doc.Document, f.doc.DocumentName
	// Item scores stay with the score they make up.
	if f.prev.ID != "" && f.prev.Score == e.Score && f.prev.Max == e.Max {
		e.Items = f.prev.Items
	}
	if err := e.Validate(); err != nil {
		return err
	}
	s.act(func(ctx context.Context) error { return s.db().SaveExternal(ctx, e) }, nil)
	return nil
}

// extSample reads a sample size: empty is 0.
func extSample(text string) (int, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 {
		return 0, assess.Errorf(assess.EInvalid, "%s", T("样本量“%s”应为不小于 0 的整数", text))
	}
	return n, nil
}

// extParse checks the form's fields and returns the score they make.
func extParse(unitID string, src assess.Source, scoreText, maxText string) (assess.ExternalScore, error) {
	e := assess.ExternalScore{UnitID: unitID, Source: src}
	invalid := func(msg string) (assess.ExternalScore, error) {
		return e, assess.Errorf(assess.EInvalid, "%s", msg)
	}
	if unitID == "" {
		return invalid(T("请选择单位"))
	}
	if src == "" {
		return invalid(T("请选择评估来源"))
	}
	var err error
	e.Score, e.Max, err = extScoreOf(scoreText, maxText)
	return e, err
}

// extScoreOf reads a typed score and its maximum: numbers of at most two
// decimals, the maximum above 0, the score from 0 to it.
func extScoreOf(scoreText, maxText string) (score, max float64, err error) {
	if score, err = extNumber(scoreText, T("得分")); err != nil {
		return 0, 0, err
	}
	if max, err = extNumber(maxText, T("满分")); err != nil {
		return 0, 0, err
	}
	if max <= 0 {
		return 0, 0, assess.Errorf(assess.EInvalid, "%s", T("满分必须大于 0"))
	}
	if score < 0 || score > max {
		return 0, 0, assess.Errorf(assess.EInvalid, "%s", T("得分应在 0 到 %s 之间", assess.FormatScore(max)))
	}
	return score, max, nil
}

// extNumber reads a number of at most two decimals typed in field.
func extNumber(text, field string) (float64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, errEmpty(field)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, assess.Errorf(assess.EInvalid, "%s", T("%s“%s”不是数字", field, text))
	}
	if math.Abs(v*100-math.Round(v*100)) > 1e-6 {
		return 0, assess.Errorf(assess.EInvalid, "%s", T("%s最多保留两位小数", field))
	}
	return v, nil
}
