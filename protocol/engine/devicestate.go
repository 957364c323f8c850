package engine

import (
	"time"

	"anchorage/store"
)

// durable is the UpdatedAt of a session that idle expiry never drops:
// ExpireSessions deletes by UpdatedAt, and a device's state (ActiveSync's
// SyncKeys) must outlive the device's idle time, however long.
var durable = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// PutDeviceState stores a front end's state of a device under key, like
// PutSession but kept until the device is removed (its sessions go with
// it) instead of expiring after an idle time.
func (w *Work) PutDeviceState(key string, row *SessionRow) error {
	return w.tx.PutSession(w.ctx, &store.Session{Key: key, UserID: row.UserID, DeviceID: row.DeviceID,
		State: row.State, LastResponse: row.LastResponse, Created: w.e.now(), UpdatedAt: durable})
}
