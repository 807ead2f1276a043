//go:build release

package releasetest

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// upgradeCode is the MSI's UpgradeCode. It must never change: Windows finds
// the installed older version by it.
const upgradeCode = "{0DE19A23-A668-4149-B66E-1C1D5AEB3711}"

// msiRows exports one table with msiinfo and returns its rows by column name.
func msiRows(t *testing.T, msi, table string) []map[string]string {
	t.Helper()
	out := command(t, "", nil, "msiinfo", "export", msi, table)
	lines := strings.Split(strings.TrimRight(out, "\r\n\x00"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("msiinfo export %s: too short:\n%s", table, out)
	}
	cols := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, line := range lines[3:] {
		fields := strings.Split(line, "\t")
		row := map[string]string{}
		for i, c := range cols {
			if i < len(fields) {
				row[c] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// msiProperties returns the Property table as a map.
func msiProperties(t *testing.T, msi string) map[string]string {
	t.Helper()
	props := map[string]string{}
	for _, row := range msiRows(t, msi, "Property") {
		props[row["Property"]] = row["Value"]
	}
	return props
}

// longName returns the long part of an MSI file name ("short|long").
func longName(s string) string {
	if _, long, ok := strings.Cut(s, "|"); ok {
		return long
	}
	return s
}

func TestMSITables(t *testing.T) {
	msi := rel.path(rel.msi())

	props := msiProperties(t, msi)
	for name, want := range map[string]string{
		"ProductName":        "一网通",
		"ProductVersion":     rel.numeric,
		"UpgradeCode":        upgradeCode,
		"ProductLanguage":    "2052",
		"YIWANGTONG_VERSION": rel.version,
		"ARPPRODUCTICON":     "yiwangtong.ico",
	} {
		if props[name] != want {
			t.Errorf("property %s = %q, want %q", name, props[name], want)
		}
	}
	// Per-user: ALLUSERS unset (or empty); "1" or "2" would ask for
	// administrator rights or let the installer choose per-machine.
	if v, ok := props["ALLUSERS"]; ok && v != "" {
		t.Errorf("ALLUSERS = %q: the install would not be per-user", v)
	}

	cp := command(t, "", nil, "msiinfo", "export", msi, "_ForceCodepage")
	if !strings.Contains(cp, "936\t_ForceCodepage") {
		t.Errorf("the database code page is not 936 (GBK), so Chinese names break:\n%q", cp)
	}

	// The summary's word count has bit 3 set: no elevated privileges needed.
	sum := command(t, "", nil, "msiinfo", "suminfo", msi)
	words := -1
	for _, line := range strings.Split(sum, "\n") {
		// msiinfo labels the word count property "Source".
		if v, ok := strings.CutPrefix(line, "Source: "); ok {
			words, _ = strconv.Atoi(strings.Fields(v)[0])
		}
	}
	if words < 0 || words&8 == 0 {
		t.Errorf("summary word count %d: the \"no elevation\" bit (8) is not set\n%s", words, sum)
	}

	dirs := map[string]map[string]string{}
	for _, row := range msiRows(t, msi, "Directory") {
		dirs[row["Directory"]] = row
	}
	// INSTALLDIR is %LOCALAPPDATA%\Programs\Yiwangtong.
	var path []string
	for d := "INSTALLDIR"; d != "" && d != "TARGETDIR"; d = dirs[d]["Directory_Parent"] {
		row, ok := dirs[d]
		if !ok {
			t.Fatalf("directory %s is not in the Directory table", d)
		}
		if name := longName(row["DefaultDir"]); name != "." {
			path = append([]string{name}, path...)
		} else {
			path = append([]string{"[" + d + "]"}, path...)
		}
		if len(path) > 10 {
			t.Fatal("the Directory table has a cycle")
		}
	}
	if got := strings.Join(path, `\`); got != `[LocalAppDataFolder]\Programs\Yiwangtong` {
		t.Errorf("install folder %s, want [LocalAppDataFolder]\\Programs\\Yiwangtong", got)
	}
	// The user's data folder, %LOCALAPPDATA%\Yiwangtong, belongs to the
	// program: the package must not name it, so uninstalling leaves it.
	for id, row := range dirs {
		if row["Directory_Parent"] == "LocalAppDataFolder" && strings.EqualFold(longName(row["DefaultDir"]), "Yiwangtong") {
			t.Errorf("directory %s is the user's data folder %%LOCALAPPDATA%%\\Yiwangtong", id)
		}
	}
	for _, row := range msiRows(t, msi, "RemoveFile") {
		if row["DirProperty"] != "INSTALLDIR" || row["FileName"] != "" {
			t.Errorf("RemoveFile %s removes %q in %s: only the empty install folder may go", row["FileKey"], row["FileName"], row["DirProperty"])
		}
	}
	if rows := msiRows(t, msi, "CreateFolder"); len(rows) != 0 {
		t.Errorf("CreateFolder rows %v: the package must not own any other folder", rows)
	}

	files := msiRows(t, msi, "File")
	if len(files) != 1 || longName(files[0]["FileName"]) != "yiwangtong.exe" {
		t.Errorf("File table %v, want only yiwangtong.exe", files)
	}
	comps := map[string]map[string]string{}
	for _, row := range msiRows(t, msi, "Component") {
		comps[row["Component"]] = row
	}
	if len(files) == 1 && comps[files[0]["Component_"]]["Directory_"] != "INSTALLDIR" {
		t.Errorf("yiwangtong.exe is installed to %s, want INSTALLDIR", comps[files[0]["Component_"]]["Directory_"])
	}
	// Per-user components keep their key paths in HKCU (Root 1).
	regs := map[string]string{}
	for _, row := range msiRows(t, msi, "Registry") {
		regs[row["Registry"]] = row["Root"]
		if row["Root"] != "1" {
			t.Errorf("registry value %s is under root %s, want HKCU (1)", row["Registry"], row["Root"])
		}
	}
	for id, c := range comps {
		if _, ok := regs[c["KeyPath"]]; !ok {
			t.Errorf("component %s's key path %q is not an HKCU registry value", id, c["KeyPath"])
		}
	}

	shortcuts := msiRows(t, msi, "Shortcut")
	where := map[string]bool{}
	for _, sc := range shortcuts {
		if longName(sc["Name"]) != "一网通" {
			t.Errorf("shortcut %s is named %q, want 一网通", sc["Shortcut"], sc["Name"])
		}
		if sc["Target"] != "[INSTALLDIR]yiwangtong.exe" {
			t.Errorf("shortcut %s points at %q", sc["Shortcut"], sc["Target"])
		}
		if sc["Icon_"] != "yiwangtong.ico" {
			t.Errorf("shortcut %s has icon %q", sc["Shortcut"], sc["Icon_"])
		}
		where[sc["Directory_"]] = true
	}
	if len(shortcuts) != 2 || !where["ProgramMenuFolder"] || !where["DesktopFolder"] {
		t.Errorf("shortcuts %v, want one in ProgramMenuFolder and one on DesktopFolder", shortcuts)
	}

	var upgrade, downgrade bool
	for _, row := range msiRows(t, msi, "Upgrade") {
		if row["UpgradeCode"] != upgradeCode {
			t.Errorf("Upgrade row for %s", row["UpgradeCode"])
		}
		switch row["ActionProperty"] {
		case "WIX_UPGRADE_DETECTED":
			upgrade = row["VersionMax"] == rel.numeric && row["VersionMin"] == ""
		case "WIX_DOWNGRADE_DETECTED":
			downgrade = row["VersionMin"] == rel.numeric
		}
	}
	if !upgrade || !downgrade {
		t.Errorf("the Upgrade table does not find older (%v) and newer (%v) versions", upgrade, downgrade)
	}
	seq := map[string]bool{}
	for _, row := range msiRows(t, msi, "InstallExecuteSequence") {
		seq[row["Action"]] = true
	}
	for _, a := range []string{"FindRelatedProducts", "RemoveExistingProducts", "CreateShortcuts"} {
		if !seq[a] {
			t.Errorf("InstallExecuteSequence lacks %s", a)
		}
	}
}

// TestMSIHoldsSignedExe checks that the program inside the MSI is the
// signed dist/yiwangtong.exe.
func TestMSIHoldsSignedExe(t *testing.T) {
	dir := tempDir(t)
	command(t, dir, nil, "msiextract", "-C", dir, rel.path(rel.msi()))
	var found string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.EqualFold(d.Name(), "yiwangtong.exe") {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatal("the MSI holds no yiwangtong.exe")
	}
	if !strings.Contains(filepath.ToSlash(found), "Programs/Yiwangtong/") {
		t.Errorf("yiwangtong.exe unpacks to %s, want …/Programs/Yiwangtong/", found)
	}
	inside, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := os.ReadFile(rel.path("yiwangtong.exe"))
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(inside) != sha256.Sum256(outside) {
		t.Error("the exe in the MSI differs from dist/yiwangtong.exe")
	}
	if out, err := verifySignature(found); err != nil {
		t.Errorf("the exe in the MSI is not signed: %v\n%s", err, out)
	}
}

// TestWxsUpgradeCode keeps the source and the check on the same GUID.
func TestWxsUpgradeCode(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(rel.root, "packaging", "yiwangtong.wxs"))
	if err != nil {
		t.Fatal(err)
	}
	want := `UpgradeCode="` + strings.Trim(upgradeCode, "{}") + `"`
	if !bytes.Contains(src, []byte(want)) {
		t.Errorf("packaging/yiwangtong.wxs does not hold %s", want)
	}
}
