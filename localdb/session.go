package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// Session is the logged-in session kept on this PC.
type Session struct {
	Server    string // the server's base URL
	Token     string // the bearer token
	User      assess.User
	ExpiresAt time.Time
}

const userKey = "user_id" // meta: the user the mirror and the outbox belong to

// mirrorTables are emptied when another user logs in on this PC.
var mirrorTables = []string{"years", "ranking_groups", "units", "users", "indicators", "tasks", "server_drafts",
	"submissions", "reviews", "rectifications", "externals", "standings", "drafts"}

// SaveSession stores the session after a login. When another user than the
// last one logs in, the mirror, the local drafts and the cursor are emptied
// (the new user may see other things and pulls afresh) — unless the last
// user still has changes in the outbox, which are never thrown away: then
// SaveSession refuses, and that user must log in and sync first.
func (db *DB) SaveSession(ctx context.Context, s Session) error {
	if s.User.ID == "" || s.Token == "" {
		return assess.Errorf(assess.EInvalid, "登录信息不完整，请重新登录 (session without user or token)")
	}
	if err := checkTime("expires_at", s.ExpiresAt); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		var last string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", userKey).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("save session: %w", err)
		}
		if last != "" && last != s.User.ID {
			var n int
			var name string
			if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE(MAX(s.username), '') FROM outbox o
				LEFT JOIN session s ON s.user_id = o.user_id WHERE o.user_id = ?`, last).Scan(&n, &name); err != nil {
				return fmt.Errorf("save session: %w", err)
			}
			if n > 0 {
				if name == "" {
					name = last
				}
				return assess.Errorf(assess.EConflict, "本机还有用户“%s”的 %d 项修改尚未同步或待处理，请先用该账号登录并同步，再切换用户 (another user's changes are waiting on this PC)", name, n)
			}
			for _, t := range mirrorTables {
				if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
					return fmt.Errorf("save session: clear %s: %w", t, err)
				}
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", cursorKey); err != nil {
				return fmt.Errorf("save session: %w", err)
			}
		}
		u := s.User
		if _, err := tx.ExecContext(ctx, `INSERT INTO session (id, server, token, user_id, username, name, role, unit_id, admin, disabled, expires_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET server = excluded.server, token = excluded.token, user_id = excluded.user_id,
			username = excluded.username, name = excluded.name, role = excluded.role, unit_id = excluded.unit_id,
			admin = excluded.admin, disabled = excluded.disabled, expires_at = excluded.expires_at`,
			s.Server, s.Token, u.ID, u.Username, u.Name, string(u.Role), u.UnitID, boolInt(u.Admin), boolInt(u.Disabled), fmtTime(s.ExpiresAt)); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, userKey, u.ID)
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		return nil
	})
}

// Session returns the stored session; an EUnauthorized error when nobody
// is logged in. An expired session is returned as it is: the caller decides
// (it still names the user for offline work).
func (db *DB) Session(ctx context.Context) (Session, error) {
	s, ok, err := loadSession(ctx, db.r)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, errNotLoggedIn
	}
	return s, nil
}

var errNotLoggedIn = assess.Errorf(assess.EUnauthorized, "尚未登录，请先登录 (not logged in)")

func loadSession(ctx context.Context, q querier) (Session, bool, error) {
	var s Session
	var role, exp string
	var admin, disabled bool
	err := q.QueryRowContext(ctx, `SELECT server, token, user_id, username, name, role, unit_id, admin, disabled, expires_at
		FROM session WHERE id = 1`).Scan(&s.Server, &s.Token, &s.User.ID, &s.User.Username, &s.User.Name, &role,
		&s.User.UnitID, &admin, &disabled, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("read session: %w", err)
	}
	s.User.Role, s.User.Admin, s.User.Disabled = assess.Role(role), admin, disabled
	if s.ExpiresAt, err = parseTime(exp); err != nil {
		return Session{}, false, err
	}
	return s, true, nil
}

// ClearSession forgets the token (logging out). The user's data, drafts and
// outbox stay; so do offline-unlock verifiers.
func (db *DB) ClearSession(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM session")
		return err
	})
}

// Me returns the logged-in user; EUnauthorized when nobody is.
func (db *DB) Me(ctx context.Context) (assess.User, error) {
	s, err := db.Session(ctx)
	return s.User, err
}

// SaveVerifier stores the offline-unlock verifier of a user (the caller
// derives it with argon2id from the password).
func (db *DB) SaveVerifier(ctx context.Context, username string, verifier []byte) error {
	if username == "" || len(verifier) == 0 {
		return assess.Errorf(assess.EInvalid, "离线解锁信息不完整 (username and verifier are required)")
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO verifiers (username, verifier, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (username) DO UPDATE SET verifier = excluded.verifier, updated_at = excluded.updated_at`,
			username, verifier, fmtTime(db.now()))
		return err
	})
}

// Verifier returns the offline-unlock verifier stored for a user; ENotFound
// when the user has never logged in on this PC.
func (db *DB) Verifier(ctx context.Context, username string) ([]byte, error) {
	var v []byte
	err := db.r.QueryRowContext(ctx, "SELECT verifier FROM verifiers WHERE username = ?", username).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assess.Errorf(assess.ENotFound, "用户“%s”从未在本机登录过，请联网登录一次后再离线使用 (no offline verifier for this user)", username)
	}
	if err != nil {
		return nil, fmt.Errorf("read verifier: %w", err)
	}
	return v, nil
}

// actor returns the user of the stored session; ok is false when nobody has
// logged in on this PC yet, and then the server alone decides who may act.
func actor(ctx context.Context, q querier) (assess.User, bool, error) {
	s, ok, err := loadSession(ctx, q)
	return s.User, ok, err
}

func checkReporter(u assess.User, known bool, unitID string) error {
	if !known {
		return nil
	}
	if u.Role != assess.Reporter || u.UnitID != unitID {
		return assess.Errorf(assess.EForbidden, "只有本单位的填报用户可以填报该指标 (only the unit's reporting users may do this)")
	}
	return nil
}

func checkReviewer(u assess.User, known bool) error {
	if known && u.Role != assess.Reviewer {
		return assess.Errorf(assess.EForbidden, "只有审核用户可以进行此操作 (reviewers only)")
	}
	return nil
}

func checkAdmin(u assess.User, known bool) error {
	if known && (u.Role != assess.Reviewer || !u.Admin) {
		return assess.Errorf(assess.EForbidden, "只有系统管理员可以修改考核年度、指标、分组和单位 (administrators only)")
	}
	return nil
}

// Users returns the users the server lets this user see, by username.
func (db *DB) Users(ctx context.Context) ([]assess.User, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT id, username, name, role, unit_id, admin, disabled FROM users ORDER BY username")
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	defer rows.Close()
	var out []assess.User
	for rows.Next() {
		var u assess.User
		var role string
		if err := rows.Scan(&u.ID, &u.Username, &u.Name, &role, &u.UnitID, &u.Admin, &u.Disabled); err != nil {
			return nil, fmt.Errorf("read users: %w", err)
		}
		u.Role = assess.Role(role)
		out = append(out, u)
	}
	return out, rows.Err()
}
