package server

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// maxNameRunes bounds a user's display name.
const maxNameRunes = 64

// adminFrom returns the calling user of an administration request when it
// is a reviewer administrator; the route's access already demands a
// reviewer.
func adminFrom(ctx context.Context) (assess.User, error) {
	u, _ := userFrom(ctx)
	if u.Role != assess.Reviewer || !u.Admin {
		return assess.User{}, assess.Errorf(assess.EForbidden, "只有管理员可以管理用户账号，请联系系统管理员 (administrators only)")
	}
	return u, nil
}

// handleAddUser creates an account (administrators). Without a password in
// the request, one is generated and answered once.
func (s *Server) handleAddUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin, err := adminFrom(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req wire.UserAddRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := newUser(req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pw, generated, hash, err := s.chosenPassword(ctx, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.AddUser(ctx, u, hash); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "user added", "admin", admin.ID, "user", u.ID, "role", string(u.Role))
	resp := wire.UserAddResponse{User: u}
	if generated {
		resp.Password = pw
	}
	writeJSON(w, http.StatusCreated, resp)
}

// newUser checks an add request and returns the account it asks for. The
// user's ID is "u-" and the username, as the server's command line makes it.
func newUser(req wire.UserAddRequest) (assess.User, error) {
	u := assess.User{
		Username: strings.TrimSpace(req.Username),
		Name:     strings.TrimSpace(req.Name),
		Role:     req.Role,
		UnitID:   strings.TrimSpace(req.UnitID),
		Admin:    req.Admin,
	}
	u.ID = "u-" + u.Username
	if err := assess.ValidateUsername(u.Username); err != nil {
		return u, err
	}
	switch {
	case u.Name == "":
		return u, assess.Errorf(assess.EInvalid, "姓名不能为空 (name is required)")
	case utf8.RuneCountInString(u.Name) > maxNameRunes:
		return u, assess.Errorf(assess.EInvalid, "姓名最多 %d 个字符 (name too long)", maxNameRunes)
	case !u.Role.Valid():
		return u, assess.Errorf(assess.EInvalid, "未知的用户角色“%s”，应为 reporter（填报用户）、reviewer（审核用户）或 service（接口账号）(unknown role)", sanitize(string(u.Role)))
	case u.Role == assess.Reporter && u.UnitID == "":
		return u, assess.Errorf(assess.EInvalid, "填报用户必须属于一个单位，请选择所属单位 (a reporter needs a unit)")
	case u.Admin && u.Role != assess.Reviewer:
		return u, assess.Errorf(assess.EInvalid, "只有审核用户可以是管理员 (only reviewers may be admins)")
	}
	return u, nil
}

// chosenPassword returns the password an administrator asked for, checked
// against the password rules, or a generated one (generated is true), with
// its hash.
func (s *Server) chosenPassword(ctx context.Context, asked string) (pw string, generated bool, hash string, err error) {
	if asked != "" {
		err = assess.ValidatePassword(asked)
	} else {
		pw, err = GeneratePassword(GeneratedPasswordLen)
		asked, generated = pw, true
	}
	if err != nil {
		return "", false, "", err
	}
	hash, err = s.hashPassword(ctx, asked)
	return asked, generated, hash, err
}

// handleUserDisabled disables a user, ending its sessions, or enables it
// again (administrators). Administrators cannot disable themselves.
func (s *Server) handleUserDisabled(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin, err := adminFrom(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req wire.UserDisabledRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if id == admin.ID && req.Disabled {
		s.writeError(w, r, assess.Errorf(assess.EInvalid, "不能停用自己的账号 (you cannot disable your own account)"))
		return
	}
	if err := s.store.SetDisabled(ctx, id, req.Disabled); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "user disabled changed", "admin", admin.ID, "user", u.ID, "disabled", u.Disabled)
	writeJSON(w, http.StatusOK, u)
}

// handleUserPassword sets a new password for a user, or generates one, and
// ends the user's sessions (administrators). Administrators change their
// own password with the old one, at /api/v1/password.
func (s *Server) handleUserPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	admin, err := adminFrom(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req wire.UserPasswordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if id == admin.ID {
		s.writeError(w, r, assess.Errorf(assess.EInvalid, "请在“我的账号”中用原密码修改自己的密码 (change your own password with the current one)"))
		return
	}
	if _, err := s.store.User(ctx, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	pw, generated, hash, err := s.chosenPassword(ctx, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.SetPassword(ctx, id, hash); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "user password reset", "admin", admin.ID, "user", id)
	var resp wire.UserPasswordResponse
	if generated {
		resp.Password = pw
	}
	writeJSON(w, http.StatusOK, resp)
}
