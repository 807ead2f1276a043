package server

import (
	"strings"
	"sync"
	"time"
)

// Login throttling: a username that failed loginLimit times within
// loginWindow, or a client address that failed addrLimit times, is answered
// 429 until the oldest of those failures leaves the window. The address
// limit is higher because a whole office often reaches the server through
// one NAT address.
const (
	loginLimit  = 5
	addrLimit   = 20
	loginWindow = 15 * time.Minute
	// sweepAt is the number of tracked keys above which old ones are dropped.
	sweepAt = 10000
)

// throttle counts failed logins per username and per client address in
// memory.
type throttle struct {
	mu    sync.Mutex
	users map[string][]time.Time
	addrs map[string][]time.Time
}

func newThrottle() *throttle {
	return &throttle{users: map[string][]time.Time{}, addrs: map[string][]time.Time{}}
}

// maxKeyBytes bounds the memory one tracked username takes; longer names
// cannot exist (assess.ValidateUsername allows 64 characters).
const maxKeyBytes = 256

// nameKey is the throttle's key for a username: case and surrounding space
// do not make another name.
func nameKey(username string) string {
	if len(username) > maxKeyBytes {
		username = username[:maxKeyBytes]
	}
	return strings.ToLower(strings.TrimSpace(username))
}

// wait returns how long the caller must wait before trying to log in as
// username from addr again; zero when it may try now.
func (t *throttle) wait(username, addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(blockedFor(t.users[nameKey(username)], loginLimit, now), blockedFor(t.addrs[addr], addrLimit, now))
}

// fail records a failed login.
func (t *throttle) fail(username, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	record(t.users, nameKey(username), loginLimit, now)
	record(t.addrs, addr, addrLimit, now)
	if len(t.users)+len(t.addrs) > sweepAt {
		sweep(t.users, now)
		sweep(t.addrs, now)
	}
}

// succeed forgets the username's failures.
func (t *throttle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.users, nameKey(username))
}

// blockedFor returns the time until fewer than limit of the failures fall
// within the window ending at now.
func blockedFor(failures []time.Time, limit int, now time.Time) time.Duration {
	if len(failures) < limit {
		return 0
	}
	until := failures[len(failures)-limit].Add(loginWindow)
	if !until.After(now) {
		return 0
	}
	return until.Sub(now)
}

// record appends a failure, keeping only the last limit of them.
func record(m map[string][]time.Time, key string, limit int, now time.Time) {
	f := append(m[key], now)
	if len(f) > limit {
		f = append(f[:0], f[len(f)-limit:]...)
	}
	m[key] = f
}

// sweep drops keys whose last failure has left the window.
func sweep(m map[string][]time.Time, now time.Time) {
	for k, f := range m {
		if len(f) == 0 || !f[len(f)-1].Add(loginWindow).After(now) {
			delete(m, k)
		}
	}
}
