package ui

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
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
var extSources = []assess.Source{assess.ThirdParty, assess.Survey, assess.Onsite}

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
// unit reads its results, a reviewer enters and imports every unit's.
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

// openDocument opens an external score's source document with the system
// viewer, downloading it first when it is not on this PC. The document is
// stored by its SHA-256 alone, so it is named after what it is and given
// the extension its content shows.
func openDocument(s *Shell, hash string) {
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

// reporterExternal shows a reporting unit's third-party evaluation,
// public-opinion survey and on-site inspection results for the year, with
// their source documents, and how they make up the unit's total.
type reporterExternal struct {
	s       *Shell
	box     fyne.CanvasObject
	seq     int
	cards   map[assess.Source]*extCard
	formula *widget.Label
	points  *widget.Label
	notice  *widget.Label
}

// extCard is one source's result.
type extCard struct {
	card  *widget.Card
	score *canvas.Text
	rate  *widget.Label
	note  *widget.Label
	date  *widget.Label
	open  *widget.Button
	doc   string // the source document's SHA-256, "" when none
}

// extMine is what the reporting unit's page shows.
type extMine struct {
	Scores   map[assess.Source]assess.ExternalScore
	Unit     assess.UnitScores
	Standing assess.Standing
}

func newReporterExternal(s *Shell) *reporterExternal {
	a := &reporterExternal{s: s, cards: map[assess.Source]*extCard{}}
	var cards []fyne.CanvasObject
	for _, src := range extSources {
		c := newExtCard(s, src)
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
	sum := widget.NewCard(T("总分构成"), "", container.NewVBox(a.formula, a.points, hint))
	a.box = container.NewVScroll(container.NewVBox(a.notice, container.NewGridWithColumns(3, cards...), sum))
	return a
}

func newExtCard(s *Shell, src assess.Source) *extCard {
	c := &extCard{
		score: canvas.NewText("—", theme.Color(theme.ColorNamePrimary)),
		rate:  widget.NewLabel(""),
		note:  widget.NewLabel(""),
		date:  widget.NewLabel(""),
	}
	c.score.TextSize = 26
	c.score.TextStyle.Bold = true
	c.note.Wrapping = fyne.TextWrapWord
	c.date.Importance = widget.LowImportance
	c.open = widget.NewButtonWithIcon(T("打开评估依据文件"), theme.FileIcon(), func() {
		if c.doc != "" {
			openDocument(s, c.doc)
		}
	})
	c.card = widget.NewCard(extSourceLabel(src), "", container.NewVBox(c.score, c.rate, c.note, c.date, c.open))
	return c
}

// set shows a source's result; ok is false when the unit has none yet.
func (c *extCard) set(e assess.ExternalScore, ok bool) {
	c.doc = ""
	if !ok {
		c.score.Text = "—"
		c.score.Refresh()
		c.rate.SetText(T("尚未录入"))
		c.note.SetText("")
		c.date.SetText("")
		c.open.SetText(T("无评估依据文件"))
		c.open.Disable()
		return
	}
	c.score.Text = extScoreText(e)
	c.score.Refresh()
	c.rate.SetText(T("得分率 %s", homePercent(e.Score, e.Max)))
	note := e.Note
	if note == "" {
		note = T("（无备注）")
	}
	c.note.SetText(note)
	if e.UpdatedAt.IsZero() {
		c.date.SetText("")
	} else {
		c.date.SetText(T("更新于 %s", e.UpdatedAt.In(assess.CST).Format("2006-01-02 15:04")))
	}
	c.doc = e.Document
	if e.Document == "" {
		c.open.SetText(T("无评估依据文件"))
		c.open.Disable()
	} else {
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

// loadExtMine reads a unit's external scores, tasks and standing.
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
	standings, err := db.Standings(ctx, y.ID)
	if err != nil {
		return m, err
	}
	m.Unit = homeUnitScores(y, unitID, tasks, exts)
	m.Standing = homeStanding(y, unitID, tasks, exts, standings)
	return m, nil
}

// show writes the results and the composition of the total.
func (a *reporterExternal) show(m extMine) {
	for _, src := range extSources {
		e, ok := m.Scores[src]
		a.cards[src].set(e, ok)
	}
	a.formula.SetText(extFormula(a.s.year.Weights, m.Unit))
	st := m.Standing
	a.points.SetText(T("= %s + %s + %s = %s 分（满分 %s 分）",
		assess.FormatScore(st.System), assess.FormatScore(st.Survey), assess.FormatScore(st.Onsite),
		assess.FormatScore(st.Total), assess.FormatScore(a.s.year.Weights.Sum())))
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
		assess.FormatScore(w.System), homePercent(us.SystemScore, us.SystemMax),
		assess.FormatScore(w.Survey), rate(assess.Survey),
		assess.FormatScore(w.Onsite), rate(assess.Onsite))
}

// ---- 审核用户: every unit's scores ----

// reviewerExternal is the reviewers' table of units × sources: enter or
// change a score with its source document, import a workbook, download the
// import template. Every change is queued offline and synced.
type reviewerExternal struct {
	s      *Shell
	box    fyne.CanvasObject
	seq    int
	all    []extRow // every assessed unit
	rows   []extRow // the rows the filter keeps
	table  *widget.Table
	filter *widget.Entry
	count  *widget.Label
	notice *widget.Label
	last   extRow // the row last tapped, the form's default unit

	enterBtn, importBtn, templateBtn *widget.Button

	edit     *extForm               // the form shown, nil when none
	problems []report.ImportProblem // the last import's problems
}

// extRow is one unit's line of the table.
type extRow struct {
	Unit   assess.Unit
	Scores map[assess.Source]assess.ExternalScore
}

// Table columns.
const (
	extColUnit = iota
	extColGroup
	extColFirstSource // then one column per source
	extColDocs        = extColFirstSource + 3
	extCols           = extColDocs + 1
)

func newReviewerExternal(s *Shell) *reviewerExternal {
	a := &reviewerExternal{s: s}
	a.filter = widget.NewEntry()
	a.filter.SetPlaceHolder(T("按单位名称筛选"))
	a.filter.OnChanged = func(string) { a.applyFilter() }
	a.enterBtn = widget.NewButtonWithIcon(T("录入/修改"), theme.DocumentCreateIcon(), func() {
		a.openForm(a.last.Unit.ID, "")
	})
	a.enterBtn.Importance = widget.HighImportance
	a.importBtn = widget.NewButtonWithIcon(T("从 Excel 导入"), theme.UploadIcon(), a.chooseImport)
	a.templateBtn = widget.NewButtonWithIcon(T("下载导入模板"), theme.DownloadIcon(), a.chooseTemplate)
	a.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(a.rows), extCols },
		func() fyne.CanvasObject {
			l := widget.NewLabel("市市场监督管理局")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		a.updateCell,
	)
	a.table.ShowHeaderColumn = false
	a.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		return l
	}
	a.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(extHeader(id.Col))
	}
	for col, w := range []float32{220, 170, 150, 150, 150, 130} {
		a.table.SetColumnWidth(col, w)
	}
	a.table.OnSelected = func(id widget.TableCellID) {
		a.table.UnselectAll()
		if id.Row < 0 || id.Row >= len(a.rows) {
			return
		}
		a.last = a.rows[id.Row]
		src := assess.Source("")
		if k := id.Col - extColFirstSource; k >= 0 && k < len(extSources) {
			src = extSources[k]
		}
		a.openForm(a.last.Unit.ID, src)
	}
	a.count = widget.NewLabel("")
	a.notice = widget.NewLabel("")
	a.notice.Importance = widget.WarningImportance
	a.notice.Hide()
	hint := widget.NewLabel(T("点击单元格录入或修改该单位该来源的分数；修改保存在本机，联网后自动同步。"))
	hint.Importance = widget.LowImportance
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(a.enterBtn, a.importBtn, a.templateBtn), a.filter)
	a.box = container.NewBorder(container.NewVBox(a.notice, bar, hint), a.count, nil, nil, a.table)
	return a
}

// extHeader names a table column.
func extHeader(col int) string {
	switch col {
	case extColUnit:
		return T("单位")
	case extColGroup:
		return T("排名分组")
	case extColDocs:
		return T("评估依据文件")
	}
	if k := col - extColFirstSource; k >= 0 && k < len(extSources) {
		return extSourceLabel(extSources[k])
	}
	return ""
}

func (a *reviewerExternal) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row < 0 || id.Row >= len(a.rows) {
		l.SetText("")
		return
	}
	l.SetText(a.cellText(a.rows[id.Row], id.Col))
}

// cellText is what a cell of row shows.
func (a *reviewerExternal) cellText(r extRow, col int) string {
	switch col {
	case extColUnit:
		return r.Unit.Name
	case extColGroup:
		return a.s.groupName(r.Unit.GroupID)
	case extColDocs:
		n := 0
		for _, e := range r.Scores {
			if e.Document != "" {
				n++
			}
		}
		return T("%d 份", n)
	}
	if k := col - extColFirstSource; k >= 0 && k < len(extSources) {
		if e, ok := r.Scores[extSources[k]]; ok {
			return extScoreText(e)
		}
		return T("未录入")
	}
	return ""
}

func (a *reviewerExternal) view() fyne.CanvasObject { return a.box }

// refresh reloads the units and their scores from the store.
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
	})
}

// loadExtRows returns the assessed units of year y (those it assigns
// indicators to, and those with a score) in the store's order, by group
// and name, each with its scores.
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
	var rows []extRow
	for _, u := range units {
		if assessed[u.ID] {
			rows = append(rows, extRow{Unit: u, Scores: scores[u.ID]})
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
	note    *keyEntry
	docName *widget.Label
	docOpen *widget.Button
	doc     string // the source document's SHA-256
	adding  bool   // a chosen document is being added to the store
	filled  bool   // the fields show a stored score, not the user's typing
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
	f.score, f.max, f.note = s.newEntry(), s.newEntry(), s.newEntry()
	f.score.SetPlaceHolder(T("0 到满分之间，最多两位小数"))
	f.max.SetText("100")
	f.note.SetPlaceHolder(T("评估机构、调查样本量等说明"))
	f.docName = widget.NewLabel(T("未附文件"))
	f.docName.Truncation = fyne.TextTruncateEllipsis
	pick := widget.NewButtonWithIcon(T("选择文件…"), theme.FolderOpenIcon(), f.chooseDocument)
	f.docOpen = widget.NewButtonWithIcon(T("打开"), theme.FileIcon(), func() {
		if f.doc != "" {
			openDocument(s, f.doc)
		}
	})
	f.docOpen.Disable()
	items := []*widget.FormItem{
		widget.NewFormItem(T("单位"), f.unit),
		widget.NewFormItem(T("评估来源"), f.source),
		widget.NewFormItem(T("得分"), f.score),
		widget.NewFormItem(T("满分"), f.max),
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

// fill shows the score the picked unit and source have, if any.
func (f *extForm) fill() {
	unitID, src := f.selected()
	if f.score == nil || unitID == "" || src == "" {
		return
	}
	r, _ := f.a.row(unitID)
	e, ok := r.Scores[src]
	if !ok {
		if f.filled {
			f.score.SetText("")
			f.note.SetText("")
			f.setDocument("", "")
			f.filled = false
		}
		return
	}
	f.filled = true
	f.score.SetText(assess.FormatScore(e.Score))
	f.max.SetText(assess.FormatScore(e.Max))
	f.note.SetText(e.Note)
	name := ""
	if e.Document != "" {
		name = T("已附评估依据文件（%s…）", e.Document[:8])
	}
	f.setDocument(e.Document, name)
}

// setDocument shows the form's source document.
func (f *extForm) setDocument(hash, name string) {
	f.doc = hash
	if hash == "" {
		f.docName.SetText(T("未附文件"))
		f.docOpen.Disable()
		return
	}
	f.docName.SetText(name)
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
	prev := f.docName.Text
	f.docName.SetText(T("正在添加 %s…", filepath.Base(path)))
	errLine := s.dialogErr
	background(s, func(ctx context.Context) (assess.Attachment, error) {
		return s.db().AddEvidence(ctx, path)
	}, func(att assess.Attachment, err error) {
		f.adding = false
		if err != nil {
			f.setDocument(f.doc, prev)
			if errLine != nil {
				errLine.SetText(message(err))
				errLine.Show()
			}
			return
		}
		f.setDocument(att.Hash, fmt.Sprintf("%s（%s）", att.Name, formatBytes(att.Size)))
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
	unitID, src := f.selected()
	e, err := extParse(unitID, src, f.score.Text, f.max.Text)
	if err != nil {
		return err
	}
	if f.adding {
		return assess.Errorf(assess.EInvalid, "%s", T("评估依据文件正在添加，请稍候再保存"))
	}
	e.YearID = s.year.ID
	e.Note = strings.TrimSpace(f.note.Text)
	e.Document = f.doc
	if err := e.Validate(); err != nil {
		return err
	}
	s.act(func(ctx context.Context) error { return s.db().SaveExternal(ctx, e) }, nil)
	return nil
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
	number := func(text, field string) (float64, error) {
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
	var err error
	if e.Score, err = number(scoreText, T("得分")); err != nil {
		return e, err
	}
	if e.Max, err = number(maxText, T("满分")); err != nil {
		return e, err
	}
	if e.Max <= 0 {
		return invalid(T("满分必须大于 0"))
	}
	if e.Score < 0 || e.Score > e.Max {
		return invalid(T("得分应在 0 到 %s 之间", assess.FormatScore(e.Max)))
	}
	return e, nil
}

// chooseImport picks a workbook to import with a file dialog.
func (a *reviewerExternal) chooseImport() {
	a.s.askOpenPath([]string{".xlsx"}, a.importFile)
}

// extImport is the outcome of reading a workbook.
type extImport struct {
	Year     assess.Year
	Problems []report.ImportProblem
	Plan     localdata.ExternalPlan
}

// importFile imports the external scores workbook at path into the year
// shown: every row is checked first and every problem listed; only a
// workbook without any is queued, in one transaction, unchanged scores
// skipped.
func (a *reviewerExternal) importFile(path string) {
	s := a.s
	user, yearID, src := s.user, s.year.ID, s.docs()
	background(s, func(ctx context.Context) (extImport, error) {
		return importExternal(ctx, s.db(), src, user, yearID, path)
	}, func(r extImport, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if len(r.Problems) > 0 {
			a.showProblems(path, r.Problems)
			return
		}
		p := r.Plan
		text := T("%s：新增 %d 项、修改 %d 项外部评估分数，%d 项未变化已跳过", r.Year.Name, p.Added, p.Changed, p.Unchanged)
		if len(p.Save) > 0 {
			text += "\n" + T("%d 项修改已保存在本机，将在下次同步时发送", len(p.Save))
			s.wrote()
		}
		s.info(T("导入完成"), text)
	})
}

// importExternal reads, checks, plans and queues a workbook as the
// command line's import does.
func importExternal(ctx context.Context, db Store, src localdata.Source, user assess.User, yearID, path string) (extImport, error) {
	var r extImport
	if err := localdata.CheckReviewer(user); err != nil {
		return r, err
	}
	y, err := src.ImportYear(ctx, yearID)
	if err != nil {
		return r, err
	}
	if err := y.CheckWritable(); err != nil {
		return r, err
	}
	r.Year = y
	units, err := db.Units(ctx)
	if err != nil {
		return r, err
	}
	f, err := os.Open(path)
	if err != nil {
		return r, assess.Errorf(assess.EInvalid, "%s", T("无法打开文件“%s”：%s", filepath.Base(path), err.Error()))
	}
	scores, probs, err := report.ImportExternal(f, y.ID, units, src.Now)
	f.Close()
	if err != nil || len(probs) > 0 {
		r.Problems = probs
		return r, err
	}
	if r.Plan, err = src.PlanExternals(ctx, y, scores); err != nil {
		return r, err
	}
	return r, db.SaveExternals(ctx, r.Plan.Save) // one transaction: all or nothing
}

// showProblems lists every problem of a refused workbook.
func (a *reviewerExternal) showProblems(path string, probs []report.ImportProblem) {
	s := a.s
	a.problems = probs
	head := widget.NewLabel(T("“%s”有 %d 处问题，什么也没有导入；请按下面的提示改正后重新导入。", filepath.Base(path), len(probs)))
	head.Wrapping = fyne.TextWrapWord
	head.Importance = widget.DangerImportance
	list := widget.NewList(
		func() int { return len(probs) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(homeReason(s, probs[id].Error()))
		},
	)
	content := container.NewBorder(head, nil, nil, nil, list)
	d := dialog.NewCustom(T("导入失败"), T("关闭"), container.NewGridWrap(fyne.NewSize(720, 380), content), s.win)
	s.keys(d, d.Hide, d.Hide)
	d.Show()
}

// chooseTemplate asks where to save the import template.
func (a *reviewerExternal) chooseTemplate() {
	a.s.askSavePath(T("外部评估导入模板")+".xlsx", []string{".xlsx"}, a.writeTemplate)
}

// writeTemplate writes the import template, with the drop-down list of
// the units on this PC, to path.
func (a *reviewerExternal) writeTemplate(path string) {
	s := a.s
	background(s, func(ctx context.Context) (struct{}, error) {
		units, err := s.db().Units(ctx)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, report.WriteFile(path, func(w io.Writer) error { return report.ExternalTemplate(w, units) })
	}, func(_ struct{}, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.info(T("下载导入模板"), T("已生成导入模板：%s", path))
	})
}
