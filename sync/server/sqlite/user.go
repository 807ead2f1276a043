package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

const userColumns = `id, username, name, role, unit_id, admin, disabled`

func errNoUser() error { return assess.Errorf(assess.ENotFound, "用户不存在 (no such user)") }

func errSessionExpired() error {
	return assess.Errorf(assess.EUnauthorized, "登录已失效，请重新登录 (session expired)")
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(r scanner, extra ...any) (assess.User, error) {
	var u assess.User
	var role string
	var admin, disabled int
	dest := append([]any{&u.ID, &u.Username, &u.Name, &role, &u.UnitID, &admin, &disabled}, extra...)
	if err := r.Scan(dest...); err != nil {
		return assess.User{}, err
	}
	u.Role = assess.Role(role)
	u.Admin = admin != 0
	u.Disabled = disabled != 0
	return u, nil
}

// user loads a user by ID; ENotFound if none.
func (t *txn) user(id string) (assess.User, error) {
	u, err := scanUser(t.queryRow(`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if isNoRows(err) {
		return assess.User{}, errNoUser()
	}
	if err != nil {
		return assess.User{}, fmt.Errorf("user %s: %w", id, err)
	}
	return u, nil
}

// activeUser loads the acting user afresh, so that a role or unit changed
// or an account disabled since login counts at once; a missing or disabled
// user is EUnauthorized.
func (t *txn) activeUser(id string) (assess.User, error) {
	u, err := t.user(id)
	if assess.ErrorCode(err) == assess.ENotFound || err == nil && u.Disabled {
		return assess.User{}, errSessionExpired()
	}
	return u, err
}

// User returns a user by ID.
func (s *Store) User(ctx context.Context, id string) (assess.User, error) {
	var u assess.User
	err := s.read(ctx, func(t *txn) (err error) {
		u, err = t.user(id)
		return err
	})
	return u, err
}

// UserByUsername returns a user and its password hash.
func (s *Store) UserByUsername(ctx context.Context, username string) (assess.User, string, error) {
	var u assess.User
	var hash string
	err := s.read(ctx, func(t *txn) (err error) {
		u, err = scanUser(t.queryRow(`SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username), &hash)
		if isNoRows(err) {
			return errNoUser()
		}
		return err
	})
	if err != nil {
		return assess.User{}, "", err
	}
	return u, hash, nil
}

// validateUser checks a new account.
func validateUser(u assess.User, passwordHash string) error {
	switch {
	case strings.TrimSpace(u.ID) == "":
		return assess.Errorf(assess.EInvalid, "用户编号不能为空 (user ID is required)")
	case !u.Role.Valid():
		return assess.Errorf(assess.EInvalid, "未知的用户角色“%s”，应为填报用户、审核用户或接口账号 (unknown role)", u.Role)
	case u.Role == assess.Reporter && strings.TrimSpace(u.UnitID) == "":
		return assess.Errorf(assess.EInvalid, "填报用户必须属于一个单位 (a reporter needs a unit)")
	case u.Admin && u.Role != assess.Reviewer:
		return assess.Errorf(assess.EInvalid, "只有审核用户可以是管理员 (only reviewers may be admins)")
	case passwordHash == "":
		return assess.Errorf(assess.EInvalid, "密码不能为空 (password is required)")
	}
	return assess.ValidateUsername(u.Username)
}

// AddUser creates a user with a password hash.
func (s *Store) AddUser(ctx context.Context, u assess.User, passwordHash string) error {
	if err := validateUser(u, passwordHash); err != nil {
		return err
	}
	return s.write(ctx, func(t *txn) error {
		var n int
		if err := t.queryRow(`SELECT COUNT(*) FROM users WHERE id = ? OR username = ?`, u.ID, u.Username).Scan(&n); err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		if n > 0 {
			return assess.Errorf(assess.EConflict, "用户名“%s”或用户编号已存在，请换一个 (username or user ID already exists)", u.Username)
		}
		if _, err := t.exec(`INSERT INTO users (id, username, name, role, unit_id, admin, disabled, password_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Username, u.Name, string(u.Role), u.UnitID,
			boolInt(u.Admin), boolInt(u.Disabled), passwordHash); err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		if err := t.emit(wire.EntityUser, u.ID, u.UnitID, u); err != nil {
			return err
		}
		return t.audit(systemActor, actionUserAdd, u.ID, u)
	})
}

// SetPassword replaces a user's password hash and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string) error {
	if passwordHash == "" {
		return assess.Errorf(assess.EInvalid, "密码不能为空 (password is required)")
	}
	return s.write(ctx, func(t *txn) error {
		u, err := t.user(userID)
		if err != nil {
			return err
		}
		if _, err := t.exec(`UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if _, err := t.exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return t.audit(systemActor, actionUserPasswd, userID, map[string]string{"username": u.Username})
	})
}

// SetDisabled disables or re-enables a user; disabling ends its sessions.
func (s *Store) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.write(ctx, func(t *txn) error {
		u, err := t.user(userID)
		if err != nil {
			return err
		}
		u.Disabled = disabled
		if _, err := t.exec(`UPDATE users SET disabled = ? WHERE id = ?`, boolInt(disabled), userID); err != nil {
			return fmt.Errorf("set disabled: %w", err)
		}
		action := actionUserEnable
		if disabled {
			action = actionUserDisable
			if _, err := t.exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("set disabled: %w", err)
			}
		}
		if err := t.emit(wire.EntityUser, u.ID, u.UnitID, u); err != nil {
			return err
		}
		return t.audit(systemActor, action, userID, map[string]string{"username": u.Username})
	})
}

// AddSession stores a session by the SHA-256 of its token.
func (s *Store) AddSession(ctx context.Context, sess server.Session) error {
	if sess.TokenHash == "" {
		return assess.Errorf(assess.EInvalid, "会话令牌不能为空 (session token hash is required)")
	}
	return s.write(ctx, func(t *txn) error {
		u, err := t.user(sess.UserID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return assess.Errorf(assess.EUnauthorized, "该账号已停用，请联系管理员 (the account is disabled)")
		}
		if _, err := t.exec(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at, addr) VALUES (?, ?, ?, ?, ?)`,
			sess.TokenHash, sess.UserID, nanos(sess.CreatedAt), nanos(sess.ExpiresAt), sess.Addr); err != nil {
			return fmt.Errorf("add session: %w", err)
		}
		return nil
	})
}

// Session returns the live session and its user for a token hash; an
// expired session or a disabled user is EUnauthorized.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (server.Session, assess.User, error) {
	var sess server.Session
	var u assess.User
	err := s.read(ctx, func(t *txn) error {
		var created, expires int64
		err := t.queryRow(`SELECT token_hash, user_id, created_at, expires_at, addr FROM sessions WHERE token_hash = ?`, tokenHash).
			Scan(&sess.TokenHash, &sess.UserID, &created, &expires, &sess.Addr)
		if isNoRows(err) {
			return errSessionExpired()
		}
		if err != nil {
			return fmt.Errorf("session: %w", err)
		}
		sess.CreatedAt, sess.ExpiresAt = fromNanos(created), fromNanos(expires)
		if !now.Before(sess.ExpiresAt) {
			return errSessionExpired()
		}
		u, err = t.activeUser(sess.UserID)
		return err
	})
	if err != nil {
		return server.Session{}, assess.User{}, err
	}
	return sess, u, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(t *txn) error {
		_, err := t.exec(`DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}
