package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory")
	user := fs.String("user", "", "user whose items to export")
	db := fs.String("db", "contacts", "datastore: contacts, calendar, tasks or notes")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("%w: export needs --user NAME", errUsage)
	}
	eng, closeStore, err := openEngine(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	out, err := eng.Export(ctx, *user, *db)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
