package localdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestMigrate0002 opens a database made by the first release: the records
// it holds read back with the new fields empty, and the new entities of
// the feed are stored.
func TestMigrate0002(t *testing.T) {
	ctx := context.Background()
	dir := tempDir(t)
	copyFile(t, v1Fixture, filepath.Join(dir, FileName))
	db, err := Open(dir, Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ins, err := db.Indicators(ctx, "2026")
	if err != nil || len(ins) == 0 {
		t.Fatalf("indicators = %d, %v", len(ins), err)
	}
	for _, in := range ins {
		if in.Milestones != nil {
			t.Fatalf("indicator %s has milestones %+v", in.ID, in.Milestones)
		}
	}
	xs, err := db.Externals(ctx, "2026")
	if err != nil || len(xs) != 1 {
		t.Fatalf("externals = %+v, %v", xs, err)
	}
	if x := xs[0]; x.Version != 0 || x.Items != nil || x.SampleSize != 0 || x.DocumentName != "" || x.UpdatedBy != "" || x.Score != 82.5 {
		t.Fatalf("external = %+v", x)
	}

	t11 := assess.TaskID(ind1.ID, unit1.ID)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f := assess.MilestoneFiling{ID: assess.MilestoneFilingID(t11, "m1"), TaskID: t11, UnitID: "u1", MilestoneID: "m1", Statement: "已报",
		Attachments: []assess.Attachment{}, FiledBy: "r1", FiledAt: at, UpdatedAt: at}
	l := serverLead(assess.LeadProposal, "JY-1", "u1", day(2026, 4, 1), "")
	v := assess.Inspection{ID: "2026/u1/01", YearID: "2026", UnitID: "u1", Date: at, Inspectors: []string{"王"}, Findings: "好", Score: 9, Max: 10, UpdatedAt: at}
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{
		entry(113, wire.EntityMilestone, f.ID, f), entry(114, wire.EntityLead, l.ID, l), entry(115, wire.EntityInspection, v.ID, v)}, Next: 115}); err != nil {
		t.Fatal(err)
	}
	if fs, _ := db.MilestoneFilings(ctx, t11); len(fs) != 1 || fs[0].Statement != "已报" {
		t.Fatalf("filings = %+v", fs)
	}
	if ls, _ := db.Leads(ctx, LeadFilter{}); len(ls) != 1 || ls[0].ID != l.ID {
		t.Fatalf("leads = %+v", ls)
	}
	if vs, _ := db.Inspections(ctx, "2026", "u1"); len(vs) != 1 || vs[0].ID != v.ID {
		t.Fatalf("inspections = %+v", vs)
	}
}
