package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"
)

// maxRunningSums bounds the hash states kept for uploads in progress; past
// it, the oldest are dropped and those uploads are hashed again when they
// finish.
const maxRunningSums = 10000

// hashingStore is the tus file store with each upload's SHA-256 computed as
// its bytes arrive, so that a finished file need not be read again. The
// states live in memory only: an upload resumed after a restart, on
// another replica, or after a write that stored fewer bytes than it read is
// simply hashed from its file when it finishes.
type hashingStore struct {
	filestore.FileStore

	mu    sync.Mutex
	sums  map[string]*runningSum
	order []string // upload IDs, oldest first, to drop from when full
}

// runningSum is the SHA-256 of an upload's first offset bytes.
type runningSum struct {
	offset int64
	h      hash.Hash
}

func newHashingStore(dir string) *hashingStore {
	fs := filestore.New(dir)
	fs.DirModePerm, fs.FileModePerm = 0o750, 0o640
	return &hashingStore{FileStore: fs, sums: map[string]*runningSum{}}
}

// NewUpload creates an upload and starts its hash.
func (s *hashingStore) NewUpload(ctx context.Context, info tus.FileInfo) (tus.Upload, error) {
	up, err := s.FileStore.NewUpload(ctx, info)
	if err != nil {
		return nil, err
	}
	info, err = up.GetInfo(ctx)
	if err != nil {
		return nil, err
	}
	s.put(info.ID, &runningSum{h: sha256.New()})
	return &hashingUpload{Upload: up, store: s, id: info.ID}, nil
}

// GetUpload returns an upload in progress.
func (s *hashingStore) GetUpload(ctx context.Context, id string) (tus.Upload, error) {
	up, err := s.FileStore.GetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	return &hashingUpload{Upload: up, store: s, id: id}, nil
}

// AsTerminatableUpload lets tusd delete an upload; its hash is forgotten.
func (s *hashingStore) AsTerminatableUpload(up tus.Upload) tus.TerminatableUpload {
	hu := up.(*hashingUpload)
	s.take(hu.id, -1)
	return s.FileStore.AsTerminatableUpload(hu.Upload)
}

func (s *hashingStore) put(id string, rs *runningSum) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sums[id]; !ok {
		s.order = append(s.order, id)
	}
	s.sums[id] = rs
	for len(s.sums) > maxRunningSums && len(s.order) > 0 {
		delete(s.sums, s.order[0])
		s.order = s.order[1:]
	}
	if len(s.order) > 2*maxRunningSums {
		live := s.order[:0]
		for _, id := range s.order {
			if _, ok := s.sums[id]; ok {
				live = append(live, id)
			}
		}
		s.order = live
	}
}

// take removes and returns the upload's hash state if it covers exactly the
// first offset bytes (any state when offset is negative).
func (s *hashingStore) take(id string, offset int64) *runningSum {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.sums[id]
	delete(s.sums, id)
	if rs == nil || offset >= 0 && rs.offset != offset {
		return nil
	}
	return rs
}

// sum returns the SHA-256 of a finished upload of size bytes, if every byte
// passed through its hash; the state is forgotten either way.
func (s *hashingStore) sum(id string, size int64) (string, bool) {
	rs := s.take(id, size)
	if rs == nil {
		return "", false
	}
	return hex.EncodeToString(rs.h.Sum(nil)), true
}

// hashingUpload feeds every chunk written to an upload through its hash.
type hashingUpload struct {
	tus.Upload
	store *hashingStore
	id    string
}

// WriteChunk appends a chunk, hashing what is read; if the store wrote
// fewer bytes than were read, the state no longer matches the file and is
// dropped.
func (u *hashingUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	rs := u.store.take(u.id, offset)
	if rs == nil {
		// Not hashed here (the file is hashed when it finishes), but
		// copied the same way.
		return u.Upload.WriteChunk(ctx, offset, &hashReader{r: src})
	}
	tee := &hashReader{r: src, h: rs.h}
	n, err := u.Upload.WriteChunk(ctx, offset, tee)
	if tee.n == n {
		rs.offset = offset + n
		u.store.put(u.id, rs)
	}
	return n, err
}

// hashReader hashes what is read through it, when h is not nil, and
// counts it.
type hashReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

// Copying an upload into its file: the size and number of the buffers that
// pass between the copying and the hashing goroutine, and how many bytes are
// written between two requests that the kernel start writing them to disk.
// Buffers of this size stay in the processor's cache between the read, the
// write and the hash; measured on loopback, larger ones copy slower.
const (
	copyBuffer     = 128 << 10
	copyBuffers    = 4
	writebackEvery = 2 << 20
)

// WriteTo copies the rest of the upload into w, the upload's file (io.Copy
// in the file store calls it). The bytes are hashed on a goroutine of their
// own while the next buffer is read and written, so that hashing, at about
// the speed of a loopback connection, does not slow the copy down. When w
// is a file, every few megabytes the kernel is asked to start writing what
// has arrived to disk, so that the sync when the upload finishes waits for
// the last part only. It returns the bytes written; the hash and t.n cover
// the bytes read, which differ only when a write fails.
func (t *hashReader) WriteTo(w io.Writer) (written int64, err error) {
	free := make(chan []byte, copyBuffers)
	for range copyBuffers {
		free <- make([]byte, copyBuffer)
	}
	var toHash chan []byte
	hashed := make(chan struct{})
	if t.h != nil {
		toHash = make(chan []byte, copyBuffers)
		go func() {
			defer close(hashed)
			for b := range toHash {
				t.h.Write(b)
				free <- b[:cap(b)]
			}
		}()
		defer func() {
			close(toHash)
			<-hashed // t.h is the caller's again
		}()
	}

	f, _ := w.(*os.File)
	var base, pending int64 // the file's size before the first write; bytes written since the last writeback request
	if f != nil {
		if st, err := f.Stat(); err == nil {
			base = st.Size()
		} else {
			f = nil // no writeback hints; the final sync does it all
		}
	}
	for {
		buf := <-free
		n, rerr := t.r.Read(buf)
		t.n += int64(n)
		if toHash != nil && n > 0 {
			toHash <- buf[:n] // the hasher only reads it, as the write below does
		} else {
			free <- buf
		}
		if n > 0 {
			m, werr := w.Write(buf[:n])
			written += int64(m)
			if werr == nil && m < n {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return written, werr
			}
			if pending += int64(m); f != nil && pending >= writebackEvery {
				startWriteback(f, base+written-pending, pending)
				pending = 0
			}
		}
		switch {
		case rerr == io.EOF:
			if f != nil && pending > 0 {
				startWriteback(f, base+written-pending, pending)
			}
			return written, nil
		case rerr != nil:
			return written, rerr
		}
	}
}

func (t *hashReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && t.h != nil {
		t.h.Write(p[:n])
	}
	t.n += int64(n)
	return n, err
}
