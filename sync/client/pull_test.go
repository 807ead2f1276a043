package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// pageLog is the PC's real local store with a record of the pages the
// syncer applies; before page n (1-based) is applied, before(n) runs, and
// an error it returns is the apply's.
type pageLog struct {
	*localdb.DB
	mu      sync.Mutex
	applied []wire.ChangesResponse
	before  func(n int) error
}

func (l *pageLog) ApplyPage(ctx context.Context, page wire.ChangesResponse) error {
	l.mu.Lock()
	n := len(l.applied) + 1
	l.mu.Unlock()
	if l.before != nil {
		if err := l.before(n); err != nil {
			return err
		}
	}
	if err := l.DB.ApplyPage(ctx, page); err != nil {
		return err
	}
	l.mu.Lock()
	l.applied = append(l.applied, page)
	l.mu.Unlock()
	return nil
}

// feedRequests counts the change-feed requests, and those still open (a
// request is open until its answer's body is closed).
type feedRequests struct {
	next       http.RoundTripper
	mu         sync.Mutex
	total, now int
}

func (f *feedRequests) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path != wire.ChangesPath {
		return f.next.RoundTrip(req)
	}
	f.mu.Lock()
	f.total++
	f.now++
	f.mu.Unlock()
	resp, err := f.next.RoundTrip(req)
	if err != nil {
		f.done()
		return nil, err
	}
	resp.Body = &closeHook{ReadCloser: resp.Body, once: f.done}
	return resp, nil
}

func (f *feedRequests) done() {
	f.mu.Lock()
	f.now--
	f.mu.Unlock()
}

func (f *feedRequests) counts() (total, open int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total, f.now
}

type closeHook struct {
	io.ReadCloser
	mu   sync.Mutex
	once func()
}

func (c *closeHook) Close() error {
	c.mu.Lock()
	if c.once != nil {
		c.once()
		c.once = nil
	}
	c.mu.Unlock()
	return c.ReadCloser.Close()
}

// pullPC is the reviewer's PC pulling in pages of two entries, its store
// wrapped in a pageLog and its feed requests counted.
func pullPC(t *testing.T, c *city) (*client.Syncer, *pageLog, *feedRequests) {
	t.Helper()
	reqs := &feedRequests{next: http.DefaultTransport.(*http.Transport).Clone()}
	p := c.pc("reviewer", reqs, nil)
	log := &pageLog{DB: p.db}
	return client.NewSyncer(p.api, log, client.SyncOptions{PageSize: 2, Backoff: testBackoff}), log, reqs
}

// TestPullPages pulls the feed in many pages, the next fetched while one is
// applied: every page is applied once, in the server's order, with the
// cursor moving to each page's end; the PC ends with the whole feed.
func TestPullPages(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	s, log, reqs := pullPC(t, c)
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	feed, err := c.store.Changes(ctx, accounts["reviewer"].user, 0, wire.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.applied) < 3 {
		t.Fatalf("%d pages for %d entries in pages of 2", len(log.applied), len(feed.Entries))
	}
	var seqs []int64
	after := int64(0)
	for i, p := range log.applied {
		for _, e := range p.Entries {
			if e.Seq <= after {
				t.Fatalf("page %d holds seq %d at or before %d: out of order", i+1, e.Seq, after)
			}
			seqs = append(seqs, e.Seq)
		}
		if p.Next <= after || p.More != (i < len(log.applied)-1) {
			t.Fatalf("page %d: next %d after %d, more %v", i+1, p.Next, after, p.More)
		}
		after = p.Next
	}
	if len(seqs) != len(feed.Entries) {
		t.Fatalf("applied %d entries, the feed holds %d", len(seqs), len(feed.Entries))
	}
	if cur, err := log.Cursor(ctx); err != nil || cur != feed.Next {
		t.Errorf("cursor %d, %v; want %d", cur, err, feed.Next)
	}
	if total, open := reqs.counts(); total != len(log.applied) || open != 0 {
		t.Errorf("%d feed requests (%d open) for %d pages", total, open, len(log.applied))
	}
}

// TestPullApplyFails fails the apply of the second page: the sync fails
// with that error, the cursor stays at the end of the first page, the fetch
// running ahead has stopped (at most one page past the failed one was asked
// for, and no request is open) when SyncOnce returns, and the next sync
// goes on from the cursor.
func TestPullApplyFails(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	s, log, reqs := pullPC(t, c)
	boom := errors.New("disk full")
	log.before = func(n int) error {
		if n == 2 {
			return boom
		}
		return nil
	}
	if err := s.SyncOnce(ctx); !errors.Is(err, boom) {
		t.Fatalf("sync = %v, want the apply's error", err)
	}
	if len(log.applied) != 1 {
		t.Fatalf("%d pages applied, want 1", len(log.applied))
	}
	if cur, _ := log.Cursor(ctx); cur != log.applied[0].Next {
		t.Errorf("cursor %d, want %d (the end of the first page)", cur, log.applied[0].Next)
	}
	total, open := reqs.counts()
	if open != 0 || total > 3 {
		t.Errorf("after the failed sync: %d feed requests, %d open; want at most 3, none open", total, open)
	}

	log.before = nil
	if err := s.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	feed, err := c.store.Changes(ctx, accounts["reviewer"].user, 0, wire.MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := log.Cursor(ctx); cur != feed.Next {
		t.Errorf("cursor %d after the second sync, want %d", cur, feed.Next)
	}
	if first := log.applied[1].Entries[0].Seq; first <= log.applied[0].Next {
		t.Errorf("the second sync began at seq %d, before the cursor %d", first, log.applied[0].Next)
	}
}

// TestPullCancelled cancels the sync while the first page is applied: it
// ends with the context's error, nothing of the feed is left open, and
// what was applied stays applied.
func TestPullCancelled(t *testing.T) {
	c := newCity(t)
	s, log, reqs := pullPC(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log.before = func(n int) error {
		if n == 2 {
			cancel()
		}
		return nil
	}
	if err := s.SyncOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("sync = %v, want context.Canceled", err)
	}
	if _, open := reqs.counts(); open != 0 {
		t.Errorf("%d feed requests still open after the sync returned", open)
	}
	if len(log.applied) != 1 {
		t.Fatalf("%d pages applied, want 1", len(log.applied))
	}
	if cur, _ := log.Cursor(context.Background()); cur != log.applied[0].Next {
		t.Errorf("cursor %d, want %d", cur, log.applied[0].Next)
	}
}
