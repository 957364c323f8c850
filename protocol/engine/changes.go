package engine

import (
	"errors"
	"fmt"
	"slices"

	"anchorage/store"
)

// batchSize is how many change rows are read at a time; what a front end
// sends at once is bounded by its own limits (MaxMsgSize, WindowSize), not
// by this.
const batchSize = 200

// Server changes go to a device one at a time: NextChange returns the next
// one without moving on; the front end sends it (or finds no room for it
// and asks again in its next message) and calls Advance once it is on its
// way. Fast syncs send the changes after the device's acknowledged sequence
// that it did not make itself; slow and refresh-from-server syncs send
// every live item the device did not already prove to have in this
// session; either ends with the items listed in Datastore.Resend, then
// the Deletes of Datastore.DeleteLUIDs.

// ServerChange is one change for the device.
type ServerChange struct {
	Op   Op
	GUID string // the server's id of the item
	LUID string // the device's id, for a Replace or Delete
	// ContentType and Data are the item in a format the device takes
	// (empty for a Delete).
	ContentType string
	Data        []byte

	item *store.Item
	at   queued
}

// queued is a server change read ahead: a change log entry (fast), an item
// (slow), or the head of Resend.
type queued struct {
	phase int // phaseLog, phaseItems, phaseResend
	seq   int64
	guid  string
	item  *store.Item // phaseItems: the item itself
	luid  string      // phaseDeleteLUID: the device's copy to delete
	held  bool        // an open hold keeps the item from the device (guard.go)
}

const (
	phaseLog = iota + 1
	phaseItems
	phaseResend
	phaseDeleteLUID
)

// NextChange returns the next server change for the device, nil when there
// is none left (or the mode sends none). It does not move on: Advance does.
func (w *Work) NextChange(ds *Datastore) (*ServerChange, error) {
	ctx, tx, e, st := w.ctx, w.tx, w.e, w.as(ds.Partner)
	if err := ds.Partner.check(); err != nil {
		return nil, err
	}
	if !ds.ServerBegun {
		seq, err := tx.LastSeq(ctx, ds.UserID, ds.Name)
		if err != nil {
			return nil, fmt.Errorf("engine: last seq: %w", err)
		}
		ds.ServerBegun, ds.TargetSeq, ds.CursorSeq = true, seq, ds.AckSeq
		if ds.Mode == ModeSlow {
			if err := e.changedWhileOpen(ctx, tx, st, ds); err != nil {
				return nil, err
			}
		}
	}
	if ds.Mode == ModeOneWayFromClient || ds.Mode == ModeRefreshFromClient {
		ds.Drained = true
		return nil, nil // the server sends nothing in these modes
	}
	for {
		if len(ds.queue) == 0 {
			if err := w.readAhead(ds); err != nil {
				return nil, err
			}
			if len(ds.queue) == 0 {
				ds.Drained = true
				return nil, nil
			}
		}
		q := ds.queue[0]
		if q.held || ds.setAside(q) || q.phase == phaseLog && ds.pendingGUID(q.guid) ||
			q.phase == phaseResend && ds.pendingGUID(q.guid) && slices.Contains(ds.OlderCarried, q.guid) {
			// A held or set-aside item stays away; one the device deleted
			// in this session is not sent to it (overtakenDeletes decides
			// on a change made since), nor to its newer copy (carryOlder).
			w.pass(ds, q)
			continue
		}
		var ch *ServerChange
		var err error
		if q.phase == phaseDeleteLUID {
			ch = &ServerChange{Op: OpDelete, LUID: q.luid}
		} else if q.phase == phaseItems {
			ch = &ServerChange{Op: OpAdd, GUID: q.item.GUID, item: q.item}
			if !ds.countOnly {
				ch.ContentType, ch.Data = e.outgoingData(st, ds, q.item)
			}
		} else if ch, err = e.serverChange(w, st, ds, q.guid); err != nil {
			return nil, err
		}
		if ch != nil && q.phase == phaseLog && ch.Op == OpAdd {
			if held, err := e.deferAdd(ctx, tx, st, ds, q.guid); err != nil {
				return nil, err
			} else if held {
				ch = nil
			}
		}
		if ch != nil {
			ch.at = q
			return ch, nil
		}
		w.pass(ds, q) // nothing to send for it
	}
}

// ReadAhead tells the core that the caller takes about n more changes
// from ds in this unit of work (a window of n-1 and one to tell whether
// more are available): NextChange then reads no more than n at a time,
// rather than batchSize, of which the rest would be read again by the
// next unit of work. n <= 0 restores batchSize.
func (w *Work) ReadAhead(ds *Datastore, n int) { ds.readAhead = n }

// CountOnly tells the core that the caller of NextChange only counts the
// changes of ds in this unit of work (an estimate): the items a slow or
// refresh sync sends are then read without their content, and their
// changes carry no Data. Which changes come, and in which order, is the
// same.
func (w *Work) CountOnly(ds *Datastore) { ds.countOnly = true }

// readAhead fills the queue from where the datastore's cursors stand.
func (w *Work) readAhead(ds *Datastore) error {
	ctx, tx := w.ctx, w.tx
	limit := batchSize
	if ds.readAhead > 0 && ds.readAhead < limit {
		limit = ds.readAhead
	}
	switch ds.Mode {
	case ModeSlow, ModeRefreshFromServer:
		read := tx.UnconfirmedItems
		if ds.countOnly {
			read = tx.UnconfirmedHeads
		}
		items, err := read(ctx, ds.UserID, ds.DeviceID, ds.Name, ds.Session, ds.CursorGUID, limit)
		if err != nil {
			return fmt.Errorf("engine: items to send: %w", err)
		}
		for i := range items {
			ds.queue = append(ds.queue, queued{phase: phaseItems, guid: items[i].GUID, item: &items[i]})
		}
		if len(items) > 0 {
			return w.markHeld(ds, 0)
		}
	default:
		changes, err := tx.Changes(ctx, ds.UserID, ds.Name, ds.CursorSeq, ds.TargetSeq, ds.DeviceID, limit)
		if err != nil {
			return fmt.Errorf("engine: changes: %w", err)
		}
		for _, c := range changes {
			ds.queue = append(ds.queue, queued{phase: phaseLog, seq: c.Seq, guid: c.GUID})
		}
		if len(changes) > 0 {
			return w.markHeld(ds, 0)
		}
	}
	// Every item to resend at once: one at a time, each would cost
	// another pass of the query above, which finds nothing by then (a
	// slow sync that sends N merged items back made N passes over N items).
	// pass drops them from Resend in this order.
	for _, guid := range ds.Resend {
		ds.queue = append(ds.queue, queued{phase: phaseResend, guid: guid})
	}
	for _, luid := range ds.DeleteLUIDs {
		ds.queue = append(ds.queue, queued{phase: phaseDeleteLUID, luid: luid})
	}
	return nil
}

// Advance moves past a change NextChange returned, once the front end sent
// it (or began to, in parts) or gave up on it; an Add is remembered as
// unacknowledged until the device maps it (unacked.go).
func (w *Work) Advance(ds *Datastore, ch *ServerChange) {
	count(&w.obs.sent, ds.Protocol, ch.Op.String())
	w.e.rememberAdd(w.as(ds.Partner), ds, ch)
	if ch.at.phase == phaseLog || ch.at.phase == phaseItems {
		// The item's server state is on its way: listed in Resend too
		// (an item a slow sync's device deleted and the server kept, so
		// unmapped, now among those it lacks), it would go twice, an Add
		// the device then holds twice. No Resend entry is queued yet:
		// readAhead queues them once these passes are done.
		ds.Resend = slices.DeleteFunc(ds.Resend, func(g string) bool { return g == ch.GUID })
	}
	w.pass(ds, ch.at)
}

// Skip moves past a change NextChange returned without sending it: the
// device is not to hold the item (an ActiveSync FilterType leaves it out).
// It is neither remembered nor counted undelivered; a later change of the
// item is sent again.
func (w *Work) Skip(ds *Datastore, ch *ServerChange) { w.pass(ds, ch.at) }

// pass moves the cursors past a queued change.
func (w *Work) pass(ds *Datastore, q queued) {
	if len(ds.queue) > 0 {
		ds.queue = ds.queue[1:]
	}
	switch q.phase {
	case phaseLog:
		ds.CursorSeq = q.seq
	case phaseItems:
		ds.CursorGUID = q.guid
	case phaseResend:
		if len(ds.Resend) > 0 {
			ds.Resend = ds.Resend[1:]
		}
	case phaseDeleteLUID:
		if len(ds.DeleteLUIDs) > 0 {
			ds.DeleteLUIDs = ds.DeleteLUIDs[1:]
		}
	}
}

// Flush stores what Advance remembered, in one go: call it once the
// changes of a message (a window) are chosen.
func (w *Work) Flush(ds *Datastore) error {
	return w.e.flushRemembered(w.ctx, w.tx, ds)
}

// serverChange builds the change that brings one changed item to the
// device: Replace or Delete when the device has it (mapped), Add when it
// does not; nil when there is nothing to do (deleted and never sent).
func (e *Engine) serverChange(w *Work, st *sessionState, ds *syncedStore, guid string) (*ServerChange, error) {
	it, err := w.tx.Item(w.ctx, st.UserID, ds.Name, guid)
	if err != nil {
		return nil, fmt.Errorf("engine: item %s: %w", guid, err)
	}
	m, err := w.tx.MapByGUID(w.ctx, st.UserID, st.DeviceID, ds.Name, guid)
	if errors.Is(err, store.ErrNotFound) {
		m = nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: map %s: %w", guid, err)
	}
	if m != nil && !it.Deleted {
		if m, err = e.liveMapping(w, st, ds, m); err != nil {
			return nil, err
		}
	}
	ch := &ServerChange{GUID: guid, item: it}
	switch {
	case it.Deleted && m == nil:
		return nil, nil
	case it.Deleted:
		ch.Op, ch.LUID = OpDelete, m.LUID
		return ch, nil
	case m != nil:
		ch.Op, ch.LUID = OpReplace, m.LUID
	default:
		ch.Op = OpAdd
	}
	ch.ContentType, ch.Data = e.outgoingData(st, ds, it)
	return ch, nil
}

// liveMapping returns m, or nil when it names a LUID the device no longer
// holds: the device has an unacknowledged Add of the item, which a slow
// sync killed before its Map sent it because the device did not send
// that LUID (OMA DS 1.2 Sync Protocol 5.10; every mapping of a GUID drops
// its unacknowledged Add, so the Add is newer than m). A Replace to the
// old LUID would reach nothing, or be taken as an Add by a device that
// already holds the item unmapped; the change goes as the Add instead
// (held back once in a one-way sync, deferAdd), and the device's copy,
// sent as new, pairs with the item (unacked.go).
func (e *Engine) liveMapping(w *Work, st *sessionState, ds *syncedStore, m *store.Mapping) (*store.Mapping, error) {
	a, err := e.isUnacked(w.ctx, w.tx, st, ds, m.GUID)
	if err != nil || a == nil {
		return m, err
	}
	e.log.Info("item mapped to a LUID the device dropped before it was sent to it again; its change goes as that Add",
		"device", st.DeviceID, "datastore", ds.Name, "guid", m.GUID, "luid", m.LUID, "sent_in", a.Session)
	return nil, nil
}
