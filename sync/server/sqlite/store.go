// Package sqlite is the central server's authoritative store on an embedded
// SQLite database (modernc.org/sqlite, no cgo): accounts and sessions, the
// business rules every pushed change passes through, the change feed that
// clients pull, evidence records and the hash-chained audit log. It
// implements server.Store; sync/server/storetest holds the contract tests it
// shares with every other engine.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

var _ server.Store = (*Store)(nil)

// Options tune a Store.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Store is the server's record in one SQLite file. It is safe for
// concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
	// wmu serialises the write transactions of this process, so that they
	// queue in Go rather than poll SQLite's lock; other processes still wait
	// on busy_timeout.
	wmu sync.Mutex
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. The connection settings travel in the DSN: WAL, foreign keys,
// a busy timeout, synchronous FULL (a committed change survives a power
// cut), a 32 MiB page cache per connection, and write transactions that
// begin IMMEDIATE so that concurrent writers queue instead of deadlocking.
func Open(path string, opts Options) (*Store, error) {
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open %s: the database path must not contain '?'", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "cache_size(-32768)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(idleConns)
	s := &Store{db: db, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	return s, nil
}

// Connection pool bounds: readers run in parallel under WAL, each
// connection with its own page cache.
const (
	maxConns  = 16
	idleConns = 4
)

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// txn is one transaction and what its helpers share: the context, the time
// the transaction stands at, the highest feed sequence written so far, and
// the statements prepared in it (a batch of changes runs the same few
// statements many times).
type txn struct {
	*sql.Tx
	ctx   context.Context
	now   time.Time
	seq   int64
	stmts map[string]*sql.Stmt
}

func newTxn(ctx context.Context, tx *sql.Tx, now time.Time) *txn {
	return &txn{Tx: tx, ctx: ctx, now: now, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the statement for query, prepared once per transaction;
// database/sql closes it with the transaction.
func (t *txn) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	return st, nil
}

func (t *txn) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *txn) queryRow(query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		// Let the error surface from Scan, as database/sql does.
		return t.QueryRowContext(t.ctx, query, args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

func (t *txn) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// write runs fn in one IMMEDIATE transaction and commits it when fn
// succeeds.
func (s *Store) write(ctx context.Context, fn func(t *txn) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := newTxn(ctx, tx, s.now().Round(0))
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read-only transaction: a consistent snapshot that does
// not hold up writers.
func (s *Store) read(ctx context.Context, fn func(t *txn) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(newTxn(ctx, tx, s.now().Round(0)))
}

// nanos and fromNanos convert times to and from their stored form.
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
