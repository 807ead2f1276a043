package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Downloads of the 数据下载 area, as `yiwangtong export` names them.
const (
	exportMatrix   = "matrix"
	exportRanking  = "ranking"
	exportProgress = "progress"
	exportWarnings = "warnings"
	exportRects    = "rectifications"
	exportAudit    = "audit"
	exportHistory  = "history"
	exportBundle   = "bundle"
)

// Download formats.
const (
	formatXLSX = "xlsx"
	formatCSV  = "csv"
)

// download is the 数据下载 area: one row per download — the score matrix,
// rankings, progress, warnings and rectifications of the year (xlsx or
// csv), the server's audit log, the local history, and the evidence
// bundle (ZIP). Each asks where to save, works in the background with a
// progress bar and says where the file went.
type download struct {
	s *Shell

	rows    map[string]*exportRow
	heading *widget.Label
	note    *widget.Label
	units   []assess.Unit // the bundle's unit choices, after 全部单位
	unit    *widget.Select

	errLabel *widget.Label
	status   *widget.Label
	bar      *widget.ProgressBar
	spinner  *widget.ProgressBarInfinite
	running  bool
	box      fyne.CanvasObject
}

// exportRow is one download's title and controls.
type exportRow struct {
	title    string // in the chosen language
	format   *widget.RadioGroup
	from, to *widget.Entry // the period, for the audit log and the history
	button   *widget.Button
}

func newDownload(s *Shell) area {
	a := &download{s: s, rows: map[string]*exportRow{}}
	a.heading = widget.NewLabel("")
	a.heading.TextStyle.Bold = true
	a.note = widget.NewLabel(T("表格按本机上次同步的服务器数据生成，离线可用；审计日志直接从服务器读取。CSV 为带 BOM 的 UTF-8，Excel 可直接打开。"))
	a.note.Wrapping = fyne.TextWrapWord
	a.unit = widget.NewSelect(nil, nil)
	list := container.NewVBox(
		a.tableRow(exportMatrix, T("完成情况矩阵"), T("每个单位一行：各末级指标得分（未赋分为空，未分配为“—”）、指标得分合计、体系评价、民意调查、现场督察、总分和组内排名。")),
		a.tableRow(exportRanking, T("排名"), T("各排名分组的名次：三项加权得分、总分和组内单位数。")),
		a.tableRow(exportProgress, T("进度"), T("每个单位的任务数、各状态数量、完成率和红黄蓝预警数。")),
		a.tableRow(exportWarnings, T("预警"), T("每项有预警的任务：单位、指标、状态、预警等级、原因和截止日期。")),
		a.tableRow(exportRects, T("整改"), T("每项整改：得分、整改要求和期限、状态、是否逾期、单位反馈和核验意见。")),
		a.periodRow(exportAudit, T("审计日志"), T("服务器的哈希链审计日志：该期间每一条事件及本条和上一条的 SHA-256 摘要，可与服务器的 verify 结果核对。需要连接服务器。")),
		a.periodRow(exportHistory, T("本机历史"), T("本机同步到的提交、退回、赋分、整改和外部评估记录，离线可用；不是审计日志，没有摘要。")),
		a.bundleRow(),
	)
	a.errLabel = widget.NewLabel("")
	a.errLabel.Importance = widget.DangerImportance
	a.errLabel.Wrapping = fyne.TextWrapWord
	a.errLabel.Hide()
	a.status = widget.NewLabel("")
	a.bar = widget.NewProgressBar()
	a.bar.Hide()
	a.spinner = widget.NewProgressBarInfinite()
	a.spinner.Stop()
	a.spinner.Hide()
	progress := container.NewBorder(nil, nil, a.status, nil, container.NewStack(a.bar, a.spinner))
	a.box = container.NewBorder(container.NewVBox(a.heading, a.note, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), a.errLabel, progress), nil, nil, container.NewVScroll(list))
	return a
}

func (a *download) view() fyne.CanvasObject { return a.box }

// refresh shows the year and reloads the units the bundle can be made for.
func (a *download) refresh() {
	y := a.s.year
	if y.ID == "" {
		a.heading.SetText(T("数据下载：本机还没有考核年度，请先同步"))
	} else {
		a.heading.SetText(T("数据下载：%s", yearLabel(y)))
	}
	a.enable()
	db := a.s.db()
	background(a.s, func(ctx context.Context) ([]assess.Unit, error) {
		units, err := db.Units(ctx)
		if err != nil {
			return nil, err
		}
		groups, err := db.Groups(ctx)
		return unitsByGroup(units, groups), err
	}, func(units []assess.Unit, err error) {
		if err != nil {
			return
		}
		a.units = units
		opts := []string{T("全部单位")}
		for _, u := range units {
			opts = append(opts, u.Name)
		}
		sel := a.unit.SelectedIndex()
		a.unit.SetOptions(opts)
		if sel < 0 || sel >= len(opts) {
			sel = 0
		}
		a.unit.SetSelectedIndex(sel)
	})
}

// enable lets the user start a download unless one is running or there is
// no year.
func (a *download) enable() {
	on := !a.running && a.s.year.ID != ""
	for _, r := range a.rows {
		enableIf(r.button, on)
	}
}

// row lays out one download: title and description, then its controls.
func (a *download) row(kind, title, about string, r *exportRow, controls ...fyne.CanvasObject) fyne.CanvasObject {
	r.title = title
	r.button = widget.NewButtonWithIcon(T("导出…"), theme.DownloadIcon(), func() { a.choose(kind) })
	a.rows[kind] = r
	name := widget.NewLabel(title)
	name.TextStyle.Bold = true
	desc := widget.NewLabel(about)
	desc.Wrapping = fyne.TextWrapWord
	right := container.NewCenter(container.NewHBox(append(controls, r.button)...))
	return container.NewVBox(container.NewBorder(nil, nil, nil, right, container.NewVBox(name, desc)), widget.NewSeparator())
}

// newFormatChoice offers xlsx or CSV, xlsx chosen.
func newFormatChoice() *widget.RadioGroup {
	r := widget.NewRadioGroup([]string{"Excel (xlsx)", "CSV"}, nil)
	r.Horizontal = true
	r.Required = true
	r.SetSelected("Excel (xlsx)")
	return r
}

func (a *download) tableRow(kind, title, about string) fyne.CanvasObject {
	r := &exportRow{format: newFormatChoice()}
	return a.row(kind, title, about, r, r.format)
}

func (a *download) periodRow(kind, title, about string) fyne.CanvasObject {
	r := &exportRow{format: newFormatChoice(), from: widget.NewEntry(), to: widget.NewEntry()}
	r.from.SetPlaceHolder(T("起始 2026-03-01"))
	r.to.SetPlaceHolder(T("截止 2026-03-31"))
	size := fyne.NewSize(150, r.from.MinSize().Height)
	dates := container.NewHBox(container.NewGridWrap(size, r.from), container.NewGridWrap(size, r.to))
	return a.row(kind, title, about, r, dates, r.format)
}

func (a *download) bundleRow() fyne.CanvasObject {
	r := &exportRow{}
	a.unit.PlaceHolder = T("全部单位")
	unit := container.NewGridWrap(fyne.NewSize(200, a.unit.MinSize().Height), a.unit)
	return a.row(exportBundle, T("佐证材料包"),
		T("ZIP：每个指标一个文件夹，附 manifest.csv（SHA-256、大小）和 index.xlsx。本机缺少的材料先从服务器下载；离线时列出缺少的文件，不生成不完整的材料包。"),
		r, unit)
}

// formatOf returns the format a row's choice names.
func (r *exportRow) formatOf() string {
	if r.format != nil && r.format.Selected == "CSV" {
		return formatCSV
	}
	return formatXLSX
}

// period reads a row's from/to days: from the start of from's day to the
// end of to's day, China Standard Time; an empty bound is open.
func (r *exportRow) period() (from, to time.Time, err error) {
	if r.from == nil {
		return
	}
	if from, err = parseDay(r.from.Text, T("起始日期")); err != nil {
		return
	}
	if to, err = parseDay(r.to.Text, T("结束日期")); err != nil {
		return
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		err = assess.Errorf(assess.EInvalid, "%s", T("起始日期不能晚于结束日期"))
	}
	return
}

// fileName is the default name of a download's file.
func (a *download) fileName(kind string) string {
	r := a.rows[kind]
	y := cmp.Or(a.s.year.Name, a.s.year.ID)
	switch kind {
	case exportBundle:
		unit := T("全部单位")
		if i := a.unit.SelectedIndex(); i > 0 && i-1 < len(a.units) {
			unit = a.units[i-1].Name
		}
		return safeName(r.title + "-" + y + "-" + unit + ".zip")
	case exportAudit:
		from, to, _ := r.period()
		span := a.s.now().In(assess.CST).Format("20060102")
		if !from.IsZero() || !to.IsZero() {
			span = dayOrOpen(from) + "-" + dayOrOpen(to)
		}
		return safeName(r.title + "-" + span + "." + r.formatOf())
	}
	return safeName(r.title + "-" + y + "." + r.formatOf())
}

// dayOrOpen writes a period bound for a file name.
func dayOrOpen(t time.Time) string {
	if t.IsZero() {
		return "…"
	}
	return t.Format("20060102")
}

// choose checks the row's choices, asks where to save and exports there.
func (a *download) choose(kind string) {
	if _, _, err := a.rows[kind].period(); err != nil {
		a.showErr(err)
		return
	}
	a.errLabel.Hide()
	ext := "." + a.rows[kind].formatOf()
	if kind == exportBundle {
		ext = ".zip"
	}
	a.s.askSavePath(a.fileName(kind), []string{ext}, func(path string) { a.export(kind, path) })
}

func (a *download) showErr(err error) {
	a.errLabel.SetText(message(err))
	a.errLabel.Show()
}

// export writes the download kind to path in the background, with a
// progress bar, then says where it went.
func (a *download) export(kind, path string) {
	r := a.rows[kind]
	from, to, err := r.period()
	if err != nil {
		a.showErr(err)
		return
	}
	e := a.s.exporter()
	format := r.formatOf()
	unitID := ""
	if i := a.unit.SelectedIndex(); i > 0 && i-1 < len(a.units) {
		unitID = a.units[i-1].ID
	}
	title := r.title
	a.start(T("正在导出%s…", title), kind == exportBundle)
	background(a.s, func(ctx context.Context) (string, error) {
		switch kind {
		case exportBundle:
			return e.bundle(ctx, unitID, path, a.progress)
		case exportAudit:
			n, err := e.audit(ctx, from, to, format, path)
			return T("已导出%s：%s，共 %d 条事件。每条附本条和上一条事件的 SHA-256 摘要，相邻两条应首尾相接。", title, path, n), err
		}
		n, err := e.table(ctx, kind, format, path, from, to)
		text := T("已导出%s：%s，共 %d 行。", title, path, n)
		if pending, _, perr := e.db.PendingCount(ctx); perr == nil && pending > 0 {
			text += "\n" + T("提示：本机还有 %d 项修改未同步，文件按上次同步的服务器数据生成。", pending)
		}
		return text, err
	}, func(text string, err error) {
		a.stop()
		var missing *bundleMissing
		switch {
		case errors.As(err, &missing):
			discardEmpty(path)
			a.status.SetText(T("未生成材料包"))
			a.s.showRowProblems(T("佐证材料不全"), missing.asError().Message, missing.rows())
		case err != nil:
			discardEmpty(path)
			a.status.SetText(T("导出失败"))
			a.showErr(err)
		default:
			a.status.SetText(T("已导出：%s", path))
			a.s.info(T("导出完成"), text)
		}
	})
}

// start shows the progress bar: in steps for the bundle, else running.
func (a *download) start(text string, steps bool) {
	a.running = true
	a.enable()
	a.errLabel.Hide()
	a.status.SetText(text)
	if steps {
		a.bar.SetValue(0)
		a.bar.Show()
	} else {
		a.spinner.Show()
		a.spinner.Start()
	}
}

func (a *download) stop() {
	a.running = false
	a.enable()
	a.bar.Hide()
	a.spinner.Stop()
	a.spinner.Hide()
}

// progress reports a step of the bundle from its goroutine.
func (a *download) progress(done, total int64, text string) {
	fyne.Do(func() {
		if !a.running {
			return
		}
		a.status.SetText(text)
		if total > 0 {
			a.bar.SetValue(float64(done) / float64(total))
		}
	})
}

// exporter is what the downloads need, taken on the UI goroutine so that
// the work can run off it.
type exporter struct {
	src    localdata.Source
	db     Store
	year   assess.Year
	user   assess.User
	api    *client.API
	syncer *client.Syncer
}

// exporter returns the session's exporter.
func (s *Shell) exporter() exporter {
	return exporter{src: s.docs(), db: s.db(), year: s.year, user: s.user, api: s.api, syncer: s.syncer}
}

// table writes one table of the year to path, as `yiwangtong export`
// does, and returns its number of rows; from and to bound the history.
func (e exporter) table(ctx context.Context, kind, format, path string, from, to time.Time) (int, error) {
	if err := localdata.CheckReviewer(e.user); err != nil {
		return 0, err
	}
	t, err := e.build(ctx, kind, from, to)
	if err != nil {
		return 0, err
	}
	return len(t.Rows), writeExportTable(path, format, t)
}

// build makes one download table of the year.
func (e exporter) build(ctx context.Context, kind string, from, to time.Time) (report.Table, error) {
	y := e.year
	if y.ID == "" {
		return report.Table{}, assess.Errorf(assess.ENotFound, "%s", T("本机还没有考核年度数据，请先同步"))
	}
	switch kind {
	case exportMatrix, exportRanking:
		m, err := e.src.Matrix(ctx, y)
		if err != nil {
			return report.Table{}, err
		}
		if kind == exportMatrix {
			return report.MatrixTable(m), nil
		}
		return report.RankingTable(m), nil
	case exportHistory:
		h, err := e.src.History(ctx, y)
		if err != nil {
			return report.Table{}, err
		}
		if !to.IsZero() {
			to = to.AddDate(0, 0, 1)
		}
		return localHistoryTable(report.AuditTable(h, from, to)), nil
	}
	o, err := e.src.Overview(ctx, y)
	if err != nil {
		return report.Table{}, err
	}
	switch kind {
	case exportProgress:
		return report.ProgressTable(o.Units, o.Groups, o.Progress), nil
	case exportWarnings:
		return report.WarningTable(o.Warnings), nil
	case exportRects:
		return report.RectificationTable(o.Rectifications, e.src.Now), nil
	}
	return report.Table{}, fmt.Errorf("unknown download %q", kind)
}

// localHistoryTable is the audit table of the local history under its own name
// and without the two digest columns, which the local history cannot fill.
func localHistoryTable(t report.Table) report.Table {
	const digests = 2
	t.Name = "本机审核记录"
	t.Columns = t.Columns[:len(t.Columns)-digests]
	for i, r := range t.Rows {
		t.Rows[i] = r[:len(r)-digests]
	}
	return t
}

// writeExportTable writes one table as CSV (UTF-8 with BOM) or xlsx.
func writeExportTable(path, format string, t report.Table) error {
	return report.WriteFile(path, func(w io.Writer) error {
		if format == formatCSV {
			return report.WriteCSV(w, t)
		}
		return report.WriteXLSX(w, t)
	})
}

// errAuditOffline says that the audit log cannot be had without the server.
func errAuditOffline() error {
	return assess.Errorf(assess.EUnavailable, "%s", T("审计日志只保存在服务器上，导出需要连接服务器：未写出任何文件。请联网后重试；本机同步到的审核记录可离线用“本机历史”导出。"))
}

// xlsxCellRunes bounds a text cell of a workbook: Excel holds at most 32,767
// characters in a cell.
const xlsxCellRunes = 32000

// audit downloads the server's audit log of the days from through to
// (zero: open), every page, and writes it with each event's hash and the
// one before it. Offline nothing is written.
func (e exporter) audit(ctx context.Context, from, to time.Time, format, path string) (int, error) {
	if err := localdata.CheckReviewer(e.user); err != nil {
		return 0, err
	}
	if e.api == nil {
		return 0, errAuditOffline()
	}
	events, err := e.api.AuditLog(ctx, from, to, 0)
	if err != nil {
		if client.Offline(err) {
			return 0, errAuditOffline()
		}
		return 0, err
	}
	limit := 0
	if format == formatXLSX {
		limit = xlsxCellRunes
	}
	t := report.AuditTable(localdata.AuditEntries(events, limit), time.Time{}, time.Time{})
	return len(events), writeExportTable(path, format, t)
}

// bundleMissing says that an evidence bundle was not written because files
// are neither on this PC nor could be downloaded.
type bundleMissing struct {
	items []report.BundleItem
	cause error
}

func (m *bundleMissing) Error() string { return m.asError().Error() }

func (m *bundleMissing) asError() *assess.Error {
	why := T("无法连接服务器")
	if m.cause != nil && !client.Offline(m.cause) {
		why = message(m.cause)
	}
	return assess.Errorf(assess.EUnavailable, "%s",
		T("有 %d 份佐证材料不在本机，也未能下载（%s），未生成材料包。请联网后重试：", len(m.items), why))
}

// Unwrap returns the user-facing error.
func (m *bundleMissing) Unwrap() error { return m.asError() }

// rows lists the missing files: unit and indicator, file name and hash.
func (m *bundleMissing) rows() []rowProblem {
	out := make([]rowProblem, len(m.items))
	for i, it := range m.items {
		out[i] = rowProblem{
			where: fmt.Sprintf("%s · %s %s", it.Unit.Name, it.Indicator.Code, it.Indicator.Title),
			what:  T("%s（%s，SHA-256 %s）", it.File.Name, report.FormatSize(it.File.Size), it.File.Hash),
		}
	}
	return out
}

// bundle writes the evidence bundle of the year — of one unit, or with ""
// of every unit — to path, as `yiwangtong export bundle` does. Files not
// on this PC are downloaded first; when some cannot be had, nothing is
// written and the error is a *bundleMissing listing them. progress gets
// the bytes downloaded and then the files packed.
func (e exporter) bundle(ctx context.Context, unitID, path string, progress func(done, total int64, text string)) (string, error) {
	if err := localdata.CheckReviewer(e.user); err != nil {
		return "", err
	}
	var unit assess.Unit
	if unitID != "" {
		u, err := e.src.Unit(ctx, unitID)
		if err != nil {
			return "", err
		}
		unit = u
	}
	items, err := e.src.Bundle(ctx, e.year, unit)
	if err != nil {
		return "", err
	}
	if err := e.fetchMissing(ctx, items, progress); err != nil {
		return "", err
	}
	size := bundleSize(items)
	packed, total := int64(0), int64(len(items))
	open := func(hash string) (io.ReadCloser, error) {
		packed = min(packed+1, total)
		progress(packed, total, T("正在打包 %d/%d", packed, total))
		return e.db.OpenVerified(ctx, hash)
	}
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteBundle(w, items, open) }); err != nil {
		return "", err
	}
	text := T("已生成佐证材料包：%s，%d 份文件，共 %s。", path, len(items), formatBytes(size))
	if len(items) == 0 {
		text += "\n" + T("没有找到佐证材料，材料包中只有清单文件。")
	}
	return text, nil
}

// bundleSize adds up the sizes of a bundle's different files.
func bundleSize(items []report.BundleItem) int64 {
	seen := map[string]bool{}
	var size int64
	for _, it := range items {
		if !seen[it.File.Hash] {
			seen[it.File.Hash] = true
			size += it.File.Size
		}
	}
	return size
}

// fetchMissing downloads the bundle's files that are not on this PC. When
// some cannot be had (offline, not on the server, not allowed) it returns
// a *bundleMissing listing them.
func (e exporter) fetchMissing(ctx context.Context, items []report.BundleItem, progress func(done, total int64, text string)) error {
	var missing []report.BundleItem
	var total int64
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.File.Hash] {
			continue
		}
		seen[it.File.Hash] = true
		has, err := e.db.HasBlob(ctx, it.File.Hash)
		if err != nil {
			return err
		}
		if !has {
			missing = append(missing, it)
			total += it.File.Size
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if e.syncer == nil {
		return &bundleMissing{items: missing, cause: assess.Errorf(assess.EUnavailable, "%s", T("无法连接服务器"))}
	}
	var failed []report.BundleItem
	var cause error
	var before int64
	for i, it := range missing {
		err := e.syncer.Download(ctx, it.File.Hash, func(got, _ int64) {
			progress(before+got, total, T("正在下载 %s：%s / %s", it.File.Name, formatBytes(before+got), formatBytes(total)))
		})
		before += it.File.Size
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failed = append(failed, it)
		cause = cmp.Or(cause, err)
		if client.Offline(err) || assess.ErrorCode(err) == assess.EUnauthorized {
			failed = append(failed, missing[i+1:]...)
			break
		}
	}
	if len(failed) > 0 {
		return &bundleMissing{items: failed, cause: cause}
	}
	return nil
}

// discardEmpty removes the empty file the save dialog made when the export
// wrote nothing.
func discardEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}
