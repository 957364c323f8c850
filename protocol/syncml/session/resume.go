package session

import (
	"slices"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// Suspend and resume (OMA DS 1.2 Sync Protocol, Alert 224 Suspend and 225
// Resume). A device suspends a session with Alert 224, or the session
// breaks off (a crash, a lost connection); its next session alerts the
// datastores with 225 and the same Last anchor, and goes on where the
// interrupted one stopped: the device sends what it had not sent or got
// no Status for, the server what it had not sent or got no Status for.
// Nothing the other side acknowledged goes again. The interrupted
// session's state is its stored session row, so any server process
// sharing the database takes the resumed session. When there is nothing
// to resume (the session expired, the partnership moved on, SyncML before
// 1.2) the datastore goes on with a slow sync (508), as before.

// resumeCandidates bounds how many of the device's latest session rows
// (first-message aliases and pending nonces among them) are searched for
// the interrupted session.
const resumeCandidates = 16

// suspend answers Alert 224: the session ends here without completing
// (nothing is committed; no server changes are sent in the reply) and
// releases its datastores, so other devices need not wait for the resume.
func (e *Handler) suspend(w *engine.Work, st *sessionState, r *reply, c *syncml.Command) error {
	if st.VerDTD != "1.2" {
		return syncml.Errorf(syncml.StatusNotSupported, "suspend needs SyncML 1.2, the session is %s", st.VerDTD)
	}
	st.Suspended = true
	if !c.NoResp {
		r.status(c, int(syncml.StatusOK))
	}
	e.log.Info("session suspended", "session", st.Key, "device", st.DeviceID, "user", st.UserName)
	return w.ReleaseLeases(st.Key)
}

// resumeDatastore finds the device's interrupted session that had the
// datastore open and takes its state over for st. It returns nil (and
// changes nothing) when there is none to resume.
func (e *Handler) resumeDatastore(w *engine.Work, st *sessionState, name string, it syncml.Item, anchor syncml.Anchor) (*syncedStore, error) {
	if st.VerDTD != "1.2" {
		return nil, nil // resume is OMA DS 1.2
	}
	rows, err := w.DeviceSessions(st.partner(), resumeCandidates)
	if err != nil {
		return nil, err
	}
	var old *sessionState
	var ds *syncedStore
	for _, row := range rows {
		if row.Key == st.Key {
			continue
		}
		s, err := loadSession(w, row.Key)
		if err != nil {
			return nil, err
		}
		if s == nil || s.DeviceID != st.DeviceID {
			continue
		}
		if ds = s.datastore(name); ds != nil {
			old = s
			break
		}
	}
	if ds == nil || old.Complete {
		e.log.Info("nothing to resume: slow sync", "device", st.DeviceID, "datastore", name)
		return nil, nil
	}
	// The device resumes with the Last anchor it sent then (Synthesis
	// also sends none).
	if anchor.Last != "" && anchor.Last != ds.ClientLast {
		e.log.Info("cannot resume: the device's anchor differs", "device", st.DeviceID, "datastore", name,
			"device_last", anchor.Last, "interrupted_last", ds.ClientLast)
		return nil, nil
	}
	ok, err := w.Resume(st.partner(), &ds.Datastore, old.Key, engine.Anchors{Client: ds.PriorClient, Server: ds.ServerLast})
	if err != nil || !ok {
		return nil, err
	}
	// The interrupted session gives the datastore up, so that it is
	// resumed once.
	old.Datastores = slices.DeleteFunc(old.Datastores, func(x *syncedStore) bool { return x == ds })
	if old.Incoming != nil && old.Incoming.Datastore == name {
		st.Incoming, old.Incoming = old.Incoming, nil
		st.Incoming.Resumed = true
	}
	if err := e.saveSession(w, old); err != nil {
		return nil, err
	}
	resumeState(ds, st, it, anchor)
	return ds, nil
}

// resumeState readies an interrupted session's datastore for the session
// st that resumes it.
func resumeState(ds *syncedStore, st *sessionState, it syncml.Item, anchor syncml.Anchor) {
	// Commands that got no Status go again (after what is left to send):
	// the device may not have received them.
	keys := make([]string, 0, len(ds.Sent))
	for k := range ds.Sent {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		sc := ds.Sent[k]
		if g := sc.GUID; g != "" && !slices.Contains(ds.Resend, g) {
			ds.Resend = append(ds.Resend, g)
		} else if g == "" && sc.Op == engine.OpDelete.String() && sc.LUID != "" {
			// The Delete of an older copy the device holds unmapped
			// (engine resent.go): no item to send again, the LUID is.
			ds.DeleteLUIDs = append(ds.DeleteLUIDs, sc.LUID)
		}
	}
	ds.Sent = nil
	if len(keys) > 0 || ds.Outgoing != nil {
		ds.ServerDone = false
	}
	// A half-sent large object goes on after its last acknowledged chunk.
	if out := ds.Outgoing; out != nil {
		out.Offset, out.ChunkKey = out.Acked, ""
	}
	// The device's package starts again (its Sync, maybe empty, with Final).
	ds.ClientDone, ds.AlertMsg = false, st.MsgCount
	ds.ClientURI, ds.ServerURI = it.Source.URI, it.Target.URI
	if anchor.Last != "" {
		ds.ClientLast = anchor.Last
	}
	if anchor.Next != "" {
		ds.ClientNext = anchor.Next
	}
}
