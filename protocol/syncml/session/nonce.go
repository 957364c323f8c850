package session

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"anchorage/protocol/engine"
)

// MD5 authentication (SyncML Security 5.3) is only as good as its nonce: a
// digest computed over a nonce the server did not issue, or one already
// used, proves nothing, since whoever saw it once can send it again. So an
// MD5 credential is accepted only against the nonce the server last issued
// for the user's device, and a nonce is spent by the session it opens.
// A known device's nonce is kept in its row (engine.Device.Nonce); a
// device the server has not seen gets its nonce in a stored session row of
// its own (pendingNonceKey), so that any server process sharing the
// database checks it, and so that it expires with idle sessions.

// errNonceSpent: the nonce a first message's digest was checked against
// was used (or replaced) by another message in the meantime.
var errNonceSpent = errors.New("session: MD5 nonce already used")

// pendingNonceKey names the session row that holds the nonce issued to a
// device of a user that has no device row yet.
func pendingNonceKey(userID int64, deviceID string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s", userID, deviceID)
	return "nonce-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// pendingNonce is the state of a pendingNonceKey row. It has no Key, so
// loadSession does not take it for a session.
type pendingNonce struct {
	PendingNonce string `json:"pending_nonce"`
	// DevInf is what the refused first message Put: a client retrying
	// with the nonce does not send it again (SyncEvolution), and without
	// it the device would get formats it cannot read.
	DevInf []byte `json:"devinf,omitempty"`
}

// maxPendingDevInf bounds the DevInf kept with a pending nonce.
const maxPendingDevInf = 64 << 10

// issuedNonce returns the nonce issued last to the user's device: from its
// device row, else from a pending row (with the DevInf kept there); ""
// when none is outstanding.
func issuedNonce(w *engine.Work, userID int64, deviceID string) (pendingNonce, error) {
	d, err := w.Device(userID, deviceID)
	if err != nil {
		return pendingNonce{}, err
	}
	if d != nil && d.Nonce != "" {
		return pendingNonce{PendingNonce: d.Nonce}, nil
	}
	row, err := w.Session(pendingNonceKey(userID, deviceID))
	if err != nil || row == nil {
		return pendingNonce{}, err
	}
	var p pendingNonce
	if json.Unmarshal(row.State, &p) != nil {
		return pendingNonce{}, nil
	}
	return p, nil
}

// issueNonce stores nonce as the one a device of the user named must use
// next: in its device row (with reason as its last error), or in a pending
// row when it has none. Nothing is stored for a user who cannot use MD5.
func issueNonce(w *engine.Work, user, deviceID, nonce, reason string, devInf []byte) error {
	u, _, err := w.DigestSecret(user)
	if errors.Is(err, engine.ErrUnauthorized) {
		// Unknown, disabled or without an MD5 secret: a device of a
		// known user still notes the failure.
		return w.RecordFailure(user, 0, deviceID, nonce, reason)
	} else if err != nil {
		return err
	}
	if d, err := w.Device(u.ID, deviceID); err != nil {
		return err
	} else if d != nil {
		return w.RecordFailure("", u.ID, deviceID, nonce, reason)
	}
	if len(devInf) > maxPendingDevInf {
		devInf = nil
	}
	state, _ := json.Marshal(pendingNonce{PendingNonce: nonce, DevInf: devInf})
	return w.PutSession(pendingNonceKey(u.ID, deviceID), &engine.SessionRow{UserID: u.ID, DeviceID: deviceID, State: state})
}

// spendNonce uses up, in the write transaction that opens session st, the
// nonce an MD5 credential was checked against: it returns errNonceSpent
// when that nonce is no longer the device's current one. The device row
// gets its next nonce when the session's reply is built (process); a new
// device gets the DevInf its refused first message Put.
func spendNonce(w *engine.Work, st *sessionState, a authResult) error {
	p, err := issuedNonce(w, a.user.ID, st.DeviceID)
	if err != nil {
		return fmt.Errorf("session: read nonce: %w", err)
	}
	if p.PendingNonce == "" || p.PendingNonce != a.nonce {
		return errNonceSpent
	}
	if err := w.DeleteSession(pendingNonceKey(a.user.ID, st.DeviceID)); err != nil {
		return fmt.Errorf("session: spend nonce: %w", err)
	}
	if p.DevInf == nil {
		return nil
	}
	d, err := w.Device(a.user.ID, st.DeviceID)
	if err != nil {
		return err
	}
	if d == nil || d.DevInf == nil {
		return w.TouchDevice(st.partner(), engine.DeviceChange{DevInf: p.DevInf})
	}
	return nil
}
