package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

var attachCommand = command{
	name:    "attach",
	args:    "任务编号 文件… [--slot 序号]",
	summary: "把佐证材料加入草稿（离线可用；同一文件只存一份）(attach evidence files to the draft)",
	flags: func(fs *flag.FlagSet) {
		fs.Int("slot", 0, "对应“需要查验的资料”的第几项（从 1 开始；0 表示不对应）(checklist item, 1-based)")
	},
	run: runAttach,
}

func runAttach(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) < 2 {
		return usagef("请给出任务编号和至少一个文件 (give a task ID and at least one file)")
	}
	id, files := args[0], args[1:]
	v, err := e.db.Task(e.ctx, id)
	if err != nil {
		return err
	}
	slot := -1
	if n, _ := strconv.Atoi(flagString(fs, "slot")); n > 0 {
		if n > len(v.Indicator.Evidence) {
			return usagef("该指标只有 %d 项需要查验的资料，--slot 应在 1 到 %d 之间 (slot out of range)", len(v.Indicator.Evidence), len(v.Indicator.Evidence))
		}
		slot = n - 1
	}
	d, err := e.db.Draft(e.ctx, id)
	if err != nil {
		return err
	}
	atts := d.Attachments
	var added []assess.Attachment
	for _, f := range files {
		a, err := e.db.AddEvidence(e.ctx, f)
		if err != nil {
			return err
		}
		a.Slot = slot
		if i := indexOf(atts, a.Hash); i >= 0 {
			fmt.Fprintf(e.io.Err, "“%s”与已附的“%s”内容相同，不重复添加 (same content already attached)\n", a.Name, atts[i].Name)
			continue
		}
		atts = append(atts, a)
		added = append(added, a)
	}
	if len(added) == 0 {
		return nil
	}
	if err := e.db.SaveDraft(e.ctx, id, d.Statement, atts); err != nil {
		return err
	}
	for _, a := range added {
		fmt.Fprintf(e.io.Out, "%s\t%s\t%s\n", a.Hash, a.Name, formatBytes(a.Size))
	}
	fmt.Fprintf(e.io.Err, "已附 %d 份佐证材料，共 %d 份；将在下次同步时上传 (attached; uploaded at the next sync)\n", len(added), len(atts))
	return nil
}

func indexOf(atts []assess.Attachment, hash string) int {
	for i, a := range atts {
		if a.Hash == hash {
			return i
		}
	}
	return -1
}

var detachCommand = command{
	name:    "detach",
	args:    "任务编号 摘要或文件名",
	summary: "从草稿中移除一份佐证材料（摘要可只写前几位）(remove an evidence file from the draft)",
	run:     runDetach,
}

func runDetach(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("请给出任务编号和佐证材料的摘要（前几位即可）或文件名 (give a task ID and a hash prefix or file name)")
	}
	id, which := args[0], args[1]
	d, err := e.db.Draft(e.ctx, id)
	if err != nil {
		return err
	}
	match := -1
	for i, a := range d.Attachments {
		if a.Name == which || (len(which) >= 6 && strings.HasPrefix(a.Hash, strings.ToLower(which))) {
			if match >= 0 {
				return assess.Errorf(assess.EInvalid, "“%s”对应多份佐证材料，请写出更长的摘要 (ambiguous; give more of the hash)", which)
			}
			match = i
		}
	}
	if match < 0 {
		return assess.Errorf(assess.ENotFound, "草稿中没有佐证材料“%s”；用 yiwangtong show %s 查看已附的材料 (no such attachment)", which, id)
	}
	gone := d.Attachments[match]
	atts := append(append([]assess.Attachment{}, d.Attachments[:match]...), d.Attachments[match+1:]...)
	if err := e.db.SaveDraft(e.ctx, id, d.Statement, atts); err != nil {
		return err
	}
	fmt.Fprintf(e.io.Out, "已从草稿中移除“%s”，还有 %d 份佐证材料 (detached)\n", gone.Name, len(atts))
	return nil
}

var fetchCommand = command{
	name:    "fetch",
	args:    "任务编号 [--out 文件夹]",
	summary: "下载最新提交（及整改反馈）的全部佐证材料并校验 SHA-256 (download and verify a task's evidence)",
	flags: func(fs *flag.FlagSet) {
		fs.String("out", "", "另把校验过的文件复制到该文件夹，便于打开查看 (also copy the verified files here)")
	},
	run: runFetch,
}

func runFetch(e *env, fs *flag.FlagSet, args []string) error {
	id, err := oneTask(args)
	if err != nil {
		return err
	}
	subs, err := e.db.Submissions(e.ctx, id)
	if err != nil {
		return err
	}
	var atts []assess.Attachment
	latest := -1
	for i, s := range subs {
		if latest < 0 || s.Version > subs[latest].Version {
			latest = i
		}
	}
	if latest >= 0 {
		atts = append(atts, subs[latest].Attachments...)
	}
	if r, err := e.db.Rectification(e.ctx, id); err == nil {
		atts = append(atts, r.Attachments...)
	} else if assess.ErrorCode(err) != assess.ENotFound {
		return err
	}
	if len(atts) == 0 {
		fmt.Fprintln(e.io.Err, "该任务还没有已提交的佐证材料；如果刚有提交，请先运行 yiwangtong sync (no submitted evidence; sync first)")
		return nil
	}
	out := flagString(fs, "out")
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return fmt.Errorf("make %s: %w", out, err)
		}
	}
	p := &progressPrinter{w: e.io.Err}
	s, err := e.syncer(nil)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var failed error
	for _, a := range atts {
		if seen[a.Hash] {
			continue
		}
		seen[a.Hash] = true
		err := s.Download(e.ctx, a.Hash, func(got, total int64) {
			p.print(client.Progress{Phase: client.PhaseDownload, Item: a.Name, Done: got, Total: total})
		})
		if err == nil {
			err = e.verifyCopy(a, out)
		}
		if err != nil {
			if client.Offline(err) || e.ctx.Err() != nil || assess.ErrorCode(err) == assess.EUnauthorized {
				return err
			}
			fmt.Fprintf(e.io.Err, "“%s”：%s\n", a.Name, assess.ErrorMessage(err))
			if failed == nil {
				failed = err
			}
			continue
		}
		fmt.Fprintf(e.io.Out, "%s\t%s\t%s\t已校验 (verified)\n", a.Hash, a.Name, formatBytes(a.Size))
	}
	return failed
}

// verifyCopy re-hashes a stored evidence file and, with a folder, copies it
// there under its name.
func (e *env) verifyCopy(a assess.Attachment, out string) error {
	f, err := e.db.OpenVerified(e.ctx, a.Hash)
	if err != nil {
		return err
	}
	defer f.Close()
	if out == "" {
		return nil
	}
	if err := assess.ValidateFileName(a.Name); err != nil {
		return err
	}
	dst := filepath.Join(out, a.Name)
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	if _, err := io.Copy(w, f); err != nil {
		w.Close()
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return w.Close()
}
