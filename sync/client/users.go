package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// AddUser creates an account (reviewer administrators). With an empty
// req.Password the server generates one, which the answer carries once.
// The new user reaches the local mirror with the next pull.
func (a *API) AddUser(ctx context.Context, req wire.UserAddRequest) (wire.UserAddResponse, error) {
	var out wire.UserAddResponse
	err := a.do(ctx, http.MethodPost, wire.UsersPath, nil, req, &out)
	return out, err
}

// SetUserDisabled disables a user, ending its sessions, or enables it again
// (reviewer administrators), and returns the user as it is now.
func (a *API) SetUserDisabled(ctx context.Context, userID string, disabled bool) (assess.User, error) {
	var out assess.User
	err := a.doAt(ctx, http.MethodPut, a.userURL(userID, wire.UserDisabledSuffix), wire.UserDisabledRequest{Disabled: disabled}, &out)
	return out, err
}

// ResetPassword sets a user's password (reviewer administrators) and ends
// the user's sessions. With an empty password the server generates one and
// ResetPassword returns it; otherwise it returns "".
func (a *API) ResetPassword(ctx context.Context, userID, password string) (string, error) {
	var out wire.UserPasswordResponse
	err := a.doAt(ctx, http.MethodPost, a.userURL(userID, wire.UserPasswordSuffix), wire.UserPasswordRequest{Password: password}, &out)
	return out.Password, err
}

// userURL is the absolute URL of an action on one user, the ID escaped as
// one path segment (a username may hold a slash).
func (a *API) userURL(userID, suffix string) string {
	u := *a.base
	u.Path = a.base.Path + wire.UsersPath + "/" + userID + suffix
	u.RawPath = a.base.EscapedPath() + wire.UsersPath + "/" + url.PathEscape(userID) + suffix
	return u.String()
}

// doAt sends a JSON request to an absolute URL and decodes a 2xx body into
// out.
func (a *API) doAt(ctx context.Context, method, target string, in, out any) error {
	resp, err := a.request(ctx).SetHeader("Content-Type", "application/json").SetBody(in).Execute(method, target)
	if err != nil {
		return networkError(ctx, err)
	}
	if resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		return statusError(resp.StatusCode(), resp.Header(), resp.Body())
	}
	if err := json.Unmarshal(resp.Body(), out); err != nil {
		return assess.Errorf(assess.EInternal, "服务器的应答无法识别，请确认服务器地址是否正确 (unreadable server answer): %v", err)
	}
	return nil
}
