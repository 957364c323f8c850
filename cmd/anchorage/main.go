// Command anchorage is the Anchorage sync server and its admin tool.
//
//	anchorage serve  --listen 127.0.0.1:8080 --data DIR [--trace DIR] [--demo]
//	anchorage user   add|list|set|show --data DIR [--db NAME --conflict POLICY [--delete-wins]] [NAME]
//	anchorage device list|reset|remove --data DIR [--user NAME] [--device ID]
//	anchorage export --data DIR --user NAME --db contacts|calendar|tasks|notes [--as-of TIME] [--format F]
//	anchorage import --data DIR --user NAME --db NAME FILE...
//	anchorage history --data DIR --user NAME --db NAME [--item GUID] [--deleted] [--conflicts] [--since TIME]
//	anchorage restore --data DIR --user NAME --db NAME (--item GUID [--version N] | --as-of TIME) [--dry-run]
//	anchorage prune --data DIR [--user NAME] [--keep-versions N] [--keep-days D] [--save] [--dry-run]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
)

const usage = `usage: anchorage <command> [flags]

commands:
  serve   --listen ADDR --data DIR [--trace DIR] [--demo] [--tls-cert F --tls-key F]
          [--conflict POLICY] [--delete-wins]
  user    add --data DIR [--no-md5] NAME     (password read from stdin)
  user    list --data DIR
  user    set --data DIR [--db NAME] --conflict POLICY|default [--delete-wins] NAME
  user    show --data DIR NAME               (conflict rules in force per datastore)
  device  list --data DIR [--user NAME] [--overdue 48h]
  device  reset --data DIR --user NAME --device ID [--db NAME]
  device  remove --data DIR --user NAME --device ID
  export  --data DIR --user NAME --db contacts|calendar|tasks|notes [--as-of TIME]
          [--format vcard30|vcard21|ical|vcal]
  import  --data DIR --user NAME --db NAME FILE...   (.vcf, .ics, .vcs; .txt for notes)
  history --data DIR --user NAME --db NAME [--item GUID] [--deleted] [--conflicts]
          [--since TIME]
  restore --data DIR --user NAME --db NAME --item GUID [--version N] [--dry-run]
  restore --data DIR --user NAME --db NAME --as-of TIME [--dry-run]
  prune   --data DIR [--user NAME] [--keep-versions N] [--keep-days D] [--save] [--dry-run]

POLICY is merge (default), newer-wins, server-wins, client-wins, duplicate or
read-only; an edit survives a delete on the other side unless --delete-wins.

TIME is RFC 3339 ("2024-05-06T07:08:09Z"), "2006-01-02 15:04:05" or "2006-01-02" (UTC).

Run "anchorage <command> -h" for a command's flags.
`

// errUsage marks errors caused by wrong arguments (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "anchorage:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "anchorage:", err)
		os.Exit(1)
	}
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
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
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

// openEngine opens the SQLite database in dir (created if needed); tune
// adjusts the engine's options.
func openEngine(dir string, log *slog.Logger, tune ...func(*engine.Options)) (*engine.Engine, func() error, error) {
	if dir == "" {
		return nil, nil, fmt.Errorf("%w: --data DIR is required", errUsage)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "anchorage.db"))
	if err != nil {
		return nil, nil, err
	}
	opts := engine.Options{Store: st, Logger: log}
	for _, f := range tune {
		f(&opts)
	}
	return engine.New(opts), st.Close, nil
}

// openAdmin opens the database in dir for the admin operations.
func openAdmin(dir string, log *slog.Logger) (*admin.Admin, func() error, error) {
	core, closeStore, err := openEngine(dir, log)
	if err != nil {
		return nil, nil, err
	}
	return admin.New(core), closeStore, nil
}

func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
