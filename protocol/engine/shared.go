package engine

import (
	"errors"
	"fmt"

	"anchorage/store"
)

// NoteSharedDevice records that a device id of a user is presented by
// several clients (issue 17), for `device list`.
// partners are the device ids of the partnerships kept for clients other
// than the first.
func (w *Work) NoteSharedDevice(userID int64, deviceID string, clients int, detail string, partners []string) error {
	err := w.tx.NoteSharedDevice(w.ctx, &store.SharedDevice{UserID: userID, DeviceID: deviceID, Clients: clients,
		Detail: detail, Partners: partners})
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}

// SharedDevice returns what is recorded of a shared device id; nil when it
// was never found shared.
func (w *Work) SharedDevice(userID int64, deviceID string) (*store.SharedDevice, error) {
	s, err := w.tx.SharedDevice(w.ctx, userID, deviceID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return s, nil
}

// ClientAnchor is the device's Next anchor of its last completed session
// of a datastore ("" when none): what its next Alert's Last must be.
func (w *Work) ClientAnchor(userID int64, deviceID, datastore string) (string, error) {
	pt, err := w.tx.Partnership(w.ctx, userID, deviceID, datastore)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("engine: anchor of %s/%s: %w", deviceID, datastore, err)
	}
	return pt.ClientAnchor, nil
}

// AddClientAnchor records the client anchor a device sent for a datastore
// (the Next of its sync Alert); forced tells whether the sync was forced
// slow.
func (w *Work) AddClientAnchor(userID int64, deviceID, datastore, anchor string, forced bool) error {
	err := w.tx.AddClientAnchor(w.ctx, &store.ClientAnchor{UserID: userID, DeviceID: deviceID, Datastore: datastore,
		Anchor: anchor, Forced: forced})
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}

// ClientAnchors returns the client anchors recorded for a partnership,
// newest first.
func (w *Work) ClientAnchors(userID int64, deviceID, datastore string) ([]store.ClientAnchor, error) {
	as, err := w.tx.ClientAnchors(w.ctx, userID, deviceID, datastore)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return as, nil
}
