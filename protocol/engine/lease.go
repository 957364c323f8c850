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

// WaitLeases takes, all or nothing, the leases on the named datastores for
// a partner's session, waiting while another session holds one. It
// returns the datastores still held by others when the wait ran out.
func (e *Engine) WaitLeases(ctx context.Context, p Partner, names []string) (map[string]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	deadline := e.now().Add(leaseWait)
	for {
		var busy map[string]bool
		holder := ""
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var err error
			busy, holder, err = e.acquireLeases(ctx, tx, p, names)
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
func (w *Work) Lease(p Partner, names []string) (busy map[string]bool, err error) {
	busy, _, err = w.e.acquireLeases(w.ctx, w.tx, p, names)
	if err != nil {
		return nil, fmt.Errorf("engine: lease datastores: %w", err)
	}
	return busy, nil
}

// acquireLeases takes, all or nothing, the leases on the named datastores
// in tx. It returns the datastores another session holds (and one such
// session); then it holds none.
func (e *Engine) acquireLeases(ctx context.Context, tx store.SyncTx, st Partner, names []string) (map[string]bool, string, error) {
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
			// means its old one was abandoned.
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

// RenewLeases extends a partner's leases on the named datastores.
func (w *Work) RenewLeases(p Partner, names []string) error {
	now := w.e.now()
	for _, n := range names {
		if _, _, err := w.tx.AcquireLease(w.ctx, p.UserID, n, p.Session, now, now.Add(leaseTTL)); err != nil {
			return fmt.Errorf("engine: renew lease: %w", err)
		}
	}
	return nil
}
