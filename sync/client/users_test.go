package client_test

import (
	"context"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// login returns an API client of the city logged in with a password.
func (c *city) login(username, password string) (*client.API, error) {
	api, err := client.New(c.http.URL, client.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	_, err = api.Login(context.Background(), username, password)
	return api, err
}

func TestUserAdministration(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	admin := c.pc("reviewer", nil, nil)

	// Add a reporter with a generated password; the name holds a slash,
	// so the user's ID must travel as one escaped path segment.
	resp, err := admin.api.AddUser(ctx, wire.UserAddRequest{Username: "jia/2", Name: "甲区填报员二", Role: assess.Reporter, UnitID: unitA})
	if err != nil {
		t.Fatal(err)
	}
	if resp.User.ID != "u-jia/2" || resp.Password == "" {
		t.Fatalf("added %+v, password %q", resp.User, resp.Password)
	}
	newcomer, err := c.login("jia/2", resp.Password)
	if err != nil {
		t.Fatalf("the new user cannot log in: %v", err)
	}

	// The reviewer's mirror learns of the user with the next pull.
	if err := admin.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	users, err := admin.db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !hasUser(users, "u-jia/2", false) {
		t.Fatalf("the mirror lacks the new user: %+v", users)
	}

	// The same username again: a Chinese conflict.
	_, err = admin.api.AddUser(ctx, wire.UserAddRequest{Username: "jia/2", Name: "重复", Role: assess.Reporter, UnitID: unitA, Password: "Again#2026"})
	if assess.ErrorCode(err) != assess.EConflict || !hasHan(assess.ErrorMessage(err)) {
		t.Errorf("duplicate: %v", err)
	}
	// Bad input: a Chinese message.
	_, err = admin.api.AddUser(ctx, wire.UserAddRequest{Username: "yi3", Name: "乙区", Role: assess.Reporter, UnitID: unitB, Password: "short"})
	if assess.ErrorCode(err) != assess.EInvalid || !hasHan(assess.ErrorMessage(err)) {
		t.Errorf("weak password: %v", err)
	}

	// Disable: the session ends and the mirror shows it after a pull.
	u, err := admin.api.SetUserDisabled(ctx, "u-jia/2", true)
	if err != nil || !u.Disabled {
		t.Fatalf("disable: %+v %v", u, err)
	}
	if _, err := newcomer.Me(ctx); assess.ErrorCode(err) != assess.EUnauthorized {
		t.Errorf("a disabled user's session: %v", err)
	}
	if err := admin.syncer.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if users, _ = admin.db.Users(ctx); !hasUser(users, "u-jia/2", true) {
		t.Errorf("the mirror does not show the user disabled: %+v", users)
	}
	if u, err = admin.api.SetUserDisabled(ctx, "u-jia/2", false); err != nil || u.Disabled {
		t.Fatalf("enable: %+v %v", u, err)
	}

	// Reset: generated, then chosen.
	pw, err := admin.api.ResetPassword(ctx, "u-jia/2", "")
	if err != nil || assess.ValidatePassword(pw) != nil {
		t.Fatalf("reset: %q %v", pw, err)
	}
	if _, err := c.login("jia/2", resp.Password); err == nil {
		t.Error("the old password still works")
	}
	if _, err := c.login("jia/2", pw); err != nil {
		t.Errorf("the generated password: %v", err)
	}
	if pw, err = admin.api.ResetPassword(ctx, "u-jia/2", "Chosen#2026"); err != nil || pw != "" {
		t.Fatalf("chosen: %q %v", pw, err)
	}
	if _, err := c.login("jia/2", "Chosen#2026"); err != nil {
		t.Errorf("the chosen password: %v", err)
	}
	if _, err := admin.api.ResetPassword(ctx, "u-nobody", ""); assess.ErrorCode(err) != assess.ENotFound {
		t.Errorf("unknown user: %v", err)
	}

	// A reporter may do none of it.
	rep := c.pc("rep-a", nil, nil)
	if _, err := rep.api.AddUser(ctx, wire.UserAddRequest{Username: "x9", Name: "某人", Role: assess.Reporter, UnitID: unitA}); assess.ErrorCode(err) != assess.EForbidden {
		t.Errorf("reporter adds a user: %v", err)
	}
	if _, err := rep.api.SetUserDisabled(ctx, "u-rep-b", true); assess.ErrorCode(err) != assess.EForbidden {
		t.Errorf("reporter disables a user: %v", err)
	}
	if _, err := rep.api.ResetPassword(ctx, "u-rep-b", ""); assess.ErrorCode(err) != assess.EForbidden {
		t.Errorf("reporter resets a password: %v", err)
	}
}

func hasUser(users []assess.User, id string, disabled bool) bool {
	for _, u := range users {
		if u.ID == id {
			return u.Disabled == disabled
		}
	}
	return false
}
