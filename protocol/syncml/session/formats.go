package session

import (
	"strings"

	"github.com/beevik/etree"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// What a device gets (DESIGN.md, Formats): the formats its DevInf names for
// the datastore (Rx-Pref first, then Rx), read here at each Alert into the
// core's Datastore (SendType, Accepts, CTCaps); the core converts.

// deviceCaps is what a device's DevInf says of one of its datastores.
type deviceCaps struct {
	pref    string   // preferred receive type (Rx-Pref)
	accepts []string // every type it receives, pref first
	// ctCaps lists, per content type, the properties (upper case) the
	// device holds with their MaxOccur (0: unbounded), from its CTCaps
	// (DevInf 1.2 5.3.4; 1.1 CTCaps are spread by syncml.ParseDevInf).
	ctCaps map[string]map[string]int
}

// deviceFormats reads the device's DevInf (d may be nil: a device not seen
// yet) for one of its datastores, once per Alert.
func deviceFormats(d *engine.Device, clientURI string) deviceCaps {
	var c deviceCaps
	if d == nil || len(d.DevInf) == 0 {
		return c
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(d.DevInf); err != nil || doc.Root() == nil {
		return c // unreadable DevInf: as if none
	}
	di, err := syncml.ParseDevInf(doc.Root())
	if err != nil {
		return c
	}
	want := strings.TrimPrefix(clientURI, "./")
	for _, ds := range di.DataStores {
		if !strings.EqualFold(strings.TrimPrefix(ds.SourceRef, "./"), want) {
			continue
		}
		c.pref = mimeType(ds.RxPref)
		if c.pref != "" {
			c.accepts = append(c.accepts, c.pref)
		}
		for _, t := range ds.Rx {
			if m := mimeType(t); m != "" {
				c.accepts = append(c.accepts, m)
			}
		}
		for _, cc := range ds.CTCaps {
			t := mimeType(syncml.CTType{CTType: cc.CTType, VerCT: cc.VerCT})
			if len(cc.Properties) == 0 || c.ctCaps[t] != nil {
				continue
			}
			props := map[string]int{}
			for _, p := range cc.Properties {
				props[strings.ToUpper(strings.TrimSpace(p.Name))] = p.MaxOccur
			}
			if c.ctCaps == nil {
				c.ctCaps = map[string]map[string]int{}
			}
			c.ctCaps[t] = props
		}
		return c
	}
	return c
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
