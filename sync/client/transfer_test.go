package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// addEvidence stores content in the PC's local store and returns the blob
// the uploader works with.
func addEvidence(t *testing.T, p *pc, name string, content []byte) client.LocalBlob {
	t.Helper()
	a, err := p.db.AddEvidenceReader(context.Background(), name, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return client.LocalBlob{Hash: a.Hash, Name: a.Name, Size: a.Size}
}

// upload sends one blob from the PC's store.
func upload(ctx context.Context, p *pc, b client.LocalBlob, progress func(int64, int64)) error {
	return p.syncer.Upload(ctx, b, func() (io.ReadSeekCloser, error) { return p.db.OpenBlob(ctx, b.Hash) }, progress)
}

// serverCopy returns the server's stored copy of a file, failing the test
// when there is none.
func (c *city) serverCopy(hash string) []byte {
	c.t.Helper()
	f, _, err := c.blobs.Open(context.Background(), hash)
	if err != nil {
		c.t.Fatalf("server has no %s: %v", hash[:12], err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		c.t.Fatal(err)
	}
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestUploadResumesAfterCuts cuts the connection at random offsets several
// times during a 50 MB upload: the client resumes from the server's offset
// each time, the bytes sent stay within 5% of the file size, and the
// server's copy has the declared SHA-256.
func TestUploadResumesAfterCuts(t *testing.T) {
	size := 50 << 20
	if testing.Short() {
		size = 8 << 20
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	c := newCity(t)
	cuts := make([]int64, 5)
	for i := range cuts {
		cuts[i] = 4096 + r.Int64N(int64(size)-8192)
	}
	slices.Sort(cuts)
	d := &cutDialer{cuts: cuts}
	p := c.pc("rep-a", d.transport(), nil)
	content := randomFile(seed, size)
	b := addEvidence(t, p, "权责清单文件.pdf", content)
	afterLogin := d.total()

	var last int64
	var regress bool
	err := upload(context.Background(), p, b, func(sent, total int64) {
		if total != int64(size) {
			t.Errorf("progress total %d, want %d", total, size)
		}
		if sent < last-(16<<20) { // a resume may go back by what was in flight, not more
			regress = true
		}
		last = sent
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if regress {
		t.Error("progress went back by more than the data in flight")
	}
	if len(d.cuts) != 0 {
		t.Fatalf("%d cuts did not happen", len(d.cuts))
	}
	sent := d.total() - afterLogin
	t.Logf("file %d bytes, sent %d bytes (%.4f×) over 5 cuts", size, sent, float64(sent)/float64(size))
	if float64(sent) > 1.05*float64(size) {
		t.Errorf("sent %d bytes for a %d-byte file: more than 1.05×", sent, size)
	}
	if got := c.serverCopy(b.Hash); sum(got) != b.Hash {
		t.Errorf("server copy has SHA-256 %s, want %s", sum(got), b.Hash)
	}
	if u, err := p.db.UploadURL(context.Background(), b.Hash); err != nil || u != "" {
		t.Errorf("upload URL still remembered: %q, %v", u, err)
	}
}

// TestUploadResumesRememberedURL starts an upload, cuts it, and lets a new
// syncer (the app restarted) resume from the URL the local store kept.
func TestUploadResumesRememberedURL(t *testing.T) {
	c := newCity(t)
	size := 4 << 20
	d := &cutDialer{}
	p := c.pc("rep-a", d.transport(), nil)
	b := addEvidence(t, p, "会议纪要.pdf", randomFile(7, size))
	ctx := context.Background()

	d.mu.Lock()
	d.cuts = []int64{d.written + int64(size)/2}
	d.down = true // the cut takes the network down
	d.mu.Unlock()
	one := client.NewSyncer(p.api, p.db, client.SyncOptions{Backoff: client.Backoff{Base: time.Millisecond, Attempts: 2}})
	err := one.Upload(ctx, b, func() (io.ReadSeekCloser, error) { return p.db.OpenBlob(ctx, b.Hash) }, nil)
	if !client.Offline(err) {
		t.Fatalf("cut upload: err = %v, want offline", err)
	}
	url, err := p.db.UploadURL(ctx, b.Hash)
	if err != nil || !strings.Contains(url, wire.UploadsPath) {
		t.Fatalf("remembered URL = %q, %v", url, err)
	}

	d.mu.Lock()
	d.down, d.isDown = false, false // back online; the app restarted
	d.mu.Unlock()
	before := d.total()
	if err := upload(ctx, p, b, nil); err != nil {
		t.Fatal(err)
	}
	sent := d.total() - before
	if sent > int64(size)/2+int64(size)/10 {
		t.Errorf("resume sent %d bytes of a %d-byte file cut in the middle", sent, size)
	}
	if got := c.serverCopy(b.Hash); !bytes.Equal(got, randomFile(7, size)) {
		t.Error("server copy differs")
	}
}

// TestUploadNotSentTwice checks that a file the server holds is not sent
// again: by the same unit (found with HEAD) and by another unit (the server
// answers the creation with 409).
func TestUploadNotSentTwice(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	content := randomFile(3, 1<<20)
	a := c.pc("rep-a", nil, nil)
	if err := upload(ctx, a, addEvidence(t, a, "照片.pdf", content), nil); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"rep-a", "rep-b", "reviewer"} {
		t.Run(who, func(t *testing.T) {
			d := &cutDialer{}
			p := c.pc(who, d.transport(), nil)
			b := addEvidence(t, p, "照片副本.pdf", content)
			before := d.total()
			if err := upload(ctx, p, b, nil); err != nil {
				t.Fatal(err)
			}
			if sent := d.total() - before; sent > 4096 {
				t.Errorf("sent %d bytes for a file the server holds", sent)
			}
			if pending, err := p.db.PendingUploads(ctx); err != nil || len(pending) != 0 {
				t.Errorf("pending uploads after: %v, %v", pending, err)
			}
		})
	}
}

// TestUploadLostResponses loses the answers to the creation and to the last
// PATCH: the client creates again and asks again, the file is stored once
// and sent about once.
func TestUploadLostResponses(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	size := 2 << 20
	d := &cutDialer{}
	l := &lossy{next: d.transport(), drop: either(once(http.MethodPost, wire.UploadsPath), once(http.MethodPatch, wire.UploadsPath))}
	p := c.pc("rep-a", l, nil)
	b := addEvidence(t, p, "台账.pdf", randomFile(11, size))
	d.mu.Lock()
	d.down, d.isDown = false, false // back online; the app restarted
	d.mu.Unlock()
	before := d.total()
	if err := upload(ctx, p, b, nil); err != nil {
		t.Fatal(err)
	}
	if len(l.lost) != 2 {
		t.Fatalf("lost %v, want a POST and a PATCH", l.lost)
	}
	if sent := d.total() - before; sent > int64(float64(size)*1.05) {
		t.Errorf("sent %d bytes for a %d-byte file", sent, size)
	}
	if got := c.serverCopy(b.Hash); sum(got) != b.Hash {
		t.Error("server copy differs")
	}
	if _, err := c.store.Blob(ctx, b.Hash); err != nil {
		t.Errorf("server has no record of the file: %v", err)
	}
}

// TestUploadRefused checks that a file the server refuses for good (here an
// executable with a document's name) fails with a Chinese message naming
// the file, and is not retried.
func TestUploadRefused(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	p := c.pc("rep-a", nil, nil)
	exe := append([]byte("MZ\x90\x00"), randomFile(5, 4096)[4:]...)
	// The local store refuses it too; hand it to the uploader directly.
	h := sha256.Sum256(exe)
	b := client.LocalBlob{Hash: hex.EncodeToString(h[:]), Name: "通知.pdf", Size: int64(len(exe))}
	err := p.syncer.Upload(ctx, b, func() (io.ReadSeekCloser, error) { return nopCloser{bytes.NewReader(exe)}, nil }, nil)
	if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), "通知.pdf") || client.Retryable(err) {
		t.Fatalf("err = %v, want a final EInvalid naming the file", err)
	}
	if has, _ := c.blobs.Has(ctx, b.Hash); has {
		t.Error("the server stored a refused file")
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// cutBody cuts the body of the first evidence download after n bytes and
// records the Range header of every download.
type cutBody struct {
	next   http.RoundTripper
	n      int64
	mu     sync.Mutex
	cut    bool
	ranges []string
	got    int64
}

func (c *cutBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.HasPrefix(req.URL.Path, wire.EvidencePath) {
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ranges = append(c.ranges, req.Header.Get("Range"))
	limit := int64(-1)
	if !c.cut {
		c.cut, limit = true, c.n
	}
	resp.Body = &cutReader{rc: resp.Body, left: limit, owner: c}
	return resp, nil
}

type cutReader struct {
	rc    io.ReadCloser
	left  int64 // -1: no cut
	owner *cutBody
}

func (r *cutReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, errCut
	}
	if r.left > 0 && int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.rc.Read(p)
	if r.left > 0 {
		r.left -= int64(n)
	}
	r.owner.mu.Lock()
	r.owner.got += int64(n)
	r.owner.mu.Unlock()
	return n, err
}

func (r *cutReader) Close() error { return r.rc.Close() }

// TestDownloadResumes cuts an evidence download: the client resumes with a
// Range request from what it has, receives the rest once, and keeps a file
// whose SHA-256 it verified.
func TestDownloadResumes(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	size := 3<<20 + 12345
	content := randomFile(21, size)
	a := c.pc("rep-a", nil, nil)
	b := addEvidence(t, a, "公开网页截图.pdf", content)
	if err := upload(ctx, a, b, nil); err != nil {
		t.Fatal(err)
	}

	cb := &cutBody{next: http.DefaultTransport.(*http.Transport).Clone(), n: int64(size) / 3}
	r := c.pc("reviewer", cb, nil)
	var last, total int64
	err := r.syncer.Download(ctx, b.Hash, func(got, tot int64) { last, total = got, tot })
	if err != nil {
		t.Fatal(err)
	}
	if len(cb.ranges) != 2 || cb.ranges[0] != "" || cb.ranges[1] != "bytes="+itoa(int64(size)/3)+"-" {
		t.Errorf("Range headers %q, want none then bytes=%d-", cb.ranges, size/3)
	}
	if cb.got != int64(size) {
		t.Errorf("received %d bytes for a %d-byte file", cb.got, size)
	}
	if last != int64(size) || total != int64(size) {
		t.Errorf("last progress %d/%d, want %d/%d", last, total, size, size)
	}
	f, err := r.db.OpenVerified(ctx, b.Hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, content) {
		t.Error("downloaded file differs")
	}

	// Already here: nothing is fetched.
	n := len(cb.ranges)
	if err := r.syncer.Download(ctx, b.Hash, nil); err != nil || len(cb.ranges) != n {
		t.Errorf("second download: %v, %d requests", err, len(cb.ranges)-n)
	}
}

// TestDownloadDamagedPartial leaves a partial download with wrong bytes:
// the hash check fails, the partial is thrown away and the file fetched
// afresh.
func TestDownloadDamagedPartial(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	content := randomFile(31, 256<<10)
	a := c.pc("rep-a", nil, nil)
	b := addEvidence(t, a, "统计表.pdf", content)
	if err := upload(ctx, a, b, nil); err != nil {
		t.Fatal(err)
	}
	r := c.pc("reviewer", nil, nil)
	if err := writeFile(r.db.PartialPath(b.Hash), bytes.Repeat([]byte{'x'}, 1000)); err != nil {
		t.Fatal(err)
	}
	if err := r.syncer.Download(ctx, b.Hash, nil); err != nil {
		t.Fatal(err)
	}
	f, err := r.db.OpenVerified(ctx, b.Hash)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestDownloadMissing checks the message for a file the server lacks.
func TestDownloadMissing(t *testing.T) {
	c := newCity(t)
	r := c.pc("reviewer", nil, nil)
	err := r.syncer.Download(context.Background(), sum([]byte("nothing")), nil)
	var re *client.RemoteError
	if assess.ErrorCode(err) != assess.ENotFound || !errors.As(err, &re) || !strings.Contains(re.Err.Message, "服务器上没有") {
		t.Fatalf("err = %v, want ENotFound with a Chinese message", err)
	}
}
