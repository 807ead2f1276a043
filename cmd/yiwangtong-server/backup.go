package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
)

// backup writes a consistent copy of the database while the server may be
// running. The evidence folder is content-addressed and only ever grows, so
// copying it file by file (before or after) is enough.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newFlags("backup", stderr)
	data := flags.String("data", "", "数据目录 (data folder)")
	out := flags.String("out", "", "备份文件 (backup file)")
	if !parse(flags, args, stderr, map[string]*string{"data": data, "out": out}) {
		return exitUsage
	}
	store, err := openStore(*data, false)
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	if err := store.Backup(ctx, *out); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "数据库已备份到 %s (database backed up); 佐证材料目录 %s 请另行复制 (copy the evidence folder separately)\n",
		*out, filepath.Join(*data, evidenceDir))
	return exitOK
}
