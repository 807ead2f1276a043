package ui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// homeTestPDF is a small file the evidence store accepts.
var homeTestPDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// reporterHomeOf shows the home page of s and returns it.
func reporterHomeOf(t *testing.T, s *Shell) *reporterHome {
	t.Helper()
	s.Show("home")
	s.Idle()
	a, ok := s.areas["home"].(*reporterHome)
	if !ok {
		t.Fatalf("the home area is a %T", s.areas["home"])
	}
	return a
}

// homeMyTasks returns the tasks of the reporter's unit in the year shown,
// by deadline, then code.
func homeMyTasks(t *testing.T, s *Shell, db *localdb.DB) []localdb.TaskView {
	t.Helper()
	tasks, err := db.Tasks(context.Background(), localdb.TaskFilter{YearID: s.year.ID, UnitID: s.user.UnitID})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 5 {
		t.Fatalf("the reporter has %d tasks", len(tasks))
	}
	return tasks
}

// homeSubmit writes a draft with one evidence file and submits it.
func homeSubmit(t *testing.T, db *localdb.DB, taskID string) {
	t.Helper()
	ctx := context.Background()
	att, err := db.AddEvidenceReader(ctx, "会议纪要.pdf", bytes.NewReader(homeTestPDF))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDraft(ctx, taskID, "已按要求落实，附会议纪要。", []assess.Attachment{att}); err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, taskID); err != nil {
		t.Fatal(err)
	}
}

// homeTileCounts returns the numbers of the state tiles.
func homeTileCounts(a *reporterHome) map[assess.Status]string {
	out := map[assess.Status]string{}
	for st, txt := range a.tiles {
		out[st] = txt.Text
	}
	return out
}

func TestReporterHomeCounts(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := reporterHomeOf(t, s)
	tasks := homeMyTasks(t, s, db)
	total := len(tasks)

	// A fresh demo city: nothing started.
	want := map[assess.Status]string{assess.NotStarted: fmt.Sprint(total), assess.Draft: "0", assess.Submitted: "0", assess.Returned: "0", assess.Scored: "0"}
	if got := homeTileCounts(a); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tiles of a fresh city %v, want %v", got, want)
	}
	if a.rate.Text != "0.0%" {
		t.Fatalf("completion rate %q", a.rate.Text)
	}
	// The first deadline of the demo is within the blue window.
	if len(a.warnings) == 0 || a.warnings[0].Level != assess.Blue {
		t.Fatalf("warnings of a fresh city: %+v", a.warnings)
	}
	first := a.warnings[0].TaskID

	// A draft of one task and a submit of the most urgent one.
	var drafted string
	for _, v := range tasks {
		if v.ID != first {
			drafted = v.ID
			break
		}
	}
	if err := db.SaveDraft(context.Background(), drafted, "初稿", nil); err != nil {
		t.Fatal(err)
	}
	homeSubmit(t, db, first)
	s.changed()
	s.Idle()

	want[assess.NotStarted] = fmt.Sprint(total - 2)
	want[assess.Draft] = "1"
	want[assess.Submitted] = "1"
	if got := homeTileCounts(a); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tiles after a draft and a submit %v, want %v", got, want)
	}
	if wantRate := fmt.Sprintf("%.1f%%", 100/float64(total)); a.rate.Text != wantRate {
		t.Fatalf("completion rate %q, want %q", a.rate.Text, wantRate)
	}
	bars := a.states.Bars()
	if len(bars) != 5 || bars[2].Label != "已提交" || bars[2].Value != 1 || bars[2].Max != float64(total) {
		t.Fatalf("state chart %+v", bars)
	}
	for _, w := range a.warnings {
		if w.TaskID == first {
			t.Fatalf("a submitted task still warns: %+v", w)
		}
	}
	if !strings.Contains(a.pending.Text, "待发送") {
		t.Fatalf("sync card %q after local changes", a.pending.Text)
	}
	// Synced: nothing waits any more.
	s.SyncNow()
	s.Idle()
	if a.pending.Text != "没有待发送的修改" || !strings.HasPrefix(a.last.Text, "上次同步") {
		t.Fatalf("sync card after a sync: %q %q", a.pending.Text, a.last.Text)
	}
}

func TestReporterHomeWarningsAndRank(t *testing.T) {
	ctx := context.Background()
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	tasks := homeMyTasks(t, s, db)
	returned, low := tasks[len(tasks)-1], tasks[len(tasks)-2] // late deadlines: no blue warning of their own
	homeSubmit(t, db, returned.ID)
	homeSubmit(t, db, low.ID)
	s.SyncNow()
	s.Idle()

	rs, rdb := newTestShell(t, c, assess.Reviewer)
	if err := rdb.Return(ctx, returned.ID, 1, "请补充会议纪要原件扫描件"); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Score(ctx, low.ID, 1, 0.5, "材料不全，未达标"); err != nil {
		t.Fatal(err)
	}
	rs.SyncNow()
	rs.Idle()
	if p, r, _ := rdb.PendingCount(ctx); p != 0 || r != 0 {
		t.Fatalf("the reviewer's changes did not go out: %d waiting, %d refused", p, r)
	}

	s.SyncNow()
	s.Idle()
	a := reporterHomeOf(t, s)
	s.changed()
	s.Idle()

	// Red (low score) first, then yellow (returned, the rectification),
	// then blue, each level by deadline.
	ws := a.warnings
	if len(ws) < 4 {
		t.Fatalf("warnings %+v", ws)
	}
	if ws[0].Level != assess.Red || ws[0].TaskID != low.ID || ws[0].Rect || !strings.Contains(ws[0].Reason, "低于低分线") {
		t.Fatalf("first warning %+v, want the low score in red", ws[0])
	}
	var yellow []homeWarning
	blue := 0
	for i, w := range ws {
		if i > 0 {
			prev := ws[i-1]
			if w.Level > prev.Level || (w.Level == prev.Level && !w.Due.IsZero() && !prev.Due.IsZero() && w.Due.Before(prev.Due)) {
				t.Fatalf("warning %d (%+v) is out of order after %+v", i, w, prev)
			}
		}
		switch w.Level {
		case assess.Yellow:
			yellow = append(yellow, w)
		case assess.Blue:
			blue++
		}
	}
	if len(yellow) != 2 {
		t.Fatalf("yellow warnings %+v, want the returned task and the rectification", yellow)
	}
	var sawReturned, sawRect bool
	for _, w := range yellow {
		sawReturned = sawReturned || (w.TaskID == returned.ID && !w.Rect && strings.Contains(w.Reason, "退回补充"))
		sawRect = sawRect || (w.TaskID == low.ID && w.Rect && strings.Contains(w.Reason, "待整改"))
	}
	if !sawReturned || !sawRect {
		t.Fatalf("yellow warnings %+v", yellow)
	}
	// Blue: every unsubmitted task due within the year's window, counted
	// here from the store with the calendar.
	cal := assess.ChinaCalendar()
	wantBlue := 0
	for _, v := range homeMyTasks(t, s, db) {
		due := v.Indicator.Deadline
		if (v.Local == assess.NotStarted || v.Local == assess.Draft) && !due.IsZero() && cal.WorkdaysUntil(testNow, due) <= s.year.WarnDays {
			wantBlue++
		}
	}
	if blue != wantBlue || blue == 0 {
		t.Fatalf("%d blue warnings, want %d", blue, wantBlue)
	}
	// Each line shows its colour, its level and the Chinese reason only.
	for _, w := range []homeWarning{ws[0], yellow[0], ws[len(ws)-1]} {
		row := newHomeWarningRow()
		row.set(s, w)
		if row.mark.FillColor != warningColor(w.Level) || row.level.Color != warningColor(w.Level) || row.level.Text != warningLabel(w.Level) {
			t.Fatalf("row of %+v: mark %v, level %q %v", w, row.mark.FillColor, row.level.Text, row.level.Color)
		}
		if strings.Contains(row.reason.Text, "(") || row.reason.Text == "" {
			t.Fatalf("reason %q is not the Chinese one", row.reason.Text)
		}
	}

	// Score and rank: the server's standing, as assess.Rank computes it.
	standings, err := db.Standings(ctx, s.year.ID)
	if err != nil {
		t.Fatal(err)
	}
	var mine assess.Standing
	for _, st := range standings {
		if st.UnitID == s.user.UnitID {
			mine = st
		}
	}
	if mine.Rank == 0 || mine.OutOf != 6 {
		t.Fatalf("my standing %+v, want a rank among the 6 districts", mine)
	}
	if want := fmt.Sprintf("第 %d 名 / 共 6 个（区县）", mine.Rank); a.rank.Text != want {
		t.Fatalf("rank %q, want %q", a.rank.Text, want)
	}
	var sysMax float64
	for _, v := range homeMyTasks(t, s, db) {
		sysMax += v.Indicator.MaxScore
	}
	w := s.year.Weights
	want := assess.Rank(s.year.ID, w, []assess.UnitScores{{UnitID: s.user.UnitID, SystemScore: 0.5, SystemMax: sysMax}})[0]
	if a.total.Text != assess.FormatScore(want.Total) || want.Total == 0 {
		t.Fatalf("total %q, want %s", a.total.Text, assess.FormatScore(want.Total))
	}
	if p := a.parts.Bars(); p[0].Value != want.System || p[0].Max != w.System || p[1].Max != w.Survey || p[2].Max != w.Onsite {
		t.Fatalf("score parts %+v", p)
	}
	// The category of the scored task shows its point.
	cat := low.Indicator.Category()
	found := false
	for _, b := range a.cats.Bars() {
		if strings.HasPrefix(b.Label, cat+" ") {
			found = b.Value == 0.5 && b.Max > 0
		}
	}
	if !found {
		t.Fatalf("category %s bars %+v", cat, a.cats.Bars())
	}

	// Tapping a warning goes to 指标填报.
	a.warnList.Select(0)
	if s.Current() != "filing" {
		t.Fatalf("tapping a warning showed %q", s.Current())
	}
}

func TestReporterHomeRankText(t *testing.T) {
	s := &Shell{groups: map[string]assess.Group{"quxian": {ID: "quxian", Name: "区县"}, "kaohe": {ID: "kaohe", Name: "考核机关"}}}
	for _, tc := range []struct {
		st   assess.Standing
		want string
	}{
		{assess.Standing{GroupID: "quxian", Rank: 2, OutOf: 8}, "第 2 名 / 共 8 个（区县）"},
		{assess.Standing{GroupID: "kaohe", Rank: 1, OutOf: 1}, "所在分组只有本单位，不参与排名"},
		{assess.Standing{GroupID: "quxian"}, "尚未排名"},
	} {
		if got := homeRankText(s, tc.st); got != tc.want {
			t.Errorf("rank of %+v = %q, want %q", tc.st, got, tc.want)
		}
	}
}

func TestReporterHomeReason(t *testing.T) {
	s := &Shell{}
	for in, want := range map[string]string{
		"已退回补充材料，请补充后重新提交 (returned for more material)": "已退回补充材料，请补充后重新提交",
		"说明（含括号）":    "说明（含括号）",
		"得分 (分数) 不足": "得分 (分数) 不足",
	} {
		if got := homeReason(s, in); got != want {
			t.Errorf("homeReason(%q) = %q, want %q", in, got, want)
		}
	}
}
