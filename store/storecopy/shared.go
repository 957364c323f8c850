package storecopy

import (
	"context"
	"errors"
	"slices"

	"anchorage/store"
)

// sharedData is what a user's store holds about shared device ids: the
// records and the client anchors each partnership kept.
type sharedData struct {
	devices []store.SharedDevice
	anchors []store.ClientAnchor // oldest first within each partnership
}

// readShared reads the shared-device records of the user's devices and
// the client anchors of the user's partnerships.
func (d *userData) readShared(ctx context.Context, tx store.Tx) error {
	for _, dev := range d.devices {
		s, err := tx.SharedDevice(ctx, d.user.ID, dev.DeviceID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		d.shared.devices = append(d.shared.devices, *s)
	}
	for _, p := range d.partnerships {
		as, err := tx.ClientAnchors(ctx, d.user.ID, p.DeviceID, p.Datastore)
		if err != nil {
			return err
		}
		slices.Reverse(as)
		d.shared.anchors = append(d.shared.anchors, as...)
	}
	return nil
}

// writeShared writes them for the user's new id.
func (d *userData) writeShared(ctx context.Context, tx store.Tx, userID int64) error {
	for _, s := range d.shared.devices {
		s.UserID = userID
		if err := tx.NoteSharedDevice(ctx, &s); err != nil {
			return err
		}
	}
	for _, a := range d.shared.anchors {
		a.UserID = userID
		if err := tx.AddClientAnchor(ctx, &a); err != nil {
			return err
		}
	}
	return nil
}
