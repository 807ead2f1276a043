package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestBackup(t *testing.T) {
	dir := tempDir(t)
	s := cityAt(t, filepath.Join(dir, "server.db"))
	reporter, _, _ := s.UserByUsername(ctx, "zd-filer")

	// Back up while a writer keeps pushing.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			data := fmt.Sprintf(`{"task_id":%q,"statement":"草稿 %d"}`, storetest.Task(storetest.Leaf12, storetest.UnitA), i)
			if _, err := s.Push(ctx, reporter, []wire.Change{{ID: fmt.Sprintf("d%d", i), Kind: wire.KindDraftSave, Data: []byte(data)}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	path := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	b, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := b.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Events < 19 {
		t.Fatalf("backup's audit chain: %+v, %v", rep, err)
	}
	if u, err := b.User(ctx, reporter.ID); err != nil || u != reporter {
		t.Fatalf("backup's user: %+v, %v", u, err)
	}
	page, err := b.Changes(ctx, assess.User{ID: "u-admin"}, 0, 0)
	if err != nil || len(page.Entries) < 20 {
		t.Fatalf("backup's feed: %d entries, %v", len(page.Entries), err)
	}

	// An existing file is never overwritten.
	err = s.Backup(ctx, path)
	if assess.ErrorCode(err) != assess.EConflict {
		t.Fatalf("backup over an existing file: %v", err)
	}
	if rep2, _ := b.VerifyAudit(ctx); rep2 != rep {
		t.Fatalf("the existing backup changed: %+v", rep2)
	}
}
