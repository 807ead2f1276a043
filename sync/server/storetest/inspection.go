package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// testInspections records on-site inspection visits: each is fed to its
// unit with its photos readable there, the unit's on-site score is the mean
// of its visits (worked out by hand) as a new version each time, and a
// manual on-site score for that unit is refused.
func testInspections(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	onsiteID := assess.ExternalID(YearID, UnitA, assess.Onsite)
	onsite := func() assess.ExternalScore {
		t.Helper()
		return MustEntity[assess.ExternalScore](c, c.ReporterA, wire.EntityExternal, onsiteID)
	}

	// First visit: 18 of 20 → 90.
	photo := c.Blob(c.Reviewer)
	if ok, err := c.S.CanReadBlob(c.Ctx, c.ReporterA, photo.Hash); err != nil || ok {
		t.Fatalf("A reads the reviewer's photo before it is filed: %v, %v", ok, err)
	}
	v1 := visit("v1", UnitA, 18, 20)
	v1.Photos = []assess.Attachment{photo}
	c.Apply(c.Reviewer, wire.KindInspectionSave, v1)
	got := MustEntity[assess.Inspection](c, c.ReporterA, wire.EntityInspection, v1.ID)
	if got.YearID != YearID || got.UnitID != UnitA || got.Score != 18 || got.Max != 20 || len(got.Inspectors) != 2 ||
		len(got.Photos) != 1 || got.Photos[0].Hash != photo.Hash || got.RecordedBy != c.Reviewer.ID || !got.UpdatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("stored inspection %+v", got)
	}
	if _, ok := Entity[assess.Inspection](c, c.ReporterB, wire.EntityInspection, v1.ID); ok {
		t.Fatal("another unit sees A's inspection")
	}
	if ok, err := c.S.CanReadBlob(c.Ctx, c.ReporterA, photo.Hash); err != nil || !ok {
		t.Fatalf("A cannot read the photo of its inspection: %v, %v", ok, err)
	}
	e := onsite()
	if e.Source != assess.Onsite || e.Score != 90 || e.Max != 100 || e.Version != 1 || e.UpdatedBy != c.Reviewer.ID ||
		e.Note != "根据 1 次现场督察记录计算" || !e.UpdatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("on-site score after one visit: %+v, want 90 as version 1", e)
	}

	// Second visit: 7 of 10 → (90 + 70) ÷ 2 = 80, version 2.
	c.Clock.Advance(time.Hour)
	c.Apply(c.Reviewer, wire.KindInspectionSave, visit("v2", UnitA, 7, 10))
	if e = onsite(); e.Score != 80 || e.Version != 2 || e.Note != "根据 2 次现场督察记录计算" {
		t.Fatalf("on-site score after two visits: %+v, want 80 as version 2", e)
	}
	// Correcting the first visit to 20 of 20: (100 + 70) ÷ 2 = 85, version
	// 3, still two visits.
	v1.Score = 20
	c.Apply(c.Reviewer, wire.KindInspectionSave, v1)
	if e = onsite(); e.Score != 85 || e.Version != 3 || e.Note != "根据 2 次现场督察记录计算" {
		t.Fatalf("on-site score after correcting a visit: %+v, want 85 as version 3", e)
	}
	last := lastEvent(c)
	var data struct {
		Replaces struct {
			Inspection assess.Inspection    `json:"inspection"`
			External   assess.ExternalScore `json:"external"`
		} `json:"replaces"`
	}
	if err := json.Unmarshal(last.Data, &data); err != nil || last.Action != wire.KindInspectionSave ||
		data.Replaces.Inspection.Score != 18 || data.Replaces.External.Version != 2 || data.Replaces.External.Score != 80 {
		t.Fatalf("the correction's audit event %s: %+v, %v", last.Data, data, err)
	}

	// The standing counts it: 20 × 85 ÷ 100 = 17 on-site points.
	if st := MustEntity[assess.Standing](c, c.ReporterA, wire.EntityStanding, YearID+"/"+UnitA); st.Onsite != 17 || st.Total != 17 {
		t.Fatalf("A's standing %+v, want 17 on-site points", st)
	}

	// The on-site score of a unit with inspections comes from them only.
	r := c.Reject(c.Reviewer, wire.KindExternalSave, assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Onsite, Score: 60, Max: 100}, assess.EConflict)
	if r.Message != "该单位已有现场督察记录，现场督察得分由督察记录计算 (on-site score comes from inspection records)" {
		t.Fatalf("refusal %q", r.Message)
	}
	if e = onsite(); e.Score != 85 || e.Version != 3 {
		t.Fatalf("a refused manual score changed the on-site score: %+v", e)
	}
	c.Apply(c.Reviewer, wire.KindExternalSave, assess.ExternalScore{YearID: YearID, UnitID: UnitB, Source: assess.Onsite, Score: 60, Max: 100})

	c.Apply(c.Admin, wire.KindYearClose, wire.YearRef{YearID: YearID})
	c.Reject(c.Reviewer, wire.KindInspectionSave, visit("v3", UnitA, 1, 10), assess.EClosed)
}

// testExternalVersions saves a unit's survey score twice: the second is
// version 2, the standing follows it, and the audit log shows both versions.
func testExternalVersions(t *testing.T, open Opener) {
	c := NewCity(t, open, true)
	id := assess.ExternalID(YearID, UnitA, assess.Survey)
	doc := c.Blob(c.Reviewer)
	first := assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 80, Max: 100,
		Document: doc.Hash, DocumentName: "2026年民意调查报告.xlsx", SampleSize: 500,
		Items: []assess.ItemScore{{Name: "政务公开满意度", Score: 78}, {Name: "执法规范满意度", Score: 82}}}
	c.Apply(c.Reviewer, wire.KindExternalSave, first)
	e := MustEntity[assess.ExternalScore](c, c.ReporterA, wire.EntityExternal, id)
	if e.Version != 1 || e.UpdatedBy != c.Reviewer.ID || e.SampleSize != 500 || len(e.Items) != 2 || e.DocumentName != "2026年民意调查报告.xlsx" {
		t.Fatalf("first save: %+v", e)
	}
	// 30 × 80 ÷ 100 = 24 survey points.
	if st := MustEntity[assess.Standing](c, c.ReporterA, wire.EntityStanding, YearID+"/"+UnitA); st.Survey != 24 || st.Total != 24 {
		t.Fatalf("standing after the first survey: %+v", st)
	}

	c.Clock.Advance(24 * time.Hour)
	second := first
	second.Score, second.SampleSize = 90, 620
	second.Version = 7 // the server counts versions, whatever the client says
	c.Apply(c.Reviewer2, wire.KindExternalSave, second)
	e = MustEntity[assess.ExternalScore](c, c.ReporterA, wire.EntityExternal, id)
	if e.Version != 2 || e.Score != 90 || e.SampleSize != 620 || e.UpdatedBy != c.Reviewer2.ID || !e.UpdatedAt.Equal(c.Clock.Now()) {
		t.Fatalf("second save: %+v, want version 2", e)
	}
	// 30 × 90 ÷ 100 = 27.
	if st := MustEntity[assess.Standing](c, c.ReporterA, wire.EntityStanding, YearID+"/"+UnitA); st.Survey != 27 || st.Total != 27 {
		t.Fatalf("standing after the re-import: %+v", st)
	}

	all, err := c.S.AuditEvents(c.Ctx, time.Time{}, time.Time{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	type saved struct {
		Data     assess.ExternalScore  `json:"data"`
		Replaces *assess.ExternalScore `json:"replaces"`
	}
	var saves []saved
	for _, ev := range all {
		if ev.Action != wire.KindExternalSave || ev.Subject != id {
			continue
		}
		var s saved
		if err := json.Unmarshal(ev.Data, &s); err != nil {
			t.Fatalf("event %d: %v", ev.Seq, err)
		}
		saves = append(saves, s)
	}
	if len(saves) != 2 {
		t.Fatalf("%d audit events of saving %s, want 2", len(saves), id)
	}
	if saves[0].Data.Score != 80 || saves[0].Replaces != nil {
		t.Fatalf("first event: %+v", saves[0])
	}
	if r := saves[1].Replaces; saves[1].Data.Score != 90 || r == nil || r.Score != 80 || r.Version != 1 || r.SampleSize != 500 || r.UpdatedBy != c.Reviewer.ID {
		t.Fatalf("second event: %+v, want it to show version 1 replaced", saves[1])
	}
}
