package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

var exportCommand = command{
	name: "export",
	args: `matrix|ranking|progress|warnings|rectifications|audit|history|bundle --out 文件 [选项]

  yiwangtong export matrix|ranking|progress|warnings|rectifications [--format xlsx|csv] [--year 年度] --out 文件
      得分矩阵（单位×指标，含总分与排名）、分组排名、进度与预警统计、预警明细、整改情况（审核用户）
  yiwangtong export audit [--format xlsx|csv] [--from 日期] [--to 日期] --out 文件
      服务器的哈希链审计日志：该期间的每一条事件（序号、时间、操作人、操作、对象、详情），
      附本条和上一条事件的 SHA-256 摘要，可与服务器上 yiwangtong-server verify 的结果核对（审核用户）。
      审计日志只保存在服务器上，必须能连接服务器；离线时不写出文件，退出码为 3
  yiwangtong export history [--format xlsx|csv] [--year 年度] [--from 日期] [--to 日期] --out 文件
      本机审核记录：本机同步到的提交、退回、赋分、整改（开具、反馈、销号）和外部评估分数，
      按时间编号，离线可用（审核用户）；这不是审计日志，没有摘要，不能用来核验
  yiwangtong export bundle [--unit 单位] [--year 年度] --out 文件.zip
      佐证材料包：每个指标一个文件夹，附 manifest.csv（SHA-256、大小）和 index.xlsx；
      不写 --unit 时审核用户打包全部单位，填报用户打包本单位。本机缺少的文件先从服务器下载；
      无法连接服务器时列出缺少的文件并退出，不写出不完整的 ZIP

  --format 不写时按 --out 的扩展名（.csv 为 CSV，其余为 xlsx）；CSV 为带 BOM 的 UTF-8，Excel 可直接打开。
  日期写作 2026-03-01（中国标准时间），--to 含当天；不写 --from/--to 时不限起止。`,
	summary: "数据下载：得分矩阵、排名、进度、预警、整改、服务器审计日志、本机审核记录（xlsx/csv），佐证材料包（zip）(export data, the audit log and evidence bundles)",
	flags: func(fs *flag.FlagSet) {
		fs.String("format", "", "xlsx 或 csv，默认按 --out 的扩展名 (file format)")
		fs.String("out", "", "输出文件 (output file)")
		fs.String("year", "", "考核年度编号或名称，默认为最新的已发布年度 (assessment year)")
		fs.String("from", "", "audit、history：起始日期，如 2026-03-01 (audit, history: first day)")
		fs.String("to", "", "audit、history：截止日期（含当天），如 2026-03-31 (audit, history: last day, inclusive)")
		fs.String("unit", "", "bundle：单位编号或名称 (bundle: unit ID or name)")
	},
	run: runExport,
}

func runExport(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("请写明要导出的数据：matrix、ranking、progress、warnings、rectifications、audit、history 或 bundle (name one download)")
	}
	d, err := e.docs(fs)
	if err != nil {
		return err
	}
	what := args[0]
	switch what {
	case "bundle":
		return d.bundle(fs)
	case "audit":
		return d.audit(fs)
	case "matrix", "ranking", "progress", "warnings", "rectifications", "history":
	default:
		return usagef("没有“%s”这种数据，可选 matrix、ranking、progress、warnings、rectifications、audit、history、bundle (unknown download)", what)
	}
	allowed := []string{"format", "out", "year"}
	if what == "history" {
		allowed = append(allowed, "from", "to")
	}
	if err := onlyFlags(fs, "export "+what, allowed...); err != nil {
		return err
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	format, err := exportFormat(fs, path)
	if err != nil {
		return err
	}
	var from, to time.Time
	if what == "history" {
		if from, to, err = period(fs); err != nil {
			return err
		}
	}
	if err := d.reviewer(); err != nil {
		return err
	}
	y, err := d.year(fs)
	if err != nil {
		return err
	}
	t, err := d.table(what, y, from, to)
	if err != nil {
		return err
	}
	d.notePending()
	if err := writeTable(path, format, t); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "已导出%s (written)：%s，%d 行\n", t.Name, path, len(t.Rows))
	if what == "history" {
		fmt.Fprintln(e.io.Err, "说明：以上为本机同步到的提交、审核、整改和外部评估记录，不是服务器的审计日志；审计日志请联网后用 yiwangtong export audit 导出 (local history, not the server's audit log)")
	}
	return nil
}

// writeTable writes one download table as CSV or xlsx.
func writeTable(path, format string, t report.Table) error {
	return report.WriteFile(path, func(w io.Writer) error {
		if format == "csv" {
			return report.WriteCSV(w, t)
		}
		return report.WriteXLSX(w, t)
	})
}

// table builds one download table of year y.
func (d *docs) table(what string, y assess.Year, from, to time.Time) (report.Table, error) {
	ctx := d.e.ctx
	switch what {
	case "matrix", "ranking":
		m, err := d.src.Matrix(ctx, y)
		if err != nil {
			return report.Table{}, err
		}
		if what == "matrix" {
			return report.MatrixTable(m), nil
		}
		return report.RankingTable(m), nil
	case "history":
		h, err := d.src.History(ctx, y)
		if err != nil {
			return report.Table{}, err
		}
		return historyTable(report.AuditTable(h, from, to)), nil
	}
	o, err := d.src.Overview(ctx, y)
	if err != nil {
		return report.Table{}, err
	}
	switch what {
	case "progress":
		return report.ProgressTable(o.Units, o.Groups, o.Progress), nil
	case "warnings":
		return report.WarningTable(o.Warnings), nil
	}
	return report.RectificationTable(o.Rectifications, d.src.Now), nil
}

// historyTable is the audit table of the local history under its own name
// and without the two digest columns, which the local history cannot fill.
func historyTable(t report.Table) report.Table {
	const digests = 2
	t.Name = "本机审核记录"
	t.Columns = t.Columns[:len(t.Columns)-digests]
	for i, r := range t.Rows {
		t.Rows[i] = r[:len(r)-digests]
	}
	return t
}

// exportFormat returns "xlsx" or "csv": --format, else by the extension of
// the output file.
func exportFormat(fs *flag.FlagSet, path string) (string, error) {
	switch f := strings.ToLower(strings.TrimSpace(flagString(fs, "format"))); f {
	case "xlsx", "csv":
		return f, nil
	case "":
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			return "csv", nil
		}
		return "xlsx", nil
	default:
		return "", usagef("--format 只能是 xlsx 或 csv，不能是“%s” (unknown format)", f)
	}
}

// period returns the audit period: from the start of --from's day to the
// end of --to's day, China Standard Time; an unset bound is open.
func period(fs *flag.FlagSet) (from, to time.Time, err error) {
	day := func(name string) (time.Time, error) {
		s := strings.TrimSpace(flagString(fs, name))
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, assess.CST)
		if err != nil {
			return t, usagef("--%s 的日期“%s”格式不对，应写作 2026-03-01 (bad date)", name, s)
		}
		return t, nil
	}
	if from, err = day("from"); err != nil {
		return
	}
	if to, err = day("to"); err != nil {
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = usagef("--from 不能晚于 --to (the period is empty)")
	}
	return
}

// audit downloads the server's audit log of the --from/--to period, every
// page of it, and writes it with each event's hash and the hash before it,
// so that the file can be checked against `yiwangtong-server verify`. The
// log lives only on the server: offline, nothing is written.
func (d *docs) audit(fs *flag.FlagSet) error {
	e := d.e
	if err := onlyFlags(fs, "export audit", "format", "out", "from", "to"); err != nil {
		return err
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	format, err := exportFormat(fs, path)
	if err != nil {
		return err
	}
	from, to, err := period(fs)
	if err != nil {
		return err
	}
	if err := d.reviewer(); err != nil {
		return err
	}
	api, _, err := e.api()
	if err != nil {
		return err
	}
	last := to // the last day of the period, which the server includes
	if !last.IsZero() {
		last = last.AddDate(0, 0, -1)
	}
	events, err := api.AuditLog(e.ctx, from, last, e.cfg.AuditPageSize)
	if err != nil {
		if client.Offline(err) {
			return &auditOffline{cause: err}
		}
		return err
	}
	limit := 0
	if format == "xlsx" {
		limit = xlsxCellRunes
	}
	t := report.AuditTable(localdata.AuditEntries(events, limit), time.Time{}, time.Time{})
	if err := writeTable(path, format, t); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "已导出服务器审计日志 (written)：%s，%d 条事件\n", path, len(events))
	if n := len(events); n > 0 {
		fmt.Fprintf(e.io.Out, "序号 (seq) %d–%d，末条摘要 (last hash)：%s\n", events[0].Seq, events[n-1].Seq, events[n-1].Hash)
	}
	fmt.Fprintln(e.io.Err, "说明：每条事件附本条及上一条事件的 SHA-256 摘要，相邻两条应首尾相接；导出截至今天时，末条摘要应与服务器上 yiwangtong-server verify 显示的 head 相同 (each row carries its hash and the previous one; compare the last hash with the head of yiwangtong-server verify)")
	return nil
}

// xlsxCellRunes bounds a text cell of a workbook: Excel holds at most 32,767
// characters in a cell.
const xlsxCellRunes = 32000

// auditOffline says that the audit log cannot be exported without the
// server; it keeps the network cause, so that the exit code says offline.
type auditOffline struct{ cause error }

func (a *auditOffline) Error() string { return a.asError().Error() }

func (a *auditOffline) asError() *assess.Error {
	return assess.Errorf(assess.EUnavailable, "审计日志只保存在服务器上，导出需要连接服务器：未写出任何文件，请联网后重试；本机同步到的审核记录可离线用 yiwangtong export history 导出 (the audit log is kept on the server; connect and try again)")
}

// Unwrap returns the user-facing error and the network cause.
func (a *auditOffline) Unwrap() []error { return []error{a.asError(), a.cause} }

// bundle writes the evidence bundle of one unit or of the whole year.
func (d *docs) bundle(fs *flag.FlagSet) error {
	e := d.e
	if err := onlyFlags(fs, "export bundle", "unit", "year", "out"); err != nil {
		return err
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	var unit assess.Unit
	if flagString(fs, "unit") != "" || d.me.Role != assess.Reviewer {
		if unit, err = d.unit(fs); err != nil {
			return err
		}
	}
	y, err := d.year(fs)
	if err != nil {
		return err
	}
	items, err := d.src.Bundle(e.ctx, y, unit)
	if err != nil {
		return err
	}
	if err := d.fetchMissing(items); err != nil {
		return err
	}
	d.notePending()
	open := func(hash string) (io.ReadCloser, error) { return e.db.OpenBlob(e.ctx, hash) }
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteBundle(w, items, open) }); err != nil {
		return err
	}
	var size int64
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.File.Hash] {
			seen[it.File.Hash] = true
			size += it.File.Size
		}
	}
	if len(items) == 0 {
		fmt.Fprintln(e.io.Err, "提示：没有找到佐证材料，材料包中只有清单文件 (no evidence files)")
	}
	fmt.Fprintf(e.io.Out, "已生成佐证材料包 (written)：%s，%d 份文件，共 %s\n", path, len(items), formatBytes(size))
	return nil
}

// fetchMissing downloads the bundle's files that are not in the local
// store. When some cannot be had (offline, not on the server, not allowed)
// it lists each on standard error and fails.
func (d *docs) fetchMissing(items []report.BundleItem) error {
	e := d.e
	var missing []report.BundleItem
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.File.Hash] {
			continue
		}
		seen[it.File.Hash] = true
		has, err := e.db.HasBlob(e.ctx, it.File.Hash)
		if err != nil {
			return err
		}
		if !has {
			missing = append(missing, it)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fmt.Fprintf(e.io.Err, "本机缺少 %d 份佐证材料，正在从服务器下载 (downloading missing evidence)\n", len(missing))
	var failed []report.BundleItem
	var cause error
	s, err := e.syncer(nil)
	if err != nil {
		failed, cause = missing, err
	} else {
		p := &progressPrinter{w: e.io.Err}
		for i, it := range missing {
			err := s.Download(e.ctx, it.File.Hash, func(got, total int64) {
				p.print(client.Progress{Phase: client.PhaseDownload, Item: it.File.Name, Done: got, Total: total})
			})
			if err == nil {
				continue
			}
			if e.ctx.Err() != nil {
				return e.ctx.Err()
			}
			failed = append(failed, it)
			if cause == nil {
				cause = err
			}
			if client.Offline(err) || assess.ErrorCode(err) == assess.EUnauthorized {
				failed = append(failed, missing[i+1:]...)
				break
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	fmt.Fprintf(e.io.Err, "以下 %d 份佐证材料不在本机，也未能下载（%s）(missing evidence)：\n", len(failed), assess.ErrorMessage(cause))
	for _, it := range failed {
		fmt.Fprintf(e.io.Err, "  %s\t%s %s\t%s\t%s\n", it.Unit.Name, it.Indicator.Code, it.Indicator.Title, it.File.Name, it.File.Hash)
	}
	code := assess.ErrorCode(cause)
	if client.Offline(cause) {
		code = assess.EUnavailable
	}
	return &missingError{code: code, n: len(failed), cause: cause}
}

// missingError says that an evidence bundle was not written because files
// are missing; it keeps the cause, so that "offline" gives its exit code.
type missingError struct {
	code  string
	n     int
	cause error
}

func (m *missingError) Error() string { return m.asError().Error() }

func (m *missingError) asError() *assess.Error {
	return assess.Errorf(m.code, "有 %d 份佐证材料不在本机且未能下载，未生成材料包；请联网后重试，或先运行 yiwangtong fetch 下载 (evidence missing; no bundle written)", m.n)
}

// Unwrap returns the user-facing error and the cause of the failed downloads.
func (m *missingError) Unwrap() []error { return []error{m.asError(), m.cause} }
