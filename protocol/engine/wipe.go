package engine

import (
	"fmt"
	"time"

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
	d, err := w.Device(userID, deviceID)
	if err != nil || d == nil {
		return WipeNone, false, err
	}
	return d.Wipe, d.WipeAccountOnly, nil
}

// SeenFresh tells whether a device last seen at seen counts as seen now
// for SeeDevice with fresh, which then writes nothing: a front end that
// read LastSeen need not open a write transaction to learn that.
func (e *Engine) SeenFresh(seen time.Time, fresh time.Duration) bool {
	return seenFresh(e.now(), seen, fresh)
}

func seenFresh(now, seen time.Time, fresh time.Duration) bool {
	age := now.Sub(seen)
	return !seen.IsZero() && age >= 0 && age < fresh
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
