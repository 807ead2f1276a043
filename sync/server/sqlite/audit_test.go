package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// cityAt seeds the fixture city into a store at path, with a submission and
// a score on top, and returns the store.
func cityAt(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	clock := storetest.NewClock(storetest.Start)
	s, err := sqlite.Open(path, sqlite.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := storetest.SeedCity(t, s, clock, true)
	task := storetest.Task(storetest.Leaf11, storetest.UnitA)
	c.Submit(c.ReporterA, task, 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: task, Version: 1, Score: 9})
	return s
}

func TestAuditTampering(t *testing.T) {
	for _, tt := range []struct {
		name string
		sql  []string
		want string // in the report's error
	}{
		{"altered data", []string{`UPDATE audit SET data = replace(data, '区', '市') WHERE seq = 5`}, "第 5 条事件处断裂"},
		{"altered actor", []string{`UPDATE audit SET actor = 'u-admin' WHERE seq = 19`}, "第 19 条事件处断裂：事件内容与其摘要不符"},
		{"altered time", []string{`UPDATE audit SET time = time + 1 WHERE seq = 3`}, "第 3 条"},
		{"deleted middle event", []string{`DELETE FROM audit WHERE seq = 7`}, "第 8 条事件处断裂：此处应为第 7 条"},
		{"reordered events", []string{
			`UPDATE audit SET seq = -1 WHERE seq = 10`,
			`UPDATE audit SET seq = 10 WHERE seq = 11`,
			`UPDATE audit SET seq = 11 WHERE seq = -1`,
		}, "第 10 条事件处断裂"},
		{"re-hashed event", []string{`UPDATE audit SET data = '{}', hash = 'ab' WHERE seq = 12`}, "第 12 条"},
		{"removed tail", []string{`DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`}, "审计链末尾不完整"},
		{"forged prev", []string{`UPDATE audit SET prev = '' WHERE seq = 2`}, "第 2 条事件处断裂：记录的上一条摘要"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(tempDir(t), "server.db")
			s := cityAt(t, path)
			before, err := s.VerifyAudit(ctx)
			if err != nil || !before.OK || before.Events != 19 {
				t.Fatalf("before tampering: %+v, %v", before, err)
			}
			db := rawDB(t, path)
			// The chain refuses edits unless the intruder drops its triggers.
			if _, err := db.Exec(tt.sql[0]); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("tampering with the triggers in place: %v", err)
			}
			for _, q := range append([]string{`DROP TRIGGER audit_no_update`, `DROP TRIGGER audit_no_delete`}, tt.sql...) {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err := s.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || !strings.Contains(rep.Error, tt.want) {
				t.Fatalf("report %+v, want an error saying %q", rep, tt.want)
			}
		})
	}
}

func TestAuditHoldsNoSecrets(t *testing.T) {
	path := filepath.Join(tempDir(t), "server.db")
	s := cityAt(t, path)
	if err := s.SetPassword(ctx, "u-zd-filer", "$argon2id$v=19$m=47104,t=1,p=1$c2VjcmV0$secret"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSession(ctx, server.Session{TokenHash: "tokenhash-secret", UserID: "u-admin", ExpiresAt: storetest.Start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	for _, q := range []string{
		`SELECT COUNT(*) FROM audit WHERE data LIKE '%argon2id%' OR data LIKE '%secret%' OR data LIKE '%password_hash%'`,
		`SELECT COUNT(*) FROM feed WHERE data LIKE '%argon2id%' OR data LIKE '%secret%' OR data LIKE '%password%'`,
	} {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%s: %d rows hold a secret", q, n)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit WHERE action = 'user.password' AND subject = 'u-zd-filer'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("password change events: %d, %v", n, err)
	}
}

// TestFeedKeepsLatest checks the engine's feed table directly: one row per
// entity, and a replaced newest row never reuses its sequence.
func TestFeedKeepsLatest(t *testing.T) {
	path := filepath.Join(tempDir(t), "server.db")
	s := cityAt(t, path)
	db := rawDB(t, path)
	var dups int
	if err := db.QueryRow(`SELECT COUNT(*) FROM (SELECT entity, entity_id FROM feed GROUP BY entity, entity_id HAVING COUNT(*) > 1)`).Scan(&dups); err != nil || dups != 0 {
		t.Fatalf("%d entities with more than one feed row, %v", dups, err)
	}
	var max int64
	db.QueryRow(`SELECT MAX(seq) FROM feed`).Scan(&max)
	admin, _, _ := s.UserByUsername(ctx, "admin")
	for i := range 3 {
		rs, err := s.Push(ctx, admin, []wire.Change{{ID: "rename-" + string(rune('a'+i)), Kind: wire.KindGroupSave,
			Data: []byte(`{"id":"dept","name":"市直部门` + string(rune('A'+i)) + `"}`)}})
		if err != nil || rs[0].Status != wire.Applied {
			t.Fatalf("%+v, %v", rs, err)
		}
		if rs[0].Seq <= max {
			t.Fatalf("sequence %d reused (newest was %d)", rs[0].Seq, max)
		}
		max = rs[0].Seq
	}
}
