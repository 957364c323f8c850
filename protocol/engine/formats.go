package engine

import (
	"slices"
	"strings"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// What a device gets (DESIGN.md, Formats): the formats its front end read
// from the device for the datastore (Datastore.SendType, Accepts: SyncML's
// DevInf Rx-Pref first, then Rx); a device that named none gets the format
// it sent before, else the datastore's default. Items already in an
// accepted format go out as stored; others are converted.

// outgoingData returns an item's content in a format the device takes.
func (e *Engine) outgoingData(st *sessionState, ds *syncedStore, it *store.Item) (contentType string, data []byte) {
	stored := strings.ToLower(it.ContentType)
	for _, a := range ds.Accepts {
		if a == stored {
			return it.ContentType, it.Data
		}
	}
	target := ds.SendType
	if target == "" || target == stored {
		return it.ContentType, it.Data
	}
	if canon := strings.ToLower(it.CanonicalType); canon != "" && (canon == target || slices.Contains(ds.Accepts, canon)) {
		return it.CanonicalType, it.Canonical // converted once, at write
	}
	out, err := pim.Convert(it.Data, it.ContentType, target, pim.ConvertOptions{})
	if err != nil {
		e.log.Warn("cannot convert item for the device; sending it as stored", "device", st.DeviceID,
			"guid", it.GUID, "from", it.ContentType, "to", target, "err", err)
		return it.ContentType, it.Data
	}
	return target, out
}
