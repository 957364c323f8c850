package main

import (
	"anchorage/admin"
	"anchorage/store"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// modeNames names SyncML alert codes for humans.
var modeNames = map[int]string{
	200: "two-way", 201: "slow", 202: "one-way-from-client", 203: "refresh-from-client",
	204: "one-way-from-server", 205: "refresh-from-server",
}

const deviceUsage = `device list --data DIR [--user NAME] [--overdue 48h]
device reset --data DIR --user NAME --device ID [--db NAME]
device remove --data DIR --user NAME --device ID
device set --data DIR --user NAME --device ID --charset NAME|default
device wipe --data DIR --user NAME --device ID [--account-only]`

func cmdDevice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, deviceUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("device "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "user name (list: only this user's devices)")
	dev := fs.String("device", "", "device id (reset, remove)")
	db := fs.String("db", "", "reset: only this datastore (contacts, calendar, tasks, notes)")
	charset := fs.String("charset", "", `set: charset of 8-bit vCard 2.1/vCalendar 1.0/vNote data the device sends without CHARSET (e.g. ISO-8859-2, windows-1251, KOI8-R, Shift_JIS); "default" for UTF-8 else windows-1252`)
	accountOnly := fs.Bool("account-only", false, "wipe: remove only this account from the device (EAS 16.1), not a factory reset")
	overdue := fs.Duration("overdue", 48*time.Hour, "list: flag devices without a successful sync for longer than this")
	if isHelp(sub) {
		return subHelp(fs, deviceUsage)
	}
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if sub != "list" && (*user == "" || *dev == "") {
		return fmt.Errorf("%w: device %s needs --user and --device", errUsage, sub)
	}
	if sub == "wipe" {
		return wipeDevice(ctx, *data, *user, *dev, *accountOnly, stdout)
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "list":
		return listDevices(ctx, eng, *user, *overdue, stdout)
	case "reset":
		n, err := eng.ResetDevice(ctx, *user, *dev, *db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "device %s of %s: %d partnership(s) reset; its next sync is a slow sync\n", *dev, *user, n)
		return nil
	case "remove":
		if err := eng.RemoveDevice(ctx, *user, *dev); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "device %s of %s removed; its items stay\n", *dev, *user)
		return nil
	case "set":
		cs := *charset
		if cs == "" {
			return fmt.Errorf("%w: device set needs --charset NAME|default", errUsage)
		}
		if cs == "default" {
			cs = ""
		}
		if err := eng.SetDeviceCharset(ctx, *user, *dev, cs); err != nil {
			return err
		}
		if cs == "" {
			fmt.Fprintf(stdout, "device %s of %s: its own charset setting removed; 8-bit data it sends without a charset is read as UTF-8 when valid, else as windows-1252\n", *dev, *user)
		} else {
			fmt.Fprintf(stdout, "device %s of %s: 8-bit data it sends without a charset is read as %s\n", *dev, *user, cs)
		}
		return nil
	}
	return fmt.Errorf("%w: %s", errUsage, deviceUsage)
}

// listDevices prints one line per device: its datastores, its last
// successful sync (time, mode and days ago), OVERDUE when that is longer
// ago than overdue, and the error of its last failed session.
func listDevices(ctx context.Context, eng *admin.Admin, user string, overdue time.Duration, stdout io.Writer) error {
	devs, err := eng.Devices(ctx, user)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tUSER\tPROTOCOL\tDATASTORES\tLAST SYNC\tMODE\tDAYS\tSTATUS\tWIPE\tLAST ERROR")
	for _, d := range devs {
		var names []string
		for _, p := range d.Datastores {
			name := p.Datastore
			if admin.NextSyncSlow(p) {
				name += " (next sync: slow)"
			}
			names = append(names, name)
		}
		last, mode, days := "never", "-", "-"
		if !d.LastSync.IsZero() {
			last = d.LastSync.UTC().Format("2006-01-02 15:04:05Z")
			mode = modeNames[d.LastMode]
			if mode == "" {
				mode = fmt.Sprint(d.LastMode)
			}
		}
		if ago, ok := d.SinceSync(now); ok {
			days = fmt.Sprintf("%.1f", ago.Hours()/24)
		}
		// The status is "ok" or every finding, most urgent first.
		var notes []string
		if d.Overdue(now, overdue) {
			notes = append(notes, "OVERDUE")
		}
		for _, h := range d.Holds {
			notes = append(notes, fmt.Sprintf("HELD: %d deletes of %s (hold %d)", h.Items, h.Datastore, h.ID))
		}
		notes = append(notes, setAsideNotes(d.SetAside)...)
		if d.Shared != nil {
			notes = append(notes, "SHARED: "+d.Shared.Detail)
		}
		status := "ok"
		if len(notes) > 0 {
			status = strings.Join(notes, "; ")
		}
		lastErr := d.Device.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		ds := strings.Join(names, ",")
		if ds == "" {
			ds = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Device.DeviceID, d.User, d.Protocol, ds, last, mode, days, status, wipeStatus(d.Device.Wipe), lastErr)
	}
	return tw.Flush()
}

// setAsideNotes says, per datastore in order, how many items are set
// aside for a device.
func setAsideNotes(as []store.SetAside) []string {
	var out []string
	for i := 0; i < len(as); {
		j := i
		for j < len(as) && as[j].Datastore == as[i].Datastore {
			j++
		}
		out = append(out, fmt.Sprintf("SET ASIDE: %d of %s", j-i, as[i].Datastore))
		i = j
	}
	return out
}
