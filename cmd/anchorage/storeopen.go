package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"anchorage/hub"
	"anchorage/hub/pghub"
	"anchorage/hub/sockhub"
	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/sqlite"
)

// storeEnv names the store when neither --data nor --store is given.
const storeEnv = "ANCHORAGE_STORE"

// storeLocation is where a command's store is: a data directory (SQLite
// database anchorage.db in it) or a postgres://… URL. --data and --store
// both set it.
type storeLocation struct{ s string }

func (l *storeLocation) String() string     { return l.s }
func (l *storeLocation) Set(v string) error { l.s = v; return nil }

// storeFlags registers --data and --store on fs and returns the location
// they set, for openEngine.
func storeFlags(fs *flag.FlagSet) *string {
	l := &storeLocation{}
	fs.Var(l, "data", "data directory (SQLite database anchorage.db)")
	fs.Var(l, "store", "data directory or postgres://… URL (default $"+storeEnv+")")
	return &l.s
}

// openStore opens the store at loc: PostgreSQL for a postgres:// URL, else
// SQLite in the directory (created if needed). An empty loc is taken from
// $ANCHORAGE_STORE.
func openStore(ctx context.Context, loc string, create bool) (store.Store, error) {
	loc = location(loc)
	switch {
	case loc == "":
		return nil, fmt.Errorf("%w: --data DIR or --store URL is required", errUsage)
	case postgres.IsURL(loc):
		return postgres.Open(ctx, loc)
	}
	if !create {
		if _, err := os.Stat(filepath.Join(loc, dbFile)); errors.Is(err, fs.ErrNotExist) {
			return nil, errNoData{loc}
		}
	}
	if err := os.MkdirAll(loc, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return sqlite.Open(filepath.Join(loc, dbFile))
}

// location is loc, or $ANCHORAGE_STORE when loc is empty.
func location(loc string) string {
	if loc == "" {
		return os.Getenv(storeEnv)
	}
	return loc
}

// openHub returns the change hub of the store at loc, through which an
// admin command's writes wake the parked requests of the servers. On
// PostgreSQL it reaches every process on the database (package pghub): a
// server listens, an admin command only sends. On SQLite the server
// receives on a socket in the data directory and an admin command sends
// there (package sockhub). closeHub sends what is still queued.
func openHub(ctx context.Context, loc string, serving bool, log *slog.Logger) (h hub.Hub, closeHub func() error, err error) {
	loc = location(loc)
	switch {
	case postgres.IsURL(loc):
		ph, err := pghub.New(ctx, loc, pghub.Options{Listen: serving, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		return ph, ph.Close, nil
	case !serving:
		return sockhub.NewNotifier(loc), func() error { return nil }, nil
	}
	if err := os.MkdirAll(loc, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	sh, err := sockhub.Listen(loc, log)
	if err != nil {
		// Device writes still wake parked requests; admin commands' do not.
		log.Warn("admin commands' writes will not wake parked requests", "err", err)
		return hub.NewLocal(), func() error { return nil }, nil
	}
	return sh, sh.Close, nil
}

// redact hides the password of a store URL, for messages.
func redact(loc string) string {
	if u, err := url.Parse(loc); err == nil && postgres.IsURL(loc) {
		return u.Redacted()
	}
	return loc
}

// storeInfo names the store for the admin status page: the backend and
// where it is, without a password.
func storeInfo(loc string) string {
	if postgres.IsURL(loc) {
		return "PostgreSQL " + redact(loc)
	}
	return "SQLite " + filepath.Join(loc, "anchorage.db")
}
