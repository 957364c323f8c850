package admin

import (
	"context"

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
		now := e.now()
		return tx.SetWipe(ctx, u.ID, device, store.Wipe{State: store.WipePending, AccountOnly: accountOnly, Requested: now, Changed: now})
	})
	return already, err
}
