package sqlite_test

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var update = flag.Bool("update", false, "write testdata/v<schemaVersion>.db from this release")

// schemaVersion is the number of migrations this release ships.
const schemaVersion = 2

func TestMigrateIdempotent(t *testing.T) {
	path := filepath.Join(tempDir(t), "server.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != schemaVersion {
		t.Fatalf("schema version %d, %v; want %d", v, err, schemaVersion)
	}
	u := assess.User{ID: "u1", Username: "admin", Name: "管理员", Role: assess.Reviewer, UnitID: "city", Admin: true}
	if err := s.AddUser(ctx, u, "hash"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err = sqlite.Open(path, sqlite.Options{})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != schemaVersion {
			t.Fatalf("schema version %d, %v after reopening", v, err)
		}
		if got, err := s.User(ctx, "u1"); err != nil || got != u {
			t.Fatalf("user after reopening: %+v, %v", got, err)
		}
		if rep, err := s.VerifyAudit(ctx); err != nil || !rep.OK || rep.Events != 1 {
			t.Fatalf("audit after reopening: %+v, %v", rep, err)
		}
		s.Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(tempDir(t), "server.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(path, sqlite.Options{}); err == nil {
		s.Close()
		t.Fatal("a database from a newer release was opened")
	}
}

func TestPragmas(t *testing.T) {
	path := filepath.Join(tempDir(t), "server.db")
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"} {
		got, err := s.Pragma(ctx, pragma)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

// TestOldDatabase opens each database written by an earlier release (kept
// in testdata as v<version>.db, made with -update by that release) and
// checks that it migrates, still holds what it held and takes the records
// of this release.
func TestOldDatabase(t *testing.T) {
	if *update {
		golden := filepath.Join("testdata", fmt.Sprintf("v%d.db", schemaVersion))
		clock := storetest.NewClock(storetest.Start)
		s := open(t, clock.Now)
		c := storetest.SeedCity(t, s, clock, true)
		c.Submit(c.ReporterA, storetest.Task(storetest.Leaf11, storetest.UnitA), 0)
		os.Remove(golden)
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := s.Backup(ctx, golden); err != nil {
			t.Fatal(err)
		}
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "v*.db"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no old databases in testdata: %v", err)
	}
	for _, golden := range goldens {
		t.Run(filepath.Base(golden), func(t *testing.T) { testOldDatabase(t, golden) })
	}
}

func testOldDatabase(t *testing.T, golden string) {
	path := filepath.Join(tempDir(t), "old.db")
	copyFile(t, golden, path)
	s, err := sqlite.Open(path, sqlite.Options{Now: storetest.NewClock(storetest.Start).Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v != schemaVersion {
		t.Fatalf("schema version %d after migrating, want %d", v, schemaVersion)
	}
	rep, err := s.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Events < 18 {
		t.Fatalf("old audit chain: %+v, %v", rep, err)
	}
	admin, _, err := s.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Changes(ctx, admin, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var submitted bool
	for _, e := range page.Entries {
		if e.Entity == wire.EntitySubmission && e.ID == storetest.Task(storetest.Leaf11, storetest.UnitA)+"#1" {
			submitted = true
		}
	}
	if !submitted {
		t.Fatal("the old submission is not in the feed")
	}
	// And it keeps working.
	reviewer, _, _ := s.UserByUsername(ctx, "reviewer1")
	rs, err := s.Push(ctx, reviewer, []wire.Change{{ID: "after-upgrade", Kind: wire.KindReturn,
		Data: []byte(`{"task_id":"` + storetest.Task(storetest.Leaf11, storetest.UnitA) + `","version":1,"comment":"请补充"}`)}})
	if err != nil || rs[0].Status != wire.Applied {
		t.Fatalf("push after upgrade: %+v, %v", rs, err)
	}
	svc, _, err := s.UserByUsername(ctx, "import")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.ImportLeads(ctx, svc, wire.LeadBatch{Leads: []wire.LeadRecord{{Source: assess.LeadPetition,
		RecordID: "XF-1", UnitID: storetest.UnitA, Date: "2026-03-01", Summary: "群众反映办事窗口推诿"}}})
	if err != nil || resp.Created != 1 {
		t.Fatalf("lead import after upgrade: %+v, %v", resp, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
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

// rawDB opens the database file directly, as an intruder with file access
// would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
