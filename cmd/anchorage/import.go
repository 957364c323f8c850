package main

import (
	"anchorage/admin"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const importUsage = `import --data DIR --user NAME --db NAME FILE...`

// cmdImport adds the items of .vcf, .ics, .vcs (or, for notes, .txt)
// files to a datastore, one transaction per file.
func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "user whose datastore to seed")
	db := fs.String("db", "contacts", "datastore: contacts, calendar, tasks or notes")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *user == "" || len(files) == 0 {
		return fmt.Errorf("%w: %s", errUsage, importUsage)
	}
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	var total admin.ImportReport
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			var rep *admin.ImportReport
			if rep, err = eng.Import(ctx, *user, *db, f, b); err == nil {
				for _, p := range rep.Problems {
					fmt.Fprintf(stdout, "skipped %s\n", p)
				}
				printImport(stdout, f, rep)
				total.Added += rep.Added
				total.Matched += rep.Matched
				total.Updated += rep.Updated
				total.Rejected += rep.Rejected
				continue
			}
		}
		fmt.Fprintf(stdout, "%s: not imported: %v\n", f, err)
		errs = append(errs, fmt.Errorf("import %s: %w", f, err))
	}
	if len(files) > 1 {
		printImport(stdout, "total", &total)
	}
	return errors.Join(errs...)
}

func printImport(w io.Writer, what string, r *admin.ImportReport) {
	fmt.Fprintf(w, "%s: %d added, %d matched, %d updated, %d rejected\n", what, r.Added, r.Matched, r.Updated, r.Rejected)
}
