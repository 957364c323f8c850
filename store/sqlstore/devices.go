package sqlstore

import (
	"context"
	"database/sql"

	"anchorage/store"
)

const deviceCols = `user_id, device_id, devinf, nonce, first_seen, last_seen, last_error, charset`

// deviceReadCols are deviceCols and the wipe state, which only SetWipe
// writes.
const deviceReadCols = deviceCols + `, wipe_state, wipe_account_only, wipe_requested, wipe_changed`

func (t *tx) Device(ctx context.Context, userID int64, deviceID string) (*store.Device, error) {
	d, err := scanDevice(t.queryRow(ctx,
		`SELECT `+deviceReadCols+` FROM devices WHERE user_id = ? AND device_id = ?`, userID, deviceID))
	if err != nil {
		return nil, t.errorf("device %d/%s: %w", userID, deviceID, notFound(err))
	}
	return d, nil
}

// PutDevice inserts d or replaces every field of the stored row with d's,
// except the wipe state, which only SetWipe writes.
func (t *tx) PutDevice(ctx context.Context, d *store.Device) error {
	if d.DeviceID == "" {
		return t.errorf("put device: empty device id")
	}
	_, err := t.exec(ctx, `INSERT INTO devices (`+deviceCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, device_id) DO UPDATE SET devinf = excluded.devinf, nonce = excluded.nonce,
	first_seen = excluded.first_seen, last_seen = excluded.last_seen, last_error = excluded.last_error,
	charset = excluded.charset`,
		d.UserID, d.DeviceID, d.DevInf, nullBytes(d.Nonce), nullNanos(d.FirstSeen), nullNanos(d.LastSeen), d.LastError, d.Charset)
	if err != nil {
		return t.errorf("put device %d/%s: %w", d.UserID, d.DeviceID, t.userFK(err, d.UserID))
	}
	return nil
}

// ListDevices lists the devices of a user (of every user when userID is 0),
// ordered by user and device id.
func (t *tx) ListDevices(ctx context.Context, userID int64) ([]store.Device, error) {
	q, args := `SELECT `+deviceReadCols+` FROM devices ORDER BY user_id, device_id`, []any(nil)
	if userID != 0 {
		q, args = `SELECT `+deviceReadCols+` FROM devices WHERE user_id = ? ORDER BY device_id`, []any{userID}
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.errorf("list devices: %w", err)
	}
	defer rows.Close()
	var ds []store.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, t.errorf("list devices: %w", err)
		}
		ds = append(ds, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("list devices: %w", err)
	}
	return ds, nil
}

func scanDevice(r scanner) (*store.Device, error) {
	var d store.Device
	var nonce []byte
	var first, last, wipeReq, wipeChanged sql.NullInt64
	var wipeState string
	if err := r.Scan(&d.UserID, &d.DeviceID, &d.DevInf, &nonce, &first, &last, &d.LastError, &d.Charset,
		&wipeState, &d.Wipe.AccountOnly, &wipeReq, &wipeChanged); err != nil {
		return nil, err
	}
	d.Wipe.State = store.WipeState(wipeState)
	d.Wipe.Requested, d.Wipe.Changed = fromNullNanos(wipeReq), fromNullNanos(wipeChanged)
	d.Nonce = string(nonce)
	d.FirstSeen = fromNullNanos(first)
	d.LastSeen = fromNullNanos(last)
	return &d, nil
}

// nullBytes stores a string of raw bytes (not necessarily UTF-8) as a BLOB.
func nullBytes(s string) any {
	if s == "" {
		return nil
	}
	return []byte(s)
}

const partnershipCols = `user_id, device_id, datastore, client_anchor, server_anchor, ack_seq, last_sync_at, last_sync_mode`

func (t *tx) Partnership(ctx context.Context, userID int64, deviceID, datastore string) (*store.Partnership, error) {
	p, err := scanPartnership(t.queryRow(ctx, `SELECT `+partnershipCols+` FROM partnerships
WHERE user_id = ? AND device_id = ? AND datastore = ?`, userID, deviceID, datastore))
	if err != nil {
		return nil, t.errorf("partnership %d/%s/%s: %w", userID, deviceID, datastore, notFound(err))
	}
	return p, nil
}

// PutPartnership inserts p or replaces every field of the stored row.
func (t *tx) PutPartnership(ctx context.Context, p *store.Partnership) error {
	if p.DeviceID == "" || p.Datastore == "" {
		return t.errorf("put partnership: empty device id or datastore")
	}
	_, err := t.exec(ctx, `INSERT INTO partnerships (`+partnershipCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, device_id, datastore) DO UPDATE SET client_anchor = excluded.client_anchor,
	server_anchor = excluded.server_anchor, ack_seq = excluded.ack_seq,
	last_sync_at = excluded.last_sync_at, last_sync_mode = excluded.last_sync_mode`,
		p.UserID, p.DeviceID, p.Datastore, p.ClientAnchor, p.ServerAnchor, p.AckSeq, nullNanos(p.LastSync), p.LastSyncMode)
	if err != nil {
		return t.errorf("put partnership %d/%s/%s: %w", p.UserID, p.DeviceID, p.Datastore, t.userFK(err, p.UserID))
	}
	return nil
}

// ListPartnerships lists a device's partnerships ordered by datastore (every
// device's of the user, ordered by device, when deviceID is "").
func (t *tx) ListPartnerships(ctx context.Context, userID int64, deviceID string) ([]store.Partnership, error) {
	rows, err := t.query(ctx, `SELECT `+partnershipCols+` FROM partnerships
WHERE user_id = ? AND (? = '' OR device_id = ?) ORDER BY device_id, datastore`, userID, deviceID, deviceID)
	if err != nil {
		return nil, t.errorf("list partnerships %d/%s: %w", userID, deviceID, err)
	}
	defer rows.Close()
	var ps []store.Partnership
	for rows.Next() {
		p, err := scanPartnership(rows)
		if err != nil {
			return nil, t.errorf("list partnerships %d/%s: %w", userID, deviceID, err)
		}
		ps = append(ps, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("list partnerships %d/%s: %w", userID, deviceID, err)
	}
	return ps, nil
}

func scanPartnership(r scanner) (*store.Partnership, error) {
	var p store.Partnership
	var last sql.NullInt64
	if err := r.Scan(&p.UserID, &p.DeviceID, &p.Datastore, &p.ClientAnchor, &p.ServerAnchor,
		&p.AckSeq, &last, &p.LastSyncMode); err != nil {
		return nil, err
	}
	p.LastSync = fromNullNanos(last)
	return &p, nil
}

// DeletePartnerships deletes one (or, with datastore "", every) partnership
// of a device and its unacknowledged Adds; mappings stay.
func (t *tx) DeletePartnerships(ctx context.Context, userID int64, deviceID, datastore string) (int, error) {
	q, args := `DELETE FROM partnerships WHERE user_id = ? AND device_id = ?`, []any{userID, deviceID}
	if datastore != "" {
		q += ` AND datastore = ?`
		args = append(args, datastore)
	}
	if err := t.lockDatastores(ctx, userID, datastore); err != nil {
		return 0, t.errorf("delete partnerships %d/%s: %w", userID, deviceID, err)
	}
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return 0, t.errorf("delete partnerships %d/%s: %w", userID, deviceID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.errorf("delete partnerships %d/%s: %w", userID, deviceID, err)
	}
	if _, err := t.ClearUnackedAdds(ctx, userID, deviceID, datastore, ""); err != nil {
		return 0, err
	}
	if _, err := t.ClearResentAdds(ctx, userID, deviceID, datastore); err != nil {
		return 0, err
	}
	return int(n), nil
}

// DeleteDevice deletes a device with its partnerships, mappings,
// unacknowledged and resent Adds, sessions and ActiveSync ClientIds;
// items stay.
func (t *tx) DeleteDevice(ctx context.Context, userID int64, deviceID string) error {
	if err := t.lockDatastores(ctx, userID, ""); err != nil {
		return t.errorf("delete device %d/%s: %w", userID, deviceID, err)
	}
	res, err := t.exec(ctx, `DELETE FROM devices WHERE user_id = ? AND device_id = ?`, userID, deviceID)
	if err != nil {
		return t.errorf("delete device %d/%s: %w", userID, deviceID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.errorf("delete device %d/%s: %w", userID, deviceID, store.ErrNotFound)
	}
	for _, table := range []string{"partnerships", "mappings", "unacked_adds", "resent_adds", "resent_older_luids", "sessions", "shared_devices", "client_anchors", "eas_client_ids"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE user_id = ? AND device_id = ?`, userID, deviceID); err != nil {
			return t.errorf("delete device %d/%s %s: %w", userID, deviceID, table, err)
		}
	}
	return nil
}

// SetWipe records a device's remote-wipe state.
func (t *tx) SetWipe(ctx context.Context, userID int64, deviceID string, w store.Wipe) error {
	res, err := t.exec(ctx, `UPDATE devices SET wipe_state = ?, wipe_account_only = ?, wipe_requested = ?, wipe_changed = ?
WHERE user_id = ? AND device_id = ?`, string(w.State), w.AccountOnly, nullNanos(w.Requested), nullNanos(w.Changed), userID, deviceID)
	if err != nil {
		return t.errorf("set wipe %d/%s: %w", userID, deviceID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return t.errorf("set wipe %d/%s: %w", userID, deviceID, store.ErrNotFound)
	}
	return nil
}
