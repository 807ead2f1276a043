package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Download fetches one evidence file into the local store, resuming a
// partial download with an HTTP Range request, and verifies its SHA-256
// before it becomes visible. A file already in the store is not fetched.
// progress, when not nil, is called with the bytes on disk and the file size
// (0 while unknown).
func (s *Syncer) Download(ctx context.Context, hash string, progress func(got, total int64)) error {
	if err := assess.ValidateHash(hash); err != nil {
		return err
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	if has, err := s.local.HasBlob(ctx, hash); err != nil || has {
		return err
	}
	path := s.local.PartialPath(hash)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("make download folder: %w", err)
	}
	for round := 1; ; round++ {
		if err := s.fetchAll(ctx, hash, path, progress); err != nil {
			return err
		}
		err := s.local.CommitPartial(ctx, hash)
		if err == nil {
			return nil
		}
		// A partial file that did not match its hash has been removed: one
		// fresh download, then give up.
		if _, serr := os.Stat(path); round >= 2 || !errors.Is(serr, fs.ErrNotExist) {
			return err
		}
	}
}

// fetchAll downloads until the partial file is complete, retrying cuts.
func (s *Syncer) fetchAll(ctx context.Context, hash, path string, progress func(int64, int64)) error {
	failures := 0
	for {
		moved, err := s.api.fetch(ctx, hash, path, progress)
		if err == nil {
			return nil
		}
		if !Retryable(err) {
			if statusOf(err) == http.StatusNotFound {
				return &RemoteError{Status: http.StatusNotFound, Err: assess.Errorf(assess.ENotFound, "服务器上没有这份佐证材料（%s…），可能尚未上传完成，请稍后同步再试 (evidence not on the server)", hash[:12])}
			}
			return err
		}
		if moved {
			failures = 0
		}
		if failures++; failures >= s.backoff.withDefaults().Attempts {
			return err
		}
		if werr := sleep(ctx, s.backoff.Delay(failures, err)); werr != nil {
			return werr
		}
	}
}

// fetch makes one GET of the evidence file, appending to the partial file at
// path from its current size. moved reports whether any byte arrived.
func (a *API) fetch(ctx context.Context, hash, path string, progress func(int64, int64)) (moved bool, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return false, fmt.Errorf("open partial download: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close partial download: %w", cerr)
		}
	}()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false, fmt.Errorf("size partial download: %w", err)
	}
	req, err := a.newRaw(ctx, http.MethodGet, a.url(wire.EvidencePath+hash))
	if err != nil {
		return false, err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := a.raw.Do(req)
	if err != nil {
		return false, networkError(ctx, err)
	}
	defer drain(resp)

	var total int64
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != have {
			// Not the range asked for: start again from the first byte.
			return false, restart(f, assess.Errorf(assess.EUnavailable, "服务器返回的分段与请求不符，将重新下载 (unexpected range)"))
		}
		total = size
	case http.StatusOK:
		if err := f.Truncate(0); err != nil {
			return false, fmt.Errorf("truncate partial download: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return false, fmt.Errorf("rewind partial download: %w", err)
		}
		have, total = 0, resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		// The partial file is as long as the file or longer.
		if _, size, ok := contentRange(resp.Header.Get("Content-Range")); ok && size == have {
			return false, nil
		}
		return false, restart(f, assess.Errorf(assess.EUnavailable, "本地的部分下载已失效，将重新下载 (stale partial download)"))
	default:
		return false, statusError(resp.StatusCode, resp.Header, readSmall(resp))
	}
	if total < 0 {
		total = 0
	}
	progress(have, total)
	body := &countingReader{r: resp.Body, report: func(n int64) { progress(have+n, total) }}
	_, cerr := io.Copy(f, body)
	body.flush()
	moved = body.n > 0
	if cerr != nil {
		var pe *os.PathError
		if errors.As(cerr, &pe) {
			return moved, fmt.Errorf("write partial download: %w", cerr)
		}
		return moved, networkError(ctx, cerr)
	}
	if total > 0 && have+body.n != total {
		return moved, networkError(ctx, io.ErrUnexpectedEOF)
	}
	return moved, nil
}

// restart empties the partial file and returns err, a retryable error so the
// caller fetches again from the first byte.
func restart(f *os.File, err *assess.Error) error {
	if terr := f.Truncate(0); terr != nil {
		return fmt.Errorf("truncate partial download: %w", terr)
	}
	return &RemoteError{Err: err}
}

// contentRange parses "bytes start-end/size" and "bytes */size".
func contentRange(v string) (start, size int64, ok bool) {
	v, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, false
	}
	size, err := strconv.ParseInt(sz, 10, 64)
	if err != nil || size < 0 {
		return 0, 0, false
	}
	if rng == "*" {
		return 0, size, true
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start || end >= size {
		return 0, 0, false
	}
	return start, size, true
}
