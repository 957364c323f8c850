package sqlstore

import (
	"context"
	"strings"

	"anchorage/store"
)

// NoteSharedDevice records that a device id is shared by several clients.
func (t *tx) NoteSharedDevice(ctx context.Context, s *store.SharedDevice) error {
	if s.Last.IsZero() {
		s.Last = now()
	}
	_, err := t.exec(ctx, `INSERT INTO shared_devices (user_id, device_id, clients, detail, partners, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, device_id) DO UPDATE SET clients = excluded.clients, detail = excluded.detail, partners = excluded.partners,
	last_seen = excluded.last_seen`,
		s.UserID, s.DeviceID, s.Clients, s.Detail, strings.Join(s.Partners, " "), nanos(s.Last), nanos(s.Last))
	if err != nil {
		return t.errorf("note shared device %d/%s: %w", s.UserID, s.DeviceID, t.userFK(err, s.UserID))
	}
	return nil
}

// SharedDevice returns the record of a shared device id.
func (t *tx) SharedDevice(ctx context.Context, userID int64, deviceID string) (*store.SharedDevice, error) {
	s := store.SharedDevice{UserID: userID, DeviceID: deviceID}
	var first, last int64
	var partners string
	err := t.queryRow(ctx, `SELECT clients, detail, partners, first_seen, last_seen FROM shared_devices WHERE user_id = ? AND device_id = ?`,
		userID, deviceID).Scan(&s.Clients, &s.Detail, &partners, &first, &last)
	if err != nil {
		return nil, t.errorf("shared device %d/%s: %w", userID, deviceID, notFound(err))
	}
	s.First, s.Last, s.Partners = fromNanos(first), fromNanos(last), strings.Fields(partners)
	return &s, nil
}

// AddClientAnchor records a client anchor, keeping the last few.
func (t *tx) AddClientAnchor(ctx context.Context, a *store.ClientAnchor) error {
	forced := 0
	if a.Forced {
		forced = 1
	}
	_, err := t.exec(ctx, `INSERT INTO client_anchors (user_id, device_id, datastore, seq, anchor, forced)
SELECT ?, ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ? FROM client_anchors WHERE user_id = ? AND device_id = ? AND datastore = ?`,
		a.UserID, a.DeviceID, a.Datastore, a.Anchor, forced, a.UserID, a.DeviceID, a.Datastore)
	if err == nil {
		_, err = t.exec(ctx, `DELETE FROM client_anchors WHERE user_id = ? AND device_id = ? AND datastore = ? AND seq <=
(SELECT MAX(seq) FROM client_anchors WHERE user_id = ? AND device_id = ? AND datastore = ?) - ?`,
			a.UserID, a.DeviceID, a.Datastore, a.UserID, a.DeviceID, a.Datastore, store.MaxClientAnchors)
	}
	if err != nil {
		return t.errorf("client anchor of %d/%s/%s: %w", a.UserID, a.DeviceID, a.Datastore, t.userFK(err, a.UserID))
	}
	return nil
}

// ClientAnchors returns a partnership's recorded anchors, newest first.
func (t *tx) ClientAnchors(ctx context.Context, userID int64, deviceID, datastore string) ([]store.ClientAnchor, error) {
	rows, err := t.query(ctx, `SELECT anchor, forced FROM client_anchors WHERE user_id = ? AND device_id = ? AND datastore = ?
ORDER BY seq DESC`, userID, deviceID, datastore)
	if err != nil {
		return nil, t.errorf("client anchors of %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	defer rows.Close()
	var out []store.ClientAnchor
	for rows.Next() {
		a := store.ClientAnchor{UserID: userID, DeviceID: deviceID, Datastore: datastore}
		var forced int
		if err := rows.Scan(&a.Anchor, &forced); err != nil {
			return nil, t.errorf("client anchors of %d/%s/%s: %w", userID, deviceID, datastore, err)
		}
		a.Forced = forced == 1
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, t.errorf("client anchors of %d/%s/%s: %w", userID, deviceID, datastore, err)
	}
	return out, nil
}
