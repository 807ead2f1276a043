//go:build release

package releasetest

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// verifySignature runs osslsigncode verify on a file against the build's
// trust anchor (build/release/trust.pem: the throwaway CA, or SIGN_CA) or,
// when there is none, the system's CA bundle.
func verifySignature(file string) (string, error) {
	args := []string{"verify"}
	if trust := filepath.Join(rel.work, "trust.pem"); fileExists(trust) {
		args = append(args, "-CAfile", trust)
	}
	args = append(args, "-in", file)
	out, err := exec.Command("osslsigncode", args...).CombinedOutput()
	return string(out), err
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// extractZip writes the member of a zip archive whose name ends in suffix
// to dir and returns its path.
func extractZip(t *testing.T, archive, suffix, dir string) string {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, suffix) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, filepath.Base(f.Name))
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Fatalf("%s holds no file ending in %s", archive, suffix)
	return ""
}

func TestSignatures(t *testing.T) {
	dir := tempDir(t)
	files := map[string]string{
		"yiwangtong.exe": rel.path("yiwangtong.exe"),
		rel.msi():        rel.path(rel.msi()),
		"yiwangtong-server.exe (in the zip)": extractZip(t,
			rel.path("yiwangtong-server-"+rel.version+"-windows-amd64.zip"), "/yiwangtong-server.exe", dir),
	}
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			out, err := verifySignature(file)
			if err != nil || !strings.Contains(out, "Signature verification: ok") {
				t.Fatalf("osslsigncode verify %s: %v\n%s", name, err, out)
			}
			if !strings.Contains(out, "sha256") && !strings.Contains(out, "SHA256") {
				t.Errorf("%s is not signed with SHA-256:\n%s", name, out)
			}
		})
	}
}

// TestSignatureCatchesTampering proves that the verification above fails
// for a signed file changed after signing.
func TestSignatureCatchesTampering(t *testing.T) {
	data, err := os.ReadFile(rel.path("yiwangtong.exe"))
	if err != nil {
		t.Fatal(err)
	}
	// A byte in the middle of the code, well away from the headers and the
	// signature at the end.
	data[len(data)/3] ^= 0xff
	tampered := filepath.Join(tempDir(t), "tampered.exe")
	if err := os.WriteFile(tampered, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := verifySignature(tampered); err == nil {
		t.Fatalf("osslsigncode verify accepted a changed exe:\n%s", out)
	}
}
