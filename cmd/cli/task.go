package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

var tasksCommand = command{
	name:    "tasks",
	args:    "[--status 状态] [--unit 单位] [--year 年度]",
	summary: "列出指标任务：编号、指标、名称、状态、预警、截止日期 (list tasks, tab-separated)",
	flags: func(fs *flag.FlagSet) {
		fs.String("status", "", "只列出该状态：not_started|draft|submitted|returned|scored 或 未开始|草稿|已提交|退回补充|已赋分 (filter by status)")
		fs.String("unit", "", "只列出该单位的任务（单位编号）(filter by unit ID)")
		fs.String("year", "", "只列出该考核年度的任务 (filter by year ID)")
	},
	run: runTasks,
}

// parseStatus accepts a status by its code or its Chinese name.
func parseStatus(s string) (assess.Status, error) {
	for _, st := range assess.Statuses {
		if s == string(st) || s == st.Label() {
			return st, nil
		}
	}
	names := make([]string, 0, len(assess.Statuses))
	for _, st := range assess.Statuses {
		names = append(names, string(st)+"|"+st.Label())
	}
	return "", usagef("未知的状态“%s”，可选：%s (unknown status)", s, strings.Join(names, "，"))
}

func runTasks(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("tasks 不接受位置参数 (no positional arguments)")
	}
	f := localdb.TaskFilter{UnitID: flagString(fs, "unit"), YearID: flagString(fs, "year")}
	var want assess.Status
	if s := flagString(fs, "status"); s != "" {
		st, err := parseStatus(s)
		if err != nil {
			return err
		}
		want = st
	}
	views, err := e.db.Tasks(e.ctx, f)
	if err != nil {
		return err
	}
	w := e.io.Out
	n := 0
	for _, v := range views {
		if want != "" && v.Local != want {
			continue
		}
		warn, err := e.warning(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", v.ID, orDash(v.Indicator.Code), oneLine(orDash(v.Indicator.Title)),
			v.StatusLabel(), orDash(warn.Level.Label()), formatDay(v.Indicator.Deadline))
		n++
	}
	if n == 0 {
		fmt.Fprintln(e.io.Err, "没有符合条件的任务；如果还没有同步过，请先运行 yiwangtong sync (no tasks; sync first)")
	}
	return nil
}

// warning computes a task's warning as the user sees its status.
func (e *env) warning(v localdb.TaskView) (assess.Warning, error) {
	var rect *assess.Rectification
	r, err := e.db.Rectification(e.ctx, v.ID)
	switch {
	case err == nil:
		rect = &r
	case assess.ErrorCode(err) != assess.ENotFound:
		return assess.Warning{}, err
	}
	warnDays := 0
	if ys, err := e.db.Years(e.ctx); err == nil {
		for _, y := range ys {
			if y.ID == v.YearID {
				warnDays = y.WarnDays
			}
		}
	}
	t := v.Task
	t.Status = v.Local
	return assess.TaskWarning(t, v.Indicator, rect, nil, e.now(), nil, warnDays), nil
}

// oneLine folds a text onto one line for tab-separated output.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var showCommand = command{
	name:    "show",
	args:    "任务编号",
	summary: "显示一项任务：指标内容、达标标准、需查验资料、草稿、提交、审核、整改 (show a task)",
	run:     runShow,
}

func runShow(e *env, fs *flag.FlagSet, args []string) error {
	id, err := oneTask(args)
	if err != nil {
		return err
	}
	v, err := e.db.Task(e.ctx, id)
	if err != nil {
		return err
	}
	w := e.io.Out
	in := v.Indicator
	fmt.Fprintf(w, "任务 (task)：%s\n", v.ID)
	fmt.Fprintf(w, "指标 (indicator)：%s %s\n", orDash(in.Code), orDash(in.Title))
	fmt.Fprintf(w, "单位 (unit)：%s\n", orDash(v.UnitName))
	fmt.Fprintf(w, "状态 (status)：%s", v.StatusLabel())
	if v.Version > 0 {
		fmt.Fprintf(w, "，已提交第 %d 版", v.Version)
	}
	if v.Scored {
		fmt.Fprintf(w, "，得分 %s / %s", assess.FormatScore(v.Score), assess.FormatScore(in.MaxScore))
	}
	fmt.Fprintln(w)
	warn, err := e.warning(v)
	if err != nil {
		return err
	}
	if warn.Level != assess.NoWarning {
		fmt.Fprintf(w, "预警 (warning)：%s：%s\n", warn.Level.Label(), warn.Reason)
	}
	fmt.Fprintf(w, "分值 (max score)：%s，低分线 %s，截止日期 (deadline)：%s\n",
		assess.FormatScore(in.MaxScore), assess.FormatScore(in.Threshold()), formatDay(in.Deadline))
	section(w, "指标内容 (content)", in.Content)
	section(w, "达标标准 (standard)", in.Standard)
	section(w, "评分细则 (scoring rule)", in.ScoringRule)
	if len(in.Evidence) > 0 {
		fmt.Fprintln(w, "\n需要查验的资料 (evidence checklist)：")
		for i, item := range in.Evidence {
			fmt.Fprintf(w, "  %d. %s\n", i+1, item)
		}
	}

	d, err := e.db.Draft(e.ctx, v.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n草稿 (draft%s)：\n", draftSource(d.Source))
	if d.Source == localdb.FromNothing {
		fmt.Fprintln(w, "  （尚未填写）(nothing written yet)")
	} else {
		fmt.Fprintf(w, "  %s\n", indent(orDash(d.Statement)))
		printAttachments(w, d.Attachments, in.Evidence)
	}

	subs, err := e.db.Submissions(e.ctx, v.ID)
	if err != nil {
		return err
	}
	if len(subs) > 0 {
		fmt.Fprintln(w, "\n提交记录 (submissions)：")
		for _, s := range subs {
			fmt.Fprintf(w, "  第 %d 版，%s 提交于 %s\n", s.Version, orDash(s.SubmittedBy), formatTime(s.SubmittedAt))
			fmt.Fprintf(w, "    %s\n", indent(s.Statement))
			printAttachments(w, s.Attachments, in.Evidence)
		}
	}

	reviews, err := e.db.Reviews(e.ctx, v.ID)
	if err != nil {
		return err
	}
	if len(reviews) > 0 {
		fmt.Fprintln(w, "\n审核意见 (reviews)：")
		for _, r := range reviews {
			what := "退回补充 (returned)"
			if r.Decision == assess.Score {
				what = "赋分 " + assess.FormatScore(r.Score) + " 分 (scored)"
			}
			fmt.Fprintf(w, "  第 %d 版：%s，%s，%s\n    %s\n", r.Version, what, orDash(r.Reviewer), formatTime(r.CreatedAt), indent(orDash(r.Comment)))
		}
	}

	rect, err := e.db.Rectification(e.ctx, v.ID)
	switch {
	case err == nil:
		fmt.Fprintf(w, "\n整改 (rectification)：%s，整改期限 %s\n", rect.State.Label(), formatDay(rect.Deadline))
		fmt.Fprintf(w, "  整改要求 (demand)：%s\n", indent(orDash(rect.Demand)))
		if rect.Response != "" || !rect.RespondedAt.IsZero() {
			fmt.Fprintf(w, "  整改反馈 (response, %s)：%s\n", formatTime(rect.RespondedAt), indent(rect.Response))
			printAttachments(w, rect.Attachments, nil)
		}
		if rect.Verification != "" {
			fmt.Fprintf(w, "  核验意见 (verification)：%s\n", indent(rect.Verification))
		}
		if !rect.ClosedAt.IsZero() {
			fmt.Fprintf(w, "  销号时间 (closed)：%s\n", formatTime(rect.ClosedAt))
		}
	case assess.ErrorCode(err) != assess.ENotFound:
		return err
	}

	if len(v.Pending) > 0 {
		labels := make([]string, len(v.Pending))
		for i, k := range v.Pending {
			labels[i] = localdb.KindLabel(k)
		}
		fmt.Fprintf(w, "\n待同步 (waiting to be sent)：%s\n", strings.Join(labels, "、"))
	}
	for _, r := range v.Rejected {
		fmt.Fprintf(w, "\n被拒绝 (rejected) %s：%s——%s\n  处理：yiwangtong resolve %s --keep-mine 或 --take-server\n", r.ChangeID, r.KindLabel(), r.Message, r.ChangeID)
	}
	return nil
}

func draftSource(s localdb.DraftSource) string {
	switch s {
	case localdb.FromLocal:
		return "，本机草稿 (local)"
	case localdb.FromServer:
		return "，单位在服务器上的草稿 (the unit's draft on the server)"
	case localdb.FromSubmission:
		return "，最近一次提交的内容 (from the latest submission)"
	}
	return ""
}

func section(w io.Writer, title, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	fmt.Fprintf(w, "\n%s：\n  %s\n", title, indent(text))
}

// indent keeps a multi-line text inside its section.
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// printAttachments lists evidence files with their checklist slots.
func printAttachments(w io.Writer, atts []assess.Attachment, checklist []string) {
	for _, a := range atts {
		slot := ""
		if a.Slot >= 0 && a.Slot < len(checklist) {
			slot = "【" + checklist[a.Slot] + "】"
		}
		fmt.Fprintf(w, "    佐证材料 %s %s（%s）%s\n", a.Hash[:min(12, len(a.Hash))], a.Name, formatBytes(a.Size), slot)
	}
}

// oneTask returns the single task ID a command takes.
func oneTask(args []string) (string, error) {
	if len(args) != 1 {
		return "", usagef("请给出一个任务编号（见 yiwangtong tasks 第一列）(give one task ID)")
	}
	return args[0], nil
}

var draftCommand = command{
	name:    "draft",
	args:    "任务编号 --statement 文字 | --statement-file 文件",
	summary: "保存落实情况说明草稿（离线可用）(save the implementation statement as a draft)",
	flags: func(fs *flag.FlagSet) {
		fs.String("statement", "", "落实情况说明 (the statement)")
		fs.String("statement-file", "", "从 UTF-8 文本文件读取落实情况说明 (read the statement from a file)")
	},
	run: runDraft,
}

func runDraft(e *env, fs *flag.FlagSet, args []string) error {
	id, err := oneTask(args)
	if err != nil {
		return err
	}
	text, file := flagString(fs, "statement"), flagString(fs, "statement-file")
	switch {
	case flagSet(fs, "statement") && file != "":
		return usagef("--statement 和 --statement-file 只能用一个 (use one of them)")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return assess.Errorf(assess.EInvalid, "无法读取文件“%s”：%v (cannot read the statement file)", file, err)
		}
		text = strings.TrimPrefix(string(b), "\ufeff")
	case !flagSet(fs, "statement"):
		return usagef("请用 --statement 或 --statement-file 给出落实情况说明 (give the statement)")
	}
	d, err := e.db.Draft(e.ctx, id)
	if err != nil {
		return err
	}
	if err := e.db.SaveDraft(e.ctx, id, text, d.Attachments); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "草稿已保存，%d 字，佐证材料 %d 份；将在下次同步时发送 (draft saved; sent at the next sync)\n", len([]rune(text)), len(d.Attachments))
	return nil
}

var submitCommand = command{
	name:    "submit",
	args:    "任务编号",
	summary: "提交草稿供审核（离线时排队，同步时发送）(submit the draft for review)",
	run: func(e *env, fs *flag.FlagSet, args []string) error {
		id, err := oneTask(args)
		if err != nil {
			return err
		}
		if err := e.db.Submit(e.ctx, id); err != nil {
			return err
		}
		fmt.Fprintln(e.io.Out, "已提交，状态为“已提交（待同步）”，将在下次同步时发送 (submitted; sent at the next sync)")
		return nil
	},
}
