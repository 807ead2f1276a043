package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Phase names what a sync is doing, in Chinese, ready for the status bar.
type Phase string

// Sync phases.
const (
	PhaseUpload   Phase = "上传" // sending evidence files
	PhasePush     Phase = "推送" // sending the outbox
	PhasePull     Phase = "拉取" // pulling the change feed
	PhaseDownload Phase = "下载" // fetching evidence files
	PhaseIdle     Phase = "空闲" // a sync has ended; Err says how
)

// Progress is one report of a sync's progress.
type Progress struct {
	Phase Phase
	Item  string // the file at hand, while uploading or downloading
	// Done and Total count bytes while uploading or downloading, changes
	// while pushing and feed entries while pulling (Total is 0 when unknown).
	Done, Total int64
	Online      bool      // the last exchange with the server succeeded
	Pending     int       // changes waiting to be pushed (at least this many)
	Rejected    int       // changes the server refused, waiting for the user
	LastSync    time.Time // end of the last complete sync; zero if none
	Err         error     // with PhaseIdle: how the sync ended (nil: fine)
}

// SyncOptions configures a Syncer.
type SyncOptions struct {
	// Interval is the time between two background syncs; 0 means 2 minutes.
	Interval time.Duration
	// Progress, when not nil, receives progress reports, one call at a time,
	// from the syncing goroutines; it must not block (a UI hands them on
	// with fyne.Do).
	Progress func(Progress)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// BatchSize is the number of changes per push; 0 means 200.
	BatchSize int
	// PageSize is the number of feed entries asked per pull; 0 lets the
	// server choose.
	PageSize int
	// Backoff bounds the retries of failed exchanges.
	Backoff Backoff
	// Concurrency is how many evidence files are uploaded at once; 0 means 2.
	Concurrency int
}

// Syncer moves the local store's work to the server and the server's news
// to the local store: evidence uploads, then the outbox, then the change
// feed. One sync runs at a time; nothing it does blocks the caller of
// Trigger or Stop.
type Syncer struct {
	api     *API
	local   Local
	opts    SyncOptions
	backoff Backoff

	running   sync.Mutex // held for the length of one sync
	reporting sync.Mutex // one Progress call at a time

	mu       sync.Mutex
	online   bool
	lastSync time.Time
	pending  int
	rejected int
	refused  map[string]error // evidence the server refused for good, by hash
	done     chan struct{}    // closed when Run returns; nil when not running

	trigger  chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
}

// NewSyncer returns a syncer between the server and the local store.
func NewSyncer(api *API, local Local, opts SyncOptions) *Syncer {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 200
	}
	opts.BatchSize = min(opts.BatchSize, wire.MaxPushChanges)
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	return &Syncer{
		api:     api,
		local:   local,
		opts:    opts,
		backoff: opts.Backoff.withDefaults(),
		refused: map[string]error{},
		trigger: make(chan struct{}, 1),
		stop:    make(chan struct{}),
	}
}

// API returns the server client the syncer uses.
func (s *Syncer) API() *API { return s.api }

// Online reports whether the last exchange with the server succeeded.
func (s *Syncer) Online() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.online
}

// LastSync returns when the last complete sync ended; zero if none has.
func (s *Syncer) LastSync() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastSync
}

// Trigger asks the background loop for a sync now. It never blocks;
// triggers that arrive while one is waiting coalesce.
func (s *Syncer) Trigger() {
	select {
	case s.trigger <- struct{}{}:
	default:
	}
}

// Run syncs at once, then every Interval and on every Trigger, until ctx
// ends or Stop is called; run it on a goroutine of its own. It returns nil
// after Stop, else ctx's error.
func (s *Syncer) Run(ctx context.Context) error {
	done := make(chan struct{})
	s.mu.Lock()
	s.done = done
	s.mu.Unlock()
	defer close(done)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		_ = s.SyncOnce(ctx)
		t := time.NewTimer(s.opts.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			select {
			case <-s.stop:
				return nil
			default:
				return ctx.Err()
			}
		case <-s.trigger:
			t.Stop()
		case <-t.C:
		}
	}
}

// Stop ends Run, cancelling a sync in progress (what it has stored stays
// stored), and waits for Run to return.
func (s *Syncer) Stop() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done != nil {
		<-done
	}
}

// SyncOnce runs one full sync: (1) upload the evidence that pending changes
// need, (2) push the outbox in batches, recording each batch's results,
// (3) pull the change feed page by page. Failed exchanges are retried with
// backoff; when the server stays unreachable it returns an EUnavailable
// error and everything stays queued for the next time.
func (s *Syncer) SyncOnce(ctx context.Context) error {
	s.running.Lock()
	defer s.running.Unlock()
	err := s.syncOnce(ctx)
	if err == nil {
		s.mu.Lock()
		s.lastSync = s.opts.Now()
		s.mu.Unlock()
	}
	s.report(Progress{Phase: PhaseIdle, Err: err})
	return err
}

func (s *Syncer) syncOnce(ctx context.Context) error {
	s.countPending(ctx)
	if err := s.uploadPending(ctx); err != nil && fatal(err) {
		return s.exchanged(err)
	}
	pushErr := s.pushAll(ctx)
	if pushErr != nil && fatal(pushErr) {
		return s.exchanged(pushErr)
	}
	if err := s.pull(ctx); err != nil {
		return s.exchanged(errors.Join(pushErr, err))
	}
	return s.exchanged(pushErr)
}

// fatal reports whether an error ends the whole sync rather than one file
// or one change: no server, no session, a cancelled context, a local fault.
func fatal(err error) bool {
	switch {
	case err == nil:
		return false
	case Retryable(err), Offline(err):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	switch assess.ErrorCode(err) {
	case assess.EUnauthorized, assess.EInternal:
		return true
	}
	return false
}

// exchanged notes whether the server was reachable and passes err on.
func (s *Syncer) exchanged(err error) error {
	s.mu.Lock()
	switch {
	case err == nil:
		s.online = true
	case Offline(err):
		s.online = false
	default:
		var re *RemoteError
		if errors.As(err, &re) {
			s.online = true
		}
	}
	s.mu.Unlock()
	return err
}

// countPending refreshes the counts shown in progress reports. A store that
// can count its outbox (localdb does) is asked; otherwise the count is of
// one batch.
func (s *Syncer) countPending(ctx context.Context) {
	if c, ok := s.local.(interface {
		PendingCount(context.Context) (pending, rejected int, err error)
	}); ok {
		if p, r, err := c.PendingCount(ctx); err == nil {
			s.mu.Lock()
			s.pending, s.rejected = p, r
			s.mu.Unlock()
		}
		return
	}
	if p, err := s.local.Pending(ctx, s.opts.BatchSize); err == nil {
		s.setPending(len(p))
	}
}

func (s *Syncer) setPending(n int) {
	s.mu.Lock()
	s.pending = n
	s.mu.Unlock()
}

// report fills in the state fields and hands p to the Progress callback.
func (s *Syncer) report(p Progress) {
	if s.opts.Progress == nil {
		return
	}
	s.mu.Lock()
	p.Online, p.Pending, p.Rejected, p.LastSync = s.online, s.pending, s.rejected, s.lastSync
	s.mu.Unlock()
	s.reporting.Lock()
	defer s.reporting.Unlock()
	s.opts.Progress(p)
}

// uploadPending uploads every evidence file pending changes name, up to
// Concurrency at a time, so that one file travels while the server verifies
// the last. A file the server refuses for good does not stop the others;
// the first such error is returned after all were tried.
func (s *Syncer) uploadPending(ctx context.Context) error {
	blobs, err := s.local.PendingUploads(ctx)
	if err != nil || len(blobs) == 0 {
		return err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &tally{sent: make([]int64, len(blobs))}
	for _, b := range blobs {
		t.total += b.Size
	}
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var fatalErr, firstErr error
	for range min(s.opts.Concurrency, len(blobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				b := blobs[i]
				err := s.refusal(b.Hash)
				if err == nil {
					open := func() (io.ReadSeekCloser, error) { return s.local.OpenBlob(ctx, b.Hash) }
					err = s.Upload(ctx, b, open, func(sent, _ int64) {
						s.report(Progress{Phase: PhaseUpload, Item: b.Name, Done: t.set(i, sent), Total: t.total})
					})
				}
				done := t.set(i, b.Size)
				if err == nil {
					continue
				}
				mu.Lock()
				switch {
				case fatal(err):
					if fatalErr == nil {
						fatalErr = err
					}
					cancel()
				case firstErr == nil:
					firstErr = err
				}
				mu.Unlock()
				if !fatal(err) {
					s.refuse(b.Hash, err)
					s.report(Progress{Phase: PhaseUpload, Item: b.Name, Done: done, Total: t.total, Err: err})
				}
			}
		}()
	}
feed:
	for i := range blobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if fatalErr != nil {
		return fatalErr
	}
	if err := parent.Err(); err != nil {
		return err
	}
	return firstErr
}

// tally adds up the bytes of concurrent uploads.
type tally struct {
	mu    sync.Mutex
	total int64
	sent  []int64
	sum   int64
}

// set records the bytes sent of file i and returns the sum over all files.
func (t *tally) set(i int, n int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum += n - t.sent[i]
	t.sent[i] = n
	return t.sum
}

// refuse remembers a file the server refused for good, so that later syncs
// do not send it again while this syncer lives.
func (s *Syncer) refuse(hash string, err error) {
	s.mu.Lock()
	s.refused[hash] = err
	s.mu.Unlock()
}

// refusal returns why the server refused a file, nil if it did not.
func (s *Syncer) refusal(hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused[hash]
}

// pushAll pushes the outbox in batches until it is empty. A batch that only
// repeats changes already pushed in this run (because the server asked for
// evidence first, or answered a retryable fault) is retried a bounded number
// of times, after uploading or waiting.
func (s *Syncer) pushAll(ctx context.Context) error {
	seen := map[string]bool{}
	var pushed int64
	var missing []wire.Change // changes the server answered EMissing
	repeats := 0
	var lastErr error
	for {
		batch, err := s.local.Pending(ctx, s.opts.BatchSize)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			s.setPending(0)
			return nil
		}
		fresh := false
		for _, c := range batch {
			fresh = fresh || !seen[c.ID]
		}
		if !fresh {
			if repeats++; repeats >= s.backoff.Attempts {
				return stuck(lastErr)
			}
		}
		switch {
		case len(missing) > 0:
			if err := s.uploadMissing(ctx, missing); err != nil && fatal(err) {
				return err
			}
			missing = nil
		case !fresh:
			if err := sleep(ctx, s.backoff.Delay(repeats, lastErr)); err != nil {
				return err
			}
		}
		for _, c := range batch {
			seen[c.ID] = true
		}
		s.report(Progress{Phase: PhasePush, Done: pushed, Total: pushed + int64(len(batch))})
		var results []wire.Result
		err = s.backoff.Do(ctx, func() (err error) {
			results, err = s.api.Push(ctx, batch)
			return err
		})
		if err != nil {
			return err
		}
		if err := s.local.RecordResults(ctx, results); err != nil {
			return err
		}
		for i, r := range results {
			switch {
			case r.Status == wire.Applied:
				pushed++
			case r.Status == wire.Rejected && !retryableResult[r.Code]:
				pushed++ // rejected for good: the user decides, it no longer waits
			default:
				if r.Code == assess.EMissing {
					missing = append(missing, batch[i])
				}
				lastErr = &RemoteError{Status: r.HTTP, Err: &assess.Error{Code: r.Code, Message: r.Message}}
			}
		}
		s.countPending(ctx)
		s.report(Progress{Phase: PhasePush, Done: pushed, Total: pushed})
	}
}

// retryableResult are the result codes after which a change stays pending
// (as the local store records them) and is pushed again.
var retryableResult = map[string]bool{
	assess.EMissing:     true,
	assess.EUnavailable: true,
	assess.EInternal:    true,
	assess.ETooMany:     true,
}

// uploadMissing uploads what the server said it lacks: the evidence the
// pending changes name that is not known to be on the server, then every
// file the missing changes name, whatever the local store believes (the
// upload asks the server first, so a file it holds is not sent again).
func (s *Syncer) uploadMissing(ctx context.Context, changes []wire.Change) error {
	first := s.uploadPending(ctx)
	if fatal(first) {
		return first
	}
	done := map[string]bool{}
	for _, c := range changes {
		var named struct {
			Attachments []assess.Attachment `json:"attachments"` // filings and rectifications
			Photos      []assess.Attachment `json:"photos"`      // inspection records
			Document    string              `json:"document"`    // external scores
		}
		if json.Unmarshal(c.Data, &named) != nil {
			continue
		}
		files := append(named.Attachments, named.Photos...)
		if named.Document != "" {
			files = append(files, assess.Attachment{Hash: named.Document})
		}
		for _, a := range files {
			if done[a.Hash] || assess.ValidateHash(a.Hash) != nil {
				continue
			}
			done[a.Hash] = true
			if has, err := s.local.HasBlob(ctx, a.Hash); err != nil || !has {
				continue // not on this PC: nothing to send
			}
			if s.refusal(a.Hash) != nil {
				continue
			}
			b := LocalBlob{Hash: a.Hash, Name: a.Name, Size: a.Size}
			open := func() (io.ReadSeekCloser, error) { return s.local.OpenBlob(ctx, b.Hash) }
			err := s.Upload(ctx, b, open, func(sent, total int64) {
				s.report(Progress{Phase: PhaseUpload, Item: b.Name, Done: sent, Total: total})
			})
			if err != nil {
				if fatal(err) {
					return err
				}
				s.refuse(b.Hash, err)
				if first == nil {
					first = err
				}
			}
		}
	}
	return first
}

// stuck is the error of a push that keeps getting the same answer.
func stuck(last error) error {
	msg := "部分变更暂时无法推送，已保留在本地，将在下次同步时重试 (some changes could not be pushed; they stay queued)"
	if last == nil {
		return &RemoteError{Status: http.StatusInternalServerError, Err: &assess.Error{Code: assess.EInternal, Message: msg}}
	}
	return &RemoteError{Status: statusOf(last), Err: &assess.Error{Code: assess.ErrorCode(last), Message: assess.ErrorMessage(last) + "；" + msg}}
}

// pull applies pages of the change feed after the stored cursor until the
// server says there is no more. The next page is fetched while one is being
// applied, so that the network and the local store work at the same time:
// at most one page waits, pages are applied in the order the server gave
// them, and each is stored with its cursor in one local transaction. When
// an apply fails, or ctx ends, the fetch in flight is cancelled and pull
// returns only after it has stopped.
func (s *Syncer) pull(ctx context.Context) error {
	cursor, err := s.local.Cursor(ctx)
	if err != nil {
		return err
	}
	fetchCtx, cancel := context.WithCancel(ctx)
	pages := make(chan fetchedPage) // unbuffered: the fetcher runs one page ahead
	go s.fetchPages(fetchCtx, cursor, pages)
	defer func() {
		cancel()
		for range pages { // wait for the fetcher to stop
		}
	}()
	var got int64
	for f := range pages {
		if f.err != nil {
			return f.err
		}
		if err := s.local.ApplyPage(ctx, f.page); err != nil {
			return err
		}
		got += int64(len(f.page.Entries))
		s.report(Progress{Phase: PhasePull, Done: got})
	}
	return ctx.Err()
}

// fetchedPage is one page of the change feed, or the error that ended the
// fetching.
type fetchedPage struct {
	page wire.ChangesResponse
	err  error
}

// fetchPages fetches the pages of the change feed after cursor, in order,
// and hands each to out; it closes out after the last page, after a failed
// fetch (whose error it hands on) or when ctx ends.
func (s *Syncer) fetchPages(ctx context.Context, cursor int64, out chan<- fetchedPage) {
	defer close(out)
	for {
		var f fetchedPage
		f.err = s.backoff.Do(ctx, func() (err error) {
			f.page, err = s.api.Changes(ctx, cursor, s.opts.PageSize)
			return err
		})
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
		if f.err != nil || !f.page.More || f.page.Next <= cursor {
			return
		}
		cursor = f.page.Next
	}
}
