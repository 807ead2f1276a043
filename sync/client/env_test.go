package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The test city: two units of one group, a reviewer and a reporter per
// unit, one published year with one indicator assigned to both units.
const (
	unitA  = "unit-a"
	unitB  = "unit-b"
	yearID = "2026"
	taskA  = "ind-1-1@" + unitA
	taskB  = "ind-1-1@" + unitB
)

type account struct {
	password string
	user     assess.User
}

var accounts = map[string]account{
	"reviewer": {"Review#2026", assess.User{ID: "u-reviewer", Username: "reviewer", Name: "市依法治市办审核员", Role: assess.Reviewer, UnitID: "office", Admin: true}},
	"rep-a":    {"Filing#A2026", assess.User{ID: "u-rep-a", Username: "rep-a", Name: "甲区填报员", Role: assess.Reporter, UnitID: unitA}},
	"rep-b":    {"Filing#B2026", assess.User{ID: "u-rep-b", Username: "rep-b", Name: "乙区填报员", Role: assess.Reporter, UnitID: unitB}},
}

var (
	hashOnce sync.Once
	hashes   map[string]string
)

// passwordHashes hashes the passwords once per test binary: argon2id is
// slow on purpose.
func passwordHashes() map[string]string {
	hashOnce.Do(func() {
		hashes = map[string]string{}
		for name, a := range accounts {
			h, err := server.HashPassword(a.password)
			if err != nil {
				panic(err)
			}
			hashes[name] = h
		}
	})
	return hashes
}

// city is a real server on loopback over a real SQLite store in a temp dir.
type city struct {
	t     testing.TB
	dir   string
	now   time.Time
	store *sqlite.Store
	blobs *server.DirBlobs
	http  *httptest.Server
}

func newCity(t testing.TB) *city {
	t.Helper()
	dir := tempDir(t)
	c := &city{t: t, dir: dir, now: time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)}
	st, err := sqlite.Open(filepath.Join(dir, "server.db"), sqlite.Options{Now: c.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c.store = st
	if c.blobs, err = server.NewDirBlobs(filepath.Join(dir, "evidence")); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		Store:   st,
		Blobs:   c.blobs,
		DataDir: filepath.Join(dir, "uploads"),
		Now:     c.clock,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	c.http = httptest.NewServer(srv)
	t.Cleanup(c.http.Close)
	c.seed()
	return c
}

func (c *city) clock() time.Time { return c.now }

func (c *city) seed() {
	ctx := context.Background()
	hs := passwordHashes()
	for _, name := range []string{"reviewer", "rep-a", "rep-b"} {
		if err := c.store.AddUser(ctx, accounts[name].user, hs[name]); err != nil {
			c.t.Fatal(err)
		}
	}
	c.push(accounts["reviewer"].user,
		change(wire.KindGroupSave, assess.Group{ID: "district", Name: "区县"}),
		change(wire.KindUnitSave, assess.Unit{ID: unitA, Name: "甲区", GroupID: "district"}),
		change(wire.KindUnitSave, assess.Unit{ID: unitB, Name: "乙区", GroupID: "district"}),
		change(wire.KindYearSave, assess.Year{ID: yearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}),
		change(wire.KindIndicatorSave, assess.Indicator{ID: "ind-1", YearID: yearID, Code: "1", Title: "依法全面履行政府职能", MaxScore: 10}),
		change(wire.KindIndicatorSave, assess.Indicator{ID: "ind-1-1", YearID: yearID, ParentID: "ind-1", Code: "1.1", Title: "推行政府权责清单制度",
			Standard: "权责清单向社会公布并动态调整", Evidence: []string{"权责清单文件", "公开网页截图"}, MaxScore: 10,
			Deadline: assess.Date(2026, 11, 30), Units: []string{unitA, unitB}}),
		change(wire.KindYearPublish, wire.YearRef{YearID: yearID}),
	)
}

var changeSeq int

func change(kind string, data any) wire.Change {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	changeSeq++
	return wire.Change{ID: fmt.Sprintf("seed-%s-%d", kind, changeSeq), Kind: kind, Data: b, MadeAt: time.Date(2026, 3, 1, 9, 0, 0, 0, assess.CST)}
}

// push applies changes straight to the store, as user.
func (c *city) push(u assess.User, cs ...wire.Change) {
	c.t.Helper()
	results, err := c.store.Push(context.Background(), u, cs)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != wire.Applied {
			c.t.Fatalf("change %s: %s %s", r.ID, r.Code, r.Message)
		}
	}
}

// pc is one user's desktop: a real local store in a temp dir, an API
// client (through rt when given) logged in, and a syncer.
type pc struct {
	db     *localdb.DB
	api    *client.API
	syncer *client.Syncer
	user   assess.User
}

// testBackoff keeps retries quick in tests.
var testBackoff = client.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond, Attempts: 5}

func (c *city) pc(username string, rt http.RoundTripper, progress func(client.Progress)) *pc {
	c.t.Helper()
	ctx := context.Background()
	db, err := localdb.Open(tempDir(c.t), localdb.Options{Now: c.clock})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	opts := client.Options{}
	if rt != nil {
		opts.HTTPClient = &http.Client{Transport: rt}
	}
	api, err := client.New(c.http.URL, opts)
	if err != nil {
		c.t.Fatal(err)
	}
	lr, err := api.Login(ctx, username, accounts[username].password)
	if err != nil {
		c.t.Fatalf("login %s: %v", username, err)
	}
	if err := db.SaveSession(ctx, localdb.Session{Server: c.http.URL, Token: lr.Token, User: lr.User, ExpiresAt: lr.ExpiresAt}); err != nil {
		c.t.Fatal(err)
	}
	s := client.NewSyncer(api, db, client.SyncOptions{Progress: progress, Now: c.clock, Backoff: testBackoff})
	return &pc{db: db, api: api, syncer: s, user: lr.User}
}

// randomFile returns size bytes of seeded random data that passes as a PDF.
func randomFile(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, size)
	for i := 0; i+8 <= len(b); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	copy(b, "%PDF-1.7\n")
	return b
}

// errCut is the failure a cut connection reports.
var errCut = errors.New("test: connection cut")

// cutDialer dials real loopback connections, counts every byte written to
// them, and cuts the connection in the middle of the write that crosses the
// next cut point (counted over all connections).
type cutDialer struct {
	mu      sync.Mutex
	written int64
	cuts    []int64 // ascending
	dialer  net.Dialer
	// down, when set, makes a cut take the network down: dials fail until
	// down is cleared.
	down, isDown bool
}

func (d *cutDialer) transport() *http.Transport {
	return &http.Transport{DialContext: d.dial, WriteBufferSize: 256 << 10, ReadBufferSize: 256 << 10}
}

func (d *cutDialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	down := d.isDown
	d.mu.Unlock()
	if down {
		return nil, errors.New("test: network down")
	}
	c, err := d.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &cutConn{Conn: c, d: d}, nil
}

func (d *cutDialer) total() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.written
}

type cutConn struct {
	net.Conn
	d *cutDialer
}

func (c *cutConn) Write(p []byte) (int, error) {
	d := c.d
	d.mu.Lock()
	if len(d.cuts) > 0 && d.written+int64(len(p)) > d.cuts[0] {
		allowed := max(d.cuts[0]-d.written, 0)
		d.cuts = d.cuts[1:]
		d.isDown = d.down
		d.mu.Unlock()
		n, _ := c.Conn.Write(p[:allowed])
		d.mu.Lock()
		d.written += int64(n)
		d.mu.Unlock()
		c.Conn.Close()
		return n, errCut
	}
	d.mu.Unlock()
	n, err := c.Conn.Write(p)
	d.mu.Lock()
	d.written += int64(n)
	d.mu.Unlock()
	return n, err
}

// lossy passes requests to the real server and, for those drop selects,
// throws the answer away and reports a broken connection instead: the
// server did the work, the client never heard.
type lossy struct {
	next http.RoundTripper
	mu   sync.Mutex
	drop func(*http.Request) bool
	lost []string
}

func (l *lossy) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	l.mu.Lock()
	drop := l.drop != nil && l.drop(req)
	if drop {
		l.lost = append(l.lost, req.Method+" "+req.URL.Path)
	}
	l.mu.Unlock()
	if drop {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("test: response lost")
	}
	return resp, nil
}

// once returns a drop rule that selects the first request matching method
// and path prefix.
func once(method, prefix string) func(*http.Request) bool {
	var mu sync.Mutex
	done := false
	return func(r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		if done || r.Method != method || !strings.HasPrefix(r.URL.Path, prefix) {
			return false
		}
		done = true
		return true
	}
}

// either combines drop rules.
func either(rules ...func(*http.Request) bool) func(*http.Request) bool {
	return func(r *http.Request) bool {
		for _, f := range rules {
			if f(r) {
				return true
			}
		}
		return false
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeFile writes b at path, making the folder.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// hasHan reports whether s has Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
