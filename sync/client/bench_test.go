package client_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Evidence throughput: files × size bytes per run.
const (
	benchFiles = 20
	benchSize  = 25 << 20
)

// BenchmarkEvidenceSync measures a full sync of a draft with 20 × 25 MB of
// evidence (tus uploads into the real server, hash verification, the push)
// against the raw operation in the same run: an HTTP PUT of the same files
// to a minimal handler that writes them to disk. It reports both rates and
// their ratio (target ≥ 0.85).
func BenchmarkEvidenceSync(b *testing.B) {
	var rawTime, syncTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := newBenchEnv(b, uint64(i))
		b.StartTimer()

		start := time.Now()
		env.rawPut(b)
		rawTime += time.Since(start)

		start = time.Now()
		if err := env.pc.syncer.SyncOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		syncTime += time.Since(start)

		b.StopTimer()
		if pending, _, _ := env.pc.db.PendingCount(context.Background()); pending != 0 {
			b.Fatalf("%d changes pending after the sync", pending)
		}
		env.close()
		b.StartTimer()
	}
	mb := float64(benchFiles*benchSize) / (1 << 20) * float64(b.N)
	raw, tus := mb/rawTime.Seconds(), mb/syncTime.Seconds()
	b.ReportMetric(raw, "raw-MB/s")
	b.ReportMetric(tus, "sync-MB/s")
	b.ReportMetric(tus/raw, "ratio")
}

// benchEnv is a server, a reporting PC with a draft holding the evidence,
// and a raw PUT handler, all on loopback.
type benchEnv struct {
	c      *city
	pc     *pc
	blobs  []client.LocalBlob
	raw    *httptest.Server
	rawDir string
}

func newBenchEnv(b *testing.B, seed uint64) *benchEnv {
	b.Helper()
	c := newCity(b)
	p := c.pc("rep-a", nil, nil)
	ctx := context.Background()
	if err := p.syncer.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	env := &benchEnv{c: c, pc: p, rawDir: tempDir(b)}
	src := tempDir(b)
	var atts []assess.Attachment
	for i := range benchFiles {
		path := filepath.Join(src, fmt.Sprintf("佐证材料%02d.pdf", i+1))
		if err := writeRandom(path, seed*1000+uint64(i), benchSize); err != nil {
			b.Fatal(err)
		}
		a, err := p.db.AddEvidence(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
		a.Slot = -1
		atts = append(atts, a)
		env.blobs = append(env.blobs, client.LocalBlob{Hash: a.Hash, Name: a.Name, Size: a.Size})
	}
	if err := p.db.SaveDraft(ctx, taskA, "按要求报送佐证材料。", atts); err != nil {
		b.Fatal(err)
	}
	env.raw = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.CreateTemp(env.rawDir, "put-*")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer os.Remove(f.Name())
		defer f.Close()
		if _, err := io.Copy(f, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	return env
}

// rawPut sends every file with one plain PUT each.
func (e *benchEnv) rawPut(b *testing.B) {
	ctx := context.Background()
	for _, bl := range e.blobs {
		f, err := e.pc.db.OpenBlob(ctx, bl.Hash)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPut, e.raw.URL+"/"+bl.Hash, f)
		if err != nil {
			b.Fatal(err)
		}
		req.ContentLength = bl.Size
		resp, err := http.DefaultClient.Do(req)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("raw PUT: %s", resp.Status)
		}
	}
}

func (e *benchEnv) close() { e.raw.Close() }

// writeRandom writes size bytes of seeded random data that pass as a PDF.
func writeRandom(path string, seed uint64, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, seed+1))
	buf := make([]byte, 1<<20)
	for left := size; left > 0; left -= len(buf) {
		for i := 0; i+8 <= len(buf); i += 8 {
			v := r.Uint64()
			for j := range 8 {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if left == size {
			copy(buf, "%PDF-1.7\n")
		}
		if _, err := f.Write(buf[:min(left, len(buf))]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
