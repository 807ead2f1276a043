package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// addPlainReviewer adds a reviewer who is not an administrator and returns
// its token.
func addPlainReviewer(e *env) string {
	e.t.Helper()
	const pw = "Plain#Rev2026"
	hash, err := server.HashPassword(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	u := assess.User{ID: "u-plain", Username: "plain", Name: "普通审核员", Role: assess.Reviewer, UnitID: "office"}
	if err := e.store.AddUser(context.Background(), u, hash); err != nil {
		e.t.Fatal(err)
	}
	e.secrets = append(e.secrets, pw)
	return e.loginAs("plain", pw)
}

// loginAs logs in with a username and password that are not in the table of
// accounts; it fails the test unless the login succeeds.
func (e *env) loginAs(username, password string) string {
	e.t.Helper()
	r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: username, Password: password})
	if r.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	var lr wire.LoginResponse
	r.decode(e.t, &lr)
	e.secrets = append(e.secrets, lr.Token)
	return lr.Token
}

// loginStatus is the status of a login attempt.
func (e *env) loginStatus(username, password string) int {
	e.t.Helper()
	return e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: username, Password: password}).status
}

func TestAddUser(t *testing.T) {
	e := newEnv(t)
	admin := e.token("reviewer")
	plain := addPlainReviewer(e)
	reporter := e.token("rep-a")
	good := wire.UserAddRequest{Username: "zhangsan", Name: "张三", Role: assess.Reporter, UnitID: unitB, Password: "Zhang#2026"}
	e.secrets = append(e.secrets, good.Password)
	with := func(f func(*wire.UserAddRequest)) wire.UserAddRequest {
		r := good
		f(&r)
		return r
	}
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"admin", admin, good, http.StatusCreated, ""},
		{"duplicate username", admin, with(func(r *wire.UserAddRequest) { r.Name = "另一个张三" }), http.StatusConflict, assess.EConflict},
		{"non-admin reviewer", plain, with(func(r *wire.UserAddRequest) { r.Username = "lisi" }), http.StatusForbidden, assess.EForbidden},
		{"reporter", reporter, with(func(r *wire.UserAddRequest) { r.Username = "lisi" }), http.StatusForbidden, assess.EForbidden},
		{"anonymous", "", with(func(r *wire.UserAddRequest) { r.Username = "lisi" }), http.StatusUnauthorized, assess.EUnauthorized},
		{"empty username", admin, with(func(r *wire.UserAddRequest) { r.Username = " " }), http.StatusBadRequest, assess.EInvalid},
		{"username with a space", admin, with(func(r *wire.UserAddRequest) { r.Username = "li si" }), http.StatusBadRequest, assess.EInvalid},
		{"empty name", admin, with(func(r *wire.UserAddRequest) { r.Username, r.Name = "lisi", "" }), http.StatusBadRequest, assess.EInvalid},
		{"unknown role", admin, with(func(r *wire.UserAddRequest) { r.Username, r.Role = "lisi", "boss" }), http.StatusBadRequest, assess.EInvalid},
		{"reporter without unit", admin, with(func(r *wire.UserAddRequest) { r.Username, r.UnitID = "lisi", "" }), http.StatusBadRequest, assess.EInvalid},
		{"admin reporter", admin, with(func(r *wire.UserAddRequest) { r.Username, r.Admin = "lisi", true }), http.StatusBadRequest, assess.EInvalid},
		{"short password", admin, with(func(r *wire.UserAddRequest) { r.Username, r.Password = "lisi", "a1b2" }), http.StatusBadRequest, assess.EInvalid},
		{"letters only", admin, with(func(r *wire.UserAddRequest) { r.Username, r.Password = "lisi", "abcdefghij" }), http.StatusBadRequest, assess.EInvalid},
		{"unknown field", admin, `{"username":"lisi","name":"李四","role":"reporter","unit_id":"unit-a","boss":true}`, http.StatusBadRequest, assess.EInvalid},
		{"not JSON", admin, `{"username":`, http.StatusBadRequest, assess.EInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(http.MethodPost, wire.UsersPath, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("%d, want %d (%s)", r.status, tc.status, r.body)
			}
			if tc.code != "" {
				if we := r.wireError(t); we.Code != tc.code {
					t.Errorf("code %s, want %s", we.Code, tc.code)
				}
			}
		})
	}
	if _, _, err := e.store.UserByUsername(context.Background(), "lisi"); assess.ErrorCode(err) != assess.ENotFound {
		t.Errorf("a refused request created lisi: %v", err)
	}
	// The new user logs in with the password the administrator chose and
	// sees its own unit's records.
	tok := e.loginAs("zhangsan", good.Password)
	var me assess.User
	e.do(http.MethodGet, wire.MePath, tok, nil).decode(t, &me)
	if me.ID != "u-zhangsan" || me.Name != "张三" || me.Role != assess.Reporter || me.UnitID != unitB || me.Admin {
		t.Errorf("new user %+v", me)
	}
	// The change feed carries the new user to reviewers, and the audit
	// chain records it.
	var feed wire.ChangesResponse
	e.do(http.MethodGet, wire.ChangesPath+"?after=0&limit=1000", admin, nil).decode(t, &feed)
	found := false
	for _, en := range feed.Entries {
		found = found || (en.Entity == wire.EntityUser && en.ID == "u-zhangsan")
	}
	if !found {
		t.Error("the new user is not in the reviewers' change feed")
	}
	if !auditHas(t, e, "user.add", "u-zhangsan") {
		t.Error("no user.add audit event")
	}
}

func TestAddUserGeneratedPassword(t *testing.T) {
	e := newEnv(t)
	r := e.do(http.MethodPost, wire.UsersPath, e.token("reviewer"),
		wire.UserAddRequest{Username: "wangwu", Name: "王五", Role: assess.Reviewer, UnitID: "office", Admin: true})
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var resp wire.UserAddResponse
	r.decode(t, &resp)
	e.secrets = append(e.secrets, resp.Password)
	if err := assess.ValidatePassword(resp.Password); err != nil {
		t.Fatalf("generated password %q: %v", resp.Password, err)
	}
	if !resp.User.Admin || resp.User.Role != assess.Reviewer {
		t.Errorf("user %+v", resp.User)
	}
	// The new administrator can administer at once.
	tok := e.loginAs("wangwu", resp.Password)
	if r := e.do(http.MethodPost, wire.UsersPath, tok, wire.UserAddRequest{Username: "zhaoliu", Name: "赵六", Role: assess.Reporter, UnitID: unitA}); r.status != http.StatusCreated {
		t.Errorf("new admin adds a user: %d %s", r.status, r.body)
	}
}

func TestDisableUser(t *testing.T) {
	e := newEnv(t)
	admin := e.token("reviewer")
	plain := addPlainReviewer(e)
	victim := e.token("rep-a2")
	path := func(id string) string { return wire.UsersPath + "/" + id + wire.UserDisabledSuffix }
	for _, tc := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
	}{
		{"non-admin reviewer", plain, path("u-rep-a2"), wire.UserDisabledRequest{Disabled: true}, http.StatusForbidden},
		{"reporter", e.token("rep-a"), path("u-rep-a2"), wire.UserDisabledRequest{Disabled: true}, http.StatusForbidden},
		{"anonymous", "", path("u-rep-a2"), wire.UserDisabledRequest{Disabled: true}, http.StatusUnauthorized},
		{"oneself", admin, path("u-reviewer"), wire.UserDisabledRequest{Disabled: true}, http.StatusBadRequest},
		{"unknown user", admin, path("u-nobody"), wire.UserDisabledRequest{Disabled: true}, http.StatusNotFound},
		{"bad body", admin, path("u-rep-a2"), `{"disabled":"yes"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(http.MethodPut, tc.path, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("%d, want %d (%s)", r.status, tc.status, r.body)
			}
			r.wireError(t)
		})
	}
	if r := e.do(http.MethodGet, wire.MePath, victim, nil); r.status != http.StatusOK {
		t.Fatalf("refused requests ended the user's session: %d", r.status)
	}

	r := e.do(http.MethodPut, path("u-rep-a2"), admin, wire.UserDisabledRequest{Disabled: true})
	var u assess.User
	r.decode(t, &u)
	if r.status != http.StatusOK || !u.Disabled || u.ID != "u-rep-a2" {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := e.do(http.MethodGet, wire.MePath, victim, nil); r.status != http.StatusUnauthorized {
		t.Errorf("a disabled user's session still works: %d", r.status)
	}
	if st := e.loginStatus("rep-a2", e.account("rep-a2").password); st != http.StatusUnauthorized {
		t.Errorf("a disabled user logs in: %d", st)
	}
	if !auditHas(t, e, "user.disable", "u-rep-a2") {
		t.Error("no user.disable audit event")
	}

	r = e.do(http.MethodPut, path("u-rep-a2"), admin, wire.UserDisabledRequest{Disabled: false})
	r.decode(t, &u)
	if r.status != http.StatusOK || u.Disabled {
		t.Fatalf("enable: %d %s", r.status, r.body)
	}
	e.loginAs("rep-a2", e.account("rep-a2").password)
}

func TestResetPassword(t *testing.T) {
	e := newEnv(t)
	admin := e.token("reviewer")
	plain := addPlainReviewer(e)
	victim := e.token("rep-a2")
	path := func(id string) string { return wire.UsersPath + "/" + id + wire.UserPasswordSuffix }
	for _, tc := range []struct {
		name   string
		token  string
		path   string
		body   any
		status int
	}{
		{"non-admin reviewer", plain, path("u-rep-a2"), wire.UserPasswordRequest{}, http.StatusForbidden},
		{"reporter", e.token("rep-a"), path("u-rep-a2"), wire.UserPasswordRequest{}, http.StatusForbidden},
		{"anonymous", "", path("u-rep-a2"), wire.UserPasswordRequest{}, http.StatusUnauthorized},
		{"weak password", admin, path("u-rep-a2"), wire.UserPasswordRequest{Password: "12345678"}, http.StatusBadRequest},
		{"oneself", admin, path("u-reviewer"), wire.UserPasswordRequest{}, http.StatusBadRequest},
		{"unknown user", admin, path("u-nobody"), wire.UserPasswordRequest{}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(http.MethodPost, tc.path, tc.token, tc.body)
			if r.status != tc.status {
				t.Fatalf("%d, want %d (%s)", r.status, tc.status, r.body)
			}
			r.wireError(t)
		})
	}
	old := e.account("rep-a2").password
	e.loginAs("rep-a2", old) // refused requests left the password alone

	r := e.do(http.MethodPost, path("u-rep-a2"), admin, wire.UserPasswordRequest{})
	if r.status != http.StatusOK {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	var resp wire.UserPasswordResponse
	r.decode(t, &resp)
	e.secrets = append(e.secrets, resp.Password)
	if err := assess.ValidatePassword(resp.Password); err != nil {
		t.Fatalf("generated password %q: %v", resp.Password, err)
	}
	if r := e.do(http.MethodGet, wire.MePath, victim, nil); r.status != http.StatusUnauthorized {
		t.Errorf("the session outlived the reset: %d", r.status)
	}
	if st := e.loginStatus("rep-a2", old); st != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", st)
	}
	e.loginAs("rep-a2", resp.Password)

	// A chosen password is set as given and not echoed.
	r = e.do(http.MethodPost, path("u-rep-a2"), admin, wire.UserPasswordRequest{Password: "Chosen#2026"})
	e.secrets = append(e.secrets, "Chosen#2026")
	resp = wire.UserPasswordResponse{}
	r.decode(t, &resp)
	if r.status != http.StatusOK || resp.Password != "" {
		t.Fatalf("chosen password: %d %s", r.status, r.body)
	}
	e.loginAs("rep-a2", "Chosen#2026")
	if !auditHas(t, e, "user.password", "u-rep-a2") {
		t.Error("no user.password audit event")
	}
}

// auditHas reports whether the audit log holds an event of action on
// subject.
func auditHas(t *testing.T, e *env, action, subject string) bool {
	t.Helper()
	events, err := e.store.AuditEvents(context.Background(), time.Time{}, time.Time{}, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Action == action && ev.Subject == subject {
			return true
		}
	}
	return false
}
