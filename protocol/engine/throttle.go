package engine

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"
)

// loginThrottle slows down repeated failed logins per user and client
// address: after freeFailures failures each further refusal is delayed,
// doubling up to maxDelay. Keying by user and address means an attacker
// elsewhere cannot lock a user out; a success clears the record. The
// failures are counted in shared (LoginFailures) when the store offers it,
// so that nodes on one database throttle guesses together; the admission
// of checks (guessing.go) is per process.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string]*loginFailures
	shared   LoginFailures // nil: failures counted in failures
	log      *slog.Logger
}

// LoginFailures counts failed logins per key (a user at a client address)
// where every node of a deployment sees them (store/postgres).
type LoginFailures interface {
	// Fail counts a failure of key at now, forgetting earlier failures
	// when the last one is older than window, and returns the count.
	Fail(ctx context.Context, key string, now time.Time, window time.Duration) (int, error)
	// Clear forgets key's failures.
	Clear(ctx context.Context, key string) error
}

// sharedTimeout bounds a shared counter's statement: a login is not held
// up by a slow database longer than this.
const sharedTimeout = 2 * time.Second

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

func newLoginThrottle(shared LoginFailures, log *slog.Logger) *loginThrottle {
	return &loginThrottle{failures: make(map[string]*loginFailures), shared: shared, log: log}
}

func throttleKey(user, remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	return user + "\x00" + host
}

// fail records a failed login and returns how long to delay the refusal.
// A shared counter that fails is logged and the process's own count used.
// (A count returned with an error, from a failed clean-up, is used.)
func (lt *loginThrottle) fail(user, remote string, now time.Time) time.Duration {
	k := throttleKey(user, remote)
	n := -1
	if lt.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		var err error
		if n, err = lt.shared.Fail(ctx, k, now, failureMemory); err != nil {
			lt.log.Warn("failed login counter", "user", user, "remote", remote, "err", err)
			if n <= 0 {
				n = -1 // not counted: this node counts it
			}
		}
		cancel()
	}
	if n < 0 {
		lt.mu.Lock()
		n = lt.count(k, now).count
		lt.mu.Unlock()
	}
	if n <= freeFailures {
		return 0
	}
	return backoff(n - freeFailures)
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
	k := throttleKey(user, remote)
	lt.mu.Lock()
	delete(lt.failures, k)
	lt.mu.Unlock()
	if lt.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		if err := lt.shared.Clear(ctx, k); err != nil {
			lt.log.Warn("failed logins not cleared for the other nodes", "user", user, "remote", remote, "err", err)
		}
	}
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
