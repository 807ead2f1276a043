package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGolden compares each PDF, written uncompressed, and its layout dump
// with the files in testdata; `go test -run TestGolden -update` rewrites
// them. A layout change shows as a diff of the .layout.txt file (positions
// in millimetres) and of the PDF's content streams.
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(b *bytes.Buffer, opt Options) error
	}{
		{"feedback", func(b *bytes.Buffer, opt Options) error { return WriteFeedback(b, testFeedback(14), opt) }},
		{"summary", func(b *bytes.Buffer, opt Options) error { return WriteCitySummary(b, testSummary(), opt) }},
		{"checklist", func(b *bytes.Buffer, opt Options) error { return WriteChecklist(b, testChecklist(5), opt) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pdf, layout bytes.Buffer
			if err := c.write(&pdf, Options{Uncompressed: true, Layout: &layout}); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c.name+".golden.pdf"), pdf.Bytes())
			golden(t, filepath.Join("testdata", c.name+".layout.golden.txt"), layout.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (%d bytes, golden %d); if the change is intended run go test -run TestGolden -update and review the diff", path, len(got), len(want))
	}
}
