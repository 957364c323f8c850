package admin

import (
	"context"
	"errors"
	"slices"
	"strings"

	"anchorage/store"
)

// sharedDevice returns the shared-device record that concerns a device
// row: its own, or that of the device id whose client it is ("ID#hash").
func sharedDevice(ctx context.Context, tx store.Tx, userID int64, deviceID string) (*store.SharedDevice, error) {
	id := deviceID
	if i := strings.LastIndexByte(deviceID, '#'); i > 0 {
		id = deviceID[:i]
	}
	for _, cand := range []string{deviceID, id} {
		s, err := tx.SharedDevice(ctx, userID, cand)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if cand == deviceID || slices.Contains(s.Partners, deviceID) {
			return s, nil
		}
	}
	return nil, nil
}
