package storetest

import (
	"encoding/json"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// feedCount counts the entities of a kind in u's feed.
func feedCount(c *City, u assess.User, entity string) int {
	n := 0
	for _, e := range c.Latest(u) {
		if e.Entity == entity && !e.Deleted {
			n++
		}
	}
	return n
}

func testPushIdempotent(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	task := Task(Leaf11, UnitA)
	att := c.Blob(c.ReporterA)
	ch := c.Change(wire.KindSubmit, wire.Submit{TaskID: task, Statement: "已落实。", Attachments: []assess.Attachment{att}})
	first := c.PushOne(c.ReporterA, ch)
	if first.Status != wire.Applied {
		t.Fatalf("first push: %+v", first)
	}
	events := c.AuditEvents()
	_, cursor := c.PullAll(c.Admin, 0, 0)

	// The same change again, re-encoded with other key order and spacing,
	// alone and in a batch with a new change: the original result, nothing
	// applied twice.
	var m map[string]any
	if err := json.Unmarshal(ch.Data, &m); err != nil {
		t.Fatal(err)
	}
	again := ch
	again.Data, _ = json.MarshalIndent(m, "", "   ")
	if got := c.PushOne(c.ReporterA, again); got != first {
		t.Fatalf("retry answered %+v, want the original %+v", got, first)
	}
	other := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf12, UnitA), Statement: "草稿"})
	rs, err := c.S.Push(c.Ctx, c.ReporterA, []wire.Change{ch, other, ch})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0] != first || rs[2] != first || rs[1].Status != wire.Applied {
		t.Fatalf("batch results %+v", rs)
	}
	if n := feedCount(c, c.Admin, wire.EntitySubmission); n != 1 {
		t.Fatalf("%d submissions after retries, want 1", n)
	}
	if got := MustEntity[assess.Task](c, c.Admin, wire.EntityTask, task); got.Version != 1 || got.Status != assess.Submitted {
		t.Fatalf("task after retries: %+v", got)
	}
	if got := c.AuditEvents(); got != events+1 {
		t.Fatalf("%d audit events, want %d: retries must not be recorded again", got, events+1)
	}
	page, err := c.S.Changes(c.Ctx, c.Admin, cursor, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		if e.Entity != wire.EntityDraft && e.Entity != wire.EntityTask {
			t.Fatalf("a retry changed %s %s", e.Entity, e.ID)
		}
		if e.Entity == wire.EntityTask && e.ID != Task(Leaf12, UnitA) {
			t.Fatalf("a retry changed task %s", e.ID)
		}
	}

	// A stored rejection is answered again too.
	bad := c.Change(wire.KindSubmit, wire.Submit{TaskID: task, BaseVersion: 0, Statement: "再次提交", Attachments: []assess.Attachment{att}})
	r1 := c.PushOne(c.ReporterA, bad)
	CheckRejected(t, r1, assess.EConflict)
	if r2 := c.PushOne(c.ReporterA, bad); r2 != r1 {
		t.Fatalf("retried rejection %+v, want %+v", r2, r1)
	}
}

func testPushReusedID(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	task := Task(Leaf11, UnitA)
	ch := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: task, Statement: "第一稿"})
	if r := c.PushOne(c.ReporterA, ch); r.Status != wire.Applied {
		t.Fatalf("%+v", r)
	}
	events := c.AuditEvents()

	changed := ch
	changed.Data = json.RawMessage(`{"task_id":"` + task + `","statement":"第二稿"}`)
	fresh := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf12, UnitA), Statement: "另一项"})
	sameBatchA := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf12, UnitA), Statement: "甲"})
	sameBatchB := sameBatchA
	sameBatchB.Data = json.RawMessage(`{"task_id":"` + Task(Leaf12, UnitA) + `","statement":"乙"}`)
	otherKind := ch
	otherKind.Kind = wire.KindSubmit

	for _, tt := range []struct {
		name  string
		user  assess.User
		batch []wire.Change
	}{
		{"different body", c.ReporterA, []wire.Change{fresh, changed}},
		{"different kind", c.ReporterA, []wire.Change{otherKind}},
		{"within one batch", c.ReporterA, []wire.Change{sameBatchA, sameBatchB}},
		{"another user", c.ReporterB, []wire.Change{ch}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := c.S.Push(c.Ctx, tt.user, tt.batch)
			wantCode(t, err, assess.EConflict)
			if msg := assess.ErrorMessage(err); msg != "同一变更编号已用于不同内容 (change ID reused with a different body)" {
				t.Fatalf("message %q", msg)
			}
			if rs != nil {
				t.Fatalf("results %+v on a failed push", rs)
			}
		})
	}
	// Nothing of the refused batches was applied.
	if got := c.AuditEvents(); got != events {
		t.Fatalf("%d audit events, want %d", got, events)
	}
	if _, ok := Entity[wire.DraftSave](c, c.ReporterA, wire.EntityDraft, Task(Leaf12, UnitA)); ok {
		t.Fatal("a change of a refused batch was applied")
	}
	if d := MustEntity[wire.DraftSave](c, c.ReporterA, wire.EntityDraft, task); d.Statement != "第一稿" {
		t.Fatalf("draft %q, want the first body", d.Statement)
	}
}

func testPushMissingEvidenceRetry(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	task := Task(Leaf11, UnitA)
	missing := c.UnknownBlob()
	ch := c.Change(wire.KindSubmit, wire.Submit{TaskID: task, Statement: "已落实。", Attachments: []assess.Attachment{missing}})
	r := c.PushOne(c.ReporterA, ch)
	CheckRejected(t, r, assess.EMissing)
	if r.HTTP != 424 {
		t.Fatalf("HTTP %d for missing evidence", r.HTTP)
	}
	// The client uploads the file, then pushes the same change again.
	if err := c.S.AddBlob(c.Ctx, blobOf(missing, c.ReporterA)); err != nil {
		t.Fatal(err)
	}
	if r := c.PushOne(c.ReporterA, ch); r.Status != wire.Applied {
		t.Fatalf("retry after upload: %+v", r)
	}
	sub := MustEntity[assess.Submission](c, c.ReporterA, wire.EntitySubmission, task+"#1")
	if len(sub.Attachments) != 1 || sub.Attachments[0].Hash != missing.Hash {
		t.Fatalf("submission %+v", sub)
	}
}

func testPushRejectsAlone(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	good1 := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf11, UnitA), Statement: "一"})
	bad := c.Change(wire.KindSubmit, wire.Submit{TaskID: Task(Leaf12, UnitA), Statement: "无附件"})
	good2 := c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf12, UnitA), Statement: "二"})
	rs, err := c.S.Push(c.Ctx, c.ReporterA, []wire.Change{good1, bad, good2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Status != wire.Applied || rs[2].Status != wire.Applied {
		t.Fatalf("results %+v", rs)
	}
	CheckRejected(t, rs[1], assess.EInvalid)
	if rs[0].ID != good1.ID || rs[1].ID != bad.ID || rs[2].ID != good2.ID {
		t.Fatalf("results out of order: %+v", rs)
	}
	if rs[2].Seq <= rs[0].Seq {
		t.Fatalf("sequences %d then %d", rs[0].Seq, rs[2].Seq)
	}
	if got := MustEntity[assess.Task](c, c.ReporterA, wire.EntityTask, Task(Leaf12, UnitA)); got.Status != assess.Draft || got.Version != 0 {
		t.Fatalf("task %+v: the rejected submit leaked", got)
	}
	for _, tt := range []struct {
		name string
		ch   wire.Change
	}{
		{"empty ID", wire.Change{Kind: wire.KindDraftSave, Data: good1.Data}},
		{"control character in ID", wire.Change{ID: "a\nb", Kind: wire.KindDraftSave, Data: good1.Data}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			CheckRejected(t, c.PushOne(c.ReporterA, tt.ch), assess.EInvalid)
		})
	}

	// A disabled user's push fails as a whole; too large a batch too.
	if err := c.S.SetDisabled(c.Ctx, c.ReporterB.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = c.S.Push(c.Ctx, c.ReporterB, []wire.Change{c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf11, UnitB), Statement: "x"})})
	wantCode(t, err, assess.EUnauthorized)
	big := make([]wire.Change, wire.MaxPushChanges+1)
	for i := range big {
		big[i] = c.Change(wire.KindDraftSave, wire.DraftSave{TaskID: Task(Leaf11, UnitA), Statement: "x"})
	}
	_, err = c.S.Push(c.Ctx, c.ReporterA, big)
	wantCode(t, err, assess.ETooLarge)
}
