package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff bounds the retries of a failing exchange: exponential waits with
// full jitter, a Retry-After from the server honoured, a fixed number of
// attempts.
type Backoff struct {
	Base     time.Duration // the first wait; 0 means 500 ms
	Max      time.Duration // the longest wait; 0 means 30 s
	Attempts int           // tries in all, the first included; 0 means 5
}

// maxRetryAfter caps how long a server may ask the client to wait.
const maxRetryAfter = 5 * time.Minute

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 5
	}
	return b
}

// Delay returns the wait before retry number n (1 for the first retry)
// after err: the server's Retry-After when it gave one, else a random wait
// up to Base·2ⁿ⁻¹, capped at Max.
func (b Backoff) Delay(n int, err error) time.Duration {
	b = b.withDefaults()
	var re *RemoteError
	if errors.As(err, &re) && re.RetryAfter > 0 {
		return min(re.RetryAfter, maxRetryAfter)
	}
	ceil := b.Base
	for i := 1; i < n && ceil < b.Max; i++ {
		ceil *= 2
	}
	ceil = min(ceil, b.Max)
	// Full jitter, but never less than a tenth of the ceiling.
	return ceil/10 + rand.N(ceil-ceil/10+1)
}

// Do runs fn until it succeeds, fails with an error that is not Retryable,
// the attempts run out, or ctx ends. It returns fn's last error.
func (b Backoff) Do(ctx context.Context, fn func() error) error {
	b = b.withDefaults()
	var err error
	for n := 1; ; n++ {
		if err = fn(); err == nil || !Retryable(err) || n >= b.Attempts {
			return err
		}
		if werr := sleep(ctx, b.Delay(n, err)); werr != nil {
			return err
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
