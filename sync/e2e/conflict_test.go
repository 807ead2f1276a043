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

// racedSubmit is unit A's task after two of its PCs submitted it: PC 1
// edited and submitted offline, PC 2 submitted first and synced. PC 1 has
// synced since, and its submit was refused.
type racedSubmit struct {
	c             *central
	pc1, pc2      *desk
	mine, theirs  evidence
	rejection     localdb.Rejection   // the submit's
	rejections    []localdb.Rejection // every refused change, oldest first
	mineStatement string
}

const theirStatement = "（二号机）已公布权责清单。"

// raceSubmit plays the race; with returned, a reviewer returns PC 2's
// version before PC 1 comes back online.
func raceSubmit(t *testing.T, returned bool) *racedSubmit {
	t.Helper()
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, nil)
	c.seed(0)
	n1 := newNetwork()
	r := &racedSubmit{c: c, pc1: c.desk("rep-a", n1), pc2: c.desk("rep-a", nil)}
	r.pc1.syncOK()
	r.pc2.syncOK()
	a11 := task(leaf11, unitA)
	files := tempDir(t)
	r.mine = writeEvidence(t, files, "一号机权责清单.pdf", 101, 96<<10)
	r.theirs = writeEvidence(t, files, "二号机权责清单.pdf", 102, 80<<10)

	// PC 1 works offline: a draft, then an edit, then the submit.
	n1.setDown(true)
	clk.Set(at(3, 5, 10))
	r.pc1.must(r.pc1.db.SaveDraft(ctx, a11, "（一号机）初稿", nil))
	r.mineStatement = "（一号机）已全面梳理权责事项并公布权责清单，建立动态调整机制。"
	r.pc1.fileTask(a11, r.mineStatement, r.pc1.attach(0, r.mine))
	if err := r.pc1.sync.SyncOnce(ctx); !client.Offline(err) {
		t.Fatalf("PC 1 offline: sync said %v", err)
	}

	// PC 2 submits first.
	clk.Set(at(3, 5, 11))
	r.pc2.fileTask(a11, theirStatement, r.pc2.attach(0, r.theirs))
	r.pc2.syncOK()
	if returned {
		c.apply("reviewer1", wire.KindReturn, wire.ReviewDecision{TaskID: a11, Version: 1, Comment: "请补充动态调整会议纪要。"})
	}

	// PC 1 comes back: its evidence goes up, its submit is refused, and
	// the pull brings PC 2's version.
	clk.Set(at(3, 6, 9))
	n1.setDown(false)
	if err := r.pc1.sync.SyncOnce(ctx); err != nil {
		t.Fatalf("PC 1 sync: %v", err)
	}
	// The submit is refused; so is the draft save before it when PC 2's
	// version awaits review (a submitted task cannot be edited).
	wantRejected := []string{wire.KindDraftSave, wire.KindSubmit}
	if returned {
		wantRejected = wantRejected[1:]
	}
	if pending, rejected := r.pc1.pending(); pending != 0 || rejected != len(wantRejected) {
		t.Fatalf("PC 1: %d pending, %d rejected; want %v rejected", pending, rejected, wantRejected)
	}
	rs, err := r.pc1.db.Rejected(ctx)
	if err != nil || len(rs) != len(wantRejected) {
		t.Fatalf("rejected changes: %+v, %v", rs, err)
	}
	for i, rj := range rs {
		if rj.Kind != wantRejected[i] || rj.TaskID != a11 || rj.Code != assess.EConflict || !hasHan(rj.Message) {
			t.Fatalf("rejection %d: %+v, want %s refused as a conflict with a Chinese reason", i, rj, wantRejected[i])
		}
	}
	r.rejections = rs
	r.rejection = rs[len(rs)-1]
	rj := r.rejection
	if !strings.Contains(rj.Message, "第 1 版") {
		t.Fatalf("the submit's rejection says %q, want it to name version 1", rj.Message)
	}
	v := r.pc1.view(a11)
	if len(v.Rejected) != len(rs) || v.Rejected[len(rs)-1].ChangeID != rj.ChangeID || !strings.Contains(v.StatusLabel(), "同步被拒绝") {
		t.Fatalf("PC 1's task shows %q with rejections %+v", v.StatusLabel(), v.Rejected)
	}
	want := assess.Submitted
	if returned {
		want = assess.Returned
	}
	if v.Status != want || v.Version != 1 {
		t.Fatalf("PC 1's copy of the server task: %s v%d, want %s v1", v.Status, v.Version, want)
	}
	// The local draft is intact.
	d, err := r.pc1.db.Draft(ctx, a11)
	if err != nil || d.Source != localdb.FromLocal || d.Statement != r.mineStatement || !slices.Equal(hashesOf(d.Attachments), []string{r.mine.sum}) {
		t.Fatalf("PC 1's draft after the refusal: %+v, %v; want its own work", d, err)
	}
	if subs := c.submissions(a11); len(subs) != 1 || subs[1].Statement != theirStatement {
		t.Fatalf("server submissions: %+v, want PC 2's only", subs)
	}
	return r
}

// TestNeverLoseLocalWork races two PCs of one unit, and two reviewers,
// and checks that the loser's work stays visible, with the server's reason,
// until the user keeps it or takes the server's version.
func TestNeverLoseLocalWork(t *testing.T) {
	a11 := task(leaf11, unitA)

	t.Run("KeepMine", func(t *testing.T) {
		r := raceSubmit(t, true)
		r.pc1.must(r.pc1.db.KeepMine(ctx, r.rejection.ChangeID))
		if rs, _ := r.pc1.db.Rejected(ctx); len(rs) != 0 {
			t.Fatalf("rejections after KeepMine: %+v", rs)
		}
		if v := r.pc1.view(a11); !slices.Equal(v.Pending, []string{wire.KindSubmit}) || v.Local != assess.Submitted {
			t.Fatalf("after KeepMine the task shows %s, pending %v; want a new submit waiting", v.Local, v.Pending)
		}
		r.pc1.syncOK()
		subs := r.c.submissions(a11)
		if len(subs) != 2 || subs[1].Statement != theirStatement || subs[2].Statement != r.mineStatement ||
			!slices.Equal(hashesOf(subs[2].Attachments), []string{r.mine.sum}) {
			t.Fatalf("server submissions after KeepMine: %+v, want PC 2's v1 and PC 1's v2", subs)
		}
		if st := r.c.serverTask(a11); st.Status != assess.Submitted || st.Version != 2 {
			t.Fatalf("server task: %s v%d", st.Status, st.Version)
		}
		r.pc2.syncOK()
		if v := r.pc2.view(a11); v.Version != 2 {
			t.Fatalf("PC 2 sees v%d", v.Version)
		}
	})

	t.Run("TakeServer", func(t *testing.T) {
		r := raceSubmit(t, false)
		// PC 2's version waits for review: keeping mine is refused, with a
		// reason, and changes nothing.
		err := r.pc1.db.KeepMine(ctx, r.rejection.ChangeID)
		if assess.ErrorCode(err) != assess.EConflict || !hasHan(assess.ErrorMessage(err)) {
			t.Fatalf("KeepMine against a version awaiting review: %v, want a conflict with a Chinese reason", err)
		}
		if rs, _ := r.pc1.db.Rejected(ctx); !slices.Equal(changeIDs(rs), changeIDs(r.rejections)) {
			t.Fatalf("rejections after a refused KeepMine: %+v, want %+v", rs, r.rejections)
		}
		// Taking the server's version of the submit keeps the draft while
		// the refused draft save still names it; taking the server's
		// version of that too drops it.
		r.pc1.must(r.pc1.db.TakeServer(ctx, r.rejection.ChangeID))
		if d, err := r.pc1.db.Draft(ctx, a11); err != nil || d.Source != localdb.FromLocal || d.Statement != r.mineStatement {
			t.Fatalf("draft while a refused draft save remains: %+v, %v", d, err)
		}
		r.pc1.must(r.pc1.db.TakeServer(ctx, r.rejections[0].ChangeID))
		if pending, rejected := r.pc1.pending(); pending != 0 || rejected != 0 {
			t.Fatalf("after TakeServer: %d pending, %d rejected", pending, rejected)
		}
		v := r.pc1.view(a11)
		if v.Local != assess.Submitted || v.Draft != nil || len(v.Pending) != 0 || len(v.Rejected) != 0 {
			t.Fatalf("after TakeServer the task shows %s, draft %+v, pending %v", v.Local, v.Draft, v.Pending)
		}
		d, err := r.pc1.db.Draft(ctx, a11)
		if err != nil || d.Source == localdb.FromLocal || d.Statement != theirStatement {
			t.Fatalf("draft after TakeServer: %+v, %v; want the server's version", d, err)
		}
		pushes := r.pc1.net.count("POST", wire.PushPath)
		r.pc1.syncOK()
		if n := r.pc1.net.count("POST", wire.PushPath); n != pushes {
			t.Fatalf("a sync after TakeServer pushed %d times", n-pushes)
		}
		if subs := r.c.submissions(a11); len(subs) != 1 || subs[1].Statement != theirStatement {
			t.Fatalf("server submissions: %+v, want PC 2's only", subs)
		}
	})

	t.Run("ReviewerOutdated", func(t *testing.T) {
		clk := newClock(at(3, 2, 9))
		c := newCentral(t, clk, nil)
		c.seed(0)
		rep := c.desk("rep-a", nil)
		rep.syncOK()
		files := tempDir(t)
		f1 := writeEvidence(t, files, "权责清单.pdf", 201, 64<<10)
		f2 := writeEvidence(t, files, "补充材料.pdf", 202, 64<<10)
		rep.fileTask(a11, "已公布权责清单。", rep.attach(0, f1))
		rep.syncOK()

		n1 := newNetwork()
		r1, r2 := c.desk("reviewer1", n1), c.desk("reviewer2", nil)
		r1.syncOK()
		r2.syncOK()
		// Reviewer 1 scores version 1 offline, while reviewer 2 returns it
		// and the unit resubmits.
		n1.setDown(true)
		clk.Set(at(3, 10, 9))
		r1.must(r1.db.Score(ctx, a11, 1, 8, "材料齐全。"))
		if err := r1.sync.SyncOnce(ctx); !client.Offline(err) {
			t.Fatalf("reviewer 1 offline: sync said %v", err)
		}
		r2.must(r2.db.Return(ctx, a11, 1, "请补充会议纪要。"))
		r2.syncOK()
		clk.Set(at(3, 11, 9))
		rep.syncOK()
		d, err := rep.db.Draft(ctx, a11)
		rep.must(err)
		rep.fileTask(a11, "已公布权责清单，补充会议纪要。", append(d.Attachments, rep.attach(1, f2)...))
		rep.syncOK()

		clk.Set(at(3, 12, 9))
		n1.setDown(false)
		if err := r1.sync.SyncOnce(ctx); err != nil {
			t.Fatalf("reviewer 1 sync: %v", err)
		}
		rs, err := r1.db.Rejected(ctx)
		if err != nil || len(rs) != 1 {
			t.Fatalf("reviewer 1's rejected changes: %+v, %v", rs, err)
		}
		rj := rs[0]
		if rj.Kind != wire.KindScore || rj.TaskID != a11 || rj.Code != assess.EConflict || !hasHan(rj.Message) {
			t.Fatalf("rejection: %+v, want the outdated score refused with a Chinese reason", rj)
		}
		if v := r1.view(a11); len(v.Rejected) != 1 || v.Version != 2 || v.Status != assess.Submitted {
			t.Fatalf("reviewer 1 sees %s v%d with rejections %+v", v.Status, v.Version, v.Rejected)
		}
		if st := c.serverTask(a11); st.Status != assess.Submitted || st.Version != 2 || st.Scored {
			t.Fatalf("server task: %+v, want v2 awaiting review", st)
		}

		// Reviewer 1 keeps the decision: it is made again on version 2.
		r1.must(r1.db.KeepMine(ctx, rj.ChangeID))
		r1.syncOK()
		st := c.serverTask(a11)
		if st.Status != assess.Scored || st.Score != 8 || st.ReviewVersion != 2 {
			t.Fatalf("server task after KeepMine: %+v, want scored 8 on v2", st)
		}
		reviews := decodeAll[assess.Review](t, c.latest("admin"), wire.EntityReview)
		slices.SortFunc(reviews, func(x, y assess.Review) int { return x.Version - y.Version })
		if len(reviews) != 2 || reviews[0].Decision != assess.Return || reviews[0].Reviewer != people["reviewer2"].user.ID ||
			reviews[1].Decision != assess.Score || reviews[1].Version != 2 || reviews[1].Reviewer != people["reviewer1"].user.ID {
			t.Fatalf("server reviews: %+v, want reviewer 2's return of v1 and reviewer 1's score of v2", reviews)
		}
	})
}

func changeIDs(rs []localdb.Rejection) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ChangeID
	}
	return out
}
