//go:build release

package releasetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// release describes the build under test.
type release struct {
	root    string // the module root
	dist    string // dist/
	work    string // build/release
	version string // 0.1.0, 0.1.0-3-gabc1234
	numeric string // 0.1.0
	deb     string // the Debian version
}

// rel is the build under test, set by TestMain.
var rel release

func TestMain(m *testing.M) {
	r, err := findRelease()
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasetest:", err)
		os.Exit(1)
	}
	rel = r
	os.Exit(m.Run())
}

// findRelease locates the module root, dist/ and the work folder and reads
// the version the way the release script does.
func findRelease() (release, error) {
	wd, err := os.Getwd()
	if err != nil {
		return release{}, err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return release{}, errors.New("no go.mod above " + wd)
		}
		root = parent
	}
	r := release{
		root: root,
		dist: envOr("RELEASE_DIST", filepath.Join(root, "dist")),
		work: envOr("RELEASE_WORK", filepath.Join(root, "build", "release")),
	}
	out, err := exec.Command(filepath.Join(root, "scripts", "release", "version.sh")).Output()
	if err != nil {
		return release{}, fmt.Errorf("version.sh: %w", err)
	}
	r.version = strings.TrimSpace(string(out))
	r.numeric = numericVersion(r.version)
	r.deb = debianVersion(r.version)
	return r, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// numericVersion returns MAJOR.MINOR.PATCH of a version.
func numericVersion(v string) string {
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		return v[:i]
	}
	return v
}

var describeRE = regexp.MustCompile(`^([0-9.]+)-([0-9]+)-g([0-9a-f]+)(-dirty)?$`)

// debianVersion mirrors release.sh: commits after a tag sort after it, a
// pre-release before its release.
func debianVersion(v string) string {
	if m := describeRE.FindStringSubmatch(v); m != nil {
		d := m[1] + "+" + m[2] + ".g" + m[3]
		if m[4] != "" {
			d += ".dirty"
		}
		return d
	}
	return strings.ReplaceAll(v, "-", "~")
}

// artifacts are the file names dist/ must hold besides SHA256SUMS.
func (r release) artifacts() []string {
	return []string{
		"yiwangtong.exe",
		r.msi(),
		"yiwangtong-" + r.version + "-linux-amd64.tar.xz",
		r.debName(),
		"yiwangtong-server-" + r.version + "-linux-amd64.tar.gz",
		"yiwangtong-server-" + r.version + "-linux-arm64.tar.gz",
		"yiwangtong-server-" + r.version + "-windows-amd64.zip",
	}
}

func (r release) msi() string     { return "yiwangtong-" + r.version + "-windows-amd64.msi" }
func (r release) debName() string { return "yiwangtong_" + r.deb + "_amd64.deb" }
func (r release) path(name string) string {
	return filepath.Join(r.dist, name)
}

// command runs a program and returns its standard output; a failure ends
// the test with the program's output.
func command(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// tempDir is a temporary folder removed when the test ends.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "releasetest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestArtifactsExist(t *testing.T) {
	for _, name := range append(rel.artifacts(), "SHA256SUMS") {
		fi, err := os.Stat(rel.path(name))
		if err != nil {
			t.Errorf("dist/%s is missing (run make release): %v", name, err)
			continue
		}
		if fi.Size() == 0 {
			t.Errorf("dist/%s is empty", name)
		}
	}
}

// readSums parses SHA256SUMS into name → hex digest.
func readSums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(rel.path("SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("SHA256SUMS: bad line %q", sc.Text())
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func TestChecksums(t *testing.T) {
	command(t, rel.dist, nil, "sha256sum", "--strict", "-c", "SHA256SUMS")

	sums := readSums(t)
	entries, err := os.ReadDir(rel.dist)
	if err != nil {
		t.Fatal(err)
	}
	var inDist []string
	for _, e := range entries {
		if e.Name() == "SHA256SUMS" || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		inDist = append(inDist, e.Name())
		if _, ok := sums[e.Name()]; !ok {
			t.Errorf("dist/%s is not listed in SHA256SUMS", e.Name())
		}
	}
	want := rel.artifacts()
	sort.Strings(want)
	sort.Strings(inDist)
	if strings.Join(want, "\n") != strings.Join(inDist, "\n") {
		t.Errorf("dist/ holds\n  %s\nwant\n  %s", strings.Join(inDist, "\n  "), strings.Join(want, "\n  "))
	}

	// The check itself must catch a changed file.
	dir := tempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("two"))
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", "SHA256SUMS")
	cmd.Dir = dir
	if cmd.Run() == nil {
		t.Error("sha256sum -c accepted a file that does not match its sum")
	}
}
