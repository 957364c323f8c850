package postgres

import (
	"context"
	"fmt"
	"strings"

	"anchorage/store"
)

// NoteSharedDevice records that a device id is shared by several clients.
func (t *tx) NoteSharedDevice(ctx context.Context, s *store.SharedDevice) error {
	if s.Last.IsZero() {
		s.Last = now()
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO shared_devices (user_id, device_id, clients, detail, partners, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, device_id) DO UPDATE SET clients = excluded.clients, detail = excluded.detail, partners = excluded.partners,
	last_seen = excluded.last_seen`,
		s.UserID, s.DeviceID, s.Clients, s.Detail, strings.Join(s.Partners, " "), nanos(s.Last), nanos(s.Last))
	if err != nil {
		return fmt.Errorf("postgres: note shared device %d/%s: %w", s.UserID, s.DeviceID, userFK(err, s.UserID))
	}
	return nil
}

// SharedDevice returns the record of a shared device id.
func (t *tx) SharedDevice(ctx context.Context, userID int64, deviceID string) (*store.SharedDevice, error) {
	s := store.SharedDevice{UserID: userID, DeviceID: deviceID}
	var first, last int64
	var partners string
	err := t.tx.QueryRow(ctx, `SELECT clients, detail, partners, first_seen, last_seen FROM shared_devices WHERE user_id = ? AND device_id = ?`,
		userID, deviceID).Scan(&s.Clients, &s.Detail, &partners, &first, &last)
	if err != nil {
		return nil, fmt.Errorf("postgres: shared device %d/%s: %w", userID, deviceID, notFound(err))
	}
	s.First, s.Last, s.Partners = fromNanos(first), fromNanos(last), strings.Fields(partners)
	return &s, nil
}
