package engine

import (
	"context"
	"errors"
	"fmt"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// heldVersion is an item a device held before a re-sync, with the
// identity of the version it last held (conflictBase), else of the
// current one.
type heldVersion struct {
	guid string
	id   pim.Identity
}

// heldEdit finds, in a re-sync whose device sends what it holds again
// without its ids (Datastore.MergePairs: an EAS device after status 3,
// MS-ASCMD 2.2.3.177.16), the item a copy that paired with nothing was
// before the device edited it: the device renamed it, so the identity
// rule cannot see it. The server knows what the device held: the items
// mapped to it before the re-sync that it has not sent again in it. The
// copy is the edit of one of them when it shares a UID, an e-mail address
// or a phone number with the version the device last held of it; only a
// single such item qualifies (pickTwin's ambiguity rule), else the copy
// stays a new item.
func (e *Engine) heldEdit(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*store.Item, error) {
	if ds.held == nil {
		if err := e.loadHeld(ctx, tx, st, ds); err != nil {
			return nil, err
		}
	}
	id := ci.item().Identity()
	var cands []string
	for _, h := range ds.held {
		if related(id, h.id) && !ds.pendingGUID(h.guid) {
			cands = append(cands, h.guid)
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	taken, err := tx.ConfirmedInSession(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, cands)
	if err != nil {
		return nil, fmt.Errorf("engine: held items taken: %w", err)
	}
	var twin string
	for _, g := range cands {
		if taken[g] {
			continue // the device sent it again: its copy is another
		}
		if twin != "" {
			e.log.Info("device's new item shares identifiers with several items it held; kept apart", "device", st.DeviceID,
				"datastore", ds.Name, "summary", ci.info.Summary)
			return nil, nil
		}
		twin = g
	}
	if twin == "" {
		return nil, nil
	}
	cur, err := tx.Item(ctx, st.UserID, ds.Name, twin)
	if err != nil {
		return nil, fmt.Errorf("engine: item %s: %w", twin, err)
	}
	e.log.Info("device's new item is its edit of an item it held before the re-sync", "device", st.DeviceID,
		"datastore", ds.Name, "guid", twin, "deleted", cur.Deleted)
	return cur, nil
}

// loadHeld reads the items the device held before the re-sync, once per
// request: an item the session confirms since is left out by heldEdit.
func (e *Engine) loadHeld(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	ms, err := tx.UnconfirmedMappings(ctx, st.UserID, st.DeviceID, ds.Name, st.Key)
	if err != nil {
		return fmt.Errorf("engine: held items: %w", err)
	}
	ds.held = make([]heldVersion, 0, len(ms))
	for _, m := range ms {
		cur, err := tx.Item(ctx, st.UserID, ds.Name, m.GUID)
		if errors.Is(err, store.ErrNotFound) {
			continue // no such item: nothing to pair with
		} else if err != nil {
			return fmt.Errorf("engine: item %s: %w", m.GUID, err)
		}
		base, err := e.conflictBase(ctx, tx, st, ds, cur)
		if err != nil {
			return err
		}
		switch {
		case base != nil:
			ds.held = append(ds.held, heldVersion{guid: m.GUID, id: pim.IdentityOf(base.ContentType, base.Data)})
		case !cur.Deleted:
			// Sent to the device in a sync that never completed: which
			// version it got is not known, the current one stands in.
			ds.held = append(ds.held, heldVersion{guid: m.GUID, id: ds.memo.of(cur, true).Identity()})
		}
	}
	return nil
}

// related tells whether two identities of one kind share a UID, an e-mail
// address or a phone number: what stays when a person's name is edited.
func related(a, b pim.Identity) bool {
	if a.Kind != b.Kind || a.Kind == pim.KindUnknown {
		return false
	}
	if a.UID != "" && a.UID == b.UID {
		return true
	}
	for _, r := range a.Reach {
		for _, s := range b.Reach {
			if r == s {
				return true
			}
		}
	}
	return false
}

// pairHeldEdit settles a copy heldEdit paired: the device's edit of a
// version it held is its change, as in a fast sync; when the server
// changed the item too, the conflict rules decide with that version as
// the base (pairSlow without MergePairs, which is for unedited copies).
func (e *Engine) pairHeldEdit(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, error) {
	ds.MergePairs = false
	defer func() { ds.MergePairs = true }()
	return e.pairSlow(ctx, tx, st, ds, cur, ci, luid)
}
