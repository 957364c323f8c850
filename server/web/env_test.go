package web_test

import (
	"anchorage/admin"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/server/web"
	"anchorage/store"
	"anchorage/store/sqlite"
)

// env is the whole server (SyncML and web) on a real SQLite file, served
// over real HTTP on 127.0.0.1.
type env struct {
	t   *testing.T
	st  *sqlite.Store
	eng *admin.Admin
	srv *httptest.Server
}

// newEnv serves the web page on a new store; opts tune the HTTP server.
func newEnv(t *testing.T, opts ...func(*server.Options)) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core := engine.New(engine.Options{Store: st, Logger: log})
	eng := admin.New(core)
	ui, err := web.New(web.Options{Ops: eng, Store: st, Logger: log, Version: "test", StoreInfo: "SQLite (test)"})
	if err != nil {
		t.Fatal(err)
	}
	o := server.Options{SyncML: session.New(core, session.Options{Logger: log}), Logger: log, Web: ui}
	for _, f := range opts {
		f(&o)
	}
	srv := httptest.NewServer(server.New(o))
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, eng: eng, srv: srv}
}

func (e *env) addUser(name, password string, admin bool) {
	e.t.Helper()
	if err := e.eng.AddUser(e.t.Context(), name, password, true); err != nil {
		e.t.Fatal(err)
	}
	if admin {
		if err := e.eng.SetUserFlags(e.t.Context(), name, &admin, nil); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) userID(name string) int64 {
	e.t.Helper()
	u, err := e.eng.User(e.t.Context(), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID
}

// put writes a version of an item as a device would: data "" deletes.
func (e *env) put(user, ds, guid, data, origin string, at time.Time) {
	e.t.Helper()
	w := &store.ItemWrite{UserID: e.userID(user), Datastore: ds, GUID: guid, Delete: data == "", Origin: origin, Time: at}
	if data != "" {
		w.ContentType = "text/vcard"
		if ds != "contacts" {
			w.ContentType = "text/calendar"
		}
		w.Data = []byte(data)
		info := pim.Describe(w.ContentType, w.Data)
		w.UID, w.MatchKey, w.Summary = info.UID, info.MatchKey, info.Summary
	} else {
		var err error
		var it *store.Item
		err = e.st.View(e.t.Context(), func(tx store.Tx) error {
			it, err = tx.Item(e.t.Context(), w.UserID, ds, guid)
			return err
		})
		if err == nil {
			w.Summary = it.Summary
		}
	}
	if err := e.st.Update(e.t.Context(), func(tx store.Tx) error { _, err := tx.WriteItem(e.t.Context(), w); return err }); err != nil {
		e.t.Fatal(err)
	}
}

// device records a device of a user that last synced contacts at last.
func (e *env) device(user, id string, last time.Time, lastErr string) {
	e.t.Helper()
	uid := e.userID(user)
	err := e.st.Update(e.t.Context(), func(tx store.Tx) error {
		devinf := `<DevInf xmlns="syncml:devinf"><Man>Nokia</Man><Mod>E51</Mod><DevTyp>phone</DevTyp></DevInf>`
		if err := tx.PutDevice(e.t.Context(), &store.Device{UserID: uid, DeviceID: id, DevInf: []byte(devinf),
			FirstSeen: last.Add(-time.Hour), LastSeen: last, LastError: lastErr}); err != nil {
			return err
		}
		return tx.PutPartnership(e.t.Context(), &store.Partnership{UserID: uid, DeviceID: id, Datastore: "contacts",
			ClientAnchor: "1", ServerAnchor: "1", LastSync: last, LastSyncMode: 200})
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func card(name, phone string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + name + ";;;;\r\nFN:" + name + "\r\nTEL;TYPE=CELL:" + phone + "\r\nEND:VCARD\r\n"
}

// browser is an HTTP client with its own cookies that does not follow
// redirects, so tests see them.
type browser struct {
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and remembers its CSRF token.
func (b *browser) get(path string) (int, string, http.Header) {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body), resp.Header
}

// post sends a form; the session's CSRF token is added unless the form
// has one.
func (b *browser) post(path string, form url.Values) (int, string, http.Header) {
	b.e.t.Helper()
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	resp, err := b.c.PostForm(b.e.srv.URL+path, form)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// login logs in and fails the test if that does not work.
func (b *browser) login(user, password string) {
	b.e.t.Helper()
	b.get("/login")
	code, body, hdr := b.post("/login", url.Values{"user": {user}, "password": {password}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/devices" {
		b.e.t.Fatalf("login %s: %d %s\n%s", user, code, hdr.Get("Location"), body)
	}
	b.get("/devices") // for the session's CSRF token
}

func (b *browser) mustGet(path string) string {
	b.e.t.Helper()
	code, body, _ := b.get(path)
	if code != http.StatusOK {
		b.e.t.Fatalf("GET %s = %d\n%s", path, code, body)
	}
	return body
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// guidOf finds the GUID of a user's live contact by its summary.
func (e *env) guidOf(user, summary string) string {
	e.t.Helper()
	its, err := e.eng.LiveItems(e.t.Context(), user, "contacts")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range its {
		if it.Summary == summary {
			return it.GUID
		}
	}
	e.t.Fatalf("no live contact %q of %s", summary, user)
	return ""
}
