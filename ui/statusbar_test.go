package ui

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// findButton returns the visible button with the given text under root.
func findButton(t *testing.T, root fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(root) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// hasText reports whether a label or rich text under root shows text.
func hasText(root fyne.CanvasObject, text string) bool {
	for _, o := range test.LaidOutObjects(root) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

func TestTransferBars(t *testing.T) {
	deps, _ := testDeps(t)
	s := loginShellNoLogin(t, deps)
	b := newStatusBar(s)
	b.progress(client.Progress{Phase: client.PhaseUpload, Item: "会议纪要.pdf", Done: 1 << 20, Total: 3 << 20, Online: true, Pending: 2})
	b.progress(client.Progress{Phase: client.PhaseDownload, Item: "台账.xlsx", Done: 512, Total: 2048, Online: true, Pending: 2})
	if len(b.bars) != 2 || len(b.transfers.Objects) != 2 {
		t.Fatalf("%d bars, %d rows", len(b.bars), len(b.transfers.Objects))
	}
	up := b.bars[string(client.PhaseUpload)+"会议纪要.pdf"]
	if up.label.Text != "上传 会议纪要.pdf：1.0 MB / 3.0 MB" || math.Abs(up.bar.Value-1.0/3) > 1e-9 {
		t.Fatalf("upload row %q %v", up.label.Text, up.bar.Value)
	}
	if b.online.Text != "在线" || b.pending.Text != "待发送 2 项" || b.phase.Text != "正在下载" {
		t.Fatalf("bar %q %q %q", b.online.Text, b.pending.Text, b.phase.Text)
	}
	// A finished file leaves; the end of the sync clears the rest.
	b.progress(client.Progress{Phase: client.PhaseUpload, Item: "会议纪要.pdf", Done: 3 << 20, Total: 3 << 20, Online: true, Pending: 2})
	if len(b.bars) != 1 {
		t.Fatalf("%d bars after an upload ended", len(b.bars))
	}
	b.progress(client.Progress{Phase: client.PhaseIdle, Online: false, Err: errors.New("dial tcp 127.0.0.1:9: connection refused")})
	s.Idle()
	if len(b.transfers.Objects) != 0 || !strings.HasPrefix(b.online.Text, "离线") {
		t.Fatalf("after the sync: %d rows, %q", len(b.transfers.Objects), b.online.Text)
	}
}

// TestConflictTakeServer: two reviewers score the same submission; the
// second one's score is refused, the status bar says so, and the conflicts
// list gives the server's reason and the choices.
func TestConflictTakeServer(t *testing.T) {
	c := newCity(t)
	rep, rdb := newTestShell(t, c, assess.Reporter)
	ctx := context.Background()
	tasks, err := rdb.Tasks(ctx, localdb.TaskFilter{YearID: rep.year.ID, UnitID: rep.user.UnitID})
	if err != nil || len(tasks) == 0 {
		t.Fatal(tasks, err)
	}
	id := tasks[0].ID
	att, err := rdb.AddEvidenceReader(ctx, "文件.pdf", strings.NewReader("%PDF-1.4 conflict"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.SaveDraft(ctx, id, "已落实。", []assess.Attachment{att}); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Submit(ctx, id); err != nil {
		t.Fatal(err)
	}
	rep.SyncNow()
	rep.Idle()

	first, db1 := newTestShell(t, c, assess.Reviewer)
	var other demo.Credential
	for _, a := range c.Credentials {
		if a.Role == assess.Reviewer && a.Username != first.user.Username {
			other = a
		}
	}
	deps2, db2 := testDeps(t)
	second := loginShell(t, c, deps2, other)
	for _, x := range []struct {
		s  *Shell
		db *localdb.DB
		sc float64
	}{{first, db1, 2}, {second, db2, 1}} {
		v, err := x.db.Task(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.db.Score(ctx, id, v.Version, x.sc, "评分"); err != nil {
			t.Fatal(err)
		}
	}
	first.SyncNow()
	first.Idle()
	second.wrote()
	second.SyncNow()
	second.Idle()
	b := second.status
	if !b.conflicts.Visible() || b.conflicts.Text != "冲突 1 项，请处理" {
		t.Fatalf("conflicts button %q visible %v", b.conflicts.Text, b.conflicts.Visible())
	}
	test.Tap(b.conflicts)
	second.Idle()
	top := second.win.Canvas().Overlays().Top()
	if top == nil || !hasText(top, "服务器未接受：") {
		t.Fatal("the conflicts list does not give the server's reason")
	}
	findButton(t, top, "保留我的（作为新版本重新发送）")
	test.Tap(findButton(t, top, "采用服务器的"))
	second.Idle()
	if p, r, err := db2.PendingCount(ctx); err != nil || p != 0 || r != 0 {
		t.Fatalf("after taking the server's: %d pending, %d rejected, %v", p, r, err)
	}
	if b.conflicts.Visible() {
		t.Fatal("the conflicts button is still shown")
	}
	second.SyncNow()
	second.Idle()
	v, err := db2.Task(ctx, id)
	if err != nil || v.Task.Score != 2 {
		t.Fatalf("the second reviewer sees score %v, %v", v.Task.Score, err)
	}
}

// TestFirstRunDemo: on the first start the window offers the built-in
// demo; choosing it serves the demo city on this PC and logs in.
func TestFirstRunDemo(t *testing.T) {
	deps, _ := testDeps(t)
	dir := t.TempDir()
	deps.Demo = func(ctx context.Context) (*DemoCity, error) {
		srv, err := demo.Start(ctx, dir+"/server", 2026, testNow, nil)
		if err != nil {
			return nil, err
		}
		db, err := localdb.Open(dir+"/client", localdb.Options{Now: func() time.Time { return testNow }})
		if err != nil {
			srv.Close()
			return nil, err
		}
		city := &DemoCity{URL: srv.URL, Store: db, Close: func() error { srv.Close(); return db.Close() }}
		for _, c := range srv.Credentials {
			city.Accounts = append(city.Accounts, DemoAccount{c.Username, c.Password, c.Role, c.UnitID})
		}
		return city, nil
	}
	a := test.NewTempApp(t)
	s := New(a, deps)
	t.Cleanup(func() { s.Idle(); s.Close() })
	root := s.win.Content()
	findButton(t, root, "连接服务器")
	test.Tap(findButton(t, root, "试用内置演示"))
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no role choice")
	}
	test.Tap(findButton(t, top, "开始试用"))
	s.Idle()
	if s.user.Role != assess.Reporter || s.demo == nil || s.Current() != "home" {
		t.Fatalf("demo login: user %+v, demo %v, area %q", s.user, s.demo != nil, s.Current())
	}
	if !s.header.demo.Visible() {
		t.Fatal("the header does not say the data is a demo")
	}
	if s.db() == deps.Store {
		t.Fatal("the demo uses the real local store")
	}
}
