package storetest

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

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

// testAuditEvents reads the audit chain back by period and in pages: the
// events are the chain's own (consecutive, linked, ending at the verified
// head), filtered by time with the lower bound included and the upper
// excluded, named after their actors, and free of secrets.
func testAuditEvents(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	day1 := c.AuditEvents() // the seed, at Start
	c.Clock.Advance(24 * time.Hour)
	c.Submit(c.ReporterA, a11, 0)
	secret := "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$never-in-the-log"
	if err := c.S.SetPassword(c.Ctx, c.ReporterB.ID, secret); err != nil {
		t.Fatal(err)
	}
	day2 := c.AuditEvents() - day1
	c.Clock.Advance(24 * time.Hour)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: a11, Version: 1, Score: 9, Comment: "材料齐全。"})
	total := c.AuditEvents()
	if day2 != 3 || total <= day1+day2 {
		t.Fatalf("events: %d on the first day, %d on the second, %d in all", day1, day2, total)
	}

	events := func(from, to time.Time, after int64, limit int) []wire.AuditEvent {
		t.Helper()
		es, err := c.S.AuditEvents(c.Ctx, from, to, after, limit)
		if err != nil {
			t.Fatalf("audit events (%v, %v, after %d, limit %d): %v", from, to, after, limit, err)
		}
		return es
	}
	var none time.Time
	all := events(none, none, 0, 0)
	if int64(len(all)) != total {
		t.Fatalf("%d events listed, the chain holds %d", len(all), total)
	}
	rep, err := c.S.VerifyAudit(c.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for i, e := range all {
		if e.Seq != int64(i+1) || e.Prev != prev || len(e.Hash) != 64 {
			t.Fatalf("event %d: seq %d, prev %.8s, hash %q; want seq %d linked to %.8s", i, e.Seq, e.Prev, e.Hash, i+1, prev)
		}
		if !json.Valid(e.Data) {
			t.Fatalf("event %d: data %q is not JSON", e.Seq, e.Data)
		}
		if strings.Contains(string(e.Data), "argon2id") || strings.Contains(string(e.Data), "never-in-the-log") {
			t.Fatalf("event %d (%s) holds a password hash: %s", e.Seq, e.Action, e.Data)
		}
		if e.Actor == "" || e.Action == "" || e.Time.IsZero() {
			t.Fatalf("event %d lacks actor, action or time: %+v", e.Seq, e)
		}
		prev = e.Hash
	}
	if last := all[len(all)-1]; last.Hash != rep.Head {
		t.Fatalf("last event's hash %s, the verified head is %s", last.Hash, rep.Head)
	}
	score := all[len(all)-1]
	for _, e := range all {
		if e.Action == wire.KindScore {
			score = e
		}
	}
	if score.Action != wire.KindScore || score.Actor != c.Reviewer.ID || score.ActorName != c.Reviewer.Name ||
		score.Subject != a11 || !strings.Contains(string(score.Data), "材料齐全。") || !score.Time.Equal(Start.Add(48*time.Hour)) {
		t.Fatalf("the scoring event: %+v", score)
	}
	var password wire.AuditEvent
	for _, e := range all {
		if e.Action == "user.password" {
			password = e
		}
	}
	if password.Subject != c.ReporterB.ID || password.ActorName != "" {
		t.Fatalf("the password event: %+v, want one about %s with no user as its actor", password, c.ReporterB.ID)
	}

	// Periods: [from, to), each bound open when zero.
	day := func(n int) time.Time { return Start.Add(time.Duration(n) * 24 * time.Hour) }
	for _, tt := range []struct {
		name     string
		from, to time.Time
		want     []wire.AuditEvent
	}{
		{"first day", none, day(1), all[:day1]},
		{"second day", day(1), day(2), all[day1 : day1+day2]},
		{"from the second day", day(1), none, all[day1:]},
		{"the instant of the seed", Start, Start.Add(1), all[:day1]},
		{"up to the instant of the seed", none, Start, nil},
		{"before", day(-30), day(-1), nil},
		{"after", day(3), none, nil},
		{"far bounds", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), all},
	} {
		got := events(tt.from, tt.to, 0, 0)
		if !sameEvents(got, tt.want) {
			t.Errorf("%s: %d events %v, want %d %v", tt.name, len(got), seqs(got), len(tt.want), seqs(tt.want))
		}
	}

	// Pages by sequence, within a period too.
	for _, tt := range []struct {
		from  time.Time
		limit int
		want  []wire.AuditEvent
	}{
		{none, 1, all}, {none, 4, all}, {none, len(all), all}, {day(1), 2, all[day1:]},
	} {
		var got []wire.AuditEvent
		after := int64(0)
		for pages := 0; ; pages++ {
			page := events(tt.from, none, after, tt.limit)
			if len(page) > tt.limit || pages > len(all) {
				t.Fatalf("limit %d: a page of %d events after %d pages", tt.limit, len(page), pages)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1].Seq
		}
		if !sameEvents(got, tt.want) {
			t.Errorf("pages of %d from %v: %v, want %v", tt.limit, tt.from, seqs(got), seqs(tt.want))
		}
	}
	if got := events(none, none, total-2, 0); !sameEvents(got, all[total-2:]) {
		t.Errorf("after %d: %v", total-2, seqs(got))
	}
}

func sameEvents(a, b []wire.AuditEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Seq != y.Seq || !x.Time.Equal(y.Time) || x.Actor != y.Actor || x.ActorName != y.ActorName || x.Action != y.Action ||
			x.Subject != y.Subject || string(x.Data) != string(y.Data) || x.Prev != y.Prev || x.Hash != y.Hash {
			return false
		}
	}
	return true
}

func seqs(es []wire.AuditEvent) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Seq
	}
	return out
}
