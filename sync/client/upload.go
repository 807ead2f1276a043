package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// tusVersion is the tus protocol version spoken.
const tusVersion = "1.0.0"

// settleDelay is the least wait after a broken PATCH before the offset is
// asked: tusd answers that HEAD by interrupting the PATCH it still serves,
// dropping whatever it has not read from the connection yet.
const settleDelay = 250 * time.Millisecond

// progressStep is how many bytes pass between two progress reports.
const progressStep = 256 << 10

// HasEvidence reports whether the server holds a verified evidence file the
// caller may read. A file the caller may not read counts as absent: the
// upload that follows is then answered "already there".
func (a *API) HasEvidence(ctx context.Context, hash string) (bool, error) {
	req, err := a.newRaw(ctx, http.MethodHead, a.url(wire.EvidencePath+hash))
	if err != nil {
		return false, err
	}
	resp, err := a.raw.Do(req)
	if err != nil {
		return false, networkError(ctx, err)
	}
	drain(resp)
	switch {
	case resp.StatusCode == http.StatusOK:
		return true, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden:
		return false, nil
	}
	return false, statusError(resp.StatusCode, resp.Header, nil)
}

// createUpload starts a tus upload of size bytes and returns its URL; done
// is true when the server answers that it already holds the file.
func (a *API) createUpload(ctx context.Context, blob LocalBlob, size int64) (loc string, done bool, err error) {
	target := a.url(wire.UploadsPath)
	req, err := a.newRaw(ctx, http.MethodPost, target)
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Tus-Resumable", tusVersion)
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", uploadMetadata(map[string]string{
		wire.MetaHash:     blob.Hash,
		wire.MetaFilename: blob.Name,
	}))
	resp, err := a.raw.Do(req)
	if err != nil {
		return "", false, networkError(ctx, err)
	}
	body := readSmall(resp)
	switch resp.StatusCode {
	case http.StatusCreated:
	case http.StatusConflict:
		return "", true, nil
	default:
		return "", false, statusError(resp.StatusCode, resp.Header, body)
	}
	l := resp.Header.Get("Location")
	if l == "" {
		return "", false, assess.Errorf(assess.EInternal, "服务器没有返回上传地址 (no Location in the tus answer)")
	}
	u, err := url.Parse(l)
	if err != nil {
		return "", false, assess.Errorf(assess.EInternal, "服务器返回的上传地址无法识别 (bad Location in the tus answer)")
	}
	return resp.Request.URL.ResolveReference(u).String(), false, nil
}

// uploadMetadata encodes the tus Upload-Metadata header: comma-separated
// "key base64(value)" pairs, in a fixed order.
func uploadMetadata(m map[string]string) string {
	keys := []string{wire.MetaHash, wire.MetaFilename}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(v)))
		}
	}
	return strings.Join(parts, ",")
}

// uploadOffset asks where a tus upload stands.
func (a *API) uploadOffset(ctx context.Context, loc string) (int64, error) {
	req, err := a.newRaw(ctx, http.MethodHead, loc)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Tus-Resumable", tusVersion)
	resp, err := a.raw.Do(req)
	if err != nil {
		return 0, networkError(ctx, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return 0, statusError(resp.StatusCode, resp.Header, nil)
	}
	off, err := strconv.ParseInt(resp.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		return 0, assess.Errorf(assess.EInternal, "服务器返回的上传进度无法识别 (bad Upload-Offset)")
	}
	return off, nil
}

// patch streams the file open returns, from offset to size, into the tus
// upload at loc. sent is called with the bytes handed to the connection so
// far in this request. A file on disk goes to the transport as it is, so
// that a plain connection sends it with sendfile; its progress is read from
// the file position.
func (a *API) patch(ctx context.Context, loc string, open func() (io.ReadSeekCloser, error), offset, size int64, sent func(int64)) error {
	src, err := open()
	if err != nil {
		return fmt.Errorf("open evidence: %w", err)
	}
	if _, err := src.Seek(offset, io.SeekStart); err != nil {
		src.Close()
		return fmt.Errorf("seek evidence to %d: %w", offset, err)
	}
	req, err := a.newRaw(ctx, http.MethodPatch, loc)
	if err != nil {
		src.Close()
		return err
	}
	req.ContentLength = size - offset
	req.Header.Set("Tus-Resumable", tusVersion)
	req.Header.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")

	var report func()
	if f, ok := src.(*os.File); ok {
		// The transport closes the body when done.
		req.Body = f
		report = watchPosition(f, offset, sent)
	} else {
		defer src.Close()
		body := &countingReader{r: io.LimitReader(src, size-offset), report: sent}
		req.Body = io.NopCloser(body)
		report = body.flush
	}
	resp, err := a.raw.Do(req)
	report()
	if err != nil {
		return networkError(ctx, err)
	}
	b := readSmall(resp)
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return statusError(resp.StatusCode, resp.Header, b)
	}
	sent(size - offset)
	return nil
}

// positionEvery is how often the position of a file being sent is read.
const positionEvery = 100 * time.Millisecond

// watchPosition reports how far the transport has read f past offset until
// stop is called; stop waits for the watcher and reports once more, so that
// sent is never called after stop returns.
func watchPosition(f *os.File, offset int64, sent func(int64)) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	var last int64
	read := func() {
		if pos, err := f.Seek(0, io.SeekCurrent); err == nil && pos-offset > last {
			last = pos - offset
			sent(last)
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(positionEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		read()
	}
}

// countingReader counts the bytes read through it and reports them every
// progressStep bytes.
type countingReader struct {
	r        io.Reader
	n        int64
	reported int64
	report   func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.report != nil && c.n-c.reported >= progressStep {
		c.flush()
	}
	return n, err
}

func (c *countingReader) flush() {
	if c.report != nil && c.n != c.reported {
		c.reported = c.n
		c.report(c.n)
	}
}

// drain reads a little of a body so the connection can be reused, and
// closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// readSmall returns up to 64 KiB of a body and closes it.
func readSmall(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	drain(resp)
	return b
}

// Upload sends one evidence file to the server with tus 1.0, resuming where
// the server stands after any interruption. A file the server already holds
// is not sent again. open returns the file's content; progress, when not nil,
// is called with the bytes the server holds and the file size.
//
// A failure the server will not accept on retry (a hash mismatch, a refused
// file type) is final: its *assess.Error names the file in Chinese.
func (s *Syncer) Upload(ctx context.Context, blob LocalBlob, open func() (io.ReadSeekCloser, error), progress func(sent, total int64)) error {
	if err := assess.ValidateHash(blob.Hash); err != nil {
		return err
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	loc, err := s.local.UploadURL(ctx, blob.Hash)
	if err != nil {
		return err
	}
	// A file with no upload under way is asked for by creating one: the
	// server answers the creation "already there" (409) when it holds the
	// file, which saves a round trip per file. An upload to resume is
	// checked first, as the server may have completed the file meanwhile.
	if loc != "" {
		var has bool
		err := s.backoff.Do(ctx, func() (err error) {
			has, err = s.api.HasEvidence(ctx, blob.Hash)
			return err
		})
		if err != nil {
			return err
		}
		if has {
			return s.uploaded(ctx, blob, progress)
		}
	}

	f, err := open()
	if err != nil {
		return fmt.Errorf("open evidence %s: %w", blob.Hash, err)
	}
	size, err := f.Seek(0, io.SeekEnd)
	f.Close()
	if err != nil {
		return fmt.Errorf("size of evidence %s: %w", blob.Hash, err)
	}
	if blob.Size > 0 && size != blob.Size {
		return assess.Errorf(assess.EInvalid, "本地佐证材料“%s”的大小（%d 字节）与登记的大小（%d 字节）不符，文件可能已损坏，请重新添加 (local evidence file changed size)", blob.Name, size, blob.Size)
	}

	offset := int64(-1) // unknown: ask the server
	stored := int64(-1) // the most the server has confirmed holding
	failures, restarts := 0, 0
	var lastErr error
	for {
		if loc == "" {
			if restarts++; restarts > 3 {
				return assess.Errorf(assess.EInternal, "佐证材料“%s”多次上传后仍未被服务器接收，请稍后重试 (upload keeps restarting)", blob.Name)
			}
			var done bool
			err := s.backoff.Do(ctx, func() (err error) {
				loc, done, err = s.api.createUpload(ctx, blob, size)
				return err
			})
			if err != nil {
				return s.uploadError(blob, err)
			}
			if done {
				return s.uploaded(ctx, blob, progress)
			}
			// Remember the URL before any byte goes, so that a crash
			// anywhere below resumes instead of starting over.
			if err := s.local.SetUploadURL(ctx, blob.Hash, loc); err != nil {
				return err
			}
			offset, stored = 0, 0
		}
		if offset < 0 {
			off, err := s.api.uploadOffset(ctx, loc)
			switch {
			case gone(err):
				loc = ""
				if err := s.local.SetUploadURL(ctx, blob.Hash, ""); err != nil {
					return err
				}
				continue
			case err != nil && Retryable(err):
				if failures++; failures >= s.backoff.withDefaults().Attempts {
					return err
				}
				if err := sleep(ctx, s.backoff.Delay(failures, err)); err != nil {
					return err
				}
				continue
			case err != nil:
				return s.uploadError(blob, err)
			}
			if off > stored {
				failures = 0 // progress was made: count the failures afresh
				stored = off
			} else if failures >= s.backoff.withDefaults().Attempts {
				return lastErr
			}
			offset = off
		}
		progress(offset, size)
		if offset >= size {
			// Every byte is there but the file is not visible: the server
			// either still verifies it or dropped it. Start over once.
			has, err := s.api.HasEvidence(ctx, blob.Hash)
			if err != nil {
				return err
			}
			if has {
				return s.uploaded(ctx, blob, progress)
			}
			loc, offset = "", -1
			if err := s.local.SetUploadURL(ctx, blob.Hash, ""); err != nil {
				return err
			}
			continue
		}
		start := offset
		err := s.api.patch(ctx, loc, open, start, size, func(n int64) { progress(start+n, size) })
		switch {
		case err == nil:
			return s.uploaded(ctx, blob, progress)
		case gone(err):
			loc, offset = "", -1
			if err := s.local.SetUploadURL(ctx, blob.Hash, ""); err != nil {
				return err
			}
		case statusOf(err) == http.StatusConflict || Retryable(err):
			// A broken connection, or offsets that disagree: ask the server
			// where it stands and go on from there. Asking interrupts the
			// server's side of a broken request, so first give it time to
			// store what already arrived.
			failures++
			lastErr, offset = err, -1
			if err := sleep(ctx, max(s.backoff.Delay(failures, err), settleDelay)); err != nil {
				return err
			}
		default:
			// Refused for good (hash mismatch, file type): the upload is
			// spent.
			_ = s.local.SetUploadURL(ctx, blob.Hash, "")
			return s.uploadError(blob, err)
		}
	}
}

// uploaded records that the server holds the file (which also forgets its
// upload URL).
func (s *Syncer) uploaded(ctx context.Context, blob LocalBlob, progress func(int64, int64)) error {
	if err := s.local.MarkUploaded(ctx, blob.Hash); err != nil {
		return err
	}
	progress(blob.Size, blob.Size)
	return nil
}

// uploadError names the file in a final error from the server.
func (s *Syncer) uploadError(blob LocalBlob, err error) error {
	var re *RemoteError
	if !errors.As(err, &re) || Retryable(err) || re.Err.Code == assess.EUnauthorized {
		return err
	}
	code := re.Err.Code
	if code == assess.EInternal {
		code = assess.EInvalid // a 4xx the table does not know: refused all the same
	}
	return &RemoteError{
		Status: re.Status,
		Err:    assess.Errorf(code, "佐证材料“%s”上传失败：%s", blob.Name, re.Err.Message),
	}
}

// statusOf returns the HTTP status of a server answer, 0 for none.
func statusOf(err error) int {
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Status
	}
	return 0
}

// gone reports whether a tus upload no longer exists on the server.
func gone(err error) bool {
	s := statusOf(err)
	return s == http.StatusNotFound || s == http.StatusGone
}
