package server_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	a := e.account("rep-a")
	r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: a.username, Password: a.password})
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var lr wire.LoginResponse
	r.decode(t, &lr)
	e.secrets = append(e.secrets, lr.Token)
	if raw, err := base64.RawURLEncoding.DecodeString(lr.Token); err != nil || len(raw) != 32 {
		t.Errorf("token %d chars: want 32 random bytes in base64url (%v)", len(lr.Token), err)
	}
	if lr.User.ID != a.user.ID || lr.User.UnitID != unitA {
		t.Errorf("user %+v", lr.User)
	}
	if want := e.clock.Now().Add(server.DefaultSessionTTL); !lr.ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want %v", lr.ExpiresAt, want)
	}
	me := e.do(http.MethodGet, wire.MePath, lr.Token, nil)
	var u assess.User
	me.decode(t, &u)
	if me.status != http.StatusOK || u.Username != "rep-a" {
		t.Errorf("me: %d %s", me.status, me.body)
	}

	for _, tc := range []struct {
		name string
		req  wire.LoginRequest
	}{
		{"wrong password", wire.LoginRequest{Username: "rep-a", Password: "Filing#A2027"}},
		{"unknown user", wire.LoginRequest{Username: "nobody", Password: a.password}},
		{"empty", wire.LoginRequest{}},
		{"overlong password", wire.LoginRequest{Username: "rep-a", Password: a.password + strings.Repeat("x", 5000)}},
	} {
		r := e.do(http.MethodPost, wire.LoginPath, "", tc.req)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", tc.name, r.status)
			continue
		}
		if we := r.wireError(t); we.Code != assess.EUnauthorized {
			t.Errorf("%s: code %s", tc.name, we.Code)
		}
	}

	// The session ends when its time is up.
	e.clock.Advance(server.DefaultSessionTTL)
	if r := e.do(http.MethodGet, wire.MePath, lr.Token, nil); r.status != http.StatusUnauthorized {
		t.Errorf("expired session: %d, want 401", r.status)
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	a := e.account("rep-b")
	wrong := wire.LoginRequest{Username: a.username, Password: "not-the-password-1"}
	for i := range 5 {
		if r := e.do(http.MethodPost, wire.LoginPath, "", wrong); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, r.status)
		}
		e.clock.Advance(time.Minute)
	}
	// Five failures within 15 minutes: even the right password waits now.
	right := wire.LoginRequest{Username: a.username, Password: a.password}
	r := e.do(http.MethodPost, wire.LoginPath, "", right)
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt: %d, want 429", r.status)
	}
	if we := r.wireError(t); we.Code != assess.ETooMany {
		t.Errorf("code %s", we.Code)
	}
	// The first failure was at +0 and the clock is at +5 min: 10 minutes to go.
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(10*60) {
		t.Errorf("Retry-After %q, want 600", got)
	}
	// Another username from the same address is not held up.
	if r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: "rep-a", Password: e.account("rep-a").password}); r.status != http.StatusOK {
		t.Errorf("other user: %d, want 200", r.status)
	} else {
		var lr wire.LoginResponse
		r.decode(t, &lr)
		e.secrets = append(e.secrets, lr.Token)
	}
	// Case does not make another username.
	if r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: "REP-B", Password: "x"}); r.status != http.StatusTooManyRequests {
		t.Errorf("same username in capitals: %d, want 429", r.status)
	}

	e.clock.Advance(10*time.Minute - time.Second)
	if r := e.do(http.MethodPost, wire.LoginPath, "", right); r.status != http.StatusTooManyRequests {
		t.Errorf("a second before the window passes: %d, want 429", r.status)
	}
	e.clock.Advance(time.Second)
	r = e.do(http.MethodPost, wire.LoginPath, "", right)
	if r.status != http.StatusOK {
		t.Fatalf("after the window: %d %s, want 200", r.status, r.body)
	}
	var lr wire.LoginResponse
	r.decode(t, &lr)
	e.secrets = append(e.secrets, lr.Token)

	// A successful login forgets the failures: four more do not block.
	for i := range 4 {
		if r := e.do(http.MethodPost, wire.LoginPath, "", wrong); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d after success: %d, want 401", i+1, r.status)
		}
	}
	if r := e.do(http.MethodPost, wire.LoginPath, "", right); r.status != http.StatusOK {
		t.Errorf("after 4 new failures: %d, want 200", r.status)
	} else {
		r.decode(t, &lr)
		e.secrets = append(e.secrets, lr.Token)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	e := newEnv(t)
	// Twenty failures from one address, each for another username, hold up
	// every username from that address.
	for i := range 20 {
		r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: "guess" + strconv.Itoa(i), Password: "x"})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, r.status)
		}
	}
	a := e.account("reviewer")
	if r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: a.username, Password: a.password}); r.status != http.StatusTooManyRequests {
		t.Errorf("after 20 failures from one address: %d, want 429", r.status)
	}
	e.clock.Advance(15 * time.Minute)
	e.login("reviewer")
}

func TestDisabledUser(t *testing.T) {
	e := newEnv(t)
	tok := e.login("gone")
	if r := e.do(http.MethodGet, wire.MePath, tok, nil); r.status != http.StatusOK {
		t.Fatalf("before disabling: %d", r.status)
	}
	ctx := context.Background()
	u, _, err := e.store.UserByUsername(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{wire.MePath, wire.ChangesPath} {
		r := e.do(http.MethodGet, path, tok, nil)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s with a disabled user's token: %d, want 401", path, r.status)
		}
		r.wireError(t)
	}
	r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: "gone", Password: e.account("gone").password})
	if r.status != http.StatusUnauthorized {
		t.Errorf("disabled user logs in: %d, want 401", r.status)
	}
	if we := r.wireError(t); !strings.Contains(we.Message, "停用") {
		t.Errorf("message %q does not say the account is disabled", we.Message)
	}
}

func TestBadTokens(t *testing.T) {
	e := newEnv(t)
	tok := e.login("rep-a")
	for name, header := range map[string]string{
		"none":          "",
		"basic":         "Basic cmVwLWE6eA==",
		"empty bearer":  "Bearer ",
		"made up":       "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"token altered": "Bearer " + tok[:len(tok)-2] + "xx",
	} {
		req, _ := http.NewRequest(http.MethodGet, e.url(wire.MePath), nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		r := e.send(req, "")
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, r.status)
		}
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", name, r.header.Get("WWW-Authenticate"))
		}
		r.wireError(t)
	}
	// The scheme is case-insensitive.
	req, _ := http.NewRequest(http.MethodGet, e.url(wire.MePath), nil)
	req.Header.Set("Authorization", "bearer "+tok)
	if r := e.send(req, ""); r.status != http.StatusOK {
		t.Errorf("lowercase bearer: %d", r.status)
	}
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t)
	a := e.account("rep-b")
	tok := e.login(a.username)
	other := e.login("rep-a")
	const next = "Changed#2026x"
	e.secrets = append(e.secrets, next)

	cases := []struct {
		name string
		req  wire.PasswordRequest
		want int
	}{
		{"wrong current password", wire.PasswordRequest{Old: "nope-1234", New: next}, http.StatusForbidden},
		{"weak new password", wire.PasswordRequest{Old: a.password, New: "12345678"}, http.StatusBadRequest},
		{"same password", wire.PasswordRequest{Old: a.password, New: a.password}, http.StatusBadRequest},
	}
	for _, tc := range cases {
		r := e.do(http.MethodPost, wire.PasswordPath, tok, tc.req)
		if r.status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, r.status, tc.want)
		}
		r.wireError(t)
	}
	r := e.do(http.MethodPost, wire.PasswordPath, tok, wire.PasswordRequest{Old: a.password, New: next})
	if r.status != http.StatusOK {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	var lr wire.LoginResponse
	r.decode(t, &lr)
	e.secrets = append(e.secrets, lr.Token)
	if r := e.do(http.MethodGet, wire.MePath, tok, nil); r.status != http.StatusUnauthorized {
		t.Errorf("old session after a password change: %d, want 401", r.status)
	}
	if r := e.do(http.MethodGet, wire.MePath, lr.Token, nil); r.status != http.StatusOK {
		t.Errorf("new session: %d, want 200", r.status)
	}
	if r := e.do(http.MethodGet, wire.MePath, other, nil); r.status != http.StatusOK {
		t.Errorf("another user's session: %d, want 200", r.status)
	}
	if r := e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: a.username, Password: a.password}); r.status != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", r.status)
	}
	r = e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: a.username, Password: next})
	if r.status != http.StatusOK {
		t.Errorf("new password: %d, want 200", r.status)
	} else {
		r.decode(t, &lr)
		e.secrets = append(e.secrets, lr.Token)
	}
}
