package session

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// handleAlert opens a datastore for the session (Sync Protocol 5.5, 5.6):
// decides the mode (508 + slow when the device's Last anchor does not match
// the Next it sent in its last completed session), answers with Status and
// the server's own Alert with server anchors.
func (e *Handler) handleAlert(w *engine.Work, st *sessionState, r *reply, c *syncml.Command) error {
	code, _ := strconv.Atoi(strings.TrimSpace(c.Data))
	switch syncml.AlertCode(code) {
	case syncml.AlertNextMessage, syncml.AlertResult, syncml.AlertNoEndOfData:
		if !c.NoResp {
			r.status(c, 200)
		}
		return nil
	case syncml.AlertSuspend:
		return e.suspend(w, st, r, c)
	}
	if len(c.Items) == 0 {
		return &syncml.Error{Code: syncml.StatusIncompleteCommand}
	}
	it := c.Items[0]
	granted, ok := syncml.AlertCode(code).SyncMode()
	if !ok {
		return syncml.Errorf(syncml.StatusNotSupported, "unsupported alert %d", code)
	}
	name, ok := engine.ResolveDatastore(it.Target.URI)
	if !ok {
		return syncml.Errorf(syncml.StatusNotFound, "alert for unknown datastore %q", it.Target.URI)
	}
	if st.busy[name] {
		// Another device of this user is syncing this datastore right now.
		return syncml.Errorf(syncml.StatusServiceUnavailable, "datastore %s is leased by another session", name)
	}
	var anchor syncml.Anchor
	if it.Meta != nil && it.Meta.Anchor != nil {
		anchor = *it.Meta.Anchor
	}
	if syncml.AlertCode(code) == syncml.AlertResume {
		ds, err := e.resumeDatastore(w, st, name, it, anchor)
		if err != nil {
			return err
		}
		if ds != nil {
			e.alerted(st, r, c, ds, 200, anchor.Next)
			e.log.Info("datastore alerted", "device", st.DeviceID, "user", st.UserName, "datastore", name,
				"requested", code, "mode", int(alertOf(ds.Mode)), "resumed", true)
			return nil
		}
		// Nothing to resume (or the partnership moved on): a slow sync,
		// answered 508 below.
	}

	core, stored, forced, err := w.Open(st.partner(), name, modeOf(granted), anchor.Last)
	if errors.Is(err, engine.ErrReadOnly) {
		// A read-only datastore takes nothing from devices; a refresh from
		// the device would even replace it (Sync Protocol 10.2: 405).
		return &syncml.Error{Code: syncml.StatusCommandNotAllowed, Err: err}
	} else if err != nil {
		return fmt.Errorf("session: alert %s: %w", name, err)
	}
	if err := e.noteAnchors(w, st, name, anchor, stored.Client, forced); err != nil {
		return fmt.Errorf("session: alert %s: %w", name, err)
	}
	statusCode := 200
	if forced || syncml.AlertCode(code) == syncml.AlertResume {
		// 508: the device must slow sync; a resume (225) with nothing
		// to resume is answered with a slow sync too (SyncMode).
		statusCode = int(syncml.StatusRefreshRequired)
	}
	mode := int(alertOf(core.Mode))
	ds := &syncedStore{Datastore: *core,
		ClientURI: it.Source.URI, ServerURI: it.Target.URI,
		AlertMsg: st.MsgCount, ClientLast: anchor.Last, ClientNext: anchor.Next,
		ServerLast: stored.Server, ServerNext: e.now().UTC().Format("20060102T150405Z"),
		PriorClient: stored.Client,
	}
	if ds.ServerNext == ds.ServerLast { // two sessions in one second: keep anchors distinct
		ds.ServerNext += "-" + strconv.Itoa(st.NextMsgID) + st.Key[:4]
	}
	d, err := w.Device(st.UserID, st.partner().DeviceID) // nil: first session of the device
	if err != nil {
		return fmt.Errorf("session: alert %s: %w", name, err)
	}
	caps := deviceFormats(d, it.Source.URI)
	ds.SendType, ds.Accepts, ds.CTCaps = caps.pref, caps.accepts, caps.ctCaps
	e.alerted(st, r, c, ds, statusCode, anchor.Next)
	e.log.Info("datastore alerted", "device", st.DeviceID, "user", st.UserName, "datastore", name,
		"requested", code, "mode", mode)
	return nil
}

// alerted puts an opened datastore into the session (in place of one the
// session opened before under the same name) and answers the device's
// Alert: its Status (with the device's Next anchor) and the server's Alert
// with the mode and the server's anchors.
func (e *Handler) alerted(st *sessionState, r *reply, c *syncml.Command, ds *syncedStore, statusCode int, deviceNext string) {
	replaced := false
	for i, old := range st.Datastores {
		if old.Name == ds.Name {
			st.Datastores[i], replaced = ds, true
		}
	}
	if !replaced {
		st.Datastores = append(st.Datastores, ds)
	}
	var items []syncml.Item
	if deviceNext != "" {
		items = []syncml.Item{{DataXML: anchorElement(deviceNext)}}
	}
	r.status(c, statusCode, items...)
	r.add(&syncml.Command{Name: "Alert", Data: strconv.Itoa(int(alertOf(ds.Mode))), Items: []syncml.Item{{
		Target: syncml.Loc{URI: ds.ClientURI},
		Source: syncml.Loc{URI: ds.ServerURI},
		Meta:   &syncml.Meta{Anchor: &syncml.Anchor{Last: ds.ServerLast, Next: ds.ServerNext}, MaxObjSize: 0},
	}}})
}

// alertModes pairs the sync alert codes (Sync Protocol, alert codes
// 200-205, as AlertCode.SyncMode grants them) with the core's modes.
var alertModes = [...]struct {
	alert syncml.AlertCode
	mode  engine.Mode
}{
	{syncml.AlertTwoWay, engine.ModeTwoWay},
	{syncml.AlertSlowSync, engine.ModeSlow},
	{syncml.AlertOneWayFromClient, engine.ModeOneWayFromClient},
	{syncml.AlertRefreshFromClient, engine.ModeRefreshFromClient},
	{syncml.AlertOneWayFromServer, engine.ModeOneWayFromServer},
	{syncml.AlertRefreshFromServer, engine.ModeRefreshFromServer},
}

// modeOf is the core's mode for a granted sync alert code.
func modeOf(a syncml.AlertCode) engine.Mode {
	for _, am := range alertModes {
		if am.alert == a {
			return am.mode
		}
	}
	return engine.ModeTwoWay
}

// alertOf is the alert code of a mode.
func alertOf(m engine.Mode) syncml.AlertCode {
	for _, am := range alertModes {
		if am.mode == m {
			return am.alert
		}
	}
	return syncml.AlertTwoWay
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
