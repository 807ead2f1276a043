package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"

	_ "modernc.org/sqlite"
)

// result is what one run of the command left behind.
type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// credentials parses the demo's output lines.
func credentials(t *testing.T, out string) map[string][4]string {
	t.Helper()
	creds := map[string][4]string{}
	for line := range strings.SplitSeq(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 || f[0] == "" || f[3] == "" {
			t.Fatalf("demo line %q is not username<TAB>role<TAB>unit<TAB>password", line)
		}
		creds[f[0]] = [4]string(f)
	}
	return creds
}

func openData(t *testing.T, data string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(data, "server.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestUsage(t *testing.T) {
	if r := runCmd(t, ""); r.code != exitUsage || !strings.Contains(r.stderr, "用法 (usage)") {
		t.Errorf("no arguments: %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, "", "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, "frobnicate") {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, "", "--version"); r.code != exitOK || !strings.HasPrefix(r.stdout, "yiwangtong-server ") {
		t.Errorf("--version: %d %q", r.code, r.stdout)
	}
	for _, args := range [][]string{
		{"serve"},
		{"verify"},
		{"backup", "--data", t.TempDir()},
		{"user", "add", "--data", t.TempDir(), "--username", "x"},
		{"user", "frob"},
		{"demo", "--data", t.TempDir(), "--year", "1999"},
		{"serve", "--data", t.TempDir(), "--cert", "a.pem"},
		{"verify", "--data", t.TempDir(), "extra"},
	} {
		if r := runCmd(t, "", args...); r.code != exitUsage || r.stderr == "" {
			t.Errorf("%v: %d %q, want usage error", args, r.code, r.stderr)
		}
	}
	// Commands on a folder without a database do not create one.
	empty := t.TempDir()
	if r := runCmd(t, "", "verify", "--data", empty); r.code != exitFail || !strings.Contains(r.stderr, "没有数据库") {
		t.Errorf("verify on an empty folder: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(empty, "server.db")); err == nil {
		t.Error("verify created a database")
	}
}

func TestDemoVerifyBackupUsers(t *testing.T) {
	data := t.TempDir()
	r := runCmd(t, "", "demo", "--data", data, "--year", "2026")
	if r.code != exitOK {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	creds := credentials(t, r.stdout)
	reviewers, reporters := 0, 0
	for _, c := range creds {
		switch assess.Role(c[1]) {
		case assess.Reviewer:
			reviewers++
		case assess.Reporter:
			reporters++
			if c[2] == "" {
				t.Errorf("reporter %s without a unit", c[0])
			}
		default:
			t.Errorf("role %q", c[1])
		}
	}
	if reviewers < 2 || reporters < 10 {
		t.Errorf("%d reviewers, %d reporters", reviewers, reporters)
	}
	// The printed password is the one stored.
	st := openData(t, data)
	ctx := context.Background()
	for _, c := range creds {
		_, hash, err := st.UserByUsername(ctx, c[0])
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := server.CheckPassword(hash, c[3]); !ok || err != nil {
			t.Errorf("%s: the printed password does not log in (%v)", c[0], err)
		}
		break // one argon2 check is enough
	}

	if r := runCmd(t, "", "demo", "--data", data); r.code != exitFail || !strings.Contains(r.stderr, "--force") {
		t.Errorf("demo over a database: %d %q", r.code, r.stderr)
	}

	r = runCmd(t, "", "verify", "--data", data)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "审计链校验通过 (audit chain verified): ") || !strings.Contains(r.stdout, "events, head ") {
		t.Fatalf("verify: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// An online backup while the store is open, then again to the same file.
	out := filepath.Join(t.TempDir(), "backup.db")
	if r := runCmd(t, "", "backup", "--data", data, "--out", out); r.code != exitOK {
		t.Fatalf("backup: %d %s", r.code, r.stderr)
	}
	if r := runCmd(t, "", "backup", "--data", data, "--out", out); r.code != exitFail || !strings.Contains(r.stderr, "已存在") {
		t.Errorf("backup over a file: %d %q", r.code, r.stderr)
	}
	copyDir := t.TempDir()
	if err := os.Rename(out, filepath.Join(copyDir, "server.db")); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, "", "verify", "--data", copyDir); r.code != exitOK {
		t.Errorf("verify the backup: %d %s", r.code, r.stderr)
	}
	if _, _, err := openData(t, copyDir).UserByUsername(ctx, "shenhe1"); err != nil {
		t.Errorf("the backup lacks the users: %v", err)
	}

	// Accounts.
	r = runCmd(t, "Temp#2026pw\n", "user", "add", "--data", data, "--username", "zhangsan", "--name", "张三",
		"--role", "reporter", "--unit", "dongcheng", "--password-stdin")
	if r.code != exitOK {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	u, hash, err := st.UserByUsername(ctx, "zhangsan")
	if err != nil || u.Role != assess.Reporter || u.UnitID != "dongcheng" || u.Name != "张三" {
		t.Fatalf("added user %+v %v", u, err)
	}
	if ok, _ := server.CheckPassword(hash, "Temp#2026pw"); !ok {
		t.Error("the password from stdin is not the stored one")
	}
	r = runCmd(t, "", "user", "add", "--data", data, "--username", "lisi", "--name", "李四", "--role", "reviewer", "--admin")
	if r.code != exitOK {
		t.Fatalf("user add with a generated password: %d %s", r.code, r.stderr)
	}
	line := credentials(t, r.stdout)["lisi"]
	if line[1] != "reviewer" || assess.ValidatePassword(line[3]) != nil {
		t.Errorf("generated: %q", r.stdout)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		says  string
	}{
		{"Temp#2026pw\n", []string{"--username", "zhangsan", "--name", "x", "--role", "reporter", "--unit", "dongcheng", "--password-stdin"}, "已存在"},
		{"short\n", []string{"--username", "wangwu", "--name", "x", "--role", "reporter", "--unit", "dongcheng", "--password-stdin"}, "8"},
		{"", []string{"--username", "wangwu", "--name", "x", "--role", "reporter", "--unit", "dongcheng", "--password-stdin"}, "没有密码"},
		{"", []string{"--username", "wangwu", "--name", "x", "--role", "reporter"}, "单位"},
		{"", []string{"--username", "a b", "--name", "x", "--role", "reviewer"}, "空格"},
	} {
		r := runCmd(t, tc.stdin, append([]string{"user", "add", "--data", data}, tc.args...)...)
		if r.code != exitFail || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("user add %v: %d %q, want a failure mentioning %q", tc.args, r.code, r.stderr, tc.says)
		}
	}
	if r := runCmd(t, "", "user", "add", "--data", data, "--username", "x1", "--name", "x", "--role", "boss"); r.code != exitUsage {
		t.Errorf("unknown role: %d", r.code)
	}

	if r := runCmd(t, "New#2026pass\n", "user", "passwd", "--data", data, "--username", "zhangsan"); r.code != exitOK {
		t.Fatalf("user passwd: %d %s", r.code, r.stderr)
	}
	_, hash, _ = st.UserByUsername(ctx, "zhangsan")
	if ok, _ := server.CheckPassword(hash, "New#2026pass"); !ok {
		t.Error("user passwd did not change the password")
	}
	if r := runCmd(t, "", "user", "disable", "--data", data, "--username", "zhangsan"); r.code != exitOK {
		t.Fatalf("user disable: %d %s", r.code, r.stderr)
	}
	if u, _, _ := st.UserByUsername(ctx, "zhangsan"); !u.Disabled {
		t.Error("user disable did not disable")
	}
	if r := runCmd(t, "", "user", "enable", "--data", data, "--username", "zhangsan"); r.code != exitOK {
		t.Fatalf("user enable: %d %s", r.code, r.stderr)
	}
	if u, _, _ := st.UserByUsername(ctx, "zhangsan"); u.Disabled {
		t.Error("user enable did not enable")
	}
	if r := runCmd(t, "", "user", "disable", "--data", data, "--username", "nobody"); r.code != exitFail || !strings.Contains(r.stderr, "不存在") {
		t.Errorf("disable an unknown user: %d %q", r.code, r.stderr)
	}

	// The account changes are in the audit chain, which still holds.
	if r := runCmd(t, "", "verify", "--data", data); r.code != exitOK {
		t.Errorf("verify after the account changes: %d %s", r.code, r.stderr)
	}
	if r := runCmd(t, "", "demo", "--data", data, "--force"); r.code != exitOK || len(credentials(t, r.stdout)) != len(creds) {
		t.Errorf("demo --force: %d %s", r.code, r.stderr)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	data := t.TempDir()
	if r := runCmd(t, "", "demo", "--data", data); r.code != exitOK {
		t.Fatalf("demo: %s", r.stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER audit_no_update`,
		`UPDATE audit SET actor = 'someone-else' WHERE seq = 3`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	r := runCmd(t, "", "verify", "--data", data)
	if r.code != exitFail || !strings.HasPrefix(r.stderr, "审计链校验失败 (audit chain broken): ") {
		t.Errorf("verify after tampering: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// serving runs the serve command until the test ends and returns its
// address once it listens.
func serving(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	logs := make(chan []byte, 1)
	go func() {
		var all bytes.Buffer
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			all.Write(sc.Bytes())
			all.WriteByte('\n')
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
			}
		}
		logs <- all.Bytes()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exited %d", code)
		}
		out := <-logs
		if !bytes.Contains(out, []byte(`"msg":"stopped"`)) {
			t.Errorf("serve did not shut down cleanly:\n%s", out)
		}
	})
	select {
	case a := <-addr:
		return a
	case code := <-done:
		t.Fatalf("serve exited %d before listening", code)
	}
	return ""
}

func TestServe(t *testing.T) {
	data := t.TempDir()
	r := runCmd(t, "", "demo", "--data", data)
	if r.code != exitOK {
		t.Fatalf("demo: %s", r.stderr)
	}
	var user, pw string
	for _, c := range credentials(t, r.stdout) {
		if c[1] == string(assess.Reporter) {
			user, pw = c[0], c[3]
			break
		}
	}
	addr := serving(t, "--data", data, "--session-ttl", "1h")
	base := "http://" + addr
	resp, err := http.Get(base + wire.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	login, _ := json.Marshal(wire.LoginRequest{Username: user, Password: pw})
	resp, err = http.Post(base+wire.LoginPath, "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	var lr wire.LoginResponse
	json.NewDecoder(resp.Body).Decode(&lr)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || lr.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	if d := time.Until(lr.ExpiresAt); d > time.Hour || d < 50*time.Minute {
		t.Errorf("--session-ttl 1h: the session expires in %v", d)
	}
	// The evidence and upload folders are under --data.
	for _, dir := range []string{"evidence", "uploads"} {
		if st, err := os.Stat(filepath.Join(data, dir)); err != nil || !st.IsDir() {
			t.Errorf("%s folder: %v", dir, err)
		}
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	data := filepath.Join(dir, "data")
	addr := serving(t, "--data", data, "--cert", certFile, "--key", keyFile)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + wire.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("healthz over TLS: %d", resp.StatusCode)
	}
	// Plain HTTP on the TLS port is refused.
	if resp, err := http.Get("http://" + addr + wire.HealthPath); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served on the TLS port")
		}
	}
	if r := runCmd(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0", "--cert", keyFile, "--key", certFile); r.code != exitFail {
		t.Errorf("swapped certificate and key: %d", r.code)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "yiwangtong test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write := func(path, kind string, b []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "EC PRIVATE KEY", keyDER)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
