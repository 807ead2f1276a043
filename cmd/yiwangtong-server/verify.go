package main

import (
	"context"
	"fmt"
	"io"
)

// verify walks the audit chain: exit 0 when every link holds, 1 otherwise.
func verify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlags("verify", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	if !parse(flags, args, stderr, map[string]*string{"data": data}) {
		return exitUsage
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	rep, err := store.VerifyAudit(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	if !rep.OK {
		fmt.Fprintf(stderr, "审计链校验失败 (audit chain broken): %s\n", rep.Error)
		return exitFail
	}
	fmt.Fprintf(stdout, "审计链校验通过 (audit chain verified): %d events, head %s\n", rep.Events, rep.Head)
	return exitOK
}
