package cli

import (
	"flag"
	"fmt"
)

var conflictsCommand = command{
	name:    "conflicts",
	args:    "",
	summary: "列出被服务器拒绝的修改及原因 (list rejected changes with the reasons)",
	run: func(e *env, fs *flag.FlagSet, args []string) error {
		if len(args) > 0 {
			return usagef("conflicts 不接受位置参数 (no positional arguments)")
		}
		rs, err := e.db.Rejected(e.ctx)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			fmt.Fprintln(e.io.Err, "没有被拒绝的修改 (no rejected changes)")
			return nil
		}
		for _, r := range rs {
			fmt.Fprintf(e.io.Out, "%s\t%s\t%s\t%s\t%s\n", r.ChangeID, r.KindLabel(), orDash(r.Ref), formatTime(r.MadeAt), oneLine(r.Message))
		}
		fmt.Fprintln(e.io.Err, "处理：yiwangtong resolve 变更编号 --keep-mine（保留我的修改，按服务器最新情况重新提交）或 --take-server（放弃我的修改，采用服务器版本）")
		return nil
	},
}

var resolveCommand = command{
	name:    "resolve",
	args:    "变更编号 --keep-mine|--take-server",
	summary: "处理被拒绝的修改：保留我的或采用服务器的 (resolve a rejected change)",
	flags: func(fs *flag.FlagSet) {
		fs.Bool("keep-mine", false, "保留我的修改，基于服务器最新版本重新排队发送 (keep mine and queue it again)")
		fs.Bool("take-server", false, "放弃我的修改，采用服务器版本 (drop mine, take the server's)")
	},
	run: func(e *env, fs *flag.FlagSet, args []string) error {
		if len(args) != 1 {
			return usagef("请给出一个变更编号（见 yiwangtong conflicts 第一列）(give one change ID)")
		}
		mine, theirs := flagBool(fs, "keep-mine"), flagBool(fs, "take-server")
		if mine == theirs {
			return usagef("请在 --keep-mine 和 --take-server 中选一个 (choose one)")
		}
		var err error
		if mine {
			err = e.db.KeepMine(e.ctx, args[0])
		} else {
			err = e.db.TakeServer(e.ctx, args[0])
		}
		if err != nil {
			return err
		}
		if mine {
			fmt.Fprintln(e.io.Out, "已保留你的修改并重新排队，将在下次同步时发送 (kept; queued again)")
		} else {
			fmt.Fprintln(e.io.Out, "已放弃你的修改，采用服务器版本 (dropped; the server's version stands)")
		}
		return nil
	},
}
