package engine

import (
	"context"
	"net"
	"sync"
	"time"
)

// loginThrottle slows down repeated failed logins per user and client
// address: after freeFailures failures each further refusal is delayed,
// doubling up to maxDelay. Keying by user and address means an attacker
// elsewhere cannot lock a user out; a success clears the record. State is
// per process (a multi-node deployment throttles per node).
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string]*loginFailures
}

type loginFailures struct {
	count int
	last  time.Time
	// next is when the next admitted attempt may be checked (admit).
	next time.Time
}

const (
	freeFailures  = 3
	baseDelay     = 250 * time.Millisecond
	maxDelay      = 8 * time.Second
	failureMemory = 15 * time.Minute
)

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{failures: make(map[string]*loginFailures)}
}

func throttleKey(user, remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	return user + "\x00" + host
}

// fail records a failed login and returns how long to delay the refusal.
func (lt *loginThrottle) fail(user, remote string, now time.Time) time.Duration {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	f := lt.count(throttleKey(user, remote), now)
	if f.count <= freeFailures {
		return 0
	}
	return backoff(f.count - freeFailures)
}

// count adds one to key's failures (forgotten after failureMemory) and
// returns them; lt.mu is held.
func (lt *loginThrottle) count(k string, now time.Time) *loginFailures {
	if len(lt.failures) > 100000 {
		for k, f := range lt.failures {
			if now.Sub(f.last) > failureMemory {
				delete(lt.failures, k)
			}
		}
	}
	f := lt.failures[k]
	if f == nil || now.Sub(f.last) > failureMemory {
		f = &loginFailures{}
		lt.failures[k] = f
	}
	f.count++
	f.last = now
	return f
}

// backoff is the delay after the n-th counted failure: doubling from
// baseDelay up to maxDelay.
func backoff(n int) time.Duration {
	return min(baseDelay<<min(n-1, 10), maxDelay)
}

// succeed clears the failures of a user at an address.
func (lt *loginThrottle) succeed(user, remote string) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	delete(lt.failures, throttleKey(user, remote))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
