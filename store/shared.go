package store

import (
	"context"
	"time"
)

// SharedTx records device ids that several clients present (issue 17).
type SharedTx interface {
	// NoteSharedDevice records (or updates) that a device id is shared:
	// Clients, Detail and Partners replace the stored ones, Last is set,
	// First is kept from the first record.
	NoteSharedDevice(ctx context.Context, s *SharedDevice) error
	// SharedDevice returns the record of a device id; ErrNotFound when it
	// was never found shared.
	SharedDevice(ctx context.Context, userID int64, deviceID string) (*SharedDevice, error)
}

// SharedDevice is a device id found presented by several clients.
type SharedDevice struct {
	UserID   int64
	DeviceID string
	// Clients is how many clients (different DevInf fingerprints) were
	// seen under the id.
	Clients int
	// Detail says what was seen last, in words.
	Detail string
	// Partners are the device ids of the partnerships kept for clients
	// other than the first (which keeps DeviceID's).
	Partners    []string
	First, Last time.Time
}
