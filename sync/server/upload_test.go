package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// stored reports whether the evidence file exists anywhere: as a record,
// in the blob store, or over the API for a reviewer.
func (e *env) stored(hash string) bool {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.store.Blob(ctx, hash)
	rec := err == nil
	if err != nil && assess.ErrorCode(err) != assess.ENotFound {
		e.t.Fatal(err)
	}
	has, err := e.blobs.Has(ctx, hash)
	if err != nil {
		e.t.Fatal(err)
	}
	api := e.do(http.MethodHead, wire.EvidencePath+hash, e.token("reviewer"), nil).status == http.StatusOK
	if rec != has || rec != api {
		e.t.Errorf("evidence %s: record %v, file %v, API %v", hash[:8], rec, has, api)
	}
	return rec || has || api
}

// uploadsLeft returns the files left in the tus folder.
func (e *env) uploadsLeft() []string {
	e.t.Helper()
	entries, err := os.ReadDir(filepath.Join(e.dir, "uploads"))
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	return names
}

func TestUploadBecomesVisibleWhenComplete(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	data := pdf(100_000, 3)
	hash := sha(data)
	loc := e.startUpload(tok, "2026年权责清单（公布稿）.pdf", data)

	r := e.tusPatch(tok, loc, 0, data[:40_000])
	if r.status != http.StatusNoContent || r.header.Get("Upload-Offset") != "40000" {
		t.Fatalf("first half: %d offset %q %s", r.status, r.header.Get("Upload-Offset"), r.body)
	}
	if e.stored(hash) {
		t.Fatal("a partial upload is visible")
	}
	head := e.tusHead(tok, loc)
	if head.status != http.StatusOK || head.header.Get("Upload-Offset") != "40000" || head.header.Get("Upload-Length") != "100000" {
		t.Fatalf("HEAD: %d offset %q length %q", head.status, head.header.Get("Upload-Offset"), head.header.Get("Upload-Length"))
	}
	if r := e.tusPatch(tok, loc, 40_000, data[40_000:]); r.status != http.StatusNoContent {
		t.Fatalf("second half: %d %s", r.status, r.body)
	}
	if !e.stored(hash) {
		t.Fatal("a complete, verified upload is not visible")
	}
	b, err := e.store.Blob(context.Background(), hash)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size != int64(len(data)) || b.Name != "2026年权责清单（公布稿）.pdf" || b.UploadedBy != "u-rep-a" || b.UnitID != unitA {
		t.Errorf("blob record %+v", b)
	}
	// The finished upload is gone as an upload: the file is evidence now.
	if r := e.tusHead(tok, loc); r.status != http.StatusNotFound {
		t.Errorf("HEAD of a finished upload: %d, want 404", r.status)
	}
	if left := e.uploadsLeft(); len(left) != 0 {
		t.Errorf("files left in the upload folder: %v", left)
	}
	// The server already has it: a second upload is refused with 409.
	r = e.tusCreate(tok, hash, "copy.pdf", int64(len(data)))
	if r.status != http.StatusConflict {
		t.Errorf("uploading a stored file again: %d, want 409", r.status)
	}
	if we := r.wireError(t); we.Code != assess.EConflict {
		t.Errorf("code %s", we.Code)
	}
}

func TestUploadInOnePost(t *testing.T) {
	e := newEnv(t)
	data := pdf(5000, 4)
	req, _ := http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), bytes.NewReader(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", strconv.Itoa(len(data)))
	req.Header.Set("Upload-Metadata", tusMeta(sha(data), "照片.jpg"))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	r := e.send(req, e.token("reviewer"))
	if r.status != http.StatusCreated || r.header.Get("Upload-Offset") != "5000" {
		t.Fatalf("creation with upload: %d %q %s", r.status, r.header.Get("Upload-Offset"), r.body)
	}
	if !e.stored(sha(data)) {
		t.Error("not stored")
	}
}

func TestUploadRefused(t *testing.T) {
	e := newEnv(t, func(c *server.Config) { c.MaxUpload = 1 << 20 })
	tok := e.token("rep-a")
	data := pdf(2000, 5)
	hash := sha(data)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), pdf(3000, 6)[8:]...)

	t.Run("creation", func(t *testing.T) {
		for _, tc := range []struct {
			name, hash, file string
			size             int64
			want             int
			says             string
		}{
			{"path traversal", hash, "../../etc/passwd.pdf", 2000, 400, "路径"},
			{"folder", hash, `材料\会议纪要.pdf`, 2000, 400, "路径"},
			{"NUL", hash, "纪要\x00.pdf", 2000, 400, "控制字符"},
			{"right-to-left override", hash, "invoice\u202Efdp.exe", 2000, 400, "控制字符"},
			{"program", hash, "setup.exe", 2000, 400, "不支持的文件类型"},
			{"no name", hash, "", 2000, 400, "文件名"},
			{"bad hash", strings.ToUpper(hash), "a.pdf", 2000, 400, "摘要"},
			{"short hash", hash[:20], "a.pdf", 2000, 400, "摘要"},
			{"empty file", sha(nil), "空白.pdf", 0, 400, "空文件"},
			{"too large", hash, "scan.pdf", 2 << 20, 413, "大小"},
		} {
			r := e.tusCreate(tok, tc.hash, tc.file, tc.size)
			if r.status != tc.want {
				t.Errorf("%s: %d, want %d (%s)", tc.name, r.status, tc.want, r.body)
				continue
			}
			if we := r.wireError(t); !strings.Contains(we.Message, tc.says) {
				t.Errorf("%s: message %q does not mention %q", tc.name, we.Message, tc.says)
			}
		}
		// Metadata without a hash at all.
		req, _ := http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Length", "2000")
		req.Header.Set("Upload-Metadata", "filename YS5wZGY=")
		if r := e.send(req, tok); r.status != http.StatusBadRequest {
			t.Errorf("no hash: %d", r.status)
		} else if we := r.wireError(t); !strings.Contains(we.Message, "hash") {
			t.Errorf("no hash: %q", we.Message)
		}
		// A length left for later is not accepted.
		req, _ = http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Defer-Length", "1")
		req.Header.Set("Upload-Metadata", tusMeta(hash, "a.pdf"))
		if r := e.send(req, tok); r.status != http.StatusBadRequest {
			t.Errorf("deferred length: %d", r.status)
		}
		if left := e.uploadsLeft(); len(left) != 0 {
			t.Errorf("refused creations left files: %v", left)
		}
	})

	t.Run("wrong declared hash", func(t *testing.T) {
		declared := sha(pdf(2000, 99))
		r := e.tusCreate(tok, declared, "会议纪要.pdf", int64(len(data)))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r = e.tusPatch(tok, r.header.Get("Location"), 0, data)
		if r.status != http.StatusBadRequest {
			t.Fatalf("patch: %d, want 400 (%s)", r.status, r.body)
		}
		if we := r.wireError(t); !strings.Contains(we.Message, "SHA-256") {
			t.Errorf("message %q", we.Message)
		}
		if e.stored(declared) || e.stored(hash) {
			t.Error("a file with the wrong hash was stored")
		}
		if left := e.uploadsLeft(); len(left) != 0 {
			t.Errorf("files left: %v", left)
		}
	})

	t.Run("executable named pdf", func(t *testing.T) {
		r := e.tusCreate(tok, sha(exe), "整改报告.pdf", int64(len(exe)))
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		r = e.tusPatch(tok, r.header.Get("Location"), 0, exe)
		if r.status != http.StatusBadRequest {
			t.Fatalf("patch: %d, want 400 (%s)", r.status, r.body)
		}
		if we := r.wireError(t); !strings.Contains(we.Message, "可执行程序") {
			t.Errorf("message %q", we.Message)
		}
		if e.stored(sha(exe)) {
			t.Error("a disguised executable was stored")
		}
		if left := e.uploadsLeft(); len(left) != 0 {
			t.Errorf("files left: %v", left)
		}
	})

	t.Run("more than declared", func(t *testing.T) {
		loc := e.startUpload(tok, "a.pdf", data)
		r := e.tusPatch(tok, loc, 0, append(append([]byte{}, data...), 'x'))
		if r.status != http.StatusRequestEntityTooLarge {
			t.Errorf("patch beyond the length: %d, want 413", r.status)
		}
		r.wireError(t)
		e.tusDelete(tok, loc)
	})
}

func TestUploadProtocolErrors(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	data := pdf(3000, 7)
	loc := e.startUpload(tok, "a.pdf", data)

	r := e.tusPatch(tok, loc, 100, data[100:200])
	if r.status != http.StatusConflict {
		t.Errorf("wrong offset: %d, want 409", r.status)
	}
	if we := r.wireError(t); we.Code != assess.EConflict || !strings.Contains(we.Message, "HEAD") {
		t.Errorf("wrong offset: %+v", we)
	}

	req, _ := http.NewRequest(http.MethodPatch, loc, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "0")
	r = e.send(req, tok)
	if r.status != http.StatusPreconditionFailed {
		t.Errorf("no Tus-Resumable: %d, want 412", r.status)
	}
	r.wireError(t)

	req, _ = http.NewRequest(http.MethodPatch, loc, bytes.NewReader(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	r = e.send(req, tok)
	if r.status != http.StatusBadRequest {
		t.Errorf("no Content-Type: %d, want 400", r.status)
	}
	r.wireError(t)

	for _, bad := range []string{"nothex", strings.Repeat("a", 33), "..%2f..%2fserver.db"} {
		if r := e.tusHead(tok, wire.UploadsPath+bad); r.status != http.StatusNotFound {
			t.Errorf("HEAD %s: %d, want 404", bad, r.status)
		}
	}
	// A POST cannot be turned into a PATCH of an upload.
	req, _ = http.NewRequest(http.MethodPost, loc, bytes.NewReader(data))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("X-HTTP-Method-Override", "PATCH")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", "0")
	if r := e.send(req, e.token("rep-b")); r.status != http.StatusMethodNotAllowed {
		t.Errorf("method override: %d, want 405", r.status)
	}
	if h := e.tusHead(tok, loc); h.header.Get("Upload-Offset") != "0" {
		t.Errorf("offset after the override attempt: %q", h.header.Get("Upload-Offset"))
	}
}

func TestUploadOwnership(t *testing.T) {
	e := newEnv(t)
	own, sameUnit, other := e.token("rep-a"), e.token("rep-a2"), e.token("rep-b")
	data := pdf(4000, 8)
	loc := e.startUpload(own, "a.pdf", data)
	for name, tok := range map[string]string{"same unit": sameUnit, "other unit": other, "reviewer": e.token("reviewer")} {
		if r := e.tusHead(tok, loc); r.status != http.StatusForbidden {
			t.Errorf("%s HEAD: %d, want 403", name, r.status)
		}
		r := e.tusPatch(tok, loc, 0, data)
		if r.status != http.StatusForbidden {
			t.Errorf("%s PATCH: %d, want 403", name, r.status)
		}
		r.wireError(t)
		if r := e.tusDelete(tok, loc); r.status != http.StatusForbidden {
			t.Errorf("%s DELETE: %d, want 403", name, r.status)
		}
	}
	if r := e.tusHead(own, loc); r.status != http.StatusOK || r.header.Get("Upload-Offset") != "0" {
		t.Errorf("owner HEAD: %d offset %q", r.status, r.header.Get("Upload-Offset"))
	}
	// A client cannot claim someone else's upload by sending the owner key.
	req, _ := http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), nil)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "4000")
	req.Header.Set("Upload-Metadata", tusMeta(sha(data), "a.pdf")+",owner dS1yZXAtYQ==") // u-rep-a
	r := e.send(req, other)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d", r.status)
	}
	if h := e.tusHead(own, r.header.Get("Location")); h.status != http.StatusForbidden {
		t.Errorf("forged owner: the claimed owner gets %d, want 403", h.status)
	}
	if h := e.tusHead(other, r.header.Get("Location")); h.status != http.StatusOK {
		t.Errorf("forged owner: the real creator gets %d, want 200", h.status)
	}
}

func TestUploadTermination(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	data := pdf(6000, 9)
	loc := e.startUpload(tok, "a.pdf", data)
	if r := e.tusPatch(tok, loc, 0, data[:1000]); r.status != http.StatusNoContent {
		t.Fatalf("patch: %d", r.status)
	}
	if r := e.tusDelete(tok, loc); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.tusHead(tok, loc); r.status != http.StatusNotFound {
		t.Errorf("HEAD after delete: %d, want 404", r.status)
	}
	r := e.tusPatch(tok, loc, 1000, data[1000:])
	if r.status != http.StatusNotFound {
		t.Errorf("PATCH after delete: %d, want 404", r.status)
	}
	r.wireError(t)
	if left := e.uploadsLeft(); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
	if e.stored(sha(data)) {
		t.Error("a terminated upload was stored")
	}
}

// cutReader yields n bytes and then fails, as a connection that drops
// mid-request does.
type cutReader struct {
	r io.Reader
	n int
}

var errCut = errors.New("connection cut")

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errCut
	}
	if len(p) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

func TestUploadResumesAfterInterruption(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	data := pdf(3<<20, 10)
	loc := e.startUpload(tok, "会议照片.png", data)
	// The first megabyte arrives.
	if r := e.tusPatch(tok, loc, 0, data[:1<<20]); r.status != http.StatusNoContent {
		t.Fatalf("first chunk: %d", r.status)
	}
	// The second PATCH offers the rest but the connection drops after
	// another megabyte.
	req, _ := http.NewRequest(http.MethodPatch, loc, &cutReader{r: bytes.NewReader(data[1<<20:]), n: 1 << 20})
	req.ContentLength = int64(len(data) - 1<<20)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	req.Header.Set("Upload-Offset", strconv.Itoa(1<<20))
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := e.http.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the cut PATCH succeeded: %d", resp.StatusCode)
	}
	// The client asks where to go on, and goes on from there. The server
	// may still be storing the cut request when the question arrives: then
	// the offset moves once more and the PATCH is answered 409, and the
	// client asks again, as tus clients do.
	resumed := false
	for attempt := 0; attempt < 10 && !resumed; attempt++ {
		h := e.tusHead(tok, loc)
		off, err := strconv.Atoi(h.header.Get("Upload-Offset"))
		if h.status != http.StatusOK || err != nil {
			t.Fatalf("HEAD: %d %q", h.status, h.header.Get("Upload-Offset"))
		}
		if off < 1<<20 || off > 2<<20 {
			t.Fatalf("offset after the cut: %d, want between 1 and 2 MiB", off)
		}
		if e.stored(sha(data)) {
			t.Fatal("visible before complete")
		}
		switch r := e.tusPatch(tok, loc, int64(off), data[off:]); r.status {
		case http.StatusNoContent:
			resumed = true
		case http.StatusConflict:
		default:
			t.Fatalf("resume at %d: %d %s", off, r.status, r.body)
		}
	}
	if !resumed {
		t.Fatal("the upload never resumed")
	}
	if !e.stored(sha(data)) {
		t.Fatal("the resumed upload is not stored")
	}
	rc, info, err := e.blobs.Open(context.Background(), sha(data))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if info.Size != int64(len(data)) || !bytes.Equal(got, data) {
		t.Error("the stored file differs from the one sent")
	}
}

func TestUploadResumesAfterRestart(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	good := pdf(300_000, 13)
	bad := pdf(300_000, 14)
	declaredForBad := sha(pdf(300_000, 15))
	locGood := e.startUpload(tok, "a.pdf", good)
	r := e.tusCreate(tok, declaredForBad, "b.pdf", int64(len(bad)))
	if r.status != http.StatusCreated {
		t.Fatal(r.status)
	}
	locBad := r.header.Get("Location")
	for _, u := range []struct {
		loc  string
		data []byte
	}{{locGood, good}, {locBad, bad}} {
		if r := e.tusPatch(tok, u.loc, 0, u.data[:100_000]); r.status != http.StatusNoContent {
			t.Fatalf("first chunk: %d", r.status)
		}
	}
	// A new server process: the uploads are on disk, the sessions in the
	// store; the hashes computed so far are gone.
	old := e.http.URL
	e.http.Close()
	e.start()
	move := func(loc string) string { return e.http.URL + strings.TrimPrefix(loc, old) }
	if h := e.tusHead(tok, move(locGood)); h.status != http.StatusOK || h.header.Get("Upload-Offset") != "100000" {
		t.Fatalf("HEAD after restart: %d %q", h.status, h.header.Get("Upload-Offset"))
	}
	if r := e.tusPatch(tok, move(locGood), 100_000, good[100_000:]); r.status != http.StatusNoContent {
		t.Fatalf("resume after restart: %d %s", r.status, r.body)
	}
	if !e.stored(sha(good)) {
		t.Error("the upload resumed after a restart is not stored")
	}
	r = e.tusPatch(tok, move(locBad), 100_000, bad[100_000:])
	if r.status != http.StatusBadRequest {
		t.Errorf("wrong hash after restart: %d, want 400", r.status)
	}
	if e.stored(declaredForBad) || e.stored(sha(bad)) {
		t.Error("a file with the wrong hash was stored")
	}
	if left := e.uploadsLeft(); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}
