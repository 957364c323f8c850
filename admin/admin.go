package admin

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// ErrColonInName refuses a user name that basic authentication cannot carry.
var ErrColonInName = errors.New(`a user name cannot contain ":" (basic authentication sends "name:password", so that user could never log in)`)

// AddUser creates a user. With md5 the MD5 secret (a password equivalent,
// see README) is stored too, so that syncml:auth-md5 clients can log in.
func (e *Admin) AddUser(ctx context.Context, name, password string, md5 bool) error {
	if name == "" || password == "" {
		return errors.New("admin: user name and password must not be empty")
	}
	if strings.ContainsRune(name, ':') {
		// Basic authentication sends "name:password" and splits at the
		// first colon (RFC 7617 2), so such a user could never log in.
		return ErrColonInName
	}
	hash, secret, err := HashPassword(name, password, md5)
	if err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(ctx, &store.User{Name: name, PasswordHash: hash, MD5Secret: secret, Created: e.now()})
	})
}

// Users lists every user.
func (e *Admin) Users(ctx context.Context) ([]store.User, error) {
	var users []store.User
	err := e.view(ctx, func(tx store.Tx) error {
		var err error
		users, err = tx.ListUsers(ctx)
		return err
	})
	return users, err
}

// DeviceReport is one device as the admin sees it.
type DeviceReport struct {
	User       string
	Device     store.Device
	Datastores []store.Partnership
	// LastSync is the latest completed sync over all datastores (zero if
	// none) and LastMode its alert code.
	LastSync time.Time
	LastMode int
	// Protocol is "EAS" for an Exchange ActiveSync device, else "SyncML".
	Protocol string
	// Holds are the device's open holds (mass deletions held for the
	// owner to accept or reject).
	Holds []store.Hold
	// SetAside are the items set aside for the device: versions it kept
	// refusing, no longer sent to it (they stay on the server).
	SetAside []store.SetAside
	// Shared is set when the device id is presented by several clients
	// (on the device id's row and on the rows of the partnerships kept
	// for the other clients).
	Shared *store.SharedDevice
}

// SinceSync is how long before now the device last completed a sync; ok
// is false when it never did.
func (r DeviceReport) SinceSync(now time.Time) (d time.Duration, ok bool) {
	if r.LastSync.IsZero() {
		return 0, false
	}
	return now.Sub(r.LastSync), true
}

// Overdue tells whether the device has gone without a successful sync for
// longer than limit: since its last completed sync, or, if it never
// completed one, since it was first seen.
func (r DeviceReport) Overdue(now time.Time, limit time.Duration) bool {
	last := r.LastSync
	if last.IsZero() {
		last = r.Device.FirstSeen
	}
	return !last.IsZero() && now.Sub(last) > limit
}

// Devices lists the devices of one user (or of all users when user is "").
func (e *Admin) Devices(ctx context.Context, user string) ([]DeviceReport, error) {
	var out []DeviceReport
	err := e.view(ctx, func(tx store.Tx) error {
		users, err := tx.ListUsers(ctx)
		if err != nil {
			return err
		}
		found := user == ""
		for _, u := range users {
			if user != "" && u.Name != user {
				continue
			}
			found = true
			devs, err := tx.ListDevices(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, d := range devs {
				ps, err := tx.ListPartnerships(ctx, u.ID, d.DeviceID)
				if err != nil {
					return err
				}
				rep := DeviceReport{User: u.Name, Device: d, Datastores: ps, Protocol: "SyncML"}
				if rep.Holds, err = tx.Holds(ctx, u.ID, d.DeviceID, store.HoldOpen); err != nil {
					return err
				}
				if rep.SetAside, err = tx.SetAsideItems(ctx, u.ID, d.DeviceID, ""); err != nil {
					return err
				}
				if rep.Shared, err = sharedDevice(ctx, tx, u.ID, d.DeviceID); err != nil {
					return err
				}
				if _, err := tx.Session(ctx, engine.EASStateKey(u.ID, d.DeviceID)); err == nil {
					rep.Protocol = "EAS"
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
				for _, p := range ps {
					if p.LastSync.After(rep.LastSync) {
						rep.LastSync, rep.LastMode = p.LastSync, p.LastSyncMode
					}
				}
				out = append(out, rep)
			}
		}
		if !found {
			return &PlainError{Msg: fmt.Sprintf("no user %q", user), Err: fmt.Errorf("admin: user %q: %w", user, store.ErrNotFound)}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].User != out[j].User {
			return out[i].User < out[j].User
		}
		return out[i].Device.DeviceID < out[j].Device.DeviceID
	})
	return out, err
}

// ResetDevice makes the device's next sync of one datastore (all when
// datastore is "") a slow sync. Its LUID maps stay, so the slow sync
// matches what the device has; nothing is duplicated or lost.
func (e *Admin) ResetDevice(ctx context.Context, user, device, datastore string) (int, error) {
	name := ""
	if datastore != "" {
		var ok bool
		if name, ok = engine.ResolveDatastore(datastore); !ok {
			return 0, unknownDatastore(datastore)
		}
	}
	var n int
	err := e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if _, err := tx.Device(ctx, u.ID, device); err != nil {
			return noDevice(user, device, err)
		}
		ps, err := tx.ListPartnerships(ctx, u.ID, device)
		if err != nil {
			return fmt.Errorf("admin: partnerships of %q: %w", device, err)
		}
		if n, err = tx.DeletePartnerships(ctx, u.ID, device, name); err != nil {
			return fmt.Errorf("admin: reset %q: %w", device, err)
		}
		// The partnerships stay listed, with their last sync, but without
		// anchors or acknowledgements: the next Alert finds no anchor to
		// match and gets 508 and a slow sync (alert.go).
		for _, p := range ps {
			if name != "" && p.Datastore != name {
				continue
			}
			reset := store.Partnership{UserID: p.UserID, DeviceID: p.DeviceID, Datastore: p.Datastore,
				LastSync: p.LastSync, LastSyncMode: p.LastSyncMode}
			if err := tx.PutPartnership(ctx, &reset); err != nil {
				return fmt.Errorf("admin: reset %q: %w", device, err)
			}
		}
		return nil
	})
	return n, err
}

// NextSyncSlow tells whether a partnership's next sync is a slow sync
// whatever the device asks for: it has no client anchor (never completed,
// or reset by ResetDevice).
func NextSyncSlow(p store.Partnership) bool { return p.ClientAnchor == "" }

// RemoveDevice forgets a device (partnerships, maps, sessions); the items
// it synced stay. If it syncs again it starts a new partnership.
func (e *Admin) RemoveDevice(ctx context.Context, user, device string) error {
	return e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if err := tx.DeleteDevice(ctx, u.ID, device); err != nil {
			return noDevice(user, device, err)
		}
		return nil
	})
}

// SetDeviceCharset sets the charset of 8-bit data a device sends without
// declaring one ("" restores the default: UTF-8 when valid, else
// windows-1252). A device not seen yet is recorded, so it can be set up
// before its first sync.
func (e *Admin) SetDeviceCharset(ctx context.Context, user, device, charset string) error {
	if charset != "" && !pim.KnownCharset(charset) {
		return fmt.Errorf("admin: unknown charset %q", charset)
	}
	if device == "" {
		return errors.New("admin: empty device id")
	}
	return e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		d, err := tx.Device(ctx, u.ID, device)
		if errors.Is(err, store.ErrNotFound) {
			d = &store.Device{UserID: u.ID, DeviceID: device}
		} else if err != nil {
			return noDevice(user, device, err)
		}
		d.Charset = charset
		return tx.PutDevice(ctx, d)
	})
}
