package storetest

import (
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// scope says whose entries each entity kind is: "" for everyone, "unit" for
// the unit the record belongs to.
var scope = map[string]string{
	wire.EntityYear: "", wire.EntityGroup: "", wire.EntityUnit: "", wire.EntityIndicator: "", wire.EntityStanding: "",
	wire.EntityUser: "unit", wire.EntityTask: "unit", wire.EntityDraft: "unit", wire.EntitySubmission: "unit",
	wire.EntityReview: "unit", wire.EntityRectification: "unit", wire.EntityExternal: "unit",
}

// busyCity is the rule city plus a draft, an external score and a
// rectification response, so that every entity kind is in the feed.
func busyCity(t *testing.T, open Opener) *City {
	c := ruleCity(t, open)
	c.Apply(c.ReporterB, wire.KindDraftSave, wire.DraftSave{TaskID: b11, Statement: "草稿"})
	c.Apply(c.ReporterB, wire.KindRectRespond, wire.RectRespond{TaskID: b12, Response: "已整改"})
	c.Apply(c.Reviewer, wire.KindExternalSave, assess.ExternalScore{YearID: YearID, UnitID: UnitB, Source: assess.ThirdParty, Score: 80, Max: 100})
	c.Apply(c.Reviewer, wire.KindExternalSave, assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.ThirdParty, Score: 85, Max: 100})
	return c
}

func testFeedVisibility(t *testing.T, open Opener) {
	c := busyCity(t, open)
	all := c.Latest(c.Reviewer)
	kinds := map[string]bool{}
	for _, e := range all {
		kinds[e.Entity] = true
		switch scope[e.Entity] {
		case "":
			if e.UnitID != "" {
				t.Fatalf("%s %s scoped to %q, want everyone", e.Entity, e.ID, e.UnitID)
			}
		case "unit":
			if e.UnitID == "" {
				t.Fatalf("%s %s visible to everyone, want its unit only", e.Entity, e.ID)
			}
		default:
			t.Fatalf("unknown entity %q in the feed", e.Entity)
		}
	}
	for k := range scope {
		if !kinds[k] {
			t.Fatalf("no %s in the reviewer's feed", k)
		}
	}
	if e := all[wire.EntityTask+" "+b11]; e.UnitID != UnitB {
		t.Fatalf("task %s scoped to %q", b11, e.UnitID)
	}

	// A reporter sees everything meant for everyone and its own unit's
	// records, nothing of other units.
	mine := c.Latest(c.ReporterA)
	for k, e := range all {
		visible := e.UnitID == "" || e.UnitID == UnitA
		if _, ok := mine[k]; ok != visible {
			t.Fatalf("reporter A sees %s (unit %q): %v, want %v", k, e.UnitID, ok, visible)
		}
	}
	for _, k := range []string{wire.EntityTask + " " + a11, wire.EntitySubmission + " " + a11 + "#1", wire.EntityExternal + " " + YearID + "/" + UnitA + "/third_party"} {
		if _, ok := mine[k]; !ok {
			t.Fatalf("reporter A does not see its own %s", k)
		}
	}
	for _, k := range []string{wire.EntityTask + " " + b11, wire.EntityDraft + " " + b11, wire.EntityReview + " " + b12 + "#1", wire.EntityRectification + " " + b12, wire.EntityUser + " " + c.ReporterB.ID} {
		if _, ok := mine[k]; ok {
			t.Fatalf("reporter A sees %s", k)
		}
	}

	// A service account sees nothing; a disabled user is refused.
	page, err := c.S.Changes(c.Ctx, c.Svc, 0, 0)
	if err != nil || len(page.Entries) != 0 || page.More || page.Next != 0 {
		t.Fatalf("service account's feed: %+v, %v", page, err)
	}
	if err := c.S.SetDisabled(c.Ctx, c.ReporterB.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = c.S.Changes(c.Ctx, c.ReporterB, 0, 0)
	wantCode(t, err, assess.EUnauthorized)
}

func testFeedPaging(t *testing.T, open Opener) {
	c := busyCity(t, open)
	whole, cursor := c.PullAll(c.Reviewer, 0, 0)
	paged, cursor3 := c.PullAll(c.Reviewer, 0, 3)
	if len(whole) < 20 || len(paged) != len(whole) || cursor3 != cursor {
		t.Fatalf("paged pull: %d entries to %d, whole: %d to %d", len(paged), cursor3, len(whole), cursor)
	}
	for i := range whole {
		if whole[i].Seq != paged[i].Seq || whole[i].ID != paged[i].ID {
			t.Fatalf("entry %d differs between paged and whole pulls", i)
		}
	}
	page, err := c.S.Changes(c.Ctx, c.Reviewer, 0, 5)
	if err != nil || len(page.Entries) != 5 || !page.More || page.Next != page.Entries[4].Seq {
		t.Fatalf("first page of 5: %d entries, more %v, next %d, %v", len(page.Entries), page.More, page.Next, err)
	}

	// Nothing new: an empty page that keeps the cursor.
	page, err = c.S.Changes(c.Ctx, c.Reviewer, cursor, 0)
	if err != nil || len(page.Entries) != 0 || page.More || page.Next != cursor {
		t.Fatalf("pull at the head: %+v, %v", page, err)
	}
	page, err = c.S.Changes(c.Ctx, c.Reviewer, cursor+1000, 0)
	if err != nil || len(page.Entries) != 0 || page.Next != cursor+1000 {
		t.Fatalf("pull past the head: %+v, %v", page, err)
	}

	// An update moves the entity to the head of the feed, once; updating the
	// newest entry again still takes a higher sequence.
	r1 := c.Apply(c.ReporterB, wire.KindDraftSave, wire.DraftSave{TaskID: b11, Statement: "第二稿"})
	r2 := c.Apply(c.ReporterB, wire.KindDraftSave, wire.DraftSave{TaskID: b11, Statement: "第三稿"})
	if r1.Seq <= cursor || r2.Seq <= r1.Seq {
		t.Fatalf("sequences %d, %d after cursor %d", r1.Seq, r2.Seq, cursor)
	}
	news, next := c.PullAll(c.Reviewer, cursor, 0)
	if len(news) != 1 || news[0].Entity != wire.EntityDraft || news[0].Seq != r2.Seq || next != r2.Seq {
		t.Fatalf("incremental pull %+v to %d, want the draft at %d", news, next, r2.Seq)
	}
	after := c.Latest(c.Reviewer)
	if len(after) != len(whole) {
		t.Fatalf("%d entities after updates, want %d", len(after), len(whole))
	}
	// Reporter B's incremental pull sees it; A's does not.
	if news, _ := c.PullAll(c.ReporterB, cursor, 2); len(news) != 1 {
		t.Fatalf("reporter B's incremental pull: %+v", news)
	}
	if news, next := c.PullAll(c.ReporterA, cursor, 2); len(news) != 0 || next != cursor {
		t.Fatalf("reporter A's incremental pull: %+v to %d", news, next)
	}
}
