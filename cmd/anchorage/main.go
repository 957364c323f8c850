// Command anchorage is the Anchorage sync server and its admin tool; the
// usage constant below lists its commands and flags (README.md, Command
// line, explains them).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/store/postgres"
)

const usage = `usage: anchorage <command> [flags]

commands:
  serve   --listen ADDR --data DIR [--trace DIR] [--demo] [--tls-cert F --tls-key F]
          [--max-body BYTES] [--log-level debug|info|warn|error]
          [--conflict POLICY] [--delete-wins] [--pprof ADDR] [--metrics-listen ADDR] [--metrics=false]
          [--gc-percent 400] [--gc-headroom-mb 48] [--memory-limit-mb 256]
          [--hold-percent 50] [--hold-min 20] [--trusted-proxies ADDR_OR_CIDR,...]
  user    add --data DIR [--no-md5] [--admin] NAME     (password read from stdin)
  user    list --data DIR
  user    set --data DIR [--db NAME] [--conflict POLICY|default [--delete-wins]] [--admin[=false]]
          [--hold-percent N|0 [--hold-min M]] NAME
  user    show --data DIR NAME               (conflict rules in force per datastore)
  device  list --data DIR [--user NAME] [--overdue 48h]
  device  reset --data DIR --user NAME --device ID [--db NAME]
  device  remove --data DIR --user NAME --device ID
  device  set --data DIR --user NAME --device ID --charset NAME|default
  device  wipe --data DIR --user NAME --device ID [--account-only]  (ActiveSync remote wipe; data stays)
  export  --data DIR --user NAME --db contacts|calendar|tasks|notes [--as-of TIME]
          [--format vcard30|vcard21|ical|vcal]
  import  --data DIR --user NAME --db NAME FILE...   (.vcf, .ics, .vcs; .txt for notes)
  history --data DIR --user NAME --db NAME [--item GUID] [--deleted] [--conflicts]
          [--since TIME]
  restore --data DIR --user NAME --db NAME --item GUID [--version N] [--dry-run]
  restore --data DIR --user NAME --db NAME --as-of TIME [--dry-run]
  prune   --data DIR [--user NAME] [--keep-versions N] [--keep-days D] [--save] [--dry-run]
  backup  --data DIR --to FILE       (a consistent copy, while the server runs)
  backup  verify FILE                (integrity check; counts users, devices, items, versions)
  store   copy --from DIR_OR_URL --to DIR_OR_URL   (everything, into an empty store)
  hold    list --data DIR [--user NAME] [--all] [--items]   (mass deletions held for the owner)
  hold    accept|reject --data DIR ID

Every --data DIR may be --store DIR_OR_URL instead (default $ANCHORAGE_STORE):
a postgres://user@host/db URL runs on PostgreSQL.

POLICY is merge (default), newer-wins, server-wins, client-wins, duplicate or
read-only; an edit survives a delete on the other side unless --delete-wins.

TIME is RFC 3339 ("2024-05-06T07:08:09Z"), "2006-01-02 15:04:05" or "2006-01-02" (UTC).

Errors are told in plain words; ANCHORAGE_LOG_LEVEL=debug also logs their
full chain (and the engine's debug log) to stderr.

Run "anchorage <command> -h" for a command's flags.
`

// errUsage marks errors caused by wrong arguments (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	os.Exit(report(err, os.Stderr))
}

// report writes a command's error for the person who ran it and returns
// the exit status: 0, 1 for a failure, 2 for wrong arguments. An engine
// error with a plain message (admin.PlainError) is shown by it, and its
// whole chain goes to the debug log.
func report(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "anchorage:", err)
		return 2
	}
	msg := err.Error()
	if pe := (*admin.PlainError)(nil); errors.As(err, &pe) {
		msg = pe.Msg
	}
	fmt.Fprintln(stderr, "anchorage:", msg)
	quietLogger(stderr).Debug("command failed", "error", err.Error())
	return 1
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: missing command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "device":
		return cmdDevice(ctx, rest, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "history":
		return cmdHistory(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "prune":
		return cmdPrune(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "store":
		return cmdStore(ctx, rest, stdout, stderr)
	case "hold":
		return cmdHold(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// isHelp tells whether a command's first argument asks for its help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// subHelp prints the usage of a command with subcommands and its flags.
func subHelp(fs *flag.FlagSet, usage string) error {
	fmt.Fprintf(fs.Output(), "usage:\n%s\n\nflags:\n", usage)
	fs.PrintDefaults()
	return flag.ErrHelp
}

// parseFlags parses flags that may come before or after positional
// arguments ("user add --data D alice" and "user add alice --data D").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// errNoData is the error for a data directory without a database.
type errNoData struct{ dir string }

func (e errNoData) Error() string {
	return fmt.Sprintf("no Anchorage data in %s (create it with `anchorage user add` or `serve`)", e.dir)
}

// openEngine opens the store at loc (see openStore), which must hold
// Anchorage data: a mistyped --data must not quietly start an empty
// server. tune adjusts the engine's options.
func openEngine(loc string, log *slog.Logger, tune ...func(*engine.Options)) (*engine.Engine, func() error, error) {
	return newEngine(loc, false, log, tune...)
}

// createEngine is openEngine that creates the data directory and the
// database when missing (serve, user add).
func createEngine(loc string, log *slog.Logger, tune ...func(*engine.Options)) (*engine.Engine, func() error, error) {
	return newEngine(loc, true, log, tune...)
}

func newEngine(loc string, create bool, log *slog.Logger, tune ...func(*engine.Options)) (*engine.Engine, func() error, error) {
	ctx := context.Background()
	st, err := openStore(ctx, loc, create)
	if err != nil {
		return nil, nil, err
	}
	opts := engine.Options{Store: st, Logger: log}
	if pg, ok := st.(*postgres.Store); ok {
		// Nodes on one database throttle password guesses together.
		opts.LoginFailures = pg.LoginFailures()
	}
	for _, f := range tune {
		f(&opts)
	}
	closeHub := func() error { return nil }
	if opts.Hub == nil { // an admin command: its writes wake the servers on PostgreSQL
		h, c, err := openHub(ctx, loc, false, log)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		if h != nil {
			opts.Hub, closeHub = h, c
		}
	}
	return engine.New(opts), func() error { return errors.Join(closeHub(), st.Close()) }, nil
}

// openAdmin opens the database in dir for the admin operations.
func openAdmin(dir string, log *slog.Logger) (*admin.Admin, func() error, error) {
	return adminOf(openEngine(dir, log))
}

// adminOf is the admin operations on a core openEngine or createEngine
// opened.
func adminOf(core *engine.Engine, closeStore func() error, err error) (*admin.Admin, func() error, error) {
	if err != nil {
		return nil, nil, err
	}
	return admin.New(core), closeStore, nil
}

// dbFile is the database's name in the data directory.
const dbFile = "anchorage.db"

// quietLogger is the admin commands' log: warnings and errors, or the
// level ANCHORAGE_LOG_LEVEL names.
func quietLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	if v := os.Getenv("ANCHORAGE_LOG_LEVEL"); v != "" {
		_ = level.UnmarshalText([]byte(v)) // an unknown name keeps warnings
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
