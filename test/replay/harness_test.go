// Package replay_test replays recorded SyncML sessions of real clients
// (../shared/fixtures, CATALOG.md sections A and B) against the real server
// and asserts what a correct server must answer: statuses per command,
// alert codes, the number and kind of server commands, items round-tripped
// and session completion. The recorded server answers are a reference for
// the server's changes and for pairing ids, not an expected byte stream.
package replay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// fixturesDir finds shared/fixtures by walking up from the working
// directory; the test is skipped when it is absent.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared", "fixtures")
		if st, err := os.Stat(filepath.Join(cand, "CATALOG.md")); err == nil && !st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/fixtures not found above the working directory: the replay tests need the recorded sessions")
		}
		dir = parent
	}
}

// harness is one server (engine, SQLite store, HTTP on 127.0.0.1) and the
// state a replay carries from session to session.
type harness struct {
	t      *testing.T
	ctx    context.Context
	eng    *admin.Admin
	st     store.Store
	srv    *httptest.Server
	user   string
	pass   string
	device string // the recorded device's id (SyncHdr Source)
	// guids maps a server id of the recording to the id our server sent
	// for the same item.
	guids map[string]string
	// known holds, per datastore, the LUIDs the server knows (added by the
	// device or mapped): a Replace of an unknown LUID creates an item (201).
	known map[string]map[string]bool
	// serverNext is our server's Next anchor of the last session, per
	// datastore, which the next session's server Alert must give as Last.
	serverNext map[string]string
	// bug and observed: the running subtest's known server bug and the
	// assertions that failed because of it (see session).
	bug      string
	observed []string
}

func newHarness(t *testing.T, user, pass string) *harness {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	core := engine.New(engine.Options{Store: st, Logger: log})
	eng := admin.New(core)
	srv := httptest.NewServer(server.New(server.Options{SyncML: session.New(core, session.Options{Logger: log}), Logger: log}))
	t.Cleanup(srv.Close)
	h := &harness{t: t, ctx: context.Background(), eng: eng, st: st, srv: srv, user: user, pass: pass,
		guids: map[string]string{}, known: map[string]map[string]bool{}, serverNext: map[string]string{}}
	if err := eng.AddUser(h.ctx, user, pass, false); err != nil {
		t.Fatalf("add user: %v", err)
	}
	return h
}

// client bounds every request: a server that keeps a device waiting (e.g.
// for a datastore lease) fails the message instead of hanging the test.
var client = &http.Client{Timeout: 6 * time.Second}

// post sends one SyncML message and decodes the answer.
func (h *harness) post(url string, body []byte) (*syncml.Message, []byte) {
	h.t.Helper()
	resp, err := client.Post(url, "application/vnd.syncml+xml", bytes.NewReader(body))
	if err != nil {
		h.fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		h.fatalf("POST %s: HTTP %d: %s\nrequest:\n%s", url, resp.StatusCode, out, body)
	}
	m, err := syncml.Decode(out)
	if err != nil {
		h.t.Fatalf("decode answer: %v\n%s", err, out)
	}
	return m, out
}

func (h *harness) userID() int64 {
	h.t.Helper()
	var id int64
	err := h.st.View(h.ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(h.ctx, h.user)
		if err == nil {
			id = u.ID
		}
		return err
	})
	if err != nil {
		h.t.Fatalf("user %s: %v", h.user, err)
	}
	return id
}

func (h *harness) knownIn(ds string) map[string]bool {
	if h.known[ds] == nil {
		h.known[ds] = map[string]bool{}
	}
	return h.known[ds]
}

// hordeSession reads the recorded messages of Horde session s (client
// requests and server answers, N = 0, 1, ...).
func hordeSession(t *testing.T, testcase string, s int) (clients, servers [][]byte) {
	t.Helper()
	dir := filepath.Join(fixturesDir(t), "horde-SyncMl", "test", "Horde", "SyncMl", testcase)
	for n := 0; ; n++ {
		c, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("syncml_client_%d%d.xml", s, n)))
		if os.IsNotExist(err) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		srv, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("syncml_server_%d%d.xml", s, n)))
		if err != nil {
			t.Fatal(err)
		}
		clients, servers = append(clients, c), append(servers, srv)
	}
	if len(clients) == 0 {
		t.Fatalf("%s: no messages for session %d in %s", testcase, s, dir)
	}
	return clients, servers
}

var syncMLBlock = regexp.MustCompile(`(?s)<SyncML[\s>].*?</SyncML>`)

// logSessions extracts the <SyncML> blocks of a client log in order and
// groups them by SessionID. A block is the client's when its SyncHdr Target
// is the server URL (http...), the server's answer otherwise.
func logSessions(t *testing.T, rel string) []logSession {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixturesDir(t), "SyncMLDotNet", "TestCase", rel))
	if err != nil {
		t.Fatal(err)
	}
	var out []logSession
	for _, b := range syncMLBlock.FindAll(raw, -1) {
		m, err := syncml.Decode(b)
		if err != nil {
			t.Fatalf("%s: recorded block does not decode: %v", rel, err)
		}
		if len(out) == 0 || out[len(out)-1].id != m.Header.SessionID {
			out = append(out, logSession{id: m.Header.SessionID})
		}
		ls := &out[len(out)-1]
		if bytes.HasPrefix([]byte(m.Header.Target.URI), []byte("http")) {
			ls.clients = append(ls.clients, b)
		} else {
			ls.servers = append(ls.servers, b)
		}
	}
	return out
}

type logSession struct {
	id               string
	clients, servers [][]byte
}
