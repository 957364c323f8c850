package store

import (
	"context"
	"time"
)

// HoldTx keeps the mass-deletion guard's holds (DESIGN.md "Data
// protection"): the deletes of a device session that would have removed
// more than a threshold of a datastore, kept here unapplied until the owner
// accepts or rejects them.
type HoldTx interface {
	// LiveCount counts the live (not deleted) items of a datastore.
	LiveCount(ctx context.Context, userID int64, datastore string) (int, error)
	// CreateHold stores an open hold with the deletes it holds and sets
	// h.ID; h.Items is set to len(deletes).
	CreateHold(ctx context.Context, h *Hold, deletes []HeldDelete) error
	// Hold returns one hold; ErrNotFound when there is none.
	Hold(ctx context.Context, id int64) (*Hold, error)
	// Holds lists the holds of a user (0: every user) and device ("":
	// every device) whose state is one of states (none: any), oldest
	// first.
	Holds(ctx context.Context, userID int64, deviceID string, states ...HoldState) ([]Hold, error)
	// HeldDeletes lists the deletes of a hold, ordered by GUID.
	HeldDeletes(ctx context.Context, holdID int64) ([]HeldDelete, error)
	// SetHoldState moves a hold to a state, decided at the given time;
	// ErrNotFound when there is no such hold.
	SetHoldState(ctx context.Context, id int64, state HoldState, at time.Time) error
	// HeldGUIDs tells which of the given GUIDs an open hold of the device's
	// datastore holds.
	HeldGUIDs(ctx context.Context, userID int64, deviceID, datastore string, guids []string) (map[string]bool, error)
	// HoldSettings returns the threshold stored for a user; ErrNotFound
	// when none is (the server's applies).
	HoldSettings(ctx context.Context, userID int64) (*HoldSettings, error)
	// PutHoldSettings stores (or replaces) a user's threshold.
	PutHoldSettings(ctx context.Context, s *HoldSettings) error
	// DeleteHoldSettings removes a user's threshold; ErrNotFound when none.
	DeleteHoldSettings(ctx context.Context, userID int64) error
}

// HoldState is where a hold stands.
type HoldState string

// Hold states.
const (
	HoldOpen     HoldState = "open"     // waiting for the owner
	HoldAccepted HoldState = "accepted" // the deletes were applied
	HoldRejected HoldState = "rejected" // discarded; the items go back to the device at its next sync
	HoldReturned HoldState = "returned" // rejected, and the device got its items back
)

// Hold is one device session's held deletes of one datastore.
type Hold struct {
	ID        int64
	UserID    int64
	Datastore string
	DeviceID  string
	State     HoldState
	Items     int   // deletes held
	Live      int   // live items of the datastore when the session began deleting
	Seq       int64 // the datastore's change sequence when the hold was made
	Created   time.Time
	Decided   time.Time // zero while open
}

// HeldDelete is one held delete: the server item and the device's id of it.
type HeldDelete struct {
	GUID string
	LUID string
}

// HoldSettings is a user's mass-deletion threshold: a session is held when
// it deletes at least MinItems items and more than Percent % of the
// datastore's live items.
type HoldSettings struct {
	UserID   int64
	Percent  int
	MinItems int
}
