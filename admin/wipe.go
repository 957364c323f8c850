package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// WipeDevice asks for a remote wipe of an ActiveSync device (MS-ASPROV
// 3.2.5.1.2): its next request is answered with a Provision carrying
// RemoteWipe, or AccountOnlyRemoteWipe (EAS 16.1) with accountOnly. The
// user's data on the server stays; `device remove` lets the device sync
// again. It returns the state of a wipe asked for earlier, which it then
// leaves as it is, or store.WipeNone when this call asked for it.
func (e *Admin) WipeDevice(ctx context.Context, user, device string, accountOnly bool) (store.WipeState, error) {
	already := store.WipeNone
	err := e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		d, err := tx.Device(ctx, u.ID, device)
		if err != nil {
			return noDevice(user, device, err)
		}
		if d.Wipe.State != store.WipeNone {
			already = d.Wipe.State
			return nil
		}
		if accountOnly {
			if err := accountWipeable(ctx, tx, u.ID, user, device); err != nil {
				return err
			}
		}
		now := e.now()
		return tx.SetWipe(ctx, u.ID, device, store.Wipe{State: store.WipePending, AccountOnly: accountOnly, Requested: now, Changed: now})
	})
	return already, err
}

// accountWipeable refuses an account-only wipe of a device that cannot
// receive one: AccountOnlyRemoteWipe exists from EAS 16.1 on (MS-ASPROV
// 2.2.2.1), and an older device would be refused for good instead of
// losing the account. The version is that of the device's last request.
func accountWipeable(ctx context.Context, tx store.Tx, userID int64, user, device string) error {
	row, err := tx.Session(ctx, engine.EASStateKey(userID, device))
	if errors.Is(err, store.ErrNotFound) {
		return plainf("device %s of %s has not synced over ActiveSync: an account-only wipe needs an ActiveSync device speaking EAS 16.1", device, user)
	} else if err != nil {
		return fmt.Errorf("admin: state of %q: %w", device, err)
	}
	d, err := engine.ReadEASDevice(row.State)
	if err != nil {
		return err
	}
	if d.ProtocolVersion == "" {
		return plainf("device %s of %s has not said which EAS version it speaks; an account-only wipe needs EAS 16.1", device, user)
	}
	if v, err := strconv.ParseFloat(d.ProtocolVersion, 64); err != nil || v < 16.1 {
		return plainf("device %s of %s speaks EAS %s; an account-only wipe needs EAS 16.1 (ask for a full wipe, without --account-only, instead)",
			device, user, d.ProtocolVersion)
	}
	return nil
}
