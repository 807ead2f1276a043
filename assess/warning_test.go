package assess_test

import (
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestLevelLabel(t *testing.T) {
	tests := []struct {
		l           assess.Level
		label, name string
	}{
		{assess.NoWarning, "", "none"},
		{assess.Blue, "蓝色预警", "blue"},
		{assess.Yellow, "黄色预警", "yellow"},
		{assess.Red, "红色预警", "red"},
		{assess.Level(9), "", "Level(9)"},
	}
	for _, tt := range tests {
		if tt.l.Label() != tt.label || tt.l.String() != tt.name {
			t.Errorf("Level %d: Label %q String %q, want %q %q", int(tt.l), tt.l.Label(), tt.l.String(), tt.label, tt.name)
		}
	}
}

func TestTaskWarning(t *testing.T) {
	// Deadline Friday 2026-02-27, after the Spring Festival (2/15–2/23 off,
	// Saturdays 2/14 and 2/28 worked).
	in := assess.Indicator{ID: "i", Code: "1.1", Title: "t", MaxScore: 10, Deadline: day("2026-02-27")}
	task := func(s assess.Status) assess.Task { return assess.Task{ID: "i@u", Status: s} }
	scored := func(score float64) assess.Task {
		return assess.Task{ID: "i@u", Status: assess.Scored, Scored: true, Score: score, Version: 1}
	}
	rect := func(state assess.RectState, deadline string) *assess.Rectification {
		return &assess.Rectification{TaskID: "i@u", State: state, Deadline: day(deadline)}
	}
	noDeadline := in
	noDeadline.Deadline = time.Time{}
	low := in
	low.LowScore = 8
	sundayDue := in
	sundayDue.Deadline = day("2026-03-01")
	provisional := in
	provisional.Deadline = day("2027-02-09")

	tests := []struct {
		name     string
		task     assess.Task
		in       assess.Indicator
		rect     *assess.Rectification
		now      time.Time
		warnDays int
		level    assess.Level
		reason   string // a part of the reason
	}{
		{"15 calendar days but 6 working days: no warning", task(assess.NotStarted), in, nil, day("2026-02-12"), 5, assess.NoWarning, ""},
		{"wider window catches the same day", task(assess.NotStarted), in, nil, day("2026-02-12"), 10, assess.Blue, "还有 6 个工作日"},
		{"5 working days across the festival: blue", task(assess.NotStarted), in, nil, day("2026-02-13"), 5, assess.Blue, "还有 5 个工作日"},
		{"default window is 5", task(assess.Draft), in, nil, day("2026-02-13"), 0, assess.Blue, "还有 5 个工作日"},
		{"negative window is 5", task(assess.Draft), in, nil, day("2026-02-12"), -3, assess.NoWarning, ""},
		{"inside the holiday", task(assess.Draft), in, nil, day("2026-02-18"), 5, assess.Blue, "还有 4 个工作日"},
		{"due today", task(assess.Draft), in, nil, day("2026-02-27").Add(17 * time.Hour), 5, assess.Blue, "今天"},
		{"overdue on the make-up Saturday", task(assess.Draft), in, nil, day("2026-02-28"), 5, assess.Red, "逾期 1 个工作日"},
		{"overdue over the weekend counts the make-up day", task(assess.NotStarted), in, nil, day("2026-03-02"), 5, assess.Red, "逾期 2 个工作日"},
		{"overdue reason names the deadline", task(assess.NotStarted), in, nil, day("2026-03-02"), 5, assess.Red, "2026-02-27"},
		{"submitted is waiting, not overdue", task(assess.Submitted), in, nil, day("2026-03-02"), 5, assess.NoWarning, ""},
		{"submitted before the deadline", task(assess.Submitted), in, nil, day("2026-02-26"), 5, assess.NoWarning, ""},
		{"returned before the deadline: yellow", task(assess.Returned), in, nil, day("2026-02-20"), 5, assess.Yellow, "还有 4 个工作日"},
		{"returned and overdue: red", task(assess.Returned), in, nil, day("2026-03-02"), 5, assess.Red, "逾期 2 个工作日"},
		{"returned with no deadline: yellow", task(assess.Returned), noDeadline, nil, day("2026-03-02"), 5, assess.Yellow, "退回补充"},
		{"no deadline, not started: none", task(assess.NotStarted), noDeadline, nil, day("2026-12-31"), 5, assess.NoWarning, ""},
		{"scored below 60%: red", scored(5.5), in, nil, day("2026-03-02"), 5, assess.Red, "低于低分线 6 分"},
		{"scored at the threshold: none", scored(6), in, nil, day("2026-03-02"), 5, assess.NoWarning, ""},
		{"scored below an explicit threshold", scored(7.5), low, nil, day("2026-03-02"), 5, assess.Red, "低于低分线 8 分"},
		{"scored is never overdue", scored(9), in, nil, day("2026-12-31"), 5, assess.NoWarning, ""},
		{"low score wins over an open rectification", scored(5), in, rect(assess.RectOpen, "2026-10-09"), day("2026-09-30"), 5, assess.Red, "低分线"},
		{"open rectification over National Day: yellow", scored(7), in, rect(assess.RectOpen, "2026-10-09"), day("2026-09-30"), 5, assess.Yellow, "还有 2 个工作日"},
		{"rectification due on its day is not overdue", scored(7), in, rect(assess.RectOpen, "2026-10-09"), day("2026-10-09"), 5, assess.Yellow, "还有 0 个工作日"},
		{"rectification overdue after National Day: red", scored(5), in, rect(assess.RectOpen, "2026-09-30"), day("2026-10-08"), 5, assess.Red, "整改已超过期限 2026-09-30，逾期 1 个工作日"},
		{"responded rectification waits for the reviewer", scored(7), in, rect(assess.RectResponded, "2026-09-30"), day("2026-10-08"), 5, assess.NoWarning, ""},
		{"responded but still a low score", scored(5), in, rect(assess.RectResponded, "2026-09-30"), day("2026-10-08"), 5, assess.Red, "低分线"},
		{"low score with its rectification verified and closed", scored(5), in, rect(assess.RectClosed, "2026-09-30"), day("2026-10-08"), 5, assess.NoWarning, ""},
		{"closed rectification", scored(7), in, rect(assess.RectClosed, "2026-09-30"), day("2026-10-08"), 5, assess.NoWarning, ""},
		{"Sunday deadline, Saturday make-up day: nothing left", task(assess.Draft), sundayDue, nil, day("2026-02-28"), 5, assess.Blue, "已没有工作日"},
		{"provisional 2027 Spring Festival", task(assess.Draft), provisional, nil, day("2027-02-04"), 1, assess.Blue, "还有 1 个工作日"},
	}
	for _, tt := range tests {
		w := assess.TaskWarning(tt.task, tt.in, tt.rect, nil, tt.now, assess.ChinaCalendar(), tt.warnDays)
		if w.Level != tt.level {
			t.Errorf("%s: level %s (%s), want %s", tt.name, w.Level, w.Reason, tt.level)
			continue
		}
		if tt.level == assess.NoWarning && w.Reason != "" {
			t.Errorf("%s: no warning but reason %q", tt.name, w.Reason)
		}
		if !strings.Contains(w.Reason, tt.reason) {
			t.Errorf("%s: reason %q does not contain %q", tt.name, w.Reason, tt.reason)
		}
		if tt.level != assess.NoWarning && !strings.Contains(w.Reason, "(") {
			t.Errorf("%s: reason %q has no English", tt.name, w.Reason)
		}
	}
}

func TestTaskWarningNilCalendar(t *testing.T) {
	in := assess.Indicator{ID: "i", Code: "1", Title: "t", MaxScore: 10, Deadline: day("2026-02-27")}
	w := assess.TaskWarning(assess.Task{Status: assess.Draft}, in, nil, nil, day("2026-02-13"), nil, 5)
	if w.Level != assess.Blue || !strings.Contains(w.Reason, "5 个工作日") {
		t.Errorf("nil calendar should mean the China calendar: %+v", w)
	}
}

func TestRectWarning(t *testing.T) {
	r := assess.Rectification{State: assess.RectOpen}
	if w := assess.RectWarning(r, day("2026-03-02"), nil); w.Level != assess.Yellow {
		t.Errorf("open rectification with no deadline: %+v", w)
	}
	r.Deadline = day("2026-02-13")
	if w := assess.RectWarning(r, day("2026-02-24"), nil); w.Level != assess.Red || !strings.Contains(w.Reason, "逾期 2 个工作日") {
		t.Errorf("rectification overdue across the festival: %+v", w)
	}
	r.State = assess.RectClosed
	if w := assess.RectWarning(r, day("2026-02-24"), nil); w.Level != assess.NoWarning {
		t.Errorf("closed rectification: %+v", w)
	}
}

func TestRectificationOverdue(t *testing.T) {
	tests := []struct {
		state    assess.RectState
		deadline string
		now      string
		want     bool
	}{
		{assess.RectOpen, "2026-03-02", "2026-03-02", false},
		{assess.RectOpen, "2026-03-02", "2026-03-03", true},
		{assess.RectOpen, "", "2030-01-01", false},
		{assess.RectResponded, "2026-03-02", "2026-03-03", false},
		{assess.RectClosed, "2026-03-02", "2026-03-03", false},
	}
	for _, tt := range tests {
		r := assess.Rectification{State: tt.state}
		if tt.deadline != "" {
			r.Deadline = day(tt.deadline)
		}
		if got := r.Overdue(day(tt.now)); got != tt.want {
			t.Errorf("%s due %q at %s: Overdue = %v, want %v", tt.state, tt.deadline, tt.now, got, tt.want)
		}
	}
}
