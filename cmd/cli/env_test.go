package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/cmd/cli"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The test city: two units, a reviewer and a reporter per unit, a
// published year with one indicator (10 points, low-score line 6) assigned
// to both units.
const (
	unitA  = "unit-a"
	unitB  = "unit-b"
	yearID = "2026"
	taskA  = "ind-1-1@" + unitA
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

// city is a real server on loopback over a real SQLite store.
type city struct {
	t     *testing.T
	now   time.Time
	store *sqlite.Store
	http  *httptest.Server
}

// newCity starts the server; tls serves it over HTTPS with httptest's own
// certificate authority.
func newCity(t *testing.T, tls bool) *city {
	t.Helper()
	dir := t.TempDir()
	c := &city{t: t, now: time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)}
	st, err := sqlite.Open(filepath.Join(dir, "server.db"), sqlite.Options{Now: c.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c.store = st
	blobs, err := server.NewDirBlobs(filepath.Join(dir, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Blobs: blobs, DataDir: filepath.Join(dir, "uploads"), Now: c.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if tls {
		c.http = httptest.NewTLSServer(srv)
	} else {
		c.http = httptest.NewServer(srv)
	}
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
	var cs []wire.Change
	for i, x := range []struct {
		kind string
		data any
	}{
		{wire.KindGroupSave, assess.Group{ID: "district", Name: "区县"}},
		{wire.KindUnitSave, assess.Unit{ID: unitA, Name: "甲区", GroupID: "district"}},
		{wire.KindUnitSave, assess.Unit{ID: unitB, Name: "乙区", GroupID: "district"}},
		{wire.KindYearSave, assess.Year{ID: yearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}},
		{wire.KindIndicatorSave, assess.Indicator{ID: "ind-1", YearID: yearID, Code: "1", Title: "依法全面履行政府职能", MaxScore: 10}},
		{wire.KindIndicatorSave, assess.Indicator{ID: "ind-1-1", YearID: yearID, ParentID: "ind-1", Code: "1.1", Title: "推行政府权责清单制度",
			Content: "全面实行政府权责清单制度，推动各级政府高效履职尽责。", Standard: "权责清单向社会公布并动态调整",
			Evidence: []string{"权责清单文件", "公开网页截图"}, MaxScore: 10, LowScore: 6,
			Deadline: assess.Date(2026, 11, 30), Units: []string{unitA, unitB}}},
		{wire.KindYearPublish, wire.YearRef{YearID: yearID}},
	} {
		b, err := json.Marshal(x.data)
		if err != nil {
			c.t.Fatal(err)
		}
		cs = append(cs, wire.Change{ID: fmt.Sprintf("seed-%d", i), Kind: x.kind, Data: b, MadeAt: c.now})
	}
	results, err := c.store.Push(ctx, accounts["reviewer"].user, cs)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != wire.Applied {
			c.t.Fatalf("seed %s: %s %s", r.ID, r.Code, r.Message)
		}
	}
}

// desk is one user's PC: a data folder and the command line.
type desk struct {
	t    *testing.T
	c    *city
	data string
}

func (c *city) desk() *desk {
	return &desk{t: c.t, c: c, data: c.t.TempDir()}
}

// result is what a command printed and returned.
type result struct {
	code     int
	out, err string
}

// run runs a command line on the desk with stdin as input.
func (d *desk) run(stdin string, args ...string) result {
	d.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--data", d.data}, args...)
	code := cli.Run(context.Background(), full, cli.IO{In: strings.NewReader(stdin), Out: &out, Err: &errb},
		cli.Config{Now: d.c.clock, Backoff: client.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 2},
			AuditPageSize: 7})
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its standard output.
func (d *desk) ok(args ...string) string {
	d.t.Helper()
	r := d.run("", args...)
	if r.code != cli.ExitOK {
		d.t.Fatalf("yiwangtong %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// login logs the desk in as username.
func (d *desk) login(username string) {
	d.t.Helper()
	r := d.run(accounts[username].password+"\n", "login", "--server", d.c.http.URL, "--username", username, "--password-stdin")
	if r.code != cli.ExitOK || !strings.Contains(r.out, "已登录") {
		d.t.Fatalf("login %s: exit %d\n%s%s", username, r.code, r.out, r.err)
	}
}

// file writes a file that passes as the evidence type its name says.
func (d *desk) file(name string, seed uint64, size int) string {
	d.t.Helper()
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	switch filepath.Ext(name) {
	case ".pdf":
		copy(b, "%PDF-1.7\n")
	case ".png":
		copy(b, "\x89PNG\r\n\x1a\n")
	}
	p := filepath.Join(d.t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		d.t.Fatal(err)
	}
	return p
}

// field returns the tab-separated line of out that starts with key, split.
func field(out, key string) []string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, key+"\t") || line == key {
			return strings.Split(line, "\t")
		}
	}
	return nil
}
