package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// hrClock is a window's clock that a test moves; safe for the window's
// background work to read.
type hrClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *hrClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *hrClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// hrCount is a hand count of progress items: done by the end of a day.
type hrCount struct{ done, first, total int }

// share is the percentage done, at the end of the trend or at its first day.
func (c hrCount) share(first bool) float64 {
	if c.total == 0 {
		return 0
	}
	if first {
		return float64(c.first) / float64(c.total) * 100
	}
	return float64(c.done) / float64(c.total) * 100
}

func TestReviewerHome(t *testing.T) {
	c := newCity(t)
	subs := rvSubmit(t, c, 3)
	deps, db := testDeps(t)
	clock := &hrClock{t: testNow}
	deps.Now = clock.now
	s := loginShell(t, c, deps, c.account(assess.Reviewer))
	ctx := context.Background()
	year := s.Year()

	// The server stamps the submissions with its own clock: the window's
	// clock goes to three days after the last of them, so that they fall
	// within the 30 days of the trend.
	items, err := db.ProgressItems(ctx, year.ID)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for _, it := range items {
		if it.DoneAt.After(last) {
			last = it.DoneAt
		}
	}
	if last.IsZero() {
		t.Fatal("no progress item is done after three submissions")
	}
	now := last.Add(72 * time.Hour)
	clock.set(now)
	s.Show("home")
	s.changed()
	s.Idle()
	a, ok := s.areas["home"].(*reviewerHome)
	if !ok {
		t.Fatal("the reviewer's home is not shown")
	}

	// Count the store's progress items by hand, independently of the area.
	end := assess.DayOf(now).AddDate(0, 0, 1)
	firstEnd := assess.DayOf(now).AddDate(0, 0, -(trendDays - 2)) // the end of the trend's first day
	type key struct{ unit, cat string }
	cells, units := map[key]*hrCount{}, map[string]*hrCount{}
	var city, tasks, milestones hrCount
	for _, it := range items {
		done := !it.DoneAt.IsZero() && it.DoneAt.Before(end)
		first := !it.DoneAt.IsZero() && it.DoneAt.Before(firstEnd)
		k := key{it.UnitID, it.Category}
		if cells[k] == nil {
			cells[k] = &hrCount{}
		}
		if units[it.UnitID] == nil {
			units[it.UnitID] = &hrCount{}
		}
		kind := &tasks
		if it.Milestone {
			kind = &milestones
		}
		for _, c := range []*hrCount{cells[k], units[it.UnitID], &city, kind} {
			c.total++
			if done {
				c.done++
			}
			if first {
				c.first++
			}
		}
	}
	views, err := db.Tasks(ctx, localdb.TaskFilter{YearID: year.ID})
	if err != nil {
		t.Fatal(err)
	}
	if tasks.total != len(views) || tasks.done != len(subs) || city.first != 0 {
		t.Fatalf("the store's items: %d tasks (%d done, %d at the trend's start), want %d (%d done, 0)", tasks.total, tasks.done, city.first, len(views), len(subs))
	}

	// The matrix: every unit's cells and total as done/all; its change.
	if len(a.data.Units) != len(units) {
		t.Fatalf("matrix has %d units, the store %d with tasks", len(a.data.Units), len(units))
	}
	counted := 0
	for row, u := range a.data.Units {
		if u.Unit.ID == demo.OfficeUnit {
			t.Fatal("the office, which has no tasks, is a row of the matrix")
		}
		if got := a.cellText(row, matrixUnit); got != u.Unit.Name {
			t.Fatalf("row %d names %q, want %q", row, got, u.Unit.Name)
		}
		for i, cat := range a.data.Categories {
			want := "—"
			if n := cells[key{u.Unit.ID, cat.Code}]; n != nil {
				want = fmt.Sprintf("%d/%d", n.done, n.total)
				counted += n.total
			}
			if got := a.cellText(row, matrixFirstCategory+i); got != want {
				t.Fatalf("%s category %s shows %q, the store counts %q", u.Unit.Name, cat.Code, got, want)
			}
		}
		n := units[u.Unit.ID]
		if got, want := a.cellText(row, a.totalCol()), fmt.Sprintf("%d/%d", n.done, n.total); got != want {
			t.Fatalf("%s total %q, want %q", u.Unit.Name, got, want)
		}
		if got, want := a.cellText(row, a.changeCol()), changeText(n.share(false)-n.share(true)); got != want {
			t.Fatalf("%s changed %q, want %q", u.Unit.Name, got, want)
		}
		if i := row - 1; i >= 0 && a.data.Units[i].Unit.GroupID > u.Unit.GroupID {
			t.Fatal("matrix rows are not grouped")
		}
	}
	if counted != len(items) {
		t.Fatalf("matrix cells count %d items, the store has %d", counted, len(items))
	}
	if a.headerText(a.changeCol()) != "近30天" {
		t.Fatalf("the last column is %q", a.headerText(a.changeCol()))
	}
	change := city.share(false) - city.share(true)
	want := fmt.Sprintf("全市完成率 %.1f%%（任务 %d / %d 项，时间节点 %d / %d 个；近30天 %s）", city.share(false),
		tasks.done, tasks.total, milestones.done, milestones.total, changeText(change))
	if a.rate.Text != want || change <= 0 {
		t.Fatalf("city-wide rate %q, want %q", a.rate.Text, want)
	}
	if got := len(a.chart.Bars()); got != len(units) {
		t.Fatalf("chart has %d bars, want %d", got, len(units))
	}

	// The trend: 30 days, from nothing done to what is done today.
	values := a.trend.Values()
	if len(a.data.Total.Trend) != trendDays || len(values) != 30 || len(a.data.Days) != 30 {
		t.Fatalf("the trend has %d points, %d drawn, %d days; want 30", len(a.data.Total.Trend), len(values), len(a.data.Days))
	}
	if values[0] != city.share(true) || values[29] != city.share(false) || !a.data.Days[29].Equal(assess.DayOf(now)) {
		t.Fatalf("the city's trend runs %v … %v to %s, want %v … %v to %s", values[0], values[29], a.data.Days[29], city.share(true), city.share(false), assess.DayOf(now))
	}
	unitID := ""
	for _, v := range views {
		if v.ID == subs[0].id {
			unitID = v.UnitID
		}
	}
	name := s.unitName(unitID)
	a.trendSel.SetSelected("单位：" + name)
	n := units[unitID]
	if values = a.trend.Values(); len(values) != 30 || values[29] != n.share(false) || values[0] != n.share(true) ||
		!strings.Contains(a.trendOf.Text, name+" 近30天") || !strings.Contains(a.trendOf.Text, changeText(n.share(false)-n.share(true))) {
		t.Fatalf("the trend of %s: %v, %q", name, values, a.trendOf.Text)
	}

	// Warnings, counted by hand at the window's clock.
	filings, err := db.YearMilestoneFilings(ctx, year.ID)
	if err != nil {
		t.Fatal(err)
	}
	var levels [4]int
	for _, v := range views {
		tk := v.Task
		tk.Status = v.Local
		levels[assess.TaskWarning(tk, v.Indicator, nil, filings[v.ID], now, nil, year.WarnDays).Level]++
	}
	for _, l := range []assess.Level{assess.Red, assess.Yellow, assess.Blue} {
		if a.data.Levels[l] != levels[l] || !strings.Contains(a.levels[l].Text, fmt.Sprint(levels[l])) {
			t.Fatalf("%s: %d (%q), the store's tasks have %d", warningLabel(l), a.data.Levels[l], a.levels[l].Text, levels[l])
		}
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
	standings, err := db.Standings(ctx, year.ID)
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
	warned := levels[assess.Red] + levels[assess.Yellow] + levels[assess.Blue]
	if len(a.data.Urgent) != min(warned, maxUrgent) || warned == 0 {
		t.Fatalf("%d urgent tasks listed, %d warn", len(a.data.Urgent), warned)
	}
	wantTask := a.data.Urgent[0].TaskID
	a.urgent.Select(0)
	s.Idle()
	r, ok := s.areas["review"].(*review)
	if s.Current() != "review" || !ok || r.item == nil || r.item.view.ID != wantTask {
		t.Fatalf("choosing an urgent task shows %q", s.Current())
	}
}

func TestReviewerHomeTrendOfMilestones(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, assess.CST) }
	views := []localdb.TaskView{
		{Task: assess.Task{ID: "t1", UnitID: "u1"}, UnitName: "东城区", Indicator: assess.Indicator{Code: "1.1"}},
		{Task: assess.Task{ID: "t2", UnitID: "u2"}, UnitName: "西城区", Indicator: assess.Indicator{Code: "2.1"}},
	}
	items := []assess.ProgressItem{
		{UnitID: "u1", Category: "1", DoneAt: day(2)},
		{UnitID: "u1", Category: "1", Milestone: true, DoneAt: day(20)},
		{UnitID: "u1", Category: "1", Milestone: true},
		{UnitID: "u2", Category: "2", Milestone: true, DoneAt: day(25)}, // after now: not done yet
		{UnitID: "u2", Category: "2"},
	}
	now := day(21)
	p := aggregateProgress(views, make([]assess.Warning, 2), items, nil, []assess.Indicator{{Code: "1", Title: "职能"}, {Code: "2", Title: "制度"}}, now)
	if p.Tasks != (assess.Progress{Done: 1, Total: 2}) || p.Milestones != (assess.Progress{Done: 1, Total: 3}) || p.Total.Done != 2 || p.Total.Total != 5 {
		t.Fatalf("tasks %+v, milestones %+v, total %d/%d", p.Tasks, p.Milestones, p.Total.Done, p.Total.Total)
	}
	if len(p.Units) != 2 || p.Units[0].Unit.ID != "u1" || p.Units[0].Cells[0].Done != 2 || p.Units[0].Cells[0].Total != 3 || p.Units[1].Cells[1].Done != 0 {
		t.Fatalf("units %+v", p.Units)
	}
	tr := p.Units[0].Cells[2].Trend
	// 30 days to 21 March: 20 February … 21 March; done on 2 March (day 11)
	// and 20 March (day 29).
	if len(tr) != 30 || tr[9].Done != 0 || tr[10].Done != 1 || tr[28].Done != 2 || tr[29].Done != 2 {
		t.Fatalf("u1's trend %v", tr)
	}
	if got := changeText(p.Units[0].Cells[2].change()); got != "+66.7%" {
		t.Fatalf("u1 changed %s", got)
	}
	if got := changeText(p.Units[1].Cells[2].change()); got != "0.0%" {
		t.Fatalf("u2 changed %s", got)
	}
	if got := changeText(-12.5); got != "-12.5%" {
		t.Fatalf("a drop prints %s", got)
	}
	if p.CatTotals[1].Total != 2 || p.CatTotals[1].Done != 0 || !p.Days[0].Equal(time.Date(2026, 2, 20, 0, 0, 0, 0, assess.CST)) {
		t.Fatalf("category 2: %+v, first day %s", p.CatTotals[1], p.Days[0])
	}
}
