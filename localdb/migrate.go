package localdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded steps in order; version i+1 is migrations[i].
var migrations = loadMigrations()

func loadMigrations() []migration {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			panic(fmt.Sprintf("localdb: migration %s is not named NNNN_name.sql", base))
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			panic(fmt.Sprintf("localdb: migration %s out of sequence, want number %04d", m.name, i+1))
		}
	}
	return ms
}

// schemaVersion returns the number of migrations the database has had.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies the migrations after the database's version up to upTo,
// each in its own IMMEDIATE transaction together with the new version
// number. The version is read inside each transaction, so that two
// processes opening the same folder at once never apply a step twice.
func migrate(ctx context.Context, w *sql.DB, upTo int) error {
	for {
		done, err := migrateOne(ctx, w, upTo)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if any; done reports that the
// database is at upTo (or newer, which is an error).
func migrateOne(ctx context.Context, w *sql.DB, upTo int) (done bool, err error) {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if cur > len(migrations) {
		return false, assess.Errorf(assess.EConflict, "本地数据库由更新版本的一网通创建（结构版本 %d），请升级本程序后再打开 (the database is newer than this program)", cur)
	}
	if cur >= upTo {
		return true, nil
	}
	m := migrations[cur]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	return false, nil
}
