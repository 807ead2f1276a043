package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// clock is a test clock that moves only when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer collects the server's log output.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The people of the test city. Every password is different, so that a
// password leaking into the log is recognisable.
const (
	unitA  = "unit-a"
	unitB  = "unit-b"
	yearID = "2026"
	taskA  = "ind-1-1@" + unitA
)

type account struct {
	username, password string
	user               assess.User
}

var accounts = []account{
	{"reviewer", "Review#2026", assess.User{ID: "u-reviewer", Username: "reviewer", Name: "市依法治市办审核员", Role: assess.Reviewer, UnitID: "office", Admin: true}},
	{"rep-a", "Filing#A2026", assess.User{ID: "u-rep-a", Username: "rep-a", Name: "甲区填报员", Role: assess.Reporter, UnitID: unitA}},
	{"rep-a2", "Filing#A2b26", assess.User{ID: "u-rep-a2", Username: "rep-a2", Name: "甲区填报员二", Role: assess.Reporter, UnitID: unitA}},
	{"rep-b", "Filing#B2026", assess.User{ID: "u-rep-b", Username: "rep-b", Name: "乙区填报员", Role: assess.Reporter, UnitID: unitB}},
	{"gone", "Gone#20260", assess.User{ID: "u-gone", Username: "gone", Name: "已停用填报员", Role: assess.Reporter, UnitID: unitA}},
	{"svc", "Service#2026", assess.User{ID: "u-svc", Username: "svc", Name: "12345 热线接口", Role: assess.Service}},
}

var (
	hashOnce sync.Once
	hashes   map[string]string
)

// passwordHashes hashes every account's password once per test binary.
func passwordHashes(t testing.TB) map[string]string {
	hashOnce.Do(func() {
		hashes = map[string]string{}
		for _, a := range accounts {
			h, err := server.HashPassword(a.password)
			if err != nil {
				panic(err)
			}
			hashes[a.username] = h
		}
	})
	return hashes
}

// env is a server on loopback over a real SQLite store in a temp dir.
type env struct {
	t       testing.TB
	dir     string
	clock   *clock
	store   *sqlite.Store
	blobs   *server.DirBlobs
	cfg     server.Config
	srv     *server.Server
	http    *httptest.Server
	log     *logBuffer
	tokens  map[string]string // username → token
	secrets []string          // every password and token handed out
}

type envOption func(*server.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	dir := tempDir(t)
	e := &env{
		t:      t,
		dir:    dir,
		clock:  &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))},
		log:    &logBuffer{},
		tokens: map[string]string{},
	}
	st, err := sqlite.Open(filepath.Join(dir, "server.db"), sqlite.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	if e.blobs, err = server.NewDirBlobs(filepath.Join(dir, "evidence")); err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{
		Store:   st,
		Blobs:   e.blobs,
		DataDir: filepath.Join(dir, "uploads"),
		Now:     e.clock.Now,
		Logger:  slog.New(slog.NewJSONHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.cfg = cfg
	e.start()
	t.Cleanup(e.checkLog)
	e.seed()
	return e
}

// start starts a server over the env's store and folders, as after a
// restart: nothing survives but what is on disk.
func (e *env) start() {
	srv, err := server.New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
	e.http = httptest.NewServer(srv)
	e.t.Cleanup(e.http.Close)
}

// seed creates the accounts, two units in one group, and a published year
// with one indicator assigned to both units.
func (e *env) seed() {
	ctx := context.Background()
	hs := passwordHashes(e.t)
	for _, a := range accounts {
		if err := e.store.AddUser(ctx, a.user, hs[a.username]); err != nil {
			e.t.Fatal(err)
		}
		e.secrets = append(e.secrets, a.password)
	}
	admin := accounts[0].user
	changes := []struct {
		kind string
		data any
	}{
		{wire.KindGroupSave, assess.Group{ID: "district", Name: "区县"}},
		{wire.KindUnitSave, assess.Unit{ID: unitA, Name: "甲区", GroupID: "district"}},
		{wire.KindUnitSave, assess.Unit{ID: unitB, Name: "乙区", GroupID: "district"}},
		{wire.KindYearSave, assess.Year{ID: yearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}},
		{wire.KindIndicatorSave, assess.Indicator{ID: "ind-1", YearID: yearID, Code: "1", Title: "依法全面履行政府职能", MaxScore: 10}},
		{wire.KindIndicatorSave, assess.Indicator{ID: "ind-1-1", YearID: yearID, ParentID: "ind-1", Code: "1.1", Title: "推行政府权责清单制度",
			Standard: "权责清单向社会公布并动态调整", Evidence: []string{"权责清单文件", "公开网页截图"}, MaxScore: 10,
			Deadline: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Units: []string{unitA, unitB}}},
		{wire.KindYearPublish, wire.YearRef{YearID: yearID}},
	}
	var cs []wire.Change
	for i, c := range changes {
		data, err := json.Marshal(c.data)
		if err != nil {
			e.t.Fatal(err)
		}
		cs = append(cs, wire.Change{ID: fmt.Sprintf("seed-%d", i), Kind: c.kind, Data: data, MadeAt: e.clock.Now()})
	}
	results, err := e.store.Push(ctx, admin, cs)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range results {
		if r.Status != wire.Applied {
			e.t.Fatalf("seed change %s: %s %s", r.ID, r.Code, r.Message)
		}
	}
}

// checkLog fails the test if any password or token reached the log.
func (e *env) checkLog() {
	for _, leak := range leaks(e.log.String(), e.secrets) {
		e.t.Errorf("the log contains %s", leak)
	}
}

// leaks names the secrets found in a log: any of the given passwords and
// tokens, an Authorization header or a password hash.
func leaks(log string, secrets []string) []string {
	var found []string
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			found = append(found, fmt.Sprintf("a secret %.4s…", s))
		}
	}
	for _, bad := range []string{"Bearer", "Authorization", "password_hash", "$argon2id$"} {
		if strings.Contains(log, bad) {
			found = append(found, fmt.Sprintf("%q", bad))
		}
	}
	return found
}

func (e *env) account(username string) account {
	for _, a := range accounts {
		if a.username == username {
			return a
		}
	}
	e.t.Fatalf("no account %s", username)
	return account{}
}

// login logs in over HTTP and remembers the token.
func (e *env) login(username string) string {
	e.t.Helper()
	a := e.account(username)
	resp := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: username, Password: a.password})
	if resp.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, resp.status, resp.body)
	}
	var lr wire.LoginResponse
	resp.decode(e.t, &lr)
	e.tokens[username] = lr.Token
	e.secrets = append(e.secrets, lr.Token)
	return lr.Token
}

// token returns the user's token, logging in the first time.
func (e *env) token(username string) string {
	if tok, ok := e.tokens[username]; ok {
		return tok
	}
	return e.login(username)
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// wireError decodes an error body and checks that its message is Chinese
// and its code matches the status.
func (r response) wireError(t testing.TB) wire.Error {
	t.Helper()
	var we wire.Error
	if err := json.Unmarshal(r.body, &we); err != nil {
		t.Fatalf("status %d: error body is not JSON: %q", r.status, r.body)
	}
	if we.Code == "" || !hasHan(we.Message) {
		t.Errorf("status %d: error body %+v lacks a code or a Chinese message", r.status, we)
	}
	return we
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// do sends a request with a JSON body (or raw []byte / string) and the
// given bearer token.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.url(path), rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req, token)
}

func (e *env) url(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return e.http.URL + path
}

func (e *env) send(req *http.Request, token string) response {
	e.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// push pushes changes as the token's user.
func (e *env) push(token string, changes ...wire.Change) response {
	e.t.Helper()
	return e.do(http.MethodPost, wire.PushPath, token, wire.PushRequest{Changes: changes})
}

func change(id, kind string, data any) wire.Change {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	return wire.Change{ID: id, Kind: kind, Data: b, MadeAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pdf returns n bytes of a plausible PDF.
func pdf(n int, seed byte) []byte {
	b := make([]byte, n)
	copy(b, "%PDF-1.7\n")
	for i := 9; i < n; i++ {
		b[i] = byte(i*7) ^ seed
	}
	return b[:n]
}

// tus requests, written out by hand.

func tusMeta(hash, name string) string {
	enc := base64.StdEncoding.EncodeToString
	return "hash " + enc([]byte(hash)) + ",filename " + enc([]byte(name))
}

// tusCreate starts an upload and returns the answer; Location is the
// upload URL.
func (e *env) tusCreate(token, hash, name string, size int64) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", tusMeta(hash, name))
	return e.send(req, token)
}

func (e *env) tusPatch(token, url string, offset int64, data []byte) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPatch, e.url(url), bytes.NewReader(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	return e.send(req, token)
}

func (e *env) tusHead(token, url string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodHead, e.url(url), nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	return e.send(req, token)
}

func (e *env) tusDelete(token, url string) response {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, e.url(url), nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	return e.send(req, token)
}

// startUpload creates an upload of data and returns its URL.
func (e *env) startUpload(token, name string, data []byte) string {
	e.t.Helper()
	r := e.tusCreate(token, sha(data), name, int64(len(data)))
	if r.status != http.StatusCreated {
		e.t.Fatalf("create upload: %d %s", r.status, r.body)
	}
	loc := r.header.Get("Location")
	if loc == "" {
		e.t.Fatal("create upload: no Location")
	}
	return loc
}

// upload sends a whole file as the user and returns its hash.
func (e *env) upload(username, name string, data []byte) string {
	e.t.Helper()
	tok := e.token(username)
	loc := e.startUpload(tok, name, data)
	if r := e.tusPatch(tok, loc, 0, data); r.status != http.StatusNoContent {
		e.t.Fatalf("upload %s: %d %s", name, r.status, r.body)
	}
	return sha(data)
}
