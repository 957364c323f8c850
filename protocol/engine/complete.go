package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"anchorage/store"
)

// complete commits a datastore's finished sync: the anchors, the
// acknowledged change sequence (only if every server change was delivered)
// and, after a slow or refresh sync, the mapping clean-up. Nothing of this
// is written before the session completes, so an abandoned session leaves
// the partnership as it was and the next sync repeats what was missed.
func (e *Engine) complete(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, next Anchors) error {
	now := e.now()
	p, err := tx.Partnership(ctx, st.UserID, st.DeviceID, ds.Name)
	if errors.Is(err, store.ErrNotFound) {
		p = &store.Partnership{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: ds.Name}
	} else if err != nil {
		return fmt.Errorf("engine: complete %s: %w", ds.Name, err)
	}
	// Delivered when every server change went out (NextChange ran out)
	// and the device acknowledged each; else they are all sent again.
	delivered := ds.Undelivered == 0 && ds.Drained
	held, err := e.guardDeletes(ctx, tx, st, ds)
	if err != nil {
		return err
	}
	if delivered && len(ds.Returning) > 0 {
		if err := e.returned(ctx, tx, ds); err != nil {
			return err
		}
	}

	switch ds.Mode {
	case ModeRefreshFromClient:
		// The server's datastore becomes exactly the device's: what
		// the device did not send is deleted (tombstones keep it).
		// Unless held (guard.go): then the items stay until the owner
		// decides.
		if !held {
			if err := e.deleteUnconfirmed(ctx, tx, st, ds); err != nil {
				return err
			}
		}
		seq, err := tx.LastSeq(ctx, st.UserID, ds.Name)
		if err != nil {
			return fmt.Errorf("engine: last seq: %w", err)
		}
		p.AckSeq = seq
	case ModeOneWayFromClient:
		// Server changes were not sent; they stay pending.
	default:
		if delivered {
			p.AckSeq = ds.TargetSeq
			if ds.Mode == ModeSlow {
				if p.AckSeq, err = e.missedDeletions(ctx, tx, st, ds, p.AckSeq); err != nil {
					return err
				}
			}
		} else {
			e.log.Warn("not every change reached the device; they will be sent again",
				"device", st.DeviceID, "datastore", ds.Name, "undelivered", ds.Undelivered)
		}
	}
	if err := e.forgetResent(ctx, tx, st, ds); err != nil {
		return err
	}
	if ds.Mode == ModeSlow || ds.Mode == ModeRefreshFromServer || ds.Mode == ModeRefreshFromClient {
		if _, err := tx.PruneUnconfirmedMappings(ctx, st.UserID, st.DeviceID, ds.Name, st.Key); err != nil {
			return fmt.Errorf("engine: prune mappings: %w", err)
		}
		// Every item the device holds was mapped in this session:
		// Adds of earlier sessions it did not map, it does not hold.
		if _, err := tx.ClearUnackedAdds(ctx, st.UserID, st.DeviceID, ds.Name, st.Key); err != nil {
			return fmt.Errorf("engine: clear unacked adds: %w", err)
		}
		if ds.Resent {
			if _, err := tx.ClearResentAdds(ctx, st.UserID, st.DeviceID, ds.Name); err != nil {
				return fmt.Errorf("engine: clear resent adds: %w", err)
			}
		}
	}
	if err := e.keepOlderPending(ctx, tx, st, ds); err != nil {
		return err
	}
	p.ClientAnchor, p.ServerAnchor = next.Client, next.Server
	p.LastSync, p.LastSyncMode = now, int(ds.Mode)
	if err := tx.PutPartnership(ctx, p); err != nil {
		return fmt.Errorf("engine: save partnership %s: %w", ds.Name, err)
	}
	e.log.Info("datastore synced", "device", st.DeviceID, "user", st.UserName, "datastore", ds.Name,
		"mode", int(ds.Mode), "added", ds.Added, "replaced", ds.Replaced, "deleted", ds.Deleted,
		"matched", ds.Matched, "rejected", ds.Rejected, "held", ds.Held, "sent", ds.SentCommands, "ack_seq", p.AckSeq)
	return nil
}

// deleteUnconfirmed tombstones every live item the device did not send in a
// refresh-from-client session.
func (e *Engine) deleteUnconfirmed(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	after := ""
	for {
		items, err := tx.UnconfirmedHeads(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, after, batchSize)
		if err != nil {
			return fmt.Errorf("engine: unconfirmed items: %w", err)
		}
		if len(items) == 0 {
			return nil
		}
		for i := range items {
			g := items[i].GUID
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: st.UserID, Datastore: ds.Name, GUID: g,
				Delete: true, Origin: st.DeviceID, Time: e.now()}); err != nil {
				return fmt.Errorf("engine: refresh delete %s: %w", g, err)
			}
			ds.Deleted++
		}
		after = items[len(items)-1].GUID
	}
}

// touchDevice creates or updates the device row of the session's device.
func (e *Engine) touchDevice(ctx context.Context, tx store.SyncTx, st *sessionState, change func(*store.Device)) error {
	now := e.now()
	d, err := e.sessionDevice(ctx, tx, st)
	if err != nil {
		return err
	}
	if d == nil {
		d = &store.Device{UserID: st.UserID, DeviceID: st.DeviceID, FirstSeen: now}
	} else {
		cp := *d
		d = &cp
	}
	d.LastSeen = now
	if change != nil {
		change(d)
	}
	key := Partner{UserID: st.UserID, DeviceID: st.DeviceID}
	if err := tx.PutDevice(ctx, d); err != nil {
		delete(st.w.devices, key)
		return fmt.Errorf("engine: save device %s: %w", st.DeviceID, err)
	}
	if st.w.devices == nil {
		st.w.devices = map[Partner]*store.Device{}
	}
	st.w.devices[key] = d
	return nil
}

// sessionDevice returns the session's device row, nil if the device has
// none yet: as this unit of work last wrote it, or else from the store.
func (e *Engine) sessionDevice(ctx context.Context, tx store.SyncTx, st *sessionState) (*store.Device, error) {
	if d := st.w.devices[Partner{UserID: st.UserID, DeviceID: st.DeviceID}]; d != nil {
		return d, nil
	}
	d, err := tx.Device(ctx, st.UserID, st.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: device %s: %w", st.DeviceID, err)
	}
	return d, nil
}

// missedDeletions returns the AckSeq a completed slow sync leaves: ack,
// or less when an item the device sent in the sync was deleted by another
// origin before it completed. A slow sync sends only items the device did
// not send, never a deletion, so the device still holds such an item; an
// EAS initial sync stays open across requests while others sync. The next
// sync then sends the changes from just before that deletion.
func (e *Engine) missedDeletions(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ack int64) (int64, error) {
	after := ds.PriorSeq
	for after < ack {
		items, err := tx.Changes(ctx, st.UserID, ds.Name, after, ack, st.DeviceID, batchSize)
		if err != nil {
			return 0, fmt.Errorf("engine: changes: %w", err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			after = max(after, it.Seq)
			if !it.Deleted {
				continue
			}
			m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, it.GUID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return 0, fmt.Errorf("engine: map %s: %w", it.GUID, err)
			}
			if m.Session == st.Key && it.Seq-1 < ack {
				ack = it.Seq - 1
			}
		}
	}
	return ack, nil
}

// changedWhileOpen adds to Resend, as a slow sync's server part begins,
// the items the device sent in it that another origin changed after the
// sync began: a slow sync sends only what the device did not send, and
// AckSeq moves past such a change when it completes, so the device would
// keep the copy it sent. An EAS initial sync stays open across requests
// (and a killed device's re-sent ones) while others sync.
func (e *Engine) changedWhileOpen(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	for after := ds.PriorSeq; after < ds.TargetSeq; {
		items, err := tx.Changes(ctx, st.UserID, ds.Name, after, ds.TargetSeq, st.DeviceID, batchSize)
		if err != nil {
			return fmt.Errorf("engine: changes: %w", err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			after = max(after, it.Seq)
			if it.Deleted || slices.Contains(ds.Resend, it.GUID) {
				continue // a deletion: missedDeletions
			}
			m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, it.GUID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return fmt.Errorf("engine: map %s: %w", it.GUID, err)
			}
			if m.Session == st.Key {
				ds.Resend = append(ds.Resend, it.GUID)
			}
		}
	}
	return nil
}
