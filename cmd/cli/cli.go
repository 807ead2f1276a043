// Package cli holds the desktop client's headless subcommands: log in, sync,
// list and show tasks, write drafts, attach evidence, submit, review,
// answer and verify rectifications, fetch evidence, resolve conflicts. They
// drive the same local store and syncer as the window, so that the whole
// flow can be scripted and tested without a display.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Exit codes.
const (
	ExitOK      = 0 // done
	ExitError   = 1 // refused or failed; the message says why
	ExitUsage   = 2 // the command line is wrong
	ExitOffline = 3 // the server cannot be reached; the work stays queued
)

// IO is where a command reads and writes.
type IO struct {
	In  io.Reader // the password for login --password-stdin, or at the prompt
	Out io.Writer // results
	Err io.Writer // progress, messages and errors
}

// Main runs the command line args (without the program name) with standard
// input and returns the exit code. Ctrl-C cancels the command; what it has
// stored stays stored.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, args, IO{In: os.Stdin, Out: stdout, Err: stderr}, Config{})
}

// Version is the client's version, shown by "yiwangtong --version"; the
// release build sets it from the VERSION file.
var Version = "(devel)"

// Config holds what tests set instead of the defaults.
type Config struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Options are the API client's options; the --ca flag adds CAFile.
	Options client.Options
	// Backoff bounds sync retries; zero uses the syncer's defaults.
	Backoff client.Backoff
	// AuditPageSize is the number of events export audit asks the server
	// for at a time; zero lets the server choose.
	AuditPageSize int
}

// command is one subcommand.
type command struct {
	name    string
	args    string // the arguments, as in the usage line
	summary string // Chinese first, with the English
	run     func(e *env, fs *flag.FlagSet, args []string) error
	flags   func(fs *flag.FlagSet) // the command's own flags
}

// commands is the table of subcommands, in the order the help lists them.
var commands []command

func init() {
	commands = []command{
		loginCommand, logoutCommand, syncCommand, statusCommand,
		tasksCommand, showCommand, draftCommand, attachCommand, detachCommand, submitCommand,
		reviewCommand, respondCommand, verifyRectCommand, fetchCommand,
		conflictsCommand, resolveCommand,
	}
	// Documents and downloads (report*.go).
	commands = append(commands, reportCommand, exportCommand, importCommand, templateCommand)
}

// env is what a running command works with.
type env struct {
	ctx  context.Context
	io   IO
	cfg  Config
	now  func() time.Time
	data string // the data folder
	srv  string // --server
	ca   string // --ca
	db   *localdb.DB
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Run runs a command line and returns the exit code.
func Run(ctx context.Context, args []string, stdio IO, cfg Config) int {
	e := &env{ctx: ctx, io: stdio, cfg: cfg, now: cfg.Now}
	if e.now == nil {
		e.now = time.Now
	}
	global := flag.NewFlagSet("yiwangtong", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	e.commonFlags(global)
	showVersion := global.Bool("version", false, "")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			e.usage(stdio.Out)
			return ExitOK
		}
		fmt.Fprintf(stdio.Err, "命令行有误 (bad command line)：%v\n\n", err)
		e.usage(stdio.Err)
		return ExitUsage
	}
	rest := global.Args()
	if *showVersion || len(rest) == 1 && rest[0] == "version" {
		fmt.Fprintln(stdio.Out, "yiwangtong", Version)
		return ExitOK
	}
	if len(rest) == 0 || rest[0] == "help" {
		if len(rest) > 1 {
			if c := find(rest[1]); c != nil {
				e.commandUsage(stdio.Out, c)
				return ExitOK
			}
		}
		e.usage(stdio.Out)
		return ExitOK
	}
	c := find(rest[0])
	if c == nil {
		fmt.Fprintf(stdio.Err, "没有“%s”这个命令 (unknown command %q)\n\n", rest[0], rest[0])
		e.usage(stdio.Err)
		return ExitUsage
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.commonFlags(fs)
	if c.flags != nil {
		c.flags(fs)
	}
	pos, err := parseInterleaved(fs, rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		e.commandUsage(stdio.Out, c)
		return ExitOK
	}
	if err == nil {
		err = e.open()
	}
	if err == nil {
		defer e.close()
		err = c.run(e, fs, pos)
	}
	return e.report(c, err)
}

// commonFlags registers the flags every command accepts, before or after
// its name.
func (e *env) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.data, "data", e.data, "本地数据文件夹 (local data folder)")
	fs.StringVar(&e.srv, "server", e.srv, "服务器地址，如 https://fzzf.example.gov.cn:8443 (server URL)")
	fs.StringVar(&e.ca, "ca", e.ca, "额外信任的 CA 证书文件（PEM）(extra CA certificates to trust)")
}

// parseInterleaved parses flags that may come before, between and after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func find(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// open opens the local store.
func (e *env) open() error {
	if e.data == "" {
		d, err := localdb.DefaultDir()
		if err != nil {
			return err
		}
		e.data = d
	}
	db, err := localdb.Open(e.data, localdb.Options{Now: e.now})
	if err != nil {
		return err
	}
	e.db = db
	return nil
}

func (e *env) close() {
	if e.db != nil {
		_ = e.db.Close()
	}
}

// report prints err and returns the exit code for it.
func (e *env) report(c *command, err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.io.Err, "命令行有误 (bad command line)：%v\n\n", err)
		e.commandUsage(e.io.Err, c)
		return ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(e.io.Err, "已取消 (cancelled)")
		return ExitError
	case client.Offline(err):
		fmt.Fprintf(e.io.Err, "错误：%s\n", assess.ErrorMessage(err))
		return ExitOffline
	}
	fmt.Fprintf(e.io.Err, "错误：%s\n", assess.ErrorMessage(err))
	if assess.ErrorCode(err) == assess.EInternal {
		fmt.Fprintf(e.io.Err, "（详情 (details)：%v）\n", err)
	}
	return ExitError
}

// usage prints the list of commands.
func (e *env) usage(w io.Writer) {
	fmt.Fprint(w, `一网通 — 法治政府建设督察考核填报与审核客户端 (Yiwangtong desktop client)

用法 (usage)：yiwangtong [--data 文件夹] [--server 地址] [--ca 证书] 命令 [参数]

命令 (commands)：
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
通用选项 (common flags, before or after the command)：
  --data DIR     本地数据文件夹，默认为本机用户的应用数据文件夹 (local data folder)
  --server URL   服务器地址 (server URL; remembered after login)
  --ca FILE      额外信任的 CA 证书文件 (extra CA file; remembered after login)
  --version      显示版本 (print the version)

不带命令运行时显示本帮助；“yiwangtong help 命令”显示该命令的用法。
除 login、sync、fetch 和 export audit 外，所有命令都可离线使用，修改在下次同步时发送。
(Every command but login, sync, fetch and export audit works offline; changes are sent at the next sync.)
文档与导出 (documents)：report、export、import、template 按本机同步到的数据生成，
例如 yiwangtong report feedback --unit 东城区 --out 反馈报告.pdf；export bundle 会先下载本机缺少的材料；
export audit 从服务器下载审计日志，需要连接服务器。
退出码 (exit codes)：0 成功，1 失败，2 命令行有误，3 无法连接服务器（修改已保留待同步）。
`)
}

// commandUsage prints one command's usage and flags.
func (e *env) commandUsage(w io.Writer, c *command) {
	fmt.Fprintf(w, "用法 (usage)：yiwangtong %s %s\n  %s\n", c.name, c.args, c.summary)
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	if c.flags != nil {
		c.flags(fs)
	}
	var lines []string
	fs.VisitAll(func(f *flag.Flag) {
		lines = append(lines, fmt.Sprintf("  --%-16s %s", f.Name, f.Usage))
	})
	sort.Strings(lines)
	if len(lines) > 0 {
		fmt.Fprintf(w, "选项 (flags)：\n%s\n", strings.Join(lines, "\n"))
	}
}
