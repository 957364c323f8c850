package engine

import (
	"bytes"
	"cmp"
	"fmt"
)

// PrepareItems is Prepare for a batch whose Adds and Replaces a front end
// has at hand (an ActiveSync Sync collection): each item is decoded once,
// here, for applyItem to take, and the batch's UIDs and match keys are
// looked up in one query per kind (store PrefetchTwinKeys), so that the
// twin searches of an item no version has the keys of (a new contact)
// cost no query each. Answers are the same as without.
func (w *Work) PrepareItems(ds *Datastore, changes []Change) error {
	luids := make([]string, 0, len(changes))
	for _, ch := range changes {
		if ch.Op != OpDelete {
			luids = append(luids, ch.LUID)
		}
	}
	if err := w.Prepare(ds, luids); err != nil {
		return err
	}
	if ds.Mode == ModeRefreshFromServer {
		return nil // applyItem decodes nothing
	}
	ds.decoded = make(map[string]*clientItem, len(changes))
	var uids, keys []string
	for _, ch := range changes {
		if ch.Op == OpDelete || ch.LUID == "" {
			continue
		}
		ci, refused := decodeClientItem(cmp.Or(ch.ContentType, ds.ContentType), ch.Data)
		if refused != 0 {
			continue // applyItem decodes it again and says why
		}
		ds.decoded[ch.LUID] = ci
		uids, keys = append(uids, ci.info.UID), append(keys, ci.info.MatchKey)
	}
	if err := w.tx.PrefetchTwinKeys(w.ctx, ds.UserID, ds.Name, uids, keys); err != nil {
		return fmt.Errorf("engine: twin keys: %w", err)
	}
	return nil
}

// decode is decodeClientItem, taking the item PrepareItems decoded when
// the change is the one it saw.
func (ds *Datastore) decode(ct string, ch Change) (*clientItem, Outcome) {
	if ci := ds.decoded[ch.LUID]; ci != nil {
		delete(ds.decoded, ch.LUID)
		if ci.contentType == ct && bytes.Equal(ci.data, ch.Data) {
			return ci, 0
		}
	}
	return decodeClientItem(ct, ch.Data)
}
