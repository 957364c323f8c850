package session

import (
	"context"
	"fmt"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Parallel password guessing: the core's login throttle admits every
// credential check before it runs (engine.AdmitLogin), per user and per
// client address, so that a client that does not wait for its answers
// (many connections at once) does not have every guess checked at once.

// claimedUser is the user a first message claims to be.
func claimedUser(hdr *syncml.Header) string {
	if hdr.Cred != nil && hdr.Cred.Type != syncml.AuthMD5 {
		if name, _, err := syncml.BasicCredentials(hdr.Cred.Data); err == nil {
			return name
		}
	}
	return hdr.Source.Name
}

// admitCheck waits for the right to check the credentials of a first
// message, or refuses it with 503.
func (e *Handler) admitCheck(ctx context.Context, hdr *syncml.Header, req Request) error {
	if hdr.Cred == nil {
		return nil // nothing to check: answered 407
	}
	user := claimedUser(hdr)
	wait, ok := e.core.AdmitLogin(user, req.Remote)
	if !ok {
		e.log.Warn("login attempts refused: too many failed", "user", user, "remote", req.Remote)
		return &RequestError{Status: 503, RetryAfter: engine.LoginRetryAfter, Err: fmt.Errorf("session: too many login attempts for %q or from %s; retry later", user, req.Remote)}
	}
	engine.Pause(ctx, wait)
	return ctx.Err()
}
