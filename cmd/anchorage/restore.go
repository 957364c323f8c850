package main

import (
	"anchorage/admin"
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

const restoreUsage = `restore --data DIR --user NAME --db NAME --item GUID [--version N] [--dry-run]
restore --data DIR --user NAME --db NAME --as-of TIME [--dry-run]`

// cmdRestore writes older versions again, as new versions with origin
// "restore": one item, or the whole datastore as of a time.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "user whose items to restore")
	db := fs.String("db", "contacts", "datastore: contacts, calendar, tasks or notes")
	item := fs.String("item", "", "restore this item (its GUID)")
	version := fs.Int64("version", 0, "with --item: the version to restore (default: the last one with content before the current one)")
	asOf := fs.String("as-of", "", `restore the whole datastore to its state at TIME (RFC 3339, "2006-01-02" or "2006-01-02 15:04:05", UTC)`)
	dryRun := fs.Bool("dry-run", false, "print what would change and write nothing")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *user == "" || (*item == "") == (*asOf == "") || (*version != 0 && *item == "") {
		return fmt.Errorf("%w: %s", errUsage, restoreUsage)
	}
	var at time.Time
	if *asOf != "" {
		var err error
		if at, err = parseTime(*asOf); err != nil {
			return fmt.Errorf("%w: --as-of: %v", errUsage, err)
		}
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	var rep *admin.RestoreReport
	what := "item " + *item
	if *item != "" {
		rep, err = eng.RestoreItem(ctx, *user, *db, *item, *version, *dryRun)
	} else {
		what = "as of " + formatTime(at)
		rep, err = eng.RestoreAsOf(ctx, *user, *db, at, *dryRun)
	}
	if err != nil {
		return err
	}
	printRestore(stdout, rep, *db, *user, what)
	return nil
}

// printRestore writes one line per change, then a summary.
func printRestore(w io.Writer, rep *admin.RestoreReport, db, user, what string) {
	verb := map[string]string{"add": "restored", "update": "reverted", "delete": "deleted"}
	if rep.DryRun {
		verb = map[string]string{"add": "would restore", "update": "would revert", "delete": "would delete"}
	}
	for _, c := range rep.Changes {
		line := fmt.Sprintf("%-13s %s  %s", verb[c.Op], c.GUID, orDash(oneLine(c.Summary)))
		if c.From != 0 {
			line += fmt.Sprintf("  (version %d", c.From)
			if c.Version != 0 {
				line += fmt.Sprintf(" written again as version %d", c.Version)
			}
			line += ")"
		}
		fmt.Fprintln(w, line)
	}
	prefix := "restored"
	if rep.DryRun {
		prefix = "dry run, nothing written: would restore"
	}
	fmt.Fprintf(w, "%s %s of %s, %s: %d added back, %d updated, %d deleted, %d unchanged",
		prefix, db, user, what, rep.Count("add"), rep.Count("update"), rep.Count("delete"), rep.Unchanged)
	if rep.Pruned > 0 {
		fmt.Fprintf(w, ", %d left as they are (their history from then was pruned)", rep.Pruned)
	}
	fmt.Fprintln(w)
}
