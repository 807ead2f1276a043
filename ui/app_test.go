package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestRoleNavigation(t *testing.T) {
	c := newCity(t)
	for _, tc := range []struct {
		role  assess.Role
		areas []string
	}{
		{assess.Reporter, []string{"home", "filing", "feedback", "external", "settings"}},
		{assess.Reviewer, []string{"home", "indicators", "review", "leads", "feedback", "external", "download", "settings"}},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			s, _ := newTestShell(t, c, tc.role)
			if got := s.Areas(); !slices.Equal(got, tc.areas) {
				t.Fatalf("areas %v, want %v", got, tc.areas)
			}
			var titles []string
			for i := range s.specs {
				titles = append(titles, s.specs[i].label())
			}
			if tc.role == assess.Reporter {
				for _, hidden := range []string{"指标管理", "指标审核", "督察线索", "数据下载"} {
					if slices.Contains(titles, hidden) {
						t.Fatalf("a reporting user sees %s", hidden)
					}
				}
			}
			for _, key := range tc.areas {
				s.Show(key)
				s.Idle()
				if s.Current() != key {
					t.Fatalf("shown %q, want %q", s.Current(), key)
				}
			}
			// Areas of the other role cannot be reached.
			s.Show("home")
			other := "indicators"
			if tc.role == assess.Reviewer {
				other = "filing"
			}
			s.Show(other)
			if s.Current() != "home" {
				t.Fatalf("reached %s as %s", other, tc.role)
			}
			if s.year.ID == "" {
				t.Fatal("no year picked after the first sync")
			}
			online, pending, last := s.Status()
			if online != "在线" || !strings.Contains(pending, "没有待发送") || !strings.HasPrefix(last, "上次同步") {
				t.Fatalf("status bar %q %q %q", online, pending, last)
			}
		})
	}
}

func TestLoginValidation(t *testing.T) {
	c := newCity(t)
	deps, _ := testDeps(t)
	s := loginShellNoLogin(t, deps)
	v := s.login
	v.server.SetText("")
	tapLogin(s)
	if !v.errLabel.Visible() || v.errLabel.Text != "请填写服务器地址" {
		t.Fatalf("empty server: %q", v.errLabel.Text)
	}
	v.server.SetText(c.URL)
	tapLogin(s)
	if v.errLabel.Text != "请填写用户名" {
		t.Fatalf("empty username: %q", v.errLabel.Text)
	}
	acc := c.account(assess.Reporter)
	v.username.SetText(acc.Username)
	v.password.SetText("wrong-password")
	tapLogin(s)
	if !strings.Contains(v.errLabel.Text, "密码") {
		t.Fatalf("wrong password: %q", v.errLabel.Text)
	}
	if s.user.ID != "" {
		t.Fatal("logged in with a wrong password")
	}
	// Offline unlock before any online login: nothing kept on this PC.
	v.password.SetText(acc.Password)
	tapOffline(s)
	if !strings.Contains(v.errLabel.Text, "联网登录一次") {
		t.Fatalf("offline unlock without a session: %q", v.errLabel.Text)
	}
}
