package store

import (
	"context"
	"time"
)

// SetAsideTx keeps the items set aside for one device: a version of an
// item the device kept refusing (an ActiveSync device that asks again with
// the same SyncKey down to a window of one item) is no longer sent to it.
// The item itself stays on the server; a newer version is sent again.
type SetAsideTx interface {
	// PutSetAside records (or replaces) an item set aside for a device.
	PutSetAside(ctx context.Context, a *SetAside) error
	// SetAsideItems returns a device's set-aside items of one datastore
	// (all when datastore is ""), ordered by datastore and GUID.
	SetAsideItems(ctx context.Context, userID int64, deviceID, datastore string) ([]SetAside, error)
}

// SetAside is one item set aside for one device.
type SetAside struct {
	UserID    int64
	DeviceID  string
	Datastore string
	GUID      string
	Seq       int64 // the item's sequence when it was set aside: that version is not sent
	Reason    string
	At        time.Time
}
