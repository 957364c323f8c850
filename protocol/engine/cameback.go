package engine

import (
	"context"
	"errors"
	"fmt"

	"anchorage/conflict"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// maxCameBack bounds the changes after a deletion that cameBack reads.
const maxCameBack = 512

// cameBack finds, for a device's change of an item deleted on the server,
// the item it came back as meanwhile: a device that never synced the item
// sent its own edited copy after the deletion, which nothing could pair
// with the deleted item, so it was added anew. Reviving the deleted item
// as well would leave two copies of one person (DESIGN.md: no
// duplicates). The item qualifies when it was first written after the
// deletion, is not mapped to this device, and shares a UID, an e-mail
// address or a phone number with the device's copy or with the version
// of the deleted item the device held (or is the same item by the
// identity rule); only a single such item, else none.
func (e *Engine) cameBack(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem) (*store.Item, error) {
	if !e.revives(ds, cur) {
		return nil, nil
	}
	last, err := tx.LastSeq(ctx, st.UserID, ds.Name)
	if err != nil {
		return nil, fmt.Errorf("engine: last seq: %w", err)
	}
	later, err := tx.Changes(ctx, st.UserID, ds.Name, cur.Seq, last, "", maxCameBack)
	if err != nil {
		return nil, fmt.Errorf("engine: changes after %s: %w", cur.GUID, err)
	}
	ids := []pim.Identity{ci.item().Identity()}
	if base, err := e.conflictBase(ctx, tx, st, ds, cur); err != nil {
		return nil, err
	} else if base != nil {
		ids = append(ids, pim.IdentityOf(base.ContentType, base.Data))
	}
	var twin *store.Item
	for i := range later {
		c := &later[i]
		if c.Deleted || c.GUID == cur.GUID || ds.pendingGUID(c.GUID) {
			continue
		}
		it, err := tx.Item(ctx, st.UserID, ds.Name, c.GUID)
		if err != nil {
			return nil, fmt.Errorf("engine: item %s: %w", c.GUID, err)
		}
		if !relatedToAny(ids, ds.memo.of(it, true).Identity()) {
			continue
		}
		if ok, err := e.bornAfter(ctx, tx, st, ds, it, cur.Seq); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		if _, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, it.GUID); err == nil {
			continue // the device holds it already, as another item
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("engine: map %s: %w", it.GUID, err)
		}
		if twin != nil {
			return nil, nil // two items: none is the one
		}
		twin = it
	}
	return twin, nil
}

// revives tells whether the conflict rules bring a deleted item back when
// a device changes it (by default they do; a deletion that wins, or a
// datastore that takes no device changes, does not).
func (e *Engine) revives(ds *syncedStore, cur *store.Item) bool {
	if ds.Conflict.Policy == conflict.ReadOnly {
		return false
	}
	res := conflict.Resolve(ds.Conflict, nil, conflict.Version{Deleted: true, Modified: cur.Modified},
		conflict.Version{Modified: e.now()})
	return res.Outcome == conflict.TakeClient
}

// bornAfter tells whether an item's first version came after seq.
func (e *Engine) bornAfter(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item, seq int64) (bool, error) {
	vs, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, it)
	if err != nil {
		return false, fmt.Errorf("engine: versions %s: %w", it.GUID, err)
	}
	return len(vs) > 0 && vs[0].Seq > seq, nil
}

// relatedToAny tells whether id is related to (heldedit.go), or the same
// item by the identity rule as, one of ids.
func relatedToAny(ids []pim.Identity, id pim.Identity) bool {
	for _, o := range ids {
		if related(o, id) || sameItem(o, id) {
			return true
		}
	}
	return false
}

// toCameBack applies a device's change of a deleted item to the item it
// came back as, when there is one (done).
func (e *Engine) toCameBack(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (o Outcome, done bool, err error) {
	tw, err := e.cameBack(ctx, tx, st, ds, cur, ci)
	if err != nil || tw == nil {
		return 0, false, err
	}
	o, err = e.changeCameBack(ctx, tx, st, ds, cur, tw, ci, luid)
	return o, true, err
}

// changeCameBack applies a device's change of a deleted item to the item
// it came back as (cameBack): the conflict rules decide between that
// item and the device's copy, with the version of the deleted item the
// device last held as the base, and the device's id maps to it from now.
func (e *Engine) changeCameBack(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, deleted, twin *store.Item, ci *clientItem, luid string) (Outcome, error) {
	base, err := e.conflictBase(ctx, tx, st, ds, deleted)
	if err != nil {
		return 0, err
	}
	e.log.Info("device's change of a deleted item goes to the item it came back as", "device", st.DeviceID,
		"datastore", ds.Name, "deleted", deleted.GUID, "guid", twin.GUID)
	e.preserve(ctx, tx, st, ds, twin, ci)
	return e.resolveWithBase(ctx, tx, st, ds, twin, ci, luid, base)
}
