package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"anchorage/conflict"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// Unacknowledged Adds (issue 8). A device that applies the server's Adds
// and is killed before its Map (OMA DS 1.2 Sync Protocol 5.10) holds them
// under LUIDs the server never learns; its next session sends them back as
// new items. Unchanged, they match the item (undeliveredTwin, versionTwin);
// edited, only their identifiers are left. So every Add sent is remembered
// until the device maps it, and a new item of the device that shares an
// identifier with exactly one of them is taken as that item, edited.

// maxPairCandidates bounds the unacknowledged Adds one item is compared
// with; two are enough to know it is ambiguous.
const maxPairCandidates = 8

// rememberAdd records an Add sent (or begun, in parts) as unacknowledged
// until the device maps it; Flush stores a message's Adds in one go
// (flushRemembered). Their identifiers are left
// to compute until a new item of the device needs pairing (fillIdents):
// almost every Add gets mapped, and computing them parses every item sent,
// which cost a refresh from the server nearly half of its CPU
// (BENCHMARKS.md, section 13).
func (e *Engine) rememberAdd(st *sessionState, ds *syncedStore, ch *ServerChange) {
	it := ch.item
	if ch.Op != OpAdd || it == nil {
		return
	}
	ds.Unacked = true
	ds.remembered = append(ds.remembered, store.UnackedAdd{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: ds.Name,
		GUID: it.GUID, Version: it.Version, Seq: it.Seq, Session: st.Key, Sent: e.now(), IdentsPending: true,
		New: !ds.UnackedAtAlert})
}

// flushRemembered stores the Adds rememberAdd collected while a message's
// Sync was filled, in one go.
func (e *Engine) flushRemembered(ctx context.Context, tx store.SyncTx, ds *syncedStore) error {
	if len(ds.remembered) == 0 {
		return nil
	}
	if err := tx.PutUnackedAdds(ctx, ds.remembered); err != nil {
		return fmt.Errorf("engine: remember %d adds: %w", len(ds.remembered), err)
	}
	ds.remembered = ds.remembered[:0]
	return nil
}

// fillIdentsBatch is how many pending unacknowledged Adds fillIdents
// reads at a time.
const fillIdentsBatch = 256

// fillIdents computes and stores the identifiers of the partnership's
// unacknowledged Adds recorded without them, from the version each Add
// sent. A version pruned since leaves the Add with none (it cannot be
// paired; nothing is lost, the device's item stays new).
func (e *Engine) fillIdents(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	if ds.identsFilled {
		return nil
	}
	for {
		pending, err := tx.PendingUnackedAdds(ctx, st.UserID, st.DeviceID, ds.Name, fillIdentsBatch)
		if err != nil {
			return fmt.Errorf("engine: unacked adds to identify: %w", err)
		}
		for i := range pending {
			a := &pending[i]
			if a.Idents, err = e.sentIdents(ctx, tx, st, ds, a); err != nil {
				return err
			}
			a.IdentsPending, a.New = false, false
			if err := tx.PutUnackedAdd(ctx, a); err != nil {
				return fmt.Errorf("engine: identify unacked add %s: %w", a.GUID, err)
			}
		}
		if len(pending) < fillIdentsBatch {
			break
		}
	}
	ds.identsFilled = true
	return nil
}

// sentIdents returns the identifiers of the version an unacknowledged Add
// sent, and its match key (the name, pim.Describe) for pairing by the
// identity rule (unackedByIdentity).
func (e *Engine) sentIdents(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, a *store.UnackedAdd) ([]string, error) {
	v, err := e.sentVersion(ctx, tx, st, ds, a)
	if err != nil || v == nil {
		return nil, err
	}
	ids := pim.Identifiers(v.Canon())
	if v.MatchKey != "" {
		ids = append(ids, v.MatchKey)
	}
	return ids, nil
}

// sentVersion returns the version an unacknowledged Add sent; nil when the
// item is gone or retention pruned the version.
func (e *Engine) sentVersion(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, a *store.UnackedAdd) (*store.Item, error) {
	cur, err := tx.Item(ctx, st.UserID, ds.Name, a.GUID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: item %s: %w", a.GUID, err)
	}
	if cur.Version == a.Version && !cur.Deleted {
		return cur, nil
	}
	vs, err := tx.Versions(ctx, st.UserID, ds.Name, a.GUID)
	if err != nil {
		return nil, fmt.Errorf("engine: versions %s: %w", a.GUID, err)
	}
	for i := range vs {
		if v := &vs[i]; v.Version == a.Version && !v.Deleted {
			return v, nil
		}
	}
	return nil, nil
}

// deferAdd tells whether to hold back, in a one-way sync from the server,
// the Add of an item the device has not acknowledged: a device killed
// before its Map holds it already, and sends nothing in this mode by
// which it could be paired, so the Add would give it a second copy. It is
// held back once and counted undelivered (the acknowledged sequence stays,
// so the next sync sends it if the device has not paired it by then).
func (e *Engine) deferAdd(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string) (bool, error) {
	if ds.Mode != ModeOneWayFromServer || !ds.Unacked {
		return false, nil
	}
	a, err := e.isUnacked(ctx, tx, st, ds, guid)
	if err != nil || a == nil {
		return false, err
	}
	if a.Deferred {
		return false, e.recordResent(ctx, tx, st, ds, a) // sent now: the device may hold it twice
	}
	if err := tx.DeferUnackedAdd(ctx, st.UserID, st.DeviceID, ds.Name, guid); err != nil {
		return false, fmt.Errorf("engine: defer add %s: %w", guid, err)
	}
	ds.Undelivered++
	e.log.Info("Add of an item the device may hold unmapped held back until it can send its copy",
		"device", st.DeviceID, "datastore", ds.Name, "guid", guid, "sent_in", a.Session)
	return true, nil
}

// forgetAdds drops the unacknowledged Adds of GUIDs the device mapped (or
// refused).
func (e *Engine) forgetAdds(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guids []string) error {
	if !ds.Unacked || len(guids) == 0 {
		return nil
	}
	if err := tx.DeleteUnackedAdds(ctx, st.UserID, st.DeviceID, ds.Name, guids); err != nil {
		return fmt.Errorf("engine: forget adds: %w", err)
	}
	return nil
}

// pairMode tells whether a device's new items may be paired in a mode:
// those in which it sends its changes or all its items.
func pairMode(mode Mode) bool {
	return mode == ModeTwoWay || mode == ModeSlow || mode == ModeOneWayFromClient || mode == ModeRefreshFromClient
}

// unackedPair finds the unacknowledged Add a device's new item is an
// edited copy of, among the Adds sent to this device and not mapped since:
// the one that shares a strong identifier with it (pim.Identifiers), else,
// when none does, the one whose sent version is the same item by the
// identity rule (unackedByIdentity). None or several: nil, and the item
// stays new (nothing is lost).
func (e *Engine) unackedPair(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*store.UnackedAdd, error) {
	if !ds.Unacked || !pairMode(ds.Mode) {
		return nil, nil
	}
	ids := pim.Identifiers(ci.contentType, ci.data)
	if len(ids) == 0 && ci.info.MatchKey == "" {
		e.log.Info("device's new item has no identifier or name to pair it with an unmapped item; kept as new",
			"device", st.DeviceID, "datastore", ds.Name, "luid", ci.luid)
		return nil, nil
	}
	if err := e.fillIdents(ctx, tx, st, ds); err != nil {
		return nil, err
	}
	var open []store.UnackedAdd
	if len(ids) > 0 {
		var err error
		if open, err = e.openUnacked(ctx, tx, st, ds, ids, maxPairCandidates); err != nil {
			return nil, err
		}
	}
	by := "identifier"
	if len(open) == 0 && ci.info.MatchKey != "" {
		var err error
		if open, err = e.unackedByIdentity(ctx, tx, st, ds, ci); err != nil {
			return nil, err
		}
		by = "identity"
	}
	switch len(open) {
	case 1:
		if err := e.dropStalePending(ctx, tx, st, ds, open[0].GUID); err != nil {
			return nil, err
		}
		return &open[0], nil
	case 0:
		e.log.Info("device's new item matches none of its unmapped items; kept as new",
			"device", st.DeviceID, "datastore", ds.Name, "luid", ci.luid)
	default:
		guids := make([]string, len(open))
		for i, c := range open {
			guids[i] = c.GUID
		}
		e.log.Info("device's new item matches several of its unmapped items; kept as new",
			"device", st.DeviceID, "datastore", ds.Name, "luid", ci.luid, "by", by, "candidates", guids)
	}
	return nil, nil
}

// openUnacked returns up to limit of the device's unacknowledged Adds
// with one of the identifiers (or match keys) that the device has not
// deleted in this session.
func (e *Engine) openUnacked(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ids []string, limit int) ([]store.UnackedAdd, error) {
	cands, err := tx.UnackedAdds(ctx, st.UserID, st.DeviceID, ds.Name, ids, limit)
	if err != nil {
		return nil, fmt.Errorf("engine: unacked adds: %w", err)
	}
	// Every mapping of a GUID drops its row (confirm, handleMap): a row
	// left means the device has not mapped the item since it was sent,
	// whatever older mapping of it the store still holds (a device wiped
	// by a refresh from the server that died keeps none of its LUIDs).
	// A delete of a stale LUID (pendingDelete.Stale) leaves the item open:
	// the device deleted an older copy and holds this one.
	return slices.DeleteFunc(cands, func(a store.UnackedAdd) bool { return ds.pendingGUID(a.GUID) && !ds.stalePending(a.GUID) }), nil
}

// unackedByIdentity returns the unacknowledged Adds a device's new item
// that shares no identifier with any is the same item as, by the identity
// rule slow sync pairs with (pim.BestEdited: the candidates are the Adds
// whose sent version has the item's match key, its name): the one that
// is, or the several that are equally (the caller pairs none of them).
// The device may have edited every number and address of its copy; its
// name still tells.
func (e *Engine) unackedByIdentity(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) ([]store.UnackedAdd, error) {
	open, err := e.openUnacked(ctx, tx, st, ds, []string{ci.info.MatchKey}, maxPairCandidates+1)
	if err != nil || len(open) == 0 || len(open) > maxPairCandidates {
		return open, err // more than maxPairCandidates namesakes: none is the one
	}
	var cands []store.UnackedAdd
	var ids []pim.Identity
	for i := range open {
		v, err := e.sentVersion(ctx, tx, st, ds, &open[i])
		if err != nil {
			return nil, err
		}
		if v != nil {
			cands, ids = append(cands, open[i]), append(ids, ds.memo.of(v, true).Identity())
		}
	}
	best, ambiguous := pim.BestEdited(ci.item().Identity(), ids)
	switch {
	case best >= 0:
		return cands[best : best+1], nil
	case ambiguous:
		return cands, nil
	}
	return nil, nil
}

// takePair applies a device's new item as its change of the unacknowledged
// Add a: the LUID is mapped to the GUID, and the device's content is a
// change to the version that was sent. When the server's item moved on
// since (another device changed or deleted it), the conflict rules decide,
// with the sent version as the base both sides started from (an edit
// survives a delete unless delete wins).
func (e *Engine) takePair(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, a *store.UnackedAdd, ci *clientItem) (Outcome, error) {
	cur, err := tx.Item(ctx, st.UserID, ds.Name, a.GUID)
	if err != nil {
		return 0, fmt.Errorf("engine: item %s: %w", a.GUID, err)
	}
	if err := e.forgetAdds(ctx, tx, st, ds, []string{a.GUID}); err != nil {
		return 0, err
	}
	unchanged := cur.Version == a.Version && !cur.Deleted
	e.log.Info("device's new item is its edited copy of an item it never mapped", "device", st.DeviceID,
		"datastore", ds.Name, "guid", cur.GUID, "luid", ci.luid, "sent_version", a.Version,
		"server_version", cur.Version, "server_deleted", cur.Deleted)
	if unchanged && ds.memo.equivalent(cur, ci.item()) {
		if err := e.confirm(ctx, tx, st, ds, ci.luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Matched++
		return Matched, nil
	}
	if !cur.Deleted {
		e.preserve(ctx, tx, st, ds, cur, ci) // keep what the device cannot hold (preserve.go)
	}
	// Only the device changed it, or its data replaces the server's (a
	// refresh from the device, where the other items it lacks are
	// deleted too): a plain change.
	if unchanged && ds.Conflict.Policy != conflict.ReadOnly || ds.Mode == ModeRefreshFromClient {
		if _, err := e.write(ctx, tx, st, ds, cur.GUID, ci); err != nil {
			return 0, err
		}
		if err := e.confirm(ctx, tx, st, ds, ci.luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Replaced++
		return Replaced, nil
	}
	base, err := e.sentBase(ctx, tx, st, ds, a)
	if err != nil {
		return 0, err
	}
	return e.resolveWithBase(ctx, tx, st, ds, cur, ci, ci.luid, base)
}

// sentBase returns the version an unacknowledged Add sent, as a conflict
// base; nil when retention pruned it (the merge then has no base).
func (e *Engine) sentBase(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, a *store.UnackedAdd) (*conflict.Version, error) {
	vs, err := tx.Versions(ctx, st.UserID, ds.Name, a.GUID)
	if err != nil {
		return nil, fmt.Errorf("engine: versions %s: %w", a.GUID, err)
	}
	for i := range vs {
		if v := &vs[i]; v.Version == a.Version && !v.Deleted {
			ct, data := v.Canon()
			return &conflict.Version{ContentType: ct, Data: data, Modified: v.Modified}, nil
		}
	}
	return nil, nil
}

// isUnacked returns the device's unacknowledged Add of a GUID, or nil.
func (e *Engine) isUnacked(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string) (*store.UnackedAdd, error) {
	if !ds.Unacked {
		return nil, nil
	}
	a, err := tx.UnackedAdd(ctx, st.UserID, st.DeviceID, ds.Name, guid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: unacked add %s: %w", guid, err)
	}
	return a, nil
}

// stalePending tells whether the session's pending delete of an item is
// of a stale LUID: one mapped before the server sent the device the item
// again as an Add (every mapping of a GUID drops its unacknowledged Add, so
// a row left is newer than the mapping), as a slow sync does for an item
// the device no longer sent (OMA DS 1.2 Sync Protocol 5.10) when it is
// killed before its Map.
func (ds *Datastore) stalePending(guid string) bool {
	for _, d := range ds.Pending {
		if d.GUID == guid && d.Stale {
			return true
		}
	}
	return false
}

// dropStalePending cancels the session's delete of an item by a stale
// LUID when the device's new item is its copy of it: the device deleted
// the older copy, not the item, which it holds again; deleting it would
// leave the copy to come back as a second item. The stale LUID is
// unmapped.
func (e *Engine) dropStalePending(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string) error {
	for i, d := range ds.Pending {
		if d.GUID != guid || !d.Stale {
			continue
		}
		if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, d.LUID); err != nil {
			return fmt.Errorf("engine: unmap %s: %w", d.LUID, err)
		}
		ds.Pending = slices.Delete(ds.Pending, i, i+1)
		ds.Deleted--
		e.log.Info("device deleted an old copy of an item it holds again, unmapped; the item stays",
			"device", st.DeviceID, "datastore", ds.Name, "guid", guid, "luid", d.LUID)
		return nil
	}
	return nil
}
