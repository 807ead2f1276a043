package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
)

var reportCommand = command{
	name: "report",
	args: `feedback|feedback-all|city|checklist --out 输出 [选项]

  yiwangtong report feedback [--unit 单位] [--year 年度] [--issuer 落款] --out 文件.pdf
      单位反馈报告（总分及构成、组内排名、各指标得分与审核意见、退回及整改事项、分类得分图、校验码）；
      填报用户只能生成本单位的（可不写 --unit），审核用户可生成任一单位的
  yiwangtong report feedback-all [--year 年度] [--issuer 落款] --out 文件夹
      全部单位的反馈报告，每个单位一个 PDF，进度逐行写在标准错误上（审核用户）
  yiwangtong report city [--year 年度] [--issuer 落款] --out 文件.pdf
      全市汇总报告：分组排名、各单位完成与预警情况、未销号的整改事项（审核用户）
  yiwangtong report checklist [--unit 单位] [--year 年度] --out 文件.pdf
      佐证材料清单：每项任务的文件名、大小、SHA-256 和上传时间，以及尚缺材料的查验项

  全部离线可用，按上次同步的服务器数据生成；文件先写入临时文件，完整后才改名为输出文件。
  单位可写编号或名称；不写 --year 时为最新的已发布（或已关闭）年度。`,
	summary: "生成 PDF 文档：单位反馈报告、批量反馈报告、全市汇总报告、佐证材料清单（离线可用）(make PDF documents from the local data)",
	flags: func(fs *flag.FlagSet) {
		fs.String("unit", "", "单位编号或名称；填报用户默认为本单位 (unit ID or name)")
		fs.String("year", "", "考核年度编号或名称，默认为最新的已发布年度 (assessment year)")
		fs.String("out", "", "输出文件（feedback-all 为输出文件夹）(output file, or folder for feedback-all)")
		fs.String("issuer", "", "落款单位，如“市委依法治市办”；不写则不印落款 (issuing office printed at the end)")
	},
	run: runReport,
}

func runReport(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("请写明要生成的文档：feedback、feedback-all、city 或 checklist (name one document)")
	}
	d, err := e.docs(fs)
	if err != nil {
		return err
	}
	switch args[0] {
	case "feedback":
		return d.feedback(fs)
	case "feedback-all":
		return d.feedbackAll(fs)
	case "city":
		return d.city(fs)
	case "checklist":
		return d.checklist(fs)
	}
	return usagef("没有“%s”这种文档，可选 feedback、feedback-all、city、checklist (unknown document)", args[0])
}

// docs is what a document command works with: the local data source and
// the logged-in user, whose role decides what may be made.
type docs struct {
	e   *env
	src localdata.Source
	me  assess.User
}

// docs returns the document source of the local store; every document
// needs a user who has logged in on this PC (offline is fine).
func (e *env) docs(fs *flag.FlagSet) (*docs, error) {
	me, err := e.db.Me(e.ctx)
	if err != nil {
		if assess.ErrorCode(err) == assess.EUnauthorized {
			return nil, assess.Errorf(assess.EUnauthorized, "尚未登录：请先运行 yiwangtong login 和 yiwangtong sync，之后可离线生成文档 (log in and sync first)")
		}
		return nil, err
	}
	return &docs{e: e, me: me, src: localdata.Source{DB: e.db, Now: e.now(), Issuer: strings.TrimSpace(flagString(fs, "issuer"))}}, nil
}

// onlyFlags refuses the flags set on the command line that the document does
// not use.
func onlyFlags(fs *flag.FlagSet, doc string, allowed ...string) error {
	common := []string{"data", "server", "ca"}
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		if !slices.Contains(allowed, f.Name) && !slices.Contains(common, f.Name) {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return usagef("%s 不使用 %s (flag not used by %s)", doc, strings.Join(bad, "、"), doc)
	}
	return nil
}

// outPath returns the --out path, which every document needs.
func outPath(fs *flag.FlagSet) (string, error) {
	p := strings.TrimSpace(flagString(fs, "out"))
	if p == "" {
		return "", usagef("请用 --out 指定输出位置 (--out is required)")
	}
	return p, nil
}

// year returns the --year year, or the default year of documents.
func (d *docs) year(fs *flag.FlagSet) (assess.Year, error) {
	return d.src.Year(d.e.ctx, flagString(fs, "year"))
}

// unit returns the --unit unit, by default the reporting user's own, after
// checking that the user may see it.
func (d *docs) unit(fs *flag.FlagSet) (assess.Unit, error) {
	ref := strings.TrimSpace(flagString(fs, "unit"))
	if ref == "" {
		if d.me.Role != assess.Reporter {
			return assess.Unit{}, usagef("请用 --unit 指定单位（编号或名称）(--unit is required)")
		}
		ref = d.me.UnitID
	}
	u, err := d.src.Unit(d.e.ctx, ref)
	if err != nil {
		if d.me.Role == assess.Reporter && ref != d.me.UnitID && assess.ErrorCode(err) == assess.ENotFound {
			return u, localdata.CheckUnit(d.me, ref)
		}
		return u, err
	}
	return u, localdata.CheckUnit(d.me, u.ID)
}

// reviewer refuses city-wide documents to reporting users.
func (d *docs) reviewer() error { return localdata.CheckReviewer(d.me) }

// cityWide checks the flags of a reviewers-only, city-wide report command
// and returns its output path and year.
func (d *docs) cityWide(fs *flag.FlagSet, name string) (string, assess.Year, error) {
	if err := onlyFlags(fs, name, "year", "out", "issuer"); err != nil {
		return "", assess.Year{}, err
	}
	out, err := outPath(fs)
	if err != nil {
		return "", assess.Year{}, err
	}
	if err := d.reviewer(); err != nil {
		return "", assess.Year{}, err
	}
	y, err := d.year(fs)
	if err != nil {
		return "", assess.Year{}, err
	}
	return out, y, nil
}

// notePending tells the user that changes made on this PC and not yet sent
// are not in the documents.
func (d *docs) notePending() {
	pending, rejected, err := d.e.db.PendingCount(d.e.ctx)
	if err != nil || pending+rejected == 0 {
		return
	}
	fmt.Fprintf(d.e.io.Err, "提示：本机还有 %d 项修改未同步（其中 %d 项被拒绝），文档按上次同步的服务器数据生成；要包含这些修改，请先运行 yiwangtong sync (documents show the server's data as last synced)\n",
		pending+rejected, rejected)
}

func (d *docs) feedback(fs *flag.FlagSet) error {
	if err := onlyFlags(fs, "report feedback", "unit", "year", "out", "issuer"); err != nil {
		return err
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	u, err := d.unit(fs)
	if err != nil {
		return err
	}
	y, err := d.year(fs)
	if err != nil {
		return err
	}
	data, err := d.src.Feedback(d.e.ctx, y, u)
	if err != nil {
		return err
	}
	d.notePending()
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteFeedback(w, data, report.Options{}) }); err != nil {
		return err
	}
	digest, err := data.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.e.io.Out, "已生成反馈报告 (written)：%s\n校验码 (digest)：%s\n", path, digest)
	return nil
}

func (d *docs) feedbackAll(fs *flag.FlagSet) error {
	dir, y, err := d.cityWide(fs, "report feedback-all")
	if err != nil {
		return err
	}
	data, err := d.src.FeedbackAll(d.e.ctx, y)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return assess.Errorf(assess.ENotFound, "%s还没有任何单位的指标任务，没有可生成的反馈报告；如刚发布，请先同步 (no tasks in the year)", y.Name)
	}
	d.notePending()
	err = report.FeedbackReports(d.e.ctx, dir, data, func(done, total int, fd report.FeedbackData, name string) {
		fmt.Fprintf(d.e.io.Err, "[%d/%d] %s → %s\n", done, total, fd.Unit.Name, name)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.e.io.Out, "已生成 %d 份反馈报告 (written)：%s\n", len(data), dir)
	return nil
}

func (d *docs) city(fs *flag.FlagSet) error {
	path, y, err := d.cityWide(fs, "report city")
	if err != nil {
		return err
	}
	data, err := d.src.CitySummary(d.e.ctx, y)
	if err != nil {
		return err
	}
	d.notePending()
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteCitySummary(w, data, report.Options{}) }); err != nil {
		return err
	}
	fmt.Fprintf(d.e.io.Out, "已生成全市汇总报告 (written)：%s\n", path)
	return nil
}

func (d *docs) checklist(fs *flag.FlagSet) error {
	if err := onlyFlags(fs, "report checklist", "unit", "year", "out"); err != nil {
		return err
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	u, err := d.unit(fs)
	if err != nil {
		return err
	}
	y, err := d.year(fs)
	if err != nil {
		return err
	}
	data, err := d.src.Checklist(d.e.ctx, y, u)
	if err != nil {
		return err
	}
	if err := report.WriteFile(path, func(w io.Writer) error { return report.WriteChecklist(w, data, report.Options{}) }); err != nil {
		return err
	}
	files := 0
	for _, it := range data.Items {
		files += len(it.Files)
	}
	fmt.Fprintf(d.e.io.Out, "已生成佐证材料清单 (written)：%s（%d 项任务，%d 份文件）\n", path, len(data.Items), files)
	return nil
}
