package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"anchorage/conflict"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// checkTwins tells, once per message of a slow sync, whether findTwin can
// find anything: a device uploading into an empty (or fully matched)
// datastore otherwise pays two indexed queries per item for nothing. The
// answer holds until someone else writes to the datastore; then it is
// asked again.
func (e *Engine) checkTwins(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore) error {
	seq, err := tx.LastSeq(ctx, st.UserID, ds.Name)
	if err != nil {
		return fmt.Errorf("engine: last seq: %w", err)
	}
	if ds.NoTwins && seq == ds.NoTwinsSeq {
		return nil
	}
	left, err := tx.UnconfirmedHeads(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, "", 1)
	if err != nil {
		return fmt.Errorf("engine: twins left: %w", err)
	}
	ds.NoTwins, ds.NoTwinsSeq = len(left) == 0, seq
	return nil
}

// prefetchUnmapped finds, in one query, which of the Sync command's Add
// and Replace LUIDs have no mapping, so that applyItem need not look each
// one up: an upload of new items then costs no mapping lookup per item.
// Only the item with LUID L maps L (confirm), so an entry is true until
// that item is applied; applyItem takes it out then, and any later item
// with the same LUID looks its mapping up.
func (e *Engine) prefetchUnmapped(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, luids []string) error {
	if len(luids) == 0 || ds.Mode == ModeRefreshFromServer {
		return nil
	}
	unmapped, err := tx.UnmappedLUIDs(ctx, st.UserID, st.DeviceID, ds.Name, luids)
	if err != nil {
		return fmt.Errorf("engine: unmapped luids: %w", err)
	}
	ds.unmapped = unmapped
	return nil
}

// clientItem is a decoded item a device sent.
type clientItem struct {
	luid        string
	contentType string
	data        []byte
	info        pim.Info
	// canonical is data's canonical form when data is not in one, made
	// with info (pim.DescribeCanonical); canonicalOf is the data it was
	// made from, for writeVersion to tell whether data changed since.
	canonicalType string
	canonical     []byte
	canonicalOf   []byte
	// parsed is the content parsed for pairing (item).
	parsed *pim.Parsed
}

// applyItem applies one change of the device and says what became of it.
func (e *Engine) applyItem(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ch Change) (Outcome, error) {
	if ds.Mode == ModeRefreshFromServer {
		// The device is about to be overwritten; nothing it sends is kept.
		return Ignored, nil
	}
	luid := ch.LUID
	if luid == "" {
		return MissingID, nil // incomplete: no item id
	}
	ds.memo = ds.memo.next()
	if ch.Op == OpDelete {
		return e.applyDelete(ctx, tx, st, ds, luid)
	}
	ct := ch.ContentType
	if ct == "" {
		ct = ds.ContentType
	}
	ci, refused := ds.decode(ct, ch)
	if refused != 0 {
		e.log.Warn("item rejected", "device", st.DeviceID, "luid", luid, "outcome", refused,
			"reason", rejectReason(refused), "type", ct)
		ds.Rejected++
		return refused, nil
	}
	ci.luid = luid
	if ds.SendType == "" && len(ds.Accepts) == 0 {
		// No DevInf: the device gets back the format it sends.
		ds.SendType = strings.ToLower(ci.contentType)
	}
	if ds.Charset != "" {
		recode(ci, ds.Charset) // charset.go
	}
	slow := slowMode(ds.Mode)

	var m *store.Mapping
	var err error
	if ds.unmapped[luid] {
		delete(ds.unmapped, luid) // known unmapped (prefetchUnmapped)
	} else if m, err = tx.MapByLUID(ctx, st.UserID, st.DeviceID, ds.Name, luid); err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("engine: map %s: %w", luid, err)
	}
	if m != nil && ds.pendingGUID(m.GUID) {
		m = nil // deleted in this session: the id names no item now
	}
	var cur *store.Item
	if m != nil {
		cur, err = tx.Item(ctx, st.UserID, ds.Name, m.GUID)
		if errors.Is(err, store.ErrNotFound) {
			cur = nil
		} else if err != nil {
			return 0, fmt.Errorf("engine: item %s: %w", m.GUID, err)
		}
	}

	if cur != nil && !cur.Deleted && ds.Resent {
		if out, ok, err := e.newerCopy(ctx, tx, st, ds, cur, ci, luid); err != nil || ok {
			return out, err // resent.go
		}
	}
	if cur != nil && cur.Deleted && ds.Resent && (!slow || ds.Mode == ModeRefreshFromClient) {
		if out, ok, err := e.deletedNewerCopy(ctx, tx, st, ds, cur, ci, luid); err != nil || ok {
			return out, err // resent.go
		}
	}
	if cur != nil && slow {
		// A slow sync of an item the device has mapped: its copy may be
		// stale, changed, or both sides changed (pairing.go).
		return e.pairSlow(ctx, tx, st, ds, cur, ci, luid)
	}
	if cur != nil && !cur.Deleted {
		if ds.memo.equivalent(cur, ci.item()) {
			// Same content: nothing to write. A device re-sending an Add
			// it already has (SyncEvolution after a one-way-from-server)
			// gets 208 and no duplicate, as the reference server answers.
			if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
				return 0, err
			}
			ds.Matched++
			if ch.Op == OpAdd {
				return AlreadyHeld, nil
			}
			return Matched, nil
		}
		if ds.Conflict.Policy == conflict.ReadOnly || changedSince(cur, ds, st) {
			// Changed on both sides, or the datastore takes no device
			// changes: the rules decide, on the device's version with
			// what it cannot hold put back (else a merge would take
			// those properties as removed by the device).
			e.preserve(ctx, tx, st, ds, cur, ci)
			return e.resolveConflict(ctx, tx, st, ds, cur, ci, luid)
		}
		e.preserve(ctx, tx, st, ds, cur, ci) // keep what the device cannot hold (preserve.go)
		return e.takeCopy(ctx, tx, st, ds, cur, ci, luid)
	}
	readOnly := ds.Conflict.Policy == conflict.ReadOnly
	if cur != nil {
		// Deleted: it may have come back as another item (cameback.go).
		if o, done, err := e.toCameBack(ctx, tx, st, ds, cur, ci, luid); done || err != nil {
			return o, err
		}
	}
	if cur != nil && (readOnly || changedSince(cur, ds, st)) {
		// Deleted elsewhere, modified on the device: the rules decide
		// (by default the modification survives, as below).
		return e.resolveConflict(ctx, tx, st, ds, cur, ci, luid)
	}
	if cur != nil {
		// The device changed an item the server deleted (a Replace in a
		// fast sync): it comes back under its own GUID, once, rather
		// than as a new item per device.
		if _, err := e.write(ctx, tx, st, ds, cur.GUID, ci); err != nil {
			return 0, err
		}
		if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Replaced++
		return Revived, nil
	}

	if c, err := e.staleDuplicate(ctx, tx, st, ds, ci); err != nil {
		return 0, err
	} else if c != nil {
		return e.takeOlderCopy(ctx, tx, st, ds, c, ci)
	} else if len(ds.OlderCarried) > 0 {
		// Not (or no longer) an older copy: a new item, not to be
		// deleted on the device by a Delete carried over (carryOlder).
		ds.DeleteLUIDs = slices.DeleteFunc(ds.DeleteLUIDs, func(l string) bool { return l == luid })
	}
	if slow {
		twin, err := e.findTwin(ctx, tx, st, ds, ci)
		if err != nil {
			return 0, err
		}
		if twin != nil {
			return e.pairSlow(ctx, tx, st, ds, twin, ci, luid)
		}
	}
	if !slow {
		twin, err := e.undeliveredTwin(ctx, tx, st, ds, ci)
		if err != nil {
			return 0, err
		}
		if twin != nil {
			// The device already holds this server item: it got it in a
			// session that ended before its Map (or re-sends what a
			// one-way-from-server gave it). Map it, do not duplicate it.
			if err := e.confirm(ctx, tx, st, ds, luid, twin.GUID); err != nil {
				return 0, err
			}
			ds.Matched++
			return AlreadyHeld, nil
		}
	}
	if vt, edited, err := e.versionTwin(ctx, tx, st, ds, ci); err != nil {
		return 0, err
	} else if vt != nil && (ds.Mode == ModeRefreshFromClient || edited) {
		if !vt.Deleted {
			// The device's data becomes the server's, on the item it is
			// a copy of: not a new item next to it. An edited copy of an
			// earlier version is paired with the item as a slow sync
			// pairs any copy (pairSlow: merged, or the conflict rules).
			return e.pairSlow(ctx, tx, st, ds, vt, ci, luid)
		}
	} else if vt != nil {
		return e.takeVersionTwin(ctx, tx, st, ds, vt, luid)
	}
	if a, err := e.unackedPair(ctx, tx, st, ds, ci); err != nil {
		return 0, err
	} else if a != nil {
		return e.takePair(ctx, tx, st, ds, a, ci)
	}
	if slow && ds.MergePairs {
		if h, err := e.heldEdit(ctx, tx, st, ds, ci); err != nil {
			return 0, err
		} else if h != nil {
			return e.pairHeldEdit(ctx, tx, st, ds, h, ci, luid)
		}
	}
	if readOnly {
		return e.refuseAdd(ctx, tx, st, ds, ci, luid)
	}
	guid := newGUID(e.now())
	if _, err := e.writeNew(ctx, tx, st, ds, guid, ci); err != nil {
		return 0, err
	}
	if err := e.confirm(ctx, tx, st, ds, luid, guid); err != nil {
		return 0, err
	}
	ds.Added++
	return Added, nil
}

// findTwin looks, during a slow sync, for the server item a device's item
// is (pickTwin: the identity rule) among those no other item of this
// device claimed in this session (DESIGN.md: rules that keep data safe).
// Several equally good candidates pair with none: the item is added, and
// a log line says why.
func (e *Engine) findTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*store.Item, error) {
	if ds.NoTwins || ci.info.UID == "" && ci.info.MatchKey == "" {
		return nil, nil
	}
	if ci.info.UID != "" && ci.info.MatchKey != "" {
		// An item equivalent to the device's holds its UID: when one of
		// the items with that UID is, it is the one pickTwin would take
		// first, and the namesakes (a name may have hundreds) need not be
		// read.
		if twin, err := e.pickTwinFrom(ctx, tx, st, ds, ci, ci.info.UID, ""); err != nil || twin != nil {
			return twin, err
		}
	}
	return e.pickTwinFrom(ctx, tx, st, ds, ci, ci.info.UID, ci.info.MatchKey)
}

// pickTwinFrom is findTwin among the items with the UID or match key
// given; with only a UID, it returns only an equivalent item.
func (e *Engine) pickTwinFrom(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem, uid, matchKey string) (*store.Item, error) {
	cands, err := tx.FindTwins(ctx, st.UserID, ds.Name, uid, matchKey)
	if err != nil {
		return nil, fmt.Errorf("engine: find twins: %w", err)
	}
	cands = slices.DeleteFunc(cands, func(c store.Item) bool { return ds.pendingGUID(c.GUID) })
	if len(cands) == 0 {
		return nil, nil
	}
	taken := func(guids []string) (map[string]bool, error) {
		return tx.ConfirmedInSession(ctx, st.UserID, st.DeviceID, ds.Name, st.Key, guids)
	}
	twin, equal, ambiguous, err := pickTwin(cands, ci.item(), taken, ds.memo)
	if err != nil {
		return nil, fmt.Errorf("engine: twins taken: %w", err)
	}
	if matchKey == "" && ci.info.MatchKey != "" && !equal {
		return nil, nil // the full search decides
	}
	if ambiguous {
		e.log.Info("device's item matches several server items equally well; kept apart", "device", st.DeviceID,
			"datastore", ds.Name, "summary", ci.info.Summary, "candidates", len(cands))
	}
	return twin, nil
}

// undeliveredTwin finds, in a fast sync, a live server item equal to a new
// client item that the device has no mapping for and has not acknowledged:
// a change we sent it whose delivery never completed.
func (e *Engine) undeliveredTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (*store.Item, error) {
	if ci.info.UID == "" && ci.info.MatchKey == "" {
		return nil, nil
	}
	cands, err := tx.FindTwins(ctx, st.UserID, ds.Name, ci.info.UID, ci.info.MatchKey)
	if err != nil {
		return nil, fmt.Errorf("engine: find twins: %w", err)
	}
	for i := range cands {
		c := &cands[i]
		if c.Seq <= ds.AckSeq || c.Origin == st.DeviceID || ds.pendingGUID(c.GUID) || !ds.memo.equivalent(c, ci.item()) {
			continue
		}
		if _, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, c.GUID); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("engine: map %s: %w", c.GUID, err)
		}
		return c, nil
	}
	return nil, nil
}

func (e *Engine) applyDelete(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, luid string) (Outcome, error) {
	ds.NoTwins = false // a conflict may keep the item, unmapped: a twin again
	m, err := tx.MapByLUID(ctx, st.UserID, st.DeviceID, ds.Name, luid)
	if errors.Is(err, store.ErrNotFound) {
		return NotFound, nil // item not deleted: not found
	} else if err != nil {
		return 0, fmt.Errorf("engine: map %s: %w", luid, err)
	}
	cur, err := tx.Item(ctx, st.UserID, ds.Name, m.GUID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("engine: item %s: %w", m.GUID, err)
	}
	if older, ok := ds.OlderLUIDs[m.GUID]; ok && cur != nil && !cur.Deleted && older != luid {
		return e.newerDeleted(ctx, tx, st, ds, m.GUID, luid, older) // resent.go
	}
	if cur != nil && !cur.Deleted && (changedSince(cur, ds, st) || ds.Conflict.Policy == conflict.ReadOnly) {
		// Deleted on the device, modified elsewhere: the policy decides;
		// by default the modification survives and, unmapped now, goes
		// back to the device as an Add.
		return e.resolveConflict(ctx, tx, st, ds, cur, nil, luid)
	}
	if cur != nil && !cur.Deleted {
		// Applied, or held, when the session completes (guard.go).
		a, err := e.isUnacked(ctx, tx, st, ds, m.GUID)
		if err != nil {
			return 0, err
		}
		ds.Pending = append(ds.Pending, pendingDelete{GUID: m.GUID, LUID: luid, Seq: cur.Seq, Stale: a != nil})
		ds.Deleted++
		return Deleted, nil
	}
	if err := tx.DeleteMapping(ctx, st.UserID, st.DeviceID, ds.Name, luid); err != nil {
		return 0, fmt.Errorf("engine: unmap %s: %w", luid, err)
	}
	ds.Deleted++
	return Deleted, nil
}

// checkItem refuses items that cannot be what they claim: a non-text type
// (RefusedFormat), a vCard / vCalendar without its BEGIN and END lines
// (RefusedData, a truncated item), or a calendar without an event, task or
// journal entry (RefusedData: a VTIMEZONE alone is no item, RFC 5545 3.6).
// Anything else is stored as received, so that an odd but readable item
// from some phone is never lost to strictness.
func checkItem(ct string, data []byte) Outcome {
	t := strings.ToLower(strings.TrimSpace(ct))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if !strings.HasPrefix(t, "text/") && !strings.HasPrefix(t, "application/vnd.syncml") {
		return RefusedFormat
	}
	var comp string
	switch t {
	case "text/vcard", "text/x-vcard", "text/directory":
		comp = "VCARD"
	case "text/calendar", "text/x-vcalendar":
		comp = "VCALENDAR"
	default:
		return 0
	}
	if !containsFold(data, "BEGIN:"+comp) || !containsFold(data, "END:"+comp) {
		return RefusedData
	}
	if comp == "VCALENDAR" && pim.CheckCalendarItem(data) != nil {
		return RefusedData
	}
	return 0
}

// containsFold is strings.Contains(strings.ToUpper(data), upper) without
// copying the item when it spells the name in upper case, as nearly all do.
func containsFold(data []byte, upper string) bool {
	return bytes.Contains(data, []byte(upper)) || strings.Contains(strings.ToUpper(string(data)), upper)
}

func rejectReason(o Outcome) string {
	switch o {
	case RefusedFormat:
		return "unsupported content type"
	case RefusedData:
		return "empty, undecodable or truncated item, or none of a contact, event, task or note"
	}
	return ""
}

// changedSince tells whether another device (or the admin) changed the item
// after the changes this device acknowledged: a conflict if the device
// changed it too.
func changedSince(cur *store.Item, ds *syncedStore, st *sessionState) bool {
	return cur.Seq > ds.AckSeq && cur.Origin != st.DeviceID
}

// write stores a new version of an item with the device as its origin.
func (e *Engine) write(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string, ci *clientItem) (*store.Item, error) {
	return e.writeVersion(ctx, tx, st, ds, guid, ci, false)
}

// writeNew is write for a GUID just made (the store skips looking up
// earlier versions: one query less per item of an upload).
func (e *Engine) writeNew(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string, ci *clientItem) (*store.Item, error) {
	return e.writeVersion(ctx, tx, st, ds, guid, ci, true)
}

func (e *Engine) writeVersion(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string, ci *clientItem, isNew bool) (*store.Item, error) {
	w := &store.ItemWrite{
		UserID: st.UserID, Datastore: ds.Name, GUID: guid, ContentType: ci.contentType, Data: ci.data,
		UID: ci.info.UID, MatchKey: ci.info.MatchKey, Summary: ci.info.Summary,
		Origin: st.DeviceID, Time: e.now(), New: isNew,
	}
	if ci.canonicalOf != nil && bytes.Equal(ci.canonicalOf, ci.data) && !bytes.Equal(ci.canonical, ci.data) {
		w.CanonicalType, w.Canonical = ci.canonicalType, ci.canonical // made at decode
	}
	it, err := tx.WriteItem(ctx, withCanonical(w))
	if err != nil {
		return nil, fmt.Errorf("engine: write %s: %w", guid, err)
	}
	return it, nil
}

// confirm records (or re-confirms) the LUID<->GUID mapping in this
// session; a GUID mapped is no longer an unacknowledged Add.
func (e *Engine) confirm(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, luid, guid string) error {
	err := tx.PutMapping(ctx, &store.Mapping{UserID: st.UserID, DeviceID: st.DeviceID, Datastore: ds.Name,
		LUID: luid, GUID: guid, Session: st.Key})
	if err != nil {
		return fmt.Errorf("engine: map %s to %s: %w", luid, guid, err)
	}
	ds.mapped = guid
	return e.forgetAdds(ctx, tx, st, ds, []string{guid})
}

// decodeClientItem checks and describes a device's item; a non-zero
// outcome refuses it.
func decodeClientItem(ct string, data []byte) (*clientItem, Outcome) {
	if len(data) == 0 {
		return nil, RefusedData
	}
	if o := checkItem(ct, data); o != 0 {
		return nil, o
	}
	ci := &clientItem{contentType: ct, data: data}
	if isCanonicalForm(ct, data) {
		ci.info = pim.Describe(ct, data)
		return ci, 0
	}
	var err error
	ci.info, ci.canonicalType, ci.canonical, err = pim.DescribeCanonical(ct, data)
	switch {
	case err == nil:
		ci.canonicalOf = data
	case pim.IsSIF(ct):
		// SIF (XML no other device or export reads) that has no canonical
		// form is no item: stored, nothing could compare, merge or export
		// it. An odd vCard or vCalendar is kept as received (checkItem).
		return nil, RefusedData
	}
	return ci, 0
}
