package sqlstore

import (
	"context"
	"slices"
	"strings"

	"anchorage/store"
)

// Resent Adds (store.ResentAdd): few rows, one per item a device may
// hold twice, read whole; the LUIDs of its older copies to delete are
// rows of resent_older_luids.

func (t *tx) PutResentAdd(ctx context.Context, a *store.ResentAdd) error {
	if a.GUID == "" || a.DeviceID == "" || a.Datastore == "" {
		return t.errorf("put resent add %d/%s/%s %q: empty GUID, device or datastore", a.UserID, a.DeviceID, a.Datastore, a.GUID)
	}
	if _, err := t.exec(ctx, `INSERT INTO resent_adds (user_id, device_id, datastore, guid, version, pending_newer_luid)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, device_id, datastore, guid) DO UPDATE
SET pending_newer_luid = CASE WHEN excluded.pending_newer_luid = '' THEN resent_adds.pending_newer_luid ELSE excluded.pending_newer_luid END`,
		a.UserID, a.DeviceID, a.Datastore, a.GUID, a.Version, a.PendingNewerLUID); err != nil {
		return t.errorf("put resent add %d/%s/%s %s: %w", a.UserID, a.DeviceID, a.Datastore, a.GUID, t.userFK(err, a.UserID))
	}
	for _, luid := range a.PendingLUIDs {
		if _, err := t.exec(ctx, `INSERT INTO resent_older_luids (user_id, device_id, datastore, guid, luid)
VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, a.UserID, a.DeviceID, a.Datastore, a.GUID, luid); err != nil {
			return t.errorf("put resent add %d/%s/%s %s: older copy %s: %w", a.UserID, a.DeviceID, a.Datastore, a.GUID, luid, err)
		}
	}
	return nil
}

func (t *tx) ResentAdds(ctx context.Context, userID int64, deviceID, datastore string) ([]store.ResentAdd, error) {
	rows, err := t.query(ctx, `SELECT guid, version, pending_newer_luid FROM resent_adds
WHERE user_id = ? AND device_id = ? AND datastore = ? ORDER BY guid`, userID, deviceID, datastore)
	if err != nil {
		return nil, t.errorf("resent adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	defer rows.Close()
	var out []store.ResentAdd
	for rows.Next() {
		a := store.ResentAdd{UserID: userID, DeviceID: deviceID, Datastore: datastore}
		if err := rows.Scan(&a.GUID, &a.Version, &a.PendingNewerLUID); err != nil {
			return nil, t.errorf("resent adds %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("resent adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	return out, t.olderLUIDs(ctx, userID, deviceID, datastore, out)
}

// olderLUIDs fills in the PendingLUIDs of a partnership's resent Adds
// (as ResentAdds returns them, ordered by GUID).
func (t *tx) olderLUIDs(ctx context.Context, userID int64, deviceID, datastore string, adds []store.ResentAdd) error {
	rows, err := t.query(ctx, `SELECT guid, luid FROM resent_older_luids
WHERE user_id = ? AND device_id = ? AND datastore = ? ORDER BY guid, luid`, userID, deviceID, datastore)
	if err != nil {
		return t.errorf("resent adds %d/%s/%s: older copies: %w", userID, deviceID, datastore, err)
	}
	defer rows.Close()
	for rows.Next() {
		var guid, luid string
		if err := rows.Scan(&guid, &luid); err != nil {
			return t.errorf("resent adds %d/%s/%s: older copies: %w", userID, deviceID, datastore, err)
		}
		if i, ok := slices.BinarySearchFunc(adds, guid, func(a store.ResentAdd, g string) int { return strings.Compare(a.GUID, g) }); ok {
			adds[i].PendingLUIDs = append(adds[i].PendingLUIDs, luid)
		}
	}
	if err := rows.Err(); err != nil {
		return t.errorf("resent adds %d/%s/%s: older copies: %w", userID, deviceID, datastore, err)
	}
	return nil
}

func (t *tx) DeleteResentAdd(ctx context.Context, userID int64, deviceID, datastore, guid string) error {
	for _, table := range []string{"resent_adds", "resent_older_luids"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE user_id = ? AND device_id = ? AND datastore = ? AND guid = ?`,
			userID, deviceID, datastore, guid); err != nil {
			return t.errorf("delete resent add %d/%s/%s %s: %w", userID, deviceID, datastore, guid, err)
		}
	}
	return nil
}

func (t *tx) ClearResentAdds(ctx context.Context, userID int64, deviceID, datastore string) (int, error) {
	q, args := `DELETE FROM resent_adds WHERE user_id = ? AND device_id = ?`, []any{userID, deviceID}
	if datastore != "" {
		q += ` AND datastore = ?`
		args = append(args, datastore)
	}
	n, err := t.deleteCounted(ctx, q, "count(*)", args...)
	if err != nil {
		return 0, t.errorf("clear resent adds %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	if _, err := t.exec(ctx, strings.Replace(q, "resent_adds", "resent_older_luids", 1), args...); err != nil {
		return 0, t.errorf("clear resent adds %d/%s/%s: older copies: %w", userID, deviceID, datastore, err)
	}
	return n, nil
}
