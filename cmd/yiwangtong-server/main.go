// Command yiwangtong-server is Yiwangtong's (一网通) central server: the JSON
// sync API, tus evidence uploads, resumable downloads and the hash-chained
// audit log, over one SQLite file and an evidence folder under --data. Its
// subcommands also seed a demo city, manage accounts, verify the audit chain
// and take online backups; run it without arguments for the list.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// run runs one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "demo":
		return loadDemo(ctx, rest, stdout, stderr)
	case "user":
		return user(ctx, rest, stdin, stdout, stderr)
	case "token":
		return token(ctx, rest, stdout, stderr)
	case "verify":
		return verify(ctx, rest, stdout, stderr)
	case "backup":
		return backup(ctx, rest, stdout, stderr)
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, "yiwangtong-server", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "未知的子命令“%s” (unknown command %q)\n\n%s", cmd, cmd, usage)
	return exitUsage
}

const usage = `一网通中心服务器 (Yiwangtong central server)

用法 (usage):
  yiwangtong-server serve  --data 目录 [--addr 主机:端口] [--cert 证书 --key 私钥] [--session-ttl 12h]
      启动服务；数据库为 目录/server.db，佐证材料在 目录/evidence
      (serve the API; the database is DIR/server.db, evidence in DIR/evidence)
  yiwangtong-server demo   --data 目录 [--year 年度] [--force]
      建立演示城市，每个账号输出一行：用户名<TAB>角色<TAB>单位<TAB>密码
      (seed a demo city; prints one line per account: username, role, unit, password)
  yiwangtong-server user add     --data 目录 --username 用户名 --name 姓名 --role reporter|reviewer|service [--unit 单位] [--admin] [--password-stdin]
  yiwangtong-server user disable --data 目录 --username 用户名
  yiwangtong-server user enable  --data 目录 --username 用户名
  yiwangtong-server user passwd  --data 目录 --username 用户名   (新密码从标准输入读取 / new password on stdin)
      管理账号 (manage accounts)
  yiwangtong-server token  --data 目录 --username 接口账号 [--days 365]
      为接口账号签发长期令牌，仅输出一次，供其他系统导入督察线索 (POST /api/v1/leads)
      (issue a long-lived token for a service account, printed once, for other systems to import leads)
  yiwangtong-server verify --data 目录
      校验审计链 (verify the audit chain)
  yiwangtong-server backup --data 目录 --out 文件
      在服务运行时做一致的数据库备份 (consistent online backup of the database)
  yiwangtong-server --version
      显示版本 (print the version)
`
