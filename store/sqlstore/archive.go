package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"anchorage/store"
)

// The archive's read queries (DESIGN.md "Archive"). Each walks an index:
// AllItems and ItemsAsOf the items primary key (one row per item) with one
// primary-key range of item_versions per item, History the
// (datastore_id, created_at, seq) indexes of migration 0002.
const (
	qAllItems = `SELECT ` + itemCols + `, v.data, v.canonical_type, v.canonical` + latestJoin + `
WHERE i.datastore_id = ? AND i.guid > ? ORDER BY i.guid LIMIT ?`
	// qItemsAsOf picks, per item, the newest version written at or before
	// the given time; items created later have none and drop out. The
	// unary + keeps the planner on the primary key (the item's versions)
	// rather than the time index (every version of the datastore).
	qItemsAsOf = `SELECT v.guid, v.version, v.seq, v.deleted, v.content_type, v.uid, v.match_key,
	v.summary, v.origin, v.created_at, v.data, v.canonical_type, v.canonical
FROM items i JOIN item_versions v ON v.datastore_id = i.datastore_id AND v.guid = i.guid
	AND v.version = (SELECT w.version FROM item_versions w
		WHERE w.datastore_id = i.datastore_id AND w.guid = i.guid AND +w.created_at <= ?
		ORDER BY w.version DESC LIMIT 1)
WHERE i.datastore_id = ? AND i.guid > ? ORDER BY i.guid LIMIT ?`
	historyCols = `SELECT guid, version, seq, deleted, content_type, uid, match_key, summary, origin, created_at
FROM item_versions `
	qHistory = historyCols + `WHERE datastore_id = ? AND (created_at, seq) > (?, ?)
ORDER BY created_at, seq LIMIT ?`
	qHistoryDeleted = historyCols + `WHERE datastore_id = ? AND deleted = {true} AND (created_at, seq) > (?, ?)
ORDER BY created_at, seq LIMIT ?`
	qRetention = `SELECT keep_versions, keep_days FROM retention WHERE user_id = ?`
)

// prunable is the FROM/WHERE of the versions a retention policy drops.
// Parameters: ?1 datastore id, ?2 KeepVersions (0: no count limit), ?3 the
// age cutoff in Unix nanoseconds (NULL: no age limit). A version is kept
// when it is the item's latest, when it is among the ?2 newest (the
// versions kept form a suffix of each item's history, so version numbers
// count them), or when its successor was written at or after the cutoff
// (it was current inside the window). Tombstones are versions like any.
const prunable = ` FROM item_versions v JOIN items i ON i.datastore_id = v.datastore_id AND i.guid = v.guid
WHERE v.datastore_id = ?1 AND v.version < i.version
	AND NOT (CAST(?2 AS BIGINT) > 0 AND v.version > i.version - CAST(?2 AS BIGINT))
	AND NOT (CAST(?3 AS BIGINT) IS NOT NULL AND (SELECT w.created_at FROM item_versions w
		WHERE w.datastore_id = v.datastore_id AND w.guid = v.guid AND w.version > v.version
		ORDER BY w.version LIMIT 1) >= CAST(?3 AS BIGINT))`

const (
	qPruneStats = `SELECT count(*), count(*) FILTER (WHERE v.deleted = {true}), count(DISTINCT v.guid),
	coalesce(sum(length(v.data)), 0)` + prunable
	qPrune = `DELETE FROM item_versions WHERE (datastore_id, guid, version) IN (SELECT v.datastore_id, v.guid, v.version` + prunable + `)`
)

// AllItems returns every item's latest version, tombstones included.
func (t *tx) AllItems(ctx context.Context, userID int64, datastore, after string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, true, qAllItems, dsID, after, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("all items %d/%s: %w", userID, datastore, err)
	}
	return its, nil
}

// ItemsAsOf returns each item's state at time at: its newest version
// written at or before then.
func (t *tx) ItemsAsOf(ctx context.Context, userID int64, datastore string, at time.Time, after string, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var its []store.Item
	if err == nil {
		its, err = t.queryItems(ctx, userID, datastore, true, qItemsAsOf, nanos(at), dsID, after, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("items of %d/%s as of %s: %w", userID, datastore, at.UTC().Format(time.RFC3339), err)
	}
	return its, nil
}

// History lists versions by time, without content.
func (t *tx) History(ctx context.Context, userID int64, datastore string, since time.Time, afterSeq int64, deletedOnly bool, limit int) ([]store.Item, error) {
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	q := qHistory
	if deletedOnly {
		q = qHistoryDeleted
	}
	var its []store.Item
	if err == nil {
		// The zero time clamps to the smallest stored time: everything.
		its, err = t.queryItems(ctx, userID, datastore, false, q, dsID, nanos(since), afterSeq, t.limitArg(limit))
	}
	if err != nil {
		return nil, t.errorf("history of %d/%s: %w", userID, datastore, err)
	}
	return its, nil
}

// PruneVersions drops the versions keep does not keep; see prunable.
func (t *tx) PruneVersions(ctx context.Context, userID int64, datastore string, keep store.Retention, now time.Time, dryRun bool) (store.PruneStats, error) {
	var st store.PruneStats
	if keep.KeepVersions < 0 || keep.KeepDays < 0 {
		return st, t.errorf("prune %d/%s: negative retention %+v", userID, datastore, keep)
	}
	if keep.IsZero() {
		return st, nil // no policy: keep everything
	}
	dsID, err := t.datastoreID(ctx, userID, datastore, false)
	if errors.Is(err, store.ErrNotFound) {
		return st, nil
	}
	wrap := func(err error) error { return t.errorf("prune %d/%s: %w", userID, datastore, err) }
	if err != nil {
		return st, wrap(err)
	}
	var cutoff any // NULL: no age limit
	if keep.KeepDays > 0 {
		cutoff = nanos(now.Add(-time.Duration(keep.KeepDays) * 24 * time.Hour))
	}
	args := []any{dsID, keep.KeepVersions, cutoff}
	if err := t.queryRow(ctx, qPruneStats, args...).Scan(&st.Versions, &st.Tombstones, &st.Items, &st.Bytes); err != nil {
		return st, wrap(err)
	}
	if dryRun || st.Versions == 0 {
		return st, nil
	}
	res, err := t.exec(ctx, qPrune, args...)
	if err != nil {
		return st, wrap(err)
	}
	if n, err := res.RowsAffected(); err == nil && n != int64(st.Versions) {
		return st, wrap(fmt.Errorf("removed %d versions, counted %d", n, st.Versions))
	}
	return st, nil
}

// Retention returns the stored policy of a user (0: the default).
func (t *tx) Retention(ctx context.Context, userID int64) (*store.Retention, error) {
	var r store.Retention
	err := t.queryRow(ctx, qRetention, userID).Scan(&r.KeepVersions, &r.KeepDays)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, t.errorf("retention of user %d: %w", userID, err)
	}
	return &r, nil
}

// PutRetention stores the policy of a user (0: the default).
func (t *tx) PutRetention(ctx context.Context, userID int64, keep store.Retention) error {
	if keep.KeepVersions < 0 || keep.KeepDays < 0 {
		return t.errorf("retention of user %d: negative values %+v", userID, keep)
	}
	_, err := t.exec(ctx, `INSERT INTO retention (user_id, keep_versions, keep_days, updated_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET keep_versions = excluded.keep_versions,
	keep_days = excluded.keep_days, updated_at = excluded.updated_at`,
		userID, keep.KeepVersions, keep.KeepDays, nanos(now()))
	if err != nil {
		return t.errorf("retention of user %d: %w", userID, err)
	}
	return nil
}
