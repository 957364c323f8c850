package session

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// testHandler is a Handler on a sync core on a new SQLite file in dir, with
// a user whose password is pw (MD5 enabled when md5). Tests set up and
// check the store directly.
func testHandler(tb testing.TB, file, user string, md5 bool, core engine.Options, opts Options) (*Handler, store.Store) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), file))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core.Store, core.Logger = st, log
	c := engine.New(core)
	if err := admin.New(c).AddUser(context.Background(), user, "pw", md5); err != nil {
		tb.Fatal(err)
	}
	opts.Logger = log
	return New(c, opts), st
}
