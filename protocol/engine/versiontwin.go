package engine

import (
	"context"
	"errors"
	"fmt"

	"anchorage/store"
)

// maxVersionTwins bounds the earlier versions one client item is compared
// with.
const maxVersionTwins = 64

// versionTwin finds, for a new item of a two-way or slow sync, the server
// item it is a stale copy of: an item this device has no mapping for, one
// of whose earlier versions equals the client's content. That is what a
// device sends after it lost the mapping of an item the server had sent it
// (killed before its Map) when another device changed or deleted the item
// in between: the current version no longer matches, an earlier one does
// (DESIGN.md: no duplicates). It returns the item's current state.
func (e *Engine) versionTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*store.Item, error) {
	if ds.Mode != ModeSlow && ds.Mode != ModeTwoWay || ds.PriorSeq == 0 || ci.info.UID == "" && ci.info.MatchKey == "" {
		return nil, nil
	}
	versions, err := tx.FindVersionTwins(ctx, st.UserID, ds.Name, ci.info.UID, ci.info.MatchKey, maxVersionTwins)
	if err != nil {
		return nil, fmt.Errorf("engine: version twins: %w", err)
	}
	checked := map[string]bool{}
	for i := range versions {
		v := &versions[i]
		if checked[v.GUID] || !equivalentTo(v, ci.contentType, ci.data) {
			continue
		}
		checked[v.GUID] = true
		if m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, v.GUID); err == nil {
			// The device holds this item under another LUID; in a slow
			// sync only if it sent it in this one (a mapping left from
			// before may name a LUID the device no longer has).
			if ds.Mode != ModeSlow || m.Session == st.Key {
				continue
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("engine: map %s: %w", v.GUID, err)
		}
		cur, err := tx.Item(ctx, st.UserID, ds.Name, v.GUID)
		if err != nil {
			return nil, fmt.Errorf("engine: item %s: %w", v.GUID, err)
		}
		return cur, nil
	}
	return nil, nil
}

// takeVersionTwin maps the device's stale copy to the server item and
// makes the item's current state (a newer version, or its deletion) reach
// the device in this session: the device did not change the item, so the
// server's state stands.
func (e *Engine) takeVersionTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, luid string) (Outcome, error) {
	if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
		return 0, err
	}
	ds.Matched++
	e.log.Info("device's new item is an earlier version of a server item", "device", st.DeviceID,
		"datastore", ds.Name, "guid", cur.GUID, "deleted", cur.Deleted)
	switch {
	case ds.Mode == ModeSlow:
		ds.Resend = append(ds.Resend, cur.GUID) // the slow sync sends only unmatched items
	case !changedSince(cur, ds, st) && !cur.Deleted:
		// Not in the device's change window: a new version puts it there.
		if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginServer); err != nil {
			return 0, err
		}
	case !changedSince(cur, ds, st):
		// Deleted by this device, through the LUID it had mapped: the
		// change log does not send a device its own deletion, so the
		// copy it still holds is deleted after the changes (fillResend).
		ds.Resend = append(ds.Resend, cur.GUID)
	}
	if ds.Mode == ModeSlow {
		return Matched, nil
	}
	return AlreadyHeld, nil
}
