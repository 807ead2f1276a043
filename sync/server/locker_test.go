package server

import (
	"context"
	"errors"
	"sync"
	"testing"

	tus "github.com/tus/tusd/v2/pkg/handler"
)

func TestQueueLocker(t *testing.T) {
	l := newQueueLocker()
	ctx := context.Background()
	a, _ := l.NewLock("u1")
	if err := a.Lock(ctx, func() { t.Error("the holder was asked to stop") }); err != nil {
		t.Fatal(err)
	}

	// Another upload is independent.
	other, _ := l.NewLock("u2")
	if err := other.Lock(ctx, nil); err != nil {
		t.Fatal(err)
	}
	other.Unlock()

	// A second request for the same upload times out while the first holds it.
	b, _ := l.NewLock("u1")
	expired, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Lock(expired, nil); !errors.Is(err, tus.ErrLockTimeout) {
		t.Fatalf("lock while held: %v, want ErrLockTimeout", err)
	}

	// Waiters get the lock one at a time, each after the previous unlocks.
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		inside int
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, _ := l.NewLock("u1")
			if err := w.Lock(ctx, nil); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			if inside != 1 {
				t.Errorf("%d holders at once", inside)
			}
			inside--
			mu.Unlock()
			w.Unlock()
		}()
	}
	a.Unlock()
	wg.Wait()
	a.Unlock() // a second unlock is harmless
	if len(l.held) != 0 {
		t.Fatalf("locks left held: %v", l.held)
	}
}
