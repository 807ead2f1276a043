//go:build release

package releasetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// winePC is a fresh Wine prefix standing in for a user's PC.
type winePC struct {
	t      *testing.T
	loader string
	env    []string
	user   string // C:\users\<user> on the Unix side
}

// newWinePC returns the Wine prefix under the work folder, with its own HOME
// so that Wine links no shell folder into the real home, and with the
// Desktop and the other shell folders as real folders inside the prefix.
// A passing run leaves the prefix as it found it (everything uninstalled)
// and marks it clean for the next run; any other prefix is made anew.
func newWinePC(t *testing.T, loader string) *winePC {
	t.Helper()
	base := filepath.Join(rel.work, "wine-install")
	home := filepath.Join(base, "home")
	clean := filepath.Join(base, "clean")
	pc := &winePC{t: t, loader: loader, env: []string{
		"HOME=" + home,
		"WINEPREFIX=" + filepath.Join(base, "prefix"),
		"WINEDEBUG=-all",
		"WINEARCH=win64",
		"WINEDLLOVERRIDES=mscoree,mshtml=;winemenubuilder.exe=d",
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
	}}
	if !fileExists(clean) {
		if err := os.RemoveAll(base); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(home, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Logf("making the Wine prefix %s", base)
		command(t, "", pc.env, loader, "wineboot", "--init")
	}
	if err := os.Remove(clean); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ws, err := exec.LookPath("wineserver")
		if err != nil {
			ws = filepath.Join(filepath.Dir(loader), "wineserver")
		}
		c := exec.Command(ws, "-k")
		c.Env = append(os.Environ(), pc.env...)
		c.Run()
		if !t.Failed() {
			os.WriteFile(clean, nil, 0o644)
		}
	})
	users, _ := filepath.Glob(filepath.Join(base, "prefix", "drive_c", "users", "*"))
	for _, u := range users {
		if filepath.Base(u) != "Public" {
			pc.user = u
		}
	}
	if pc.user == "" {
		t.Fatal("the Wine prefix has no user folder")
	}
	for _, d := range []string{"Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos"} {
		p := filepath.Join(pc.user, d)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			os.Remove(p)
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return pc
}

// msiexec runs msiexec quietly and returns its exit code.
func (pc *winePC) msiexec(args ...string) int {
	cmd := exec.Command(pc.loader, append([]string{"msiexec"}, args...)...)
	cmd.Env = append(os.Environ(), pc.env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		pc.t.Fatalf("msiexec %v: %v\n%s", args, err, out)
	}
	return 0
}

// winPath is the Windows path of a Unix file (Wine maps / to Z:).
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// reg runs "reg query" and returns its output, or "" when the key is absent.
func (pc *winePC) reg(args ...string) string {
	cmd := exec.Command(pc.loader, append([]string{"reg", "query"}, args...)...)
	cmd.Env = append(os.Environ(), pc.env...)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// installedVersions lists the DisplayVersion of every installed product
// published by Yiwangtong.
func (pc *winePC) installedVersions() []string {
	var versions []string
	for _, root := range []string{`HKCU`, `HKLM`} {
		out := pc.reg(root+`\Software\Microsoft\Windows\CurrentVersion\Uninstall`, "/s")
		for _, block := range strings.Split(out, "\nHKEY_") {
			if !strings.Contains(block, "Publisher    REG_SZ    Yiwangtong") {
				continue
			}
			for _, line := range strings.Split(block, "\n") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "DisplayVersion    REG_SZ    "); ok {
					versions = append(versions, strings.TrimSpace(v))
				}
			}
		}
	}
	return versions
}

func (pc *winePC) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(pc.user, rel))
	return err == nil
}

// nextPatch returns MAJOR.MINOR.PATCH+1.
func nextPatch(v string) string {
	parts := strings.Split(v, ".")
	n, _ := strconv.Atoi(parts[2])
	return fmt.Sprintf("%s.%s.%d", parts[0], parts[1], n+1)
}

// TestMSIUnderWine installs the MSI into a fresh Wine prefix, upgrades it
// with a newer build, refuses the downgrade and uninstalls, checking the
// program, the Chinese shortcuts and that the user's data folder survives.
func TestMSIUnderWine(t *testing.T) {
	loader, ok := wine()
	if !ok {
		t.Skip("wine64 is not installed")
	}
	ico := filepath.Join(rel.work, "out", "msi", "yiwangtong.ico")
	if !fileExists(ico) {
		t.Fatalf("%s is missing: run make release", ico)
	}
	newer := nextPatch(rel.numeric)
	newMSI := filepath.Join(tempDir(t), "newer.msi")
	command(t, "", nil, filepath.Join(rel.root, "scripts", "release", "msi.sh"),
		rel.path("yiwangtong.exe"), ico, newer, newer, newMSI)

	pc := newWinePC(t, loader)
	const (
		program   = `AppData/Local/Programs/Yiwangtong/yiwangtong.exe`
		startMenu = `AppData/Roaming/Microsoft/Windows/Start Menu/Programs/一网通.lnk`
		desktop   = `Desktop/一网通.lnk`
		dataDB    = `AppData/Local/Yiwangtong/yiwangtong.db`
		evidence  = `AppData/Local/Yiwangtong/evidence/ab/abcdef`
	)

	if rc := pc.msiexec("/i", winPath(rel.path(rel.msi())), "/qn"); rc != 0 {
		t.Fatalf("installing %s failed with %d", rel.msi(), rc)
	}
	for _, f := range []string{program, startMenu, desktop} {
		if !pc.exists(f) {
			t.Errorf("after the install %s is missing", f)
		}
	}
	got, _ := os.ReadFile(filepath.Join(pc.user, program))
	want, _ := os.ReadFile(rel.path("yiwangtong.exe"))
	if !bytes.Equal(got, want) {
		t.Error("the installed program differs from dist/yiwangtong.exe")
	}
	if lnk, err := os.ReadFile(filepath.Join(pc.user, startMenu)); err == nil &&
		!bytes.Contains(lnk, []byte("yiwangtong.exe")) && !bytes.Contains(lnk, utf16le("yiwangtong.exe")) {
		t.Error("the Start-menu shortcut does not point at yiwangtong.exe")
	}
	if out := pc.reg(`HKCU\Software\Yiwangtong`, "/v", "Version"); !strings.Contains(out, rel.version) {
		t.Errorf("HKCU\\Software\\Yiwangtong Version: %q, want %s", out, rel.version)
	}
	if v := pc.installedVersions(); len(v) != 1 || v[0] != rel.numeric {
		t.Errorf("installed versions %v, want [%s]", v, rel.numeric)
	}

	// What the client writes: the database and evidence in the user's
	// application-data folder.
	for _, f := range []string{dataDB, evidence} {
		p := filepath.Join(pc.user, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("用户的数据"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if rc := pc.msiexec("/i", winPath(newMSI), "/qn"); rc != 0 {
		t.Fatalf("upgrading to %s failed with %d", newer, rc)
	}
	if v := pc.installedVersions(); len(v) != 1 || v[0] != newer {
		t.Errorf("after the upgrade the installed versions are %v, want only [%s]", v, newer)
	}
	for _, f := range []string{program, startMenu, desktop, dataDB, evidence} {
		if !pc.exists(f) {
			t.Errorf("after the upgrade %s is missing", f)
		}
	}

	if rc := pc.msiexec("/i", winPath(rel.path(rel.msi())), "/qn"); rc == 0 {
		t.Error("the older MSI installed over the newer one")
	}
	if v := pc.installedVersions(); len(v) != 1 || v[0] != newer {
		t.Errorf("after the refused downgrade the installed versions are %v, want [%s]", v, newer)
	}

	if rc := pc.msiexec("/x", winPath(newMSI), "/qn"); rc != 0 {
		t.Fatalf("uninstalling failed with %d", rc)
	}
	for _, f := range []string{program, startMenu, desktop} {
		if pc.exists(f) {
			t.Errorf("after the uninstall %s is still there", f)
		}
	}
	for _, f := range []string{dataDB, evidence} {
		if !pc.exists(f) {
			t.Errorf("the uninstall removed the user's %s", f)
		}
	}
	if v := pc.installedVersions(); len(v) != 0 {
		t.Errorf("after the uninstall the installed versions are %v", v)
	}
	if out := pc.reg(`HKCU\Software\Yiwangtong`); out != "" {
		t.Errorf("HKCU\\Software\\Yiwangtong is still there:\n%s", out)
	}
}
