package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
)

func TestDirBlobs(t *testing.T) {
	ctx := context.Background()
	dir := tempDir(t)
	blobs, err := server.NewDirBlobs(filepath.Join(dir, "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := pdf(10_000, 20)
	hash := sha(data)

	// A wrong hash is refused and the file stays where it was.
	src := write("upload-1", data)
	other := sha([]byte("other"))
	if err := blobs.Put(ctx, src, other); !errors.Is(err, server.ErrHashMismatch) {
		t.Fatalf("wrong hash: %v", err)
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("the refused file was moved: %v", err)
	}
	if has, _ := blobs.Has(ctx, other); has {
		t.Error("stored under the wrong hash")
	}
	if err := blobs.Put(ctx, src, "../../x"); assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("malformed hash: %v", err)
	}

	if err := blobs.Put(ctx, src, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the source is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "evidence", hash[:2], hash)); err != nil {
		t.Errorf("not at evidence/ab/<hash>: %v", err)
	}
	has, err := blobs.Has(ctx, hash)
	if err != nil || !has {
		t.Fatalf("Has: %v %v", has, err)
	}
	rc, info, err := blobs.Open(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) || info.Size != int64(len(data)) || info.ModTime.IsZero() {
		t.Errorf("Open: %d bytes, info %+v", len(got), info)
	}

	// Putting the same content again keeps one copy and removes the source.
	src2 := write("upload-2", data)
	if err := blobs.Put(ctx, src2, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src2); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the duplicate source is still there: %v", err)
	}

	if err := blobs.Remove(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if err := blobs.Remove(ctx, hash); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if _, _, err := blobs.Open(ctx, hash); assess.ErrorCode(err) != assess.ENotFound {
		t.Errorf("Open after Remove: %v", err)
	}
	if has, _ := blobs.Has(ctx, hash); has {
		t.Error("Has after Remove")
	}
}
