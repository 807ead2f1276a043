package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// maxPasswordBytes bounds what is hashed at login; longer input is simply
// a wrong password.
const maxPasswordBytes = 1024

type userCtxKey struct{}

// withUser returns ctx carrying the authenticated user, and notes the user's
// ID for the request log.
func withUser(ctx context.Context, u assess.User) context.Context {
	if ri := infoFrom(ctx); ri != nil {
		ri.userID = u.ID
	}
	return context.WithValue(ctx, userCtxKey{}, u)
}

// userFrom returns the authenticated user of a request context.
func userFrom(ctx context.Context) (assess.User, bool) {
	u, ok := ctx.Value(userCtxKey{}).(assess.User)
	return u, ok
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// tokenHash is what the store keeps of a token: its SHA-256 in hex.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken returns 32 random bytes in base64url.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// authenticate returns the user of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (assess.User, error) {
	token, ok := bearer(r)
	if !ok {
		return assess.User{}, assess.Errorf(assess.EUnauthorized, "请先登录 (login required: send Authorization: Bearer <token>)")
	}
	_, u, err := s.store.Session(r.Context(), tokenHash(token), s.now())
	if err != nil {
		if assess.ErrorCode(err) == assess.ENotFound {
			err = nil
		}
		if err == nil || assess.ErrorCode(err) == assess.EUnauthorized {
			return assess.User{}, assess.Errorf(assess.EUnauthorized, "登录已过期或账号已停用，请重新登录 (session expired or ended)")
		}
		return assess.User{}, err
	}
	if u.Disabled {
		return assess.User{}, assess.Errorf(assess.EUnauthorized, "账号已停用，请联系管理员 (account disabled)")
	}
	return u, nil
}

// checkPassword runs one argon2id check, at most argonSlots at a time.
func (s *Server) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	select {
	case s.argon <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.argon }()
	if len(pw) > maxPasswordBytes {
		pw = pw[:maxPasswordBytes]
		hash = s.dummyHash
	}
	return CheckPassword(hash, pw)
}

// hashPassword hashes a new password in one of the argon2 slots.
func (s *Server) hashPassword(ctx context.Context, pw string) (string, error) {
	select {
	case s.argon <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.argon }()
	return HashPassword(pw)
}

// tooMany answers 429 with Retry-After.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeError(w, r, assess.Errorf(assess.ETooMany,
		"登录失败次数过多，请在 %d 分钟后再试 (too many failed logins; retry after %d seconds)", (secs+59)/60, secs))
}

var errBadLogin = assess.Errorf(assess.EUnauthorized, "用户名或密码错误，请检查后重新输入 (wrong username or password)")

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, addr := r.Context(), clientAddr(r)
	if wait := s.throttle.wait(req.Username, addr, s.now()); wait > 0 {
		s.tooMany(w, r, wait)
		return
	}
	u, hash, err := s.store.UserByUsername(ctx, req.Username)
	known := err == nil
	if err != nil && assess.ErrorCode(err) != assess.ENotFound {
		s.writeError(w, r, err)
		return
	}
	if !known {
		hash = s.dummyHash
	}
	ok, err := s.checkPassword(ctx, hash, req.Password)
	if err != nil && known {
		s.log.ErrorContext(ctx, "stored password hash unreadable", "user", u.ID, "error", err.Error())
	}
	if !ok || !known {
		s.throttle.fail(req.Username, addr, s.now())
		s.writeError(w, r, errBadLogin)
		return
	}
	if u.Disabled {
		s.writeError(w, r, assess.Errorf(assess.EUnauthorized, "账号已停用，请联系管理员 (account disabled)"))
		return
	}
	s.throttle.succeed(req.Username)
	resp, err := s.startSession(ctx, u, addr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ri := infoFrom(ctx); ri != nil {
		ri.userID = u.ID
	}
	writeJSON(w, http.StatusOK, resp)
}

// startSession creates a session for u and returns the login answer.
func (s *Server) startSession(ctx context.Context, u assess.User, addr string) (wire.LoginResponse, error) {
	token, err := newToken()
	if err != nil {
		return wire.LoginResponse{}, err
	}
	now := s.now().UTC()
	sess := Session{TokenHash: tokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL), Addr: addr}
	if err := s.store.AddSession(ctx, sess); err != nil {
		return wire.LoginResponse{}, err
	}
	return wire.LoginResponse{Token: token, ExpiresAt: sess.ExpiresAt, User: u}, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	token, _ := bearer(r)
	if err := s.store.DeleteSession(r.Context(), tokenHash(token)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	writeJSON(w, http.StatusOK, u)
}

// handlePassword changes the caller's password. Every session of the user
// ends, and the answer carries a new one.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, _ := userFrom(ctx)
	var req wire.PasswordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	addr := clientAddr(r)
	if wait := s.throttle.wait(u.Username, addr, s.now()); wait > 0 {
		s.tooMany(w, r, wait)
		return
	}
	_, hash, err := s.store.UserByUsername(ctx, u.Username)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ok, _ := s.checkPassword(ctx, hash, req.Old); !ok {
		s.throttle.fail(u.Username, addr, s.now())
		s.writeError(w, r, assess.Errorf(assess.EForbidden, "原密码不正确，请重新输入 (the current password is wrong)"))
		return
	}
	if err := assess.ValidatePassword(req.New); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.New == req.Old {
		s.writeError(w, r, assess.Errorf(assess.EInvalid, "新密码不能与原密码相同 (the new password must differ from the current one)"))
		return
	}
	newHash, err := s.hashPassword(ctx, req.New)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.store.SetPassword(ctx, u.ID, newHash); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.throttle.succeed(u.Username)
	resp, err := s.startSession(ctx, u, addr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
