package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"anchorage/store"
	"anchorage/store/sqlite"
)

// wipeDevice asks for a remote wipe of an ActiveSync device (issue 17):
// its next request is answered with a Provision carrying RemoteWipe, or
// AccountOnlyRemoteWipe (EAS 16.1) with accountOnly. The user's data on
// the server stays; `device remove` lets the device sync again.
func wipeDevice(ctx context.Context, dir, user, device string, accountOnly bool, stdout io.Writer) error {
	if dir == "" {
		return fmt.Errorf("%w: --data DIR is required", errUsage)
	}
	if _, err := os.Stat(filepath.Join(dir, dbFile)); errors.Is(err, os.ErrNotExist) {
		return errNoData{dir}
	}
	st, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		return err
	}
	defer st.Close()
	var already store.WipeState
	err = st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, user)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no user %q", user)
		} else if err != nil {
			return err
		}
		d, err := tx.Device(ctx, u.ID, device)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %s has no device %q (see device list)", user, device)
		} else if err != nil {
			return err
		}
		if d.Wipe.State != store.WipeNone {
			already = d.Wipe.State
			return nil
		}
		now := time.Now()
		return tx.SetWipe(ctx, u.ID, device, store.Wipe{State: store.WipePending, AccountOnly: accountOnly, Requested: now, Changed: now})
	})
	if err != nil {
		return err
	}
	if already != store.WipeNone {
		fmt.Fprintf(stdout, "device %s of %s: a wipe is already %s; `device remove` ends it\n", device, user, already)
		return nil
	}
	what := "a full remote wipe (factory reset)"
	if accountOnly {
		what = "removal of this account from the device (EAS 16.1; older devices are refused instead)"
	}
	fmt.Fprintf(stdout, "device %s of %s: %s is pending; it is sent at the device's next request. The data on the server stays.\n", device, user, what)
	return nil
}

// wipeStatus is the wipe column of `device list`.
func wipeStatus(w store.Wipe) string {
	if w.State == store.WipeNone {
		return "-"
	}
	s := string(w.State)
	if w.AccountOnly {
		s += " (account only)"
	}
	return s + " " + w.Changed.UTC().Format("2006-01-02 15:04Z")
}
