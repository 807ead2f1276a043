package cli

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
)

var reviewCommand = command{
	name:    "review",
	args:    "任务编号 --return --comment 意见 | --score 分数 --comment 意见",
	summary: "审核最新提交：退回补充或赋分（审核用户；离线可用）(return or score the latest submission)",
	flags: func(fs *flag.FlagSet) {
		fs.Bool("return", false, "退回补充 (return for more material)")
		fs.String("score", "", "赋分，0 到满分，最多一位小数 (score)")
		fs.String("comment", "", "审核意见；退回时说明需要补充什么 (comment)")
	},
	run: runReview,
}

func runReview(e *env, fs *flag.FlagSet, args []string) error {
	id, err := oneTask(args)
	if err != nil {
		return err
	}
	ret, scoreText, comment := flagBool(fs, "return"), flagString(fs, "score"), flagString(fs, "comment")
	if ret == (scoreText != "") {
		return usagef("请在 --return 和 --score 中选一个 (choose --return or --score)")
	}
	v, err := e.db.Task(e.ctx, id)
	if err != nil {
		return err
	}
	if v.Version == 0 {
		return assess.Errorf(assess.EConflict, "该任务还没有提交过，没有可审核的版本；请先同步 (nothing submitted yet)")
	}
	if ret {
		if err := e.db.Return(e.ctx, id, v.Version, comment); err != nil {
			return err
		}
		fmt.Fprintf(e.io.Out, "已退回第 %d 版补充材料，将在下次同步时发送 (returned; sent at the next sync)\n", v.Version)
		return nil
	}
	score, err := strconv.ParseFloat(strings.TrimSpace(scoreText), 64)
	if err != nil {
		return usagef("分数“%s”不是数字 (score is not a number)", scoreText)
	}
	if err := e.db.Score(e.ctx, id, v.Version, score, comment); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "已为第 %d 版赋分 %s 分，将在下次同步时发送 (scored; sent at the next sync)\n", v.Version, assess.FormatScore(score))
	if v.Indicator.MaxScore > 0 && score < v.Indicator.Threshold() {
		fmt.Fprintf(e.io.Err, "得分低于低分线 %s 分，服务器将为该任务开启整改 (below the threshold: a rectification will open)\n", assess.FormatScore(v.Indicator.Threshold()))
	}
	return nil
}

var respondCommand = command{
	name:    "respond",
	args:    "任务编号 --response 文字 [文件…]",
	summary: "答复整改要求，可附佐证材料（填报用户；离线可用）(answer a rectification demand)",
	flags: func(fs *flag.FlagSet) {
		fs.String("response", "", "整改情况说明 (what was corrected)")
		fs.String("response-file", "", "从 UTF-8 文本文件读取整改情况说明 (read the response from a file)")
	},
	run: runRespond,
}

func runRespond(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) < 1 {
		return usagef("请给出任务编号 (give a task ID)")
	}
	id, files := args[0], args[1:]
	text := flagString(fs, "response")
	if f := flagString(fs, "response-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return assess.Errorf(assess.EInvalid, "无法读取文件“%s”：%v (cannot read the response file)", f, err)
		}
		text = strings.TrimPrefix(string(b), "\ufeff")
	}
	if strings.TrimSpace(text) == "" {
		return usagef("请用 --response 写明整改情况 (give the response)")
	}
	var atts []assess.Attachment
	for _, f := range files {
		a, err := e.db.AddEvidence(e.ctx, f)
		if err != nil {
			return err
		}
		a.Slot = -1
		if indexOf(atts, a.Hash) < 0 {
			atts = append(atts, a)
		}
	}
	if err := e.db.RespondRect(e.ctx, id, text, atts); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "整改反馈已保存，附 %d 份佐证材料，将在下次同步时发送 (response saved; sent at the next sync)\n", len(atts))
	return nil
}

var verifyRectCommand = command{
	name:    "verify-rect",
	args:    "任务编号 --accept|--reject --comment 意见",
	summary: "核验整改：通过则销号，不通过则退回单位（审核用户；离线可用）(verify a rectification)",
	flags: func(fs *flag.FlagSet) {
		fs.Bool("accept", false, "核验通过，销号 (accept and close)")
		fs.Bool("reject", false, "核验不通过，退回单位继续整改 (send back to the unit)")
		fs.String("comment", "", "核验意见 (comment)")
	},
	run: func(e *env, fs *flag.FlagSet, args []string) error {
		id, err := oneTask(args)
		if err != nil {
			return err
		}
		accept, reject := flagBool(fs, "accept"), flagBool(fs, "reject")
		if accept == reject {
			return usagef("请在 --accept 和 --reject 中选一个 (choose --accept or --reject)")
		}
		if err := e.db.VerifyRect(e.ctx, id, accept, flagString(fs, "comment")); err != nil {
			return err
		}
		if accept {
			fmt.Fprintln(e.io.Out, "整改核验通过，将在下次同步时销号 (accepted; closed at the next sync)")
		} else {
			fmt.Fprintln(e.io.Out, "整改核验不通过，已退回单位，将在下次同步时发送 (sent back; sent at the next sync)")
		}
		return nil
	},
}
