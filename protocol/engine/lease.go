package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anchorage/store"
)

// Sessions of one user's datastore are serialised (DESIGN.md, rules that
// keep data safe): a session leases each datastore it alerts until it
// completes. A second device alerting a leased datastore waits here, for a
// while, instead of interleaving with the first; if the first session does
// not finish in time the Alert gets 503 and the device retries later.

const (
	// leaseTTL is how long a lease lasts without a message of its session;
	// an abandoned session frees its datastores after it.
	leaseTTL = 2 * time.Minute
	// leaseWait bounds how long a message waits for a leased datastore.
	leaseWait = 45 * time.Second
	leasePoll = 50 * time.Millisecond
)

// LeaseGuard is asked, in the unit of work that leases, before a session
// of the partner's own device loses its leases to the partner's session
// (holder is its key); an error refuses the lease and is returned as is.
type LeaseGuard func(w *Work, holder string) error

// WaitLeases takes, all or nothing, the leases on the named datastores for
// a partner's session, waiting while another session holds one. It
// returns the datastores still held by others when the wait ran out.
func (e *Engine) WaitLeases(ctx context.Context, p Partner, names []string, guards ...LeaseGuard) (map[string]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	deadline := e.now().Add(leaseWait)
	for {
		var busy map[string]bool
		holder := ""
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var err error
			busy, holder, err = e.acquireLeases(ctx, tx, p, names, guards)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("engine: lease datastores: %w", err)
		}
		if len(busy) == 0 {
			return nil, nil
		}
		if !e.now().Before(deadline) {
			e.log.Warn("datastore busy: another session of the user holds it", "user", p.UserName,
				"device", p.DeviceID, "holder", holder, "waited", leaseWait)
			return busy, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(leasePoll):
		}
	}
}

// Lease takes, all or nothing, the leases on the named datastores for a
// partner's session in this unit of work. It returns the datastores
// another session holds; then it holds none.
func (w *Work) Lease(p Partner, names []string, guards ...LeaseGuard) (busy map[string]bool, err error) {
	busy, _, err = w.e.acquireLeases(w.ctx, w.tx, p, names, guards)
	if err != nil {
		return nil, fmt.Errorf("engine: lease datastores: %w", err)
	}
	return busy, nil
}

// acquireLeases takes, all or nothing, the leases on the named datastores
// in tx. It returns the datastores another session holds (and one such
// session); then it holds none.
func (e *Engine) acquireLeases(ctx context.Context, tx store.Tx, st Partner, names []string, guards []LeaseGuard) (map[string]bool, string, error) {
	busy := map[string]bool{}
	holder := ""
	now := e.now()
	for _, n := range names {
		h, ok, err := tx.AcquireLease(ctx, st.UserID, n, st.Session, now, now.Add(leaseTTL))
		if err != nil {
			return nil, "", err
		}
		if !ok && e.sameDevice(ctx, tx, h, st) {
			// A device runs one session at a time: a new session of it
			// means its old one was abandoned, unless a guard of the
			// front end (which knows its sessions) says otherwise.
			for _, g := range guards {
				if err := g(e.work(ctx, tx), h); err != nil {
					return nil, "", err
				}
			}
			if err := tx.ReleaseLeases(ctx, h); err != nil {
				return nil, "", err
			}
			if h, ok, err = tx.AcquireLease(ctx, st.UserID, n, st.Session, now, now.Add(leaseTTL)); err != nil {
				return nil, "", err
			}
		}
		if !ok {
			busy[n], holder = true, h
		}
	}
	if len(busy) > 0 {
		// All or nothing, so that two sessions never hold one datastore
		// each while waiting for the other's.
		if err := tx.ReleaseLeases(ctx, st.Session); err != nil {
			return nil, "", err
		}
	}
	return busy, holder, nil
}

// sameDevice tells whether a lease holder is another session of the
// session's own device.
func (e *Engine) sameDevice(ctx context.Context, tx store.SyncTx, holder string, st Partner) bool {
	s, err := tx.Session(ctx, holder)
	if err != nil {
		return errors.Is(err, store.ErrNotFound) // a holder without a session is stale
	}
	return s.UserID == st.UserID && s.DeviceID == st.DeviceID
}

// ReleaseLeases drops every lease of a session (one it abandons; Finish
// releases those of a session that completed).
func (w *Work) ReleaseLeases(session string) error {
	if err := w.tx.ReleaseLeases(w.ctx, session); err != nil {
		return fmt.Errorf("engine: release leases: %w", err)
	}
	return nil
}

// ErrLeaseLost: another session took a datastore the partner's session
// leased (a newer session of its device). That session is over: its
// message must be refused, so that two sessions never write one datastore.
var ErrLeaseLost = errors.New("engine: a newer session of this device took over its datastores")

// RenewLeases extends a partner's leases on the named datastores. It
// returns ErrLeaseLost when another session holds one of them.
func (w *Work) RenewLeases(p Partner, names []string) error {
	now := w.e.now()
	for _, n := range names {
		holder, ok, err := w.tx.AcquireLease(w.ctx, p.UserID, n, p.Session, now, now.Add(leaseTTL))
		if err != nil {
			return fmt.Errorf("engine: renew lease: %w", err)
		}
		if !ok {
			w.e.log.Warn("session lost its datastore to another session", "session", p.Session, "device", p.DeviceID,
				"datastore", n, "holder", holder)
			return fmt.Errorf("%w (%s, session %s)", ErrLeaseLost, n, p.Session)
		}
	}
	return nil
}
