package sqlstore

import (
	"context"
	"errors"

	"anchorage/store"
)

// absentKeys are the UIDs and match keys that PrefetchTwinKeys found in no
// version of a datastore's items, less those written since in the same
// transaction: FindTwins and FindVersionTwins answer them without a query.
type absentKeys struct {
	uids, keys map[string]bool
}

// PrefetchTwinKeys looks a batch's UIDs and match keys up in the
// item_versions (datastore_id, uid) and (datastore_id, match_key) indexes,
// knownChunk per query. Every item's every version is there, the current
// one too, so a key found in none names no twin of either kind until this
// transaction writes an item with it (writeItem forgets it then).
func (t *tx) PrefetchTwinKeys(ctx context.Context, userID int64, datastore string, uids, matchKeys []string) error {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil // no datastore: FindTwins answers without a query
	} else if err != nil {
		return t.errorf("twin keys %d/%s: %w", userID, datastore, err)
	}
	a := &absentKeys{}
	if a.uids, err = t.absent(ctx, dsID, "uid", uids); err == nil {
		a.keys, err = t.absent(ctx, dsID, "match_key", matchKeys)
	}
	if err != nil {
		return t.errorf("twin keys %d/%s: %w", userID, datastore, err)
	}
	if t.absentKeys == nil {
		t.absentKeys = map[int64]*absentKeys{}
	}
	t.absentKeys[dsID] = a
	return nil
}

// absent returns the non-empty values of vals that no version of the
// datastore has in col.
func (t *tx) absent(ctx context.Context, dsID int64, col string, vals []string) (map[string]bool, error) {
	found := map[string]bool{}
	var ask []string
	for _, v := range vals {
		if _, dup := found[v]; v != "" && !dup {
			found[v] = false
			ask = append(ask, v)
		}
	}
	if err := t.scanIn(ctx, found, `SELECT DISTINCT `+col+` FROM item_versions WHERE datastore_id = ? AND `+col, dsID, ask); err != nil {
		return nil, err
	}
	res := make(map[string]bool, len(ask))
	for _, v := range ask {
		if !found[v] {
			res[v] = true
		}
	}
	return res, nil
}

// knownAbsent tells whether PrefetchTwinKeys found uid and matchKey (each
// empty or prefetched) in no version of the datastore.
func (t *tx) knownAbsent(dsID int64, uid, matchKey string) (uidAbsent, keyAbsent bool) {
	a := t.absentKeys[dsID]
	if a == nil {
		return uid == "", matchKey == ""
	}
	return uid == "" || a.uids[uid], matchKey == "" || a.keys[matchKey]
}

// wrote forgets the keys of an item written in this transaction: they
// name a twin now.
func (t *tx) wrote(dsID int64, it *store.Item) {
	if a := t.absentKeys[dsID]; a != nil {
		delete(a.uids, it.UID)
		delete(a.keys, it.MatchKey)
	}
}
