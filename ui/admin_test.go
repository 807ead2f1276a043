package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// plainReviewer is the demo city's reviewer who is not an administrator.
func plainReviewer(t *testing.T, c *city) demo.Credential {
	t.Helper()
	for _, a := range c.Credentials {
		if a.Role == assess.Reviewer && a.Username != c.account(assess.Reviewer).Username {
			return a
		}
	}
	t.Fatal("the demo city has a single reviewer")
	return demo.Credential{}
}

// fill types texts into the dialog's entries, in form order, as a clerk
// does; "" leaves an entry empty, and disabled entries are left alone.
func fill(t *testing.T, s *Shell, texts ...string) {
	t.Helper()
	entries := sysEntries(t, s)
	if len(entries) < len(texts) {
		t.Fatalf("the dialog has %d entries, want %d", len(entries), len(texts))
	}
	for i, text := range texts {
		if entries[i].Disabled() {
			continue
		}
		entries[i].SetText("")
		if text != "" {
			test.Type(entries[i], text)
		}
	}
}

func pending(t *testing.T, db Store) int {
	t.Helper()
	n, rejected, err := db.PendingCount(context.Background())
	if err != nil || rejected != 0 {
		t.Fatalf("outbox: %d rejected, %v", rejected, err)
	}
	return n
}

func TestAdminUnitsAndGroups(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	o := showSettings(t, s).admin.orgs
	if len(o.groups) == 0 || len(o.units) < 13 {
		t.Fatalf("listed %d groups, %d units", len(o.groups), len(o.units))
	}

	// A new ranking group: validation, then saved and queued.
	test.Tap(o.addGroupBtn)
	for _, tc := range []struct{ id, name, want string }{
		{"", "试点", "请填写分组编号"},
		{"pilot zone", "试点", "分组编号不能包含空格或斜杠"},
		{demo.GroupDistricts, "试点", "编号“" + demo.GroupDistricts + "”已被使用，请换一个"},
		{"pilot", "", "请填写分组名称"},
	} {
		fill(t, s, tc.id, tc.name)
		submitDialog(t, s)
		if got := formError(s); got != tc.want {
			t.Errorf("group %q %q: %q, want %q", tc.id, tc.name, got, tc.want)
		}
	}
	fill(t, s, "pilot", "试点区域")
	submitDialog(t, s)
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the group form stayed open: %q", formError(s))
	}
	if n := pending(t, db); n != 1 {
		t.Fatalf("%d changes queued, want 1", n)
	}

	// A new unit in that group.
	test.Tap(o.addUnitBtn)
	fill(t, s, "xinqu", "新区")
	submitDialog(t, s)
	if got := formError(s); got != "请选择排名分组" {
		t.Errorf("unit without group: %q", got)
	}
	groups := sysSelects(t, s)[0]
	if !slices.Contains(groups.Options, "试点区域") {
		t.Fatalf("the new group is not offered: %v", groups.Options)
	}
	groups.SetSelected("试点区域")
	submitDialog(t, s)
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the unit form stayed open: %q", formError(s))
	}
	if n := pending(t, db); n != 2 {
		t.Fatalf("%d changes queued, want 2", n)
	}
	// Queued changes show at once, before any sync.
	if !slices.ContainsFunc(o.units, func(u assess.Unit) bool { return u.ID == "xinqu" && u.GroupID == "pilot" }) {
		t.Error("the queued unit is not listed")
	}

	// Editing an existing group: the list row opens it with its ID fixed.
	i := slices.IndexFunc(o.groups, func(g assess.Group) bool { return g.ID == "pilot" })
	o.groupList.Select(i)
	entries := sysEntries(t, s)
	if entries[0].Text != "pilot" || !entries[0].Disabled() {
		t.Fatalf("edit form ID %q (disabled %v)", entries[0].Text, entries[0].Disabled())
	}
	fill(t, s, "", "试点区域（新）")
	submitDialog(t, s)

	s.SyncNow()
	s.Idle()
	if n := pending(t, db); n != 0 {
		t.Fatalf("%d changes still waiting after the sync", n)
	}
	if !slices.ContainsFunc(o.groups, func(g assess.Group) bool { return g.ID == "pilot" && g.Name == "试点区域（新）" }) {
		t.Errorf("groups after the sync: %+v", o.groups)
	}
	if s.unitName("xinqu") != "新区" || s.groupName("pilot") != "试点区域（新）" {
		t.Errorf("the shell's names: %q %q", s.unitName("xinqu"), s.groupName("pilot"))
	}

	// Another reviewer's PC sees them after its sync, read-only.
	other := loginShell(t, c, mustDeps(t), plainReviewer(t, c))
	oo := showSettings(t, other).admin.orgs
	if !slices.ContainsFunc(oo.units, func(u assess.Unit) bool { return u.ID == "xinqu" && u.GroupID == "pilot" }) {
		t.Error("the other reviewer does not see the new unit")
	}
	if oo.addGroupBtn.Visible() || oo.addUnitBtn.Visible() {
		t.Error("a reviewer who is not an administrator can add")
	}
	oo.unitList.Select(0)
	if other.win.Canvas().Overlays().Top() != nil {
		t.Error("a reviewer who is not an administrator can edit")
	}
}

// mustDeps returns the dependencies of a second window.
func mustDeps(t *testing.T) Deps {
	t.Helper()
	deps, _ := testDeps(t)
	return deps
}

func TestAdminUsers(t *testing.T) {
	c := newCity(t)
	s, _ := newTestShell(t, c, assess.Reviewer)
	u := showSettings(t, s).admin.users
	if len(u.users) != len(c.Credentials) {
		t.Fatalf("listed %d users", len(u.users))
	}
	unit := c.account(assess.Reporter).UnitID
	unitLabel := s.unitName(unit) + "（" + unit + "）"

	test.Tap(u.addBtn)
	for _, tc := range []struct {
		username, name, password, unit, want string
	}{
		{"", "新区填报员", "", unitLabel, "请填写用户名"},
		{"xinren", "", "", unitLabel, "请填写姓名"},
		{"xinren", "新区填报员", "", "", "填报用户必须选择所属单位"},
		{"x", "新区填报员", "", unitLabel, "用户名长度应为 2 到 64 个字符 (username must be 2–64 characters)"},
		{"xinren", "新区填报员", "abc12", unitLabel, "密码至少需要 8 个字符"},
	} {
		fill(t, s, tc.username, tc.name, tc.password)
		sysSelects(t, s)[1].ClearSelected()
		if tc.unit != "" {
			sysSelects(t, s)[1].SetSelected(tc.unit)
		}
		submitDialog(t, s)
		if got := formError(s); got != tc.want {
			t.Errorf("%+v: %q", tc, got)
		}
	}
	fill(t, s, "xinren", "新区填报员", "Xinren#2026")
	submitDialog(t, s)
	if text := sysDialogText(t, s); !strings.Contains(text, "已创建用户“xinren”（新区填报员）") {
		t.Fatalf("after creating: %s", text)
	}
	closeDialog(t, s)
	row := slices.IndexFunc(u.users, func(x assess.User) bool { return x.Username == "xinren" })
	if row < 0 || u.users[row].UnitID != unit || u.users[row].Role != assess.Reporter {
		t.Fatalf("the new user is not listed after the sync: %d", row)
	}

	// The new user logs in on another PC.
	acc := demo.Credential{Username: "xinren", Password: "Xinren#2026", Role: assess.Reporter, UnitID: unit}
	newcomer := loginShell(t, c, mustDeps(t), acc)
	if newcomer.user.Name != "新区填报员" {
		t.Errorf("logged in as %+v", newcomer.user)
	}

	// The same username again: the form opens again with the server's
	// reason.
	test.Tap(u.addBtn)
	fill(t, s, "xinren", "重名", "Xinren#2027")
	sysSelects(t, s)[1].SetSelected(unitLabel)
	submitDialog(t, s)
	if got := formError(s); !strings.Contains(got, "已存在") {
		t.Errorf("duplicate username: %q", got)
	}
	if entries := sysEntries(t, s); entries[1].Text != "重名" {
		t.Errorf("the form lost what was typed: %q", entries[1].Text)
	}
	closeDialog(t, s)

	// Disable, after a confirmation: the new user's session ends.
	u.table.Select(widget.TableCellID{Row: row, Col: 0})
	if u.toggleBtn.Text != "停用" || u.toggleBtn.Disabled() {
		t.Fatalf("toggle button %q disabled %v", u.toggleBtn.Text, u.toggleBtn.Disabled())
	}
	test.Tap(u.toggleBtn)
	submitDialog(t, s)
	closeDialog(t, s) // the outcome
	if !u.users[row].Disabled || u.toggleBtn.Text != "启用" {
		t.Fatalf("after disabling: %+v %q", u.users[row], u.toggleBtn.Text)
	}
	if _, err := newcomer.api.Me(context.Background()); assess.ErrorCode(err) != assess.EUnauthorized {
		t.Errorf("the disabled user's session: %v", err)
	}
	test.Tap(u.toggleBtn) // enabling asks nothing
	s.Idle()
	closeDialog(t, s)
	if u.users[row].Disabled {
		t.Fatal("not enabled again")
	}

	// Reset with a generated password, shown once.
	test.Tap(u.resetBtn)
	submitDialog(t, s)
	text := sysDialogText(t, s)
	_, pw, ok := strings.Cut(text, "新密码：")
	pw, _, _ = strings.Cut(pw, "\n")
	if !ok || assess.ValidatePassword(pw) != nil {
		t.Fatalf("no generated password in %q", text)
	}
	closeDialog(t, s)
	api, err := client.New(c.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Login(context.Background(), "xinren", pw); err != nil {
		t.Errorf("login with the reset password: %v", err)
	}

	// Nobody resets or disables their own account here.
	own := slices.IndexFunc(u.users, func(x assess.User) bool { return x.ID == s.user.ID })
	u.table.Select(widget.TableCellID{Row: own, Col: 0})
	if !u.toggleBtn.Disabled() || !u.resetBtn.Disabled() {
		t.Error("the administrator can disable their own account")
	}

	// Other reviewers only look.
	other := loginShell(t, c, mustDeps(t), plainReviewer(t, c))
	ou := showSettings(t, other).admin.users
	if ou.addBtn.Visible() || ou.toggleBtn.Visible() || ou.resetBtn.Visible() || len(ou.users) != len(u.users) {
		t.Error("a reviewer who is not an administrator can manage users")
	}
}

func TestAdminUsersOffline(t *testing.T) {
	c := newCity(t)
	s, _ := newTestShell(t, c, assess.Reviewer)
	u := showSettings(t, s).admin.users
	unit := c.account(assess.Reporter).UnitID
	c.Close()
	test.Tap(u.addBtn)
	fill(t, s, "lixian", "离线新增", "")
	sysSelects(t, s)[1].SetSelected(s.unitName(unit) + "（" + unit + "）")
	submitDialog(t, s)
	if got := formError(s); got != "管理用户需要连接服务器，现在连不上，请联网后再试" {
		t.Errorf("offline: %q", got)
	}
}

func TestAdminYears(t *testing.T) {
	c := newCity(t)
	s, db := newTestShell(t, c, assess.Reviewer)
	y := showSettings(t, s).admin.years
	if len(y.years) != 1 || y.years[0].State != assess.YearPublished {
		t.Fatalf("years %+v", y.years)
	}
	current := y.years[0].ID

	test.Tap(y.addBtn)
	entries := sysEntries(t, s)
	if entries[0].Text != "2027" || entries[2].Text != "50" || entries[3].Text != "30" || entries[4].Text != "20" {
		t.Fatalf("defaults: %q %q %q %q", entries[0].Text, entries[2].Text, entries[3].Text, entries[4].Text)
	}
	for _, tc := range []struct {
		fields []string // ID, name, system, survey, on-site, warn days, rectify days
		want   string
	}{
		{[]string{"27", "2027年度", "50", "30", "20", "5", "15"}, "年度编号应为四位数字的年份，例如 2027"},
		{[]string{current, "重复", "50", "30", "20", "5", "15"}, "考核年度“" + current + "”已存在"},
		{[]string{"2027", "", "50", "30", "20", "5", "15"}, "请填写年度名称"},
		{[]string{"2027", "2027年度", "60", "30", "20", "5", "15"}, "三项权重之和应为 100，现在为 110"},
		{[]string{"2027", "2027年度", "五十", "30", "20", "5", "15"}, "系统评估权重应为不小于 0 的数字"},
		{[]string{"2027", "2027年度", "50", "-30", "80", "5", "15"}, "问卷调查权重应为不小于 0 的数字"},
		{[]string{"2027", "2027年度", "50", "30", "20", "abc", "15"}, "预警天数应为 0 到 365 之间的整数"},
		{[]string{"2027", "2027年度", "50", "30", "20", "5", "400"}, "整改期限应为 0 到 365 之间的整数"},
	} {
		fill(t, s, tc.fields...)
		submitDialog(t, s)
		if got := formError(s); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.fields, got, tc.want)
		}
	}
	fill(t, s, "2027", "2027年度", "40", "40", "20", "3", "10")
	submitDialog(t, s)
	if s.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the year form stayed open: %q", formError(s))
	}
	if y.years[0].ID != "2027" || y.years[0].State != assess.YearDraft || y.years[0].Weights != (assess.Weights{System: 40, Survey: 40, Onsite: 20}) || y.years[0].WarnDays != 3 {
		t.Fatalf("new year %+v", y.years[0])
	}

	// A draft year's weights can be edited; a published one's cannot.
	y.table.Select(widget.TableCellID{Row: 1, Col: 0})
	if !y.editBtn.Disabled() || y.closeBtn.Disabled() {
		t.Error("buttons of a published year")
	}
	y.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if y.editBtn.Disabled() || !y.closeBtn.Disabled() {
		t.Fatal("buttons of a draft year")
	}
	test.Tap(y.editBtn)
	if entries := sysEntries(t, s); !entries[0].Disabled() {
		t.Error("the year ID can be edited")
	}
	fill(t, s, "", "2027年度", "50", "30", "20", "5", "15")
	submitDialog(t, s)
	if y.years[0].Weights != assess.DefaultWeights {
		t.Errorf("edited weights %+v", y.years[0].Weights)
	}

	// Closing a published year asks for its ID.
	y.table.Select(widget.TableCellID{Row: 1, Col: 0})
	test.Tap(y.closeBtn)
	if text := sysDialogText(t, s); !strings.Contains(text, "无法撤销") {
		t.Errorf("the close dialog does not warn: %s", text)
	}
	fill(t, s, "2025")
	submitDialog(t, s)
	if got := formError(s); got != "请输入年度编号“"+current+"”以确认关闭" {
		t.Errorf("wrong ID typed: %q", got)
	}
	if n := pending(t, db); n != 2 {
		t.Fatalf("%d changes queued before closing, want 2", n)
	}
	fill(t, s, current)
	submitDialog(t, s)
	s.SyncNow()
	s.Idle()
	if n := pending(t, db); n != 0 {
		t.Fatalf("%d changes waiting after the sync", n)
	}
	states := map[string]assess.YearState{}
	for _, x := range y.years {
		states[x.ID] = x.State
	}
	if states[current] != assess.YearClosed || states["2027"] != assess.YearDraft {
		t.Errorf("after the sync: %v", states)
	}
	if y.editBtn.Disabled() != true || y.closeBtn.Disabled() != true {
		t.Error("a closed year can still be changed")
	}
}
