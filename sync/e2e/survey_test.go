package e2e_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestSurveyReimport: re-importing survey results changes totals and
// ranking exactly as recomputed by hand, and the audit log shows both
// versions. The district group's two units file and are scored; the
// reviewer imports a survey contractor's results for both (version 1),
// then a corrected delivery that reverses their order (version 2).
func TestSurveyReimport(t *testing.T) {
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, nil)
	c.seed(0)

	// The units' system scores: A 9 + 16 = 25 of 40, B 7 + 19 = 26 of 40.
	system := map[string]map[string]float64{
		unitA: {leaf11: 9, leaf12: 16},
		unitB: {leaf11: 7, leaf12: 19},
	}
	files := tempDir(t)
	seed := uint64(100)
	for unit, rep := range map[string]string{unitA: "rep-a", unitB: "rep-b"} {
		d := c.desk(rep, nil)
		d.syncOK()
		for _, leaf := range []string{leaf11, leaf12} {
			seed++
			f := writeEvidence(t, files, fmt.Sprintf("%s-%s.pdf", unit, leaf), seed, 20<<10)
			d.fileTask(task(leaf, unit), "已按要求完成并附佐证材料。", d.attach(0, f))
		}
		d.syncOK()
	}
	clk.Set(at(3, 20, 10))
	rev := c.desk("reviewer1", nil)
	rev.syncOK()
	for unit, scores := range system {
		for leaf, score := range scores {
			rev.must(rev.db.Score(ctx, task(leaf, unit), 1, score, "材料齐全。"))
		}
	}
	rev.syncOK()

	// The contractor's first delivery: A 90, B 80.
	clk.Set(at(4, 1, 10))
	first := surveyDelivery(map[string]float64{unitA: 90, unitB: 80})
	rev.must(rev.db.SaveExternals(ctx, first))
	rev.syncOK()
	years := decodeAll[assess.Year](t, c.latest("admin"), wire.EntityYear)
	if len(years) != 1 {
		t.Fatalf("server years: %+v", years)
	}
	weights := years[0].Weights
	// By hand, with the default weights 50 / 30 / 20 and no on-site score:
	// A 50×25/40 = 31.25 + 30×90/100 = 27 → 58.25, first;
	// B 50×26/40 = 32.5  + 30×80/100 = 24 → 56.5,  second.
	checkDistrict(t, c, rev, byHand(t, weights, system, first), []assess.Standing{
		{YearID: yearID, UnitID: unitA, GroupID: groupDist, System: 31.25, Survey: 27, Total: 58.25, Rank: 1, OutOf: 2},
		{YearID: yearID, UnitID: unitB, GroupID: groupDist, System: 32.5, Survey: 24, Total: 56.5, Rank: 2, OutOf: 2},
	})

	// The corrected delivery: A 72.5, B 95.
	clk.Set(at(4, 20, 10))
	second := surveyDelivery(map[string]float64{unitA: 72.5, unitB: 95})
	rev.must(rev.db.SaveExternals(ctx, second))
	rev.syncOK()
	// By hand: A 31.25 + 30×72.5/100 = 21.75 → 53,   second;
	//          B 32.5  + 30×95/100   = 28.5  → 61,   first.
	checkDistrict(t, c, rev, byHand(t, weights, system, second), []assess.Standing{
		{YearID: yearID, UnitID: unitB, GroupID: groupDist, System: 32.5, Survey: 28.5, Total: 61, Rank: 1, OutOf: 2},
		{YearID: yearID, UnitID: unitA, GroupID: groupDist, System: 31.25, Survey: 21.75, Total: 53, Rank: 2, OutOf: 2},
	})

	// The server holds version 2 of each unit's survey score, by the
	// reviewer, and so does the reviewer's PC after the sync.
	server := map[string]assess.ExternalScore{}
	for _, e := range decodeAll[assess.ExternalScore](t, c.latest("admin"), wire.EntityExternal) {
		server[e.ID] = e
	}
	local, err := rev.db.Externals(ctx, yearID)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range second {
		id := assess.ExternalID(yearID, e.UnitID, assess.Survey)
		s := server[id]
		if s.Version != 2 || s.Score != e.Score || s.SampleSize != e.SampleSize || !slices.Equal(s.Items, e.Items) || s.UpdatedBy != "u-reviewer1" ||
			!s.UpdatedAt.Equal(at(4, 20, 10)) {
			t.Errorf("server's %s: %+v, want version 2 of %+v", id, s, e)
		}
		j := slices.IndexFunc(local, func(x assess.ExternalScore) bool { return x.ID == id })
		if j < 0 || local[j].Version != 2 || local[j].Score != second[i].Score {
			t.Errorf("the reviewer's PC holds %s as %+v, want version 2", id, local)
		}
	}

	// The audit log, read through the reviewers' API, shows both versions
	// of each score: the first save, and the re-import with the version it
	// replaced.
	events, err := rev.api.AuditLog(ctx, time.Time{}, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	type saved struct {
		Data     assess.ExternalScore  `json:"data"`
		Replaces *assess.ExternalScore `json:"replaces"`
	}
	for i, unit := range []string{unitA, unitB} {
		id := assess.ExternalID(yearID, unit, assess.Survey)
		var got []saved
		for _, ev := range events {
			if ev.Action != wire.KindExternalSave || ev.Subject != id {
				continue
			}
			if ev.Actor != "u-reviewer1" || ev.ActorName != "审核员甲" {
				t.Errorf("%s: event by %s (%s)", id, ev.Actor, ev.ActorName)
			}
			var s saved
			if err := json.Unmarshal(ev.Data, &s); err != nil {
				t.Fatalf("audit event %d: %v", ev.Seq, err)
			}
			got = append(got, s)
		}
		if len(got) != 2 {
			t.Fatalf("%s: %d external.save audit events, want 2", id, len(got))
		}
		v1, v2 := got[0], got[1]
		if v1.Data.Version != 1 || v1.Data.Score != first[i].Score || v1.Replaces != nil {
			t.Errorf("%s: first event %+v, want version 1 of %v replacing nothing", id, v1, first[i].Score)
		}
		if v2.Data.Version != 2 || v2.Data.Score != second[i].Score || v2.Replaces == nil ||
			v2.Replaces.Version != 1 || v2.Replaces.Score != first[i].Score || v2.Replaces.SampleSize != first[i].SampleSize ||
			!v2.Replaces.UpdatedAt.Equal(at(4, 1, 10)) {
			t.Errorf("%s: second event %+v (replaces %+v), want version 2 of %v replacing version 1 of %v", id, v2.Data, v2.Replaces, second[i].Score, first[i].Score)
		}
	}
	c.verifyAudit()
}

// surveyDelivery is a survey contractor's results as the reviewer imports
// them: per unit a satisfaction score of 100 with its sample and two item
// scores whose mean it is.
func surveyDelivery(scores map[string]float64) []assess.ExternalScore {
	var out []assess.ExternalScore
	for _, unit := range []string{unitA, unitB} {
		s := scores[unit]
		out = append(out, assess.ExternalScore{
			YearID: yearID, UnitID: unit, Source: assess.Survey, Score: s, Max: 100,
			SampleSize: 400 + int(s),
			Items:      []assess.ItemScore{{Name: "政务服务满意度", Score: s + 2.5}, {Name: "执法规范满意度", Score: s - 2.5}},
			Note:       "民意调查第三方机构提交结果",
		})
	}
	return out
}

// byHand works out the district group's standings from the raw numbers:
// each component is weight × score ÷ max rounded to 2 decimals, the total
// the rounded sum; the higher total ranks first (ties by system, on-site,
// survey points), as assess.Rank documents.
func byHand(t *testing.T, w assess.Weights, system map[string]map[string]float64, survey []assess.ExternalScore) []assess.Standing {
	t.Helper()
	round := func(f float64) float64 { return math.Round(f*100) / 100 }
	// A unit's system maximum is the points of every leaf assigned to it,
	// scored or not: 1.1, 1.2 and 2.1 make 40 for both.
	_, _, _, inds := cityYear(0)
	maxes := map[string]float64{}
	for _, in := range assess.Leaves(inds) {
		for _, u := range in.Units {
			maxes[u] += in.MaxScore
		}
	}
	if maxes[unitA] != 40 || maxes[unitB] != 40 {
		t.Fatalf("system maxima %v", maxes)
	}
	var out []assess.Standing
	for _, e := range survey {
		sum := 0.0
		for _, s := range system[e.UnitID] {
			sum += s
		}
		st := assess.Standing{YearID: yearID, UnitID: e.UnitID, GroupID: groupDist,
			System: round(w.System * sum / maxes[e.UnitID]),
			Survey: round(w.Survey * e.Score / e.Max),
		}
		st.Total = round(st.System + st.Survey + st.Onsite)
		out = append(out, st)
	}
	slices.SortFunc(out, func(x, y assess.Standing) int {
		return cmp.Or(cmp.Compare(y.Total, x.Total), cmp.Compare(y.System, x.System), cmp.Compare(y.Onsite, x.Onsite), cmp.Compare(y.Survey, x.Survey))
	})
	for i := range out {
		out[i].Rank, out[i].OutOf = i+1, len(out)
		if i > 0 && out[i].Total == out[i-1].Total && out[i].System == out[i-1].System && out[i].Onsite == out[i-1].Onsite && out[i].Survey == out[i-1].Survey {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out
}

// checkDistrict compares the district group's standings on the server and
// on the reviewer's PC with the worked-out ones, which must equal the
// numbers written out by hand.
func checkDistrict(t *testing.T, c *central, rev *desk, worked, hand []assess.Standing) {
	t.Helper()
	if !slices.Equal(worked, hand) {
		t.Fatalf("worked-out standings %+v, by hand %+v", worked, hand)
	}
	var server []assess.Standing
	for _, s := range decodeAll[assess.Standing](t, c.latest("admin"), wire.EntityStanding) {
		if s.GroupID == groupDist {
			server = append(server, s)
		}
	}
	slices.SortFunc(server, func(x, y assess.Standing) int { return x.Rank - y.Rank })
	if !slices.Equal(server, hand) {
		t.Fatalf("server standings %+v, want %+v", server, hand)
	}
	all, err := rev.db.Standings(ctx, yearID)
	if err != nil {
		t.Fatal(err)
	}
	var local []assess.Standing
	for _, s := range all {
		if s.GroupID == groupDist {
			local = append(local, s)
		}
	}
	if !slices.Equal(local, hand) {
		t.Fatalf("the reviewer's standings %+v, want %+v", local, hand)
	}
}
