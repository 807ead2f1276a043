package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// BlobStore keeps verified evidence files by their SHA-256.
type BlobStore interface {
	// Put moves the local file at path into the store as hash, after
	// checking that its SHA-256 is hash (ErrHashMismatch otherwise, and the
	// file is left where it was). Putting a hash already stored removes path
	// and succeeds.
	Put(ctx context.Context, path, hash string) error
	// PutVerified is Put for a file whose SHA-256 the caller computed from
	// exactly the bytes it wrote to path, so that the file is not read
	// again.
	PutVerified(ctx context.Context, path, hash string) error
	// Open opens a stored file for reading; ENotFound if there is none.
	Open(ctx context.Context, hash string) (io.ReadSeekCloser, BlobInfo, error)
	// Has reports whether the file is stored.
	Has(ctx context.Context, hash string) (bool, error)
	// Remove deletes a stored file; removing a missing file is not an error.
	Remove(ctx context.Context, hash string) error
}

// BlobInfo describes a stored file.
type BlobInfo struct {
	Size    int64
	ModTime time.Time
}

// ErrHashMismatch is returned by BlobStore.Put when a file's content does
// not have the SHA-256 it was put under.
var ErrHashMismatch = errors.New("evidence file content does not match its SHA-256")

// DirBlobs is a BlobStore in a local folder: each file at <dir>/ab/<hash>,
// where ab are the hash's first two hex digits.
type DirBlobs struct {
	dir string
}

var _ BlobStore = (*DirBlobs)(nil)

// NewDirBlobs returns the store in dir, creating the folder if needed.
func NewDirBlobs(dir string) (*DirBlobs, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence folder: %w", err)
	}
	return &DirBlobs{dir: dir}, nil
}

// Dir returns the store's folder.
func (d *DirBlobs) Dir() string { return d.dir }

func (d *DirBlobs) path(hash string) (string, error) {
	if err := assess.ValidateHash(hash); err != nil {
		return "", err
	}
	return filepath.Join(d.dir, hash[:2], hash), nil
}

// Put verifies the file's SHA-256 and renames it into place, falling back to
// a copy when the file is on another file system; the file and its folder
// are synced before Put returns.
func (d *DirBlobs) Put(ctx context.Context, path, hash string) error {
	return d.put(ctx, path, hash, true)
}

// PutVerified moves a file whose SHA-256 the caller vouches for into place.
func (d *DirBlobs) PutVerified(ctx context.Context, path, hash string) error {
	return d.put(ctx, path, hash, false)
}

func (d *DirBlobs) put(ctx context.Context, path, hash string, verify bool) error {
	dst, err := d.path(hash)
	if err != nil {
		return err
	}
	if verify {
		sum, err := fileSHA256(ctx, path)
		if err != nil {
			return err
		}
		if sum != hash {
			return ErrHashMismatch
		}
	}
	if _, err := os.Stat(dst); err == nil {
		return removeIfExists(path)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("evidence folder %s: %w", dir, err)
	}
	if err := syncFile(path); err != nil {
		return err
	}
	if err := os.Rename(path, dst); err != nil {
		if err := copyInto(ctx, path, dst); err != nil {
			return err
		}
		if err := removeIfExists(path); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// Open opens a stored file.
func (d *DirBlobs) Open(_ context.Context, hash string) (io.ReadSeekCloser, BlobInfo, error) {
	p, err := d.path(hash)
	if err != nil {
		return nil, BlobInfo{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, BlobInfo{}, assess.Errorf(assess.ENotFound, "服务器上没有该佐证材料文件 (evidence file not stored)")
	}
	if err != nil {
		return nil, BlobInfo{}, fmt.Errorf("open evidence %s: %w", hash, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, BlobInfo{}, fmt.Errorf("stat evidence %s: %w", hash, err)
	}
	return f, BlobInfo{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Has reports whether a file is stored.
func (d *DirBlobs) Has(_ context.Context, hash string) (bool, error) {
	p, err := d.path(hash)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Remove deletes a stored file.
func (d *DirBlobs) Remove(_ context.Context, hash string) error {
	p, err := d.path(hash)
	if err != nil {
		return err
	}
	return removeIfExists(p)
}

// fileSHA256 hashes a file, stopping early when ctx ends.
func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// WriteTo lets io.Copy use large reads while still checking the context
// between them.
func (c ctxReader) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 1<<20)
	return io.CopyBuffer(w, struct{ io.Reader }{c}, buf)
}

// copyInto copies src to a temporary file beside dst, syncs it and renames
// it to dst.
func copyInto(ctx context.Context, src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".put-*")
	if err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, ctxReader{ctx, in}); err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("copy evidence: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncDir makes a rename durable. Folders cannot be synced on every system
// (Windows refuses); that is not an error.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	_ = f.Sync()
	return f.Close()
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
