package e2e_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestOfflineThenOnline does every reporter action with the server down:
// each works and is queued. When a server is up again on the same data and
// address, the running syncer, triggered once, sends everything in one
// sync.
func TestOfflineThenOnline(t *testing.T) {
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, nil)
	c.seed(1)
	rep := c.desk("rep-a", nil)
	rep.syncOK()
	a11, a12, a21, a31 := task(leaf11, unitA), task(leaf12, unitA), task(leaf21, unitA), task(extraLeaf(0), unitA)
	files := tempDir(t)
	f0 := writeEvidence(t, files, "权责清单.pdf", 300, 64<<10)
	f00 := writeEvidence(t, files, "审核台账.pdf", 301, 64<<10)

	// Before: 1.1 was returned for more material; 2.1 was scored below
	// the threshold and is under rectification.
	rep.fileTask(a11, "已公布权责清单。", rep.attach(0, f0))
	rep.fileTask(a21, "已建立审核台账。", rep.attach(0, f00))
	rep.syncOK()
	c.apply("reviewer1", wire.KindReturn, wire.ReviewDecision{TaskID: a11, Version: 1, Comment: "请补充动态调整会议纪要。"})
	c.apply("reviewer1", wire.KindScore, wire.ReviewDecision{TaskID: a21, Version: 1, Score: 3, Comment: "审核台账不完整，请整改。"})
	rep.syncOK()
	if r, err := rep.db.Rectification(ctx, a21); err != nil || r.State != assess.RectOpen {
		t.Fatalf("rectification before going offline: %+v, %v", r, err)
	}

	// The server goes down; the syncer runs in the background.
	c.stop()
	clk.Set(at(3, 9, 10))
	rep.forgetIdle()
	done := make(chan error, 1)
	go func() { done <- rep.sync.Run(ctx) }()
	defer func() {
		rep.sync.Stop()
		if err := <-done; err != nil {
			t.Errorf("syncer: %v", err)
		}
	}()
	if err := rep.waitIdle(); !client.Offline(err) {
		t.Fatalf("background sync with the server down: %v, want offline", err)
	}

	f1 := writeEvidence(t, files, "动态调整会议纪要.pdf", 311, 128<<10)
	f2 := writeEvidence(t, files, "营商环境工作方案.pdf", 312, 96<<10)
	f3 := writeEvidence(t, files, "误附的照片.jpg", 313, 48<<10)
	f4 := writeEvidence(t, files, "决策目录.pdf", 314, 72<<10)
	f5 := writeEvidence(t, files, "整改报告.pdf", 315, 160<<10)

	// Resubmit the returned task with one more file.
	d, err := rep.db.Draft(ctx, a11)
	rep.must(err)
	atts11 := append(d.Attachments, rep.attach(1, f1)...)
	rep.fileTask(a11, "已公布权责清单，补充动态调整会议纪要。", atts11)
	// Draft a new task, attach two files, detach one, submit.
	atts12 := rep.attach(0, f2, f3)
	rep.must(rep.db.SaveDraft(ctx, a12, "网上可办率达到 92%。", atts12))
	atts12 = atts12[:1]
	rep.must(rep.db.SaveDraft(ctx, a12, "网上可办率达到 92%，附工作方案。", atts12))
	rep.must(rep.db.Submit(ctx, a12))
	// Only draft another.
	atts31 := rep.attach(0, f4)
	rep.must(rep.db.SaveDraft(ctx, a31, "重大行政决策目录已公布。", atts31))
	// Answer the rectification.
	atts21 := rep.attach(-1, f5)
	rep.must(rep.db.RespondRect(ctx, a21, "已补齐审核台账并建立月度核查制度。", atts21))

	want := map[string][]string{
		a11: {wire.KindDraftSave, wire.KindSubmit},
		a12: {wire.KindDraftSave, wire.KindSubmit},
		a31: {wire.KindDraftSave},
		a21: {wire.KindRectRespond},
	}
	for id, kinds := range want {
		v := rep.view(id)
		if !slices.Equal(v.Pending, kinds) || !strings.Contains(v.StatusLabel(), "待同步") {
			t.Fatalf("%s offline: %q, pending %v; want %v waiting", id, v.StatusLabel(), v.Pending, kinds)
		}
	}
	if v := rep.view(a11); v.Local != assess.Submitted {
		t.Fatalf("a queued resubmit shows as %s", v.Local)
	}
	if pending, _ := rep.pending(); pending != 6 {
		t.Fatalf("%d changes queued, want 6", pending)
	}

	// A server comes up on the same data and address; one triggered sync
	// sends everything.
	c.start()
	rep.sync.Trigger()
	if err := rep.waitIdle(); err != nil {
		t.Fatalf("the sync after the server came back: %v", err)
	}
	select {
	case err := <-rep.idle:
		t.Fatalf("a second sync ran (%v); want one", err)
	default:
	}
	if pending, rejected := rep.pending(); pending != 0 || rejected != 0 {
		t.Fatalf("after one sync: %d pending, %d rejected", pending, rejected)
	}
	if !rep.sync.Online() {
		t.Fatal("the syncer does not know it is online")
	}

	subs := c.submissions(a11)
	if len(subs) != 2 || !slices.Equal(hashesOf(subs[2].Attachments), hashesOf(atts11)) {
		t.Fatalf("server submissions of 1.1: %+v", subs)
	}
	subs = c.submissions(a12)
	if len(subs) != 1 || subs[1].Statement != "网上可办率达到 92%，附工作方案。" || !slices.Equal(hashesOf(subs[1].Attachments), []string{f2.sum}) {
		t.Fatalf("server submissions of 1.2: %+v", subs)
	}
	drafts := decodeAll[wire.DraftSave](t, c.latest("admin"), wire.EntityDraft)
	if len(drafts) != 1 || drafts[0].TaskID != a31 || drafts[0].Statement != "重大行政决策目录已公布。" || !slices.Equal(hashesOf(drafts[0].Attachments), []string{f4.sum}) {
		t.Fatalf("server drafts: %+v, want the draft of 3.1 only", drafts)
	}
	if r := c.rectification(a21); r.State != assess.RectResponded || !slices.Equal(hashesOf(r.Attachments), []string{f5.sum}) {
		t.Fatalf("server rectification: %+v", r)
	}
	wantFiles := map[string]int64{}
	for _, f := range []evidence{f0, f00, f1, f2, f4, f5} {
		wantFiles[f.sum] = f.size
	}
	got := c.evidenceFiles()
	if len(got) != len(wantFiles) {
		t.Fatalf("server evidence: %d files, want %d (the detached photo stays on the PC)", len(got), len(wantFiles))
	}
	for h, size := range wantFiles {
		if got[h] != size || c.storedSHA256(h) != h {
			t.Fatalf("server evidence %s: %d bytes, want %d with its SHA-256", h, got[h], size)
		}
	}
	for id, st := range map[string]assess.Status{a11: assess.Submitted, a12: assess.Submitted, a31: assess.Draft} {
		if v := rep.view(id); v.Local != st || len(v.Pending) != 0 {
			t.Fatalf("%s after sync: %s, pending %v; want %s", id, v.Local, v.Pending, st)
		}
	}
	if d, err := rep.db.Draft(ctx, a31); err != nil || d.Source == localdb.FromNothing {
		t.Fatalf("the draft of 3.1 after sync: %+v, %v", d, err)
	}
}
