package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"anchorage/store"
)

// The mass-deletion guard (DESIGN.md "Data protection"): a device session
// that would delete more than a threshold of a datastore has its deletes
// held for the owner instead of applied. A session's deletes may come over
// several messages, so none is applied before the session completes: Apply
// answers them Deleted and keeps them in the Datastore (the session's
// state, persisted by the front end); Complete counts them and either
// applies them all or holds them all. Nothing of an undecided session
// reaches another device, and an abandoned session applies none (the
// device sends them again).

// HoldRule is a mass-deletion threshold: a session is held when it deletes
// at least MinItems items and more than Percent % of the datastore's live
// items. Percent 100 or more never holds.
type HoldRule struct {
	Percent  int
	MinItems int
}

// DefaultHoldRule is the server's threshold unless configured.
var DefaultHoldRule = HoldRule{Percent: 50, MinItems: 20}

// Exceeded tells whether deleting n of live items crosses the threshold.
func (r HoldRule) Exceeded(n, live int) bool {
	if r.Percent >= 100 || n < r.MinItems || n == 0 {
		return false
	}
	return n*100 > r.Percent*live
}

// HoldObserver is what an Observer implements to be told of every hold
// the guard makes (a metric, a notification), once its transaction
// committed; it must not block.
type HoldObserver interface {
	DeletesHeld(protocol string, h store.Hold)
}

// heldEvent is a hold made in a unit of work, for the Observer.
type heldEvent struct {
	protocol string
	hold     store.Hold
}

// pendingDelete is a device's delete kept until its session completes.
type pendingDelete struct {
	GUID string `json:"g"`
	LUID string `json:"l"`
	// Seq is the item's change sequence the device deleted (0: not
	// known): a later one is another's change made while the session
	// stayed open (overtakenDeletes).
	Seq int64 `json:"s,omitempty"`
	// Stale: the LUID was mapped before the server sent the item to the
	// device again as an Add (stalePending).
	Stale bool `json:"st,omitempty"`
}

// pendingLUID tells whether the session deleted the device's item luid.
func (ds *Datastore) pendingLUID(luid string) bool {
	return slices.ContainsFunc(ds.Pending, func(d pendingDelete) bool { return d.LUID == luid })
}

// pendingGUID tells whether the session deleted the item (a delete kept
// until it completes). The session's later changes see it as deleted, as
// they would had the delete been applied in order: no pairing with it, no
// write to it.
func (ds *Datastore) pendingGUID(guid string) bool {
	for _, d := range ds.Pending {
		if d.GUID == guid {
			return true
		}
	}
	return false
}

// holdRule returns the user's threshold, else the server's.
func (e *Engine) holdRule(ctx context.Context, tx store.SyncTx, userID int64) (HoldRule, error) {
	s, err := tx.HoldSettings(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return e.hold, nil
	} else if err != nil {
		return HoldRule{}, fmt.Errorf("engine: hold settings: %w", err)
	}
	return HoldRule{Percent: s.Percent, MinItems: s.MinItems}, nil
}

// openHolds reads, at the Alert, whether an open hold of the device keeps
// items from it (ds.Holding) and which rejected holds' items go back to it
// in this session (ds.Returning; fast syncs list them in Resend, slow ones
// send them as any item the device does not prove to hold).
func (e *Engine) openHolds(ctx context.Context, tx store.SyncTx, ds *Datastore) error {
	hs, err := tx.Holds(ctx, ds.UserID, ds.DeviceID, store.HoldOpen, store.HoldRejected)
	if err != nil {
		return fmt.Errorf("engine: holds of %s: %w", ds.DeviceID, err)
	}
	sends := ds.Mode != ModeOneWayFromClient && ds.Mode != ModeRefreshFromClient
	for _, h := range hs {
		if h.Datastore != ds.Name {
			continue
		}
		if h.State == store.HoldOpen {
			ds.Holding = true
			continue
		}
		if !sends {
			continue
		}
		ds.Returning = append(ds.Returning, h.ID)
		if ds.Mode == ModeSlow || ds.Mode == ModeRefreshFromServer {
			continue
		}
		dels, err := tx.HeldDeletes(ctx, h.ID)
		if err != nil {
			return fmt.Errorf("engine: held deletes: %w", err)
		}
		for _, d := range dels {
			ds.Resend = append(ds.Resend, d.GUID)
		}
	}
	return nil
}

// markHeld flags the queued changes that an open hold of the device keeps
// from it: the items it deleted stay away until the owner decides.
func (w *Work) markHeld(ds *Datastore, from int) error {
	if !ds.Holding || from >= len(ds.queue) {
		return nil
	}
	guids := make([]string, 0, len(ds.queue)-from)
	for _, q := range ds.queue[from:] {
		guids = append(guids, q.guid)
	}
	held, err := w.tx.HeldGUIDs(w.ctx, ds.UserID, ds.DeviceID, ds.Name, guids)
	if err != nil {
		return fmt.Errorf("engine: held items: %w", err)
	}
	for i := from; i < len(ds.queue); i++ {
		ds.queue[i].held = held[ds.queue[i].guid]
	}
	return nil
}

// guardDeletes decides, as a session completes, on its deletes: the ones
// Apply kept and, in a refresh from the device, the items it did not send.
// Under the threshold they are applied (refresh deletes are left to the
// caller: held false); over it they are held. It says whether they were.
func (e *Engine) guardDeletes(ctx context.Context, tx store.SyncTx, st *sessionState, ds *Datastore) (held bool, err error) {
	if err := e.overtakenDeletes(ctx, tx, st, ds); err != nil {
		return false, err
	}
	dels := ds.Pending
	if ds.Mode == ModeRefreshFromClient {
		if dels, err = e.unconfirmedDeletes(ctx, tx, st, ds, dels); err != nil {
			return false, err
		}
	}
	if len(dels) == 0 {
		return false, nil
	}
	live, err := tx.LiveCount(ctx, st.UserID, ds.Name)
	if err != nil {
		return false, fmt.Errorf("engine: live count: %w", err)
	}
	live = max(live-ds.Added, len(dels)) // what the datastore held before this session
	rule, err := e.holdRule(ctx, tx, st.UserID)
	if err != nil {
		return false, err
	}
	if !rule.Exceeded(len(dels), live) {
		return false, e.applyPending(ctx, tx, st, ds)
	}
	seq, err := tx.LastSeq(ctx, st.UserID, ds.Name)
	if err != nil {
		return false, fmt.Errorf("engine: last seq: %w", err)
	}
	h := &store.Hold{UserID: st.UserID, Datastore: ds.Name, DeviceID: st.DeviceID, Live: live, Seq: seq, Created: e.now()}
	hd := make([]store.HeldDelete, len(dels))
	for i, d := range dels {
		hd[i] = store.HeldDelete{GUID: d.GUID, LUID: d.LUID}
	}
	if err := tx.CreateHold(ctx, h, hd); err != nil {
		return false, fmt.Errorf("engine: hold deletes: %w", err)
	}
	// The device no longer holds these items: its ids of them go, as a
	// delete would take them (applyDelete).
	for _, d := range ds.Pending {
		if err := e.unmapPending(ctx, tx, st, ds, d); err != nil {
			return false, err
		}
	}
	ds.Held = len(dels)
	e.log.Warn("mass deletion held for the owner", "user", st.UserName, "device", st.DeviceID,
		"datastore", ds.Name, "hold", h.ID, "deletes", len(dels), "live", live,
		"percent", rule.Percent, "min", rule.MinItems)
	st.w.obs.holds = append(st.w.obs.holds, heldEvent{protocol: st.Protocol, hold: *h})
	return true, nil
}

// overtakenDeletes resolves, as a session completes, the deletes Apply
// kept of items another device or the admin changed after the device
// deleted them: an EAS sync stays open between requests (a re-sent
// request's commands, windows of changes), and others sync meanwhile.
// Tombstoning such an item would drop the later change unseen; it is the
// conflict of a deletion with a change (applyDelete's), which by default
// keeps the change and sends the item back to the device.
func (e *Engine) overtakenDeletes(ctx context.Context, tx store.SyncTx, st *sessionState, ds *Datastore) error {
	kept := ds.Pending[:0]
	for _, d := range ds.Pending {
		if d.Seq == 0 {
			kept = append(kept, d)
			continue
		}
		cur, err := tx.Item(ctx, st.UserID, ds.Name, d.GUID)
		if errors.Is(err, store.ErrNotFound) {
			kept = append(kept, d)
			continue
		} else if err != nil {
			return fmt.Errorf("engine: item %s: %w", d.GUID, err)
		}
		if cur.Deleted || cur.Seq <= d.Seq {
			kept = append(kept, d)
			continue
		}
		if _, err := e.resolveConflict(ctx, tx, st, ds, cur, nil, d.LUID); err != nil {
			return err
		}
		ds.Deleted--
		now, err := tx.Item(ctx, st.UserID, ds.Name, d.GUID)
		if err != nil {
			return fmt.Errorf("engine: item %s: %w", d.GUID, err)
		}
		if !now.Deleted && now.Seq == cur.Seq && cur.Seq <= ds.TargetSeq {
			// Kept, unmapped, and in this session's changes, which did
			// not send it (NextChange): a new version sends it next time.
			if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginServer); err != nil {
				return err
			}
		}
	}
	ds.Pending = kept
	return nil
}

// unconfirmedDeletes lists the items a refresh from the device would
// delete, after the deletes it sent.
func (e *Engine) unconfirmedDeletes(ctx context.Context, tx store.SyncTx, st *sessionState, ds *Datastore, dels []pendingDelete) ([]pendingDelete, error) {
	after := ""
	for {
		items, err := tx.UnconfirmedHeads(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, after, batchSize)
		if err != nil {
			return nil, fmt.Errorf("engine: unconfirmed items: %w", err)
		}
		if len(items) == 0 {
			return dels, nil
		}
		for i := range items {
			dels = append(dels, pendingDelete{GUID: items[i].GUID})
		}
		after = items[len(items)-1].GUID
	}
}

// applyPending writes the deletes Apply kept: a tombstone for each item
// still live, with the device as origin, and the device's id of it goes.
func (e *Engine) applyPending(ctx context.Context, tx store.SyncTx, st *sessionState, ds *Datastore) error {
	done := make(map[string]bool, len(ds.Pending))
	for _, d := range ds.Pending {
		if !done[d.GUID] {
			done[d.GUID] = true
			if err := e.tombstone(ctx, tx, st.UserID, ds.Name, d.GUID, st.DeviceID); err != nil {
				return err
			}
		}
		if err := e.unmapPending(ctx, tx, st, ds, d); err != nil {
			return err
		}
	}
	return nil
}

// unmapPending drops the device's id of a deleted item, unless a later
// change of the session reused the id for another item.
func (e *Engine) unmapPending(ctx context.Context, tx store.SyncTx, st *sessionState, ds *Datastore, d pendingDelete) error {
	m, err := tx.MapByLUID(ctx, st.UserID, st.DeviceID, ds.Name, d.LUID)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.GUID != d.GUID {
		return nil
	} else if err != nil {
		return fmt.Errorf("engine: map %s: %w", d.LUID, err)
	}
	if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, d.LUID); err != nil {
		return fmt.Errorf("engine: unmap %s: %w", d.LUID, err)
	}
	return nil
}

// tombstone deletes an item if it is live.
func (e *Engine) tombstone(ctx context.Context, tx store.SyncTx, userID int64, name, guid, origin string) error {
	cur, err := tx.Item(ctx, userID, name, guid)
	if errors.Is(err, store.ErrNotFound) || err == nil && cur.Deleted {
		return nil
	} else if err != nil {
		return fmt.Errorf("engine: item %s: %w", guid, err)
	}
	if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: userID, Datastore: name, GUID: guid,
		Delete: true, Origin: origin, Time: e.now()}); err != nil {
		return fmt.Errorf("engine: delete %s: %w", guid, err)
	}
	return nil
}

// returned closes the rejected holds whose items reached the device.
func (e *Engine) returned(ctx context.Context, tx store.SyncTx, ds *Datastore) error {
	for _, id := range ds.Returning {
		if err := tx.SetHoldState(ctx, id, store.HoldReturned, e.now()); err != nil {
			return fmt.Errorf("engine: hold %d returned: %w", id, err)
		}
	}
	return nil
}

// ErrHoldDecided: the hold is not open (decided already).
var ErrHoldDecided = errors.New("engine: the hold was decided already")

// AcceptHold applies a hold's deletes, with the device that made them as
// their origin, so that they reach every other device like its own
// deletes would have. It returns the hold and how many items it deleted
// (those deleted since are not counted).
func (w *Work) AcceptHold(id int64) (*store.Hold, int, error) {
	h, err := w.openHold(id)
	if err != nil {
		return nil, 0, err
	}
	dels, err := w.tx.HeldDeletes(w.ctx, id)
	if err != nil {
		return nil, 0, fmt.Errorf("engine: held deletes: %w", err)
	}
	before, err := w.tx.LastSeq(w.ctx, h.UserID, h.Datastore)
	if err != nil {
		return nil, 0, fmt.Errorf("engine: last seq: %w", err)
	}
	for _, d := range dels {
		if err := w.e.tombstone(w.ctx, w.tx, h.UserID, h.Datastore, d.GUID, h.DeviceID); err != nil {
			return nil, 0, err
		}
	}
	after, err := w.tx.LastSeq(w.ctx, h.UserID, h.Datastore)
	if err != nil {
		return nil, 0, fmt.Errorf("engine: last seq: %w", err)
	}
	if err := w.tx.SetHoldState(w.ctx, id, store.HoldAccepted, w.e.now()); err != nil {
		return nil, 0, fmt.Errorf("engine: accept hold %d: %w", id, err)
	}
	w.e.log.Info("held deletes accepted", "hold", id, "device", h.DeviceID, "datastore", h.Datastore, "deleted", after-before)
	h.State = store.HoldAccepted
	return h, int(after - before), nil
}

// RejectHold discards a hold's deletes: the items stay, and the device
// that deleted them gets them again at its next sync.
func (w *Work) RejectHold(id int64) (*store.Hold, error) {
	h, err := w.openHold(id)
	if err != nil {
		return nil, err
	}
	if err := w.tx.SetHoldState(w.ctx, id, store.HoldRejected, w.e.now()); err != nil {
		return nil, fmt.Errorf("engine: reject hold %d: %w", id, err)
	}
	w.e.log.Info("held deletes rejected", "hold", id, "device", h.DeviceID, "datastore", h.Datastore, "items", h.Items)
	h.State = store.HoldRejected
	return h, nil
}

func (w *Work) openHold(id int64) (*store.Hold, error) {
	h, err := w.tx.Hold(w.ctx, id)
	if err != nil {
		return nil, fmt.Errorf("engine: hold %d: %w", id, err)
	}
	if h.State != store.HoldOpen {
		return nil, fmt.Errorf("hold %d is %s: %w", id, h.State, ErrHoldDecided)
	}
	return h, nil
}
