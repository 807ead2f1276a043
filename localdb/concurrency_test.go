package localdb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestOpenTwiceAtOnce opens a fresh folder from two stores at the same time
// (the desktop app and a headless command, say): the schema is made once.
func TestOpenTwiceAtOnce(t *testing.T) {
	for range 5 {
		dir := tempDir(t)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				db, err := Open(dir, Options{})
				if err == nil {
					err = db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestConcurrentActionsAndSync runs users' actions, a syncer and a puller
// at once: every change is pushed exactly once and the last save of each
// task is what the outbox and the draft hold.
func TestConcurrentActionsAndSync(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	tasks := []string{assess.TaskID(ind1.ID, unit1.ID), assess.TaskID(ind2.ID, unit1.ID), assess.TaskID(ind3.ID, unit1.ID)}
	const saves = 40
	var (
		mu     sync.Mutex
		pushed = map[string]string{} // change ID → data, as the server got it
		twice  []string
		done   = make(chan struct{})
		wg     sync.WaitGroup
	)
	for _, id := range tasks {
		wg.Go(func() {
			for i := range saves {
				if err := db.SaveDraft(ctx, id, fmt.Sprintf("%s 第%d稿", id, i), nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	syncer := func() error {
		cs, err := db.Pending(ctx, 2)
		if err != nil {
			return err
		}
		var rs []wire.Result
		mu.Lock()
		for _, c := range cs {
			if old, ok := pushed[c.ID]; ok && old != string(c.Data) {
				twice = append(twice, c.ID) // a handed-out change was changed afterwards
			}
			pushed[c.ID] = string(c.Data)
			rs = append(rs, wire.Result{ID: c.ID, Status: wire.Applied})
		}
		mu.Unlock()
		return db.RecordResults(ctx, rs)
	}
	var sw sync.WaitGroup
	sw.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := syncer(); err != nil {
				t.Error(err)
				return
			}
			if _, err := db.Tasks(ctx, TaskFilter{UnitID: "u1"}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
	close(done)
	sw.Wait()
	for {
		n, _, err := db.PendingCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if err := syncer(); err != nil {
			t.Fatal(err)
		}
	}
	if len(twice) > 0 {
		t.Fatalf("changes altered after they were handed out: %v", twice)
	}
	last := map[string]string{}
	for _, data := range pushed {
		for _, id := range tasks {
			if len(data) > 0 && strings.Contains(data, id+" 第"+fmt.Sprint(saves-1)+"稿") {
				last[id] = data
			}
		}
	}
	for _, id := range tasks {
		if last[id] == "" {
			t.Errorf("the last save of %s never reached the server", id)
		}
		d, err := db.Draft(ctx, id)
		if err != nil || d.Statement != fmt.Sprintf("%s 第%d稿", id, saves-1) {
			t.Errorf("draft of %s = %q, %v", id, d.Statement, err)
		}
	}
}
