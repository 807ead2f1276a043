package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/yiwangtong/yiwangtong/assess"
)

// loginShellNoLogin opens a window at the login screen.
func loginShellNoLogin(t *testing.T, deps Deps) *Shell {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefStarted, true)
	s := New(a, deps)
	t.Cleanup(func() {
		s.Idle()
		s.Close()
	})
	return s
}

func tapLogin(s *Shell) {
	test.Tap(s.login.loginBtn)
	s.Idle()
}

func tapOffline(s *Shell) {
	test.Tap(s.login.offline)
	s.Idle()
}

func TestOfflineUnlock(t *testing.T) {
	c := newCity(t)
	deps, _ := testDeps(t)
	acc := c.account(assess.Reporter)
	s := loginShell(t, c, deps, acc)
	s.logoutNow()
	s.Idle()
	if s.login == nil || s.user.ID != "" {
		t.Fatal("not back at the login screen")
	}
	// Logging out forgets the session: no offline unlock after it.
	s.login.username.SetText(acc.Username)
	s.login.password.SetText(acc.Password)
	tapOffline(s)
	if !strings.Contains(s.login.errLabel.Text, "联网登录一次") {
		t.Fatalf("offline unlock after logout: %q", s.login.errLabel.Text)
	}
	// Log in online again, then the server goes away: the same PC unlocks.
	s.login.server.SetText(c.URL)
	tapLogin(s)
	if s.user.Username != acc.Username {
		t.Fatal("second login failed")
	}
	s.stopSession()
	c.Close()
	s.showLogin()
	s.login.username.SetText(acc.Username)
	s.login.password.SetText("not-it")
	tapOffline(s)
	if s.login.errLabel.Text != "密码不正确" {
		t.Fatalf("wrong offline password: %q", s.login.errLabel.Text)
	}
	s.login.password.SetText(acc.Password)
	tapLogin(s) // the server is down: login falls back to the offline unlock
	if s.user.Username != acc.Username || s.Current() != "home" {
		t.Fatalf("offline unlock failed: user %q area %q", s.user.Username, s.Current())
	}
}
