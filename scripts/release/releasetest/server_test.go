//go:build release

package releasetest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// untarGz unpacks a .tar.gz into dir and returns its members with modes.
func untarGz(t *testing.T, archive, dir string) map[string]fs.FileMode {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]fs.FileMode{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(h.Name) {
			t.Fatalf("%s: member %q escapes the folder", archive, h.Name)
		}
		members[strings.TrimSuffix(h.Name, "/")] = h.FileInfo().Mode()
		target := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, h.FileInfo().Mode().Perm())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, tr); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		default:
			t.Errorf("%s: member %s has type %c", archive, h.Name, h.Typeflag)
		}
	}
	return members
}

func TestServerArchives(t *testing.T) {
	for _, arch := range []struct {
		goarch  string
		machine elf.Machine
	}{{"amd64", elf.EM_X86_64}, {"arm64", elf.EM_AARCH64}} {
		t.Run("linux-"+arch.goarch, func(t *testing.T) {
			name := "yiwangtong-server-" + rel.version + "-linux-" + arch.goarch
			dir := tempDir(t)
			members := untarGz(t, rel.path(name+".tar.gz"), dir)
			want := map[string]fs.FileMode{
				name:                                fs.ModeDir | 0o755,
				name + "/yiwangtong-server":         0o755,
				name + "/yiwangtong-server.service": 0o644,
				name + "/yiwangtong-server.env":     0o644,
			}
			if len(members) != len(want) {
				t.Errorf("members %v, want %v", keys(members), keys(want))
			}
			for m, mode := range want {
				if got, ok := members[m]; !ok || got != mode {
					t.Errorf("%s: mode %v (present %v), want %v", m, got, ok, mode)
				}
			}
			f, err := elf.Open(filepath.Join(dir, name, "yiwangtong-server"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != arch.machine {
				t.Errorf("machine %v, want %v", f.Machine, arch.machine)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					t.Error("the server is dynamically linked: it must be built with CGO_ENABLED=0")
				}
			}
		})
	}
	t.Run("windows-amd64", func(t *testing.T) {
		name := "yiwangtong-server-" + rel.version + "-windows-amd64"
		zr, err := zip.OpenReader(rel.path(name + ".zip"))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		got := map[string]bool{}
		for _, f := range zr.File {
			if !f.FileInfo().IsDir() {
				got[f.Name] = true
			}
		}
		for _, m := range []string{"yiwangtong-server.exe", "yiwangtong-server.cmd"} {
			if !got[name+"/"+m] {
				t.Errorf("the zip lacks %s/%s (has %v)", name, m, keys(got))
			}
		}
		if len(got) != 2 {
			t.Errorf("the zip holds %v, want exactly the exe and the .cmd", keys(got))
		}
	})
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// linuxServer unpacks the linux/amd64 server archive and returns its folder.
func linuxServer(t *testing.T) string {
	t.Helper()
	name := "yiwangtong-server-" + rel.version + "-linux-amd64"
	dir := tempDir(t)
	untarGz(t, rel.path(name+".tar.gz"), dir)
	return filepath.Join(dir, name)
}

func TestServerVersion(t *testing.T) {
	dir := linuxServer(t)
	out := command(t, dir, nil, "./yiwangtong-server", "--version")
	if got, want := strings.TrimSpace(out), "yiwangtong-server "+rel.version; got != want {
		t.Errorf("--version printed %q, want %q", got, want)
	}
}

// readEnvFile parses a systemd EnvironmentFile of KEY=VALUE lines.
func readEnvFile(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: bad line %q", name, line)
		}
		env[k] = v
	}
	return env
}

// unitValues returns the values of one key in a systemd unit file.
func unitValues(t *testing.T, name, key string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

var varRE = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// execStart expands ExecStart the way systemd does for words that are a
// whole "${VAR}": each becomes exactly one argument, empty or not.
func execStart(t *testing.T, line string, env map[string]string) []string {
	t.Helper()
	var argv []string
	for _, w := range strings.Fields(line) {
		if m := varRE.FindStringSubmatch(w); m != nil {
			v, ok := env[m[1]]
			if !ok {
				t.Errorf("ExecStart uses ${%s}, which the example configuration does not set", m[1])
			}
			argv = append(argv, v)
			continue
		}
		if strings.Contains(w, "$") {
			t.Errorf("ExecStart word %q: only whole ${VAR} words are expected", w)
		}
		argv = append(argv, w)
	}
	return argv
}

// serveFlags lists the flags of "yiwangtong-server serve".
func serveFlags(t *testing.T, bin string) []string {
	t.Helper()
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9-]*)`).FindAllStringSubmatch(string(out), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("serve -h lists no flags:\n%s", out)
	}
	return flags
}

// TestServerConfig starts the server exactly as the systemd unit would with
// the example configuration, only on a loopback port and a temporary data
// folder, and checks that it serves and stops cleanly on SIGTERM.
func TestServerConfig(t *testing.T) {
	dir := linuxServer(t)
	unit := filepath.Join(dir, "yiwangtong-server.service")
	env := readEnvFile(t, filepath.Join(dir, "yiwangtong-server.env"))

	for key, want := range map[string]string{
		"EnvironmentFile": "/etc/yiwangtong/server.env",
		"User":            "yiwangtong",
		"StateDirectory":  "yiwangtong",
		"WantedBy":        "multi-user.target",
	} {
		if got := unitValues(t, unit, key); len(got) != 1 || got[0] != want {
			t.Errorf("unit %s=%v, want %s", key, got, want)
		}
	}
	if env["YIWANGTONG_DATA"] != "/var/lib/yiwangtong" {
		t.Errorf("the example data folder %q is not the unit's StateDirectory /var/lib/yiwangtong", env["YIWANGTONG_DATA"])
	}
	starts := unitValues(t, unit, "ExecStart")
	if len(starts) != 1 {
		t.Fatalf("ExecStart lines %v, want one", starts)
	}
	argv := execStart(t, starts[0], env)
	if argv[0] != "/usr/local/bin/yiwangtong-server" || argv[1] != "serve" {
		t.Fatalf("ExecStart runs %v, want /usr/local/bin/yiwangtong-server serve …", argv)
	}
	bin := filepath.Join(dir, "yiwangtong-server")
	for _, flag := range serveFlags(t, bin) {
		if !strings.Contains(starts[0], "--"+flag+" ") {
			t.Errorf("serve takes --%s, which the unit and the example configuration do not set", flag)
		}
	}

	env["YIWANGTONG_ADDR"] = "127.0.0.1:0"
	env["YIWANGTONG_DATA"] = filepath.Join(tempDir(t), "数据 目录")
	argv = execStart(t, starts[0], env)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, argv[1:]...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log []string
	listening := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		log = append(log, sc.Text())
		var rec struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "listening" {
			listening = true
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if !listening {
		t.Fatalf("the server never listened with the example configuration: %v\n%s", err, strings.Join(log, "\n"))
	}
	if err != nil {
		t.Errorf("the server did not stop cleanly on SIGTERM: %v\n%s", err, strings.Join(log, "\n"))
	}
	if _, err := os.Stat(filepath.Join(env["YIWANGTONG_DATA"], "server.db")); err != nil {
		t.Errorf("the server made no database in the configured data folder: %v", err)
	}
}

// TestServerCmdUnderWine starts the Windows server through its start
// script under Wine, on a loopback port, and checks that the script passes
// every flag of "serve" and that the server reports the release version.
func TestServerCmdUnderWine(t *testing.T) {
	name := "yiwangtong-server-" + rel.version + "-windows-amd64"
	dir := tempDir(t)
	zr, err := zip.OpenReader(rel.path(name + ".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		extractZip(t, rel.path(name+".zip"), f.Name, filepath.Join(dir, filepath.Dir(f.Name)))
	}
	script := filepath.Join(dir, name, "yiwangtong-server.cmd")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, flag := range serveFlags(t, filepath.Join(linuxServer(t), "yiwangtong-server")) {
		if !strings.Contains(string(data), "--"+flag+" ") {
			t.Errorf("serve takes --%s, which yiwangtong-server.cmd does not set", flag)
		}
	}
	const addr = `set "YIWANGTONG_ADDR=0.0.0.0:8080"`
	if !strings.Contains(string(data), addr) {
		t.Fatalf("yiwangtong-server.cmd has no line %s", addr)
	}
	// Port 8080 may be taken on this machine; the rest stays as shipped.
	local := strings.Replace(string(data), addr, `set "YIWANGTONG_ADDR=127.0.0.1:0"`, 1)
	if err := os.WriteFile(script, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}

	loader, ok := wine()
	if !ok {
		t.Skip("wine64 is not installed")
	}
	env := winePrefix(t, loader)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, loader, "cmd", "/c", winPath(script))
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Stop every process of the prefix: the server runs as a child of cmd.
	stop := func() {
		ws, err := exec.LookPath("wineserver")
		if err != nil {
			ws = filepath.Join(filepath.Dir(loader), "wineserver")
		}
		k := exec.Command(ws, "-k")
		k.Env = append(os.Environ(), env...)
		k.Run()
	}
	var log []string
	var listening struct {
		Msg, Addr, Data, Version string
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		log = append(log, sc.Text())
		if json.Unmarshal(sc.Bytes(), &listening) == nil && listening.Msg == "listening" {
			stop()
		}
	}
	cmd.Wait()
	if listening.Msg != "listening" {
		t.Fatalf("the server never listened when started by yiwangtong-server.cmd:\n%s", strings.Join(log, "\n"))
	}
	if listening.Version != rel.version {
		t.Errorf("the Windows server reports version %q, want %s", listening.Version, rel.version)
	}
	if !strings.HasSuffix(listening.Data, name+`\data`) {
		t.Errorf("the script's data folder is %s, want the data folder beside the exe", listening.Data)
	}
	if _, err := os.Stat(filepath.Join(dir, name, "data", "server.db")); err != nil {
		t.Errorf("no database in the data folder beside the exe: %v", err)
	}
}
