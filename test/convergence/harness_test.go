// Package convergence runs simulated SyncML devices (test/simclient)
// against the real server (server over engine over SQLite) and checks that
// they converge: no losses, no duplicates, every synced version archived,
// also when responses are lost, clients are killed and the server restarts.
package convergence

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/sqlite"
	"anchorage/test/simclient"
	"anchorage/test/simclient/eas"
)

const (
	testUser     = "alice"
	testPassword = "s3cret-Pässwort"
)

// passwordHash is computed once and at bcrypt's lowest cost: the default
// cost would dominate hundreds of short scenarios (basic auth runs bcrypt
// once per engine, and every server restart makes a new engine).
var passwordHash = sync.OnceValues(func() ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
})

// testServer is the real server on 127.0.0.1 over a SQLite file that
// outlives restarts (the store, engine and HTTP handler are replaced).
type testServer struct {
	t        testing.TB
	path     string
	opts     session.Options
	hs       *httptest.Server
	cur      atomic.Pointer[instance]
	mu       sync.Mutex
	restarts int
	clock    *clock
	// With -postgres: the database, and a second node on it that takes
	// every other request; restart replaces the first.
	pgURL string
	other *instance
	turn  atomic.Int64
}

type instance struct {
	st   store.Store
	core *engine.Engine
	srv  *server.Server
}

// clock is the engine's time: real time, optionally running faster, plus
// an offset a test can advance (to let an abandoned session's leases expire
// without sleeping).
type clock struct {
	start  time.Time
	speed  int64 // 0 or 1: real time
	offset atomic.Int64
}

func (c *clock) now() time.Time {
	el := time.Since(c.start)
	if c.speed > 1 {
		el *= time.Duration(c.speed)
	}
	return c.start.Add(el + time.Duration(c.offset.Load()))
}

func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// engineOpts are the engine options of the focused tests: the defaults.
func engineOpts() session.Options { return session.Options{} }

func startServer(t testing.TB, opts session.Options) *testServer {
	return startServerClock(t, opts, 1)
}

// startServerClock starts a server whose clock runs speed times faster
// than real time, so that waits measured in engine time pass quickly.
func startServerClock(t testing.TB, opts session.Options, speed int64) *testServer {
	t.Helper()
	ts := &testServer{t: t, path: filepath.Join(t.TempDir(), "anchorage.db"), opts: opts,
		clock: &clock{start: time.Now(), speed: speed}}
	if pgCluster != nil {
		ts.pgURL = pgCluster.NewDatabase(t)
		ts.other = ts.newInstance()
	}
	ts.cur.Store(ts.newInstance())
	ts.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ts.other != nil && ts.turn.Add(1)%2 == 0 {
			ts.other.srv.ServeHTTP(w, r)
			return
		}
		ts.cur.Load().srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.hs.Close()
		ts.cur.Load().st.Close()
		if ts.other != nil {
			ts.other.st.Close()
		}
	})
	hash, err := passwordHash()
	if err != nil {
		t.Fatal(err)
	}
	err = ts.store().Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateUser(context.Background(), &store.User{Name: testUser, PasswordHash: hash,
			MD5Secret: syncml.MD5Secret(testUser, testPassword), Created: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// newInstance opens a store, engine and handler: on the SQLite file, or
// a node on the PostgreSQL database.
func (ts *testServer) newInstance() *instance {
	var st store.Store
	var err error
	if ts.pgURL != "" {
		st, err = postgres.Open(context.Background(), ts.pgURL)
	} else {
		st, err = sqlite.Open(ts.path)
	}
	if err != nil {
		ts.t.Fatal(err)
	}
	opts := ts.opts
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	core := engine.New(engine.Options{Store: st, Logger: opts.Logger, Now: ts.clock.now})
	eas := activesync.New(activesync.Options{Backend: coresession.New(core), Converter: activesync.PIMConverter{},
		Provisioning: activesync.ProvisionOff, Logger: opts.Logger})
	return &instance{st: st, core: core, srv: server.New(server.Options{SyncML: session.New(core, opts), ActiveSync: eas, Logger: opts.Logger})}
}

// restart closes the store and opens a new store, engine and handler on
// the same file, between sessions (as a server process restart).
func (ts *testServer) restart() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	old := ts.cur.Load()
	if err := old.st.Close(); err != nil {
		ts.t.Fatalf("closing store: %v", err)
	}
	ts.cur.Store(ts.newInstance())
	ts.restarts++
}

func (ts *testServer) store() store.Store { return ts.cur.Load().st }
func (ts *testServer) url() string        { return ts.hs.URL + "/sync" }

// easDevice is a simulated EAS device of the test user.
func (ts *testServer) easDevice(id string, mut func(*eas.Options)) *eas.Device {
	o := eas.Options{URL: ts.hs.URL + activesync.Path, User: testUser, Password: testPassword, DeviceID: id}
	if mut != nil {
		mut(&o)
	}
	return eas.New(o)
}

func (ts *testServer) device(id string, mut func(*simclient.Options)) *simclient.Device {
	o := simclient.Options{URL: ts.url(), User: testUser, Password: testPassword, DeviceID: id}
	if mut != nil {
		mut(&o)
	}
	return simclient.New(o)
}

// live returns the server's live items of the user's contacts.
func (ts *testServer) live(t testing.TB) []store.Item {
	t.Helper()
	var out []store.Item
	ctx := context.Background()
	err := ts.store().View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, testUser)
		if err != nil {
			return err
		}
		out, err = tx.LiveItems(ctx, u.ID, engine.Contacts, "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// versions returns every version of every item of the user's contacts.
func (ts *testServer) versions(t testing.TB) []store.Item {
	t.Helper()
	var out []store.Item
	ctx := context.Background()
	err := ts.store().View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, testUser)
		if err != nil {
			return err
		}
		all, err := tx.AllItems(ctx, u.ID, engine.Contacts, "", 0)
		if err != nil {
			return err
		}
		for _, it := range all {
			vs, err := tx.Versions(ctx, u.ID, engine.Contacts, it.GUID)
			if err != nil {
				return err
			}
			out = append(out, vs...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// norm reduces a vCard to what identifies its content in either protocol:
// the "#id rN" tag of FN (of X-EVOLUTION-FILE-AS, where an EAS device's
// FileAs went, when FN has none; else the whole FN) and the TEL values,
// parameters, line ends and surrounding blanks ignored.
func norm(card string) string {
	var fn, fileAs string
	var tels []string
	for _, l := range strings.Split(strings.ReplaceAll(card, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(strings.ToUpper(name), ";")
		switch name {
		case "FN":
			fn = value
		case "X-EVOLUTION-FILE-AS":
			fileAs = value
		case "TEL":
			tels = append(tels, value)
		}
	}
	return contentKey(fn, fileAs, tels)
}

// tagRe finds the "#id rN" tag of a name.
var tagRe = regexp.MustCompile(`#\d+ r\d+`)

// contentKey is norm's result for a name, a file-as name and phone numbers.
func contentKey(fn, fileAs string, tels []string) string {
	name := strings.TrimSpace(fn)
	if m := tagRe.FindString(fn); m != "" {
		name = m
	} else if m := tagRe.FindString(fileAs); m != "" {
		name = m
	}
	tels = slices.Clone(tels)
	for i := range tels {
		tels[i] = strings.TrimSpace(tels[i])
	}
	sort.Strings(tels)
	return name + "|" + strings.Join(tels, ",")
}

// multiset counts normalised contents.
func multiset(contents []string) map[string]int {
	m := map[string]int{}
	for _, c := range contents {
		m[norm(c)]++
	}
	return m
}

func liveContents(items []store.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.Data)
	}
	return out
}

func deviceContents(d *simclient.Device) []string {
	var out []string
	for _, c := range d.Items("contacts") {
		out = append(out, c)
	}
	return out
}

// compareSets reports differences between two multisets, and duplicates.
func compareSets(what string, got, want map[string]int) []string {
	var diffs []string
	for k, n := range got {
		if n > 1 {
			diffs = append(diffs, fmt.Sprintf("%s: duplicated %d times: %s", what, n, k))
		}
		if want[k] == 0 {
			diffs = append(diffs, fmt.Sprintf("%s: has, server lacks: %s", what, k))
		}
	}
	for k := range want {
		if got[k] == 0 {
			diffs = append(diffs, fmt.Sprintf("%s: lacks: %s", what, k))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// converged compares every device's items with the server's live set and
// looks for duplicates; it returns the differences.
func converged(t testing.TB, ts *testServer, devs ...*simclient.Device) []string {
	t.Helper()
	live := multiset(liveContents(ts.live(t)))
	var diffs []string
	for k, n := range live {
		if n > 1 {
			diffs = append(diffs, fmt.Sprintf("server: duplicated %d times: %s", n, k))
		}
	}
	for _, d := range devs {
		diffs = append(diffs, compareSets(d.ID(), multiset(deviceContents(d)), live)...)
	}
	return diffs
}

// syncAll runs a two-way sync of every device, failing the test on errors.
func syncAll(t testing.TB, devs ...*simclient.Device) {
	t.Helper()
	for _, d := range devs {
		if _, err := d.Sync(context.Background(), simclient.TwoWay); err != nil {
			t.Fatalf("%s: %v", d.ID(), err)
		}
	}
}

// luidOf finds the LUID under which a device holds a content.
func luidOf(t testing.TB, d *simclient.Device, content string) string {
	t.Helper()
	for luid, c := range d.Items("contacts") {
		if norm(c) == norm(content) {
			return luid
		}
	}
	t.Fatalf("%s does not hold %s", d.ID(), norm(content))
	return ""
}
