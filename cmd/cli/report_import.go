package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var importCommand = command{
	name: "import",
	args: `indicators|external|survey|thirdparty|leads 文件 [--year 年度] [--document 原始报告]

  yiwangtong import indicators 文件.xlsx [--year 年度]
      导入指标体系（系统管理员）：编号、上级编号、名称、内容、达标标准、需查验资料、分值、低分线、
      评分细则、截止日期、重点任务、分配分组、分配单位
  yiwangtong import external 文件.xlsx [--year 年度]
      导入第三方评估、民意调查、现场督察分数（审核用户）
  yiwangtong import survey 调查结果.xlsx|.csv --document 调查报告.pdf [--year 年度]
  yiwangtong import thirdparty 评估结果.xlsx|.csv --document 评估报告.pdf [--year 年度]
      按调查或评估机构交付的格式导入民意调查或第三方评估结果（审核用户）：单位、样本量、
      满意度得分或各分项得分、满分；--document 为原始报告，作为依据文件随结果上传。
      重新导入会替换原有结果（版本号加一），原结果保留在审计日志中。
  yiwangtong import leads 线索.xlsx|.csv
      导入督察线索（审核用户）：来源、记录编号、单位、日期、摘要、指标编号（可空）；
      同一来源和记录编号再次导入时内容相同则不变。

  先逐行校验，列出每一处问题（工作表、行、列和原因）；只要有一处问题就什么也不导入。
  与本机现有记录相同的行跳过，所以同一文件导入两次，第二次不会产生任何修改。
  整个文件的修改在一个事务中一起排队：要么全部排队，要么一项也不排队。
  导入的修改离线排队，下次 yiwangtong sync 时发送。不写 --year 时为最新的未关闭年度。
  模板用 yiwangtong template indicators|external --out 文件.xlsx 生成。`,
	summary: "从 Excel 导入指标体系或外部评估分数：有任何问题则不导入，未变化的跳过（离线排队）(import indicators or external scores from Excel)",
	flags: func(fs *flag.FlagSet) {
		fs.String("year", "", "导入到的考核年度编号或名称，默认为最新的未关闭年度 (assessment year)")
		fs.String("document", "", "民意调查或第三方评估的原始报告文件 (the source document of survey or third-party results)")
	},
	run: runImport,
}

func runImport(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("请写明导入的内容和文件：yiwangtong import indicators|external|survey|thirdparty|leads 文件 (give the kind and the file)")
	}
	d, err := e.docs(fs)
	if err != nil {
		return err
	}
	switch args[0] {
	case "indicators":
		return d.importIndicators(fs, args[1])
	case "external":
		return d.importExternal(fs, args[1])
	case "survey":
		return d.importSurvey(fs, args[1], assess.Survey)
	case "thirdparty":
		return d.importSurvey(fs, args[1], assess.ThirdParty)
	case "leads":
		return d.importLeads(args[1])
	}
	return usagef("只能导入 indicators（指标）、external（外部评估分数）、survey（民意调查）、thirdparty（第三方评估）或 leads（督察线索），不能导入“%s” (unknown import)", args[0])
}

// openWorkbook opens a workbook to import.
func openWorkbook(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, assess.Errorf(assess.EInvalid, "无法打开文件“%s”：%v (cannot open the file)", path, err)
	}
	return f, nil
}

// importYear returns the --year year for an import and checks that it can
// still change.
func (d *docs) importYear(fs *flag.FlagSet) (assess.Year, error) {
	y, err := d.src.ImportYear(d.e.ctx, flagString(fs, "year"))
	if err != nil {
		return y, err
	}
	return y, y.CheckWritable()
}

// problems prints every problem of a workbook on standard error and returns
// the error that says nothing was imported.
func (d *docs) problems(path string, probs []report.ImportProblem, conflicts []string) error {
	n := len(probs) + len(conflicts)
	fmt.Fprintf(d.e.io.Err, "“%s”有 %d 处问题 (problems)：\n", path, n)
	for _, p := range probs {
		fmt.Fprintf(d.e.io.Err, "  %s\n", p.Error())
	}
	for _, c := range conflicts {
		fmt.Fprintf(d.e.io.Err, "  %s\n", c)
	}
	return assess.Errorf(assess.EInvalid, "共 %d 处问题，什么也没有导入；请按上面的提示改正后重新导入 (%d problems; nothing imported)", n, n)
}

func (d *docs) importIndicators(fs *flag.FlagSet, path string) error {
	ctx := d.e.ctx
	if err := localdata.CheckAdmin(d.me); err != nil {
		return err
	}
	y, err := d.importYear(fs)
	if err != nil {
		return err
	}
	units, err := d.e.db.Units(ctx)
	if err != nil {
		return err
	}
	groups, err := d.e.db.Groups(ctx)
	if err != nil {
		return err
	}
	f, err := openWorkbook(path)
	if err != nil {
		return err
	}
	inds, probs, err := report.ImportIndicators(f, y.ID, units, groups)
	f.Close()
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return d.problems(path, probs, nil)
	}
	plan, err := d.src.PlanIndicatorWorkbook(ctx, y, inds)
	if err != nil {
		return err
	}
	if len(plan.Problems) > 0 {
		return d.problems(path, nil, plan.Problems)
	}
	if err := d.e.db.SaveIndicators(ctx, plan.Save); err != nil {
		return err // one transaction: nothing of the workbook was queued
	}
	fmt.Fprintf(d.e.io.Out, "%s：新增 %d 项、修改 %d 项指标，%d 项未变化已跳过 (indicators: %d added, %d changed, %d unchanged)\n",
		y.Name, plan.Added, plan.Changed, plan.Unchanged, plan.Added, plan.Changed, plan.Unchanged)
	d.noteQueued(len(plan.Save))
	return nil
}

func (d *docs) importExternal(fs *flag.FlagSet, path string) error {
	return d.importScores(fs, path, func(f io.Reader, y assess.Year, units []assess.Unit) ([]assess.ExternalScore, []report.ImportProblem, error) {
		return report.ImportExternal(f, y.ID, units, d.src.Now)
	}, func(y assess.Year, p localdata.ExternalPlan) string {
		return fmt.Sprintf("%s：新增 %d 项、修改 %d 项外部评估分数，%d 项未变化已跳过 (external scores: %d added, %d changed, %d unchanged)",
			y.Name, p.Added, p.Changed, p.Unchanged, p.Added, p.Changed, p.Unchanged)
	})
}

// importSurvey imports one source's results as a contractor delivers them,
// with the --document file attached to every unit's result.
func (d *docs) importSurvey(fs *flag.FlagSet, path string, src assess.Source) error {
	return d.importScores(fs, path, func(f io.Reader, y assess.Year, units []assess.Unit) ([]assess.ExternalScore, []report.ImportProblem, error) {
		scores, probs, err := report.ImportSurvey(f, filepath.Base(path), y.ID, src, units, d.src.Now)
		if err != nil || len(probs) > 0 {
			return scores, probs, err
		}
		doc := flagString(fs, "document")
		if doc == "" {
			fmt.Fprintf(d.e.io.Err, "提示：没有用 --document 附上%s的原始报告 (no source document attached)\n", src.Label())
			return scores, nil, nil
		}
		a, err := d.e.db.AddEvidence(d.e.ctx, doc)
		if err != nil {
			return nil, nil, err
		}
		for i := range scores {
			scores[i].Document, scores[i].DocumentName = a.Hash, a.Name
		}
		return scores, nil, nil
	}, func(y assess.Year, p localdata.ExternalPlan) string {
		return fmt.Sprintf("%s%s：新增 %d 个单位、替换 %d 个单位的结果，%d 个未变化已跳过 (%s: %d added, %d replaced, %d unchanged)",
			y.Name, src.Label(), p.Added, p.Changed, p.Unchanged, src, p.Added, p.Changed, p.Unchanged)
	})
}

// importScores imports external scores (reviewers) into the --year year:
// read reads the file, every problem is listed and nothing queued if there
// is any, unchanged scores are skipped, and the rest is queued in one
// transaction; done words what was queued.
func (d *docs) importScores(fs *flag.FlagSet, path string,
	read func(f io.Reader, y assess.Year, units []assess.Unit) ([]assess.ExternalScore, []report.ImportProblem, error),
	done func(assess.Year, localdata.ExternalPlan) string) error {
	ctx := d.e.ctx
	if err := localdata.CheckReviewer(d.me); err != nil {
		return err
	}
	y, err := d.importYear(fs)
	if err != nil {
		return err
	}
	units, err := d.e.db.Units(ctx)
	if err != nil {
		return err
	}
	f, err := openWorkbook(path)
	if err != nil {
		return err
	}
	scores, probs, err := read(f, y, units)
	f.Close()
	if err != nil {
		return err
	}
	if len(probs) > 0 {
		return d.problems(path, probs, nil)
	}
	plan, err := d.src.PlanExternals(ctx, y, scores)
	if err != nil {
		return err
	}
	if err := d.e.db.SaveExternals(ctx, plan.Save); err != nil {
		return err // one transaction: nothing of the file was queued
	}
	fmt.Fprintln(d.e.io.Out, done(y, plan))
	d.noteQueued(len(plan.Save))
	return nil
}

// importLeads imports leads from a reviewer's workbook.
func (d *docs) importLeads(path string) error {
	ctx := d.e.ctx
	if err := localdata.CheckReviewer(d.me); err != nil {
		return err
	}
	units, err := d.e.db.Units(ctx)
	if err != nil {
		return err
	}
	indicators, err := openIndicators(ctx, d.e.db)
	if err != nil {
		return err
	}
	f, err := openWorkbook(path)
	if err != nil {
		return err
	}
	leads, err := report.ParseLeads(f, filepath.Base(path), units, indicators)
	f.Close()
	var ie *report.ImportError
	if errors.As(err, &ie) {
		return d.problems(path, ie.Problems, nil)
	}
	if err != nil {
		return err
	}
	if err := d.e.db.ImportLeads(ctx, wire.LeadBatch{Leads: leads}); err != nil {
		return err
	}
	fmt.Fprintf(d.e.io.Out, "已排队导入 %d 条督察线索 (%d leads queued)\n", len(leads), len(leads))
	d.noteQueued(len(leads))
	return nil
}

// openIndicators returns the indicators of every year not yet closed, which
// leads may name.
func openIndicators(ctx context.Context, db *localdb.DB) ([]assess.Indicator, error) {
	years, err := db.Years(ctx)
	if err != nil {
		return nil, err
	}
	var out []assess.Indicator
	for _, y := range years {
		if y.State == assess.YearClosed {
			continue
		}
		ins, err := db.Indicators(ctx, y.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ins...)
	}
	return out, nil
}

func (d *docs) noteQueued(n int) {
	if n > 0 {
		fmt.Fprintf(d.e.io.Err, "%d 项修改已排队，将在下次同步时发送 (queued; sent at the next sync)\n", n)
	} else {
		fmt.Fprintln(d.e.io.Err, "没有需要导入的修改 (nothing to import)")
	}
}

var templateCommand = command{
	name: "template",
	args: `indicators|external|survey|thirdparty|leads --out 文件.xlsx

  yiwangtong template indicators --out 指标导入模板.xlsx
      指标导入模板：表头、示例行（编号以“示例”开头，导入时跳过）、填写说明、单位和分组下拉列表
  yiwangtong template external --out 外部评估导入模板.xlsx
      第三方评估、民意调查、现场督察分数的导入模板，含单位和来源下拉列表
  yiwangtong template survey|thirdparty --out 民意调查导入模板.xlsx
      民意调查或第三方评估结果的导入模板：单位、样本量、满意度得分、满分和分项得分
  yiwangtong template leads --out 督察线索导入模板.xlsx
      督察线索的导入模板，含来源、单位下拉列表

  下拉列表来自本机同步到的单位和排名分组，离线可用。`,
	summary: "生成指标或外部评估分数的 Excel 导入模板（含下拉列表）(write an Excel import template)",
	flags: func(fs *flag.FlagSet) {
		fs.String("out", "", "输出文件 (output file)")
	},
	run: runTemplate,
}

func runTemplate(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("请写明模板种类：indicators、external、survey、thirdparty 或 leads (name the template)")
	}
	path, err := outPath(fs)
	if err != nil {
		return err
	}
	units, err := e.db.Units(e.ctx)
	if err != nil {
		return err
	}
	var write func(io.Writer) error
	switch kind := strings.TrimSpace(args[0]); kind {
	case "indicators":
		groups, err := e.db.Groups(e.ctx)
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return report.IndicatorTemplate(w, units, groups) }
	case "external":
		write = func(w io.Writer) error { return report.ExternalTemplate(w, units) }
	case "survey":
		write = func(w io.Writer) error { return report.SurveyTemplate(w, assess.Survey, units, nil) }
	case "thirdparty":
		write = func(w io.Writer) error { return report.SurveyTemplate(w, assess.ThirdParty, units, nil) }
	case "leads":
		indicators, err := openIndicators(e.ctx, e.db)
		if err != nil {
			return err
		}
		write = func(w io.Writer) error { return report.LeadTemplate(w, units, indicators) }
	default:
		return usagef("没有“%s”这种模板，可选 indicators、external、survey、thirdparty 或 leads (unknown template)", kind)
	}
	if len(units) == 0 {
		fmt.Fprintln(e.io.Err, "提示：本机还没有单位数据，模板的单位下拉列表为空；请先运行 yiwangtong sync (no units here; sync first)")
	}
	if err := report.WriteFile(path, write); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "已生成导入模板 (written)：%s\n", path)
	return nil
}
