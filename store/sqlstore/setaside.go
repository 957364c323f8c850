package sqlstore

import (
	"context"

	"anchorage/store"
)

// PutSetAside records an item set aside for a device, replacing an
// earlier record of the same item.
func (t *tx) PutSetAside(ctx context.Context, a *store.SetAside) error {
	if a.At.IsZero() {
		a.At = now()
	}
	_, err := t.exec(ctx, `INSERT INTO set_aside (user_id, device_id, datastore, guid, seq, reason, set_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, device_id, datastore, guid) DO UPDATE SET seq = excluded.seq, reason = excluded.reason, set_at = excluded.set_at`,
		a.UserID, a.DeviceID, a.Datastore, a.GUID, a.Seq, a.Reason, nanos(a.At))
	if err != nil {
		return t.errorf("set aside %s for %d/%s: %w", a.GUID, a.UserID, a.DeviceID, err)
	}
	return nil
}

// SetAsideItems returns a device's set-aside items of a datastore ("": all).
func (t *tx) SetAsideItems(ctx context.Context, userID int64, deviceID, datastore string) ([]store.SetAside, error) {
	rows, err := t.query(ctx, `SELECT datastore, guid, seq, reason, set_at FROM set_aside
WHERE user_id = ? AND device_id = ? AND (? = '' OR datastore = ?) ORDER BY datastore, guid`, userID, deviceID, datastore, datastore)
	if err != nil {
		return nil, t.errorf("set-aside items of %d/%s: %w", userID, deviceID, err)
	}
	defer rows.Close()
	var out []store.SetAside
	for rows.Next() {
		a := store.SetAside{UserID: userID, DeviceID: deviceID}
		var at int64
		if err := rows.Scan(&a.Datastore, &a.GUID, &a.Seq, &a.Reason, &at); err != nil {
			return nil, t.errorf("set-aside items of %d/%s: %w", userID, deviceID, err)
		}
		a.At = fromNanos(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
