package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
)

// defaultTokenDays is how long a service account's token lasts unless
// --days says otherwise.
const defaultTokenDays = 365

// token issues a long-lived session token for a service account, which
// another government system sends as "Authorization: Bearer <token>" to
// import leads. The token is printed once, alone on stdout; the store keeps
// only its hash.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlags("token", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	var username string
	flags.StringVar(&username, "username", "", "接口账号的用户名 (the service account's login name)")
	flags.StringVar(&username, "user", "", "同 --username (same as --username)")
	days := flags.Int("days", defaultTokenDays, "有效天数 (days the token is valid)")
	if !parse(flags, args, stderr, map[string]*string{"data": data, "username": &username}) {
		return exitUsage
	}
	maxDays := int(server.MaxServiceTokenTTL / (24 * time.Hour))
	if *days < 1 || *days > maxDays {
		fmt.Fprintf(stderr, "--days 应在 1 到 %d 之间，而不是 %d (days out of range)\n", maxDays, *days)
		return exitUsage
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	tok, sess, err := server.IssueServiceToken(ctx, store, username, time.Now(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, tok)
	fmt.Fprintf(stderr, "已为接口账号 %s 签发令牌，有效期至 %s。令牌只显示这一次，服务器只保存其摘要，请立即交给对接系统妥善保存；"+
		"停用该账号或修改其密码即令令牌失效。 (token issued, valid until %s; it is shown only once; disabling the account or setting its password revokes it)\n",
		username, sess.ExpiresAt.In(assess.CST).Format("2006-01-02 15:04"), sess.ExpiresAt.Format(time.RFC3339))
	return exitOK
}
