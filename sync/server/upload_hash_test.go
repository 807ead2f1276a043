package server

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// chunky hands out its data in reads of varying sizes, as a connection
// does.
type chunky struct {
	data []byte
	r    *rand.Rand
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.r.IntN(300<<10))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// failAfter is a writer that takes limit bytes, then fails.
type failAfter struct {
	w     bytes.Buffer
	limit int
}

var errDiskFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if left := f.limit - f.w.Len(); len(p) > left {
		f.w.Write(p[:left])
		return left, errDiskFull
	}
	return f.w.Write(p)
}

// TestHashingCopy checks the copy of an upload into its file: the file
// gets every byte after what it held, the hash covers exactly the bytes
// read, a failing write is reported with the bytes it took (so that the
// running hash is dropped), and an upload without a hash is copied all the
// same.
func TestHashingCopy(t *testing.T) {
	dir, err := os.MkdirTemp("", "yiwangtong-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5<<20+12345) // several buffers and writeback steps, and a partial last one
	for i := range data {
		data[i] = byte(r.Uint32())
	}

	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("prefix")); err != nil {
		t.Fatal(err)
	}
	tee := &hashReader{r: &chunky{data: data, r: r}, h: sha256.New()}
	n, err := io.Copy(f, tee)
	if err != nil || n != int64(len(data)) || tee.n != n {
		t.Fatalf("copy: %d bytes (read %d), %v; want %d", n, tee.n, err, len(data))
	}
	if want := sha256.Sum256(data); !bytes.Equal(tee.h.Sum(nil), want[:]) {
		t.Error("the hash differs from the SHA-256 of the data")
	}
	got, err := os.ReadFile(f.Name())
	if err != nil || !bytes.Equal(got, append([]byte("prefix"), data...)) {
		t.Fatalf("the file holds %d bytes, want the prefix and the %d bytes sent (%v)", len(got), len(data), err)
	}

	w := &failAfter{limit: 1<<20 + 7}
	tee = &hashReader{r: &chunky{data: data, r: r}, h: sha256.New()}
	n, err = io.Copy(w, tee)
	if !errors.Is(err, errDiskFull) || n != int64(w.limit) || tee.n <= n {
		t.Fatalf("a failing write: copied %d (read %d), %v; want %d copied, more read, and the error", n, tee.n, err, w.limit)
	}

	var plain bytes.Buffer
	n, err = io.Copy(&plain, &hashReader{r: &chunky{data: data, r: r}})
	if err != nil || n != int64(len(data)) || !bytes.Equal(plain.Bytes(), data) {
		t.Fatalf("a copy without a hash: %d bytes, %v", n, err)
	}
}
