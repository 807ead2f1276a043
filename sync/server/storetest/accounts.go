package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := assess.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func testAccounts(t *testing.T, open Opener) {
	c := NewCity(t, open, false)
	ctx := c.Ctx

	u, hash, err := c.S.UserByUsername(ctx, "zd-filer")
	if err != nil {
		t.Fatal(err)
	}
	if u != c.ReporterA || hash != "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$zd-filer" {
		t.Fatalf("UserByUsername = %+v, %q", u, hash)
	}
	if got, err := c.S.User(ctx, c.Admin.ID); err != nil || got != c.Admin {
		t.Fatalf("User = %+v, %v; want %+v", got, err, c.Admin)
	}
	_, err = c.S.User(ctx, "u-nobody")
	wantCode(t, err, assess.ENotFound)
	_, _, err = c.S.UserByUsername(ctx, "nobody")
	wantCode(t, err, assess.ENotFound)

	bad := []struct {
		name string
		u    assess.User
		hash string
		code string
	}{
		{"username taken", assess.User{ID: "u-x1", Username: "zd-filer", Role: assess.Reporter, UnitID: UnitA}, "h", assess.EConflict},
		{"ID taken", assess.User{ID: c.ReporterA.ID, Username: "fresh", Role: assess.Reporter, UnitID: UnitA}, "h", assess.EConflict},
		{"no ID", assess.User{Username: "fresh", Role: assess.Reporter, UnitID: UnitA}, "h", assess.EInvalid},
		{"short username", assess.User{ID: "u-x2", Username: "x", Role: assess.Reporter, UnitID: UnitA}, "h", assess.EInvalid},
		{"space in username", assess.User{ID: "u-x2", Username: "a b", Role: assess.Reporter, UnitID: UnitA}, "h", assess.EInvalid},
		{"unknown role", assess.User{ID: "u-x3", Username: "fresh", Role: "boss", UnitID: UnitA}, "h", assess.EInvalid},
		{"reporter without unit", assess.User{ID: "u-x4", Username: "fresh", Role: assess.Reporter}, "h", assess.EInvalid},
		{"admin reporter", assess.User{ID: "u-x5", Username: "fresh", Role: assess.Reporter, UnitID: UnitA, Admin: true}, "h", assess.EInvalid},
		{"no password", assess.User{ID: "u-x6", Username: "fresh", Role: assess.Reviewer, UnitID: CityOffice}, "", assess.EInvalid},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, c.S.AddUser(ctx, tt.u, tt.hash), tt.code)
		})
	}
	if _, err := c.S.User(ctx, "u-x2"); assess.ErrorCode(err) != assess.ENotFound {
		t.Fatalf("a refused user was stored: %v", err)
	}

	// Users are in the feed, scoped to their unit, without password hashes.
	if got := MustEntity[assess.User](c, c.ReporterA, wire.EntityUser, c.ReporterA.ID); got != c.ReporterA {
		t.Fatalf("user entry %+v", got)
	}
	if _, ok := Entity[assess.User](c, c.ReporterA, wire.EntityUser, c.ReporterB.ID); ok {
		t.Fatal("a reporter sees another unit's user")
	}
	for _, e := range c.Latest(c.Admin) {
		if e.Entity == wire.EntityUser && containsAny(string(e.Data), "argon2id", "password") {
			t.Fatalf("user entry leaks the password hash: %s", e.Data)
		}
	}

	// SetPassword and SetDisabled change the record.
	if err := c.S.SetPassword(ctx, c.ReporterA.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := c.S.UserByUsername(ctx, "zd-filer"); hash != "new-hash" {
		t.Fatalf("password hash %q after SetPassword", hash)
	}
	wantCode(t, c.S.SetPassword(ctx, "u-nobody", "h"), assess.ENotFound)
	if err := c.S.SetDisabled(ctx, c.ReporterA.ID, true); err != nil {
		t.Fatal(err)
	}
	if u, _ := c.S.User(ctx, c.ReporterA.ID); !u.Disabled {
		t.Fatal("user not disabled")
	}
	if got := MustEntity[assess.User](c, c.Admin, wire.EntityUser, c.ReporterA.ID); !got.Disabled {
		t.Fatal("the feed does not show the user disabled")
	}
	wantCode(t, c.S.SetDisabled(ctx, "u-nobody", true), assess.ENotFound)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func testSessions(t *testing.T, open Opener) {
	c := NewCity(t, open, false)
	ctx := c.Ctx
	now := c.Clock.Now()
	add := func(token string, u assess.User, ttl time.Duration) {
		t.Helper()
		if err := c.S.AddSession(ctx, server.Session{TokenHash: token, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ttl), Addr: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	add("tok-a1", c.ReporterA, time.Hour)
	add("tok-a2", c.ReporterA, time.Hour)
	add("tok-b", c.ReporterB, time.Hour)
	add("tok-r", c.Reviewer, time.Minute)

	s, u, err := c.S.Session(ctx, "tok-a1", now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if u != c.ReporterA || s.UserID != c.ReporterA.ID || s.Addr != "127.0.0.1" || !s.ExpiresAt.Equal(now.Add(time.Hour)) || !s.CreatedAt.Equal(now) {
		t.Fatalf("Session = %+v, %+v", s, u)
	}

	expired := func(token string, at time.Time) {
		t.Helper()
		_, _, err := c.S.Session(ctx, token, at)
		wantCode(t, err, assess.EUnauthorized)
		if msg := assess.ErrorMessage(err); msg != "登录已失效，请重新登录 (session expired)" {
			t.Fatalf("message %q", msg)
		}
	}
	expired("tok-r", now.Add(time.Minute)) // expiry is exclusive
	expired("tok-unknown", now)
	if _, _, err := c.S.Session(ctx, "tok-r", now.Add(time.Minute-time.Second)); err != nil {
		t.Fatalf("a live session refused: %v", err)
	}

	if err := c.S.DeleteSession(ctx, "tok-a2"); err != nil {
		t.Fatal(err)
	}
	expired("tok-a2", now)

	// Disabling ends every session of the user, and re-enabling does not
	// bring them back; other users keep theirs.
	if err := c.S.SetDisabled(ctx, c.ReporterA.ID, true); err != nil {
		t.Fatal(err)
	}
	expired("tok-a1", now)
	if err := c.S.AddSession(ctx, server.Session{TokenHash: "tok-a3", UserID: c.ReporterA.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); assess.ErrorCode(err) != assess.EUnauthorized {
		t.Fatalf("a session for a disabled user: %v", err)
	}
	if err := c.S.SetDisabled(ctx, c.ReporterA.ID, false); err != nil {
		t.Fatal(err)
	}
	expired("tok-a1", now)
	if _, _, err := c.S.Session(ctx, "tok-b", now); err != nil {
		t.Fatalf("another user's session ended: %v", err)
	}

	// A new password ends the sessions too.
	add("tok-a4", c.ReporterA, time.Hour)
	if err := c.S.SetPassword(ctx, c.ReporterA.ID, "h2"); err != nil {
		t.Fatal(err)
	}
	expired("tok-a4", now)
	wantCode(t, c.S.AddSession(ctx, server.Session{TokenHash: "tok-x", UserID: "u-nobody", ExpiresAt: now.Add(time.Hour)}), assess.ENotFound)
}
