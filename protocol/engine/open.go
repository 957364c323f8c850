package engine

import (
	"errors"
	"fmt"

	"anchorage/conflict"
	"anchorage/store"
)

// Anchors are what a partnership remembers of its last completed sync: the
// device's and the server's tokens (SyncML anchors; an ActiveSync front end
// keeps its SyncKey in Server). They are opaque to the core.
type Anchors struct {
	Client string
	Server string
}

// Open starts a partner's sync of a datastore in mode. A mode that builds
// on the last sync (two-way, one-way) becomes a slow sync when the
// partnership never completed one or deviceLast is not the Client anchor
// stored then: forced is set, and the device must send everything. stored
// are the anchors of the last completed sync. A read-only datastore
// refuses the modes that only bring the device's data (ErrReadOnly).
func (w *Work) Open(p Partner, name string, mode Mode, deviceLast string) (ds *Datastore, stored Anchors, forced bool, err error) {
	ctx, tx, e := w.ctx, w.tx, w.e
	if err := p.check(); err != nil {
		return nil, Anchors{}, false, err
	}
	pt, err := tx.Partnership(ctx, p.UserID, p.DeviceID, name)
	if errors.Is(err, store.ErrNotFound) {
		pt = &store.Partnership{UserID: p.UserID, DeviceID: p.DeviceID, Datastore: name}
	} else if err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	}
	requested := mode
	if needsAnchors(mode) && (pt.LastSync.IsZero() || pt.ClientAnchor == "" || deviceLast != pt.ClientAnchor) {
		e.log.Info("slow sync required", "datastore", name, "device", p.DeviceID,
			"requested", int(requested), "device_last", deviceLast, "stored", pt.ClientAnchor)
		mode, forced = ModeSlow, true
	}
	ds = &Datastore{Partner: p, Name: name, Mode: mode, AckSeq: pt.AckSeq, ContentType: defaultContentType(name)}
	if ds.PriorSeq, err = tx.LastSeq(ctx, p.UserID, name); err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	}
	unacked, err := tx.UnackedAdds(ctx, p.UserID, p.DeviceID, name, nil, 1)
	if err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	}
	ds.Unacked = len(unacked) > 0
	ds.UnackedAtAlert = ds.Unacked
	resent, err := tx.ResentAdds(ctx, p.UserID, p.DeviceID, name)
	if err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	}
	ds.Resent = len(resent) > 0
	if err := e.carryOlder(ctx, tx, p, ds, resent); err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	}
	d, err := e.sessionDevice(ctx, tx, w.as(p)) // nil: first session of the device
	if err != nil {
		return nil, Anchors{}, false, fmt.Errorf("engine: open %s: %w", name, err)
	} else if d != nil {
		ds.Charset = d.Charset
	}
	if ds.Conflict, err = e.conflictRules(ctx, tx, p.UserID, name); err != nil {
		return nil, Anchors{}, false, err
	}
	if ds.Conflict.Policy == conflict.ReadOnly && (mode == ModeOneWayFromClient || mode == ModeRefreshFromClient) {
		e.log.Info("refused: datastore is read-only for devices", "datastore", name, "device", p.DeviceID, "requested", int(requested))
		return nil, Anchors{}, false, ErrReadOnly
	}
	if err := e.openHolds(ctx, tx, ds); err != nil {
		return nil, Anchors{}, false, err
	}
	if err := w.readSetAside(ds); err != nil {
		return nil, Anchors{}, false, err
	}
	return ds, Anchors{Client: pt.ClientAnchor, Server: pt.ServerAnchor}, forced, nil
}

// Prepare readies a datastore for a batch of the device's changes (one
// SyncML Sync command, one ActiveSync Sync collection): luids are the ids
// of the Adds and Replaces in it.
func (w *Work) Prepare(ds *Datastore, luids []string) error {
	if err := ds.Partner.check(); err != nil {
		return err
	}
	st := w.as(ds.Partner)
	if slowMode(ds.Mode) {
		if err := w.e.checkTwins(w.ctx, w.tx, st, ds); err != nil {
			return err
		}
	}
	return w.e.prefetchUnmapped(w.ctx, w.tx, st, ds, luids)
}

// Settle ends a batch that Prepare began.
func (w *Work) Settle(ds *Datastore) error {
	ds.unmapped, ds.decoded = nil, nil
	if slowMode(ds.Mode) && ds.NoTwins {
		// Our own writes advanced the sequence; anyone else's will not
		// match it at the next batch.
		seq, err := w.tx.LastSeq(w.ctx, ds.UserID, ds.Name)
		if err != nil {
			return fmt.Errorf("engine: last seq: %w", err)
		}
		ds.NoTwinsSeq = seq
	}
	return nil
}

// Op is what a change does to an item.
type Op int

// Ops.
const (
	OpAdd Op = iota + 1
	OpReplace
	OpDelete
)

func (o Op) String() string {
	switch o {
	case OpAdd:
		return "Add"
	case OpReplace:
		return "Replace"
	case OpDelete:
		return "Delete"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Change is one change a device sends: LUID is its own id of the item;
// ContentType and Data are empty for a delete.
type Change struct {
	Op          Op
	LUID        string
	ContentType string
	Data        []byte
}

// Outcome is what became of a device's change. Each front end maps it to
// its protocol's status.
type Outcome int

// Outcomes.
const (
	Added         Outcome = iota + 1 // stored as a new item
	Replaced                         // stored as a new version of the item
	Deleted                          // the item was deleted (or unmapped: no longer the device's)
	Matched                          // equal to the server's item, or paired with it; nothing written
	AlreadyHeld                      // an add of an item the server has for this device already
	Revived                          // an item deleted on the server comes back with the device's copy
	NotFound                         // a delete of an item the server does not know for the device
	Merged                           // conflict: the two versions were merged
	ClientWon                        // conflict: the device's version won
	ServerWon                        // conflict: the server's version stays (and goes back to the device)
	Duplicated                       // conflict: the device's version was kept as a new item
	RefusedFormat                    // not an item format the server stores (not text)
	RefusedData                      // empty, undecodable or truncated item
	MissingID                        // the change names no item
	Ignored                          // the mode takes nothing from the device
)

var outcomeNames = [...]string{"", "added", "replaced", "deleted", "matched", "already-held", "revived",
	"not-found", "merged", "client-won", "server-won", "duplicated", "refused-format", "refused-data",
	"missing-id", "ignored"}

func (o Outcome) String() string {
	if o > 0 && int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// outcomeOf is the outcome of a conflict resolution.
func outcomeOf(res conflict.Resolution) Outcome {
	switch res.Status {
	case conflict.StatusMerged:
		return Merged
	case conflict.StatusClientWon:
		return ClientWon
	case conflict.StatusDuplicated:
		return Duplicated
	case conflict.StatusServerWon:
		return ServerWon
	}
	return Replaced
}

// Apply applies one change of the device, durably in this unit of work, and
// says what became of it and which server item the device's id now names
// (guid; "" when none: refused, deleted, or no longer the device's).
func (w *Work) Apply(ds *Datastore, ch Change) (o Outcome, guid string, err error) {
	ds.mapped = ""
	if err := ds.Partner.check(); err != nil {
		return 0, "", err
	}
	o, err = w.e.applyItem(w.ctx, w.tx, w.as(ds.Partner), ds, ch)
	if err != nil {
		return 0, "", err
	}
	count(&w.obs.received, ds.Protocol, ch.Op.String())
	return o, ds.mapped, nil
}

// ServerID returns the server's id of an item a device knows by luid, ""
// when it has none.
func (w *Work) ServerID(ds *Datastore, luid string) (string, error) {
	m, err := w.tx.MapByLUID(w.ctx, ds.UserID, ds.DeviceID, ds.Name, luid)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("engine: map %s: %w", luid, err)
	}
	return m.GUID, nil
}

// Acknowledge records the device's answer to a server change: delivered
// (it applied it; a Delete of an item it did not have counts) or not (the
// change is sent again next time).
func (w *Work) Acknowledge(ds *Datastore, op Op, guid, luid string, delivered bool) error {
	ctx, tx, st := w.ctx, w.tx, w.as(ds.Partner)
	if err := ds.Partner.check(); err != nil {
		return err
	}
	if !delivered {
		ds.Undelivered++
		if op == OpAdd {
			return w.e.forgetAdds(ctx, tx, st, ds, []string{guid}) // the device does not hold it
		}
		return nil
	}
	if op == OpDelete && luid != "" {
		ds.NoTwins = false
		if err := tx.DeleteMapping(ctx, ds.UserID, ds.DeviceID, ds.Name, luid); err != nil {
			return fmt.Errorf("engine: unmap %s: %w", luid, err)
		}
	}
	if op == OpReplace && luid != "" {
		return w.e.confirm(ctx, tx, st, ds, luid, guid)
	}
	return nil
}

// Mapping pairs a device's id of an item with the server's.
type Mapping struct {
	LUID string
	GUID string
}

// Map stores the device's ids for items the server added (they may come in
// a later session than the adds). Only items of the user's datastore are
// mapped; the others are refused (and logged). ds may be a Datastore the
// session did not open (Name and Partner set): then only the mappings are
// written.
func (w *Work) Map(ds *Datastore, maps []Mapping) (mapped, refused int, err error) {
	ctx, tx := w.ctx, w.tx
	if err := ds.Partner.check(); err != nil {
		return 0, 0, err
	}
	guids := make([]string, 0, len(maps))
	for _, m := range maps {
		guids = append(guids, m.GUID)
	}
	known, err := tx.KnownItems(ctx, ds.UserID, ds.Name, guids)
	if err != nil {
		return 0, 0, fmt.Errorf("engine: map items: %w", err)
	}
	// A Map may move a LUID off another item, which a slow sync could then
	// have to match again.
	ds.NoTwins = false
	ok := make([]string, 0, len(guids))
	ms := make([]store.Mapping, 0, len(guids))
	for _, m := range maps {
		if !known[m.GUID] {
			// Not an item of this user's datastore: another user's GUID
			// or a made-up one. Nothing is mapped (user isolation).
			w.e.log.Warn("map names no item of the user's datastore; refused", "device", ds.DeviceID,
				"user", ds.UserName, "datastore", ds.Name, "guid", m.GUID, "luid", m.LUID)
			refused++
			continue
		}
		ms = append(ms, store.Mapping{UserID: ds.UserID, DeviceID: ds.DeviceID, Datastore: ds.Name,
			LUID: m.LUID, GUID: m.GUID, Session: ds.Session})
		ok = append(ok, m.GUID)
	}
	if err := tx.PutMappings(ctx, ms); err != nil {
		return 0, 0, fmt.Errorf("engine: map: %w", err)
	}
	if err := w.e.forgetAdds(ctx, tx, w.as(ds.Partner), ds, ok); err != nil {
		return 0, 0, err
	}
	return len(ok), refused, nil
}

// Complete commits a datastore's finished sync (see complete): next are
// the anchors the next sync must present. The server's changes count as
// acknowledged when NextChange ran out and none was refused or left
// unacknowledged (Datastore.Undelivered); otherwise they are all sent
// again next time.
func (w *Work) Complete(ds *Datastore, next Anchors) error {
	if err := ds.Partner.check(); err != nil {
		return err
	}
	return w.e.complete(w.ctx, w.tx, w.as(ds.Partner), ds, next)
}

// Finish ends a partner's session once its datastores completed: their
// leases are released and the device's last failure is forgotten.
func (w *Work) Finish(p Partner) error {
	if err := w.tx.ReleaseLeases(w.ctx, p.Session); err != nil {
		return fmt.Errorf("engine: release leases: %w", err)
	}
	return w.TouchDevice(p, DeviceChange{ClearErr: true})
}

// LeaseWait bounds how long WaitLeases waits for a datastore another
// session holds.
const LeaseWait = leaseWait
