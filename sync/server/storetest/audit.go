package storetest

import (
	"encoding/hex"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func testAudit(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	report := func() wire.AuditReport {
		t.Helper()
		rep, err := c.S.VerifyAudit(c.Ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK || rep.Error != "" || len(rep.Head) != 64 {
			t.Fatalf("audit report %+v", rep)
		}
		if _, err := hex.DecodeString(rep.Head); err != nil {
			t.Fatalf("head %q: %v", rep.Head, err)
		}
		return rep
	}
	// The seed: 6 accounts, 2 groups, 3 units, a year, 3 indicators, publishing.
	rep := report()
	if rep.Events != 16 {
		t.Fatalf("%d events after seeding, want 16", rep.Events)
	}
	step := func(name string, want int64, fn func()) {
		t.Helper()
		before := report()
		fn()
		after := report()
		if after.Events != before.Events+want {
			t.Fatalf("%s: %d events, want %d", name, after.Events, before.Events+want)
		}
		if want > 0 && after.Head == before.Head {
			t.Fatalf("%s: head unchanged", name)
		}
		if want == 0 && after.Head != before.Head {
			t.Fatalf("%s: head moved", name)
		}
	}
	var att assess.Attachment
	step("evidence recorded", 1, func() { att = c.Blob(c.ReporterA) })
	step("applied change", 1, func() {
		c.Apply(c.ReporterA, wire.KindSubmit, wire.Submit{TaskID: a11, Statement: "已落实。", Attachments: []assess.Attachment{att}})
	})
	step("rejected change", 0, func() {
		c.Reject(c.ReporterA, wire.KindSubmit, wire.Submit{TaskID: a11, Statement: "x"}, assess.EInvalid)
	})
	step("forbidden change", 0, func() {
		c.Reject(c.ReporterA, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1}, assess.EForbidden)
	})
	step("scoring", 1, func() { c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 3}) })
	step("new user", 1, func() { c.AddUser("bs-filer", assess.Reporter, UnitB, false) })
	step("new password", 1, func() {
		if err := c.S.SetPassword(c.Ctx, c.ReporterB.ID, "h"); err != nil {
			t.Fatal(err)
		}
	})
	step("disabling", 1, func() {
		if err := c.S.SetDisabled(c.Ctx, c.ReporterB.ID, true); err != nil {
			t.Fatal(err)
		}
	})
	step("sessions", 0, func() {
		if err := c.S.DeleteSession(c.Ctx, "none"); err != nil {
			t.Fatal(err)
		}
	})
}
