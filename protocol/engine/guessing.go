package engine

import (
	"context"
	"fmt"
	"net"
	"time"

	"anchorage/protocol/syncml"
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

// claimedUser is the user a first message claims to be.
func claimedUser(hdr *syncml.Header) string {
	if hdr.Cred != nil && hdr.Cred.Type != syncml.AuthMD5 {
		if name, _, err := syncml.BasicCredentials(hdr.Cred.Data); err == nil {
			return name
		}
	}
	return hdr.Source.Name
}

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

// admitCheck waits for the right to check the credentials of a first
// message, or refuses it with 503.
func (e *Engine) admitCheck(ctx context.Context, hdr *syncml.Header, req Request) error {
	if hdr.Cred == nil {
		return nil // nothing to check: answered 407
	}
	user := claimedUser(hdr)
	wait, ok := e.throttle.admit(user, req.Remote, e.now())
	if !ok {
		e.log.Warn("login attempts refused: too many failed", "user", user, "remote", req.Remote)
		return &RequestError{Status: 503, RetryAfter: maxDelay, Err: fmt.Errorf("engine: too many login attempts for %q or from %s; retry later", user, req.Remote)}
	}
	sleep(ctx, wait)
	return ctx.Err()
}
