package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"anchorage/store/storecopy"
)

const storeUsage = `store copy --from DIR_OR_URL --to DIR_OR_URL`

// cmdStore runs "store copy": everything of one store into another, empty
// one, e.g. from SQLite to PostgreSQL, so devices continue with fast syncs.
func cmdStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usage: anchorage %s", errUsage, storeUsage)
	}
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "source: data directory or postgres://… URL")
	to := fs.String("to", "", "destination, empty: data directory or postgres://… URL")
	if isHelp(args[0]) {
		return subHelp(fs, storeUsage)
	}
	if args[0] != "copy" {
		return fmt.Errorf("%w: usage: anchorage %s", errUsage, storeUsage)
	}
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("%w: store copy needs --from and --to", errUsage)
	}
	src, err := openStore(ctx, *from, false)
	if err != nil {
		return fmt.Errorf("open %s: %w", redact(*from), err)
	}
	defer src.Close()
	dst, err := openStore(ctx, *to, true)
	if err != nil {
		return fmt.Errorf("open %s: %w", redact(*to), err)
	}
	defer dst.Close()
	st, err := storecopy.Copy(ctx, src, dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %d users, %d devices, %d partnerships, %d item versions, %d maps, %d unacknowledged adds, %d holds\n",
		st.Users, st.Devices, st.Partnerships, st.Versions, st.Mappings, st.UnackedAdds, st.Holds)
	return nil
}
