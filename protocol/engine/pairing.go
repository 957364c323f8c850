package engine

import (
	"context"
	"fmt"
	"slices"

	"anchorage/conflict"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// PickTwin is pickTwin, for the importer (admin), which pairs a file's
// items by the same identity rule as a slow sync.
func PickTwin(cands []store.Item, ct string, data []byte, taken map[string]bool) (twin *store.Item, equal, ambiguous bool) {
	return pickTwin(cands, ct, data, taken)
}

// pickTwin chooses, among the candidates the store found for a device's
// or a file's item (FindTwins: same UID or match key), the server item it
// is: an equivalent one first, else the single one pim.Best names (the
// identity rule every pairing path shares). Candidates in taken are
// already paired with another item. ambiguous reports two or more equally
// good candidates, of which none is taken.
func pickTwin(cands []store.Item, ct string, data []byte, taken map[string]bool) (twin *store.Item, equal, ambiguous bool) {
	free := make([]*store.Item, 0, len(cands))
	for i := range cands {
		c := &cands[i]
		if taken[c.GUID] || c.Deleted {
			continue
		}
		if equivalentTo(c, ct, data) {
			return c, true, false
		}
		free = append(free, c)
	}
	if len(free) == 0 {
		return nil, false, false
	}
	id := pim.IdentityOf(ct, data)
	ids := make([]pim.Identity, len(free))
	for i, c := range free {
		ids[i] = pim.IdentityOf(c.Canon())
	}
	best, ambiguous := pim.Best(id, ids)
	if best < 0 {
		return nil, false, ambiguous
	}
	return free[best], false, false
}

// pairSlow settles, in a slow sync or refresh from client, a device's item
// against the server item it is (mapped to its LUID, or found by
// identity). Nothing the device sends in a slow sync says what changed, so
// its copy never simply overwrites the server's (DESIGN.md: rules that keep
// data safe):
//   - equivalent content is nothing to do;
//   - a copy of an earlier version of the item (or of the item before its
//     deletion) is stale: the server's current state goes to the device;
//   - a refresh from client writes the device's copy (its data is to
//     become the server's);
//   - otherwise, when the device and the server agreed on a version
//     before (conflictBase), the device's copy is its change when the
//     server did not change since, else the conflict rules decide with
//     that version as the base; when they never agreed (a new or reset
//     device), or the device's copies carry no history (MergePairs), the
//     two copies are merged (mergePair).
func (e *Engine) pairSlow(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, error) {
	if !cur.Deleted && equivalentTo(cur, ci.contentType, ci.data) {
		if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Matched++
		return Matched, nil
	}
	if ds.Conflict.Policy == conflict.ReadOnly {
		if !cur.Deleted {
			e.preserve(ctx, tx, st, ds, cur, ci)
		}
		return e.resolveConflict(ctx, tx, st, ds, cur, ci, luid)
	}
	if ds.Mode == ModeSlow {
		stale, err := e.staleCopy(ctx, tx, st, ds, cur, ci)
		if err != nil {
			return 0, err
		}
		if stale {
			return e.takeVersionTwin(ctx, tx, st, ds, cur, luid)
		}
		// The device's edit of an Add it never mapped (unacked.go).
		if a, err := e.isUnacked(ctx, tx, st, ds, cur.GUID); err != nil {
			return 0, err
		} else if a != nil {
			return e.takePair(ctx, tx, st, ds, a, ci)
		}
	}
	if ds.Mode == ModeRefreshFromClient && !cur.Deleted {
		// The device's data is to become the server's: its copy is
		// written, with what it cannot hold kept.
		e.preserve(ctx, tx, st, ds, cur, ci)
		return e.takeCopy(ctx, tx, st, ds, cur, ci, luid)
	}
	if cur.Deleted {
		// Deleted on the server, held with other content by the device:
		// a change on both sides (by default the content comes back).
		return e.resolveConflict(ctx, tx, st, ds, cur, ci, luid)
	}
	base, err := e.conflictBase(ctx, tx, st, ds, cur.GUID)
	if err != nil {
		return 0, err
	}
	switch {
	case base == nil || ds.MergePairs:
		// The device and the server never agreed on a version: merge.
		return e.mergePair(ctx, tx, st, ds, cur, ci, luid)
	case equivalentTo(cur, base.ContentType, base.Data):
		// Unchanged on the server since the device last agreed to it:
		// the device's copy is its change, as in a fast sync.
		e.preserve(ctx, tx, st, ds, cur, ci)
		return e.takeCopy(ctx, tx, st, ds, cur, ci, luid)
	}
	// Changed on both sides since they last agreed: the rules decide.
	e.preserve(ctx, tx, st, ds, cur, ci)
	return e.resolveWithBase(ctx, tx, st, ds, cur, ci, luid, base)
}

// takeCopy writes a device's copy as the item's new version.
func (e *Engine) takeCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, error) {
	if _, err := e.write(ctx, tx, st, ds, cur.GUID, ci); err != nil {
		return 0, err
	}
	if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
		return 0, err
	}
	ds.Replaced++
	return Replaced, nil
}

// mergePair merges a device's copy of an item into the server's, neither
// being an earlier state of the other: what only the server holds stays
// (the device never had it; it did not delete it), what only the device
// holds is added, and where both hold different values of a property the
// conflict rules decide, with the archive's versions as the base. The
// device receives the result when it differs from what it sent.
func (e *Engine) mergePair(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, ci *clientItem, luid string) (Outcome, error) {
	sentCT, sent := ci.contentType, ci.data
	e.preserve(ctx, tx, st, ds, cur, ci) // what the device cannot hold
	curCT, curData := cur.Canon()
	// The same name written another way is no difference.
	ci.contentType, ci.data = pim.AdoptName(curCT, curData, ci.contentType, ci.data)
	all := pim.Caps{Props: map[string]int{}} // "holds nothing": every property is put back
	// union: the device's copy with what only the server holds; server:
	// the server's with what only the device holds. Equal, they disagree
	// on no value.
	uct, union, _ := pim.Preserve(curCT, curData, ci.contentType, ci.data, all)
	sct, server, _ := pim.Preserve(ci.contentType, ci.data, curCT, curData, all)
	var code Outcome
	switch {
	case equivalentTo(cur, uct, union):
		// The server holds all the device has.
		if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Matched++
		code = Matched
	case pim.Equivalent(uct, union, sct, server):
		if err := e.archiveSent(ctx, tx, st, ds, cur.GUID, uct, union, sentCT, sent); err != nil {
			return 0, err
		}
		ci.contentType, ci.data, ci.info = uct, union, pim.Describe(uct, union)
		if _, err := e.write(ctx, tx, st, ds, cur.GUID, ci); err != nil {
			return 0, err
		}
		if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Replaced++
		code = Replaced
	default:
		// The conflict rules decide between the server's version and the
		// union, which may hold neither's values alone.
		if err := e.archiveSent(ctx, tx, st, ds, cur.GUID, uct, union, sentCT, sent); err != nil {
			return 0, err
		}
		ci.contentType, ci.data, ci.info = uct, union, pim.Describe(uct, union)
		var err error
		if code, err = e.resolveConflict(ctx, tx, st, ds, cur, ci, luid); err != nil {
			return 0, err
		}
	}
	if ds.Mode != ModeSlow || slices.Contains(ds.Resend, cur.GUID) {
		return code, nil
	}
	now, err := tx.Item(ctx, st.UserID, ds.Name, cur.GUID)
	if err != nil {
		return 0, fmt.Errorf("engine: item %s: %w", cur.GUID, err)
	}
	if now.Deleted || !equivalentTo(now, sentCT, sent) && !e.holdsAll(ctx, tx, st, ds, now, sentCT, sent) {
		ds.Resend = append(ds.Resend, cur.GUID)
	}
	return code, nil
}

// archiveSent keeps the device's own copy in the archive, as a conflict
// keeps the loser's, when the merge (uct, union) took it apart: what a
// device synced stays restorable (DESIGN.md, Archive).
func (e *Engine) archiveSent(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid, uct string, union []byte, sentCT string, sent []byte) error {
	if pim.Equivalent(uct, union, sentCT, sent) {
		return nil
	}
	_, err := e.writeContent(ctx, tx, st, ds, guid, sentCT, sent, OriginConflict)
	return err
}

// holdsAll tells whether a device that sent (ct, data) already holds all
// of item it that it can hold: the item differs from what it sent only in
// properties the device cannot hold (its CTCap; pim.Preserve).
func (e *Engine) holdsAll(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item, ct string, data []byte) bool {
	caps := pim.Caps{Props: e.ctCaps(ds, ct)}
	if caps.Props == nil {
		caps.Sent = e.sentProps(ctx, tx, st, ds, it.GUID)
	}
	itCT, itData := it.Canon()
	pct, p, _ := pim.Preserve(itCT, itData, ct, data, caps)
	return equivalentTo(it, pct, p)
}

// staleCopy tells whether a device's copy of an item is an earlier state
// of it: equal to one of its earlier versions (not the current one), once
// what the device cannot hold of that version is put back. That is a copy
// the device kept, not a change it made.
func (e *Engine) staleCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item, ci *clientItem) (bool, error) {
	versions, err := tx.Versions(ctx, st.UserID, ds.Name, it.GUID)
	if err != nil {
		return false, fmt.Errorf("engine: versions %s: %w", it.GUID, err)
	}
	caps := pim.Caps{Props: e.ctCaps(ds, ci.contentType)}
	last := len(versions) - 1
	if it.Deleted {
		last = len(versions) // every content version is an earlier state
	}
	for i := range versions[:max(0, last)] {
		v := &versions[i]
		if v.Deleted || v.Origin == OriginConflict {
			continue
		}
		vct, vdata := v.Canon()
		if pim.Equivalent(vct, vdata, ci.contentType, ci.data) {
			return true, nil
		}
		if pct, p, kept := pim.Preserve(vct, vdata, ci.contentType, ci.data, caps); len(kept) > 0 &&
			pim.Equivalent(vct, vdata, pct, p) {
			return true, nil
		}
	}
	return false, nil
}
