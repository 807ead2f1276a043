//go:build release

package releasetest

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// systemDLLs are the DLLs every Windows 10/11 PC has. A Go program with
// cgo built by mingw-w64 must import nothing else: no libgcc_s, no
// libwinpthread, no glfw3.dll.
var systemDLLs = map[string]bool{
	"advapi32.dll": true, "bcrypt.dll": true, "comctl32.dll": true, "comdlg32.dll": true,
	"crypt32.dll": true, "dinput8.dll": true, "dnsapi.dll": true, "dwmapi.dll": true,
	"gdi32.dll": true, "hid.dll": true, "imm32.dll": true, "iphlpapi.dll": true,
	"kernel32.dll": true, "msvcrt.dll": true, "mswsock.dll": true, "netapi32.dll": true,
	"ntdll.dll": true, "ole32.dll": true, "oleaut32.dll": true, "opengl32.dll": true,
	"powrprof.dll": true, "secur32.dll": true, "setupapi.dll": true, "shcore.dll": true,
	"shell32.dll": true, "shlwapi.dll": true, "ucrtbase.dll": true, "user32.dll": true,
	"userenv.dll": true, "uxtheme.dll": true, "version.dll": true, "winmm.dll": true,
	"winspool.drv": true, "ws2_32.dll": true,
}

func isSystemDLL(name string) bool {
	n := strings.ToLower(name)
	return systemDLLs[n] || strings.HasPrefix(n, "api-ms-win-")
}

// Windows resource types.
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

// peFacts is what the tests read from a Windows executable.
type peFacts struct {
	machine   uint16
	subsystem uint16
	imports   []string
	resources map[uint32]bool // top-level resource type IDs
	rsrc      []byte          // the resource section
}

func readPE(t *testing.T, name string) peFacts {
	t.Helper()
	f, err := pe.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var facts peFacts
	facts.machine = f.Machine
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		facts.subsystem = oh.Subsystem
	case *pe.OptionalHeader32:
		facts.subsystem = oh.Subsystem
	}
	// debug/pe's ImportedLibraries is a stub for PE files; the DLLs are
	// the distinct "dll" parts of the imported "symbol:dll" names.
	syms, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range syms {
		if _, dll, ok := strings.Cut(s, ":"); ok && !seen[strings.ToLower(dll)] {
			seen[strings.ToLower(dll)] = true
			facts.imports = append(facts.imports, dll)
		}
	}
	facts.resources = map[uint32]bool{}
	if s := f.Section(".rsrc"); s != nil {
		data, err := s.Data()
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > int(s.VirtualSize) && s.VirtualSize > 0 {
			data = data[:s.VirtualSize]
		}
		facts.rsrc = data
		// IMAGE_RESOURCE_DIRECTORY: 12 bytes of header fields, then the
		// counts of named and ID entries, then 8-byte entries.
		if len(data) >= 16 {
			named := int(binary.LittleEndian.Uint16(data[12:]))
			ids := int(binary.LittleEndian.Uint16(data[14:]))
			for i := 0; i < named+ids; i++ {
				off := 16 + 8*i
				if off+8 > len(data) {
					break
				}
				id := binary.LittleEndian.Uint32(data[off:])
				if id&0x80000000 == 0 {
					facts.resources[id] = true
				}
			}
		}
	}
	return facts
}

// utf16le encodes s as Windows resources store strings.
func utf16le(s string) []byte {
	var b bytes.Buffer
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

// fixedFileVersion reads VS_FIXEDFILEINFO's file version from resource data.
func fixedFileVersion(rsrc []byte) (v [4]uint16, ok bool) {
	sig := []byte{0xbd, 0x04, 0xef, 0xfe}
	i := bytes.Index(rsrc, sig)
	if i < 0 || i+16 > len(rsrc) {
		return v, false
	}
	ms := binary.LittleEndian.Uint32(rsrc[i+8:])
	ls := binary.LittleEndian.Uint32(rsrc[i+12:])
	return [4]uint16{uint16(ms >> 16), uint16(ms), uint16(ls >> 16), uint16(ls)}, true
}

// fyneBuild reads Build from FyneApp.toml.
func fyneBuild(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(rel.root, "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Build\s*=\s*(\d+)`).FindSubmatch(data)
	if m == nil {
		return "1"
	}
	return string(m[1])
}

func TestClientExe(t *testing.T) {
	facts := readPE(t, rel.path("yiwangtong.exe"))
	if facts.machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("machine %#x, want amd64", facts.machine)
	}
	if facts.subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("subsystem %d, want %d (GUI: no console window)", facts.subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	if len(facts.imports) == 0 {
		t.Error("the exe imports no DLL at all: the import table was not read")
	}
	for _, dll := range facts.imports {
		if !isSystemDLL(dll) {
			t.Errorf("the exe imports %s, which is not a Windows system DLL", dll)
		}
	}
	t.Logf("imports: %s", strings.Join(facts.imports, " "))
	for id, what := range map[uint32]string{rtIcon: "icon", rtGroupIcon: "icon group", rtVersion: "version information", rtManifest: "manifest"} {
		if !facts.resources[id] {
			t.Errorf("the exe has no %s resource (type %d)", what, id)
		}
	}

	combined := rel.numeric + "." + fyneBuild(t)
	if !bytes.Contains(facts.rsrc, utf16le(combined)) {
		t.Errorf("the version resource does not hold the product version %s", combined)
	}
	if !bytes.Contains(facts.rsrc, utf16le("一网通")) {
		t.Error("the version resource does not hold the product name 一网通")
	}
	got, ok := fixedFileVersion(facts.rsrc)
	if !ok {
		t.Fatal("the version resource has no VS_FIXEDFILEINFO")
	}
	var want [4]uint16
	for i, part := range strings.Split(combined, ".") {
		n, _ := strconv.Atoi(part)
		want[i] = uint16(n)
	}
	if got != want {
		t.Errorf("file version %v, want %v", got, want)
	}
}

func TestImportCheckCatchesForeignDLL(t *testing.T) {
	for _, dll := range []string{"libwinpthread-1.dll", "libgcc_s_seh-1.dll", "glfw3.dll"} {
		if isSystemDLL(dll) {
			t.Errorf("%s passes as a system DLL", dll)
		}
	}
	for _, dll := range []string{"KERNEL32.dll", "opengl32.dll", "api-ms-win-crt-runtime-l1-1-0.dll"} {
		if !isSystemDLL(dll) {
			t.Errorf("%s does not pass as a system DLL", dll)
		}
	}
}

func TestServerExe(t *testing.T) {
	exe := extractZip(t, rel.path("yiwangtong-server-"+rel.version+"-windows-amd64.zip"), "/yiwangtong-server.exe", tempDir(t))
	facts := readPE(t, exe)
	if facts.machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("machine %#x, want amd64", facts.machine)
	}
	if facts.subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_CUI {
		t.Errorf("subsystem %d, want the console (%d)", facts.subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_CUI)
	}
	if len(facts.imports) == 0 {
		t.Error("the server imports no DLL at all: the import table was not read")
	}
	for _, dll := range facts.imports {
		if !isSystemDLL(dll) {
			t.Errorf("the server imports %s, which is not a Windows system DLL", dll)
		}
	}
}
