package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

var syncCommand = command{
	name:    "sync",
	args:    "",
	summary: "同步一次：上传佐证材料、推送修改、拉取更新 (sync once: upload, push, pull)",
	run:     runSync,
}

func runSync(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("sync 不接受位置参数 (no positional arguments)")
	}
	p := &progressPrinter{w: e.io.Err}
	s, err := e.syncer(p.print)
	if err != nil {
		return err
	}
	err = s.SyncOnce(e.ctx)
	if err == nil {
		st := e.loadState()
		st.LastSync = e.now()
		if err := e.saveState(st); err != nil {
			return err
		}
	}
	pending, rejected, cerr := e.db.PendingCount(e.ctx)
	if cerr != nil {
		return cerr
	}
	cursor, cerr := e.db.Cursor(e.ctx)
	if cerr != nil {
		return cerr
	}
	if err == nil {
		fmt.Fprintf(e.io.Out, "同步完成 (synced)：待推送 %d 项，被拒绝 %d 项，同步游标 %d\n", pending, rejected, cursor)
	} else {
		fmt.Fprintf(e.io.Out, "同步未完成 (not synced)：待推送 %d 项已保留在本机，被拒绝 %d 项\n", pending, rejected)
	}
	if rejected > 0 {
		fmt.Fprintln(e.io.Err, "有被服务器拒绝的修改，请运行 yiwangtong conflicts 查看原因并处理 (run conflicts to see why)")
	}
	if assess.ErrorCode(err) == assess.EUnauthorized {
		return assess.Errorf(assess.EUnauthorized, "%s；请运行 yiwangtong login 重新登录 (log in again)", assess.ErrorMessage(err))
	}
	return err
}

// progressPrinter writes sync progress as lines: one when the phase or the
// item changes, then one every tenth of the way.
type progressPrinter struct {
	w     io.Writer
	phase client.Phase
	item  string
	tenth int64
}

func (p *progressPrinter) print(pr client.Progress) {
	if pr.Phase == client.PhaseIdle {
		if pr.Err != nil && !client.Offline(pr.Err) {
			fmt.Fprintf(p.w, "[%s] %s\n", pr.Phase, assess.ErrorMessage(pr.Err))
		}
		return
	}
	if pr.Err != nil {
		fmt.Fprintf(p.w, "[%s] %s：%s\n", pr.Phase, pr.Item, assess.ErrorMessage(pr.Err))
		return
	}
	tenth := pr.Done // with no total, every step is news
	if pr.Total > 0 {
		tenth = pr.Done * 10 / pr.Total
	}
	if pr.Phase == p.phase && pr.Item == p.item && tenth == p.tenth {
		return
	}
	p.phase, p.item, p.tenth = pr.Phase, pr.Item, tenth
	switch pr.Phase {
	case client.PhaseUpload, client.PhaseDownload:
		fmt.Fprintf(p.w, "[%s] %s %s / %s\n", pr.Phase, pr.Item, formatBytes(pr.Done), formatBytes(pr.Total))
	case client.PhasePush:
		if pr.Done > 0 {
			fmt.Fprintf(p.w, "[%s] 已推送 %d 项 (pushed)\n", pr.Phase, pr.Done)
		}
	case client.PhasePull:
		fmt.Fprintf(p.w, "[%s] 已拉取 %d 条 (pulled)\n", pr.Phase, pr.Done)
	}
}

// formatBytes prints a size for people.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
