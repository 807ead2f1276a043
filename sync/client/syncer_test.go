package client_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// submitOffline drafts, attaches files and submits a task in the PC's local
// store, as a unit does offline.
func submitOffline(t *testing.T, p *pc, taskID string, files map[string][]byte) []assess.Attachment {
	t.Helper()
	ctx := context.Background()
	var atts []assess.Attachment
	for name, content := range files {
		b := addEvidence(t, p, name, content)
		atts = append(atts, assess.Attachment{Hash: b.Hash, Name: b.Name, Size: b.Size, Slot: -1})
	}
	if err := p.db.SaveDraft(ctx, taskID, "已编制权责清单并在政府网站公布，按季度动态调整。", atts); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Submit(ctx, taskID); err != nil {
		t.Fatal(err)
	}
	return atts
}

// feed returns what the reviewer's feed holds, by entity and ID.
func (c *city) feed() map[string]map[string]wire.Entry {
	c.t.Helper()
	out := map[string]map[string]wire.Entry{}
	page, err := c.store.Changes(context.Background(), accounts["reviewer"].user, 0, wire.MaxPageSize)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, e := range page.Entries {
		if out[e.Entity] == nil {
			out[e.Entity] = map[string]wire.Entry{}
		}
		out[e.Entity][e.ID] = e
	}
	return out
}

// TestSyncPushLostResponse loses the server's answer to a push: the syncer
// pushes the same changes again, the server answers with the original
// results, and exactly one submission exists.
func TestSyncPushLostResponse(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	l := &lossy{next: http.DefaultTransport.(*http.Transport).Clone()}
	p := c.pc("rep-a", l, nil)
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	submitOffline(t, p, taskA, map[string][]byte{"权责清单.pdf": randomFile(1, 100<<10), "公开网页截图.png": append([]byte("\x89PNG\r\n\x1a\n"), randomFile(2, 50<<10)...)})

	l.mu.Lock()
	l.drop = once(http.MethodPost, wire.PushPath)
	l.mu.Unlock()
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(l.lost) != 1 {
		t.Fatalf("lost %v, want one push answer", l.lost)
	}
	f := c.feed()
	subs := 0
	for _, e := range f[wire.EntitySubmission] {
		var s assess.Submission
		if err := jsonUnmarshal(e.Data, &s); err != nil {
			t.Fatal(err)
		}
		if s.TaskID == taskA {
			subs++
		}
	}
	if subs != 1 {
		t.Errorf("%d submissions of %s on the server, want 1", subs, taskA)
	}
	var task assess.Task
	if err := jsonUnmarshal(f[wire.EntityTask][taskA].Data, &task); err != nil {
		t.Fatal(err)
	}
	if task.Status != assess.Submitted || task.Version != 1 {
		t.Errorf("server task = %s v%d, want submitted v1", task.Status, task.Version)
	}
	pending, rejected, err := p.db.PendingCount(ctx)
	if err != nil || pending != 0 || rejected != 0 {
		t.Errorf("after sync: %d pending, %d rejected, %v", pending, rejected, err)
	}
	v, err := p.db.Task(ctx, taskA)
	if err != nil || v.Status != assess.Submitted || v.Version != 1 {
		t.Errorf("local task = %+v, %v", v.Task, err)
	}
}

// TestSyncOffline keeps everything queued when the server is gone, and
// reports offline.
func TestSyncOffline(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	var mu sync.Mutex
	var last client.Progress
	p := c.pc("rep-a", nil, func(pr client.Progress) {
		mu.Lock()
		last = pr
		mu.Unlock()
	})
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if !p.syncer.Online() || p.syncer.LastSync().IsZero() {
		t.Errorf("after a good sync: online %v, last sync %v", p.syncer.Online(), p.syncer.LastSync())
	}
	submitOffline(t, p, taskA, map[string][]byte{"权责清单.pdf": randomFile(1, 10<<10)})
	c.http.Close()

	err := p.syncer.SyncOnce(ctx)
	if !client.Offline(err) || assess.ErrorMessage(err) != client.OfflineMessage {
		t.Fatalf("offline sync: err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if last.Phase != client.PhaseIdle || last.Online || last.Err == nil || last.Pending != 2 {
		t.Errorf("last progress %+v, want idle, offline, an error and 2 pending", last)
	}
	pending, _, _ := p.db.PendingCount(ctx)
	if pending != 2 {
		t.Errorf("%d changes pending, want the draft and the submit", pending)
	}
}

// TestSyncMissingEvidence makes the local store believe a file is on the
// server when it is not: the push is answered "evidence missing", the
// syncer uploads it and pushes again in the same run.
func TestSyncMissingEvidence(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	p := c.pc("rep-a", nil, nil)
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	atts := submitOffline(t, p, taskA, map[string][]byte{"权责清单.pdf": randomFile(9, 64<<10)})
	if err := p.db.MarkUploaded(ctx, atts[0].Hash); err != nil {
		t.Fatal(err)
	}
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if got := c.serverCopy(atts[0].Hash); sum(got) != atts[0].Hash {
		t.Error("server copy differs")
	}
	if pending, rejected, _ := p.db.PendingCount(ctx); pending != 0 || rejected != 0 {
		t.Errorf("%d pending, %d rejected after sync", pending, rejected)
	}
}

// TestSyncConflictKept submits from two PCs of the same unit: the second
// submit is rejected with a Chinese reason and kept for the user.
func TestSyncConflictKept(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	one, two := c.pc("rep-a", nil, nil), c.pc("rep-a", nil, nil)
	for _, p := range []*pc{one, two} {
		if err := p.syncer.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	submitOffline(t, one, taskA, map[string][]byte{"甲.pdf": randomFile(41, 8<<10)})
	submitOffline(t, two, taskA, map[string][]byte{"乙.pdf": randomFile(42, 8<<10)})
	if err := one.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := two.syncer.SyncOnce(ctx); err != nil {
		t.Fatalf("a rejection is not a failed sync: %v", err)
	}
	rs, err := two.db.Rejected(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var submit *localdb.Rejection
	for i := range rs {
		if rs[i].Kind == wire.KindSubmit {
			submit = &rs[i]
		}
	}
	if submit == nil {
		t.Fatalf("rejected = %d changes, none of them the second submit", len(rs))
	}
	if submit.Code != assess.EConflict || !hasHan(submit.Message) || submit.TaskID != taskA {
		t.Errorf("rejection %s %q, want a conflict with a Chinese reason", submit.Code, submit.Message)
	}
	if pending, _, _ := two.db.PendingCount(ctx); pending != 0 {
		t.Errorf("%d changes still pending after the rejection", pending)
	}
}

// TestRunTriggerStop runs the background loop: a first sync at once, one
// more for a Trigger, and Stop ends it.
func TestRunTriggerStop(t *testing.T) {
	c := newCity(t)
	idle := make(chan error, 10)
	p := c.pc("rep-a", nil, func(pr client.Progress) {
		if pr.Phase == client.PhaseIdle {
			idle <- pr.Err
		}
	})
	done := make(chan error, 1)
	go func() { done <- p.syncer.Run(context.Background()) }()
	if err := <-idle; err != nil {
		t.Fatalf("first sync: %v", err)
	}
	submitOffline(t, p, taskA, map[string][]byte{"权责清单.pdf": randomFile(1, 10<<10)})
	p.syncer.Trigger()
	p.syncer.Trigger() // coalesces; never blocks
	if err := <-idle; err != nil {
		t.Fatalf("triggered sync: %v", err)
	}
	p.syncer.Stop()
	if err := <-done; err != nil {
		t.Errorf("Run after Stop = %v, want nil", err)
	}
	if pending, _, _ := p.db.PendingCount(context.Background()); pending != 0 {
		t.Errorf("%d pending after the triggered sync", pending)
	}
	p.syncer.Stop() // twice is fine
}

// TestSyncMissingPhoto records an inspection whose photo this PC wrongly
// believes uploaded: the server answers that the photo is missing, and the
// syncer uploads it from the record's photos and applies the record.
func TestSyncMissingPhoto(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	p := c.pc("reviewer", nil, nil)
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	b := addEvidence(t, p, "现场照片.jpg", randomFile(11, 48<<10))
	if err := p.db.MarkUploaded(ctx, b.Hash); err != nil {
		t.Fatal(err)
	}
	in, err := p.db.SaveInspection(ctx, assess.Inspection{YearID: yearID, UnitID: unitA, Date: assess.Date(2026, 3, 2),
		Inspectors: []string{"张三"}, Findings: "执法公示栏未更新。", Score: 80, Max: 100,
		Photos: []assess.Attachment{{Hash: b.Hash, Name: b.Name, Size: b.Size, Slot: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.syncer.SyncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if got := c.serverCopy(b.Hash); sum(got) != b.Hash {
		t.Error("server copy of the photo differs")
	}
	if pending, rejected, _ := p.db.PendingCount(ctx); pending != 0 || rejected != 0 {
		t.Errorf("%d pending, %d rejected after sync", pending, rejected)
	}
	if _, ok := c.feed()[wire.EntityInspection][in.ID]; !ok {
		t.Errorf("inspection %s not on the server", in.ID)
	}
}
