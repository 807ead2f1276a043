//go:build release

package releasetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// winePackages are the packages whose tests must also pass as Windows
// binaries: everything below them that has tests.
var winePackages = []string{"./assess", "./localdb", "./sync/...", "./report/..."}

// testPackage is one package with tests.
type testPackage struct {
	importPath string
	dir        string
}

// windowsTestPackages lists the packages of winePackages that have tests
// when built for Windows.
func windowsTestPackages(t *testing.T) []testPackage {
	t.Helper()
	args := append([]string{"list", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{len .TestGoFiles}}\t{{len .XTestGoFiles}}"}, winePackages...)
	out := command(t, rel.root, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, goTool(), args...)
	var pkgs []testPackage
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 4 && (f[2] != "0" || f[3] != "0") {
			pkgs = append(pkgs, testPackage{importPath: f[0], dir: f[1]})
		}
	}
	if len(pkgs) == 0 {
		t.Fatalf("no package with tests in %v", winePackages)
	}
	return pkgs
}

// binName names the Windows test binary of a package.
func binName(p testPackage) string {
	return strings.ReplaceAll(shortName(p), "/", "_") + ".test.exe"
}

// shortName is a package's path inside the module.
func shortName(p testPackage) string {
	return strings.TrimPrefix(p.importPath, "github.com/yiwangtong/yiwangtong/")
}

func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// wine finds Debian's wine64 loader.
func wine() (string, bool) {
	for _, name := range []string{"wine64", "/usr/lib/wine/wine64", "wine"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// winePrefix makes (once) the Wine prefix under the work folder and puts the
// bcryptprimitives.dll stand-in into its system32: Wine 8 lacks the DLL, and
// Go 1.24 and later abort at start without its ProcessPrng.
func winePrefix(t *testing.T, loader string) []string {
	t.Helper()
	prefix := filepath.Join(rel.work, "wine")
	home := filepath.Join(rel.work, "wine-home") // Wine links shell folders into HOME
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"WINEPREFIX=" + prefix,
		"WINEDEBUG=-all",
		// No Mono or Gecko installer prompts, no menu entries in HOME.
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
		"WINEARCH=win64",
	}
	shim := filepath.Join(rel.work, "bcryptprimitives.dll")
	src := filepath.Join(rel.root, "scripts", "release")
	command(t, "", nil, "x86_64-w64-mingw32-gcc", "-shared", "-O2", "-Wall", "-static-libgcc",
		"-o", shim, filepath.Join(src, "bcryptprimitives.c"), filepath.Join(src, "bcryptprimitives.def"), "-ladvapi32")
	if _, err := os.Stat(filepath.Join(prefix, "system.reg")); err != nil {
		t.Logf("making the Wine prefix %s", prefix)
		command(t, "", env, loader, "wineboot", "--init")
	}
	// Tests whose clean-up fails under Wine leave their folders in the
	// prefix's temporary folder; start each run with it empty.
	temps, _ := filepath.Glob(filepath.Join(prefix, "drive_c", "users", "*", "Temp", "*"))
	more, _ := filepath.Glob(filepath.Join(prefix, "drive_c", "users", "*", "AppData", "Local", "Temp", "*"))
	for _, p := range append(temps, more...) {
		os.RemoveAll(p)
	}
	data, err := os.ReadFile(shim)
	if err != nil {
		t.Fatal(err)
	}
	sys32 := filepath.Join(prefix, "drive_c", "windows", "system32")
	if err := os.WriteFile(filepath.Join(sys32, "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatalf("install bcryptprimitives.dll into the Wine prefix: %v", err)
	}
	t.Cleanup(func() {
		// Stop this prefix's wineserver rather than leave it to linger.
		ws, err := exec.LookPath("wineserver")
		if err != nil {
			ws = filepath.Join(filepath.Dir(loader), "wineserver")
		}
		c := exec.Command(ws, "-k")
		c.Env = append(os.Environ(), env...)
		c.Run()
	})
	return env
}

// testRun is the outcome of one test binary under Wine.
type testRun struct {
	passed bool                // the binary passed as a whole
	failed []string            // the tests that failed, subtests included
	output map[string][]string // each failed test's output
	rest   string              // output not tied to a test (panics, Wine)
	err    error               // how the binary exited
}

// runUnderWine runs a Windows test binary in dir through test2json.
func runUnderWine(loader, exe, pkg, dir string, env []string) testRun {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool(), "tool", "test2json", "-p", pkg,
		loader, exe, "-test.v=test2json", "-test.count=1", "-test.timeout=15m")
	cmd.Dir = dir // testdata/ is relative to the package, as with go test
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	run := testRun{err: cmd.Run(), output: map[string][]string{}}

	outputs := map[string][]string{}
	var rest strings.Builder
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var ev struct {
			Action, Test, Output string
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			rest.WriteString(sc.Text() + "\n")
			continue
		}
		switch {
		case ev.Action == "output" && ev.Test != "":
			outputs[ev.Test] = append(outputs[ev.Test], strings.TrimRight(ev.Output, "\n"))
		case ev.Action == "output":
			rest.WriteString(ev.Output)
		case ev.Action == "fail" && ev.Test != "":
			run.failed = append(run.failed, ev.Test)
			run.output[ev.Test] = outputs[ev.Test]
		case ev.Action == "pass" && ev.Test == "":
			run.passed = true
		}
	}
	run.passed = run.passed && run.err == nil
	run.rest = rest.String() + stderr.String()
	sort.Strings(run.failed)
	return run
}

// tempDirCleanup is the message Go's testing package reports when it cannot
// remove a t.TempDir folder.
const tempDirCleanup = "TempDir RemoveAll cleanup"

// wineDeleteOverlay writes a -overlay file that lets os.RemoveAll work under
// Wine 8, for the diagnosis only: Go 1.26 deletes files in os.RemoveAll with
// NtSetInformationFile(FileDispositionInformationEx), which Wine 8 answers
// with STATUS_NOT_IMPLEMENTED ("Invalid function"), a status after which Go
// does not fall back to the older call. The overlay adds it to the statuses
// that fall back. It returns "" when this Go's source no longer matches.
func wineDeleteOverlay(t *testing.T, dir string) string {
	t.Helper()
	goroot := strings.TrimSpace(command(t, "", nil, goTool(), "env", "GOROOT"))
	orig := filepath.Join(goroot, "src", "internal", "syscall", "windows", "at_windows.go")
	src, err := os.ReadFile(orig)
	if err != nil {
		return ""
	}
	const old = "\t\tSTATUS_NOT_SUPPORTED:     // the file system doesn't support FILE_DISPOSITION_INFORMATION_EX or one of the flags\n"
	if !bytes.Contains(src, []byte(old)) {
		return ""
	}
	patched := bytes.Replace(src, []byte(old), []byte("\t\tSTATUS_NOT_SUPPORTED,\n\t\tNTStatus(0xC0000002): // STATUS_NOT_IMPLEMENTED (Wine 8)\n"), 1)
	file := filepath.Join(dir, "at_windows.go")
	if err := os.WriteFile(file, patched, 0o644); err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {orig: file}})
	name := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(name, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// topLevel returns the distinct top-level test names of a list of tests.
func topLevel(tests []string) []string {
	seen := map[string]bool{}
	var top []string
	for _, n := range tests {
		n, _, _ = strings.Cut(n, "/")
		if !seen[n] {
			seen[n] = true
			top = append(top, n)
		}
	}
	return top
}

// explain describes the failures of one package under Wine. When t.TempDir
// clean-up failed, it rebuilds the tests with the diagnostic overlay and
// runs them again to tell the tests that fail only for that reason from
// those that fail for others.
func explain(t *testing.T, p testPackage, run testRun, loader string, env []string) string {
	var b strings.Builder
	cleanup := false
	for _, out := range run.output {
		for _, l := range out {
			if strings.Contains(l, tempDirCleanup) {
				cleanup = true
			}
		}
	}
	real := run
	if cleanup {
		dir := filepath.Join(rel.work, "wintest", "diagnosis")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if overlay := wineDeleteOverlay(t, dir); overlay != "" {
			exe := filepath.Join(dir, binName(p))
			cmd := exec.Command(goTool(), "test", "-c", "-overlay", overlay, "-o", exe, p.importPath)
			cmd.Dir = rel.root
			cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(&b, "(the diagnostic rebuild failed: %v\n%s)\n", err, out)
			} else {
				real = runUnderWine(loader, exe, p.importPath, p.dir, env)
				still := map[string]bool{}
				for _, n := range topLevel(real.failed) {
					still[n] = true
				}
				var only []string
				for _, n := range topLevel(run.failed) {
					if !still[n] {
						only = append(only, n)
					}
				}
				if len(only) > 0 {
					fmt.Fprintf(&b, "fail only because t.TempDir's clean-up fails under Wine 8 "+
						"(os.RemoveAll: unlinkat … Invalid function; use os.MkdirTemp with t.Cleanup(os.RemoveAll) in these tests):\n  %s\n",
						strings.Join(only, "\n  "))
				}
			}
		}
	}
	if len(real.failed) > 0 || !real.passed {
		fmt.Fprintf(&b, "fail for other reasons (%v):\n", real.err)
		for _, n := range real.failed {
			var lines []string
			for _, l := range real.output[n] {
				if trim := strings.TrimSpace(l); strings.Contains(l, tempDirCleanup) || strings.HasPrefix(trim, "=== ") || strings.HasPrefix(trim, "--- ") {
					continue
				}
				lines = append(lines, l)
			}
			if len(lines) > 40 {
				lines = append(lines[:40], "    …")
			}
			fmt.Fprintf(&b, "  %s\n%s\n", n, strings.Join(lines, "\n"))
		}
		var lines []string
		for _, l := range strings.Split(real.rest, "\n") {
			trim := strings.TrimSpace(l)
			if trim != "" && trim != "FAIL" && trim != "PASS" && !strings.HasPrefix(trim, "--- FAIL") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			fmt.Fprintf(&b, "  output outside the tests:\n%s\n", strings.Join(lines, "\n"))
		}
	}
	return b.String()
}

// TestWindowsPackagesUnderWine cross-compiles the non-GUI packages' tests
// for windows/amd64 and runs each test binary under Wine, one subtest per
// package.
func TestWindowsPackagesUnderWine(t *testing.T) {
	pkgs := windowsTestPackages(t)
	bins := filepath.Join(rel.work, "wintest")
	if err := os.MkdirAll(bins, 0o755); err != nil {
		t.Fatal(err)
	}

	// Build every test binary first: they must build even where Wine
	// cannot run them.
	built := map[string]string{}
	for _, p := range pkgs {
		exe := filepath.Join(bins, binName(p))
		cmd := exec.Command(goTool(), "test", "-c", "-o", exe, p.importPath)
		cmd.Dir = rel.root
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=windows go test -c %s: %v\n%s", p.importPath, err, out)
			continue
		}
		built[p.importPath] = exe
	}

	loader, ok := wine()
	if !ok {
		t.Skip("wine64 is not installed: the Windows test binaries built, but were not run")
	}
	env := winePrefix(t, loader)

	for _, p := range pkgs {
		exe, ok := built[p.importPath]
		if !ok {
			continue
		}
		t.Run(shortName(p), func(t *testing.T) {
			run := runUnderWine(loader, exe, p.importPath, p.dir, env)
			if run.passed {
				t.Logf("%s: PASS under Wine", p.importPath)
				return
			}
			t.Errorf("%s FAILS under Wine; failing tests: %s\n%s",
				p.importPath, strings.Join(topLevel(run.failed), " "), explain(t, p, run, loader, env))
		})
	}
}
