package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"anchorage/store/sqlite"
)

const backupUsage = `backup --data DIR --to FILE | backup verify FILE`

// cmdBackup copies a consistent snapshot of the database while the server
// may be running (backup), or checks a copy (backup verify).
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return cmdBackupVerify(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory of the server (its anchorage.db is copied)")
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *data == "" || *to == "" || len(rest) > 0 {
		return fmt.Errorf("%w: %s", errUsage, backupUsage)
	}
	db := filepath.Join(*data, "anchorage.db")
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("no Anchorage data in %s (create it with `anchorage user add` or `serve`)", *data)
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s already exists: backup writes a new file and overwrites nothing", *to)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", db, err)
	}
	defer st.Close()
	if err := st.Backup(ctx, *to); err != nil {
		return fmt.Errorf("backup of %s failed: %w", *data, err)
	}
	c, err := sqlite.Verify(ctx, *to)
	if err != nil {
		return fmt.Errorf("the copy %s does not pass its check: %w", *to, err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", db, *to)
	printCounts(stdout, c)
	return nil
}

// cmdBackupVerify runs SQLite's integrity check on a backup and prints
// what it holds.
func cmdBackupVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: backup verify FILE", errUsage)
	}
	if _, err := os.Stat(files[0]); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no backup file %s", files[0])
	}
	c, err := sqlite.Verify(ctx, files[0])
	if err != nil {
		return fmt.Errorf("%s is not a sound Anchorage backup: %w", files[0], err)
	}
	fmt.Fprintf(stdout, "%s: integrity ok\n", files[0])
	printCounts(stdout, c)
	return nil
}

func printCounts(w io.Writer, c sqlite.Counts) {
	fmt.Fprintf(w, "users %d, devices %d, items %d, versions %d (schema migrations %d)\n",
		c.Users, c.Devices, c.Items, c.Versions, c.Migrations)
}
