package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"

	"modernc.org/sqlite" // the database/sql driver "sqlite"
)

// FileName is the name of the database file inside the data folder.
const FileName = "yiwangtong.db"

// Options configures Open.
type Options struct {
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// DB is the local store: the SQLite database and the evidence folder of one
// data folder. It is safe for concurrent use.
type DB struct {
	dir   string
	evDir string
	now   func() time.Time
	w     *sql.DB // exactly one connection; every write transaction is IMMEDIATE
	r     *sql.DB // read-only connections
}

// DefaultDir returns the per-user application data folder of this OS:
// %LOCALAPPDATA%\Yiwangtong on Windows, ~/Library/Application Support/Yiwangtong
// on macOS, and $XDG_DATA_HOME/yiwangtong or ~/.local/share/yiwangtong
// elsewhere.
func DefaultDir() (string, error) {
	return defaultDir(runtime.GOOS, os.Getenv, os.UserHomeDir)
}

func defaultDir(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if goos == "windows" {
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Yiwangtong"), nil
		}
		// Fall back to the profile folder's usual location.
	}
	if goos != "windows" && goos != "darwin" && goos != "ios" {
		if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "yiwangtong"), nil
		}
	}
	h, err := home()
	if err != nil || h == "" {
		return "", assess.Errorf(assess.EInternal, "找不到用户主目录，请用 --data 指定数据文件夹 (no home folder: %v)", err)
	}
	switch goos {
	case "windows":
		return filepath.Join(h, "AppData", "Local", "Yiwangtong"), nil
	case "darwin", "ios":
		return filepath.Join(h, "Library", "Application Support", "Yiwangtong"), nil
	}
	return filepath.Join(h, ".local", "share", "yiwangtong"), nil
}

// dsn returns the data source name of the database at path: WAL, foreign
// keys, a busy timeout (another process, e.g. a headless command, may hold
// the write lock for a moment) and synchronous=FULL, so that a committed
// transaction survives a power cut. Writers begin IMMEDIATE transactions;
// readers are query-only.
func dsn(path string, write bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(15000)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(FULL)")
	if write {
		v.Add("_pragma", "journal_mode(WAL)")
		v.Set("_txlock", "immediate")
	} else {
		v.Add("_pragma", "query_only(1)")
	}
	return path + "?" + v.Encode()
}

// Open opens (creating if needed) the store in the data folder dir and
// brings its schema up to date.
func Open(dir string, opts Options) (*DB, error) {
	return open(dir, opts, len(migrations))
}

func open(dir string, opts Options, upTo int) (*DB, error) {
	if strings.ContainsRune(dir, '?') {
		return nil, assess.Errorf(assess.EInvalid, "数据文件夹路径不能包含“?”，请换一个文件夹 (data folder path contains '?')")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	db := &DB{dir: abs, evDir: filepath.Join(abs, "evidence"), now: opts.Now}
	if db.now == nil {
		db.now = time.Now
	}
	for _, d := range []string{abs, db.evDir, db.tmpDir(), db.partialDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, assess.Errorf(assess.EInternal, "无法创建数据文件夹“%s”：%v，请检查权限或用 --data 另选文件夹 (cannot create the data folder)", d, err)
		}
	}
	path := filepath.Join(abs, FileName)
	if db.w, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if err := db.setup(upTo); err != nil {
		db.w.Close()
		return nil, err
	}
	if db.r, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		db.w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.r.SetMaxOpenConns(4)
	db.r.SetMaxIdleConns(4)
	db.cleanTmp()
	return db, nil
}

func (db *DB) setup(upTo int) error {
	ctx := context.Background()
	var mode string
	// The first connection turns a new file into WAL mode, which needs an
	// exclusive lock that SQLite does not wait for: when two processes
	// create the folder at the same moment, one of them retries.
	err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	for try := 1; isBusy(err) && try <= 40; try++ {
		time.Sleep(time.Duration(try) * 5 * time.Millisecond)
		err = db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	}
	if err != nil {
		return assess.Errorf(assess.EInternal, "无法打开本地数据库“%s”：%v (cannot open the database)", filepath.Join(db.dir, FileName), err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open %s: journal mode is %q, want wal", db.dir, mode)
	}
	return migrate(ctx, db.w, upTo)
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5 // SQLITE_BUSY, with any extended code
}

// cleanTmp removes temporary evidence files that an interrupted AddEvidence
// left behind a day or more ago.
func (db *DB) cleanTmp() {
	ents, err := os.ReadDir(db.tmpDir())
	if err != nil {
		return
	}
	cutoff := db.now().Add(-24 * time.Hour)
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(db.tmpDir(), e.Name()))
		}
	}
}

// Dir returns the data folder.
func (db *DB) Dir() string { return db.dir }

// Close checkpoints the write-ahead log into the database file and closes it.
func (db *DB) Close() error {
	_, cerr := db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	rerr := db.r.Close()
	werr := db.w.Close()
	if isBusy(cerr) {
		cerr = nil // another process is reading; it checkpoints later
	}
	return errors.Join(werr, rerr, cerr)
}

// querier is what read helpers need; *sql.DB and *sql.Tx both have it.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// write runs fn in one IMMEDIATE transaction and commits it when fn
// succeeds.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read-only transaction, so that it sees one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// timeLayout is fixed-width, so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// fmtTime formats t in UTC; the zero time is "".
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a time written by fmtTime.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// checkTime refuses times that cannot be stored and read back.
func checkTime(what string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("%s: time %v out of range", what, t)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
