package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// showSettings shows 系统管理 and returns it once it has loaded.
func showSettings(t *testing.T, s *Shell) *settings {
	t.Helper()
	s.Show("settings")
	s.Idle()
	a, ok := s.areas["settings"].(*settings)
	if !ok || s.Current() != "settings" {
		t.Fatalf("系统管理 not shown (current %q)", s.Current())
	}
	return a
}

// sysWalk calls f for o and everything inside it, widgets included.
func sysWalk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			sysWalk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			sysWalk(c, f)
		}
	}
}

// sysDialog returns the dialog on top of the window; it fails the test if
// none is shown.
func sysDialog(t *testing.T, s *Shell) fyne.CanvasObject {
	t.Helper()
	top := s.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	return top
}

// sysDialogText is every label's text in the dialog on top, one per line.
func sysDialogText(t *testing.T, s *Shell) string {
	t.Helper()
	var b strings.Builder
	sysWalk(sysDialog(t, s), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// sysEntries returns the dialog's single-line entries in form order.
func sysEntries(t *testing.T, s *Shell) []*widget.Entry {
	t.Helper()
	var out []*widget.Entry
	sysWalk(sysDialog(t, s), func(o fyne.CanvasObject) {
		if e, ok := o.(*keyEntry); ok {
			out = append(out, &e.Entry)
		}
	})
	return out
}

// sysSelects returns the dialog's drop-down selects in form order.
func sysSelects(t *testing.T, s *Shell) []*widget.Select {
	t.Helper()
	var out []*widget.Select
	sysWalk(sysDialog(t, s), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Select); ok {
			out = append(out, e)
		}
	})
	return out
}

// submitDialog presses Enter in the dialog on top and waits.
func submitDialog(t *testing.T, s *Shell) {
	t.Helper()
	if s.keyEnter == nil {
		t.Fatal("no dialog takes Enter")
	}
	s.keyEnter()
	s.Idle()
}

// closeDialog presses Esc in the dialog on top.
func closeDialog(t *testing.T, s *Shell) {
	t.Helper()
	if s.keyEsc == nil {
		t.Fatal("no dialog takes Esc")
	}
	s.keyEsc()
	s.Idle()
}

// formError is the red line of the form dialog on top, "" when it is hidden
// or no form is shown.
func formError(s *Shell) string {
	top := s.win.Canvas().Overlays().Top()
	if top == nil || s.dialogErr == nil || !s.dialogErr.Visible() {
		return ""
	}
	shown := false
	sysWalk(top, func(o fyne.CanvasObject) { shown = shown || o == s.dialogErr })
	if !shown {
		return ""
	}
	return s.dialogErr.Text
}

func TestSettingsAccountAndData(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := showSettings(t, s)
	acc := c.account(assess.Reporter)
	if a.username.Text != acc.Username || a.role.Text != "填报用户" || a.name.Text == "" {
		t.Errorf("account: %q %q %q", a.username.Text, a.role.Text, a.name.Text)
	}
	if want := s.unitName(acc.UnitID); a.unit.Text != want || want == acc.UnitID {
		t.Errorf("unit %q, want the name %q", a.unit.Text, want)
	}
	if a.server.Text != c.URL {
		t.Errorf("server %q, want %q", a.server.Text, c.URL)
	}
	if !strings.HasPrefix(a.lastSync.Text, "上次同步") {
		t.Errorf("last sync %q", a.lastSync.Text)
	}
	if a.dataDir.Text != db.Dir() {
		t.Errorf("data folder %q, want %q", a.dataDir.Text, db.Dir())
	}
	size, err := db.DataSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a.dataSize.Text != formatBytes(size) || size == 0 {
		t.Errorf("size %q, want %q", a.dataSize.Text, formatBytes(size))
	}
	test.Tap(a.openBtn) // the test app opens nothing and reports no error
	s.Idle()
	if s.win.Canvas().Overlays().Top() != nil {
		t.Errorf("opening the folder showed: %s", sysDialogText(t, s))
	}
	// A reporter sees no administration.
	if a.admin != nil {
		t.Error("a reporting user sees the administration tabs")
	}
}

func TestSettingsLanguage(t *testing.T) {
	t.Cleanup(func() { SetLanguage(LangChinese) })
	c := newCity(t)
	s, _ := newTestShell(t, c, assess.Reviewer)
	a := showSettings(t, s)
	if a.language.Selected != "中文" {
		t.Fatalf("language %q", a.language.Selected)
	}
	a.language.SetSelected("English")
	s.Idle()
	if T("首页") != "Home" || s.specs[0].label() != "Home" {
		t.Fatalf("after switching to English: %q, nav %q", T("首页"), s.specs[0].label())
	}
	if got := s.app.Preferences().String(prefLanguage); got != LangEnglish {
		t.Errorf("preference %q", got)
	}
	// The window was rebuilt in English, still on 系统管理.
	en := showSettings(t, s)
	if en == a || en.language.Selected != "English" || s.Current() != "settings" {
		t.Fatal("settings not rebuilt in English")
	}
	if en.role.Text != "Reviewer (administrator)" {
		t.Errorf("role in English: %q", en.role.Text)
	}
	tabs := en.box.(*container.AppTabs)
	if tabs.Items[1].Text != "Units and groups" {
		t.Errorf("tab %q", tabs.Items[1].Text)
	}

	en.language.SetSelected("中文")
	s.Idle()
	zh := showSettings(t, s)
	if T("首页") != "首页" || s.specs[0].label() != "首页" || zh.language.Selected != "中文" {
		t.Fatalf("back to Chinese: %q", T("首页"))
	}
	if got := s.app.Preferences().String(prefLanguage); got != LangChinese {
		t.Errorf("preference %q", got)
	}
}

func TestSettingsPasswordChange(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reporter)
	a := showSettings(t, s)
	acc := c.account(assess.Reporter)
	const newPw = "Neu#2026pw"
	try := func(old, pw, repeat string) string {
		t.Helper()
		a.oldPw.SetText(old)
		a.newPw.SetText(pw)
		a.repeatPw.SetText(repeat)
		test.Tap(a.pwBtn)
		s.Idle()
		return a.passwordMessage()
	}
	for _, tc := range []struct {
		name, old, pw, repeat, want string
	}{
		{"empty", "", "", "", "请填写原密码"},
		{"no new password", acc.Password, "", "", "请填写新密码"},
		{"too short", acc.Password, "a1b2", "a1b2", "密码至少需要 8 个字符"},
		{"one kind", acc.Password, "abcdefghij", "abcdefghij", "密码需包含字母、数字、符号中的至少两类"},
		{"same as old", acc.Password, acc.Password, acc.Password, "新密码不能与原密码相同"},
		{"repeat differs", acc.Password, newPw, newPw + "x", "两次输入的新密码不一致，请重新输入"},
	} {
		if got := try(tc.old, tc.pw, tc.repeat); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// The server checks the current password.
	if got := try("Wrong#2026x", newPw, newPw); !strings.Contains(got, "原密码不正确") {
		t.Errorf("wrong current password: %q", got)
	}

	// Typed and tapped as a clerk does.
	a.oldPw.SetText("")
	a.newPw.SetText("")
	a.repeatPw.SetText("")
	test.Type(a.oldPw, acc.Password)
	test.Type(a.newPw, newPw)
	test.Type(a.repeatPw, newPw)
	test.Tap(a.pwBtn)
	s.Idle()
	if got := a.passwordMessage(); !strings.HasPrefix(got, "密码已修改") {
		t.Fatalf("change: %q", got)
	}
	if a.oldPw.Text != "" || a.newPw.Text != "" || a.repeatPw.Text != "" {
		t.Error("the password fields keep their text")
	}
	// The new session is kept and used: its token works on the server, and
	// the next sync goes through.
	ctx := context.Background()
	sess, err := db.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Token != s.api.Token() {
		t.Error("the stored session is not the API's")
	}
	api, err := client.New(c.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	api.SetToken(sess.Token)
	if _, err := api.Me(ctx); err != nil {
		t.Errorf("the stored token: %v", err)
	}
	s.SyncNow()
	s.Idle()
	if online, _, _ := s.Status(); online != "在线" {
		t.Errorf("sync after the change: %q", online)
	}
	if _, err := api.Login(ctx, acc.Username, acc.Password); err == nil {
		t.Error("the old password still logs in")
	}

	// Offline, the new password unlocks and the old one does not.
	c.Close()
	s.stopSession()
	s.showLogin()
	s.login.username.SetText(acc.Username)
	s.login.password.SetText(acc.Password)
	tapOffline(s)
	if s.login.errLabel.Text != "密码不正确" {
		t.Fatalf("offline with the old password: %q", s.login.errLabel.Text)
	}
	s.login.password.SetText(newPw)
	tapOffline(s)
	if s.user.Username != acc.Username {
		t.Fatalf("offline unlock with the new password failed: %q", s.login.errLabel.Text)
	}

	// Offline, a change cannot be made: the clerk is told why.
	a = showSettings(t, s)
	if got := try(newPw, "Third#2026", "Third#2026"); got != "修改密码需要连接服务器，现在连不上，请联网后再试" {
		t.Errorf("offline change: %q", got)
	}
	if ver, err := db.Verifier(ctx, acc.Username); err != nil || !localdb.CheckVerifier(ver, newPw) {
		t.Errorf("the offline verifier changed after a failed change: %v", err)
	}
}

func TestSettingsClearCache(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	rep, repDB := newTestShell(t, c, assess.Reporter)
	tasks, err := repDB.Tasks(ctx, localdb.TaskFilter{})
	if err != nil || len(tasks) == 0 {
		t.Fatalf("tasks: %d %v", len(tasks), err)
	}
	content := "%PDF-1.7\n" + strings.Repeat("依法行政会议纪要", 4000)
	att, err := repDB.AddEvidenceReader(ctx, "会议纪要.pdf", strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if err := repDB.SaveDraft(ctx, tasks[0].ID, "已召开专题会议", []assess.Attachment{att}); err != nil {
		t.Fatal(err)
	}
	if err := repDB.Submit(ctx, tasks[0].ID); err != nil {
		t.Fatal(err)
	}
	rep.SyncNow()
	rep.Idle()

	s, db := newTestShell(t, c, assess.Reviewer)
	if err := s.fetchEvidence(ctx, att); err != nil {
		t.Fatal(err)
	}
	if have, _ := db.HasBlob(ctx, att.Hash); !have {
		t.Fatal("the evidence was not downloaded")
	}
	a := showSettings(t, s)
	before := a.dataSize.Text

	test.Tap(a.clearBtn)
	if text := sysDialogText(t, s); !strings.Contains(text, "草稿") || !strings.Contains(text, "尚未发送的修改都会保留") {
		t.Fatalf("the confirmation does not say what is kept: %s", text)
	}
	submitDialog(t, s)
	want := "已清理缓存，释放 " + formatBytes(int64(len(content)))
	if a.freed.Text != want || !a.freed.Visible() {
		t.Errorf("freed %q, want %q", a.freed.Text, want)
	}
	if text := sysDialogText(t, s); !strings.Contains(text, want) {
		t.Errorf("the dialog says %q", text)
	}
	if have, _ := db.HasBlob(ctx, att.Hash); have {
		t.Error("the cached evidence is still there")
	}
	if a.dataSize.Text == before {
		t.Errorf("the size did not go down: %s", a.dataSize.Text)
	}
	// The reporter's own file is not a cache: clearing keeps it.
	ra := showSettings(t, rep)
	test.Tap(ra.clearBtn)
	submitDialog(t, rep)
	if ra.freed.Text != "已清理缓存，释放 0 B" {
		t.Errorf("reporter's clear: %q", ra.freed.Text)
	}
	if have, _ := repDB.HasBlob(ctx, att.Hash); !have {
		t.Error("clearing the cache removed the reporter's own evidence")
	}
}
