package main

import (
	"anchorage/admin"
	"context"
	"flag"
	"fmt"
	"io"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "user whose items to export")
	db := fs.String("db", "contacts", "datastore: contacts, calendar, tasks or notes")
	asOf := fs.String("as-of", "", `export the items as they were at TIME (RFC 3339, "2006-01-02" or "2006-01-02 15:04:05", UTC)`)
	format := fs.String("format", "", "item format: vcard30 or vcard21 (contacts), ical or vcal (calendar, tasks); default: as stored, SIF as vCard 3.0, iCalendar 2.0 or text")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("%w: export needs --user NAME", errUsage)
	}
	opts := admin.ExportOptions{Format: *format}
	if *asOf != "" {
		t, err := parseTime(*asOf)
		if err != nil {
			return fmt.Errorf("%w: --as-of: %v", errUsage, err)
		}
		opts.AsOf = t
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	res, err := eng.Export(ctx, *user, *db, opts)
	if err != nil {
		return err
	}
	if _, err := stdout.Write(res.Data); err != nil {
		return err
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(stderr, "anchorage: export: item %s (%s) left out: %v\n", s.GUID, orDash(oneLine(s.Summary)), s.Err)
	}
	if len(res.Skipped) > 0 {
		return fmt.Errorf("export incomplete: %d of %d items left out (listed above)", len(res.Skipped), len(res.Skipped)+res.Items)
	}
	return nil
}
