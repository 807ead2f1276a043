package server_test

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkUpload compares a whole tus upload of a 25 MB evidence file
// (create, one PATCH, hash check, fsync, move into the evidence folder,
// record) with a raw HTTP PUT of the same bytes to a handler that writes
// them to a file and syncs it, in the same run:
//
//	go test -run '^$' -bench Upload -benchtime 20x ./sync/server/
func BenchmarkUpload(b *testing.B) {
	data := make([]byte, 25<<20)
	rand.Read(data)
	copy(data, "%PDF-1.7\n")

	b.Run("raw-put", func(b *testing.B) {
		dir := tempDir(b)
		n := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n++
			f, err := os.Create(filepath.Join(dir, "f"+string(rune('a'+n%26))))
			if err == nil {
				_, err = io.Copy(f, r.Body)
				f.Sync()
				f.Close()
			}
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPut, srv.URL, bytes.NewReader(data))
			resp, err := srv.Client().Do(req)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
	})

	b.Run("tus", func(b *testing.B) {
		e := newEnv(b)
		tok := e.token("rep-a")
		b.SetBytes(int64(len(data)))
		// Distinct files, hashed before the clock runs, as a client has
		// hashed its evidence long before it syncs.
		files := make([][]byte, b.N)
		hashes := make([]string, b.N)
		for i := range files {
			files[i] = append([]byte{}, data...)
			files[i][100], files[i][101] = byte(i), byte(i>>8)
			hashes[i] = sha(files[i])
		}
		b.ResetTimer()
		for i := range b.N {
			r := e.tusCreate(tok, hashes[i], "扫描件.pdf", int64(len(data)))
			if r.status != http.StatusCreated {
				b.Fatalf("create: %d %s", r.status, r.body)
			}
			if r := e.tusPatch(tok, r.header.Get("Location"), 0, files[i]); r.status != http.StatusNoContent {
				b.Fatalf("patch: %d %s", r.status, r.body)
			}
		}
	})
}
