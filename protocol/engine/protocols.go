package engine

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// EASStateKey is the key under which the ActiveSync front end keeps a
// device's state (PutDeviceState): one per user and device. A device with
// such a state is an EAS device; admin's device list says so.
func EASStateKey(userID int64, deviceID string) string {
	return "eas:" + strconv.FormatInt(userID, 10) + ":" + deviceID
}

// EASDevice is what the ActiveSync front end's device state says of the
// device to the admin operations: the front end's state (JSON) embeds it.
type EASDevice struct {
	Type      string `json:"type,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// ProtocolVersion is the MS-ASProtocolVersion of its last request.
	ProtocolVersion string `json:"protocol_version,omitempty"`
}

// ReadEASDevice reads EASDevice from a device state stored under
// EASStateKey.
func ReadEASDevice(state []byte) (EASDevice, error) {
	var d EASDevice
	if err := json.Unmarshal(state, &d); err != nil {
		return d, fmt.Errorf("engine: read ActiveSync device state: %w", err)
	}
	return d, nil
}
