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

// Resent Adds. A device killed before its Map holds the server's Adds
// under LUIDs the server never learned (unacked.go). A one-way sync from
// the server holds such an Add back once (deferAdd); the next one sends it,
// and the device, which sent nothing it could be paired by, may now hold
// the item twice: the older copy unmapped, the new one mapped. So that Add
// is recorded (store.ResentAdd, with the version first sent), and when the
// device's next sync that sends its changes brings a new item that is the
// older copy, the copy is deleted on the device rather than added as a
// second item; an edit of it is applied to the item first. When another
// device deleted the item since, a copy equal to what the server sent
// (the older copy, or the newer one sent back unchanged) does not undo
// the deletion, which goes to both copies; an edit of either copy meets
// the deletion under the conflict rules, on the one item. An older copy
// sent in a sync in which the server sends nothing (one-way or refresh
// from the device) is taken the same way, and its Delete waits in the
// record for the device's next sync that sends changes (carryOlder), as
// does the deletion for a newer copy of a deleted item sent back there
// unchanged (carryNewer; in a refresh from the device too, whose copies
// else become the server's data). The device's Delete of its newer copy
// removes the duplicate, not the item, which stays as the older copy:
// whether the Delete comes after the older copy (newerDeleted) or before
// it (olderAfterNewerDeleted) in one sync, or in the sync after one that
// sent nothing took the older copy (carryOlder). A device killed before
// its Map twice can hold two older copies; both are taken.

// recordResent records that a one-way sync from the server sends again an
// Add it held back once (a, Deferred): the device may hold two copies.
func (e *Engine) recordResent(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, a *store.UnackedAdd) error {
	if err := tx.PutResentAdd(ctx, &store.ResentAdd{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: ds.Name,
		GUID: a.GUID, Version: a.Version}); err != nil {
		return fmt.Errorf("engine: record resent add %s: %w", a.GUID, err)
	}
	ds.Resent = true
	return nil
}

// olderCopy is a device's new item found to be its older copy of a resent
// Add.
type olderCopy struct {
	rec  store.ResentAdd
	cur  *store.Item
	luid string      // the LUID the item is mapped to: the device's newer copy
	base *store.Item // the version first sent, when the copy is an edit of it
	// newerGone: the device deleted its newer copy earlier in this
	// session (a pending delete of the item).
	newerGone bool
}

// staleDuplicate finds the resent Add a device's new item is the older
// copy of: an item mapped to another of the device's LUIDs of which the
// new item equals (pim equivalence) a version from the one first sent up
// to the current one; else the one whose first-sent version is the same
// item by the identity rule (pim.BestEdited), the device's edit of that
// copy. The item may have been deleted since. None, or several by the
// identity rule: nil, the item goes on as any new item. An item whose
// older copy this session took already takes another copy equal to one
// of its versions: a device killed before its Map in the one-way sync
// that sent the Add again, too, got it a third time in a later one, and
// holds two older copies. Not an edit by the identity rule: that is as
// likely a namesake the device added.
func (e *Engine) staleDuplicate(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*olderCopy, error) {
	if !ds.Resent {
		return nil, nil
	}
	recs, err := tx.ResentAdds(ctx, st.UserID, st.DeviceID, ds.Name)
	if err != nil {
		return nil, fmt.Errorf("engine: resent adds: %w", err)
	}
	if len(recs) == 0 {
		ds.Resent = false
		return nil, nil
	}
	var edited []olderCopy
	var ids []pim.Identity
	for _, r := range recs {
		m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, r.GUID)
		if errors.Is(err, store.ErrNotFound) {
			continue // the device holds no second copy the server knows of
		} else if err != nil {
			return nil, fmt.Errorf("engine: map %s: %w", r.GUID, err)
		}
		gone := ds.pendingGUID(r.GUID)
		if m.LUID == ci.luid || gone && !ds.pendingLUID(m.LUID) {
			continue
		}
		cur, err := tx.Item(ctx, st.UserID, ds.Name, r.GUID)
		if err != nil {
			return nil, fmt.Errorf("engine: item %s: %w", r.GUID, err)
		}
		vs, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, cur)
		if err != nil {
			return nil, fmt.Errorf("engine: versions %s: %w", r.GUID, err)
		}
		var first *store.Item
		for i := range vs {
			v := &vs[i]
			if v.Version < r.Version || v.Deleted || v.Origin == OriginConflict {
				continue
			}
			if ds.memo.equivalent(v, ci.item()) {
				return &olderCopy{rec: r, cur: cur, luid: m.LUID, newerGone: gone}, nil
			}
			if v.Version == r.Version {
				first = v
			}
		}
		if first != nil && !slices.Contains(ds.OlderCopies, r.GUID) {
			edited = append(edited, olderCopy{rec: r, cur: cur, luid: m.LUID, base: first, newerGone: gone})
			ids = append(ids, ds.memo.of(first, true).Identity())
		}
	}
	if len(edited) == 0 {
		return nil, nil
	}
	best, ambiguous := pim.BestEdited(ci.item().Identity(), ids)
	if ambiguous {
		e.log.Info("device's new item is the edit of several items it may hold twice; kept as new",
			"device", st.DeviceID, "datastore", ds.Name, "luid", ci.luid)
	}
	if best < 0 {
		return nil, nil
	}
	return &edited[best], nil
}

// takeOlderCopy answers a device's older copy of a resent Add: accepted,
// nothing stored for it, and deleted on the device after the server's
// changes (Datastore.DeleteLUIDs); the record goes once the session
// completes (forgetResent): a device killed before then sends the copy
// again. An edited copy is first applied to
// the item through the conflict rules, with the version first sent as the
// base both sides started from, and the result goes to the newer copy
// (Resend): a copy that differs is never deleted before its edit is in.
func (e *Engine) takeOlderCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, c *olderCopy, ci *clientItem) (Outcome, error) {
	if c.newerGone {
		return e.olderAfterNewerDeleted(ctx, tx, st, ds, c, ci)
	}
	out := AlreadyHeld
	if c.base != nil {
		ct, data := c.base.Canon()
		base := &conflict.Version{ContentType: ct, Data: data, Modified: c.base.Modified}
		if !c.cur.Deleted {
			e.preserve(ctx, tx, st, ds, c.cur, ci) // keep what the device cannot hold (preserve.go)
		}
		var err error
		if out, err = e.resolveWithBase(ctx, tx, st, ds, c.cur, ci, c.luid, base); err != nil {
			return 0, err
		}
		ds.resendOnce(c.cur.GUID)
	} else {
		// Deleted since: a copy of what the server sent does not undo
		// the deletion, which goes to the newer copy too.
		ds.Matched++
		if c.cur.Deleted {
			ds.deletionReaches(c.cur, c.luid)
		}
	}
	ds.OlderCopies = append(ds.OlderCopies, c.rec.GUID)
	if ds.OlderLUIDs == nil {
		ds.OlderLUIDs = map[string]string{}
	}
	if _, ok := ds.OlderLUIDs[c.rec.GUID]; !ok {
		ds.OlderLUIDs[c.rec.GUID] = ci.luid // the first: the one a Delete of the newer copy keeps
	}
	if sendsNothing(ds.Mode) {
		// The Delete waits for the device's next sync that sends
		// changes (carryOlder); the newer copy then gets the item.
		p := c.rec
		p.PendingLUIDs = []string{ci.luid}
		ds.OlderPending = append(ds.OlderPending, p)
	} else if !slices.Contains(ds.DeleteLUIDs, ci.luid) {
		ds.DeleteLUIDs = append(ds.DeleteLUIDs, ci.luid)
	}
	e.log.Info("device's new item is its older copy of an item a one-way sync sent it again; deleted on the device",
		"device", st.DeviceID, "datastore", ds.Name, "guid", c.rec.GUID, "luid", ci.luid, "mapped_luid", c.luid,
		"first_sent", c.rec.Version, "edited", c.base != nil, "outcome", out)
	return out, nil
}

// newerCopy applies a change of the device's newer copy (the one mapped)
// of a resent Add. A device sends back what a one-way sync from the
// server gave it (SyncEvolution), so the newer copy may come, unchanged,
// after the older copy's edit was applied (in this session, or in one
// killed before it completed): equal to a version the device acknowledged
// since the one first sent, it is matched, and the current version goes
// to it (Resend) rather than undoing the edit. Else, when this session
// applied the older copy's edit, both copies were edited: the conflict
// rules decide with the latest such version as the base. Otherwise it is
// not handled here (false).
func (e *Engine) newerCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, bool, error) {
	recs, err := tx.ResentAdds(ctx, st.UserID, st.DeviceID, ds.Name)
	if err != nil {
		return 0, false, fmt.Errorf("engine: resent adds: %w", err)
	}
	i := slices.IndexFunc(recs, func(r store.ResentAdd) bool { return r.GUID == cur.GUID })
	if i < 0 || ds.memo.equivalent(cur, ci.item()) {
		return 0, false, nil
	}
	vs, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, cur)
	if err != nil {
		return 0, false, fmt.Errorf("engine: versions %s: %w", cur.GUID, err)
	}
	var held *store.Item
	for j := range vs {
		v := &vs[j]
		if v.Version < recs[i].Version || v.Deleted || v.Origin == OriginConflict || v.Seq > ds.AckSeq {
			continue
		}
		if ds.memo.equivalent(v, ci.item()) {
			if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
				return 0, false, err
			}
			ds.Matched++
			ds.resendOnce(cur.GUID)
			return AlreadyHeld, true, nil
		}
		held = v
	}
	if !slices.Contains(ds.OlderCopies, cur.GUID) {
		return 0, false, nil
	}
	var base *conflict.Version
	if held != nil {
		ct, data := held.Canon()
		base = &conflict.Version{ContentType: ct, Data: data, Modified: held.Modified}
	}
	e.preserve(ctx, tx, st, ds, cur, ci)
	out, err := e.resolveWithBase(ctx, tx, st, ds, cur, ci, luid, base)
	if err != nil {
		return 0, false, err
	}
	ds.resendOnce(cur.GUID)
	return out, true, nil
}

// deletedNewerCopy answers a device's newer copy (the one mapped) of a
// resent Add deleted since by someone else, when the copy equals a
// version the device acknowledged since the one first sent: the device
// sends back what a one-way sync from the server gave it (SyncEvolution),
// which is no edit, so the deletion stands and goes to the device rather
// than the copy bringing the item back; in a sync in which the server
// sends nothing it waits in the record (carryNewer). Otherwise it is not handled here
// (false): an edit survives the deletion under the conflict rules.
func (e *Engine) deletedNewerCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, bool, error) {
	recs, err := tx.ResentAdds(ctx, st.UserID, st.DeviceID, ds.Name)
	if err != nil {
		return 0, false, fmt.Errorf("engine: resent adds: %w", err)
	}
	i := slices.IndexFunc(recs, func(r store.ResentAdd) bool { return r.GUID == cur.GUID })
	if i < 0 {
		return 0, false, nil
	}
	vs, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, cur)
	if err != nil {
		return 0, false, fmt.Errorf("engine: versions %s: %w", cur.GUID, err)
	}
	for j := range vs {
		v := &vs[j]
		if v.Version < recs[i].Version || v.Deleted || v.Origin == OriginConflict || v.Seq > ds.AckSeq {
			continue
		}
		if ds.memo.equivalent(v, ci.item()) {
			ds.Matched++
			if sendsNothing(ds.Mode) {
				// The deletion waits in the record for the device's
				// next sync that sends changes (carryOlder).
				p := recs[i]
				p.PendingLUIDs, p.PendingNewerLUID = nil, luid
				ds.OlderPending = append(ds.OlderPending, p)
			} else {
				ds.deletionReaches(cur, luid)
			}
			e.log.Info("device's copy of an item a one-way sync sent it again was deleted since; the deletion stands",
				"device", st.DeviceID, "datastore", ds.Name, "guid", cur.GUID, "luid", luid)
			return AlreadyHeld, true, nil
		}
	}
	return 0, false, nil
}

// newerDeleted answers the device's Delete of its newer copy (luid) of
// an item whose older copy this session took (older): the device still
// holds the item, as that copy, so the Delete removes the duplicate, not
// the item. The item is mapped to the older copy, which is no longer
// deleted on the device and gets the item's current state (Resend).
func (e *Engine) newerDeleted(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid, luid, older string) (Outcome, error) {
	if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, luid); err != nil {
		return 0, fmt.Errorf("engine: unmap %s: %w", luid, err)
	}
	if err := e.confirm(ctx, tx, st, ds, older, guid); err != nil {
		return 0, err
	}
	ds.DeleteLUIDs = slices.DeleteFunc(ds.DeleteLUIDs, func(l string) bool { return l == older })
	ds.OlderPending = slices.DeleteFunc(ds.OlderPending, func(r store.ResentAdd) bool { return slices.Contains(r.PendingLUIDs, older) })
	ds.resendOnce(guid)
	ds.Matched++
	e.log.Info("device deleted its newer copy of an item it held twice; the item stays, as its older copy",
		"device", st.DeviceID, "datastore", ds.Name, "guid", guid, "luid", luid, "older_luid", older)
	return Deleted, nil
}

// olderAfterNewerDeleted answers the older copy of an item whose newer
// copy (c.luid) the device deleted earlier in this session, before it
// sent the older one: as when it sends the older copy first (newerDeleted),
// the Delete removed the duplicate, not the item. The pending delete goes,
// the item is mapped to the older copy, an edit of it is applied through
// the conflict rules on the version first sent, and the older copy gets
// the item's current state (Resend).
func (e *Engine) olderAfterNewerDeleted(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, c *olderCopy, ci *clientItem) (Outcome, error) {
	guid := c.cur.GUID
	ds.Pending = slices.DeleteFunc(ds.Pending, func(d pendingDelete) bool { return d.GUID == guid })
	ds.Deleted--
	if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, c.luid); err != nil {
		return 0, fmt.Errorf("engine: unmap %s: %w", c.luid, err)
	}
	out := AlreadyHeld
	if c.base != nil {
		ct, data := c.base.Canon()
		base := &conflict.Version{ContentType: ct, Data: data, Modified: c.base.Modified}
		e.preserve(ctx, tx, st, ds, c.cur, ci)
		var err error
		if out, err = e.resolveWithBase(ctx, tx, st, ds, c.cur, ci, ci.luid, base); err != nil {
			return 0, err
		}
	} else {
		if err := e.confirm(ctx, tx, st, ds, ci.luid, guid); err != nil {
			return 0, err
		}
		ds.Matched++
	}
	ds.resendOnce(guid)
	ds.OlderCopies = append(ds.OlderCopies, guid)
	e.log.Info("device deleted its newer copy of an item it held twice, then sent the older; the item stays, as its older copy",
		"device", st.DeviceID, "datastore", ds.Name, "guid", guid, "luid", c.luid, "older_luid", ci.luid,
		"edited", c.base != nil, "outcome", out)
	return out, nil
}

// deletionReaches makes sure the deletion of cur goes to the device's
// copy under luid: the change log sends it unless the device acknowledged
// it already (or, EAS, the server's changes of this sync went past it).
func (ds *Datastore) deletionReaches(cur *store.Item, luid string) {
	if cur.Seq <= ds.AckSeq || ds.ServerBegun && cur.Seq <= ds.CursorSeq {
		if !slices.Contains(ds.DeleteLUIDs, luid) {
			ds.DeleteLUIDs = append(ds.DeleteLUIDs, luid)
		}
	}
}

// resendOnce lists an item in Resend unless it is there.
func (ds *Datastore) resendOnce(guid string) {
	if !slices.Contains(ds.Resend, guid) {
		ds.Resend = append(ds.Resend, guid)
	}
}

// sendsNothing tells the modes in which the server sends the device no
// changes (one-way and refresh from the device).
func sendsNothing(m Mode) bool { return m == ModeOneWayFromClient || m == ModeRefreshFromClient }

// carryOlder, at the Alert of a sync in which the server sends changes,
// takes up the Deletes of older copies an earlier sync that sent none
// took (store.ResentAdd.PendingLUIDs): each goes in DeleteLUIDs, and an
// edit of the older copy applied to the item goes to the newer copy.
func (e *Engine) carryOlder(ctx context.Context, tx store.SyncTx, p Partner, ds *Datastore, recs []store.ResentAdd) error {
	if sendsNothing(ds.Mode) || ds.Mode == ModeRefreshFromServer {
		return nil
	}
	for _, r := range recs {
		if r.PendingNewerLUID != "" {
			if err := e.carryNewer(ctx, tx, p, ds, r); err != nil {
				return err
			}
		}
		if len(r.PendingLUIDs) == 0 {
			continue
		}
		ds.DeleteLUIDs = append(ds.DeleteLUIDs, r.PendingLUIDs...)
		ds.OlderCarried = append(ds.OlderCarried, r.GUID)
		if ds.OlderLUIDs == nil {
			ds.OlderLUIDs = map[string]string{}
		}
		// A Delete of the newer copy in this sync removes the duplicate,
		// not the item, as in the sync that took the older copy
		// (newerDeleted).
		ds.OlderLUIDs[r.GUID] = r.PendingLUIDs[0]
		cur, err := tx.Item(ctx, p.UserID, ds.Name, r.GUID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return fmt.Errorf("engine: item %s: %w", r.GUID, err)
		}
		if !cur.Deleted && (cur.Origin == p.DeviceID || cur.Seq <= ds.AckSeq) {
			// The older copy's edit, which the change log does not send
			// back to the device that made it (nor past a refresh from
			// it, which acknowledges all); any later change it sends (a
			// second Add of an unmapped item would be a duplicate).
			ds.resendOnce(r.GUID)
		}
	}
	return nil
}

// carryNewer takes up the deletion a sync that sent nothing left for the
// newer copy of an item deleted since (deletedNewerCopy): a Delete of the
// copy, unless the change log sends it (the copy still mapped, the
// deletion not acknowledged) or the item is live again (its change goes).
func (e *Engine) carryNewer(ctx context.Context, tx store.SyncTx, p Partner, ds *Datastore, r store.ResentAdd) error {
	if !slices.Contains(ds.OlderCarried, r.GUID) {
		ds.OlderCarried = append(ds.OlderCarried, r.GUID)
	}
	cur, err := tx.Item(ctx, p.UserID, ds.Name, r.GUID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("engine: item %s: %w", r.GUID, err)
	}
	if !cur.Deleted {
		return nil
	}
	m, err := tx.MapByLUID(ctx, p.UserID, p.DeviceID, ds.Name, r.PendingNewerLUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Unmapped by a refresh from the device: only this Delete reaches it.
	case err != nil:
		return fmt.Errorf("engine: map %s: %w", r.PendingNewerLUID, err)
	case m.GUID != r.GUID || cur.Seq > ds.AckSeq:
		return nil // another item's LUID now, or the change log sends the deletion
	}
	if !slices.Contains(ds.DeleteLUIDs, r.PendingNewerLUID) {
		ds.DeleteLUIDs = append(ds.DeleteLUIDs, r.PendingNewerLUID)
	}
	return nil
}

// forgetResent drops, when a session completes, the records of the resent
// Adds whose older copy it deleted on the device; of one it took in a
// sync that sends nothing, it keeps the LUID to delete (keepOlderPending).
func (e *Engine) forgetResent(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	for _, guid := range slices.Concat(ds.OlderCopies, ds.OlderCarried) {
		if err := tx.DeleteResentAdd(ctx, st.UserID, st.DeviceID, ds.Name, guid); err != nil {
			return fmt.Errorf("engine: forget resent add %s: %w", guid, err)
		}
	}
	return nil
}

// keepOlderPending stores, when a session that sends nothing completes,
// the LUIDs of the older copies it took, for carryOlder.
func (e *Engine) keepOlderPending(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	for i := range ds.OlderPending {
		r := ds.OlderPending[i]
		r.UserID, r.DeviceID, r.Datastore = st.UserID, st.DeviceID, ds.Name
		if err := tx.PutResentAdd(ctx, &r); err != nil {
			return fmt.Errorf("engine: keep older copy %s to delete: %w", r.GUID, err)
		}
	}
	return nil
}
