package e2e_test

import (
	"slices"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestInterruptedUploadResumes cuts the connection under a 50 MB upload at
// several random offsets and checks that every cut resumes where the
// server stands: the bytes sent stay within 5% of the file's size and the
// server's copy has the file's SHA-256.
func TestInterruptedUploadResumes(t *testing.T) {
	const size = 50 << 20
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, nil)
	c.seed(0)
	n := newNetwork()
	rep := c.desk("rep-a", n)
	rep.syncOK()
	f := writeEvidence(t, tempDir(t), "执法案卷扫描件.pdf", 50, size)
	a11 := task(leaf11, unitA)
	rep.fileTask(a11, "执法案卷已全部扫描归档。", rep.attach(0, f))

	rng := seeded(t)
	offsets := make([]int64, 4)
	for i := range offsets {
		offsets[i] = size/20 + rng.Int64N(size*9/10)
	}
	slices.Sort(offsets)
	t.Logf("cutting the connection after %v bytes of the upload", offsets)
	before := n.wireBytes()
	n.mu.Lock()
	for _, off := range offsets {
		n.cuts = append(n.cuts, before+off)
	}
	n.mu.Unlock()

	rep.syncOK()
	n.mu.Lock()
	left := len(n.cuts)
	n.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d cuts never happened", left)
	}
	sent := n.wireBytes() - before
	t.Logf("%d bytes sent for a %d-byte file (%.4f×), %d PATCH requests", sent, size, float64(sent)/size, n.count("PATCH", wire.UploadsPath))
	if sent > size*105/100 {
		t.Fatalf("%d bytes sent for a %d-byte file: more than 1.05×", sent, size)
	}
	if patches := n.count("PATCH", wire.UploadsPath); patches < len(offsets)+1 {
		t.Fatalf("%d PATCH requests for %d cuts: the upload did not resume", patches, len(offsets))
	}
	if got := c.storedSHA256(f.sum); got != f.sum {
		t.Fatalf("the stored file hashes to %s, want %s", got, f.sum)
	}
	if files := c.evidenceFiles(); len(files) != 1 || files[f.sum] != size {
		t.Fatalf("server evidence store: %v", files)
	}
	if st := c.serverTask(a11); st.Status != assess.Submitted || st.Version != 1 {
		t.Fatalf("server task: %s v%d", st.Status, st.Version)
	}
}
