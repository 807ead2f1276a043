package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
)

// user manages accounts: add, disable, enable, passwd.
func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "用法 (usage): yiwangtong-server user add|disable|enable|passwd --data 目录 --username 用户名 …\n")
		return exitUsage
	}
	switch args[0] {
	case "add":
		return userAdd(ctx, args[1:], stdin, stdout, stderr)
	case "disable":
		return userSetDisabled(ctx, args[1:], true, stdout, stderr)
	case "enable":
		return userSetDisabled(ctx, args[1:], false, stdout, stderr)
	case "passwd":
		return userPasswd(ctx, args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "未知的 user 子命令“%s”，应为 add、disable、enable 或 passwd (unknown user command)\n", args[0])
	return exitUsage
}

// userAdd creates an account. The password comes from stdin with
// --password-stdin; otherwise one is generated and printed as
// username<TAB>role<TAB>unit<TAB>password.
func userAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlags("user add", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	username := flags.String("username", "", "登录用户名 (login name)")
	name := flags.String("name", "", "姓名或账号说明 (display name)")
	role := flags.String("role", "", "角色 reporter（填报）、reviewer（审核）或 service（接口账号）(role)")
	unit := flags.String("unit", "", "所属单位编号 (unit ID)")
	admin := flags.Bool("admin", false, "管理员，仅审核用户 (administrator; reviewers only)")
	fromStdin := flags.Bool("password-stdin", false, "从标准输入读取密码 (read the password from stdin)")
	if !parse(flags, args, stderr, map[string]*string{"data": data, "username": username, "name": name, "role": role}) {
		return exitUsage
	}
	u := assess.User{ID: "u-" + *username, Username: *username, Name: *name, Role: assess.Role(*role), UnitID: *unit, Admin: *admin}
	if !u.Role.Valid() {
		fmt.Fprintf(stderr, "--role 应为 reporter、reviewer 或 service，而不是“%s” (unknown role)\n", *role)
		return exitUsage
	}
	if err := assess.ValidateUsername(u.Username); err != nil {
		return fail(stderr, err)
	}
	var pw string
	var err error
	if *fromStdin {
		if pw, err = readPassword(stdin); err != nil {
			return fail(stderr, err)
		}
	} else if pw, err = server.GeneratePassword(server.GeneratedPasswordLen); err != nil {
		return fail(stderr, err)
	}
	hash, err := server.HashPassword(pw)
	if err != nil {
		return fail(stderr, err)
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	if err := store.AddUser(ctx, u, hash); err != nil {
		return fail(stderr, err)
	}
	if *fromStdin {
		fmt.Fprintf(stdout, "已添加用户 %s（%s，%s） (user added)\n", u.Username, u.Name, u.Role.Label())
	} else {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", u.Username, u.Role, u.UnitID, pw)
	}
	return exitOK
}

// userSetDisabled disables an account, ending its sessions, or enables it
// again.
func userSetDisabled(ctx context.Context, args []string, disabled bool, stdout, stderr io.Writer) int {
	flags := newFlags("user disable", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	username := flags.String("username", "", "登录用户名 (login name)")
	if !parse(flags, args, stderr, map[string]*string{"data": data, "username": username}) {
		return exitUsage
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	u, _, err := store.UserByUsername(ctx, *username)
	if err != nil {
		return fail(stderr, err)
	}
	if err := store.SetDisabled(ctx, u.ID, disabled); err != nil {
		return fail(stderr, err)
	}
	if disabled {
		fmt.Fprintf(stdout, "已停用用户 %s，其登录已全部失效 (user disabled; sessions ended)\n", u.Username)
	} else {
		fmt.Fprintf(stdout, "已启用用户 %s (user enabled)\n", u.Username)
	}
	return exitOK
}

// userPasswd sets a new password read from stdin and ends the user's
// sessions.
func userPasswd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := newFlags("user passwd", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	username := flags.String("username", "", "登录用户名 (login name)")
	if !parse(flags, args, stderr, map[string]*string{"data": data, "username": username}) {
		return exitUsage
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return fail(stderr, err)
	}
	hash, err := server.HashPassword(pw)
	if err != nil {
		return fail(stderr, err)
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	u, _, err := store.UserByUsername(ctx, *username)
	if err != nil {
		return fail(stderr, err)
	}
	if err := store.SetPassword(ctx, u.ID, hash); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "已修改用户 %s 的密码，其登录已全部失效 (password changed; sessions ended)\n", u.Username)
	return exitOK
}

// readPassword reads the first line of stdin as a new password and checks
// it.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("读取密码失败 (read the password): %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", assess.Errorf(assess.EInvalid, "标准输入中没有密码 (no password on stdin)")
	}
	if err := assess.ValidatePassword(pw); err != nil {
		return "", err
	}
	return pw, nil
}
