package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// modeNames names SyncML alert codes for humans.
var modeNames = map[int]string{
	200: "two-way", 201: "slow", 202: "one-way-from-client", 203: "refresh-from-client",
	204: "one-way-from-server", 205: "refresh-from-server",
}

func cmdDevice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "list" {
		return fmt.Errorf("%w: device list --data DIR [--user NAME]", errUsage)
	}
	fs := flag.NewFlagSet("device list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory")
	user := fs.String("user", "", "only this user's devices")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	eng, closeStore, err := openEngine(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	devs, err := eng.Devices(ctx, *user)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tUSER\tDATASTORES\tLAST SYNC\tMODE\tLAST ERROR")
	for _, d := range devs {
		var names []string
		for _, p := range d.Datastores {
			names = append(names, p.Datastore)
		}
		last, mode := "never", "-"
		if !d.LastSync.IsZero() {
			last = d.LastSync.UTC().Format("2006-01-02 15:04:05Z")
			mode = modeNames[d.LastMode]
			if mode == "" {
				mode = fmt.Sprint(d.LastMode)
			}
		}
		lastErr := d.Device.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		ds := strings.Join(names, ",")
		if ds == "" {
			ds = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Device.DeviceID, d.User, ds, last, mode, lastErr)
	}
	return tw.Flush()
}
