package session

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Several clients may present one device id (issue 17): every Outlook
// install calls itself sc-pim-outlook, and phones get cloned. Sharing one
// partnership, each client's Alert carries anchors the other one left, and
// every sync of either turns slow. A session's first message tells the
// clients apart by their DevInf: a client whose fingerprint differs from
// the one the device id first registered gets a partnership of its own,
// under the device id "ID#<fingerprint hash>". A message without DevInf
// is matched to the partnership whose stored client anchor its Alerts
// continue. Each finding is logged and recorded for `device list`.

// fingerprint identifies a client by its DevInf (OMA DS DevInf 1.2): its
// maker, model and software version, and its datastores' URIs.
type fingerprint struct {
	client string   // maker, model and software version
	uris   []string // the datastores' URIs, sorted
	desc   string   // the same, in words
}

// same tells whether two fingerprints are of one client: the same maker,
// model and version, and the datastores of one among the other's. A
// client may name in its DevInf only the datastores it syncs in that
// session (Funambol's Outlook plug-in does), which does not make it
// another client.
func (a fingerprint) same(b fingerprint) bool {
	if a.client != b.client {
		return false
	}
	within := func(x, y []string) bool {
		for _, u := range x {
			if !slices.Contains(y, u) {
				return false
			}
		}
		return true
	}
	return within(a.uris, b.uris) || within(b.uris, a.uris)
}

// fingerprintOf reads a DevInf as a device Put it; ok is false when there
// is none or it cannot be read.
func fingerprintOf(raw []byte) (fp fingerprint, ok bool) {
	if len(raw) == 0 {
		return fp, false
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return fp, false
	}
	di, err := syncml.ParseDevInf(doc.Root())
	if err != nil {
		return fp, false
	}
	for _, ds := range di.DataStores {
		fp.uris = append(fp.uris, strings.ToLower(strings.TrimPrefix(ds.SourceRef, "./")))
	}
	slices.Sort(fp.uris)
	fp.client = strings.Join([]string{di.Man, di.Mod, di.SwV}, "\x00")
	fp.desc = fmt.Sprintf("%s/%s/%s [%s]", di.Man, di.Mod, di.SwV, strings.Join(fp.uris, ","))
	return fp, true
}

// partnerID is the device id of the partnership kept for a client with
// fingerprint fp under device id dev.
func partnerID(dev string, fp fingerprint) string {
	h := sha256.Sum256([]byte(fp.client + "\x00" + strings.Join(fp.uris, ",")))
	return dev + "#" + hex.EncodeToString(h[:4])
}

// resolvePartner decides, for a session's first message, which
// partnership its client uses (st.PartnerID; empty: the device id's own).
func (e *Handler) resolvePartner(w *engine.Work, st *sessionState, msg *syncml.Message) error {
	shared, err := w.SharedDevice(st.UserID, st.DeviceID)
	if err != nil {
		return err
	}
	fp, ok := fingerprintOf(putDevInf(msg))
	if !ok {
		if shared != nil {
			return e.partnerByAnchors(w, st, msg, shared.Partners)
		}
		return nil
	}
	d, err := w.Device(st.UserID, st.DeviceID)
	if err != nil || d == nil {
		return err // a new device id: its first client registers it
	}
	first, ok := fingerprintOf(d.DevInf)
	if !ok || first.same(fp) {
		return nil
	}
	st.PartnerID = partnerID(st.DeviceID, fp)
	if shared != nil {
		// A client seen before keeps its partnership, whatever
		// datastores this DevInf names.
		for _, p := range shared.Partners {
			pd, err := w.Device(st.UserID, p)
			if err != nil {
				return err
			}
			if pd == nil {
				continue
			}
			if pfp, ok := fingerprintOf(pd.DevInf); ok && pfp.same(fp) {
				st.PartnerID = p
				break
			}
		}
	}
	clients, partners := 2, []string{st.PartnerID}
	if shared != nil {
		partners = shared.Partners
		clients = max(shared.Clients, len(partners)+1)
		if !slices.Contains(partners, st.PartnerID) {
			partners = append(slices.Clone(partners), st.PartnerID)
			clients = len(partners) + 1
		}
	}
	detail := fmt.Sprintf("%d clients with different DevInf; first %s, last %s (partnership %s)",
		clients, first.desc, fp.desc, st.PartnerID)
	e.log.Warn("device id shared by several clients: each keeps its own partnership", "user", st.UserName,
		"device", st.DeviceID, "partner", st.PartnerID, "first", first.desc, "this", fp.desc, "clients", clients)
	return w.NoteSharedDevice(st.UserID, st.DeviceID, clients, detail, partners)
}

// partnerByAnchors matches a message without DevInf, of a shared device
// id, to the partnership whose stored client anchor its sync Alerts
// continue (their Last anchor); with none or several matching, the device
// id's own partnership is used, and a mismatch makes that sync slow.
func (e *Handler) partnerByAnchors(w *engine.Work, st *sessionState, msg *syncml.Message, partners []string) error {
	var match []string
	for _, cand := range append([]string{st.DeviceID}, partners...) {
		fits, any := true, false
		for _, c := range msg.Commands {
			if c.Name != "Alert" || len(c.Items) == 0 || c.Items[0].Meta == nil || c.Items[0].Meta.Anchor == nil {
				continue
			}
			name, ok := engine.ResolveDatastore(c.Items[0].Target.URI)
			last := c.Items[0].Meta.Anchor.Last
			if !ok || last == "" {
				continue
			}
			stored, err := w.ClientAnchor(st.UserID, cand, name)
			if err != nil {
				return err
			}
			any = true
			fits = fits && stored == last
		}
		if any && fits {
			match = append(match, cand)
		}
	}
	if len(match) == 1 && match[0] != st.DeviceID {
		st.PartnerID = match[0]
		e.log.Info("shared device id: client matched by its anchors", "user", st.UserName,
			"device", st.DeviceID, "partner", st.PartnerID)
	}
	return nil
}

// noteAnchors records the client anchor of a sync Alert and detects
// clients taking turns under one partnership (same DevInf, or none): the
// Alert's Last is an older anchor of this partnership, and the current one
// was sent by a session that had been forced slow. One client whose last
// answer was lost also sends an older Last, but then the current anchor
// came from a normal sync.
func (e *Handler) noteAnchors(w *engine.Work, st *sessionState, name string, anchor syncml.Anchor, stored string, forced bool) error {
	p := st.partner()
	if forced && anchor.Last != "" && anchor.Last != stored {
		hist, err := w.ClientAnchors(st.UserID, p.DeviceID, name)
		if err != nil {
			return err
		}
		older, currentForced := false, false
		for _, a := range hist {
			older = older || a.Anchor == anchor.Last
			currentForced = currentForced || a.Anchor == stored && a.Forced
		}
		if older && currentForced {
			shared, err := w.SharedDevice(st.UserID, st.DeviceID)
			if err != nil {
				return err
			}
			clients, partners := 2, []string(nil)
			if shared != nil {
				clients, partners = max(shared.Clients, 2), shared.Partners
			}
			detail := fmt.Sprintf("anchors of %s flip between clients with the same DevInf (partnership %s); each sync is slow",
				name, p.DeviceID)
			e.log.Warn("device id shared by several clients: anchors flip", "user", st.UserName, "device", st.DeviceID,
				"partner", p.DeviceID, "datastore", name, "last", anchor.Last, "stored", stored)
			if err := w.NoteSharedDevice(st.UserID, st.DeviceID, clients, detail, partners); err != nil {
				return err
			}
		}
	}
	if anchor.Next == "" {
		return nil
	}
	return w.AddClientAnchor(st.UserID, p.DeviceID, name, anchor.Next, forced)
}
