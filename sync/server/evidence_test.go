package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestEvidenceDownload(t *testing.T) {
	e := newEnv(t)
	data := pdf(50_000, 11)
	name := "2026年第一季度执法台账.pdf"
	hash := e.upload("rep-a", name, data)
	reviewer := e.token("reviewer")
	path := wire.EvidencePath + hash

	r := e.do(http.MethodGet, path, reviewer, nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, data) {
		t.Fatalf("GET: %d, %d bytes", r.status, len(r.body))
	}
	if got := r.header.Get("ETag"); got != `"`+hash+`"` {
		t.Errorf("ETag %q", got)
	}
	if got := r.header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("Content-Type %q", got)
	}
	cd := r.header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape(name)) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if r.header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q", r.header.Get("Accept-Ranges"))
	}

	for _, tc := range []struct {
		rng        string
		from, to   int // inclusive
		wantStatus int
	}{
		{"bytes=0-99", 0, 99, http.StatusPartialContent},
		{"bytes=1000-1999", 1000, 1999, http.StatusPartialContent},
		{"bytes=49990-", 49990, 49999, http.StatusPartialContent},
		{"bytes=-10", 49990, 49999, http.StatusPartialContent},
		{"bytes=60000-", 0, -1, http.StatusRequestedRangeNotSatisfiable},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.url(path), nil)
		req.Header.Set("Range", tc.rng)
		r := e.send(req, reviewer)
		if r.status != tc.wantStatus {
			t.Errorf("%s: %d, want %d", tc.rng, r.status, tc.wantStatus)
			continue
		}
		if tc.wantStatus != http.StatusPartialContent {
			continue
		}
		if !bytes.Equal(r.body, data[tc.from:tc.to+1]) {
			t.Errorf("%s: wrong bytes (%d)", tc.rng, len(r.body))
		}
		want := "bytes " + strconv.Itoa(tc.from) + "-" + strconv.Itoa(tc.to) + "/50000"
		if got := r.header.Get("Content-Range"); got != want {
			t.Errorf("%s: Content-Range %q, want %q", tc.rng, got, want)
		}
	}
	// A resumed download whose file has not changed gets the rest; a stale
	// validator gets the whole file.
	req, _ := http.NewRequest(http.MethodGet, e.url(path), nil)
	req.Header.Set("Range", "bytes=40000-")
	req.Header.Set("If-Range", `"`+hash+`"`)
	if r := e.send(req, reviewer); r.status != http.StatusPartialContent || len(r.body) != 10_000 {
		t.Errorf("If-Range matching: %d, %d bytes", r.status, len(r.body))
	}
	req.Header.Set("If-Range", `"something-else"`)
	if r := e.send(req, reviewer); r.status != http.StatusOK || len(r.body) != 50_000 {
		t.Errorf("If-Range stale: %d, %d bytes", r.status, len(r.body))
	}
	req, _ = http.NewRequest(http.MethodGet, e.url(path), nil)
	req.Header.Set("If-None-Match", `"`+hash+`"`)
	if r := e.send(req, reviewer); r.status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", r.status)
	}

	head := e.do(http.MethodHead, path, e.token("rep-a"), nil)
	if head.status != http.StatusOK || head.header.Get("Content-Length") != "50000" || len(head.body) != 0 {
		t.Errorf("HEAD: %d Content-Length %q", head.status, head.header.Get("Content-Length"))
	}
	// Another unit's reporter: as if the file did not exist.
	for _, m := range []string{http.MethodHead, http.MethodGet} {
		r := e.do(m, path, e.token("rep-b"), nil)
		if r.status != http.StatusNotFound {
			t.Errorf("%s by another unit: %d, want 404", m, r.status)
		}
		if m == http.MethodGet {
			r.wireError(t)
			if bytes.Contains(r.body, data[:64]) {
				t.Error("content leaked")
			}
		}
	}
	missing := sha([]byte("never uploaded"))
	if r := e.do(http.MethodHead, wire.EvidencePath+missing, reviewer, nil); r.status != http.StatusNotFound {
		t.Errorf("missing file HEAD: %d, want 404", r.status)
	}
	if r := e.do(http.MethodGet, wire.EvidencePath+"not-a-hash", reviewer, nil); r.status != http.StatusBadRequest {
		t.Errorf("malformed hash: %d, want 400", r.status)
	}
	if r := e.do(http.MethodGet, path, "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", r.status)
	}

	// Once unit B attaches the same file to its own draft, it may read it.
	tb := e.token("rep-b")
	ch := change("draft-b-1", wire.KindDraftSave, wire.DraftSave{TaskID: "ind-1-1@" + unitB, Statement: "草稿",
		Attachments: []assess.Attachment{{Hash: hash, Name: "台账.pdf", Size: int64(len(data)), Slot: 0}}})
	pr := e.push(tb, ch)
	var resp wire.PushResponse
	pr.decode(t, &resp)
	if pr.status != http.StatusOK || resp.Results[0].Status != wire.Applied {
		t.Fatalf("draft with the file: %d %s", pr.status, pr.body)
	}
	if r := e.do(http.MethodHead, path, tb, nil); r.status != http.StatusOK {
		t.Errorf("unit B after attaching: %d, want 200", r.status)
	}
}

func TestEvidenceFileMissingFromStore(t *testing.T) {
	e := newEnv(t)
	hash := e.upload("rep-a", "a.pdf", pdf(1000, 12))
	if err := e.blobs.Remove(context.Background(), hash); err != nil {
		t.Fatal(err)
	}
	r := e.do(http.MethodGet, wire.EvidencePath+hash, e.token("reviewer"), nil)
	if r.status != http.StatusInternalServerError {
		t.Errorf("record without file: %d, want 500", r.status)
	}
	r.wireError(t)
	if !strings.Contains(e.log.String(), "evidence file missing") {
		t.Error("the fault is not logged")
	}
}
