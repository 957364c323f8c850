package engine

import (
	"slices"
	"strings"

	"github.com/beevik/etree"

	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
	"anchorage/store"
)

// What a device gets (DESIGN.md, Formats): the formats its DevInf names for
// the datastore (Rx-Pref first, then Rx); a device without DevInf gets the
// format it sent before, else the datastore's default. Items already in an
// accepted format go out as stored; others are converted.

// deviceFormats reads the device's DevInf (d may be nil: a device not seen
// yet) for one of its datastores: the preferred receive type and every
// type it accepts.
func deviceFormats(d *store.Device, clientURI string) (pref string, accepts []string) {
	if d == nil || len(d.DevInf) == 0 {
		return "", nil
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(d.DevInf); err != nil || doc.Root() == nil {
		return "", nil // unreadable DevInf: as if none
	}
	di, err := syncml.ParseDevInf(doc.Root())
	if err != nil {
		return "", nil
	}
	want := strings.TrimPrefix(clientURI, "./")
	for _, ds := range di.DataStores {
		if !strings.EqualFold(strings.TrimPrefix(ds.SourceRef, "./"), want) {
			continue
		}
		pref = mimeType(ds.RxPref)
		if pref != "" {
			accepts = append(accepts, pref)
		}
		for _, t := range ds.Rx {
			if m := mimeType(t); m != "" {
				accepts = append(accepts, m)
			}
		}
		return pref, accepts
	}
	return "", nil
}

// mimeType normalises a DevInf CTType: vCard 2.1 and vCalendar 1.0 are
// often announced as text/vcard 2.1 or text/calendar 1.0.
func mimeType(t syncml.CTType) string {
	ct := strings.ToLower(strings.TrimSpace(t.CTType))
	switch {
	case ct == "text/vcard" && t.VerCT == "2.1":
		return "text/x-vcard"
	case ct == "text/calendar" && t.VerCT == "1.0":
		return "text/x-vcalendar"
	}
	return ct
}

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
