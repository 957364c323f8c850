package engine

import (
	"context"
	"strings"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// preserve puts back into a device's Replace of an existing item what the
// device could not have seen of the item's current version (DESIGN.md,
// Formats; pim.Preserve): properties missing from its CTCap or beyond
// their MaxOccur, what its format cannot carry, and, for a device without
// a CTCap, properties it has never sent for the item. The item written is
// then the merged one, with the device as its origin, so the device is not
// sent it back. Failures only cost the preservation, never the write.
func (e *Engine) preserve(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem) {
	caps := pim.Caps{Props: e.ctCaps(ds, ci.contentType)}
	if caps.Props == nil {
		caps.Sent = e.sentProps(ctx, tx, st, ds, cur)
	}
	ct, data, kept := pim.PreserveParsed(ds.memo.of(cur, false), ci.item(), caps)
	if len(kept) == 0 {
		return
	}
	e.log.Info("kept properties the device cannot hold", "device", st.DeviceID, "guid", cur.GUID, "props", kept)
	ci.setContent(ct, data, nil)
}

// ctCaps returns the properties (name -> MaxOccur) the device holds for
// content type ct in the datastore (Datastore.CTCaps, keyed by lower-case
// type); nil when its front end knows none.
func (e *Engine) ctCaps(ds *syncedStore, ct string) map[string]int {
	return ds.CTCaps[strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))]
}

// sentProps names the properties the device sent in earlier versions of
// the item.
func (e *Engine) sentProps(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item) map[string]bool {
	sent := map[string]bool{}
	versions, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, it)
	if err != nil {
		return sent
	}
	for _, v := range versions {
		if v.Origin == st.DeviceID && !v.Deleted {
			for _, n := range pim.PropertyNames(v.ContentType, v.Data) {
				sent[n] = true
			}
		}
	}
	return sent
}
