package client_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// requestLog records "METHOD kind" of every transfer request: kind is
// "upload" for tus requests and "evidence" for evidence requests.
type requestLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) RoundTrip(req *http.Request) (*http.Response, error) {
	kind := ""
	switch {
	case strings.HasPrefix(req.URL.Path, wire.UploadsPath):
		kind = "upload"
	case strings.HasPrefix(req.URL.Path, wire.EvidencePath):
		kind = "evidence"
	}
	if kind != "" {
		l.mu.Lock()
		l.reqs = append(l.reqs, req.Method+" "+kind)
		l.mu.Unlock()
	}
	return l.next.RoundTrip(req)
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reqs
	l.reqs = nil
	return r
}

// TestUploadRoundTrips checks the requests one file costs: a new file is
// created and sent (no question first: the creation answers "already
// there" for a file the server holds), a file the server holds costs the
// creation only, and a file with an upload to resume is asked for first,
// so that one the server completed meanwhile is not sent again.
func TestUploadRoundTrips(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	log := &requestLog{next: http.DefaultTransport.(*http.Transport).Clone()}
	p := c.pc("rep-a", log, nil)
	content := randomFile(21, 256<<10)
	b := addEvidence(t, p, "权责清单.pdf", content)

	if err := upload(ctx, p, b, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := log.take(), []string{"POST upload", "PATCH upload"}; !slices.Equal(got, want) {
		t.Errorf("a new file: requests %v, want %v", got, want)
	}
	if got := c.serverCopy(b.Hash); sum(got) != b.Hash {
		t.Fatal("server copy differs")
	}

	if err := upload(ctx, p, b, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := log.take(), []string{"POST upload"}; !slices.Equal(got, want) {
		t.Errorf("a file the server holds: requests %v, want %v", got, want)
	}

	// An upload left half done on this PC, while the file reached the
	// server another way.
	if err := p.db.SetUploadURL(ctx, b.Hash, c.http.URL+wire.UploadsPath+strings.Repeat("0", 32)); err != nil {
		t.Fatal(err)
	}
	if err := upload(ctx, p, b, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := log.take(), []string{"HEAD evidence"}; !slices.Equal(got, want) {
		t.Errorf("an upload to resume of a file the server holds: requests %v, want %v", got, want)
	}
	if u, err := p.db.UploadURL(ctx, b.Hash); err != nil || u != "" {
		t.Errorf("upload URL still remembered: %q, %v", u, err)
	}
}
