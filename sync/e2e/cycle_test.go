package e2e_test

import (
	"bytes"
	"cmp"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestFullCycle runs the life of a task through every piece of the spine:
// the administrator publishes the year from a client; unit A files offline,
// syncs, is returned, adds material and resubmits; the reviewer scores it
// below the threshold, which opens a rectification with a working-day
// deadline; the unit responds, the reviewer verifies and closes; totals,
// ranks and warnings come out as the rules say; the audit chain verifies in
// the store and with the server's verify command.
func TestFullCycle(t *testing.T) {
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, nil)
	c.addUsers("admin")

	// The administrator sets the year up on the client and publishes it.
	admin := c.desk("admin", nil)
	groups, units, year, inds := cityYear(0)
	for _, g := range groups {
		admin.must(admin.db.SaveGroup(ctx, g))
	}
	for _, u := range units {
		admin.must(admin.db.SaveUnit(ctx, u))
	}
	admin.must(admin.db.SaveYear(ctx, year))
	for _, in := range inds {
		admin.must(admin.db.SaveIndicator(ctx, in))
	}
	admin.must(admin.db.PublishYear(ctx, yearID))
	admin.syncOK()
	years := decodeAll[assess.Year](t, c.latest("admin"), wire.EntityYear)
	if len(years) != 1 || years[0].State != assess.YearPublished {
		t.Fatalf("server years after publishing: %+v", years)
	}
	wantTasks := map[string]bool{}
	for _, in := range inds {
		for _, u := range in.Units {
			wantTasks[task(in.ID, u)] = true
		}
	}
	gotTasks := map[string]bool{}
	for _, tk := range decodeAll[assess.Task](t, c.latest("admin"), wire.EntityTask) {
		if tk.Status != assess.NotStarted {
			t.Errorf("task %s is %s after publishing", tk.ID, tk.Status)
		}
		gotTasks[tk.ID] = true
	}
	if !mapsEqual(gotTasks, wantTasks) {
		t.Fatalf("tasks after publishing: %v, want %v", keys(gotTasks), keys(wantTasks))
	}

	c.addUsers("reviewer1", "rep-a", "rep-b", "rep-c")
	repA, repB, repC := c.desk("rep-a", nil), c.desk("rep-b", nil), c.desk("rep-c", nil)
	for _, d := range []*desk{repA, repB, repC} {
		d.syncOK()
	}
	if vs, err := repA.db.Tasks(ctx, localdb.TaskFilter{}); err != nil || len(vs) != 3 {
		t.Fatalf("unit A sees %d tasks (%v), want its 3", len(vs), err)
	}

	// Unit A drafts and attaches three files with the server down, and
	// submits: the submit is queued and shown as waiting.
	a11 := task(leaf11, unitA)
	c.stop()
	clk.Set(at(3, 10, 10))
	files := tempDir(t)
	f1 := writeEvidence(t, files, "权责清单.pdf", 1, 300<<10)
	f2 := writeEvidence(t, files, "动态调整会议纪要.pdf", 2, 150<<10)
	f3 := writeEvidence(t, files, "公开网页截图.png", 3, 700<<10)
	const statement1 = "我区已全面梳理行政权力事项，编制权责清单并于门户网站公布。"
	atts := repA.attach(0, f1)
	repA.must(repA.db.SaveDraft(ctx, a11, "我区已全面梳理行政权力事项。", atts))
	atts = append(atts, repA.attach(1, f2)...)
	atts = append(atts, repA.attach(2, f3)...)
	repA.must(repA.db.SaveDraft(ctx, a11, statement1, atts))
	repA.must(repA.db.Submit(ctx, a11))
	v := repA.view(a11)
	if v.Local != assess.Submitted || !v.SubmitPending() || !strings.Contains(v.StatusLabel(), "待同步") {
		t.Fatalf("queued submit shows as %s %q (pending %v), want 已提交（待同步）", v.Local, v.StatusLabel(), v.Pending)
	}
	err := repA.sync.SyncOnce(ctx)
	if !client.Offline(err) || assess.ErrorCode(err) != assess.EUnavailable {
		t.Fatalf("sync with the server down: %v, want offline", err)
	}
	if pending, _ := repA.pending(); pending == 0 || repA.sync.Online() {
		t.Fatalf("offline: %d pending, online %v; want the work queued and offline", pending, repA.sync.Online())
	}

	// The server comes back on the same data and address; unit A syncs.
	c.start()
	repA.syncOK()
	if st := c.serverTask(a11); st.Status != assess.Submitted || st.Version != 1 {
		t.Fatalf("server task after sync: %s v%d, want submitted v1", st.Status, st.Version)
	}
	subs := c.submissions(a11)
	if len(subs) != 1 || subs[1].Statement != statement1 || !slices.Equal(hashesOf(subs[1].Attachments), []string{f1.sum, f2.sum, f3.sum}) {
		t.Fatalf("server submissions: %+v", subs)
	}
	for _, f := range []evidence{f1, f2, f3} {
		if got := c.storedSHA256(f.sum); got != f.sum {
			t.Fatalf("stored evidence hashes to %s, want %s", got, f.sum)
		}
	}

	// The other units file their work online; unit A files 1.2 and 2.1.
	fa12 := writeEvidence(t, files, "营商环境工作方案.pdf", 12, 90<<10)
	fa21 := writeEvidence(t, files, "合法性审核台账.pdf", 21, 80<<10)
	fb := writeEvidence(t, files, "淄川区权责清单.pdf", 31, 120<<10)
	fb21 := writeEvidence(t, files, "淄川区审核台账.pdf", 32, 60<<10)
	fc := writeEvidence(t, files, "市司法局权责清单.pdf", 41, 110<<10)
	repA.fileTask(task(leaf12, unitA), "网上可办率达到 92%。", repA.attach(0, fa12))
	repA.fileTask(task(leaf21, unitA), "规范性文件全部经过合法性审核。", repA.attach(0, fa21))
	repB.fileTask(task(leaf11, unitB), "已公布权责清单。", repB.attach(0, fb))
	repB.fileTask(task(leaf21, unitB), "已建立合法性审核台账。", repB.attach(0, fb21))
	repC.fileTask(task(leaf11, unitC), "已公布部门权责清单。", repC.attach(0, fc))
	for _, d := range []*desk{repA, repB, repC} {
		d.syncOK()
	}

	// The reviewer pulls, downloads and verifies the evidence, and returns
	// the task for more material.
	clk.Set(at(3, 16, 10))
	rev := c.desk("reviewer1", nil)
	rev.syncOK()
	if v := rev.view(a11); v.Status != assess.Submitted || v.Version != 1 {
		t.Fatalf("reviewer sees %s v%d", v.Status, v.Version)
	}
	rsubs, err := rev.db.Submissions(ctx, a11)
	if err != nil || len(rsubs) != 1 || len(rsubs[0].Attachments) != 3 {
		t.Fatalf("reviewer's submissions: %+v, %v", rsubs, err)
	}
	all := byHash(f1, f2, f3, fa12, fa21, fb, fb21, fc)
	rev.fetchVerified(rsubs[0].Attachments, all)
	const returnComment = "请补充权责清单动态调整的会议纪要及调整前后对照表。"
	rev.must(rev.db.Return(ctx, a11, 1, returnComment))
	rev.syncOK()
	if st := c.serverTask(a11); st.Status != assess.Returned {
		t.Fatalf("server task after return: %s", st.Status)
	}

	// Unit A sees the return, adds a file and resubmits.
	clk.Set(at(3, 20, 10))
	repA.syncOK()
	v = repA.view(a11)
	if v.Local != assess.Returned {
		t.Fatalf("unit A sees %s after the return", v.Local)
	}
	if w := assess.TaskWarning(v.Task, v.Indicator, nil, nil, clk.Now(), nil, year.WarnDays); w.Level != assess.Yellow {
		t.Fatalf("warning of a returned task: %+v, want yellow", w)
	}
	reviews, err := repA.db.Reviews(ctx, a11)
	if err != nil || len(reviews) != 1 || reviews[0].Decision != assess.Return || reviews[0].Comment != returnComment {
		t.Fatalf("unit A's reviews: %+v, %v", reviews, err)
	}
	d, err := repA.db.Draft(ctx, a11)
	if err != nil || len(d.Attachments) != 3 {
		t.Fatalf("draft after the return: %+v, %v; want the submitted content to edit", d, err)
	}
	f4 := writeEvidence(t, files, "调整前后对照表.pdf", 4, 220<<10)
	const statement2 = statement1 + "补充：2026 年 3 月召开专题会议动态调整权责清单 12 项。"
	repA.must(repA.db.SaveDraft(ctx, a11, statement2, append(d.Attachments, repA.attach(1, f4)...)))
	repA.must(repA.db.Submit(ctx, a11))
	repA.syncOK()
	subs = c.submissions(a11)
	if len(subs) != 2 || subs[2].Statement != statement2 || len(subs[2].Attachments) != 4 || subs[1].Statement != statement1 {
		t.Fatalf("server submissions after resubmitting: %+v", subs)
	}

	// The reviewer scores it below the threshold, returns 1.2 of unit A,
	// scores the rest and enters the survey and on-site results.
	scoredAt := at(4, 27, 10)
	clk.Set(scoredAt)
	rev.syncOK()
	rsubs, err = rev.db.Submissions(ctx, a11)
	if err != nil || len(rsubs) != 2 {
		t.Fatalf("reviewer's submissions: %+v, %v", rsubs, err)
	}
	all[f4.sum] = f4
	rev.fetchVerified(rsubs[1].Attachments, all)
	const demand = "动态调整机制不健全，列为重点督察事项，请限期整改。"
	rev.must(rev.db.Score(ctx, a11, 2, 5, demand))
	rev.must(rev.db.Return(ctx, task(leaf12, unitA), 1, "请补充网上可办率统计表。"))
	for _, s := range []struct {
		task  string
		score float64
	}{{task(leaf21, unitA), 9}, {task(leaf11, unitB), 8}, {task(leaf21, unitB), 8}, {task(leaf11, unitC), 9}} {
		rev.must(rev.db.Score(ctx, s.task, 1, s.score, "材料齐全，符合标准。"))
	}
	external := []assess.ExternalScore{
		{YearID: yearID, UnitID: unitA, Source: assess.Survey, Score: 80, Max: 100},
		{YearID: yearID, UnitID: unitA, Source: assess.Onsite, Score: 85, Max: 100},
		{YearID: yearID, UnitID: unitA, Source: assess.ThirdParty, Score: 99, Max: 100},
		{YearID: yearID, UnitID: unitB, Source: assess.Survey, Score: 90, Max: 100},
		{YearID: yearID, UnitID: unitB, Source: assess.Onsite, Score: 57.5, Max: 100},
		{YearID: yearID, UnitID: unitC, Source: assess.Survey, Score: 70, Max: 100},
		{YearID: yearID, UnitID: unitC, Source: assess.Onsite, Score: 95, Max: 100},
	}
	for _, e := range external {
		rev.must(rev.db.SaveExternal(ctx, e))
	}
	rev.syncOK()

	// The rectification is open, due 10 working days after the score:
	// 2026-04-27 is a Monday; 1 May to 5 May are the 劳动节 holiday and
	// Saturday 9 May is a make-up working day, so the tenth working day is
	// Wednesday 13 May (plain Monday-to-Friday counting would say 11 May).
	wantDeadline := assess.ChinaCalendar().AddWorkdays(scoredAt, year.RectifyDays)
	if !wantDeadline.Equal(assess.Date(2026, 5, 13)) {
		t.Fatalf("AddWorkdays(2026-04-27, 10) = %s, want 2026-05-13", wantDeadline.Format(time.DateOnly))
	}
	rect := c.rectification(a11)
	if rect.State != assess.RectOpen || !rect.Deadline.Equal(wantDeadline) || rect.Demand != demand || !rect.OpenedAt.Equal(scoredAt) {
		t.Fatalf("server rectification: %+v, want open, due %s", rect, wantDeadline.Format(time.DateOnly))
	}
	if r, err := rev.db.Rectification(ctx, a11); err != nil || r.State != assess.RectOpen || !r.Deadline.Equal(wantDeadline) {
		t.Fatalf("reviewer's rectification: %+v, %v", r, err)
	}

	// Unit A sees the low score and the rectification, a red warning, and
	// responds with new evidence.
	clk.Set(at(5, 8, 10))
	repA.syncOK()
	v = repA.view(a11)
	r, err := repA.db.Rectification(ctx, a11)
	if err != nil || r.State != assess.RectOpen || !r.Deadline.Equal(wantDeadline) {
		t.Fatalf("unit A's rectification: %+v, %v", r, err)
	}
	if v.Local != assess.Scored || v.Score != 5 {
		t.Fatalf("unit A sees %s %v", v.Local, v.Score)
	}
	if w := assess.TaskWarning(v.Task, v.Indicator, &r, nil, clk.Now(), nil, year.WarnDays); w.Level != assess.Red || !hasHan(w.Reason) {
		t.Fatalf("warning of a low score under rectification: %+v, want red", w)
	}
	f5 := writeEvidence(t, files, "整改报告.pdf", 5, 260<<10)
	const response = "已召开专题会议健全动态调整机制，修订权责清单 12 项并重新公布。"
	repA.must(repA.db.RespondRect(ctx, a11, response, repA.attach(-1, f5)))
	repA.syncOK()
	if rect := c.rectification(a11); rect.State != assess.RectResponded || rect.Response != response || len(rect.Attachments) != 1 {
		t.Fatalf("server rectification after the response: %+v", rect)
	}

	// The reviewer checks the response's evidence, verifies and closes.
	closedAt := at(5, 12, 15)
	clk.Set(closedAt)
	rev.syncOK()
	rr, err := rev.db.Rectification(ctx, a11)
	if err != nil || rr.State != assess.RectResponded {
		t.Fatalf("reviewer's rectification: %+v, %v", rr, err)
	}
	rev.fetchVerified(rr.Attachments, byHash(f5))
	rev.must(rev.db.VerifyRect(ctx, a11, true, "整改到位，同意销号。"))
	rev.syncOK()
	if rect := c.rectification(a11); rect.State != assess.RectClosed || !rect.ClosedAt.Equal(closedAt) {
		t.Fatalf("server rectification after verifying: %+v", rect)
	}

	// Totals, ranks and warnings on 14 May.
	clk.Set(at(5, 14, 9))
	for _, d := range []*desk{repA, repB, repC, rev} {
		d.syncOK()
	}
	checkStandings(t, rev, repA, inds, external)
	checkWarnings(t, clk.Now(), year, map[string]*desk{unitA: repA, unitB: repB, unitC: repC})

	// The audit chain verifies in the store and with the server command.
	rep := c.verifyAudit()
	c.stop()
	out, err := exec.Command(binary(t, "yiwangtong-server"), "verify", "--data", c.dir).CombinedOutput()
	if err != nil {
		t.Fatalf("yiwangtong-server verify: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("审计链校验通过")) || !bytes.Contains(out, []byte(rep.Head)) {
		t.Fatalf("yiwangtong-server verify said %q, want the chain verified with head %s", out, rep.Head)
	}
}

// checkStandings compares the server's standings, as the reviewer's and a
// reporter's PCs hold them, with totals and ranks worked out here from the
// raw scores, and with what assess.Rank makes of the same numbers.
func checkStandings(t *testing.T, rev, rep *desk, inds []assess.Indicator, external []assess.ExternalScore) {
	t.Helper()
	// The raw numbers: the scores given, the leaves assigned.
	scores := map[string]float64{unitA: 5 + 9, unitB: 8 + 8, unitC: 9}
	maxes := map[string]float64{}
	for _, in := range assess.Leaves(inds) {
		for _, u := range in.Units {
			maxes[u] += in.MaxScore
		}
	}
	if maxes[unitA] != 40 || maxes[unitB] != 40 || maxes[unitC] != 20 {
		t.Fatalf("max scores %v", maxes)
	}
	groupOf := map[string]string{unitA: groupDist, unitB: groupDist, unitC: groupDept}
	names := map[string]string{unitA: "张店区", unitB: "淄川区", unitC: "市司法局"}
	ext := map[string]map[assess.Source]assess.ExternalScore{}
	for _, e := range external {
		if ext[e.UnitID] == nil {
			ext[e.UnitID] = map[assess.Source]assess.ExternalScore{}
		}
		ext[e.UnitID][e.Source] = e
	}
	round := func(f float64) float64 { return math.Round(f*100) / 100 }
	var want []assess.Standing
	for _, u := range []string{unitA, unitB, unitC} {
		s := assess.Standing{YearID: yearID, UnitID: u, GroupID: groupOf[u],
			System: round(50 * scores[u] / maxes[u]),
			Survey: round(30 * ext[u][assess.Survey].Score / ext[u][assess.Survey].Max),
			Onsite: round(20 * ext[u][assess.Onsite].Score / ext[u][assess.Onsite].Max),
		}
		s.Total = round(s.System + s.Survey + s.Onsite)
		want = append(want, s)
	}
	// Within each group: total, then system, on-site and survey, higher
	// first; the third-party score carries no weight.
	slices.SortFunc(want, func(x, y assess.Standing) int {
		return cmp.Or(cmp.Compare(x.GroupID, y.GroupID), cmp.Compare(y.Total, x.Total), cmp.Compare(y.System, x.System),
			cmp.Compare(y.Onsite, x.Onsite), cmp.Compare(y.Survey, x.Survey))
	})
	for i := range want {
		n := 0
		for _, s := range want {
			if s.GroupID == want[i].GroupID {
				n++
			}
		}
		want[i].OutOf = n
		want[i].Rank = 1
		if i > 0 && want[i-1].GroupID == want[i].GroupID {
			want[i].Rank = want[i-1].Rank + 1
		}
	}
	// By hand: A and B tie at 58.5 points; B's system points (20 against
	// 17.5) put it first.
	hand := []assess.Standing{
		{YearID: yearID, UnitID: unitC, GroupID: groupDept, System: 22.5, Survey: 21, Onsite: 19, Total: 62.5, Rank: 1, OutOf: 1},
		{YearID: yearID, UnitID: unitB, GroupID: groupDist, System: 20, Survey: 27, Onsite: 11.5, Total: 58.5, Rank: 1, OutOf: 2},
		{YearID: yearID, UnitID: unitA, GroupID: groupDist, System: 17.5, Survey: 24, Onsite: 17, Total: 58.5, Rank: 2, OutOf: 2},
	}
	if !slices.Equal(want, hand) {
		t.Fatalf("worked-out standings %+v, by hand %+v", want, hand)
	}
	var in []assess.UnitScores
	for _, u := range []string{unitA, unitB, unitC} {
		in = append(in, assess.UnitScores{UnitID: u, GroupID: groupOf[u], Name: names[u], SystemScore: scores[u], SystemMax: maxes[u], External: ext[u]})
	}
	if got := assess.Rank(yearID, assess.DefaultWeights, in); !slices.Equal(got, want) {
		t.Fatalf("assess.Rank: %+v, want %+v", got, want)
	}
	for _, d := range []*desk{rev, rep} {
		got, err := d.db.Standings(ctx, yearID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s's standings: %+v, want %+v", d.name, got, want)
		}
	}
}

// checkWarnings compares each unit's warnings, as assess.TaskWarning makes
// them from what the unit's PC holds, with the levels the data calls for.
func checkWarnings(t *testing.T, now time.Time, year assess.Year, desks map[string]*desk) {
	t.Helper()
	want := map[string]assess.Level{
		task(leaf11, unitA): assess.NoWarning, // scored 5 < 6, but the rectification is closed
		task(leaf12, unitA): assess.Yellow,    // returned for more material, due tomorrow
		task(leaf21, unitA): assess.NoWarning, // scored 9
		task(leaf11, unitB): assess.NoWarning, // scored 8
		task(leaf12, unitB): assess.Blue,      // not started, due 15 May: one working day left
		task(leaf21, unitB): assess.NoWarning, // scored 8
		task(leaf11, unitC): assess.NoWarning, // scored 9
		task(leaf21, unitC): assess.Red,       // not started, was due 12 May
	}
	seen := 0
	for unit, d := range desks {
		views, err := d.db.Tasks(ctx, localdb.TaskFilter{YearID: yearID})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.UnitID != unit {
				t.Fatalf("%s sees task %s of another unit", d.name, v.ID)
			}
			var rect *assess.Rectification
			if r, err := d.db.Rectification(ctx, v.ID); err == nil {
				rect = &r
			} else if assess.ErrorCode(err) != assess.ENotFound {
				t.Fatal(err)
			}
			tk := v.Task
			tk.Status = v.Local
			w := assess.TaskWarning(tk, v.Indicator, rect, nil, now, nil, year.WarnDays)
			if w.Level != want[v.ID] {
				t.Errorf("%s: warning %s (%s), want %s", v.ID, w.Level, w.Reason, want[v.ID])
			}
			if w.Level != assess.NoWarning && !hasHan(w.Reason) {
				t.Errorf("%s: warning reason %q is not in Chinese", v.ID, w.Reason)
			}
			seen++
		}
	}
	if seen != len(want) {
		t.Fatalf("checked %d tasks, want %d", seen, len(want))
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
