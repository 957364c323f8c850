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
	// AddClientAnchor records a client anchor of a partnership (the Next
	// of a sync Alert), keeping the last MaxClientAnchors.
	AddClientAnchor(ctx context.Context, a *ClientAnchor) error
	// ClientAnchors returns the partnership's recorded anchors, newest
	// first.
	ClientAnchors(ctx context.Context, userID int64, deviceID, datastore string) ([]ClientAnchor, error)
}

// MaxClientAnchors is how many client anchors a partnership keeps.
const MaxClientAnchors = 8

// ClientAnchor is a client anchor a device sent for a datastore.
type ClientAnchor struct {
	UserID              int64
	DeviceID, Datastore string
	Anchor              string
	// Forced: the session that sent it had been forced into a slow sync
	// (its Last anchor did not match).
	Forced bool
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
