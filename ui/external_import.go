package ui

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
)

// extImportSources are the sources a contractor's results are imported
// for: the on-site score comes from inspection records.
var extImportSources = []assess.Source{assess.Survey, assess.ThirdParty}

// extImportChoice is what the import form chose: the source, the data file
// and the source document (added to the evidence store).
type extImportChoice struct {
	Source assess.Source
	Path   string            // the data file, .xlsx or .csv
	Doc    assess.Attachment // the contractor's report; Hash "" when none
}

// extImportForm is the import dialog's fields.
type extImportForm struct {
	a        *reviewerExternal
	choice   extImportChoice
	source   *widget.Select
	fileName *widget.Label
	docName  *widget.Label
	adding   bool // the source document is being added to the store
	errLine  *widget.Label
	dlg      dialog.Dialog
}

// openImport shows the import form, filled with the last choice.
func (a *reviewerExternal) openImport() {
	s := a.s
	f := &extImportForm{a: a, choice: a.impLast}
	var labels []string
	for _, src := range extImportSources {
		labels = append(labels, extSourceLabel(src))
	}
	f.source = widget.NewSelect(labels, func(label string) {
		for _, src := range extImportSources {
			if extSourceLabel(src) == label {
				f.choice.Source = src
			}
		}
	})
	f.source.PlaceHolder = T("请选择评估来源")
	if f.choice.Source != "" {
		f.source.Selected = extSourceLabel(f.choice.Source)
	}
	f.fileName = widget.NewLabel("")
	f.fileName.Truncation = fyne.TextTruncateEllipsis
	f.docName = widget.NewLabel("")
	f.docName.Truncation = fyne.TextTruncateEllipsis
	f.showChoice()
	pickFile := widget.NewButtonWithIcon(T("选择文件…"), theme.FolderOpenIcon(), func() {
		s.askOpenPath([]string{".xlsx", ".csv"}, f.setFile)
	})
	pickDoc := widget.NewButtonWithIcon(T("选择文件…"), theme.FolderOpenIcon(), func() {
		s.askOpenPath(nil, f.addDocument)
	})
	hint := widget.NewLabel(T("数据文件为调查机构提供的 Excel（.xlsx）或 CSV 文件：第 1 行为列名，含“单位”列和“样本量”“满意度得分（得分）”或各分项得分列。"))
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	items := []*widget.FormItem{
		widget.NewFormItem(T("评估来源"), f.source),
		widget.NewFormItem(T("数据文件"), container.NewBorder(nil, nil, nil, pickFile, f.fileName)),
		widget.NewFormItem(T("评估依据文件"), container.NewBorder(nil, nil, nil, pickDoc, f.docName)),
		widget.NewFormItem("", textBox(hint)),
	}
	a.imp = f
	f.dlg = s.form(T("导入调查/评估结果"), T("预览"), items, f.submit)
	f.errLine = s.dialogErr
	f.dlg.SetOnClosed(func() {
		if a.imp == f {
			a.imp = nil
		}
	})
}

// showChoice writes the chosen files.
func (f *extImportForm) showChoice() {
	if f.choice.Path == "" {
		f.fileName.SetText(T("未选择"))
	} else {
		f.fileName.SetText(filepath.Base(f.choice.Path))
	}
	if f.choice.Doc.Hash == "" {
		f.docName.SetText(T("未附文件"))
	} else {
		f.docName.SetText(fmt.Sprintf("%s（%s）", f.choice.Doc.Name, formatBytes(f.choice.Doc.Size)))
	}
}

// setFile takes the data file chosen.
func (f *extImportForm) setFile(path string) {
	f.choice.Path = path
	f.showChoice()
}

// addDocument adds the file at path to the evidence store as the results'
// source document; a refused file is named in the form's error line.
func (f *extImportForm) addDocument(path string) {
	s := f.a.s
	f.adding = true
	f.docName.SetText(T("正在添加 %s…", filepath.Base(path)))
	background(s, func(ctx context.Context) (assess.Attachment, error) {
		return s.db().AddEvidence(ctx, path)
	}, func(att assess.Attachment, err error) {
		f.adding = false
		if err != nil {
			f.showChoice()
			if f.errLine != nil {
				f.errLine.SetText(message(err))
				f.errLine.Show()
			}
			return
		}
		f.choice.Doc = att
		f.showChoice()
	})
}

// submit checks the choices and reads the data file in the background;
// the preview, or the file's problems, follow.
func (f *extImportForm) submit() error {
	s := f.a.s
	if s.year.ID == "" {
		return assess.Errorf(assess.EInvalid, "%s", T("还没有考核年度，请同步后再录入"))
	}
	if err := s.year.CheckWritable(); err != nil {
		return err
	}
	switch {
	case f.choice.Source == "":
		return assess.Errorf(assess.EInvalid, "%s", T("请选择评估来源"))
	case f.choice.Path == "":
		return assess.Errorf(assess.EInvalid, "%s", T("请选择数据文件（.xlsx 或 .csv）"))
	case f.adding:
		return assess.Errorf(assess.EInvalid, "%s", T("评估依据文件正在添加，请稍候"))
	case f.choice.Doc.Hash == "":
		return assess.Errorf(assess.EInvalid, "%s", T("请选择评估依据文件（调查机构或评估机构的报告）"))
	}
	f.a.impLast = f.choice
	f.a.importFile(f.choice)
	return nil
}

// extPlan is what importing a contractor's results would change.
type extPlan struct {
	Year      assess.Year
	Choice    extImportChoice
	Rows      int                    // units in the file
	Save      []assess.ExternalScore // the new and changed results
	Lines     []extPlanLine          // one per result saved: replaced first
	Added     int
	Replaced  int
	Unchanged int
	Problems  []report.ImportProblem // the file's problems; nothing is saved when any
}

// extPlanLine is one unit's change: Old is its current result of the
// source, if it has one.
type extPlanLine struct {
	Unit   string
	Old    assess.ExternalScore
	HasOld bool
	New    assess.ExternalScore
}

// importFile reads and checks the data file of choice in the background,
// then shows its problems or the preview.
func (a *reviewerExternal) importFile(choice extImportChoice) {
	s := a.s
	y := s.year
	background(s, func(ctx context.Context) (extPlan, error) {
		return planImport(ctx, s.db(), y, choice, s.now())
	}, func(p extPlan, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		if len(p.Problems) > 0 {
			a.showProblems(choice.Path, p.Problems)
			return
		}
		a.showPreview(p)
	})
}

// planImport reads the data file with report.ImportSurvey and compares
// each unit's result to the one it has: an equal result (score, maximum,
// sample size, item scores, note and document) is left alone.
func planImport(ctx context.Context, db Store, y assess.Year, choice extImportChoice, now time.Time) (extPlan, error) {
	p := extPlan{Year: y, Choice: choice}
	units, err := db.Units(ctx)
	if err != nil {
		return p, err
	}
	names := map[string]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	f, err := os.Open(choice.Path)
	if err != nil {
		return p, assess.Errorf(assess.EInvalid, "%s", T("无法打开文件“%s”：%s", filepath.Base(choice.Path), err.Error()))
	}
	defer f.Close()
	scores, probs, err := report.ImportSurvey(f, filepath.Base(choice.Path), y.ID, choice.Source, units, now)
	if err != nil || len(probs) > 0 {
		p.Problems = probs
		return p, err
	}
	exts, err := db.Externals(ctx, y.ID)
	if err != nil {
		return p, err
	}
	have := map[string]assess.ExternalScore{}
	for _, e := range exts {
		have[e.ID] = e
	}
	p.Rows = len(scores)
	for _, e := range scores {
		e.Document, e.DocumentName = choice.Doc.Hash, choice.Doc.Name
		old, ok := have[e.ID]
		if ok && sameResult(old, e) {
			p.Unchanged++
			continue
		}
		if ok {
			p.Replaced++
		} else {
			p.Added++
		}
		p.Save = append(p.Save, e)
		p.Lines = append(p.Lines, extPlanLine{Unit: names[e.UnitID], Old: old, HasOld: ok, New: e})
	}
	slices.SortStableFunc(p.Lines, func(x, y extPlanLine) int {
		switch {
		case x.HasOld == y.HasOld:
			return 0
		case x.HasOld:
			return -1
		}
		return 1
	})
	return p, nil
}

// sameResult reports whether an imported result says what the stored one
// says.
func sameResult(a, b assess.ExternalScore) bool {
	return a.Score == b.Score && a.Max == b.Max && a.SampleSize == b.SampleSize && a.Note == b.Note &&
		a.Document == b.Document && slices.Equal(a.Items, b.Items)
}

// replacedVersions words the versions a plan replaces: "2", or "1–3" when
// they differ; "" when none is known.
func (p extPlan) replacedVersions() string {
	lo, hi := math.MaxInt, 0
	for _, l := range p.Lines {
		if l.HasOld && l.Old.Version > 0 {
			lo, hi = min(lo, l.Old.Version), max(hi, l.Old.Version)
		}
	}
	switch {
	case hi == 0:
		return ""
	case lo == hi:
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// summary words the preview: the file, what changes, and the replacement.
func (p extPlan) summary() string {
	src := extSourceLabel(p.Choice.Source)
	lines := []string{
		T("%s：文件“%s”中有 %d 个单位的结果，评估依据文件“%s”。", src, filepath.Base(p.Choice.Path), p.Rows, p.Choice.Doc.Name),
		T("将导入 %d 个单位的结果：新增 %d 个，替换 %d 个；%d 个单位的结果与现有结果相同，不再导入。", len(p.Save), p.Added, p.Replaced, p.Unchanged),
	}
	if p.Replaced > 0 {
		if v := p.replacedVersions(); v != "" {
			lines = append(lines, T("将替换 %d 个单位的现有结果（第 %s 版），原结果保留在审计日志中", p.Replaced, v))
		} else {
			lines = append(lines, T("将替换 %d 个单位的现有结果，原结果保留在审计日志中", p.Replaced))
		}
	}
	if len(p.Save) == 0 {
		lines = append(lines, T("没有需要导入的变化。"))
	}
	return strings.Join(lines, "\n")
}

// text words one unit's change.
func (l extPlanLine) text() string {
	sample := ""
	if l.New.SampleSize > 0 {
		sample = T("，样本量 %d", l.New.SampleSize)
	}
	if !l.HasOld {
		return T("%s：新增 %s%s", l.Unit, extScoreText(l.New), sample)
	}
	if l.Old.Version > 0 {
		return T("%s：%s → %s%s（第 %d 版 → 第 %d 版）", l.Unit, extScoreText(l.Old), extScoreText(l.New), sample, l.Old.Version, l.Old.Version+1)
	}
	return T("%s：%s → %s%s", l.Unit, extScoreText(l.Old), extScoreText(l.New), sample)
}

// extPreview is the import preview shown.
type extPreview struct {
	plan    extPlan
	text    string   // the summary
	lines   []string // one per unit changed
	confirm func()   // what 确认导入 does
	dlg     dialog.Dialog
}

// showPreview shows what the import changes, unit by unit, and saves it
// when confirmed.
func (a *reviewerExternal) showPreview(p extPlan) {
	s := a.s
	pv := &extPreview{plan: p, text: p.summary()}
	for _, l := range p.Lines {
		pv.lines = append(pv.lines, l.text())
	}
	head := widget.NewLabel(pv.text)
	head.Wrapping = fyne.TextWrapWord
	list := widget.NewList(
		func() int { return len(pv.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(pv.lines[id]) },
	)
	const width = 760
	content := container.NewBorder(extTextBox(head, width), nil, nil, nil, list)
	box := container.NewGridWrap(fyne.NewSize(width, 420), content)
	var d *dialog.CustomDialog
	pv.confirm = func() {
		d.Hide()
		a.saveImport(p)
	}
	if len(p.Save) == 0 {
		d = dialog.NewCustom(T("导入预览"), T("关闭"), box, s.win)
		s.keys(d, d.Hide, d.Hide)
		pv.confirm = d.Hide
	} else {
		d = dialog.NewCustomWithoutButtons(T("导入预览"), box, s.win)
		ok := widget.NewButton(T("确认导入"), func() { pv.confirm() })
		ok.Importance = widget.HighImportance
		d.SetButtons([]fyne.CanvasObject{widget.NewButton(T("取消"), d.Hide), ok})
		s.keys(d, func() { pv.confirm() }, d.Hide)
	}
	pv.dlg = d
	a.preview = pv
	d.SetOnClosed(func() {
		if a.preview == pv {
			a.preview = nil
		}
	})
	d.Show()
}

// saveImport queues a plan's results in one transaction: all or none.
func (a *reviewerExternal) saveImport(p extPlan) {
	s := a.s
	s.act(func(ctx context.Context) error { return s.db().SaveExternals(ctx, p.Save) }, func() {
		s.info(T("导入完成"), T("%s：已导入 %d 个单位的%s结果（新增 %d 个，替换 %d 个），保存在本机，将在下次同步时发送。",
			p.Year.Name, len(p.Save), extSourceLabel(p.Choice.Source), p.Added, p.Replaced))
	})
}

// showProblems lists every problem of a refused file; nothing was saved.
func (a *reviewerExternal) showProblems(path string, probs []report.ImportProblem) {
	s := a.s
	a.problems = probs
	const width = 760
	texts := make([]string, len(probs))
	for i, p := range probs {
		texts[i] = homeReason(s, p.Error())
	}
	head := widget.NewLabel(T("“%s”有 %d 处问题，什么也没有导入；请按下面的提示改正后重新导入。", filepath.Base(path), len(probs)))
	head.Wrapping = fyne.TextWrapWord
	head.Importance = widget.DangerImportance
	list := widget.NewList(
		func() int { return len(texts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Wrapping = fyne.TextWrapWord
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(texts[id]) },
	)
	inner := float32(width) - 2*theme.Padding() - 2*theme.InnerPadding() - theme.ScrollBarSize()
	for i, t := range texts {
		list.SetItemHeight(i, extTextHeight(t, inner))
	}
	content := container.NewBorder(extTextBox(head, width), nil, nil, nil, list)
	d := dialog.NewCustom(T("导入失败"), T("关闭"), container.NewGridWrap(fyne.NewSize(width, 420), content), s.win)
	s.keys(d, d.Hide, d.Hide)
	d.Show()
}

// extTextHeight is the height of a wrapping label showing text at width.
func extTextHeight(text string, width float32) float32 {
	size := theme.TextSize()
	one := fyne.MeasureText("国", size, fyne.TextStyle{}).Height + theme.LineSpacing()
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		w := fyne.MeasureText(para, size, fyne.TextStyle{}).Width
		lines += max(1, int(math.Ceil(float64(w/(width-2*theme.InnerPadding())))))
	}
	return 2*theme.InnerPadding() + float32(lines)*one
}

// extTextBox sizes a wrapping label to the lines its text needs at width.
func extTextBox(l *widget.Label, width float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(width, extTextHeight(l.Text, width)), l)
}

// chooseTemplate offers the templates of the two sources.
func (a *reviewerExternal) chooseTemplate() {
	var items []*fyne.MenuItem
	for _, src := range extImportSources {
		items = append(items, fyne.NewMenuItem(T("%s结果导入模板", extSourceLabel(src)), func() { a.askTemplate(src) }))
	}
	c := a.s.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(a.templateBtn)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, pos.AddXY(0, a.templateBtn.Size().Height))
}

// askTemplate asks where to save the import template of src.
func (a *reviewerExternal) askTemplate(src assess.Source) {
	a.s.askSavePath(T("%s结果导入模板", extSourceLabel(src))+".xlsx", []string{".xlsx"}, func(path string) {
		a.writeTemplate(src, path)
	})
}

// writeTemplate writes the import template of src, with the drop-down list
// of the assessed units, to path.
func (a *reviewerExternal) writeTemplate(src assess.Source, path string) {
	s := a.s
	units := make([]assess.Unit, len(a.all))
	for i, r := range a.all {
		units[i] = r.Unit
	}
	background(s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, report.WriteFile(path, func(w io.Writer) error { return report.SurveyTemplate(w, src, units, nil) })
	}, func(_ struct{}, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.info(T("下载导入模板"), T("已生成导入模板：%s", path))
	})
}
