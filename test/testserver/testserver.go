// Package testserver starts the whole server in the test's process: the
// sync core on a new SQLite file, behind an HTTP server on 127.0.0.1, with
// users whose password is Password. Tests and benchmarks of several
// packages share it.
package testserver

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/store/sqlite"
)

// Password is every test user's password.
const Password = "pw"

// Server is a running test server.
type Server struct {
	Core   *engine.Engine
	SyncML *session.Handler
	Admin  *admin.Admin
	Store  *sqlite.Store
	HTTP   *httptest.Server
	URL    string // the SyncML endpoint, .../sync
}

// Start starts a server with the users (MD5 enabled); it stops when the
// test ends. opts tune the engine's options (Store and Logger are set).
func Start(tb testing.TB, users []string, opts ...func(*engine.Options)) *Server {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "anchorage.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := engine.Options{Store: st, Logger: log}
	for _, f := range opts {
		f(&o)
	}
	core := engine.New(o)
	adm := admin.New(core)
	for _, u := range users {
		if err := adm.AddUser(context.Background(), u, Password, true); err != nil {
			tb.Fatal(err)
		}
	}
	syncML := session.New(core, session.Options{Logger: log})
	hs := httptest.NewServer(server.New(server.Options{SyncML: syncML, Logger: log}))
	tb.Cleanup(hs.Close)
	return &Server{Core: core, SyncML: syncML, Admin: adm, Store: st, HTTP: hs, URL: hs.URL + "/sync"}
}

// Node starts another server node on s's store (as a second process
// behind a load balancer would be) and returns its SyncML endpoint.
func (s *Server) Node(tb testing.TB) string {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core := engine.New(engine.Options{Store: s.Store, Logger: log})
	hs := httptest.NewServer(server.New(server.Options{SyncML: session.New(core, session.Options{Logger: log}), Logger: log}))
	tb.Cleanup(hs.Close)
	return hs.URL + "/sync"
}
