package engine

import (
	"anchorage/conflict"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// Sync modes the engine runs (OMA DS 1.2 Sync Protocol, alert codes).
const (
	alertTwoWay            = int(syncml.AlertTwoWay)
	alertSlow              = int(syncml.AlertSlowSync)
	alertOneWayFromClient  = int(syncml.AlertOneWayFromClient)
	alertRefreshFromClient = int(syncml.AlertRefreshFromClient)
	alertOneWayFromServer  = int(syncml.AlertOneWayFromServer)
	alertRefreshFromServer = int(syncml.AlertRefreshFromServer)
)

// needsAnchors tells whether a mode builds on the previous session, so that
// an unknown partnership or an anchor mismatch forces a slow sync.
func needsAnchors(mode int) bool {
	return mode == alertTwoWay || mode == alertOneWayFromClient || mode == alertOneWayFromServer
}

// handleAlert opens a datastore for the session (Sync Protocol 5.5, 5.6):
// decides the mode (508 + slow when the device's Last anchor does not match
// the Next it sent in its last completed session), answers with Status and
// the server's own Alert with server anchors.
func (e *Engine) handleAlert(ctx context.Context, tx store.Tx, st *sessionState, r *reply, c *syncml.Command) error {
	code, _ := strconv.Atoi(strings.TrimSpace(c.Data))
	switch syncml.AlertCode(code) {
	case syncml.AlertNextMessage, syncml.AlertResult, syncml.AlertNoEndOfData:
		if !c.NoResp {
			r.status(c, 200)
		}
		return nil
	}
	if len(c.Items) == 0 {
		r.status(c, 412) // incomplete command
		return nil
	}
	it := c.Items[0]
	granted, ok := syncml.AlertCode(code).SyncMode()
	mode := int(granted)
	if !ok {
		e.log.Info("unsupported alert", "code", code, "device", st.DeviceID)
		r.status(c, 406)
		return nil
	}
	name, ok := ResolveDatastore(it.Target.URI)
	if !ok {
		e.log.Info("alert for unknown datastore", "uri", it.Target.URI, "device", st.DeviceID)
		r.status(c, 404)
		return nil
	}
	if st.busy[name] {
		// Another device of this user is syncing this datastore right now.
		r.status(c, int(syncml.StatusServiceUnavailable))
		return nil
	}
	var anchor syncml.Anchor
	if it.Meta != nil && it.Meta.Anchor != nil {
		anchor = *it.Meta.Anchor
	}

	p, err := tx.Partnership(ctx, st.UserID, st.DeviceID, name)
	if errors.Is(err, store.ErrNotFound) {
		p = &store.Partnership{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: name}
	} else if err != nil {
		return fmt.Errorf("engine: alert %s: %w", name, err)
	}
	statusCode := 200
	if needsAnchors(mode) && (p.LastSync.IsZero() || p.ClientAnchor == "" || anchor.Last != p.ClientAnchor) {
		e.log.Info("slow sync required", "datastore", name, "device", st.DeviceID,
			"requested", code, "device_last", anchor.Last, "stored", p.ClientAnchor)
		mode, statusCode = alertSlow, 508
	}

	ds := &syncedStore{
		Name: name, ClientURI: it.Source.URI, ServerURI: it.Target.URI, Mode: mode,
		AlertMsg: st.MsgCount, ClientLast: anchor.Last, ClientNext: anchor.Next,
		ServerLast: p.ServerAnchor, ServerNext: e.now().UTC().Format("20060102T150405Z"),
		AckSeq: p.AckSeq, ContentType: defaultContentType(name),
	}
	if ds.ServerNext == ds.ServerLast { // two sessions in one second: keep anchors distinct
		ds.ServerNext += "-" + strconv.Itoa(st.NextMsgID) + st.Key[:4]
	}
	if ds.PriorSeq, err = tx.LastSeq(ctx, st.UserID, name); err != nil {
		return fmt.Errorf("engine: alert %s: %w", name, err)
	}
	unacked, err := tx.UnackedAdds(ctx, st.UserID, st.DeviceID, name, nil, 1)
	if err != nil {
		return fmt.Errorf("engine: alert %s: %w", name, err)
	}
	ds.Unacked = len(unacked) > 0
	ds.UnackedAtAlert = ds.Unacked
	d, err := e.sessionDevice(ctx, tx, st) // nil: first session of the device
	if err != nil {
		return fmt.Errorf("engine: alert %s: %w", name, err)
	} else if d != nil {
		ds.Charset = d.Charset
	}
	if ds.Conflict, err = e.conflictRules(ctx, tx, st.UserID, name); err != nil {
		return err
	}
	if ds.Conflict.Policy == conflict.ReadOnly && (mode == alertOneWayFromClient || mode == alertRefreshFromClient) {
		// A read-only datastore takes nothing from devices; a refresh from
		// the device would even replace it (Sync Protocol 10.2: 405).
		e.log.Info("alert refused: datastore is read-only for devices", "datastore", name, "device", st.DeviceID, "requested", code)
		r.status(c, 405)
		return nil
	}
	caps := deviceFormats(d, it.Source.URI)
	ds.SendType, ds.Accepts, ds.CTCaps = caps.pref, caps.accepts, caps.ctCaps
	replaced := false
	for i, old := range st.Datastores {
		if old.Name == name {
			st.Datastores[i], replaced = ds, true
		}
	}
	if !replaced {
		st.Datastores = append(st.Datastores, ds)
	}

	s := r.status(c, statusCode)
	if anchor.Next != "" {
		s.Items = []syncml.Item{{Data: "", Meta: nil, DataXML: anchorElement(anchor.Next)}}
	}
	r.add(&syncml.Command{Name: "Alert", Data: strconv.Itoa(mode), Items: []syncml.Item{{
		Target: syncml.Loc{URI: it.Source.URI},
		Source: syncml.Loc{URI: it.Target.URI},
		Meta:   &syncml.Meta{Anchor: &syncml.Anchor{Last: ds.ServerLast, Next: ds.ServerNext}, MaxObjSize: 0},
	}}})
	e.log.Info("datastore alerted", "device", st.DeviceID, "user", st.UserName, "datastore", name,
		"requested", code, "mode", mode)
	return nil
}

// alertedURIs lists the datastore URIs alerted in a message, so that the
// DevInf answering a Get in the same message names them as the client does.
func alertedURIs(msg *syncml.Message) []string {
	var uris []string
	for _, c := range msg.Commands {
		if c.Name == "Alert" {
			for _, it := range c.Items {
				if it.Target.URI != "" {
					uris = append(uris, it.Target.URI)
				}
			}
		}
	}
	return uris
}
