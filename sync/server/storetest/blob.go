package storetest

import (
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func testBlobs(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	ctx := c.Ctx
	a := c.Blob(c.ReporterA)
	got, err := c.S.Blob(ctx, a.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash != a.Hash || got.Size != a.Size || got.Name != a.Name || got.UploadedBy != c.ReporterA.ID || got.UnitID != UnitA || !got.CreatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("Blob = %+v", got)
	}
	events := c.AuditEvents()
	// Recording it again changes nothing.
	if err := c.S.AddBlob(ctx, server.Blob{Hash: a.Hash, Size: a.Size, Name: "改名.pdf", UploadedBy: c.ReporterA.ID, UnitID: UnitA}); err != nil {
		t.Fatal(err)
	}
	if again, _ := c.S.Blob(ctx, a.Hash); again != got {
		t.Fatalf("record changed to %+v", again)
	}
	if n := c.AuditEvents(); n != events {
		t.Fatalf("%d audit events after recording a known file, want %d", n, events)
	}
	missing := c.UnknownBlob()
	_, err = c.S.Blob(ctx, missing.Hash)
	wantCode(t, err, assess.ENotFound)
	wantCode(t, c.S.AddBlob(ctx, server.Blob{Hash: "not-a-hash", Size: 1}), assess.EInvalid)

	can := func(u assess.User, hash string) bool {
		t.Helper()
		ok, err := c.S.CanReadBlob(ctx, u, hash)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, tt := range []struct {
		name string
		user assess.User
		hash string
		want bool
	}{
		{"reviewer", c.Reviewer, a.Hash, true},
		{"uploader's unit", c.ReporterA, a.Hash, true},
		{"another unit", c.ReporterB, a.Hash, false},
		{"service account", c.Svc, a.Hash, false},
		{"reviewer, unknown file", c.Reviewer, missing.Hash, false},
		{"reporter, unknown file", c.ReporterA, missing.Hash, false},
		{"unknown user", assess.User{ID: "u-nobody", Role: assess.Reviewer}, a.Hash, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := can(tt.user, tt.hash); got != tt.want {
				t.Fatalf("CanReadBlob = %v, want %v", got, tt.want)
			}
		})
	}

	// A unit may read a file its draft, submission or rectification names,
	// or that it uploaded itself.
	c.Apply(c.ReporterB, wire.KindDraftSave, wire.DraftSave{TaskID: b11, Statement: "引用", Attachments: []assess.Attachment{a}})
	if !can(c.ReporterB, a.Hash) {
		t.Fatal("a unit cannot read the file its draft names")
	}
	b := c.Blob(c.ReporterB)
	if can(c.ReporterA, b.Hash) {
		t.Fatal("A reads B's file")
	}
	c.Apply(c.ReporterA, wire.KindSubmit, wire.Submit{TaskID: a11, Statement: "引用", Attachments: []assess.Attachment{b}})
	if !can(c.ReporterA, b.Hash) {
		t.Fatal("a unit cannot read the file its submission names")
	}
	if sub := MustEntity[assess.Submission](c, c.ReporterA, wire.EntitySubmission, a11+"#1"); sub.Attachments[0].Size != b.Size {
		t.Fatalf("attachment size %d, want the recorded %d", sub.Attachments[0].Size, b.Size)
	}
	d := c.Blob(c.ReporterB)
	if err := c.S.AddBlob(ctx, blobOf(d, c.ReporterA)); err != nil {
		t.Fatal(err)
	}
	if !can(c.ReporterA, d.Hash) {
		t.Fatal("a unit cannot read a file it uploaded again")
	}
	if err := c.S.SetDisabled(ctx, c.ReporterA.ID, true); err != nil {
		t.Fatal(err)
	}
	if can(c.ReporterA, a.Hash) {
		t.Fatal("a disabled user reads evidence")
	}
}
