package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// loadDemo seeds a demo city into a new database and prints each account as
// username<TAB>role<TAB>unit<TAB>password, and nothing else, on stdout.
func loadDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlags("demo", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	year := flags.Int("year", time.Now().Year(), "考核年度 (assessment year)")
	force := flags.Bool("force", false, "删除已有数据库后重建 (replace an existing database)")
	if !parse(flags, args, stderr, map[string]*string{"data": data}) {
		return exitUsage
	}
	if *year < 2000 || *year > 2100 {
		fmt.Fprintln(stderr, "--year 应在 2000 到 2100 之间 (--year out of range)")
		return exitUsage
	}
	exists, err := hasDB(*data)
	if err != nil {
		return fail(stderr, err)
	}
	if exists {
		if !*force {
			return fail(stderr, fmt.Errorf("数据目录 %s 已有数据库，演示数据只能装入新库；如确需覆盖，请加 --force (the data folder already has a database; add --force to replace it)", *data))
		}
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Remove(dbPath(*data) + suffix); err != nil && !os.IsNotExist(err) {
				return fail(stderr, err)
			}
		}
	}
	store, err := openStore(*data, true)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	now := time.Now()
	creds, err := demo.Load(ctx, store, demo.City(*year, now), now, server.HashPassword)
	if err != nil {
		return fail(stderr, err)
	}
	for _, c := range creds {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", c.Username, c.Role, c.UnitID, c.Password)
	}
	return exitOK
}
