package main

import (
	"anchorage/admin"
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"anchorage/store"
)

const pruneUsage = `prune --data DIR [--user NAME] [--keep-versions N] [--keep-days D] [--save] [--dry-run]`

// cmdPrune removes old versions by the retention policy: the one given by
// flags, else the user's stored one, else the stored default.
func cmdPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := storeFlags(fs)
	user := fs.String("user", "", "only this user (default: every user)")
	keepVersions := fs.Int("keep-versions", 0, "keep the N newest versions of each item (0: no limit by count)")
	keepDays := fs.Int("keep-days", 0, "keep every version current in the last D days (0: no limit by age)")
	save := fs.Bool("save", false, "store the policy given by --keep-versions/--keep-days for --user (or as the default for every user)")
	dryRun := fs.Bool("dry-run", false, "print what would be removed and change nothing")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	var opts admin.PruneOptions
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "keep-versions" || f.Name == "keep-days" {
			opts.Policy = &store.Retention{KeepVersions: *keepVersions, KeepDays: *keepDays}
		}
	})
	if *keepVersions < 0 || *keepDays < 0 || (*save && opts.Policy == nil) {
		return fmt.Errorf("%w: %s (--save needs --keep-versions and/or --keep-days; values are >= 0)", errUsage, pruneUsage)
	}
	opts.Save, opts.DryRun = *save, *dryRun
	eng, closeStore, err := openAdmin(*data, quietLogger(stderr))
	if err != nil {
		return err
	}
	defer closeStore()
	results, err := eng.Prune(ctx, *user, opts)
	if err != nil {
		return err
	}
	if *save {
		who := "the default of every user"
		if *user != "" {
			who = "the policy of " + *user
		}
		verb := "saved as"
		if *dryRun {
			verb = "would be saved as"
		}
		fmt.Fprintf(stdout, "retention %s %s\n", policyText(*opts.Policy), verb+" "+who)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tDATASTORE\tPOLICY\tVERSIONS\tTOMBSTONES\tITEMS\tBYTES")
	var total store.PruneStats
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%d\t%d\t%d\t%d\n", r.User, r.Datastore, policyText(r.Policy), r.Source,
			r.Versions, r.Tombstones, r.Items, r.Bytes)
		total.Versions += r.Versions
		total.Bytes += r.Bytes
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *dryRun {
		fmt.Fprintf(stdout, "dry run, nothing removed: %d version(s) (%d bytes) would be removed\n", total.Versions, total.Bytes)
	} else {
		fmt.Fprintf(stdout, "removed %d version(s) (%d bytes); every item's latest version is kept\n", total.Versions, total.Bytes)
	}
	return nil
}

// policyText describes a retention policy.
func policyText(r store.Retention) string {
	switch {
	case r.IsZero():
		return "keep everything"
	case r.KeepDays == 0:
		return fmt.Sprintf("keep %d version(s)", r.KeepVersions)
	case r.KeepVersions == 0:
		return fmt.Sprintf("keep %d day(s)", r.KeepDays)
	}
	return fmt.Sprintf("keep %d version(s) or %d day(s)", r.KeepVersions, r.KeepDays)
}
