package engine

import "strconv"

// EASStateKey is the key under which the ActiveSync front end keeps a
// device's state (PutDeviceState): one per user and device. A device with
// such a state is an EAS device; admin's device list says so.
func EASStateKey(userID int64, deviceID string) string {
	return "eas:" + strconv.FormatInt(userID, 10) + ":" + deviceID
}
