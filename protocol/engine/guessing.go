package engine

import (
	"net"
	"time"
)

// Parallel password guessing: the delays of loginThrottle.fail come after
// a refusal, so a client that does not wait for its answers (many
// connections at once) would still have every guess checked at once. So
// every credential check is first admitted, per user (across addresses)
// and per client address (across users): after admitFree attempts in
// failureMemory, attempts are spaced by a delay that doubles up to
// maxDelay, and an attempt that would have to wait longer than maxDelay is
// refused with 503 and Retry-After, without checking its credentials. A
// successful login gives its attempt back. The price: while someone
// hammers a user, that user's own device may have to wait or retry too.

// admitFree is how many credential checks per user, and per address, go
// without waiting (a household behind one address has a few devices).
const admitFree = 10

func admitKeys(user, remote string) [2]string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	return [2]string{"user\x00" + user, "addr\x00" + host}
}

// admit counts a credential check of user from remote and returns how long
// it must wait first; ok is false when it would wait more than maxDelay.
func (lt *loginThrottle) admit(user, remote string, now time.Time) (wait time.Duration, ok bool) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	keys := admitKeys(user, remote)
	for _, k := range keys {
		f := lt.failures[k]
		if f == nil || now.Sub(f.last) > failureMemory {
			continue
		}
		if f.next.Sub(now) > maxDelay {
			return 0, false
		}
	}
	for _, k := range keys {
		f := lt.count(k, now)
		if f.count <= admitFree {
			continue
		}
		slot := now
		if f.next.After(now) {
			slot = f.next
		}
		f.next = slot.Add(backoff(f.count - admitFree))
		wait = max(wait, slot.Sub(now))
	}
	return wait, true
}

// release gives back the attempt of a login that succeeded.
func (lt *loginThrottle) release(user, remote string) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	for _, k := range admitKeys(user, remote) {
		if f := lt.failures[k]; f != nil && f.count > 0 {
			f.count--
		}
	}
}

// AdmitLogin counts a credential check of user from remote and returns
// how long it must wait before the check; ok is false when it would wait
// more than LoginRetryAfter: then it is refused without being checked.
func (e *Engine) AdmitLogin(user, remote string) (wait time.Duration, ok bool) {
	return e.throttle.admit(user, remote, e.now())
}

// ReleaseLogin gives back the attempt AdmitLogin counted, once the login
// succeeded.
func (e *Engine) ReleaseLogin(user, remote string) { e.throttle.release(user, remote) }

// LoginRetryAfter is the longest a login attempt waits (AdmitLogin): the
// Retry-After of one refused.
const LoginRetryAfter = maxDelay
