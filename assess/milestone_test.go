package assess_test

import (
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// A milestone due on National Day (2026-10-01, a holiday through 10-07) is
// due on the next working day, 10-08.
var nationalDay = assess.Milestone{ID: "m2", Title: "完成中期自查", Due: day("2026-10-01")}

func milestoneIndicator() assess.Indicator {
	return assess.Indicator{ID: "i1", Code: "1.1", Title: "制度建设", MaxScore: 10, Deadline: day("2026-12-15"),
		Milestones: []assess.Milestone{{ID: "m1", Title: "制定年度计划", Due: day("2026-06-30")}, nationalDay}}
}

func filed(at string) *assess.MilestoneFiling {
	t, err := time.ParseInLocation("2006-01-02 15:04", at, assess.CST)
	if err != nil {
		panic(err)
	}
	return &assess.MilestoneFiling{MilestoneID: "m2", FiledAt: t}
}

func TestMilestoneDueDayFollowsCalendar(t *testing.T) {
	if got := nationalDay.DueDay(nil); !got.Equal(day("2026-10-08")) {
		t.Fatalf("due day of a milestone on National Day = %s, want 2026-10-08", got.Format(time.DateOnly))
	}
	workday := assess.Milestone{Due: day("2026-06-30")}
	if got := workday.DueDay(nil); !got.Equal(day("2026-06-30")) {
		t.Fatalf("due day of a working-day milestone moved to %s", got.Format(time.DateOnly))
	}
	// 2026-09-20 is a Sunday made a working day: a milestone due then stays.
	makeup := assess.Milestone{Due: day("2026-09-20")}
	if got := makeup.DueDay(nil); !got.Equal(day("2026-09-20")) {
		t.Fatalf("due day of a make-up working Sunday moved to %s", got.Format(time.DateOnly))
	}
}

func TestMilestoneState(t *testing.T) {
	tests := []struct {
		name  string
		f     *assess.MilestoneFiling
		now   string
		state assess.MilestoneState
	}{
		{"not filed, before due", nil, "2026-09-30", assess.MilestonePending},
		{"not filed, during the holiday after the nominal day", nil, "2026-10-05", assess.MilestonePending},
		{"not filed, on the moved due day", nil, "2026-10-08", assess.MilestonePending},
		{"not filed, the day after", nil, "2026-10-09", assess.MilestoneMissed},
		{"filed on the nominal day", filed("2026-10-01 09:00"), "2026-10-09", assess.MilestoneMet},
		{"filed on the moved due day, late evening", filed("2026-10-08 23:59"), "2026-10-09", assess.MilestoneMet},
		{"filed the day after", filed("2026-10-09 08:00"), "2026-10-09", assess.MilestoneLate},
		{"filed late stays late months on", filed("2026-10-09 08:00"), "2026-12-31", assess.MilestoneLate},
	}
	for _, tt := range tests {
		if got := nationalDay.State(tt.f, day(tt.now), nil); got != tt.state {
			t.Errorf("%s: state %s (%s), want %s", tt.name, got, got.Label(), tt.state)
		}
	}
	if !assess.MilestoneMet.Done() || !assess.MilestoneLate.Done() || assess.MilestoneMissed.Done() || assess.MilestonePending.Done() {
		t.Fatal("Done: only met and late milestones are done")
	}
}

func TestMilestoneWarningFollowsCalendar(t *testing.T) {
	in := milestoneIndicator()
	m1 := map[string]assess.MilestoneFiling{"m1": {MilestoneID: "m1", FiledAt: day("2026-06-29")}}
	tests := []struct {
		name    string
		status  assess.Status
		filings map[string]assess.MilestoneFiling
		now     string
		level   assess.Level
		reason  string
	}{
		// 09-21 (Mon) → 10-08: 22,23,24,28,29,30 and 10-08 = 7 working days
		// (Mid-Autumn 25–27 and National Day off): outside the 5-day window.
		{"7 working days ahead", assess.Draft, m1, "2026-09-21", assess.NoWarning, ""},
		// 09-28 → 10-08: 29, 30, 10-08 = 3 working days.
		{"3 working days ahead", assess.Draft, m1, "2026-09-28", assess.Blue, "还有 3 个工作日"},
		{"on the moved due day", assess.Draft, m1, "2026-10-08", assess.Blue, "今天（2026-10-08）到期"},
		{"the day after", assess.Draft, m1, "2026-10-09", assess.Yellow, "逾期 1 个工作日"},
		// 10-09 (Fri), 10-10 (Sat, a make-up working day), 10-11 (Sun, off), 10-12 (Mon).
		{"over a make-up working Saturday", assess.NotStarted, m1, "2026-10-12", assess.Yellow, "逾期 3 个工作日"},
		{"on the Sunday after", assess.NotStarted, m1, "2026-10-11", assess.Yellow, "逾期 2 个工作日"},
		{"the earlier milestone missed first", assess.Draft, nil, "2026-07-01", assess.Yellow, "制定年度计划"},
		{"submitted task does not warn of milestones", assess.Submitted, nil, "2026-10-12", assess.NoWarning, ""},
		{"scored task does not warn of milestones", assess.Scored, nil, "2026-10-12", assess.NoWarning, ""},
	}
	for _, tt := range tests {
		task := assess.Task{Status: tt.status, Scored: tt.status == assess.Scored, Score: 10}
		w := assess.MilestoneWarning(task, in, tt.filings, day(tt.now), nil, 5)
		if w.Level != tt.level || !strings.Contains(w.Reason, tt.reason) {
			t.Errorf("%s: %s %q, want %s containing %q", tt.name, w.Level, w.Reason, tt.level, tt.reason)
		}
		// The task's own warning carries the milestone's when nothing more
		// urgent holds (the deadline is months away).
		if tw := assess.TaskWarning(task, in, nil, tt.filings, day(tt.now), nil, 5); tw != w {
			t.Errorf("%s: TaskWarning %s %q, want the milestone's %s %q", tt.name, tw.Level, tw.Reason, w.Level, w.Reason)
		}
	}
}

func TestTaskWarningPrefersMoreUrgent(t *testing.T) {
	in := milestoneIndicator()
	in.Deadline = day("2026-10-09")
	// Overdue task (red) outranks the missed milestone (yellow).
	w := assess.TaskWarning(assess.Task{Status: assess.Draft}, in, nil, nil, day("2026-10-12"), nil, 5)
	if w.Level != assess.Red {
		t.Fatalf("overdue task with a missed milestone: %s %q, want red", w.Level, w.Reason)
	}
	// A missed milestone (yellow) outranks the blue deadline warning.
	w = assess.TaskWarning(assess.Task{Status: assess.Draft}, in, nil, nil, day("2026-10-09"), nil, 5)
	if w.Level != assess.Yellow || !strings.Contains(w.Reason, "时间节点") {
		t.Fatalf("deadline near with a missed milestone: %s %q, want the yellow milestone warning", w.Level, w.Reason)
	}
}

func TestValidateMilestones(t *testing.T) {
	tests := []struct {
		name string
		ms   []assess.Milestone
		want string
	}{
		{"ok", []assess.Milestone{{ID: "m1", Title: "计划", Due: day("2026-06-30")}}, ""},
		{"no id", []assess.Milestone{{Title: "计划", Due: day("2026-06-30")}}, "编号为空"},
		{"bad id", []assess.Milestone{{ID: "m~1", Title: "计划", Due: day("2026-06-30")}}, "编号为空或含有"},
		{"duplicate", []assess.Milestone{{ID: "m1", Title: "a", Due: day("2026-06-30")}, {ID: "m1", Title: "b", Due: day("2026-07-30")}}, "重复"},
		{"no title", []assess.Milestone{{ID: "m1", Due: day("2026-06-30")}}, "没有填写内容"},
		{"no date", []assess.Milestone{{ID: "m1", Title: "计划"}}, "没有填写日期"},
		{"after deadline", []assess.Milestone{{ID: "m1", Title: "计划", Due: day("2026-12-16")}}, "晚于指标截止日期"},
	}
	for _, tt := range tests {
		in := assess.Indicator{Code: "1.1", Title: "x", MaxScore: 10, Deadline: day("2026-12-15"), Milestones: tt.ms}
		err := in.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestTrend(t *testing.T) {
	now := day("2026-03-10").Add(15 * time.Hour)
	items := []assess.ProgressItem{
		{DoneAt: day("2026-03-01").Add(time.Hour)}, // before the window
		{DoneAt: day("2026-03-08").Add(23 * time.Hour)},
		{DoneAt: day("2026-03-10").Add(14 * time.Hour)},
		{Milestone: true}, // not done
	}
	tr := assess.Trend(items, now, 5) // 03-06 .. 03-10
	want := []int{1, 1, 2, 2, 3}
	for i, p := range tr {
		if p.Done != want[i] || p.Total != 4 {
			t.Errorf("day %d: %+v, want %d of 4", i, p, want[i])
		}
	}
	if p := assess.ProgressAt(items, day("2026-03-08")); p.Done != 2 || p.Share() != 0.5 {
		t.Errorf("ProgressAt 03-08 = %+v (%.2f), want 2 of 4", p, p.Share())
	}
	if (assess.Progress{}).Share() != 0 {
		t.Error("empty progress share should be 0")
	}
}

func TestLeadValidateAndDeductions(t *testing.T) {
	ok := assess.Lead{Source: assess.LeadHotline, RecordID: "12345-1", UnitID: "east", Date: day("2026-05-06"), Summary: "投诉"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.Source = "fax"
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "线索来源") {
		t.Fatalf("unknown source: %v", err)
	}
	bad = ok
	bad.RecordID = ""
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "记录编号") {
		t.Fatalf("no record ID: %v", err)
	}
	for _, d := range []float64{-1, 100.5, 1.234} {
		if assess.ValidateDeduction(d) == nil {
			t.Errorf("deduction %v accepted", d)
		}
	}
	leads := []assess.Lead{{Considered: true, Deduction: 1.5}, {Considered: false, Deduction: 9}, {Considered: true, Deduction: 0.25}}
	if got := assess.Deductions(leads); got != 1.75 {
		t.Fatalf("Deductions = %v, want 1.75", got)
	}
	if s, ok := assess.ParseLeadSource("12345热线"); !ok || s != assess.LeadHotline {
		t.Fatalf("ParseLeadSource(12345热线) = %q %v", s, ok)
	}
}

func TestOnsiteScore(t *testing.T) {
	if _, ok := assess.OnsiteScore(nil); ok {
		t.Fatal("no visits gave a score")
	}
	got, ok := assess.OnsiteScore([]assess.Inspection{{Score: 18, Max: 20}, {Score: 40, Max: 50}})
	if !ok || got != 85 { // (0.9 + 0.8) / 2 × 100
		t.Fatalf("OnsiteScore = %v %v, want 85", got, ok)
	}
}
