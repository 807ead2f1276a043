//go:build release

package releasetest

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const appID = "cn.gov.yiwangtong"

// desktopEntry parses the [Desktop Entry] group of a .desktop file.
func desktopEntry(t *testing.T, data []byte) map[string]string {
	t.Helper()
	entry := map[string]string{}
	group := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			group = line
		case group == "[Desktop Entry]":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("desktop entry: bad line %q", line)
				continue
			}
			entry[k] = v
		}
	}
	return entry
}

// checkDesktopEntry checks the names, command and icon of the desktop entry.
func checkDesktopEntry(t *testing.T, data []byte, execLine string) {
	t.Helper()
	e := desktopEntry(t, data)
	for k, want := range map[string]string{
		"Type":     "Application",
		"Name":     "一网通",
		"Name[en]": "Yiwangtong",
		"Exec":     execLine,
		"Icon":     appID,
		"Terminal": "false",
	} {
		if e[k] != want {
			t.Errorf("desktop entry %s=%q, want %q", k, e[k], want)
		}
	}
	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		f := filepath.Join(tempDir(t), appID+".desktop")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		command(t, "", nil, "desktop-file-validate", f)
	}
}

// debField reads one control field of the .deb.
func debField(t *testing.T, field string) string {
	t.Helper()
	return strings.TrimSpace(command(t, "", nil, "dpkg-deb", "-f", rel.path(rel.debName()), field))
}

func TestDeb(t *testing.T) {
	deb := rel.path(rel.debName())
	for field, want := range map[string]string{
		"Package":      "yiwangtong",
		"Version":      rel.deb,
		"Architecture": "amd64",
	} {
		if got := debField(t, field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	info := command(t, "", nil, "dpkg-deb", "-I", deb)
	if !strings.Contains(info, "一网通") {
		t.Errorf("the package description does not name 一网通:\n%s", info)
	}

	listing := command(t, "", nil, "dpkg-deb", "-c", deb)
	want := map[string]*regexp.Regexp{
		"./usr/bin/yiwangtong":                                     regexp.MustCompile(`^-rwxr-xr-x root/root`),
		"./usr/share/applications/" + appID + ".desktop":           regexp.MustCompile(`^-rw-r--r-- root/root`),
		"./usr/share/icons/hicolor/256x256/apps/" + appID + ".png": regexp.MustCompile(`^-rw-r--r-- root/root`),
		"./usr/share/doc/yiwangtong/copyright":                     regexp.MustCompile(`^-rw-r--r-- root/root`),
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(listing), "\n") {
		fields := strings.Fields(line)
		name := fields[len(fields)-1]
		if re, ok := want[name]; ok {
			seen[name] = true
			if !re.MatchString(line) {
				t.Errorf("%s: mode or owner wrong: %s", name, line)
			}
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("the .deb lacks %s:\n%s", name, listing)
		}
	}

	dir := tempDir(t)
	command(t, "", nil, "dpkg-deb", "-x", deb, dir)
	desktop, err := os.ReadFile(filepath.Join(dir, "usr/share/applications", appID+".desktop"))
	if err != nil {
		t.Fatal(err)
	}
	checkDesktopEntry(t, desktop, "yiwangtong")

	// Every shared library the program needs comes from a package it
	// depends on.
	bin := filepath.Join(dir, "usr/bin/yiwangtong")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	libs, err := f.ImportedLibraries()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	depends := map[string]bool{}
	for _, d := range strings.Split(debField(t, "Depends"), ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(d), " ")
		depends[name] = true
	}
	for _, lib := range libs {
		out, err := exec.Command("dpkg", "-S", "*/"+lib).Output()
		if err != nil {
			t.Errorf("no installed package provides %s, which the program needs", lib)
			continue
		}
		pkg, _, _ := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], ":")
		if !depends[pkg] {
			t.Errorf("the program needs %s from %s, which Depends does not list", lib, pkg)
		}
	}
}

// tarXZ lists and reads the Linux desktop tarball.
func tarXZ(t *testing.T) (names []string, read func(name string) []byte) {
	t.Helper()
	archive := rel.path("yiwangtong-" + rel.version + "-linux-amd64.tar.xz")
	for _, n := range strings.Split(strings.TrimSpace(command(t, "", nil, "tar", "-tJf", archive)), "\n") {
		names = append(names, strings.TrimPrefix(n, "./"))
	}
	return names, func(name string) []byte {
		return []byte(command(t, "", nil, "tar", "-xOJf", archive, name))
	}
}

func TestTarXZ(t *testing.T) {
	names, read := tarXZ(t)
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	var bin, desktop string
	for _, n := range names {
		switch {
		case strings.HasSuffix(n, "/bin/yiwangtong"):
			bin = n
		case strings.HasSuffix(n, "/share/applications/"+appID+".desktop"):
			desktop = n
		}
	}
	if bin == "" || desktop == "" {
		t.Fatalf("the tarball lacks the program or the desktop entry:\n%s", strings.Join(names, "\n"))
	}
	top := strings.SplitN(bin, "/", 2)[0]
	for _, n := range []string{top + "/Makefile", strings.TrimSuffix(bin, "bin/yiwangtong") + "share/pixmaps/" + appID + ".png"} {
		if !has[n] {
			t.Errorf("the tarball lacks %s", n)
		}
	}
	checkDesktopEntry(t, read(desktop), "yiwangtong")
}

// TestClientVersion runs the Linux desktop program and the Windows exe
// (under Wine) with --version: the one version string must reach the
// client through -ldflags -X main.buildVersion.
func TestClientVersion(t *testing.T) {
	dir := tempDir(t)
	command(t, "", nil, "dpkg-deb", "-x", rel.path(rel.debName()), dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "usr/bin/yiwangtong"), "--version")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), rel.version) {
		t.Errorf("yiwangtong --version (Linux): %v\n%s\nwant the version %s: main.go needs `var buildVersion string`"+
			" (set by -ldflags -X main.buildVersion=…) and a --version flag that prints it", err, out, rel.version)
	}

	loader, ok := wine()
	if !ok {
		t.Skip("wine64 is not installed")
	}
	env := winePrefix(t, loader)
	// The exe is a GUI program; Wine still hands it the console it was
	// started from, so the headless commands' output arrives here.
	help := exec.CommandContext(ctx, loader, rel.path("yiwangtong.exe"), "help")
	help.Env = append(os.Environ(), env...)
	if out, err := help.CombinedOutput(); err != nil || !strings.Contains(string(out), "yiwangtong") {
		t.Errorf("yiwangtong.exe help under Wine: %v\n%s", err, out)
	}
	ver := exec.CommandContext(ctx, loader, rel.path("yiwangtong.exe"), "--version")
	ver.Env = append(os.Environ(), env...)
	if out, err := ver.CombinedOutput(); err != nil || !strings.Contains(string(out), rel.version) {
		t.Errorf("yiwangtong.exe --version under Wine: %v\n%s\nwant the version %s", err, out, rel.version)
	}
}
