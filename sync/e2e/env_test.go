package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

var ctx = context.Background()

// The test city: two districts and a city department in two ranking groups,
// the city office's reviewers, a reporter per unit, and year 2026 with two
// categories and three leaves.
const (
	yearID    = "2026"
	groupDist = "district"
	groupDept = "dept"
	unitA     = "zhangdian" // 张店区, district
	unitB     = "zichuan"   // 淄川区, district
	unitC     = "sfj"       // 市司法局, department
	office    = "city"      // the reviewers' unit, not assessed
)

// Leaves of the test year, and the tasks of unit A.
const (
	leaf11 = "ind-1-1" // 10 points, threshold 6, units A B C, due 2026-06-30
	leaf12 = "ind-1-2" // 20 points, threshold 15, units A B, due 2026-05-15
	leaf21 = "ind-2-1" // 10 points, threshold 6, units A B C, due 2026-05-12
)

func task(leaf, unit string) string { return assess.TaskID(leaf, unit) }

// person is an account of the test city.
type person struct {
	password string
	user     assess.User
}

var people = map[string]person{
	"admin":     {"Admin#2026", assess.User{ID: "u-admin", Username: "admin", Name: "市依法治市办管理员", Role: assess.Reviewer, UnitID: office, Admin: true}},
	"reviewer1": {"Review1#2026", assess.User{ID: "u-reviewer1", Username: "reviewer1", Name: "审核员甲", Role: assess.Reviewer, UnitID: office}},
	"reviewer2": {"Review2#2026", assess.User{ID: "u-reviewer2", Username: "reviewer2", Name: "审核员乙", Role: assess.Reviewer, UnitID: office}},
	"rep-a":     {"FilingA#2026", assess.User{ID: "u-rep-a", Username: "rep-a", Name: "张店区填报员", Role: assess.Reporter, UnitID: unitA}},
	"rep-b":     {"FilingB#2026", assess.User{ID: "u-rep-b", Username: "rep-b", Name: "淄川区填报员", Role: assess.Reporter, UnitID: unitB}},
	"rep-c":     {"FilingC#2026", assess.User{ID: "u-rep-c", Username: "rep-c", Name: "市司法局填报员", Role: assess.Reporter, UnitID: unitC}},
}

var (
	hashOnce sync.Once
	hashes   map[string]string
)

// passwordHash returns the argon2id hash of a person's password, hashing
// every password once per test binary (argon2id is slow on purpose).
func passwordHash(t testing.TB, username string) string {
	t.Helper()
	hashOnce.Do(func() {
		hashes = map[string]string{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for name, p := range people {
			wg.Go(func() {
				h, err := server.HashPassword(p.password)
				if err != nil {
					panic(err)
				}
				mu.Lock()
				hashes[name] = h
				mu.Unlock()
			})
		}
		wg.Wait()
	})
	h, ok := hashes[username]
	if !ok {
		t.Fatalf("no such test account %q", username)
	}
	return h
}

// at returns a time of 2026 in China Standard Time.
func at(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, assess.CST)
}

// clock is the settable clock the server and every client share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// central is the central server on loopback: a real SQLite store and an
// evidence folder in one data folder laid out as yiwangtong-server's
// (server.db, evidence/, uploads/). It can be stopped and started again
// on the same data and the same address.
type central struct {
	t     testing.TB
	dir   string
	addr  string
	clock *clock
	wrap  func(net.Listener) net.Listener // wraps the listener, when set

	store *sqlite.Store
	blobs *server.DirBlobs
	http  *httptest.Server
}

// newCentral starts a server with an empty store.
func newCentral(t testing.TB, clk *clock, wrap func(net.Listener) net.Listener) *central {
	t.Helper()
	c := &central{t: t, dir: tempDir(t), addr: "127.0.0.1:0", clock: clk, wrap: wrap}
	c.start()
	t.Cleanup(c.stop)
	return c
}

// start opens the store and serves it at the server's address.
func (c *central) start() {
	c.t.Helper()
	if c.http != nil {
		c.t.Fatal("the server is already running")
	}
	st, err := sqlite.Open(filepath.Join(c.dir, "server.db"), sqlite.Options{Now: c.clock.Now})
	if err != nil {
		c.t.Fatal(err)
	}
	blobs, err := server.NewDirBlobs(filepath.Join(c.dir, "evidence"))
	if err != nil {
		st.Close()
		c.t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		Store:   st,
		Blobs:   blobs,
		DataDir: filepath.Join(c.dir, "uploads"),
		Now:     c.clock.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The tests move the clock over months; a login lasts the year.
		SessionTTL: 400 * 24 * time.Hour,
	})
	if err != nil {
		st.Close()
		c.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		st.Close()
		c.t.Fatalf("listen again on %s: %v", c.addr, err)
	}
	c.addr = ln.Addr().String()
	if c.wrap != nil {
		ln = c.wrap(ln)
	}
	c.store, c.blobs = st, blobs
	c.http = &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	c.http.Start()
}

// stop stops serving, breaking the connections in use, and closes the
// store. Stopping a stopped server does nothing.
func (c *central) stop() {
	if c.http == nil {
		return
	}
	c.http.CloseClientConnections()
	c.http.Close()
	c.http = nil
	if err := c.store.Close(); err != nil {
		c.t.Errorf("close the server store: %v", err)
	}
	c.store = nil
}

// url is the server's base URL; it stays the same across restarts.
func (c *central) url() string { return "http://" + c.addr }

// addUsers creates accounts on the server, as `yiwangtong-server user add`
// does.
func (c *central) addUsers(names ...string) {
	c.t.Helper()
	for _, n := range names {
		if err := c.store.AddUser(ctx, people[n].user, passwordHash(c.t, n)); err != nil {
			c.t.Fatalf("add user %s: %v", n, err)
		}
	}
}

var changeSeq struct {
	sync.Mutex
	n int
}

// apply pushes a change straight into the store as the named user; it must
// be applied. It stands for work done on other PCs, outside what a test
// watches.
func (c *central) apply(username string, kind string, data any) {
	c.t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		c.t.Fatal(err)
	}
	changeSeq.Lock()
	changeSeq.n++
	id := fmt.Sprintf("direct-%d", changeSeq.n)
	changeSeq.Unlock()
	rs, err := c.store.Push(ctx, people[username].user, []wire.Change{{ID: id, Kind: kind, Data: b, MadeAt: c.clock.Now()}})
	if err != nil {
		c.t.Fatalf("%s: %v", kind, err)
	}
	if len(rs) != 1 || rs[0].Status != wire.Applied {
		c.t.Fatalf("%s: %+v, want applied", kind, rs)
	}
}

// cityYear is the organisation and the year of the test city: what an
// administrator sets up before publishing. extra adds that many 2-point
// leaves under a third category, assigned to unit A only.
func cityYear(extra int) ([]assess.Group, []assess.Unit, assess.Year, []assess.Indicator) {
	groups := []assess.Group{{ID: groupDist, Name: "区县"}, {ID: groupDept, Name: "市直部门"}}
	units := []assess.Unit{
		{ID: unitA, Name: "张店区", GroupID: groupDist},
		{ID: unitB, Name: "淄川区", GroupID: groupDist},
		{ID: unitC, Name: "市司法局", GroupID: groupDept},
	}
	year := assess.Year{ID: yearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}
	inds := []assess.Indicator{
		{ID: "ind-1", YearID: yearID, Code: "1", Title: "依法全面履行政府职能", MaxScore: 30},
		{ID: leaf11, YearID: yearID, ParentID: "ind-1", Code: "1.1", Title: "推行政府权责清单制度并实行动态管理",
			Content: "全面梳理行政权力事项，编制权责清单并向社会公布，建立动态调整机制。", Standard: "权责清单向社会公布并动态调整",
			Evidence: []string{"权责清单文件", "动态调整会议纪要", "公开网页截图"}, MaxScore: 10,
			Deadline: assess.Date(2026, 6, 30), Units: []string{unitA, unitB, unitC}},
		{ID: leaf12, YearID: yearID, ParentID: "ind-1", Code: "1.2", Title: "深化“放管服”改革，优化营商环境",
			Standard: "政务服务事项网上可办率达到 90%", Evidence: []string{"工作方案", "统计表"}, MaxScore: 20, LowScore: 15,
			Deadline: assess.Date(2026, 5, 15), Units: []string{unitA, unitB}},
		{ID: "ind-2", YearID: yearID, Code: "2", Title: "完善依法行政制度体系", MaxScore: 10},
		{ID: leaf21, YearID: yearID, ParentID: "ind-2", Code: "2.1", Title: "规范性文件合法性审核全覆盖",
			Standard: "规范性文件均经合法性审核", Evidence: []string{"审核台账"}, MaxScore: 10,
			Deadline: assess.Date(2026, 5, 12), Units: []string{unitA, unitB, unitC}},
	}
	if extra > 0 {
		inds = append(inds, assess.Indicator{ID: "ind-3", YearID: yearID, Code: "3", Title: "推进行政决策科学化、民主化、法治化", MaxScore: float64(2 * extra)})
		for i := range extra {
			inds = append(inds, assess.Indicator{ID: extraLeaf(i), YearID: yearID, ParentID: "ind-3", Code: fmt.Sprintf("3.%d", i+1),
				Title: fmt.Sprintf("重大行政决策程序第 %d 项", i+1), Evidence: []string{"决策目录", "会议纪要"}, MaxScore: 2,
				Deadline: assess.Date(2026, 11, 30), Units: []string{unitA}})
		}
	}
	return groups, units, year, inds
}

func extraLeaf(i int) string { return fmt.Sprintf("ind-3-%d", i+1) }

// seed sets the city up straight in the store and publishes the year, then
// creates every account.
func (c *central) seed(extra int) {
	c.t.Helper()
	c.addUsers("admin")
	groups, units, year, inds := cityYear(extra)
	for _, g := range groups {
		c.apply("admin", wire.KindGroupSave, g)
	}
	for _, u := range units {
		c.apply("admin", wire.KindUnitSave, u)
	}
	c.apply("admin", wire.KindYearSave, year)
	for _, in := range inds {
		c.apply("admin", wire.KindIndicatorSave, in)
	}
	c.apply("admin", wire.KindYearPublish, wire.YearRef{YearID: yearID})
	c.addUsers("reviewer1", "reviewer2", "rep-a", "rep-b", "rep-c")
}

// entries returns the whole feed u may see, checking the paging contract.
func (c *central) entries(username string) []wire.Entry {
	c.t.Helper()
	u := people[username].user
	var all []wire.Entry
	after := int64(0)
	for {
		page, err := c.store.Changes(ctx, u, after, 0)
		if err != nil {
			c.t.Fatal(err)
		}
		for _, e := range page.Entries {
			if e.Seq <= after {
				c.t.Fatalf("feed sequence %d after %d", e.Seq, after)
			}
			after = e.Seq
		}
		all = append(all, page.Entries...)
		if !page.More {
			return all
		}
	}
}

// latest returns the server's latest state of every entity u may see, by
// entity kind and ID; the feed must hold each entity once.
func (c *central) latest(username string) map[string]wire.Entry {
	c.t.Helper()
	m := map[string]wire.Entry{}
	for _, e := range c.entries(username) {
		k := e.Entity + " " + e.ID
		if _, dup := m[k]; dup {
			c.t.Fatalf("the feed holds %s twice", k)
		}
		m[k] = e
	}
	return m
}

// decodeAll decodes the entities of one kind in a latest map.
func decodeAll[T any](t testing.TB, m map[string]wire.Entry, entity string) []T {
	t.Helper()
	var out []T
	for _, e := range m {
		if e.Entity != entity || e.Deleted {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Data, &v); err != nil {
			t.Fatalf("decode %s %s: %v", entity, e.ID, err)
		}
		out = append(out, v)
	}
	return out
}

// serverTask returns the server's copy of a task.
func (c *central) serverTask(taskID string) assess.Task {
	c.t.Helper()
	e, ok := c.latest("admin")[wire.EntityTask+" "+taskID]
	if !ok {
		c.t.Fatalf("the server has no task %s", taskID)
	}
	var t assess.Task
	if err := json.Unmarshal(e.Data, &t); err != nil {
		c.t.Fatal(err)
	}
	return t
}

// submissions returns the server's submissions of a task, by version.
func (c *central) submissions(taskID string) map[int]assess.Submission {
	c.t.Helper()
	out := map[int]assess.Submission{}
	for _, s := range decodeAll[assess.Submission](c.t, c.latest("admin"), wire.EntitySubmission) {
		if s.TaskID != taskID {
			continue
		}
		if _, dup := out[s.Version]; dup {
			c.t.Fatalf("task %s has version %d twice", taskID, s.Version)
		}
		out[s.Version] = s
	}
	return out
}

// rectification returns the server's rectification of a task.
func (c *central) rectification(taskID string) assess.Rectification {
	c.t.Helper()
	for _, r := range decodeAll[assess.Rectification](c.t, c.latest("admin"), wire.EntityRectification) {
		if r.TaskID == taskID {
			return r
		}
	}
	c.t.Fatalf("the server has no rectification of %s", taskID)
	return assess.Rectification{}
}

// evidenceFiles returns the files in the server's evidence store: hash →
// size.
func (c *central) evidenceFiles() map[string]int64 {
	c.t.Helper()
	return blobFiles(c.t, filepath.Join(c.dir, "evidence"))
}

// blobFiles lists a content-addressed folder laid out as ab/abcdef…:
// hash → size. Files elsewhere (temporary, partial) are not blobs.
func blobFiles(t testing.TB, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if assess.ValidateHash(name) != nil || filepath.Base(filepath.Dir(path)) != name[:2] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[name] = info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// storedSHA256 hashes the server's stored copy of an evidence file.
func (c *central) storedSHA256(hash string) string {
	c.t.Helper()
	f, _, err := c.blobs.Open(ctx, hash)
	if err != nil {
		c.t.Fatalf("open stored evidence %s: %v", hash, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		c.t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// verifyAudit checks the server's audit chain and returns its length.
func (c *central) verifyAudit() wire.AuditReport {
	c.t.Helper()
	rep, err := c.store.VerifyAudit(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	if !rep.OK || rep.Error != "" || rep.Events == 0 {
		c.t.Fatalf("the audit chain does not verify: %+v", rep)
	}
	return rep
}

// fastBackoff keeps the retries of the tests short.
var fastBackoff = client.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond, Attempts: 4}

// desk is one user's PC: a real local store in a folder of its own, an API
// client over a network the test controls, and a syncer.
type desk struct {
	t    testing.TB
	c    *central
	name string
	dir  string
	db   *localdb.DB
	api  *client.API
	sync *client.Syncer
	user assess.User
	net  *network

	idle chan error // the end of every sync, as the syncer reports it
}

// desk logs username in on a new PC over n (a plain network when nil) and
// returns it; nothing is pulled yet.
func (c *central) desk(username string, n *network) *desk {
	c.t.Helper()
	if n == nil {
		n = newNetwork()
	}
	d := &desk{t: c.t, c: c, name: username, dir: tempDir(c.t), net: n, idle: make(chan error, 64)}
	db, err := localdb.Open(d.dir, localdb.Options{Now: c.clock.Now})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { db.Close() })
	d.db = db
	if d.api, err = client.New(c.url(), client.Options{HTTPClient: &http.Client{Transport: n}}); err != nil {
		c.t.Fatal(err)
	}
	lr, err := d.api.Login(ctx, username, people[username].password)
	if err != nil {
		c.t.Fatalf("login %s: %v", username, err)
	}
	d.user = lr.User
	if err := db.SaveSession(ctx, localdb.Session{Server: c.url(), Token: lr.Token, User: lr.User, ExpiresAt: lr.ExpiresAt}); err != nil {
		c.t.Fatal(err)
	}
	d.sync = client.NewSyncer(d.api, db, client.SyncOptions{
		Now: c.clock.Now, Backoff: fastBackoff, Interval: time.Hour, Progress: d.progress,
	})
	return d
}

// progress receives the syncer's reports; it never blocks.
func (d *desk) progress(p client.Progress) {
	if p.Phase == client.PhaseIdle {
		select {
		case d.idle <- p.Err:
		default:
		}
	}
}

// syncOK runs one sync that must succeed and leave nothing waiting.
func (d *desk) syncOK() {
	d.t.Helper()
	if err := d.sync.SyncOnce(ctx); err != nil {
		d.t.Fatalf("%s: sync: %v", d.name, err)
	}
	if pending, rejected := d.pending(); pending != 0 || rejected != 0 {
		d.t.Fatalf("%s: after sync %d changes pending and %d rejected, want none", d.name, pending, rejected)
	}
}

// pending returns how many changes wait in the outbox and how many were
// rejected.
func (d *desk) pending() (int, int) {
	d.t.Helper()
	p, r, err := d.db.PendingCount(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return p, r
}

// view returns a task as the user sees it.
func (d *desk) view(taskID string) localdb.TaskView {
	d.t.Helper()
	v, err := d.db.Task(ctx, taskID)
	if err != nil {
		d.t.Fatalf("%s: task %s: %v", d.name, taskID, err)
	}
	return v
}

// must fails the test on an error of a user action.
func (d *desk) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatalf("%s: %v", d.name, err)
	}
}

// evidence is a file a user attaches, with the SHA-256 the test computed
// from the bytes it wrote.
type evidence struct {
	path string
	sum  string
	size int64
}

// writeEvidence writes size bytes of seeded random data that pass as the
// file type of name, in dir.
func writeEvidence(t testing.TB, dir, name string, seed uint64, size int) evidence {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	w := io.MultiWriter(f, h)
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	buf := make([]byte, 256<<10)
	head := true
	for left := size; left > 0; {
		n := min(left, len(buf))
		for i := 0; i < n; i += 8 {
			v := r.Uint64()
			for j := 0; j < 8 && i+j < n; j++ {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if head {
			copy(buf, magic(name))
			head = false
		}
		if _, err := w.Write(buf[:n]); err != nil {
			t.Fatal(err)
		}
		left -= n
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return evidence{path: path, sum: hex.EncodeToString(h.Sum(nil)), size: int64(size)}
}

func magic(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		return "\xff\xd8\xff\xe0\x00\x10JFIF\x00"
	case ".png":
		return "\x89PNG\r\n\x1a\n"
	}
	return "%PDF-1.7\n"
}

// attach adds evidence files to the user's local store and returns their
// attachments, each for the given checklist slot.
func (d *desk) attach(slot int, files ...evidence) []assess.Attachment {
	d.t.Helper()
	var out []assess.Attachment
	for _, f := range files {
		a, err := d.db.AddEvidence(ctx, f.path)
		if err != nil {
			d.t.Fatalf("%s: add evidence %s: %v", d.name, f.path, err)
		}
		if a.Hash != f.sum || a.Size != f.size {
			d.t.Fatalf("%s: evidence %s stored as %s (%d bytes), want %s (%d bytes)", d.name, filepath.Base(f.path), a.Hash, a.Size, f.sum, f.size)
		}
		a.Slot = slot
		out = append(out, a)
	}
	return out
}

// fileTask drafts, attaches and submits a task in one go, offline-capable.
func (d *desk) fileTask(taskID, statement string, atts []assess.Attachment) {
	d.t.Helper()
	d.must(d.db.SaveDraft(ctx, taskID, statement, atts))
	d.must(d.db.Submit(ctx, taskID))
}

// fetchVerified downloads evidence files into the user's store and checks
// that the content read back has the SHA-256 the test computed.
func (d *desk) fetchVerified(atts []assess.Attachment, want map[string]evidence) {
	d.t.Helper()
	for _, a := range atts {
		if err := d.sync.Download(ctx, a.Hash, nil); err != nil {
			d.t.Fatalf("%s: download %s: %v", d.name, a.Name, err)
		}
		f, err := d.db.OpenVerified(ctx, a.Hash)
		if err != nil {
			d.t.Fatalf("%s: open %s: %v", d.name, a.Name, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			d.t.Fatal(err)
		}
		got := hex.EncodeToString(h.Sum(nil))
		w, ok := want[a.Hash]
		if !ok || got != w.sum || got != a.Hash {
			d.t.Fatalf("%s: evidence %s read back with SHA-256 %s, want %s", d.name, a.Name, got, a.Hash)
		}
	}
}

// byHash indexes evidence files by SHA-256.
func byHash(files ...evidence) map[string]evidence {
	m := map[string]evidence{}
	for _, f := range files {
		m[f.sum] = f
	}
	return m
}

// hashesOf returns the hashes of attachments, in order.
func hashesOf(atts []assess.Attachment) []string {
	out := make([]string, len(atts))
	for i, a := range atts {
		out[i] = a.Hash
	}
	return out
}

// errLost is what a client hears when the network ate the server's answer.
var errLost = errors.New("test: the answer was lost on the way back")

// network is a PC's connection to the server: real loopback TCP that the
// test can count, cut and make lose answers.
type network struct {
	base   *http.Transport
	dialer net.Dialer
	bare   bool // neither count nor cut: plain loopback, for benchmarks

	mu       sync.Mutex
	down     bool    // the PC is offline: every dial fails
	written  int64   // bytes written to every connection
	cuts     []int64 // ascending totals of written at which to cut the connection
	drop     func(*http.Request) bool
	requests []string         // "METHOD /path" of every request
	lost     []string         // the requests whose answers were dropped
	body     map[string]int64 // request body bytes handed to the transport, by method
}

func newNetwork() *network {
	n := &network{body: map[string]int64{}}
	n.base = &http.Transport{DialContext: n.dial, MaxIdleConnsPerHost: 8, WriteBufferSize: 256 << 10, ReadBufferSize: 256 << 10}
	return n
}

// bareNetwork is plain loopback with Go's default transport settings, so
// that file bodies go out with sendfile as they would in the product.
func bareNetwork() *network {
	return &network{bare: true, base: http.DefaultTransport.(*http.Transport).Clone()}
}

// RoundTrip forwards a request to the server; when the drop rule selects
// it, the server's answer is read and thrown away and the client hears a
// broken connection instead: the server did the work, the client never
// learns of it.
func (n *network) RoundTrip(req *http.Request) (*http.Response, error) {
	if n.bare {
		return n.base.RoundTrip(req)
	}
	n.mu.Lock()
	n.requests = append(n.requests, req.Method+" "+req.URL.Path)
	n.mu.Unlock()
	if req.Body != nil && req.Body != http.NoBody {
		r := req.Clone(req.Context())
		r.Body = &countedBody{rc: req.Body, n: n, method: req.Method}
		req = r
	}
	resp, err := n.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	drop := n.drop != nil && n.drop(req)
	if drop {
		n.lost = append(n.lost, req.Method+" "+req.URL.Path)
	}
	n.mu.Unlock()
	if drop {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errLost
	}
	return resp, nil
}

// count returns how many requests matched method and a path prefix.
func (n *network) count(method, prefix string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := 0
	for _, r := range n.requests {
		m, p, _ := strings.Cut(r, " ")
		if m == method && strings.HasPrefix(p, prefix) {
			k++
		}
	}
	return k
}

func (n *network) bodyBytes(method string) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.body[method]
}

func (n *network) wireBytes() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.written
}

func (n *network) setDrop(f func(*http.Request) bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.drop = f
}

func (n *network) lostAnswers() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.lost...)
}

// dropOnce selects the first request with method and a path prefix.
func dropOnce(method, prefix string) func(*http.Request) bool {
	done := false
	return func(r *http.Request) bool {
		if done || r.Method != method || !strings.HasPrefix(r.URL.Path, prefix) {
			return false
		}
		done = true
		return true
	}
}

type countedBody struct {
	rc     io.ReadCloser
	n      *network
	method string
}

func (b *countedBody) Read(p []byte) (int, error) {
	k, err := b.rc.Read(p)
	b.n.mu.Lock()
	b.n.body[b.method] += int64(k)
	b.n.mu.Unlock()
	return k, err
}

func (b *countedBody) Close() error { return b.rc.Close() }

var errCut = errors.New("test: connection cut")

// setDown takes the PC off the network, or puts it back: while it is down
// every new connection fails, and the idle ones are dropped.
func (n *network) setDown(down bool) {
	n.mu.Lock()
	n.down = down
	n.mu.Unlock()
	n.base.CloseIdleConnections()
}

var errDown = errors.New("test: the network is down")

func (n *network) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	down := n.down
	n.mu.Unlock()
	if down {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errDown}
	}
	conn, err := n.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &meteredConn{Conn: conn, n: n}, nil
}

// meteredConn counts the bytes written to a connection and cuts it in the
// middle of the write that crosses the next cut point.
type meteredConn struct {
	net.Conn
	n *network
}

func (c *meteredConn) Write(p []byte) (int, error) {
	n := c.n
	n.mu.Lock()
	if len(n.cuts) > 0 && n.written+int64(len(p)) > n.cuts[0] {
		allowed := max(n.cuts[0]-n.written, 0)
		n.cuts = n.cuts[1:]
		n.mu.Unlock()
		k, _ := c.Conn.Write(p[:allowed])
		n.mu.Lock()
		n.written += int64(k)
		n.mu.Unlock()
		c.Conn.Close()
		return k, errCut
	}
	n.mu.Unlock()
	k, err := c.Conn.Write(p)
	n.mu.Lock()
	n.written += int64(k)
	n.mu.Unlock()
	return k, err
}

// hasHan reports whether s holds Chinese characters.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// forgetIdle forgets the ends of the syncs reported so far.
func (d *desk) forgetIdle() {
	for {
		select {
		case <-d.idle:
		default:
			return
		}
	}
}

// waitIdle waits for the end of the next sync the desk's syncer reports.
func (d *desk) waitIdle() error {
	d.t.Helper()
	select {
	case err := <-d.idle:
		return err
	case <-time.After(2 * time.Minute):
		d.t.Fatalf("%s: no sync ended within two minutes", d.name)
		return nil
	}
}
