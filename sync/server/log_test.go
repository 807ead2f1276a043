package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	a := e.account("rep-a")
	tok := e.login("rep-a")
	e.do(http.MethodPost, wire.LoginPath, "", wire.LoginRequest{Username: "rep-a", Password: "Wrong#" + a.password})
	e.do(http.MethodPost, wire.PasswordPath, tok, wire.PasswordRequest{Old: a.password, New: "weak"})
	e.do(http.MethodGet, wire.ChangesPath+"?after=0", tok, nil)
	e.upload("rep-a", "a.pdf", pdf(1000, 30))
	e.secrets = append(e.secrets, "Wrong#"+a.password)

	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(e.log.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		lines = append(lines, m)
	}
	found := map[string]bool{}
	for _, m := range lines {
		if m["msg"] != "request" {
			continue
		}
		for _, k := range []string{"method", "path", "status", "duration_ms", "user", "addr"} {
			if _, ok := m[k]; !ok {
				t.Errorf("request line without %s: %v", k, m)
			}
		}
		key := m["method"].(string) + " " + m["path"].(string)
		if key == "GET "+wire.ChangesPath && m["user"] == a.user.ID && m["status"] == float64(200) {
			found["changes"] = true
		}
		if key == "POST "+wire.LoginPath && m["status"] == float64(401) {
			found["failed login"] = true
		}
		if key == "POST "+wire.LoginPath && m["status"] == float64(200) && m["user"] == a.user.ID {
			found["login"] = true
		}
		if strings.HasPrefix(key, "PATCH "+wire.UploadsPath) && m["user"] == a.user.ID {
			found["patch"] = true
		}
	}
	for _, want := range []string{"changes", "failed login", "login", "patch"} {
		if !found[want] {
			t.Errorf("no log line for %s", want)
		}
	}
	// e.checkLog runs at cleanup: no password, token or Authorization
	// header in any line. Make sure it would notice one.
	if got := leaks(`{"msg":"oops","password":"`+a.password+`"}`, []string{a.password}); len(got) != 1 {
		t.Errorf("a password in the log: %v", got)
	}
	if got := leaks(`{"header":"Authorization: Bearer abc"}`, nil); len(got) != 2 {
		t.Errorf("a header in the log: %v", got)
	}
}
