package e2e_test

import (
	"slices"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestExactlyOnce loses the server's answers on the way back and checks
// that the retries leave exactly one copy of everything.
func TestExactlyOnce(t *testing.T) {
	t.Run("PushAnswerLost", func(t *testing.T) {
		clk := newClock(at(3, 2, 9))
		c := newCentral(t, clk, nil)
		c.seed(0)
		n := newNetwork()
		rep := c.desk("rep-a", n)
		rep.syncOK()

		f := writeEvidence(t, tempDir(t), "权责清单.pdf", 7, 64<<10)
		a11 := task(leaf11, unitA)
		rep.fileTask(a11, "已公布权责清单。", rep.attach(0, f))
		// The evidence goes first, so that the push is the only exchange
		// whose answer is lost.
		n.setDrop(dropOnce("POST", wire.PushPath))
		rep.syncOK()
		if lost := n.lostAnswers(); !slices.Equal(lost, []string{"POST " + wire.PushPath}) {
			t.Fatalf("answers lost: %v, want the push's", lost)
		}
		if pushes := n.count("POST", wire.PushPath); pushes != 2 {
			t.Fatalf("%d pushes, want the lost one and its retry", pushes)
		}
		subs := c.submissions(a11)
		if len(subs) != 1 || subs[1].Version != 1 {
			t.Fatalf("server submissions after a retried push: %+v, want version 1 only", subs)
		}
		if st := c.serverTask(a11); st.Version != 1 || st.Status != assess.Submitted {
			t.Fatalf("server task: %s v%d, want submitted v1", st.Status, st.Version)
		}
		// The local store took the replayed answer: the task is submitted,
		// nothing waits.
		if v := rep.view(a11); v.Local != assess.Submitted || v.Version != 1 || len(v.Pending) != 0 || len(v.Rejected) != 0 {
			t.Fatalf("unit A sees %s v%d, pending %v, rejected %v", v.Local, v.Version, v.Pending, v.Rejected)
		}
		c.verifyAudit()
	})

	t.Run("FinalPatchAnswerLost", func(t *testing.T) {
		clk := newClock(at(3, 2, 9))
		c := newCentral(t, clk, nil)
		c.seed(0)
		n := newNetwork()
		rep := c.desk("rep-a", n)
		rep.syncOK()

		const size = 3 << 20
		f := writeEvidence(t, tempDir(t), "年度报告.pdf", 8, size)
		a11 := task(leaf11, unitA)
		rep.fileTask(a11, "已公布年度报告。", rep.attach(0, f))
		n.setDrop(dropOnce("PATCH", wire.UploadsPath))
		rep.syncOK()
		if lost := n.lostAnswers(); len(lost) != 1 {
			t.Fatalf("answers lost: %v, want the final PATCH's", lost)
		}
		// The finished upload is gone from tus once its file is stored, so
		// the client may ask to create it again; the server answers that it
		// holds the file, and no byte goes twice.
		if patches := n.count("PATCH", wire.UploadsPath); patches != 1 {
			t.Fatalf("%d PATCH requests, want the one whose answer was lost", patches)
		}
		if sent := n.bodyBytes("PATCH"); sent != size {
			t.Fatalf("%d bytes PATCHed, want the file once (%d)", sent, size)
		}
		files := c.evidenceFiles()
		if len(files) != 1 || files[f.sum] != size {
			t.Fatalf("server evidence store: %v, want the one file", files)
		}
		if got := c.storedSHA256(f.sum); got != f.sum {
			t.Fatalf("stored file hashes to %s", got)
		}
		if _, err := c.store.Blob(ctx, f.sum); err != nil {
			t.Fatalf("the server has no record of the file: %v", err)
		}
		if subs := c.submissions(a11); len(subs) != 1 {
			t.Fatalf("server submissions: %+v", subs)
		}
		c.verifyAudit()
	})

	t.Run("SameFileTwoTasks", func(t *testing.T) {
		clk := newClock(at(3, 2, 9))
		c := newCentral(t, clk, nil)
		c.seed(0)
		n := newNetwork()
		rep := c.desk("rep-a", n)
		rep.syncOK()

		const size = 2 << 20
		dir := tempDir(t)
		f := writeEvidence(t, dir, "法治政府建设年度报告.pdf", 9, size)
		// The same content under another name, attached to another task.
		g := writeEvidence(t, tempDir(t), "年度报告（副本）.pdf", 9, size)
		if g.sum != f.sum {
			t.Fatal("the copy differs")
		}
		a11, a21 := task(leaf11, unitA), task(leaf21, unitA)
		rep.fileTask(a11, "已公布年度报告。", rep.attach(0, f))
		rep.fileTask(a21, "年度报告中载明合法性审核情况。", rep.attach(0, g))
		local := blobFiles(t, rep.dir)
		if len(local) != 1 || local[f.sum] != size {
			t.Fatalf("local evidence store: %v, want the file once", local)
		}
		before := n.wireBytes()
		rep.syncOK()
		if sent := n.bodyBytes("PATCH"); sent != size {
			t.Fatalf("%d bytes PATCHed, want the file once (%d)", sent, size)
		}
		if onWire := n.wireBytes() - before; onWire < size || onWire > size+size/20 {
			t.Fatalf("%d bytes on the wire for one %d-byte file", onWire, size)
		}
		if creates := n.count("POST", wire.UploadsPath); creates != 1 {
			t.Fatalf("%d uploads created, want 1", creates)
		}
		if files := c.evidenceFiles(); len(files) != 1 {
			t.Fatalf("server evidence store: %v, want the file once", files)
		}
		for _, id := range []string{a11, a21} {
			subs := c.submissions(id)
			if len(subs) != 1 || !slices.Equal(hashesOf(subs[1].Attachments), []string{f.sum}) {
				t.Fatalf("server submissions of %s: %+v", id, subs)
			}
		}
	})
}
