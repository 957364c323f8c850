package main

import (
	"context"
	"fmt"
	"io"

	"anchorage/store"
)

// wipeDevice asks for a remote wipe of an ActiveSync device:
// its next request is answered with a Provision carrying RemoteWipe, or
// AccountOnlyRemoteWipe (EAS 16.1) with accountOnly. The user's data on
// the server stays; `device remove` lets the device sync again.
func wipeDevice(ctx context.Context, loc, user, device string, accountOnly bool, stdout io.Writer) error {
	adm, closeStore, err := openAdmin(loc, quietLogger(io.Discard))
	if err != nil {
		return err
	}
	defer closeStore()
	already, err := adm.WipeDevice(ctx, user, device, accountOnly)
	if err != nil {
		return err
	}
	if already != store.WipeNone {
		fmt.Fprintf(stdout, "device %s of %s: a wipe is already %s; `device remove` ends it\n", device, user, already)
		return nil
	}
	what := "a full remote wipe (factory reset)"
	if accountOnly {
		what = "removal of this account from the device (EAS 16.1)"
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
