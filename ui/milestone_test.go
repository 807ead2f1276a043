package ui

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
)

// newClockedCity serves the demo city of now's year on loopback, as
// newCity does, with the server's clock stopped at now: the server's
// receipt time of a filing, which decides whether a milestone was met on
// time, is then known to the test.
func newClockedCity(t *testing.T, now time.Time) *city {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clock := func() time.Time { return now }
	store, err := sqlite.Open(filepath.Join(dir, "server.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	creds, err := demo.Load(ctx, store, demo.City(now.Year(), now), now, server.HashPassword)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := server.NewDirBlobs(filepath.Join(dir, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Config{Store: store, Blobs: blobs, DataDir: filepath.Join(dir, "uploads"), Now: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return &city{Server: &demo.Server{URL: hs.URL, Credentials: creds}, t: t}
}

// milestoneTask returns a task of the reporter's list whose indicator has
// milestones, failing when the demo city gives the unit none.
func milestoneTask(t *testing.T, a *filing) localdb.TaskView {
	t.Helper()
	for _, r := range a.all {
		if len(r.v.Indicator.Milestones) >= 2 {
			return r.v
		}
	}
	t.Fatal("the reporter has no task whose indicator has two milestones")
	return localdb.TaskView{}
}

// milestoneFilings returns the local filings of a task by milestone ID.
func milestoneFilings(t *testing.T, db *localdb.DB, taskID string) map[string]localdb.MilestoneView {
	t.Helper()
	views, err := db.MilestoneFilings(context.Background(), taskID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]localdb.MilestoneView{}
	for _, v := range views {
		out[v.MilestoneID] = v
	}
	return out
}

// TestMilestoneFileAndSync files a milestone as a clerk does: pick the task,
// open the file dialog, drop a file onto the window for the milestone,
// write the statement, tap 报送此节点 and confirm with Enter; the filing
// waits (待发送) until the sync, after which the server's filing, received
// before the due day by the server's clock, is shown as met on time and its
// file as uploaded.
func TestMilestoneFileAndSync(t *testing.T) {
	c := newClockedCity(t, testNow)
	s, db := newTestShell(t, c, assess.Reporter)
	a := filingArea(t, s)
	v := milestoneTask(t, a)
	in := v.Indicator
	m := in.Milestones[0]
	filingTap(t, s, a, in.Code)
	if a.cur == nil || a.cur.v.ID != v.ID {
		t.Fatalf("tapped %s, shown %q", v.ID, a.selected)
	}
	cal := assess.ChinaCalendar()
	if !a.milesHead.Visible() || a.milesHead.Text != "时间节点（已完成 0 / 2 个）" {
		t.Fatalf("milestone heading %q (shown %v)", a.milesHead.Text, a.milesHead.Visible())
	}
	section := filingTexts(a.milesBox)
	for _, want := range []string{"1. " + m.Title, "2. " + in.Milestones[1].Title,
		"截止 " + filingMilestoneDue(m, cal), "未到期", "尚未添加文件", "以服务器收到报送的时间为准"} {
		if !strings.Contains(section, want) {
			t.Fatalf("the milestone section lacks %q:\n%s", want, section)
		}
	}
	if !strings.Contains(filingTexts(a.info), "时间节点已完成 0 / 2 个") {
		t.Fatalf("the facts do not count the milestones:\n%s", filingTexts(a.info))
	}

	// 报送此节点 without a file is refused.
	filingTapButton(t, s, a.milesBox, "报送此节点")
	if msg := filingDialog(t, s); !strings.Contains(msg, "请至少为本节点添加一份佐证材料后再报送") {
		t.Fatalf("filing without files: %q", msg)
	}
	pressOnCanvas(s, fyne.KeyEscape)

	// 添加文件 opens the file dialog; the file itself comes by dropping it.
	filingTapButton(t, s, a.milesBox, "添加文件")
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("添加文件 showed no file dialog")
	}
	top.Hide()
	s.win.Canvas().Overlays().Remove(top)
	plan := filingFile(t, t.TempDir(), "年度工作计划.pdf", "%PDF-1.4\n% 年度工作计划\n%%EOF\n")
	s.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(plan)})
	if a.dropChoice == nil || !strings.Contains(filingDialog(t, s), "年度工作计划.pdf") {
		t.Fatal("dropping a file asked nothing")
	}
	want := "时间节点 1：" + m.Title
	idx := -1
	for i, o := range a.dropChoice.Options {
		if o == want {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatalf("the drop dialog offers no %q: %v", want, a.dropChoice.Options)
	}
	a.dropChoice.SetSelectedIndex(idx)
	s.keyEnter()
	s.Idle()
	if d := filingDraft(t, db, v.ID); len(d.Attachments) != 0 {
		t.Fatalf("the file went into the task's draft: %+v", d.Attachments)
	}
	section = filingTexts(a.milesBox)
	if !strings.Contains(section, "年度工作计划.pdf") || !strings.Contains(section, "待上传") || !strings.Contains(section, "有未报送的修改") {
		t.Fatalf("the milestone does not list its new file:\n%s", section)
	}

	// The statement, then 报送此节点 and Enter.
	e := a.medits[assess.MilestoneFilingID(v.ID, m.ID)]
	if e == nil {
		t.Fatal("no statement entry for the milestone")
	}
	const statement = "已印发年度法治政府建设工作计划。"
	test.Type(e.statement, statement)
	filingTapButton(t, s, a.milesBox, "报送此节点")
	msg := filingDialog(t, s)
	for _, want := range []string{"将报送时间节点“" + m.Title + "”", "1 份佐证材料", "以服务器收到报送的时间为准"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the confirmation lacks %q: %q", want, msg)
		}
	}
	pressOnCanvas(s, fyne.KeyReturn)
	s.Idle()
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog is still shown: %s", filingDialog(t, s))
	}
	f, ok := milestoneFilings(t, db, v.ID)[m.ID]
	if !ok || !f.Pending || f.Statement != statement || len(f.Attachments) != 1 || f.Attachments[0].Name != "年度工作计划.pdf" {
		t.Fatalf("the local filing after 报送: %+v (found %v)", f, ok)
	}
	section = filingTexts(a.milesBox)
	for _, want := range []string{"待发送", "以服务器收到时间为准"} {
		if !strings.Contains(section, want) {
			t.Fatalf("a waiting filing does not say %q:\n%s", want, section)
		}
	}
	if a.milesHead.Text != "时间节点（已完成 1 / 2 个）" {
		t.Fatalf("heading after filing %q", a.milesHead.Text)
	}

	// The sync sends the file and the filing; the server's filing comes back.
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
	f = milestoneFilings(t, db, v.ID)[m.ID]
	if f.Pending || f.FiledAt.IsZero() || f.Statement != statement || f.UnitID != s.User().UnitID {
		t.Fatalf("the server's filing: %+v", f)
	}
	if st := m.State(&f.MilestoneFiling, testNow, cal); st != assess.MilestoneMet {
		t.Fatalf("state %s, want met", st)
	}
	states, err := db.UploadStates(context.Background(), []string{f.Attachments[0].Hash})
	if err != nil {
		t.Fatal(err)
	}
	if states[f.Attachments[0].Hash] != localdb.UploadDone {
		t.Fatalf("the file's upload state %q", states[f.Attachments[0].Hash])
	}
	section = filingTexts(a.milesBox)
	for _, want := range []string{"按时完成", "服务器收到于 2026-03-02 09:00", "已上传"} {
		if !strings.Contains(section, want) {
			t.Fatalf("the filed milestone lacks %q:\n%s", want, section)
		}
	}
	if !slices.ContainsFunc(filingObjects(a.milesBox), func(o fyne.CanvasObject) bool {
		b, ok := o.(*widget.Button)
		return ok && b.Text == "重新报送"
	}) {
		t.Fatal("the filed milestone offers no 重新报送")
	}
	if strings.Contains(section, "待发送") || strings.Contains(section, "有未报送的修改") {
		t.Fatalf("the filed milestone still waits:\n%s", section)
	}
}

// TestMilestoneMissedWarning moves the clock past a milestone's due day:
// the reporter's home lists the task's yellow warning naming the
// milestone, the tree marks the task yellow, and the detail shows the
// milestone missed (逾期未完成).
func TestMilestoneMissedWarning(t *testing.T) {
	c := newCity(t)
	var clock atomic.Int64
	clock.Store(testNow.UnixNano())
	deps, _ := testDeps(t)
	deps.Now = func() time.Time { return time.Unix(0, clock.Load()).In(assess.CST) }
	s := loginShell(t, c, deps, c.account(assess.Reporter))
	a := filingArea(t, s)
	cal := assess.ChinaCalendar()

	// A task whose first milestone falls due well before its deadline.
	var v localdb.TaskView
	var later time.Time
	for _, r := range a.all {
		ms := r.v.Indicator.Milestones
		if len(ms) == 0 {
			continue
		}
		at := cal.AddWorkdays(ms[0].DueDay(cal), 2).Add(10 * time.Hour)
		if at.Before(assess.DayOf(r.v.Indicator.Deadline)) {
			v, later = r.v, at
			break
		}
	}
	if v.ID == "" {
		t.Fatal("no task has a milestone due before its deadline")
	}
	m := v.Indicator.Milestones[0]
	if r := a.rows[v.ID]; r.warn.Level == assess.Yellow {
		t.Fatalf("yellow before the milestone is due: %+v", r.warn)
	}

	clock.Store(later.UnixNano())
	s.changed()
	s.Idle()
	h := reporterHomeOf(t, s)
	var found *homeWarning
	for i, w := range h.warnings {
		if w.TaskID == v.ID {
			found = &h.warnings[i]
		}
	}
	if found == nil || found.Level != assess.Yellow || !strings.Contains(found.Reason, "时间节点“"+m.Title+"”") ||
		!found.Due.Equal(m.DueDay(cal)) {
		t.Fatalf("the home's warning of %s: %+v", v.Indicator.Code, found)
	}
	if !strings.Contains(h.miles.Text, "0 / ") {
		t.Fatalf("milestones tile %q", h.miles.Text)
	}

	a = filingArea(t, s)
	if r := a.rows[v.ID]; r == nil || r.warn.Level != assess.Yellow {
		t.Fatalf("the tree's warning of %s: %+v", v.Indicator.Code, a.rows[v.ID])
	}
	filingTap(t, s, a, v.Indicator.Code)
	if !strings.HasPrefix(a.warnText.Text, "黄色预警：时间节点“"+m.Title+"”") || a.warnDot.FillColor != colorYellow {
		t.Fatalf("the detail's warning %q", a.warnText.Text)
	}
	if section := filingTexts(a.milesBox); !strings.Contains(section, "逾期未完成") || !strings.Contains(section, "请尽快补报") {
		t.Fatalf("the missed milestone:\n%s", section)
	}
}

// TestMilestoneIndicatorEdit edits an indicator's milestones in 指标管理:
// a new row gets a new ID, bad rows are refused in Chinese, a good one is
// saved with the indicator in due order and the server takes it.
func TestMilestoneIndicatorEdit(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	a := indArea(t, s)

	// A leaf with a deadline, preferably one that has milestones already.
	var in assess.Indicator
	for _, x := range assess.Leaves(a.inds) {
		if x.Deadline.IsZero() {
			continue
		}
		if in.ID == "" || len(x.Milestones) > len(in.Milestones) {
			in = x
		}
	}
	if in.ID == "" {
		t.Fatal("no leaf indicator with a deadline")
	}
	a.tree.Select(in.ID)
	a.formTabs.SelectIndex(2)
	if len(a.miles) != len(in.Milestones) {
		t.Fatalf("the editor shows %d milestones, the indicator has %d", len(a.miles), len(in.Milestones))
	}
	for i, r := range a.miles {
		if r.id != in.Milestones[i].ID || r.title.Text != in.Milestones[i].Title {
			t.Fatalf("row %d shows %s %q, want %+v", i, r.id, r.title.Text, in.Milestones[i])
		}
	}
	test.Tap(a.mileAddBtn)
	n := len(a.miles)
	if n != len(in.Milestones)+1 || !a.dirty {
		t.Fatalf("%d rows after 添加时间节点 (dirty %v)", n, a.dirty)
	}
	row := a.miles[n-1]
	most := 0
	for _, m := range in.Milestones {
		if k, err := strconv.Atoi(strings.TrimPrefix(m.ID, "m")); err == nil && k > most {
			most = k
		}
	}
	if row.id != "m"+strconv.Itoa(most+1) {
		t.Fatalf("new milestone ID %q, want m%d", row.id, most+1)
	}
	for _, r := range a.miles[:n-1] {
		if r.id == row.id {
			t.Fatalf("new milestone ID %q used already", row.id)
		}
	}
	if a.formTabs.Items[2].Text != "时间节点（"+strconv.Itoa(n)+"）" {
		t.Fatalf("tab title %q", a.formTabs.Items[2].Text)
	}

	deadline := assess.DayOf(in.Deadline)
	due := deadline.AddDate(0, 0, -10).Format(time.DateOnly)
	for _, tc := range []struct{ date, title, want string }{
		{"2026-13-01", "完成中期自查", "第 " + strconv.Itoa(n) + " 个时间节点的日期“2026-13-01”格式不对"},
		{deadline.AddDate(0, 0, 1).Format(time.DateOnly), "完成中期自查", "晚于指标截止日期"},
		{due, "", "时间节点没有填写内容"},
		{"", "完成中期自查", "没有填写日期"},
	} {
		indRetype(row.date, tc.date)
		indRetype(row.title, tc.title)
		test.Tap(a.saveBtn)
		s.Idle()
		if !a.errLabel.Visible() || !strings.Contains(a.errLabel.Text, tc.want) {
			t.Fatalf("milestone %q %q: error %q (shown %v), want %q", tc.date, tc.title, a.errLabel.Text, a.errLabel.Visible(), tc.want)
		}
	}
	if p, _ := indPending(t, db); p != 0 {
		t.Fatalf("%d changes queued by invalid saves", p)
	}

	indRetype(row.date, due)
	indRetype(row.title, "完成中期自查")
	test.Tap(a.saveBtn)
	s.Idle()
	if a.errLabel.Visible() {
		t.Fatalf("valid save refused: %s", a.errLabel.Text)
	}
	got := indStored(t, db, in.YearID, in.ID)
	if len(got.Milestones) != n {
		t.Fatalf("stored milestones %+v", got.Milestones)
	}
	for i := 1; i < n; i++ {
		if got.Milestones[i].Due.Before(got.Milestones[i-1].Due) {
			t.Fatalf("stored milestones not in due order: %+v", got.Milestones)
		}
	}
	var added assess.Milestone
	for _, m := range got.Milestones {
		if m.ID == row.id {
			added = m
		}
	}
	if added.Title != "完成中期自查" || added.Due.Format(time.DateOnly) != due {
		t.Fatalf("the new milestone stored as %+v", added)
	}
	if p, _ := indPending(t, db); p != 1 {
		t.Fatalf("%d waiting after one save, want 1", p)
	}
	s.SyncNow()
	s.Idle()
	if p, r := indPending(t, db); p != 0 || r != 0 {
		t.Fatalf("after sync %d waiting, %d refused", p, r)
	}
	if synced := indStored(t, db, in.YearID, in.ID); !assess.SameMilestones(synced.Milestones, got.Milestones) {
		t.Fatalf("after sync the indicator has %+v, saved %+v", synced.Milestones, got.Milestones)
	}

	// Removing a row and adding one never reuses the removed ID.
	a.selectNode(in.ID)
	a.formTabs.SelectIndex(2)
	removed := a.miles[len(a.miles)-1].id
	test.Tap(a.miles[len(a.miles)-1].del)
	test.Tap(a.mileAddBtn)
	if id := a.miles[len(a.miles)-1].id; id == removed {
		t.Fatalf("the new row took the removed ID %s", id)
	}
	test.Tap(a.resetBtn)
	if len(a.miles) != n || a.dirty {
		t.Fatalf("撤销修改 left %d rows (dirty %v)", len(a.miles), a.dirty)
	}
}
