package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"anchorage/store"
)

// datastoreID returns the id of a user's datastore. When it does not exist
// yet it is created if create is set, else store.ErrNotFound is returned.
// In a write transaction it locks the datastore's row until commit where
// the Dialect LocksRows (the per-datastore serialisation of store.Store),
// and keeps the datastore's last_seq for nextSeq.
func (t *tx) datastoreID(ctx context.Context, userID int64, name string, create bool) (int64, error) {
	k := dsKey{userID, name}
	if id, ok := t.ds[k]; ok {
		return id, nil
	}
	q := qDatastoreID
	if t.writable && t.s.d.LocksRows() {
		q += ` FOR UPDATE`
	}
	var id, last int64
	err := t.queryRow(ctx, q, userID, name).Scan(&id, &last)
	if errors.Is(err, sql.ErrNoRows) {
		switch {
		case !create || !t.writable:
			return 0, store.ErrNotFound
		case name == "":
			return 0, fmt.Errorf("empty datastore name")
		}
		// Another transaction may have created the row meanwhile: then
		// the no-op update waits for it and takes the row lock.
		err = t.queryRow(ctx, `INSERT INTO datastores (user_id, name) VALUES (?, ?)
ON CONFLICT (user_id, name) DO UPDATE SET last_seq = datastores.last_seq RETURNING id, last_seq`,
			userID, name).Scan(&id, &last)
		err = t.userFK(err, userID)
	}
	if err != nil {
		return 0, err
	}
	if t.ds == nil {
		t.ds = make(map[dsKey]int64)
	}
	t.ds[k] = id
	if t.writable {
		if t.lastSeq == nil {
			t.lastSeq = make(map[int64]int64)
		}
		t.lastSeq[id] = last
	}
	return id, nil
}

// lockDatastores locks the user's datastore of that name, or every one
// of the user's when name is "", in id order (so two such transactions do
// not deadlock): admin writes that touch no item, such as a device reset,
// take the lock a session's writes take. Without LocksRows the write
// transaction excludes every other already.
func (t *tx) lockDatastores(ctx context.Context, userID int64, name string) error {
	if !t.s.d.LocksRows() {
		return nil
	}
	rows, err := t.query(ctx, `SELECT id, name, last_seq FROM datastores
WHERE user_id = ? AND (? = '' OR name = ?) ORDER BY id FOR UPDATE`, userID, name, name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, last int64
		var ds string
		if err := rows.Scan(&id, &ds, &last); err != nil {
			return err
		}
		if _, ok := t.ds[dsKey{userID, ds}]; ok {
			continue // locked already; its last_seq may be pending
		}
		if t.ds == nil {
			t.ds = make(map[dsKey]int64)
		}
		if t.lastSeq == nil {
			t.lastSeq = make(map[int64]int64)
		}
		t.ds[dsKey{userID, ds}], t.lastSeq[id] = id, last
	}
	return rows.Err()
}

// WriteItem appends a version of w.GUID with the datastore's next sequence
// and makes it the item's latest. A tombstone of an item that does not exist
// or is already deleted writes nothing and returns store.ErrNotFound; a
// tombstone keeps the previous version's content type, UID, match key and
// summary unless w sets them. A zero w.Time stores the current time.
func (t *tx) WriteItem(ctx context.Context, w *store.ItemWrite) (*store.Item, error) {
	it, err := t.writeItem(ctx, w)
	if err != nil {
		return nil, t.errorf("write item %d/%s/%s: %w", w.UserID, w.Datastore, w.GUID, err)
	}
	return it, nil
}

func (t *tx) writeItem(ctx context.Context, w *store.ItemWrite) (*store.Item, error) {
	if w.GUID == "" {
		return nil, errors.New("empty GUID")
	}
	dsID, err := t.datastoreID(ctx, w.UserID, w.Datastore, true)
	if err != nil {
		return nil, err
	}
	var prev store.Item
	if !w.New { // a new GUID has no previous version (the INSERT below fails if it had)
		err = t.queryRow(ctx, `SELECT version, deleted, content_type, uid, match_key, summary
FROM items WHERE datastore_id = ? AND guid = ?`, dsID, w.GUID).Scan(
			&prev.Version, &prev.Deleted, &prev.ContentType, &prev.UID, &prev.MatchKey, &prev.Summary)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if w.Delete && (prev.Version == 0 && w.Version == 0 || prev.Deleted) {
		return nil, store.ErrNotFound
	}
	if w.Version != 0 && w.Version <= prev.Version {
		return nil, fmt.Errorf("version %d is not above the latest, %d", w.Version, prev.Version)
	}

	it := &store.Item{
		UserID:      w.UserID,
		Datastore:   w.Datastore,
		GUID:        w.GUID,
		Version:     cmp.Or(w.Version, prev.Version+1),
		Deleted:     w.Delete,
		ContentType: w.ContentType,
		UID:         w.UID,
		MatchKey:    w.MatchKey,
		Summary:     w.Summary,
		Origin:      w.Origin,
		Modified:    w.Time.UTC(),
	}
	if w.Time.IsZero() {
		it.Modified = now()
	}
	if w.Delete {
		it.ContentType = cmpOr(it.ContentType, prev.ContentType)
		it.UID = cmpOr(it.UID, prev.UID)
		it.MatchKey = cmpOr(it.MatchKey, prev.MatchKey)
		it.Summary = cmpOr(it.Summary, prev.Summary)
	} else {
		if len(w.Canonical) > 0 {
			it.CanonicalType, it.Canonical = w.CanonicalType, bytes.Clone(w.Canonical)
		}
		it.Data = bytes.Clone(w.Data)
		if it.Data == nil {
			it.Data = []byte{} // content, even if empty, is never NULL
		}
	}

	if it.Seq, err = t.nextSeq(dsID); err != nil {
		return nil, err
	}
	mod := nanos(it.Modified)
	if _, err := t.exec(ctx, `INSERT INTO item_versions
	(datastore_id, guid, version, seq, deleted, content_type, data, uid, match_key, summary, origin, created_at,
	canonical_type, canonical)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		dsID, it.GUID, it.Version, it.Seq, it.Deleted, it.ContentType, it.Data, it.UID, it.MatchKey,
		it.Summary, it.Origin, mod, it.CanonicalType, it.Canonical); err != nil {
		return nil, err
	}
	if _, err := t.exec(ctx, `INSERT INTO items
	(datastore_id, guid, version, seq, deleted, content_type, uid, match_key, summary, origin, modified_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (datastore_id, guid) DO UPDATE SET version = excluded.version, seq = excluded.seq,
	deleted = excluded.deleted, content_type = excluded.content_type, uid = excluded.uid,
	match_key = excluded.match_key, summary = excluded.summary, origin = excluded.origin,
	modified_at = excluded.modified_at`,
		dsID, it.GUID, it.Version, it.Seq, it.Deleted, it.ContentType, it.UID, it.MatchKey,
		it.Summary, it.Origin, mod); err != nil {
		return nil, err
	}
	t.wrote(dsID, it)
	return it, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// itemCols are the columns scanItem reads from items i and item_versions v,
// in its order; the latest version's content is v.data.
const itemCols = `i.guid, i.version, i.seq, i.deleted, i.content_type, i.uid, i.match_key, i.summary, i.origin, i.modified_at`

const latestJoin = ` FROM items i JOIN item_versions v
	ON v.datastore_id = i.datastore_id AND v.guid = i.guid AND v.version = i.version`

// The read queries, named for the query-plan test.
const (
	qDatastoreID = `SELECT id, last_seq FROM datastores WHERE user_id = ? AND name = ?`
	qItem        = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.guid = ?`
	qLiveItems = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.guid > ? AND i.deleted = {false} ORDER BY i.guid LIMIT ?`
	// qUnconfirmed is an anti-join on the mappings' (…, guid) unique index:
	// one pass over the live items after the cursor, not a query per item.
	qUnconfirmed = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.guid > ? AND i.deleted = {false} AND NOT EXISTS (SELECT 1 FROM mappings m
	WHERE m.user_id = ? AND m.device_id = ? AND m.datastore = ? AND m.guid = i.guid AND m.session = ?)
ORDER BY i.guid LIMIT ?`
	// qUnconfirmedHeads is qUnconfirmed without the content: no join to
	// item_versions, whose rows hold the data.
	qUnconfirmedHeads = `SELECT ` + itemCols + ` FROM items i
WHERE i.datastore_id = ? AND i.guid > ? AND i.deleted = {false} AND NOT EXISTS (SELECT 1 FROM mappings m
	WHERE m.user_id = ? AND m.device_id = ? AND m.datastore = ? AND m.guid = i.guid AND m.session = ?)
ORDER BY i.guid LIMIT ?`
	qTwinsByUID = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.uid = ? AND i.deleted = {false}`
	qTwinsByKey = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.match_key = ? AND i.deleted = {false}`
	qChanges = `SELECT ` + itemCols + ` FROM items i
WHERE i.datastore_id = ? AND i.seq > ? AND i.seq <= ? AND (? = '' OR i.origin <> ?)
ORDER BY i.seq LIMIT ?`
	qVersionTwins = `SELECT guid, version, seq, deleted, content_type, uid, match_key, summary, origin, created_at,
	data, canonical_type, canonical FROM (
	SELECT * FROM item_versions WHERE datastore_id = ? AND uid = ? AND uid <> '' AND deleted = {false}
	UNION
	SELECT * FROM item_versions WHERE datastore_id = ? AND match_key = ? AND match_key <> '' AND deleted = {false}) AS t
ORDER BY guid, version LIMIT ?`
	qVersions = `SELECT guid, version, seq, deleted, content_type,
	uid, match_key, summary, origin, created_at, data, canonical_type, canonical
FROM item_versions WHERE datastore_id = ? AND guid = ? ORDER BY version`
)

// scanItem scans itemCols, and the content columns (data, canonical_type,
// canonical) if withData.
func scanItem(r scanner, userID int64, datastore string, withData bool) (store.Item, error) {
	it := store.Item{UserID: userID, Datastore: datastore}
	var mod int64
	dest := []any{&it.GUID, &it.Version, &it.Seq, &it.Deleted, &it.ContentType, &it.UID, &it.MatchKey,
		&it.Summary, &it.Origin, &mod}
	if withData {
		dest = append(dest, &it.Data, &it.CanonicalType, &it.Canonical)
	}
	if err := r.Scan(dest...); err != nil {
		return it, err
	}
	it.Modified = fromNanos(mod)
	return it, nil
}

// queryItems runs q and scans every row with scanItem.
func (t *tx) queryItems(ctx context.Context, userID int64, datastore string, withData bool, q string, args ...any) ([]store.Item, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var its []store.Item
	for rows.Next() {
		it, err := scanItem(rows, userID, datastore, withData)
		if err != nil {
			return nil, err
		}
		its = append(its, it)
	}
	return its, rows.Err()
}

// Item returns the item's latest version with its content; a tombstone has
// Deleted set and no content.
func (t *tx) Item(ctx context.Context, userID int64, datastore, guid string) (*store.Item, error) {
	wrap := func(err error) error {
		return t.errorf("item %d/%s/%s: %w", userID, datastore, guid, err)
	}
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if err != nil {
		return nil, wrap(err)
	}
	it, err := scanItem(t.queryRow(ctx, qItem, dsID, guid), userID, datastore, true)
	if err != nil {
		return nil, wrap(notFound(err))
	}
	return &it, nil
}

func (t *tx) LiveItems(ctx context.Context, userID int64, datastore, after string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, true, qLiveItems, dsID, after, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("live items %d/%s: %w", userID, datastore, err)
	}
	return its, nil
}

func (t *tx) UnconfirmedItems(ctx context.Context, userID int64, deviceID, datastore, session, after string, limit int) ([]store.Item, error) {
	return t.unconfirmed(ctx, true, userID, deviceID, datastore, session, after, limit)
}

func (t *tx) UnconfirmedHeads(ctx context.Context, userID int64, deviceID, datastore, session, after string, limit int) ([]store.Item, error) {
	return t.unconfirmed(ctx, false, userID, deviceID, datastore, session, after, limit)
}

// unconfirmed runs qUnconfirmed, or qUnconfirmedHeads without the content.
func (t *tx) unconfirmed(ctx context.Context, withData bool, userID int64, deviceID, datastore, session, after string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	q := qUnconfirmedHeads
	if withData {
		q = qUnconfirmed
	}
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, withData, q, dsID, after,
			userID, deviceID, datastore, session, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("unconfirmed items %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return its, nil
}

// knownChunk bounds the GUIDs of one IN list (SQLite allows 32766
// parameters; a few hundred keep the statement small).
const knownChunk = 500

// KnownItems looks the GUIDs up on the items primary key, a chunk per
// query, reading no content.
func (t *tx) KnownItems(ctx context.Context, userID int64, datastore string, guids []string) (map[string]bool, error) {
	res := make(map[string]bool, len(guids))
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) || len(guids) == 0 {
		return res, nil
	}
	if err == nil {
		err = t.scanIn(ctx, res, `SELECT guid FROM items WHERE datastore_id = ? AND guid`, dsID, guids)
	}
	if err != nil {
		return nil, t.errorf("known items %d/%s: %w", userID, datastore, err)
	}
	return res, nil
}

// scanIn runs selectWhere (a query ending in "... AND col", selecting one
// column, with datastore_id = ? as its only other parameter) with
// " IN (...)" over vals, knownChunk at a time, and marks every value it
// returns true in into.
func (t *tx) scanIn(ctx context.Context, into map[string]bool, selectWhere string, dsID int64, vals []string) error {
	return inChunks(vals, []any{dsID}, func(in string, args []any) error {
		return t.scanGUIDs(ctx, into, selectWhere+in, args...)
	})
}

// inChunks calls fn for vals, knownChunk at a time, with " IN (?, ...)"
// for the chunk and the arguments: fixed, then the chunk's values.
func inChunks(vals []string, fixed []any, fn func(in string, args []any) error) error {
	for len(vals) > 0 {
		chunk := vals[:min(knownChunk, len(vals))]
		vals = vals[len(chunk):]
		args := make([]any, 0, len(fixed)+len(chunk))
		args = append(args, fixed...)
		for _, v := range chunk {
			args = append(args, v)
		}
		if err := fn(` IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args); err != nil {
			return err
		}
	}
	return nil
}

// scanGUIDs runs q and sets res[guid] for every GUID it returns.
func (t *tx) scanGUIDs(ctx context.Context, res map[string]bool, q string, args ...any) error {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return err
		}
		res[g] = true
	}
	return rows.Err()
}

// FindTwins returns the live items, ordered by GUID, whose UID is uid or
// whose match key is matchKey; an empty uid or matchKey matches nothing.
func (t *tx) FindTwins(ctx context.Context, userID int64, datastore, uid, matchKey string) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var its []store.Item
	uidAbsent, keyAbsent := t.knownAbsent(dsID, uid, matchKey)
	if err == nil && !uidAbsent {
		its, err = t.queryItems(ctx, userID, datastore, true, qTwinsByUID, dsID, uid)
	}
	if err == nil && !keyAbsent {
		var byKey []store.Item
		byKey, err = t.queryItems(ctx, userID, datastore, true, qTwinsByKey, dsID, matchKey)
		for _, it := range byKey {
			if uid == "" || it.UID != uid { // else found by UID already
				its = append(its, it)
			}
		}
	}
	if err != nil {
		return nil, t.errorf("find twins %d/%s: %w", userID, datastore, err)
	}
	slices.SortFunc(its, func(a, b store.Item) int { return strings.Compare(a.GUID, b.GUID) })
	return its, nil
}

// FindVersionTwins searches every version through the (datastore_id, uid)
// and (datastore_id, match_key) indexes of migration 0008.
func (t *tx) FindVersionTwins(ctx context.Context, userID int64, datastore, uid, matchKey string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) || uid == "" && matchKey == "" {
		return nil, nil
	}
	if uidAbsent, keyAbsent := t.knownAbsent(dsID, uid, matchKey); err == nil && uidAbsent && keyAbsent {
		return nil, nil // PrefetchTwinKeys: no version has either
	}
	if err == nil {
		var its []store.Item
		its, err = t.queryItems(ctx, userID, datastore, true, qVersionTwins, dsID, uid, dsID, matchKey, t.limitArg(limit))
		if err == nil {
			return its, nil
		}
	}
	return nil, t.errorf("find version twins %d/%s: %w", userID, datastore, err)
}

// Changes reads only the items table through its (datastore_id, seq) index:
// its cost depends on the number of changes in the window, not on the size
// of the datastore.
func (t *tx) Changes(ctx context.Context, userID int64, datastore string, after, upTo int64, excludeOrigin string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, false, qChanges, dsID, after, upTo, excludeOrigin, excludeOrigin, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("changes %d/%s: %w", userID, datastore, err)
	}
	return its, nil
}

// LastSeq returns the datastore's last sequence, 0 if it has none. In a
// write transaction it also creates the datastore.
func (t *tx) LastSeq(ctx context.Context, userID int64, datastore string) (int64, error) {
	if seq, ok := t.pendingSeq(userID, datastore); ok {
		return seq, nil
	}
	var seq int64
	var err error
	if t.writable {
		// The first touch of the datastore: it locks, and reads last_seq.
		var id int64
		if id, err = t.datastoreID(ctx, userID, datastore, true); err == nil {
			seq = t.lastSeq[id]
		}
	} else {
		var id int64
		err = t.queryRow(ctx, qDatastoreID, userID, datastore).Scan(&id, &seq)
		if err == nil {
			// The id comes with it: Changes after LastSeq needs no lookup.
			if t.ds == nil {
				t.ds = make(map[dsKey]int64)
			}
			t.ds[dsKey{userID, datastore}] = id
		} else if errors.Is(err, sql.ErrNoRows) {
			seq, err = 0, nil
		}
	}
	if err != nil {
		return 0, t.errorf("last seq %d/%s: %w", userID, datastore, err)
	}
	return seq, nil
}

// Versions lists every version of the item, oldest first, with content;
// store.ErrNotFound if the item never existed.
func (t *tx) Versions(ctx context.Context, userID int64, datastore, guid string) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, true, qVersions, dsID, guid)
	}
	if err == nil && len(its) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, t.errorf("versions %d/%s/%s: %w", userID, datastore, guid, err)
	}
	return its, nil
}
