package client_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestErrorAnswers checks how error answers become codes and messages a
// clerk can read.
func TestErrorAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		code       string
		msg        string // a part of the message
		retryable  bool
		retryAfter time.Duration
	}{
		{"wire error", 409, nil, `{"code":"conflict","message":"该指标已赋分，不能再提交 (the task is already scored)"}`, assess.EConflict, "该指标已赋分", false, 0},
		{"closed year", 409, nil, `{"code":"year_closed","message":"2025考核年度已关闭"}`, assess.EClosed, "已关闭", false, 0},
		{"wire error without message", 403, nil, `{"code":"forbidden"}`, assess.EForbidden, "没有权限", false, 0},
		{"bare 401", 401, nil, ``, assess.EUnauthorized, "重新登录", false, 0},
		{"plain text", 400, nil, "ERR_INVALID_OFFSET: bad offset\n", assess.EInvalid, "ERR_INVALID_OFFSET", false, 0},
		{"html from a proxy", 502, nil, "<html><body>Bad Gateway</body></html>", assess.EUnavailable, "无法连接服务器", true, 0},
		{"too many with retry-after", 429, map[string]string{"Retry-After": "7"}, `{"code":"too_many","message":"登录尝试过多，请稍后再试"}`, assess.ETooMany, "稍后", true, 7 * time.Second},
		{"internal", 500, nil, `{"code":"internal","message":"系统内部错误"}`, assess.EInternal, "系统内部错误", true, 0},
		{"unavailable", 503, map[string]string{"Retry-After": "2"}, ``, assess.EUnavailable, "离线", true, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			api, err := client.New(srv.URL, client.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = api.Me(context.Background())
			if got := assess.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.code, err)
			}
			if msg := assess.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not contain %q", msg, tt.msg)
			}
			if got := client.Retryable(err); got != tt.retryable {
				t.Errorf("Retryable = %v, want %v", got, tt.retryable)
			}
			var re *client.RemoteError
			if !errors.As(err, &re) || re.Status != tt.status || re.RetryAfter != tt.retryAfter {
				t.Errorf("remote error = %+v, want status %d, retry after %v", re, tt.status, tt.retryAfter)
			}
		})
	}
}

// TestOffline checks that a server that cannot be reached reads as offline.
func TestOffline(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	api, err := client.New(url, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.Changes(context.Background(), 0, 10)
	if assess.ErrorCode(err) != assess.EUnavailable || assess.ErrorMessage(err) != client.OfflineMessage {
		t.Fatalf("err = %v, want EUnavailable with the offline message", err)
	}
	if !client.Offline(err) || !client.Retryable(err) {
		t.Errorf("Offline = %v, Retryable = %v, want both true", client.Offline(err), client.Retryable(err))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := api.Changes(ctx, 0, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled call: err = %v, want context.Canceled", err)
	}
}

// TestRequests checks what the client puts on the wire: the bearer token,
// the JSON bodies, the feed cursor.
func TestRequests(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case wire.LoginPath:
			var req wire.LoginRequest
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Username != "zhangsan" || req.Password != "s3cret-pw" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"code":"unauthorized","message":"用户名或密码不正确"}`))
				return
			}
			_ = json.NewEncoder(w).Encode(wire.LoginResponse{Token: "tok-123", User: assess.User{ID: "u1", Username: "zhangsan", Role: assess.Reporter}})
		case wire.ChangesPath:
			_ = json.NewEncoder(w).Encode(wire.ChangesResponse{Next: 42})
		case wire.PushPath:
			var req wire.PushRequest
			_ = json.NewDecoder(r.Body).Decode(&req)
			res := make([]wire.Result, 0, len(req.Changes))
			for _, c := range req.Changes {
				res = append(res, wire.Result{ID: c.ID, Status: wire.Applied, HTTP: 200})
			}
			_ = json.NewEncoder(w).Encode(wire.PushResponse{Results: res})
		case wire.LogoutPath:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	api, err := client.New(srv.URL+"/", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := api.Login(ctx, "zhangsan", "wrong-pw"); assess.ErrorCode(err) != assess.EUnauthorized {
		t.Fatalf("bad login: err = %v, want EUnauthorized", err)
	}
	if api.Token() != "" {
		t.Fatal("a failed login set a token")
	}
	lr, err := api.Login(ctx, "zhangsan", "s3cret-pw")
	if err != nil || lr.User.ID != "u1" || api.Token() != "tok-123" {
		t.Fatalf("login = %+v, %v; token %q", lr, err, api.Token())
	}
	page, err := api.Changes(ctx, 17, 500)
	if err != nil || page.Next != 42 {
		t.Fatalf("changes = %+v, %v", page, err)
	}
	res, err := api.Push(ctx, []wire.Change{{ID: "c1", Kind: wire.KindDraftSave, Data: json.RawMessage(`{}`)}})
	if err != nil || len(res) != 1 || res[0].ID != "c1" {
		t.Fatalf("push = %+v, %v", res, err)
	}
	if err := api.Logout(ctx); err != nil || api.Token() != "" {
		t.Fatalf("logout: %v, token %q", err, api.Token())
	}
	want := []string{
		"POST /api/v1/login ",
		"POST /api/v1/login ",
		"GET /api/v1/changes?after=17&limit=500 Bearer tok-123",
		"POST /api/v1/push Bearer tok-123",
		"POST /api/v1/logout Bearer tok-123",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadBaseURL checks that a mistyped server address is refused with a
// message that shows the expected form.
func TestBadBaseURL(t *testing.T) {
	for _, u := range []string{"", "fzzf.example.gov.cn", "ftp://x", "http://"} {
		if _, err := client.New(u, client.Options{}); assess.ErrorCode(err) != assess.EInvalid {
			t.Errorf("New(%q): err = %v, want EInvalid", u, err)
		}
	}
}

// TestCAFile checks that a server whose certificate comes from a private CA
// is trusted only when the CA file is given.
func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == wire.HealthPath {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()

	plain, err := client.New(srv.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = plain.Health(ctx)
	if assess.ErrorCode(err) != assess.EUnavailable || !strings.Contains(assess.ErrorMessage(err), "证书不受信任") {
		t.Fatalf("without the CA: err = %v, want an untrusted-certificate error", err)
	}

	dir := tempDir(t)
	caFile := filepath.Join(dir, "ca.pem")
	cert := srv.Certificate()
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	trusted, err := client.New(srv.URL, client.Options{CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	if err := trusted.Health(ctx); err != nil {
		t.Fatalf("with the CA: %v", err)
	}

	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.New(srv.URL, client.Options{CAFile: junk}); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("junk CA file: err = %v, want EInvalid", err)
	}
	if _, err := client.New(srv.URL, client.Options{CAFile: filepath.Join(dir, "missing.pem")}); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("missing CA file: err = %v, want EInvalid", err)
	}
}

// TestBackoffDelay checks the retry waits: bounded, growing, and the
// server's Retry-After honoured.
func TestBackoffDelay(t *testing.T) {
	b := client.Backoff{Base: 100 * time.Millisecond, Max: time.Second, Attempts: 4}
	for n := 1; n <= 10; n++ {
		ceil := min(100*time.Millisecond<<(n-1), time.Second)
		for range 50 {
			d := b.Delay(n, nil)
			if d < ceil/10 || d > ceil {
				t.Fatalf("Delay(%d) = %v, want within [%v, %v]", n, d, ceil/10, ceil)
			}
		}
	}
	ra := &client.RemoteError{Status: 429, RetryAfter: 3 * time.Second, Err: &assess.Error{Code: assess.ETooMany}}
	if d := b.Delay(1, ra); d != 3*time.Second {
		t.Errorf("Delay with Retry-After 3s = %v", d)
	}

	calls := 0
	err := client.Backoff{Base: time.Microsecond, Attempts: 4}.Do(context.Background(), func() error {
		calls++
		return &client.RemoteError{Status: 503, Err: &assess.Error{Code: assess.EUnavailable}}
	})
	if calls != 4 || assess.ErrorCode(err) != assess.EUnavailable {
		t.Errorf("retryable: %d calls, err %v; want 4 calls", calls, err)
	}
	calls = 0
	err = client.Backoff{Base: time.Microsecond, Attempts: 4}.Do(context.Background(), func() error {
		calls++
		return &client.RemoteError{Status: 409, Err: &assess.Error{Code: assess.EConflict}}
	})
	if calls != 1 || assess.ErrorCode(err) != assess.EConflict {
		t.Errorf("final: %d calls, err %v; want 1 call", calls, err)
	}
}

func TestChangePasswordKeepsWorking(t *testing.T) {
	c := newCity(t)
	api, err := client.New(c.http.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := api.Login(ctx, "rep-a", accounts["rep-a"].password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.ChangePassword(ctx, "wrong-old-1", "Another#2026"); assess.ErrorCode(err) != assess.EForbidden || api.Token() != first.Token {
		t.Fatalf("wrong old password: %v", err)
	}
	resp, err := api.ChangePassword(ctx, accounts["rep-a"].password, "Another#2026")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Token == "" || resp.Token == first.Token || api.Token() != resp.Token {
		t.Fatalf("new session not adopted: first %q, answer %q, in use %q", first.Token, resp.Token, api.Token())
	}
	if _, err := api.Me(ctx); err != nil {
		t.Fatalf("the new session does not work: %v", err)
	}
	old, _ := client.New(c.http.URL, client.Options{})
	old.SetToken(first.Token)
	if _, err := old.Me(ctx); assess.ErrorCode(err) != assess.EUnauthorized {
		t.Fatalf("the old session still works: %v", err)
	}
	if _, err := old.Login(ctx, "rep-a", "Another#2026"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
}
