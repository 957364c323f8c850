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
	twin, equal, ambiguous, _ = pickTwin(cands, pim.Parse(ct, data), func([]string) (map[string]bool, error) { return taken, nil }, nil)
	return twin, equal, ambiguous
}

// takenFunc tells which of the GUIDs are already paired with another item.
type takenFunc func(guids []string) (map[string]bool, error)

// pickTwin chooses, among the candidates the store found for a device's
// or a file's item (FindTwins: same UID or match key), the server item it
// is: the first equivalent one, else the single one pim.Best names (the
// identity rule every pairing path shares). Candidates taken are already
// paired with another item; only those that could be chosen (equivalent,
// else the same item by the identity rule) are looked up, as a name may
// have hundreds of candidates. ambiguous reports two or more equally good
// candidates, of which none is taken.
func pickTwin(cands []store.Item, p *pim.Parsed, taken takenFunc, memo *pairMemo) (twin *store.Item, equal, ambiguous bool, err error) {
	var eq []*store.Item
	for i := range cands {
		if c := &cands[i]; !c.Deleted && memo.equivalent(c, p) {
			eq = append(eq, c)
		}
	}
	if len(eq) > 0 {
		t, err := taken(guidsOf(eq))
		if err != nil {
			return nil, false, false, err
		}
		for _, c := range eq {
			if !t[c.GUID] {
				return c, true, false, nil
			}
		}
	}
	id := p.Identity()
	var same []*store.Item
	var ids []pim.Identity
	for i := range cands {
		c := &cands[i]
		if c.Deleted {
			continue
		}
		if cid := memo.of(c, true).Identity(); sameItem(id, cid) {
			same, ids = append(same, c), append(ids, cid)
		}
	}
	if len(same) == 0 {
		return nil, false, false, nil
	}
	t, err := taken(guidsOf(same))
	if err != nil {
		return nil, false, false, err
	}
	free, freeIDs := same[:0], ids[:0]
	for i, c := range same {
		if !t[c.GUID] {
			free, freeIDs = append(free, c), append(freeIDs, ids[i])
		}
	}
	best, ambiguous := pim.Best(id, freeIDs)
	if best < 0 {
		return nil, false, ambiguous, nil
	}
	return free[best], false, false, nil
}

// sameItem is pim.Match without the score.
func sameItem(a, b pim.Identity) bool {
	same, _ := pim.Match(a, b)
	return same
}

func guidsOf(its []*store.Item) []string {
	guids := make([]string, len(its))
	for i, it := range its {
		guids[i] = it.GUID
	}
	return guids
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
	if !cur.Deleted && ds.memo.equivalent(cur, ci.item()) {
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
		// a change on both sides (by default the content comes back,
		// unless it came back as another item: cameback.go).
		if o, done, err := e.toCameBack(ctx, tx, st, ds, cur, ci, luid); done || err != nil {
			return o, err
		}
		return e.resolveConflict(ctx, tx, st, ds, cur, ci, luid)
	}
	base, err := e.conflictBase(ctx, tx, st, ds, cur)
	if err != nil {
		return 0, err
	}
	switch {
	case base == nil || ds.MergePairs:
		// The device and the server never agreed on a version: merge.
		return e.mergePair(ctx, tx, st, ds, cur, ci, luid)
	case ds.memo.equivalent(cur, pim.Parse(base.ContentType, base.Data)):
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
	sentCT, sent, sentP := ci.contentType, ci.data, ci.item()
	e.preserve(ctx, tx, st, ds, cur, ci) // what the device cannot hold
	curP := ds.memo.of(cur, true)
	// The same name written another way is no difference.
	act, adata := pim.AdoptNameParsed(curP, ci.item())
	cp := reparse(ci.item(), act, adata)
	all := pim.Caps{Props: map[string]int{}} // "holds nothing": every property is put back
	// union: the device's copy with what only the server holds; server:
	// the server's with what only the device holds. Equal, they disagree
	// on no value.
	uct, union, _ := pim.PreserveParsed(curP, cp, all)
	sct, server, _ := pim.PreserveParsed(cp, curP, all)
	unionP, serverP := reparse(cp, uct, union), reparse(curP, sct, server)
	var code Outcome
	held := false // the server held all the device has: nothing written
	switch {
	case ds.memo.equivalent(cur, unionP):
		// The server holds all the device has.
		held = true
		if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
			return 0, err
		}
		ds.Matched++
		code = Matched
	case pim.EquivalentParsed(unionP, serverP):
		if err := e.archiveSent(ctx, tx, st, ds, cur.GUID, unionP, sentP, sentCT, sent); err != nil {
			return 0, err
		}
		ci.setContent(uct, union, unionP)
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
		if err := e.archiveSent(ctx, tx, st, ds, cur.GUID, unionP, sentP, sentCT, sent); err != nil {
			return 0, err
		}
		ci.setContent(uct, union, unionP)
		var err error
		if code, err = e.resolveConflict(ctx, tx, st, ds, cur, ci, luid); err != nil {
			return 0, err
		}
	}
	if ds.Mode != ModeSlow || slices.Contains(ds.Resend, cur.GUID) {
		return code, nil
	}
	now := cur
	if !held {
		var err error
		if now, err = tx.Item(ctx, st.UserID, ds.Name, cur.GUID); err != nil {
			return 0, fmt.Errorf("engine: item %s: %w", cur.GUID, err)
		}
	}
	if now.Deleted || !ds.memo.equivalent(now, sentP) && !e.holdsAll(ctx, tx, st, ds, now, sentP) {
		ds.Resend = append(ds.Resend, cur.GUID)
	}
	return code, nil
}

// archiveSent keeps the device's own copy in the archive, as a conflict
// keeps the loser's, when the merge (union) took it apart: what a device
// synced stays restorable (DESIGN.md, Archive).
func (e *Engine) archiveSent(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, guid string, union, sentP *pim.Parsed, sentCT string, sent []byte) error {
	if pim.EquivalentParsed(union, sentP) {
		return nil
	}
	_, err := e.writeContent(ctx, tx, st, ds, guid, sentCT, sent, OriginConflict)
	return err
}

// holdsAll tells whether a device that sent content sent already holds all
// of item it that it can hold: the item differs from what it sent only in
// properties the device cannot hold (its CTCap; pim.Preserve).
func (e *Engine) holdsAll(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item, sent *pim.Parsed) bool {
	caps := pim.Caps{Props: e.ctCaps(ds, sent.ContentType())}
	if caps.Props == nil {
		caps.Sent = e.sentProps(ctx, tx, st, ds, it)
	}
	pct, p, _ := pim.PreserveParsed(ds.memo.of(it, true), sent, caps)
	return ds.memo.equivalent(it, reparse(sent, pct, p))
}

// staleCopy tells whether a device's copy of an item is an earlier state
// of it: equal to one of its earlier versions (not the current one), once
// what the device cannot hold of that version is put back. That is a copy
// the device kept, not a change it made.
func (e *Engine) staleCopy(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, it *store.Item, ci *clientItem) (bool, error) {
	versions, err := ds.memo.versionsOf(ctx, tx, st.UserID, ds.Name, it)
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
		vp := ds.memo.of(v, true)
		if pim.EquivalentParsed(vp, ci.item()) {
			return true, nil
		}
		if pct, p, kept := pim.PreserveParsed(vp, ci.item(), caps); len(kept) > 0 &&
			pim.EquivalentParsed(vp, pim.Parse(pct, p)) {
			return true, nil
		}
	}
	return false, nil
}
