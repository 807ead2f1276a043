package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// TestOfflineThenBackOnline: with the server stopped, a reporting user's
// draft, evidence and submission are kept and queued; when the server is
// back, the background sync loop sends everything without anyone asking.
func TestOfflineThenBackOnline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "server")
	srv, err := demo.Start(context.Background(), dir, 2026, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &city{Server: srv, t: t}
	addr := strings.TrimPrefix(srv.URL, "http://")

	deps, db := testDeps(t)
	synced := make(chan struct{}, 1)
	deps.Syncer = func(api *client.API, st Store, progress func(client.Progress)) *client.Syncer {
		return client.NewSyncer(api, st.(*localdb.DB), client.SyncOptions{
			Interval: 100 * time.Millisecond,
			Now:      func() time.Time { return testNow },
			Backoff:  client.Backoff{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond},
			Progress: func(p client.Progress) {
				progress(p)
				if p.Phase == client.PhaseIdle && p.Err == nil {
					select {
					case synced <- struct{}{}:
					default:
					}
				}
			},
		})
	}
	s := loginShell(t, c, deps, c.account(assess.Reporter))
	<-synced // the login's first sync

	srv.Close()
	ctx := context.Background()
	tasks, err := db.Tasks(ctx, localdb.TaskFilter{YearID: s.year.ID, UnitID: s.user.UnitID})
	if err != nil || len(tasks) < 2 {
		t.Fatalf("%d tasks, %v", len(tasks), err)
	}
	id := tasks[0].ID
	a, err := db.AddEvidenceReader(ctx, "会议纪要.pdf", strings.NewReader("%PDF-1.4 offline evidence"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDraft(ctx, id, "离线填写的实施情况说明。", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	s.wrote()
	s.SyncNow()
	s.Idle()
	online, pending, _ := s.Status()
	if !strings.HasPrefix(online, "离线") || !strings.Contains(pending, "待发送") || strings.Contains(pending, "没有") {
		t.Fatalf("status while the server is down: %q, %q", online, pending)
	}
	if v, _ := db.Task(ctx, id); v.Local != assess.Submitted || !v.SubmitPending() {
		t.Fatalf("the submission is not kept as waiting: %s %v", v.Local, v.Pending)
	}

	// The background loop keeps trying while the server is down; the
	// server comes back where it was; nobody taps anything.
	s.startBackground()
	srv, err = demo.StartOn(context.Background(), addr, dir, 2026, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	select {
	case <-synced:
	case <-time.After(2 * time.Minute):
		t.Fatal("the background sync did not send the queued work")
	}
	s.stopSession()
	s.Idle()
	p, r, err := db.PendingCount(ctx)
	if err != nil || p != 0 || r != 0 {
		t.Fatalf("after the background sync: %d pending, %d rejected, %v", p, r, err)
	}
	v, err := db.Task(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Task.Status != assess.Submitted || v.Task.Version != 1 {
		t.Fatalf("the server's copy: %s version %d", v.Task.Status, v.Task.Version)
	}
	subs, err := db.Submissions(ctx, id)
	if err != nil || len(subs) != 1 || len(subs[0].Attachments) != 1 || subs[0].Attachments[0].Hash != a.Hash {
		t.Fatalf("submission on the server: %+v, %v", subs, err)
	}
}
