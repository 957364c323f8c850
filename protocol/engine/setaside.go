package engine

import (
	"errors"
	"fmt"

	"anchorage/store"
)

// An item set aside for a device is one whose server change the device
// kept refusing: an ActiveSync device that asks again with the same
// SyncKey while the window shrinks down to that one item (MS-ASCMD leaves
// loop handling to the server; Z-Push sets such items aside too). That
// version is no longer sent to that device; the item stays on the server
// for every other device, and a newer version of it is tried again.

// SetAside sets aside, for the datastore's device, the current version of
// the item guid, with a reason for `device list` and the log. held tells
// whether the device holds an earlier version (it refused a change of it);
// if not (it refused the item's Add), its mapping goes, so that a newer
// version reaches it as an Add.
func (w *Work) SetAside(ds *Datastore, guid, reason string, held bool) error {
	if err := ds.Partner.check(); err != nil {
		return err
	}
	it, err := w.tx.Item(w.ctx, ds.UserID, ds.Name, guid)
	if err != nil {
		return fmt.Errorf("engine: set aside %s: %w", guid, err)
	}
	if !held {
		m, err := w.tx.MapByGUID(w.ctx, ds.UserID, ds.DeviceID, ds.Name, guid)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("engine: set aside %s: %w", guid, err)
		} else if err == nil {
			if err := w.tx.DeleteMapping(w.ctx, ds.UserID, ds.DeviceID, ds.Name, m.LUID); err != nil {
				return fmt.Errorf("engine: set aside %s: %w", guid, err)
			}
		}
	}
	a := &store.SetAside{UserID: ds.UserID, DeviceID: ds.DeviceID, Datastore: ds.Name, GUID: guid, Seq: it.Seq, Reason: reason}
	if err := w.tx.PutSetAside(w.ctx, a); err != nil {
		return err
	}
	if ds.SetAside == nil {
		ds.SetAside = map[string]int64{}
	}
	ds.SetAside[guid] = it.Seq
	w.e.log.Warn("item set aside for a device that keeps refusing it; it stays on the server",
		"user", ds.UserName, "device", ds.DeviceID, "datastore", ds.Name, "guid", guid, "seq", it.Seq, "reason", reason)
	return nil
}

// readSetAside reads the device's set-aside items of the datastore.
func (w *Work) readSetAside(ds *Datastore) error {
	as, err := w.tx.SetAsideItems(w.ctx, ds.UserID, ds.DeviceID, ds.Name)
	if err != nil {
		return fmt.Errorf("engine: open %s: %w", ds.Name, err)
	}
	for _, a := range as {
		if ds.SetAside == nil {
			ds.SetAside = map[string]int64{}
		}
		ds.SetAside[a.GUID] = a.Seq
	}
	return nil
}

// setAside tells whether a queued change would send the device a version
// set aside for it.
func (ds *Datastore) setAside(q queued) bool {
	seq, ok := ds.SetAside[q.guid]
	if !ok {
		return false
	}
	switch q.phase {
	case phaseLog:
		return q.seq == seq
	case phaseItems:
		return q.item.Seq == seq
	}
	return false
}
