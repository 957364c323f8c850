package engine

import (
	"errors"
	"fmt"

	"anchorage/store"
)

// WipeState is where a remote wipe of a device stands (MS-ASPROV
// 3.2.5.1.2); the admin asks for it (`anchorage device wipe`), the EAS
// front end carries it out.
type WipeState string

// Wipe states, as stored.
const (
	WipeNone         = WipeState(store.WipeNone)
	WipePending      = WipeState(store.WipePending)
	WipeAcknowledged = WipeState(store.WipeAcknowledged)
	WipeDone         = WipeState(store.WipeDone)
)

// Wipe returns a device's remote-wipe state (WipeNone for a device never
// seen) and whether only the account is to be removed.
func (w *Work) Wipe(userID int64, deviceID string) (state WipeState, accountOnly bool, err error) {
	d, err := w.tx.Device(w.ctx, userID, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return WipeNone, false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("engine: device %s: %w", deviceID, err)
	}
	return WipeState(d.Wipe.State), d.Wipe.AccountOnly, nil
}

// SetWipe moves a device's pending wipe forward (acknowledged, done).
func (w *Work) SetWipe(userID int64, deviceID string, to WipeState) error {
	d, err := w.tx.Device(w.ctx, userID, deviceID)
	if err != nil {
		return fmt.Errorf("engine: device %s: %w", deviceID, err)
	}
	wp := d.Wipe
	wp.State, wp.Changed = store.WipeState(to), w.e.now()
	if err := w.tx.SetWipe(w.ctx, userID, deviceID, wp); err != nil {
		return fmt.Errorf("engine: wipe %s: %w", deviceID, err)
	}
	return nil
}
