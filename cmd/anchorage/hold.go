package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"anchorage/admin"
)

const holdUsage = `hold list --data DIR [--user NAME] [--all] [--items]
hold accept --data DIR ID     (apply the held deletes; they reach the other devices)
hold reject --data DIR ID     (keep the items; the device gets them back at its next sync)`

// cmdHold lists and decides the mass-deletion guard's holds.
func cmdHold(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, holdUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("hold "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "list: only this user's holds")
	all := fs.Bool("all", false, "list: decided holds too")
	items := fs.Bool("items", false, "list: the items each hold would delete")
	if isHelp(sub) {
		return subHelp(fs, holdUsage)
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	var id int64
	if sub == "accept" || sub == "reject" {
		if len(pos) != 1 {
			return fmt.Errorf("%w: hold %s --data DIR ID", errUsage, sub)
		}
		if id, err = strconv.ParseInt(pos[0], 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("%w: hold %s: %q is no hold id (see hold list)", errUsage, sub, pos[0])
		}
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "list":
		return listHolds(ctx, eng, *user, *all, *items, stdout)
	case "accept":
		h, n, err := eng.AcceptHold(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "hold %d accepted: %d item(s) of %s's %s deleted as device %s's deletes\n", id, n, h.User, h.Datastore, h.DeviceID)
		return nil
	case "reject":
		h, err := eng.RejectHold(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "hold %d rejected: %s's %d item(s) stay; device %s gets them back at its next sync\n", id, h.Datastore, h.Items, h.DeviceID)
		return nil
	}
	return fmt.Errorf("%w: %s", errUsage, holdUsage)
}

// listHolds prints one line per hold, and with items the items it holds.
func listHolds(ctx context.Context, eng *admin.Admin, user string, all, items bool, stdout io.Writer) error {
	hs, err := eng.Holds(ctx, user, all)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOLD\tUSER\tDEVICE\tDATASTORE\tDELETES\tOF\tSTATE\tCREATED")
	for _, h := range hs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", h.ID, h.User, h.DeviceID, h.Datastore, h.Items, h.Live,
			h.State, h.Created.UTC().Format("2006-01-02 15:04:05Z"))
		if !items {
			continue
		}
		its, err := eng.HeldItems(ctx, h.ID)
		if err != nil {
			return err
		}
		for _, it := range its {
			fmt.Fprintf(tw, "\t\t%s\t%s\n", it.GUID, it.Summary)
		}
	}
	return tw.Flush()
}
