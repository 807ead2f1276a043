package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

func TestReviewerHome(t *testing.T) {
	c := newCity(t)
	subs := rvSubmit(t, c, 3)
	s, db := newTestShell(t, c, assess.Reviewer)
	ctx := context.Background()
	s.Show("home")
	s.Idle()
	a, ok := s.areas["home"].(*reviewerHome)
	if !ok {
		t.Fatal("the reviewer's home is not shown")
	}

	// Count from the store, independently of the area.
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: s.Year().ID})
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ unit, cat string }
	done, total := map[key]int{}, map[key]int{}
	unitDone, unitTotal := map[string]int{}, map[string]int{}
	cityDone, blue := 0, 0
	for _, v := range views {
		k := key{v.UnitID, v.Indicator.Category()}
		total[k]++
		unitTotal[v.UnitID]++
		if v.Local == assess.Submitted || v.Local == assess.Scored {
			done[k]++
			unitDone[v.UnitID]++
			cityDone++
		}
		if assess.TaskWarning(v.Task, v.Indicator, nil, nil, testNow, nil, s.Year().WarnDays).Level == assess.Blue {
			blue++
		}
	}
	if cityDone != len(subs) {
		t.Fatalf("the store holds %d done tasks, want %d", cityDone, len(subs))
	}
	if len(a.data.Units) != len(unitTotal) {
		t.Fatalf("matrix has %d units, the store %d with tasks", len(a.data.Units), len(unitTotal))
	}
	cells := 0
	for row, u := range a.data.Units {
		if u.Unit.ID == demo.OfficeUnit {
			t.Fatal("the office, which has no tasks, is a row of the matrix")
		}
		if got := a.cellText(row, matrixUnit); got != u.Unit.Name {
			t.Fatalf("row %d names %q, want %q", row, got, u.Unit.Name)
		}
		for i, cat := range a.data.Categories {
			k := key{u.Unit.ID, cat.Code}
			want := fmt.Sprintf("%d/%d", done[k], total[k])
			if total[k] == 0 {
				want = "—"
			}
			if got := a.cellText(row, matrixFirstCategory+i); got != want {
				t.Fatalf("%s category %s shows %q, the store counts %q", u.Unit.Name, cat.Code, got, want)
			}
			cells += total[k]
		}
		want := fmt.Sprintf("%d/%d", unitDone[u.Unit.ID], unitTotal[u.Unit.ID])
		if got := a.cellText(row, matrixFirstCategory+len(a.data.Categories)); got != want {
			t.Fatalf("%s total %q, want %q", u.Unit.Name, got, want)
		}
		if i := row - 1; i >= 0 && a.data.Units[i].Unit.GroupID > u.Unit.GroupID {
			t.Fatal("matrix rows are not grouped")
		}
	}
	if cells != len(views) {
		t.Fatalf("matrix cells count %d tasks, the store has %d", cells, len(views))
	}
	if want := fmt.Sprintf("%d / %d 项", cityDone, len(views)); !strings.Contains(a.rate.Text, want) {
		t.Fatalf("city-wide rate %q, want %q", a.rate.Text, want)
	}
	if got := len(a.chart.Bars()); got != len(unitTotal) {
		t.Fatalf("chart has %d bars, want %d", got, len(unitTotal))
	}
	if a.data.Levels[assess.Blue] != blue || blue == 0 {
		t.Fatalf("blue warnings %d, the store's tasks have %d", a.data.Levels[assess.Blue], blue)
	}
	if !strings.Contains(a.levels[assess.Blue].Text, fmt.Sprint(blue)) {
		t.Fatalf("blue count shows %q", a.levels[assess.Blue].Text)
	}

	// Rankings: one table per group, but not the office's single unit.
	if len(a.data.Ranked) != 2 {
		t.Fatalf("%d ranked groups, want 区县 and 市直部门", len(a.data.Ranked))
	}
	for _, g := range a.data.Ranked {
		if g[0].GroupID == demo.GroupOffice || len(g) < 2 {
			t.Fatalf("ranked group %s with %d units", g[0].GroupID, len(g))
		}
		for i, st := range g {
			if st.Rank < 1 || (i > 0 && st.Rank < g[i-1].Rank) {
				t.Fatalf("group %s out of rank order", st.GroupID)
			}
		}
	}
	standings, err := db.Standings(ctx, s.Year().ID)
	if err != nil {
		t.Fatal(err)
	}
	ranked := 0
	for _, g := range a.data.Ranked {
		ranked += len(g)
	}
	if ranked != len(standings)-1 {
		t.Fatalf("ranking tables hold %d units, the store's standings %d with the office", ranked, len(standings))
	}
	if !strings.Contains(a.footnote.Text, "考核机关（不参与排名）") {
		t.Fatalf("footnote %q does not name the group left out", a.footnote.Text)
	}
	if got := a.rankText(a.data.Ranked[0][0], 1); got == a.data.Ranked[0][0].UnitID {
		t.Fatalf("ranking shows the unit ID %q, not its name", got)
	}

	// The most urgent task opens in 指标审核.
	if len(a.data.Urgent) == 0 {
		t.Fatal("no urgent tasks listed")
	}
	want := a.data.Urgent[0].TaskID
	a.urgent.Select(0)
	s.Idle()
	r, ok := s.areas["review"].(*review)
	if s.Current() != "review" || !ok || r.item == nil || r.item.view.ID != want {
		t.Fatalf("choosing an urgent task shows %q", s.Current())
	}
}
