package engine

import (
	"context"
	"errors"
	"fmt"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// maxVersionTwins bounds the earlier versions one client item is compared
// with.
const maxVersionTwins = 64

// versionTwin finds, for a new item of a two-way or slow sync, the server
// item it is a stale copy of: an item this device has no mapping for, one
// of whose earlier versions equals the client's content. That is what a
// device sends after it lost the mapping of an item the server had sent it
// (killed before its Map) when another device changed or deleted the item
// in between: the current version no longer matches, an earlier one does
// (DESIGN.md: no duplicates). It returns the item's current state, and
// edited when the copy is not stale but the device's edit of an earlier
// version (renamedTwin).
func (e *Engine) versionTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, ci *clientItem) (twin *store.Item, edited bool, err error) {
	sendsAll := ds.Mode == ModeSlow || ds.Mode == ModeRefreshFromClient // the device sends every item it holds
	if !sendsAll && ds.Mode != ModeTwoWay || ds.PriorSeq == 0 || ci.info.UID == "" && ci.info.MatchKey == "" {
		return nil, false, nil
	}
	versions, err := tx.FindVersionTwins(ctx, st.UserID, ds.Name, ci.info.UID, ci.info.MatchKey, maxVersionTwins)
	if err != nil {
		return nil, false, fmt.Errorf("engine: version twins: %w", err)
	}
	checked := map[string]bool{}
	var reduced []*store.Item // earlier versions the copy is a reduced form of
	var same []*store.Item    // earlier versions the copy is the same item as
	for i := range versions {
		v := &versions[i]
		if checked[v.GUID] || ds.pendingGUID(v.GUID) {
			continue
		}
		if !ds.memo.equivalent(v, ci.item()) && !inDeviceForm(ds, v, ci) {
			switch {
			case !sendsAll || v.Deleted:
			case reducedCopyOf(ds.memo.of(v, true), ci.item()):
				reduced = append(reduced, v)
			case sameByIdentifier(ds.memo.of(v, true), ci.item()):
				same = append(same, v)
			}
			continue
		}
		checked[v.GUID] = true
		if m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, v.GUID); err == nil {
			// The device holds this item under another LUID; in a slow
			// sync only if it sent it in this one (a mapping left from
			// before may name a LUID the device no longer has).
			if !sendsAll || m.Session == st.Key {
				continue
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, false, fmt.Errorf("engine: map %s: %w", v.GUID, err)
		}
		cur, err := tx.Item(ctx, st.UserID, ds.Name, v.GUID)
		if err != nil {
			return nil, false, fmt.Errorf("engine: item %s: %w", v.GUID, err)
		}
		return cur, false, nil
	}
	if twin, err := e.reducedVersionTwin(ctx, tx, st, ds, reduced, nil); err != nil || twin != nil {
		return twin, false, err
	}
	twin, err = e.reducedVersionTwin(ctx, tx, st, ds, same, ci.item())
	return twin, twin != nil, err
}

// sameByIdentifier tells whether a device's copy is, by the identity rule
// (pim.Match), the item version v was, on an identifier both hold (a UID,
// an e-mail address or phone number): a name alone is too weak a tie to
// an item that has since changed.
func sameByIdentifier(v, c *pim.Parsed) bool {
	same, score := pim.Match(v.Identity(), c.Identity())
	return same && score > 0 && v.Kind() == pim.KindContact
}

// inDeviceForm tells whether a device's copy is version v in the form the
// device holds (Datastore.DeviceForm): an EAS device re-sends a contact as
// its class's fields make it, FN rebuilt from N and the filing name apart,
// which equals no stored version as such.
func inDeviceForm(ds *syncedStore, v *store.Item, ci *clientItem) bool {
	if ds.DeviceForm == nil || v.Deleted {
		return false
	}
	vct, vdata := v.Canon()
	fct, form, ok := ds.DeviceForm(vct, vdata)
	return ok && pim.Equivalent(fct, form, ci.contentType, ci.data)
}

// reducedVersionTwin picks, in a slow sync, the item of which the
// device's copy is a reduced form of an earlier version: a phone that
// holds fewer fields of a person (the identity rule pairs it with the
// current version) whose first slow sync was abandoned while another
// device changed the person's name and numbers. Its copy is then neither
// the current version nor equivalent to an earlier one, yet it holds
// nothing that version did not: it is stale, not a new person. Only a
// single such item, not the current version and not paired with another
// of the device's items in this session, qualifies; otherwise the copy stays apart (pickTwin's ambiguity rule).
//
// With edit set, the versions are earlier ones the device's copy is the
// same contact as (sameByIdentifier), and the copy is the device's edit
// of it (renamedTwin): a phone whose copy a slow sync could not pair with
// the current version because another device renamed the person since.
// Then the current version must not be the same item as the copy (that
// is findTwin's to decide, and it found none or several).
func (e *Engine) reducedVersionTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, reduced []*store.Item, edit *pim.Parsed) (*store.Item, error) {
	var twin *store.Item
	for _, v := range reduced {
		if twin != nil && v.GUID == twin.GUID {
			continue
		}
		cur, err := tx.Item(ctx, st.UserID, ds.Name, v.GUID)
		if err != nil {
			return nil, fmt.Errorf("engine: item %s: %w", v.GUID, err)
		}
		if cur.Deleted || cur.Version == v.Version {
			continue // a deletion is not undone by a guess; the current version is findTwin's
		}
		if edit != nil && sameItem(ds.memo.of(cur, true).Identity(), edit.Identity()) {
			continue
		}
		if m, err := tx.MapByGUID(ctx, st.UserID, st.DeviceID, ds.Name, v.GUID); err == nil && m.Session == st.Key {
			continue // another of this device's items is it
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("engine: map %s: %w", v.GUID, err)
		}
		if twin != nil {
			return nil, nil // two items: none is the one
		}
		twin = cur
	}
	return twin, nil
}

// reducedCopyOf tells whether a device's copy holds nothing version v did
// not: v's name written another way, fewer properties, no other values.
func reducedCopyOf(v, c *pim.Parsed) bool {
	act, adata := pim.AdoptNameParsed(v, c)
	c = reparse(c, act, adata)
	all := pim.Caps{Props: map[string]int{}} // "holds nothing": every property is put back
	uct, union, _ := pim.PreserveParsed(v, c, all)
	return pim.EquivalentParsed(v, reparse(c, uct, union))
}

// takeVersionTwin maps the device's stale copy to the server item and
// makes the item's current state (a newer version, or its deletion) reach
// the device in this session: the device did not change the item, so the
// server's state stands.
func (e *Engine) takeVersionTwin(ctx context.Context, tx store.SyncTx, st *sessionState, ds *syncedStore, cur *store.Item, luid string) (Outcome, error) {
	if err := e.confirm(ctx, tx, st, ds, luid, cur.GUID); err != nil {
		return 0, err
	}
	ds.Matched++
	e.log.Info("device's new item is an earlier version of a server item", "device", st.DeviceID,
		"datastore", ds.Name, "guid", cur.GUID, "deleted", cur.Deleted)
	switch {
	case ds.Mode == ModeSlow:
		ds.Resend = append(ds.Resend, cur.GUID) // the slow sync sends only unmatched items
	case !changedSince(cur, ds, st) && !cur.Deleted:
		// Not in the device's change window: a new version puts it there.
		if _, err := e.writeContent(ctx, tx, st, ds, cur.GUID, cur.ContentType, cur.Data, OriginServer); err != nil {
			return 0, err
		}
	case !changedSince(cur, ds, st):
		// Deleted by this device, through the LUID it had mapped: the
		// change log does not send a device its own deletion, so the
		// copy it still holds is deleted after the changes (fillResend).
		ds.Resend = append(ds.Resend, cur.GUID)
	}
	if ds.Mode == ModeSlow {
		return Matched, nil
	}
	return AlreadyHeld, nil
}
