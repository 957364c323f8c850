package session

import (
	"strings"

	"github.com/beevik/etree"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
)

const devInfXMLType = "application/vnd.syncml-devinf+xml"

// handleGet answers a Get of the server's DevInf (./devinf12, ./devinf11,
// ./devinf10) with Status 200 and Results (Sync Protocol 5.6.3).
func (e *Handler) handleGet(st *sessionState, r *reply, c *syncml.Command, alerted []string) error {
	if len(c.Items) == 0 || !isDevInfURI(c.Items[0].Target.URI) {
		return &syncml.Error{Code: syncml.StatusNotFound}
	}
	if st.DevInfSent {
		// Once per session is all a device needs; more would let one
		// message of Gets make an answer of any size (issue 21).
		return syncml.Errorf(syncml.StatusCommandNotAllowed, "DevInf asked for again in session %s", st.Key)
	}
	uri := c.Items[0].Target.URI
	di := serverDevInf(st.VerDTD, alerted)
	res := &syncml.Command{Name: "Results", MsgRef: r.msgRef, CmdRef: c.CmdID,
		Meta:  &syncml.Meta{Type: devInfXMLType},
		Items: []syncml.Item{{Source: syncml.Loc{URI: uri}, DataXML: di.Element(st.VerDTD)}}}
	if !r.fitsAlone(syncml.EncodedSize(res) + 200) {
		// Results are not split over messages; a device whose
		// MaxMsgSize cannot hold our DevInf goes without it.
		if !c.NoResp {
			r.status(c, int(syncml.StatusEntityTooLarge))
		}
		return nil
	}
	if !c.NoResp {
		r.status(c, 200)
	}
	r.add(res)
	st.DevInfSent = true
	return nil
}

func isDevInfURI(uri string) bool {
	u := strings.ToLower(strings.TrimPrefix(uri, "./"))
	return u == "devinf12" || u == "devinf11" || u == "devinf10"
}

// handleDevInf stores the DevInf a device Puts (or returns as Results to our
// Get), so later issues can decide per device what formats to send.
func (e *Handler) handleDevInf(w *engine.Work, st *sessionState, r *reply, c *syncml.Command) error {
	raw, code := devInfData(c)
	if code != syncml.StatusOK {
		return &syncml.Error{Code: code}
	}
	if err := w.TouchDevice(st.partner(), engine.DeviceChange{DevInf: raw}); err != nil {
		return err
	}
	if !c.NoResp {
		r.status(c, int(syncml.StatusOK))
	}
	return nil
}

// devInfData returns the DevInf a Put or Results carries, or the status
// that refuses the command.
func devInfData(c *syncml.Command) ([]byte, syncml.StatusCode) {
	if len(c.Items) == 0 {
		return nil, syncml.StatusIncompleteCommand
	}
	it := c.Items[0]
	var raw []byte
	switch {
	case it.DataXML != nil:
		doc := etree.NewDocument()
		doc.SetRoot(it.DataXML.Copy())
		b, err := doc.WriteToBytes()
		if err != nil {
			return nil, syncml.StatusBadRequest
		}
		raw = b
	case it.Data != "":
		raw = []byte(it.Data)
	default:
		return nil, syncml.StatusIncompleteCommand
	}
	if c.Name == "Put" && !isDevInfURI(it.Source.URI) && !isDevInfURI(it.Target.URI) {
		return nil, syncml.StatusNotFound
	}
	return raw, syncml.StatusOK
}

// putDevInf returns the DevInf a message Puts, nil if none.
func putDevInf(msg *syncml.Message) []byte {
	for _, c := range msg.Commands {
		if c.Name == "Put" {
			if raw, code := devInfData(c); code == syncml.StatusOK {
				return raw
			}
		}
	}
	return nil
}

// serverDevInf describes the server (OMA DS DevInf 1.2), naming the
// datastores as the client does so that it finds them.
func serverDevInf(verDTD string, alerted []string) *syncml.DevInf {
	di := &syncml.DevInf{
		VerDTD: devInfVer(verDTD), Man: "Anchorage", Mod: "Anchorage SyncML server", OEM: "Anchorage",
		SwV: "0.1", HwV: "", FwV: "", DevID: "anchorage", DevTyp: "server",
		UTC: true, SupportLargeObjs: true, SupportNumberOfChanges: true,
	}
	// Name the datastores as the client alerted them; with no alert in the
	// message, the canonical ones. Keeping the DevInf small matters: it
	// must fit a phone's first reply (MaxMsgSize can be a few KB).
	var names []string
	seen := map[string]bool{}
	for _, a := range alerted {
		if _, ok := engine.ResolveDatastore(a); ok && !seen[a] {
			seen[a] = true
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		names = engine.Datastores
	}
	for _, n := range names {
		canonical, _ := engine.ResolveDatastore(n)
		di.DataStores = append(di.DataStores, datastoreInfo(n, canonical))
	}
	return di
}

func devInfVer(verDTD string) string {
	if verDTD == "1.2" {
		return "1.2"
	}
	return "1.1"
}

// datastoreInfo describes one datastore: the formats it receives and
// sends (Rx-Pref, Rx, Tx-Pref, Tx; SIF for Funambol clients, which the
// server converts, see formats.go) and a CTCap for the preferred vCard or
// iCalendar type listing the properties it keeps (SyncML DevInf 1.2
// 5.3.4; written at DevInf level for 1.1 by syncml). Every property is
// kept, so the list names the usual ones, for the preferred type only, to
// fit a phone's first reply.
func datastoreInfo(ref, canonical string) syncml.DataStore {
	ds := syncml.DataStore{SourceRef: ref, DisplayName: canonical, MaxGUIDSize: 32,
		SyncTypes: []int{1, 2, 3, 4, 5, 6, 7}}
	var pref syncml.CTType
	var other []syncml.CTType
	switch canonical {
	case engine.Contacts:
		pref = syncml.CTType{CTType: "text/vcard", VerCT: "3.0"}
		other = []syncml.CTType{{CTType: "text/x-vcard", VerCT: "2.1"}, {CTType: pim.SIFContact, VerCT: "1.0"}}
		ds.CTCaps = ctCaps(vcardCTProps, pref)
	case engine.Calendar:
		pref = syncml.CTType{CTType: "text/calendar", VerCT: "2.0"}
		other = []syncml.CTType{{CTType: "text/x-vcalendar", VerCT: "1.0"}, {CTType: pim.SIFEvent, VerCT: "1.0"}}
		ds.CTCaps = ctCaps(calCTProps, pref)
	case engine.Tasks:
		pref = syncml.CTType{CTType: "text/calendar", VerCT: "2.0"}
		other = []syncml.CTType{{CTType: "text/x-vcalendar", VerCT: "1.0"}, {CTType: pim.SIFTask, VerCT: "1.0"}}
		ds.CTCaps = ctCaps(calCTProps, pref)
	default:
		pref = syncml.CTType{CTType: "text/plain", VerCT: "1.0"}
		other = []syncml.CTType{{CTType: "text/x-vnote", VerCT: "1.1"}, {CTType: pim.SIFNote, VerCT: "1.0"}}
	}
	ds.RxPref, ds.Rx, ds.TxPref, ds.Tx = pref, other, pref, other
	return ds
}

// Properties named in the server's CTCaps.
var (
	vcardCTProps = []string{"VERSION", "N", "FN", "NICKNAME", "PHOTO", "BDAY", "ADR", "LABEL", "TEL", "EMAIL",
		"TITLE", "ROLE", "ORG", "CATEGORIES", "NOTE", "URL", "UID", "CLASS", "GEO", "X-"}
	calCTProps = []string{"VERSION", "UID", "SUMMARY", "DESCRIPTION", "LOCATION", "DTSTART", "DTEND", "DUE",
		"DURATION", "RRULE", "EXDATE", "RDATE", "CLASS", "CATEGORIES", "PRIORITY", "STATUS", "TRANSP",
		"COMPLETED", "PERCENT-COMPLETE", "ATTENDEE", "ORGANIZER", "AALARM", "DALARM", "X-"}
)

// ctCaps builds one CTCap per type, each with BEGIN and END (ValEnum of
// the components) and the given properties.
func ctCaps(props []string, types ...syncml.CTType) []syncml.CTCap {
	var caps []syncml.CTCap
	for _, t := range types {
		begin := []string{"VCARD"}
		if t.CTType != "text/vcard" && t.CTType != "text/x-vcard" {
			begin = []string{"VCALENDAR", "VEVENT", "VTODO", "VALARM", "VTIMEZONE"}
		}
		cc := syncml.CTCap{CTType: t.CTType, VerCT: t.VerCT, Properties: []syncml.CTProperty{
			{Name: "BEGIN", ValEnums: begin}, {Name: "END", ValEnums: begin}}}
		for _, p := range props {
			cc.Properties = append(cc.Properties, syncml.CTProperty{Name: p})
		}
		caps = append(caps, cc)
	}
	return caps
}

// anchorElement is the <Anchor><Next/></Anchor> a Status for an Alert
// carries in its Item Data (Sync Protocol 5.5.2).
func anchorElement(next string) *etree.Element {
	a := etree.NewElement("Anchor")
	a.CreateAttr("xmlns", "syncml:metinf")
	a.CreateElement("Next").SetText(next)
	return a
}
