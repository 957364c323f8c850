package main

import (
	"anchorage/admin"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"anchorage/protocol/engine"
)

const historyUsage = `history --data DIR --user NAME --db NAME [--item GUID] [--deleted] [--conflicts] [--since TIME]`

// cmdHistory lists the versions and tombstones of a datastore (or of one
// item) as a table: time, item, version, operation, origin, summary.
func cmdHistory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "user whose items to list")
	db := fs.String("db", "contacts", "datastore: contacts, calendar, tasks or notes")
	item := fs.String("item", "", "only this item's versions (its GUID)")
	deleted := fs.Bool("deleted", false, "only deletes (tombstones)")
	conflicts := fs.Bool("conflicts", false, "only versions that lost a conflict (restore them with restore --item --version)")
	since := fs.String("since", "", `only versions at or after TIME (RFC 3339, "2006-01-02" or "2006-01-02 15:04:05", UTC)`)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("%w: %s", errUsage, historyUsage)
	}
	q := admin.HistoryQuery{GUID: *item, DeletedOnly: *deleted}
	if *since != "" {
		t, err := parseTime(*since)
		if err != nil {
			return fmt.Errorf("%w: --since: %v", errUsage, err)
		}
		q.Since = t
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	entries, err := eng.History(ctx, *user, *db, q)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tITEM\tVERSION\tOP\tORIGIN\tSUMMARY")
	for _, h := range entries {
		if *conflicts && h.Origin != engine.OriginConflict {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", formatTime(h.Time), h.GUID, h.Version, h.Op,
			orDash(h.Origin), orDash(oneLine(h.Summary)))
	}
	return tw.Flush()
}

// timeLayouts are the forms a TIME argument may take; all but RFC 3339
// are UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

// parseTime reads a TIME argument.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf(`time %q: use RFC 3339 ("2006-01-02T15:04:05Z"), "2006-01-02 15:04:05" or "2006-01-02" (UTC)`, s)
}

// formatTime writes a time for the tables, in UTC to the second.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a summary on one table row.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
