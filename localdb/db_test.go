package localdb

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.db (only while migration 1 is the latest)")

func TestDefaultDir(t *testing.T) {
	home := func() (string, error) { return "/home/clerk", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	// unixPaths marks the cases whose XDG_DATA_HOME is absolute only by
	// Unix path rules: defaultDir judges paths by the host's rules, so they
	// run only on a Unix host (they cannot apply on Windows).
	cases := []struct {
		goos      string
		getenv    func(string) string
		home      func() (string, error)
		want      string
		unixPaths bool
	}{
		{"windows", env("LOCALAPPDATA", `C:\Users\clerk\AppData\Local`), noHome, filepath.Join(`C:\Users\clerk\AppData\Local`, "Yiwangtong"), false},
		{"windows", env(), home, filepath.Join("/home/clerk", "AppData", "Local", "Yiwangtong"), false},
		{"darwin", env("XDG_DATA_HOME", "/x"), home, filepath.Join("/home/clerk", "Library", "Application Support", "Yiwangtong"), false},
		{"linux", env("XDG_DATA_HOME", "/data/xdg"), noHome, filepath.Join("/data/xdg", "yiwangtong"), true},
		{"linux", env("XDG_DATA_HOME", "relative"), home, filepath.Join("/home/clerk", ".local", "share", "yiwangtong"), false},
		{"freebsd", env(), home, filepath.Join("/home/clerk", ".local", "share", "yiwangtong"), false},
		{"linux", env(), noHome, "", false},
	}
	for _, c := range cases {
		if c.unixPaths && runtime.GOOS == "windows" {
			continue
		}
		got, err := defaultDir(c.goos, c.getenv, c.home)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("defaultDir(%s) = %q, %v; want %q", c.goos, got, err, c.want)
		}
	}
	if d, err := DefaultDir(); err != nil || !filepath.IsAbs(d) {
		t.Errorf("DefaultDir() = %q, %v", d, err)
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	db := openTest(t)
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "15000",
	} {
		var got string
		if err := db.w.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("writer PRAGMA %s = %s, want %s", pragma, got, want)
		}
		if pragma != "journal_mode" {
			if err := db.r.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
				t.Errorf("reader PRAGMA %s = %s (%v), want %s", pragma, got, err, want)
			}
		}
	}
	if _, err := db.r.Exec("INSERT INTO meta (key, value) VALUES ('x', 'y')"); err == nil {
		t.Error("a reader connection could write")
	}
	v, err := schemaVersion(context.Background(), db.r)
	if err != nil || v != len(migrations) {
		t.Errorf("schema version %d (%v), want %d", v, err, len(migrations))
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	dir := tempDir(t)
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, Options{})
	wantCode(t, err, assess.EConflict)
	if !strings.Contains(err.Error(), "升级") {
		t.Fatalf("error = %v", err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

const v1Fixture = "testdata/v1.db"

// TestMakeV1Fixture writes testdata/v1.db, a database made by migration 1
// with a little of everything in it, when run with -update. It is frozen
// once a second migration exists.
func TestMakeV1Fixture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite " + v1Fixture)
	}
	if len(migrations) != 1 {
		t.Fatal("testdata/v1.db is a released fixture made by migration 1; it must not be rewritten by a later schema")
	}
	ctx := context.Background()
	dir := tempDir(t)
	db, err := open(dir, Options{Now: newClock().Now}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPage(ctx, seedPage()); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyPage(ctx, allRecords().page(112)); err != nil {
		t.Fatal(err)
	}
	login(t, db, reporter1)
	a := addFile(t, db, "法治政府建设年度报告.pdf", "%PDF-1.7 v1 fixture")
	t21 := assess.TaskID(ind2.ID, unit1.ID)
	if err := db.SaveDraft(ctx, t21, "已建立规范性文件备案审查制度", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, t21); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Pending(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordResults(ctx, []wire.Result{{ID: cs[0].ID, Status: wire.Rejected, Code: assess.EConflict, Message: "该指标已被退回"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveVerifier(ctx, reporter1.Username, []byte("argon2id-verifier")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, FileName), v1Fixture)
}

// TestMigrateFromV1 opens a database made by the first release and finds
// its data intact after migrating.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	dir := tempDir(t)
	copyFile(t, v1Fixture, filepath.Join(dir, FileName))
	db, err := Open(dir, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	if v, _ := schemaVersion(ctx, db.r); v != len(migrations) {
		t.Fatalf("schema version %d, want %d", v, len(migrations))
	}
	if c, _ := db.Cursor(ctx); c != 112 {
		t.Errorf("cursor = %d", c)
	}
	checkRecords(t, db, allRecords())
	ts, err := db.Tasks(ctx, TaskFilter{UnitID: "u1"})
	if err != nil || len(ts) != 3 {
		t.Fatalf("tasks = %d, %v", len(ts), err)
	}
	d, err := db.Draft(ctx, assess.TaskID(ind2.ID, unit1.ID))
	if err != nil || d.Statement != "已建立规范性文件备案审查制度" || len(d.Attachments) != 1 || d.Source != FromLocal {
		t.Fatalf("draft = %+v, %v", d, err)
	}
	rej, err := db.Rejected(ctx)
	if err != nil || len(rej) != 1 || rej[0].Message != "该指标已被退回" || rej[0].Kind != wire.KindDraftSave {
		t.Fatalf("rejected = %+v, %v", rej, err)
	}
	cs, err := db.Pending(ctx, 0)
	if err != nil || len(cs) != 1 || cs[0].Kind != wire.KindSubmit {
		t.Fatalf("pending = %+v, %v", cs, err)
	}
	me, err := db.Me(ctx)
	if err != nil || me != reporter1 {
		t.Fatalf("me = %+v, %v", me, err)
	}
	if v, err := db.Verifier(ctx, reporter1.Username); err != nil || string(v) != "argon2id-verifier" {
		t.Fatalf("verifier = %q, %v", v, err)
	}
	ups, err := db.PendingUploads(ctx)
	if err != nil || len(ups) != 1 || ups[0].Name != "法治政府建设年度报告.pdf" {
		t.Fatalf("uploads = %+v, %v", ups, err)
	}
}

func TestSessionAndUserSwitch(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	_, err := db.Session(ctx)
	wantCode(t, err, assess.EUnauthorized)
	login(t, db, reporter1)
	s, err := db.Session(ctx)
	if err != nil || s.User != reporter1 || s.Token != "tok-r1" || s.ExpiresAt.IsZero() {
		t.Fatalf("session = %+v, %v", s, err)
	}
	login(t, db, reporter1) // the same user again keeps everything
	if err := db.SaveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "未同步", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearSession(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = db.Me(ctx)
	wantCode(t, err, assess.EUnauthorized)

	// Another user may not log in while r1's change waits.
	err = db.SaveSession(ctx, Session{Server: "s", Token: "t", User: reporter2})
	wantCode(t, err, assess.EConflict)
	if !strings.Contains(err.Error(), "尚未同步") {
		t.Fatalf("error = %v", err)
	}
	login(t, db, reporter1)
	cs, _ := db.Pending(ctx, 0)
	db.RecordResults(ctx, []wire.Result{{ID: cs[0].ID, Status: wire.Applied}})
	// Now the switch empties the mirror and the cursor for a fresh pull.
	login(t, db, reporter2)
	if ts, _ := db.Tasks(ctx, TaskFilter{}); len(ts) != 0 {
		t.Fatalf("the mirror of the last user is still there: %d tasks", len(ts))
	}
	if c, _ := db.Cursor(ctx); c != 0 {
		t.Fatalf("cursor = %d", c)
	}

	_, err = db.Verifier(ctx, "zichuan")
	wantCode(t, err, assess.ENotFound)
	if err := db.SaveVerifier(ctx, "zichuan", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveVerifier(ctx, "zichuan", []byte{4, 5}); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Verifier(ctx, "zichuan"); err != nil || string(v) != "\x04\x05" {
		t.Fatalf("verifier = %v, %v", v, err)
	}
	wantCode(t, db.SaveSession(ctx, Session{Token: "t"}), assess.EInvalid)
}
