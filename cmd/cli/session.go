package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Files the command line keeps in the data folder beside the local store.
const (
	caFileName    = "server-ca.pem" // a copy of the CA file given at login
	stateFileName = "client.json"   // the time of the last complete sync
)

// state is what the command line remembers between runs.
type state struct {
	LastSync time.Time `json:"last_sync,omitzero"`
}

func (e *env) loadState() state {
	var s state
	b, err := os.ReadFile(filepath.Join(e.data, stateFileName))
	if err == nil {
		_ = json.Unmarshal(b, &s)
	}
	return s
}

func (e *env) saveState(s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(e.data, stateFileName), b)
}

// writeFileAtomic writes a small file through a temporary file and a rename.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return os.Rename(tmp.Name(), path)
}

// caFile returns the CA file to trust: --ca, else the copy saved at login.
func (e *env) caFile() string {
	if e.ca != "" {
		return e.ca
	}
	p := filepath.Join(e.data, caFileName)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// newAPI returns an API client of server.
func (e *env) newAPI(server string) (*client.API, error) {
	opts := e.cfg.Options
	if ca := e.caFile(); ca != "" {
		opts.CAFile = ca
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "yiwangtong-cli/0.1.0"
	}
	return client.New(server, opts)
}

// api returns an API client of the session's server, with its token.
func (e *env) api() (*client.API, localdb.Session, error) {
	s, err := e.db.Session(e.ctx)
	if err != nil {
		return nil, s, err
	}
	server := e.srv
	if server == "" {
		server = s.Server
	}
	if server == "" {
		return nil, s, assess.Errorf(assess.EInvalid, "尚未设置服务器地址，请先登录：yiwangtong login --server 地址 --username 用户名 (no server; log in first)")
	}
	api, err := e.newAPI(server)
	if err != nil {
		return nil, s, err
	}
	api.SetToken(s.Token)
	return api, s, nil
}

// syncer returns a syncer over the session's server and the local store.
func (e *env) syncer(progress func(client.Progress)) (*client.Syncer, error) {
	api, _, err := e.api()
	if err != nil {
		return nil, err
	}
	return client.NewSyncer(api, e.db, client.SyncOptions{Progress: progress, Now: e.now, Backoff: e.cfg.Backoff}), nil
}

var loginCommand = command{
	name:    "login",
	args:    "--server 地址 --username 用户名 [--password-stdin] [--ca 证书]",
	summary: "登录服务器并记住会话 (log in and remember the session)",
	flags: func(fs *flag.FlagSet) {
		fs.String("username", "", "用户名 (username)")
		fs.Bool("password-stdin", false, "从标准输入读取密码（第一行）(read the password from standard input)")
	},
	run: runLogin,
}

func runLogin(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("login 不接受位置参数 (no positional arguments)")
	}
	username := flagString(fs, "username")
	if username == "" {
		return usagef("请用 --username 指定用户名 (--username is required)")
	}
	server := e.srv
	if server == "" {
		if s, err := e.db.Session(e.ctx); err == nil {
			server = s.Server
		}
	}
	if server == "" {
		return usagef("请用 --server 指定服务器地址 (--server is required)")
	}
	if !flagBool(fs, "password-stdin") {
		fmt.Fprint(e.io.Err, "密码 (password)：")
	}
	password, err := readLine(e.io.In)
	if err != nil {
		return err
	}
	if password == "" {
		return assess.Errorf(assess.EInvalid, "密码不能为空 (the password is empty)")
	}
	api, err := e.newAPI(server)
	if err != nil {
		return err
	}
	lr, err := api.Login(e.ctx, username, password)
	if err != nil {
		return err
	}
	err = e.db.SaveSession(e.ctx, localdb.Session{Server: api.BaseURL(), Token: lr.Token, User: lr.User, ExpiresAt: lr.ExpiresAt})
	if err != nil {
		// Do not leave a session open on the server that nobody holds.
		_ = api.Logout(context.WithoutCancel(e.ctx))
		return err
	}
	if e.ca != "" {
		pem, err := os.ReadFile(e.ca)
		if err != nil {
			return fmt.Errorf("copy CA file: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(e.data, caFileName), pem); err != nil {
			return err
		}
	}
	u := lr.User
	fmt.Fprintf(e.io.Out, "已登录 (logged in)：%s（%s），%s，单位 %s，会话有效期至 %s\n",
		orDash(u.Name), u.Username, u.Role.Label(), orDash(u.UnitID), formatTime(lr.ExpiresAt))
	fmt.Fprintln(e.io.Err, "下一步：yiwangtong sync 下载任务 (next: run sync to pull your tasks)")
	return nil
}

// readLine reads the first line of r, without its line end.
func readLine(r interface{ Read([]byte) (int, error) }) (string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 4096)
	if sc.Scan() {
		return strings.TrimRight(sc.Text(), "\r"), nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return "", nil
}

var logoutCommand = command{
	name:    "logout",
	args:    "",
	summary: "退出登录；本地数据和待同步的修改保留 (log out; local data and queued changes stay)",
	run: func(e *env, fs *flag.FlagSet, args []string) error {
		api, _, err := e.api()
		if assess.ErrorCode(err) == assess.EUnauthorized {
			fmt.Fprintln(e.io.Out, "当前没有登录 (not logged in)")
			return nil
		}
		if err != nil {
			return err
		}
		if err := api.Logout(e.ctx); err != nil && assess.ErrorCode(err) != assess.EUnauthorized {
			fmt.Fprintf(e.io.Err, "提示：服务器上的会话未能注销（%s），本机已退出 (the server was not told)\n", assess.ErrorMessage(err))
		}
		if err := e.db.ClearSession(e.ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.io.Out, "已退出登录 (logged out)")
		return nil
	},
}

var statusCommand = command{
	name:    "status",
	args:    "",
	summary: "显示登录、连接和同步状态 (show login, connection and sync state)",
	run:     runStatus,
}

func runStatus(e *env, fs *flag.FlagSet, args []string) error {
	w := e.io.Out
	s, err := e.db.Session(e.ctx)
	loggedIn := err == nil
	if err != nil && assess.ErrorCode(err) != assess.EUnauthorized {
		return err
	}
	if loggedIn {
		u := s.User
		fmt.Fprintf(w, "用户 (user)\t%s（%s）\t%s\t%s\n", orDash(u.Name), u.Username, u.Role.Label(), orDash(u.UnitID))
		fmt.Fprintf(w, "服务器 (server)\t%s\n", s.Server)
		fmt.Fprintf(w, "会话有效期 (session until)\t%s\n", formatTime(s.ExpiresAt))
	} else {
		fmt.Fprintln(w, "用户 (user)\t未登录 (not logged in)")
	}
	online := "未知 (unknown)"
	if loggedIn || e.srv != "" {
		server := e.srv
		if server == "" {
			server = s.Server
		}
		if api, err := e.newAPI(server); err == nil {
			ctx, cancel := context.WithTimeout(e.ctx, 3*time.Second)
			err := api.Health(ctx)
			cancel()
			if err == nil {
				online = "在线 (online)"
			} else {
				online = "离线 (offline)：" + assess.ErrorMessage(err)
			}
		}
	}
	fmt.Fprintf(w, "连接 (connection)\t%s\n", online)
	pending, rejected, err := e.db.PendingCount(e.ctx)
	if err != nil {
		return err
	}
	cursor, err := e.db.Cursor(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "待推送 (pending)\t%d\n", pending)
	fmt.Fprintf(w, "被拒绝 (rejected)\t%d\n", rejected)
	fmt.Fprintf(w, "同步游标 (cursor)\t%d\n", cursor)
	last := "从未同步 (never)"
	if st := e.loadState(); !st.LastSync.IsZero() {
		last = formatTime(st.LastSync)
	}
	fmt.Fprintf(w, "上次同步 (last sync)\t%s\n", last)
	fmt.Fprintf(w, "数据文件夹 (data)\t%s\n", e.data)
	if rejected > 0 {
		fmt.Fprintln(e.io.Err, "有被服务器拒绝的修改，请运行 yiwangtong conflicts 查看并处理 (run conflicts to see the rejected changes)")
	}
	return nil
}

// flagString returns the value of a string flag of fs.
func flagString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// flagBool returns the value of a boolean flag of fs.
func flagBool(fs *flag.FlagSet, name string) bool {
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			b, _ := g.Get().(bool)
			return b
		}
	}
	return false
}

// flagSet reports whether a flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatTime prints a time in China Standard Time, "-" for none.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(assess.CST).Format("2006-01-02 15:04:05")
}

// formatDay prints a day, "-" for none.
func formatDay(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(assess.CST).Format("2006-01-02")
}
