package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
)

// The layout of a data folder.
const (
	dbFile      = "server.db"
	evidenceDir = "evidence"
	uploadsDir  = "uploads"
)

// newFlags returns a flag set that reports to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	return flags
}

// parse parses args and checks the required flags; it returns false (after
// saying why) when the command cannot go on.
func parse(flags *flag.FlagSet, args []string, stderr io.Writer, required map[string]*string) bool {
	if err := flags.Parse(args); err != nil {
		return false
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "多余的参数：%v (unexpected arguments)\n", flags.Args())
		return false
	}
	for _, name := range slices.Sorted(maps.Keys(required)) {
		if *required[name] == "" {
			fmt.Fprintf(stderr, "缺少参数 --%s (--%s is required)\n", name, name)
			return false
		}
	}
	return true
}

// dbPath returns the database file of a data folder.
func dbPath(data string) string { return filepath.Join(data, dbFile) }

// hasDB reports whether the data folder already holds a database.
func hasDB(data string) (bool, error) {
	_, err := os.Stat(dbPath(data))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// openStore opens the store of a data folder, creating folder and database
// when create is set; otherwise a missing database is an error.
func openStore(data string, create bool) (*sqlite.Store, error) {
	if create {
		if err := os.MkdirAll(data, 0o750); err != nil {
			return nil, fmt.Errorf("创建数据目录失败 (create the data folder): %w", err)
		}
	} else {
		ok, err := hasDB(data)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("数据目录 %s 中没有数据库 %s，请检查 --data 或先运行 serve / demo (no database in the data folder)", data, dbFile)
		}
	}
	return sqlite.Open(dbPath(data), sqlite.Options{Now: time.Now})
}

// fail reports err and returns the failure exit code.
func fail(stderr io.Writer, err error) int {
	msg := err.Error()
	var ae *assess.Error
	if errors.As(err, &ae) {
		msg = ae.Message
	}
	fmt.Fprintln(stderr, "错误 (error):", msg)
	return exitFail
}
