package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anchorage/store"
)

// User is an account as a front end sees it.
type User struct {
	ID   int64
	Name string
	// Digest is set when the user may authenticate with a digest of the
	// password (a stored secret exists, see DigestSecret).
	Digest bool
}

func userOf(u *store.User) *User {
	return &User{ID: u.ID, Name: u.Name, Digest: u.MD5Secret != ""}
}

// Login checks a user's password (bcrypt, cached for a while so that the
// KDF does not dominate a busy device's sessions). It returns
// ErrUnauthorized for an unknown or disabled user or a wrong password.
func (w *Work) Login(name, password string) (*User, error) {
	u, err := w.tx.UserByName(w.ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthorized
	} else if err != nil {
		return nil, fmt.Errorf("engine: authenticate: %w", err)
	}
	if !w.e.checkPassword(u, password) || u.Disabled {
		return nil, ErrUnauthorized
	}
	return userOf(u), nil
}

// DigestSecret returns a user and the secret a digest authentication is
// computed from (b64(md5("user:password")), a password equivalent). It
// returns ErrUnauthorized for an unknown or disabled user or one without a
// secret.
func (w *Work) DigestSecret(name string) (*User, string, error) {
	u, err := w.tx.UserByName(w.ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", ErrUnauthorized
	} else if err != nil {
		return nil, "", fmt.Errorf("engine: authenticate: %w", err)
	}
	if u.MD5Secret == "" || u.Disabled {
		return nil, "", ErrUnauthorized
	}
	return userOf(u), u.MD5Secret, nil
}

// Device is what a front end reads of a device.
type Device struct {
	// Nonce is the challenge given to the device for its next digest
	// authentication.
	Nonce string
	// Charset is the device's default charset for 8-bit data that declares
	// none ("" for the default).
	Charset string
	// DevInf is the device's description as it sent it (SyncML DevInf).
	DevInf []byte
	// LastSeen is when the device was last seen (see SeeDevice).
	LastSeen time.Time
	// Wipe is where a remote wipe of the device stands, and
	// WipeAccountOnly whether only the account is to be removed.
	Wipe            WipeState
	WipeAccountOnly bool
}

// Device returns what is known of a user's device, nil when it was never
// seen.
func (w *Work) Device(userID int64, deviceID string) (*Device, error) {
	d, err := w.e.sessionDevice(w.ctx, w.tx, w.as(Partner{UserID: userID, DeviceID: deviceID}))
	if err != nil || d == nil {
		return nil, err
	}
	return &Device{Nonce: d.Nonce, Charset: d.Charset, DevInf: d.DevInf, LastSeen: d.LastSeen,
		Wipe: WipeState(d.Wipe.State), WipeAccountOnly: d.Wipe.AccountOnly}, nil
}

// DeviceChange is what TouchDevice changes besides the time last seen.
type DeviceChange struct {
	Nonce    *string // a new challenge for the next digest authentication
	DevInf   []byte  // a new description, when not nil
	ClearErr bool    // the session succeeded: forget the last failure
}

// TouchDevice creates or updates a device of the partner: last seen now,
// and ch.
func (w *Work) TouchDevice(p Partner, ch DeviceChange) error {
	return w.e.touchDevice(w.ctx, w.tx, w.as(p), func(d *store.Device) {
		if ch.Nonce != nil {
			d.Nonce = *ch.Nonce
		}
		if ch.DevInf != nil {
			d.DevInf = ch.DevInf
		}
		if ch.ClearErr {
			d.LastError = ""
		}
	})
}

// SeeDevice records that the partner's device was seen: TouchDevice
// without a change, but no write when the device was last seen less than
// fresh ago, so that a device's run of requests does not rewrite its row
// for each one (the time last seen is then up to fresh old).
func (w *Work) SeeDevice(p Partner, fresh time.Duration) error {
	d, err := w.e.sessionDevice(w.ctx, w.tx, w.as(p))
	if err != nil {
		return err
	}
	if d != nil && seenFresh(w.e.now(), d.LastSeen, fresh) {
		return nil
	}
	return w.TouchDevice(p, DeviceChange{})
}

// RecordFailure notes on an existing device of a user why its session
// failed, for the admin; nonce, when not empty, becomes its next
// challenge. Nothing is written for an unknown user or device.
func (w *Work) RecordFailure(userName string, userID int64, deviceID, nonce, reason string) error {
	if userName != "" {
		u, err := w.tx.UserByName(w.ctx, userName)
		if err != nil {
			return nil
		}
		userID = u.ID
	}
	d, err := w.tx.Device(w.ctx, userID, deviceID)
	if err != nil {
		return nil
	}
	if nonce != "" {
		d.Nonce = nonce
	}
	d.LastError = reason
	return w.tx.PutDevice(w.ctx, d)
}

// SessionRow is a front end's session as stored: its state blob, opaque
// to the core, and the last response it sent (for retransmissions).
type SessionRow struct {
	UserID       int64
	DeviceID     string
	State        []byte
	LastResponse []byte
}

// Session returns a front end's stored session, nil when there is none.
func (w *Work) Session(key string) (*SessionRow, error) {
	s, err := w.tx.Session(w.ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("engine: load session: %w", err)
	}
	return &SessionRow{UserID: s.UserID, DeviceID: s.DeviceID, State: s.State, LastResponse: s.LastResponse}, nil
}

// PutSession stores a front end's session under key.
func (w *Work) PutSession(key string, row *SessionRow) error {
	now := w.e.now()
	return w.tx.PutSession(w.ctx, &store.Session{Key: key, UserID: row.UserID, DeviceID: row.DeviceID,
		State: row.State, LastResponse: row.LastResponse, Created: now, UpdatedAt: now})
}

// DeleteSession drops a front end's stored session (none: no error).
func (w *Work) DeleteSession(key string) error {
	if err := w.tx.DeleteSession(w.ctx, key); err != nil {
		return fmt.Errorf("engine: delete session: %w", err)
	}
	return nil
}

// ExpireSessions drops sessions idle for longer than ttl. A dropped session
// never committed its anchors, so the device's next sync starts afresh
// (slow if needed) and loses nothing.
func (e *Engine) ExpireSessions(ctx context.Context, ttl time.Duration) (int, error) {
	var n int
	err := e.store.Update(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteSessionsBefore(ctx, e.now().Add(-ttl))
		return err
	})
	return n, err
}

// LoginSucceeded clears the failed logins of a user from an address.
func (e *Engine) LoginSucceeded(user, remote string) { e.throttle.succeed(user, remote) }

// LoginFailed records a failed login of a user from an address and returns
// how long to delay the refusal (Pause): after a few failures each further
// one waits longer, up to a bound (throttle.go).
func (e *Engine) LoginFailed(user, remote string) time.Duration {
	return e.throttle.fail(user, remote, e.now())
}

// Pause waits for d or until ctx is done.
func Pause(ctx context.Context, d time.Duration) { sleep(ctx, d) }

// FreeLoginFailures is how many failed logins of a user from an address
// are refused without delay.
const FreeLoginFailures = freeFailures
