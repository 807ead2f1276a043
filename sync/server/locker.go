package server

import (
	"context"
	"sync"

	tus "github.com/tus/tusd/v2/pkg/handler"
)

// queueLocker is the tus upload lock. A request for an upload that another
// request holds waits until that request ends (or the lock timeout passes);
// it never asks the holder to stop. tusd's own lockers interrupt the holder,
// and tusd v2.9.1 closes the interrupted request's body from another
// goroutine without synchronisation (a data race). Waiting loses nothing
// here: a client whose connection broke has already left, so the old request
// ends as soon as its read fails (or after the network timeout on a dead
// link), and everything it had received is kept.
type queueLocker struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when the holder unlocks
}

func newQueueLocker() *queueLocker {
	return &queueLocker{held: map[string]chan struct{}{}}
}

// UseIn registers the locker with a tusd store composer.
func (l *queueLocker) UseIn(c *tus.StoreComposer) { c.UseLocker(l) }

// NewLock returns the lock of one upload.
func (l *queueLocker) NewLock(id string) (tus.Lock, error) {
	return &queueLock{l: l, id: id}, nil
}

type queueLock struct {
	l    *queueLocker
	id   string
	done chan struct{}
}

// Lock waits for the upload to be free, or for ctx to end.
func (q *queueLock) Lock(ctx context.Context, _ func()) error {
	for {
		q.l.mu.Lock()
		busy, ok := q.l.held[q.id]
		if !ok {
			q.done = make(chan struct{})
			q.l.held[q.id] = q.done
			q.l.mu.Unlock()
			return nil
		}
		q.l.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return tus.ErrLockTimeout
		}
	}
}

// Unlock frees the upload and wakes whoever waits for it.
func (q *queueLock) Unlock() error {
	q.l.mu.Lock()
	defer q.l.mu.Unlock()
	if q.done == nil || q.l.held[q.id] != q.done {
		return nil
	}
	delete(q.l.held, q.id)
	close(q.done)
	q.done = nil
	return nil
}
