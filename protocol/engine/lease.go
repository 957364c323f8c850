package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"anchorage/protocol/syncml"
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

// syncAlertNames lists the canonical datastores a message alerts for sync.
func syncAlertNames(msg *syncml.Message) []string {
	var names []string
	for _, c := range msg.Commands {
		if c.Name != "Alert" || len(c.Items) == 0 {
			continue
		}
		var code int
		fmt.Sscanf(c.Data, "%d", &code)
		if _, ok := syncml.AlertCode(code).SyncMode(); !ok {
			continue
		}
		if name, ok := ResolveDatastore(c.Items[0].Target.URI); ok {
			names = append(names, name)
		}
	}
	return names
}

// leaseDatastores takes, all or nothing, the leases on the datastores a
// message alerts, waiting while another session holds one. It returns the
// datastores still held by others when the wait ran out.
func (e *Engine) leaseDatastores(ctx context.Context, st *sessionState, msg *syncml.Message) (map[string]bool, error) {
	names := syncAlertNames(msg)
	if len(names) == 0 {
		return nil, nil
	}
	deadline := e.now().Add(leaseWait)
	for {
		var busy map[string]bool
		holder := ""
		err := e.store.Update(ctx, func(tx store.Tx) error {
			var err error
			busy, holder, err = e.acquireLeases(ctx, tx, st, names)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("engine: lease datastores: %w", err)
		}
		if len(busy) == 0 {
			return nil, nil
		}
		if !e.now().Before(deadline) {
			e.log.Warn("datastore busy: another session of the user holds it", "user", st.UserName,
				"device", st.DeviceID, "holder", holder, "waited", leaseWait)
			return busy, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(leasePoll):
		}
	}
}

// acquireLeases takes, all or nothing, the leases on the named datastores
// in tx. It returns the datastores another session holds (and one such
// session); then it holds none.
func (e *Engine) acquireLeases(ctx context.Context, tx store.Tx, st *sessionState, names []string) (map[string]bool, string, error) {
	busy := map[string]bool{}
	holder := ""
	now := e.now()
	for _, n := range names {
		h, ok, err := tx.AcquireLease(ctx, st.UserID, n, st.Key, now, now.Add(leaseTTL))
		if err != nil {
			return nil, "", err
		}
		if !ok && e.sameDevice(ctx, tx, h, st) {
			// A device runs one session at a time: a new session of it
			// means its old one was abandoned. Unless the old one has the
			// same client session id and is not over: then two clients
			// share one device id (a cloned profile), and merging them
			// would answer one with the other's statuses.
			if other, err := loadSession(ctx, tx, h); err != nil {
				return nil, "", err
			} else if other != nil && !other.Complete && other.ClientSessionID == st.ClientSessionID {
				e.log.Warn("second session of a device refused", "user", st.UserName, "device", st.DeviceID,
					"running", h, "client_session", st.ClientSessionID)
				return nil, "", &RequestError{Status: 503, RetryAfter: deviceBusyRetry, Err: fmt.Errorf(
					"%w: device %q already runs session %s %q; retry when it is over", errDeviceBusy, st.DeviceID, h, st.ClientSessionID)}
			}
			if err := tx.ReleaseLeases(ctx, h); err != nil {
				return nil, "", err
			}
			if h, ok, err = tx.AcquireLease(ctx, st.UserID, n, st.Key, now, now.Add(leaseTTL)); err != nil {
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
		if err := tx.ReleaseLeases(ctx, st.Key); err != nil {
			return nil, "", err
		}
	}
	return busy, holder, nil
}

// sameDevice tells whether a lease holder is another session of the
// session's own device.
func (e *Engine) sameDevice(ctx context.Context, tx store.Tx, holder string, st *sessionState) bool {
	s, err := tx.Session(ctx, holder)
	if err != nil {
		return errors.Is(err, store.ErrNotFound) // a holder without a session is stale
	}
	return s.UserID == st.UserID && s.DeviceID == st.DeviceID
}

// renewLeases extends the session's leases on every message, but for the
// datastores the message itself leased (acquired). A session whose lease
// another session took (a newer session of its device) is over: its
// message is refused, so that two sessions never write one datastore.
func (e *Engine) renewLeases(ctx context.Context, tx store.Tx, st *sessionState, acquired []string) error {
	if st.Complete {
		return nil
	}
	now := e.now()
	for _, ds := range st.Datastores {
		if slices.Contains(acquired, ds.Name) {
			continue
		}
		holder, ok, err := tx.AcquireLease(ctx, st.UserID, ds.Name, st.Key, now, now.Add(leaseTTL))
		if err != nil {
			return fmt.Errorf("engine: renew lease: %w", err)
		}
		if !ok {
			e.log.Warn("session lost its datastore to another session", "session", st.Key, "device", st.DeviceID,
				"datastore", ds.Name, "holder", holder)
			return &RequestError{Status: 409, Err: fmt.Errorf("%w (%s, session %s)", errSuperseded, ds.Name, st.Key)}
		}
	}
	return nil
}
