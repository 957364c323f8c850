package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"anchorage/store"
)

// MD5 authentication (SyncML Security 5.3) is only as good as its nonce: a
// digest computed over a nonce the server did not issue, or one already
// used, proves nothing, since whoever saw it once can send it again. So an
// MD5 credential is accepted only against the nonce the server last issued
// for the user's device, and a nonce is spent by the session it opens.
// A known device's nonce is kept in its row (store.Device.Nonce); a device
// the server has not seen gets its nonce in a row of the sessions table
// (pendingNonceKey), so that any server process sharing the database
// checks it, and so that it expires with idle sessions.

// errNonceSpent: the nonce a first message's digest was checked against
// was used (or replaced) by another message in the meantime.
var errNonceSpent = errors.New("engine: MD5 nonce already used")

// pendingNonceKey names the sessions-table row that holds the nonce issued
// to a device of a user that has no device row yet.
func pendingNonceKey(userID int64, deviceID string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s", userID, deviceID)
	return "nonce-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// pendingNonce is the state of a pendingNonceKey row.
type pendingNonce struct {
	PendingNonce string `json:"pending_nonce"`
	// DevInf is what the refused first message Put: a client retrying
	// with the nonce does not send it again (SyncEvolution), and without
	// it the device would get formats it cannot read.
	DevInf []byte `json:"devinf,omitempty"`
}

// maxPendingDevInf bounds the DevInf kept with a pending nonce.
const maxPendingDevInf = 64 << 10

// currentNonce returns the nonce issued last to the user's device, "" when
// none is outstanding.
func currentNonce(ctx context.Context, tx store.Tx, userID int64, deviceID string) (string, error) {
	p, err := issuedNonce(ctx, tx, userID, deviceID)
	return p.PendingNonce, err
}

// issuedNonce returns the nonce issued last to the user's device: from its
// device row, else from a pending row (with the DevInf kept there).
func issuedNonce(ctx context.Context, tx store.Tx, userID int64, deviceID string) (pendingNonce, error) {
	d, err := tx.Device(ctx, userID, deviceID)
	if err == nil && d.Nonce != "" {
		return pendingNonce{PendingNonce: d.Nonce}, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return pendingNonce{}, err
	}
	row, err := tx.Session(ctx, pendingNonceKey(userID, deviceID))
	if errors.Is(err, store.ErrNotFound) {
		return pendingNonce{}, nil
	} else if err != nil {
		return pendingNonce{}, err
	}
	var p pendingNonce
	if json.Unmarshal(row.State, &p) != nil {
		return pendingNonce{}, nil
	}
	return p, nil
}

// issueNonce stores nonce as the one the user's device must use next: in
// its device row, or in a pending row when it has none.
func (e *Engine) issueNonce(ctx context.Context, tx store.Tx, userID int64, deviceID, nonce string, devInf []byte, note func(*store.Device)) error {
	d, err := tx.Device(ctx, userID, deviceID)
	if err == nil {
		d.Nonce = nonce
		if note != nil {
			note(d)
		}
		return tx.PutDevice(ctx, d)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if len(devInf) > maxPendingDevInf {
		devInf = nil
	}
	state, _ := json.Marshal(pendingNonce{PendingNonce: nonce, DevInf: devInf})
	now := e.now()
	return tx.PutSession(ctx, &store.Session{Key: pendingNonceKey(userID, deviceID), UserID: userID,
		DeviceID: deviceID, State: state, Created: now, UpdatedAt: now})
}

// spendNonce uses up, in the write transaction that opens session st, the
// nonce an MD5 credential was checked against: it returns errNonceSpent
// when that nonce is no longer the device's current one. The device row
// gets its next nonce when the session's reply is built (process); a new
// device gets the DevInf its refused first message Put.
func (e *Engine) spendNonce(ctx context.Context, tx store.Tx, st *sessionState, a authResult) error {
	p, err := issuedNonce(ctx, tx, a.user.ID, st.DeviceID)
	if err != nil {
		return fmt.Errorf("engine: read nonce: %w", err)
	}
	if p.PendingNonce == "" || p.PendingNonce != a.nonce {
		return errNonceSpent
	}
	err = tx.DeleteSession(ctx, pendingNonceKey(a.user.ID, st.DeviceID))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("engine: spend nonce: %w", err)
	}
	if p.DevInf != nil {
		return e.touchDevice(ctx, tx, st, func(d *store.Device) {
			if d.DevInf == nil {
				d.DevInf = p.DevInf
			}
		})
	}
	return nil
}
