package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLoginLogout(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "wonderland", false)
	b := e.browser()
	if code, _, hdr := b.get("/"); code != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Fatalf("GET / logged out = %d %s, want a redirect to /login", code, hdr.Get("Location"))
	}
	if code, _, hdr := b.get("/data"); code != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Errorf("GET /data logged out = %d %s, want a redirect to /login", code, hdr.Get("Location"))
	}
	_, page, hdr := b.get("/login")
	contains(t, "login page", page, `type="password"`, `name="csrf"`)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if hdr.Get(h) == "" {
			t.Errorf("login page lacks header %s", h)
		}
	}
	if !strings.Contains(hdr.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP %q lacks frame-ancestors", hdr.Get("Content-Security-Policy"))
	}

	code, page, _ := b.post("/login", url.Values{"user": {"alice"}, "password": {"wrong"}})
	if code != http.StatusUnauthorized || !strings.Contains(page, "Wrong user name or password") {
		t.Errorf("wrong password: %d, want 401 with a message", code)
	}
	b.get("/login")
	code, _, hdr = b.post("/login", url.Values{"user": {"alice"}, "password": {"wonderland"}})
	if code != http.StatusSeeOther {
		t.Fatalf("login = %d, want 303", code)
	}
	var sc string
	for _, c := range hdr.Values("Set-Cookie") {
		if strings.HasPrefix(c, "anchorage_session=") {
			sc = c
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("session cookie %q lacks %s", sc, attr)
		}
	}
	if strings.Contains(sc, "Secure") {
		t.Errorf("session cookie %q is Secure on plain HTTP", sc)
	}
	page = b.mustGet("/devices")
	contains(t, "devices page", page, "alice", "Log out")

	// Logging out ends the session on the server, not just in the browser.
	cookies := b.c.Jar.Cookies(mustURL(e.srv.URL))
	if code, _, _ := b.post("/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("logout = %d", code)
	}
	old := e.browser()
	old.c.Jar.SetCookies(mustURL(e.srv.URL), cookies)
	if code, _, hdr := old.get("/devices"); code != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Errorf("old cookie after logout: %d %s, want a redirect to /login", code, hdr.Get("Location"))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCSRFRefused(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	now := time.Now()
	e.put("alice", "contacts", "g1", card("Ann", "1"), "phone", now.Add(-2*time.Hour))
	e.put("alice", "contacts", "g1", card("Ann B", "1"), "phone", now.Add(-time.Hour))

	// The login form needs its own token (login CSRF).
	fresh := e.browser()
	if code, _, _ := fresh.post("/login", url.Values{"user": {"alice"}, "password": {"pw"}, "csrf": {"forged"}}); code != http.StatusForbidden {
		t.Errorf("login without the form's token = %d, want 403", code)
	}

	b := e.browser()
	b.login("alice", "pw")
	form := url.Values{"ds": {"contacts"}, "guid": {"g1"}, "version": {"1"}}
	for _, tok := range []string{"", "forged"} {
		f := url.Values{"csrf": {tok}}
		for k, v := range form {
			f[k] = v
		}
		if code, _, _ := b.post("/item/restore", f); code != http.StatusForbidden {
			t.Errorf("restore with CSRF token %q = %d, want 403", tok, code)
		}
	}
	// A form posted from another site is refused even with the token.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/item/restore", strings.NewReader(url.Values{
		"csrf": {b.csrf}, "ds": {"contacts"}, "guid": {"g1"}, "version": {"1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST = %d, want 403", resp.StatusCode)
	}
	if its, _ := e.eng.LiveItems(t.Context(), "alice", "contacts"); its[0].Summary != "Ann B" {
		t.Errorf("a refused form changed the item: %q", its[0].Summary)
	}
	// With the token it works.
	if code, body, _ := b.post("/item/restore", form); code != http.StatusOK {
		t.Fatalf("restore with the token = %d\n%s", code, body)
	}
	if its, _ := e.eng.LiveItems(t.Context(), "alice", "contacts"); its[0].Summary != "Ann" {
		t.Errorf("after restore of version 1: %q, want Ann", its[0].Summary)
	}
}

func TestCrossUserRefused(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw-a", false)
	e.addUser("bob", "pw-b", false)
	now := time.Now()
	e.put("alice", "contacts", "alice-1", card("Alice Secret", "111"), "alice-phone", now.Add(-2*time.Hour))
	e.put("alice", "contacts", "alice-2", card("Alice Gone", "222"), "alice-phone", now.Add(-2*time.Hour))
	e.put("alice", "contacts", "alice-2", "", "alice-phone", now.Add(-time.Hour))
	e.device("alice", "alice-phone", now.Add(-time.Hour), "")

	bob := e.browser()
	bob.login("bob", "pw-b")
	for _, p := range []string{"/data", "/deleted", "/devices", "/undo?ds=contacts&at=" + url.QueryEscape(now.Add(-3*time.Hour).Format(time.RFC3339))} {
		if body := bob.mustGet(p); strings.Contains(body, "Alice") || strings.Contains(body, "alice-") {
			t.Errorf("bob's %s shows alice's data", p)
		}
	}
	for _, p := range []string{"/item?ds=contacts&guid=alice-1", "/item?ds=contacts&guid=alice-2", "/devices/confirm?action=reset&device=alice-phone"} {
		if code, body, _ := bob.get(p); code != http.StatusNotFound || strings.Contains(body, "Alice") {
			t.Errorf("bob GET %s = %d, want 404 without alice's data", p, code)
		}
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/item/restore", url.Values{"ds": {"contacts"}, "guid": {"alice-2"}, "version": {"1"}}},
		{"/deleted/restore", url.Values{"ds": {"contacts"}, "guid": {"alice-2"}}},
		{"/devices/reset", url.Values{"device": {"alice-phone"}}},
		{"/devices/remove", url.Values{"device": {"alice-phone"}}},
	}
	for _, p := range posts {
		if code, _, _ := bob.post(p.path, p.form); code != http.StatusNotFound {
			t.Errorf("bob POST %s = %d, want 404", p.path, code)
		}
	}
	if code, _, _ := bob.get("/export/download?ds=contacts"); code != http.StatusOK {
		t.Errorf("bob's own export = %d", code)
	} else if _, body, _ := bob.get("/export/download?ds=contacts"); strings.Contains(body, "Alice") {
		t.Errorf("bob's export holds alice's contacts")
	}
	// Nothing of alice's changed, and the admin pages refuse bob.
	if its, _ := e.eng.LiveItems(t.Context(), "alice", "contacts"); len(its) != 1 {
		t.Errorf("alice has %d live contacts after bob's attempts, want 1", len(its))
	}
	if reps, _ := e.eng.Devices(t.Context(), "alice"); len(reps) != 1 || len(reps[0].Datastores) != 1 {
		t.Errorf("alice's device changed after bob's attempts: %+v", reps)
	}
	for _, p := range []string{"/admin/users", "/admin/devices", "/admin/status"} {
		if code, _, _ := bob.get(p); code != http.StatusForbidden {
			t.Errorf("non-admin GET %s = %d, want 403", p, code)
		}
	}
	if code, _, _ := bob.post("/admin/users/disable", url.Values{"name": {"alice"}, "disabled": {"1"}}); code != http.StatusForbidden {
		t.Errorf("non-admin disabling a user = %d, want 403", code)
	}
}

func TestHostileContentEscaped(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	evil := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:<script>alert(1)</script>\r\nN:<img src=x onerror=alert(2)>;;;;\r\n" +
		"URL:javascript:alert(3)\r\nTEL:\"><script>alert(4)</script>\r\nEND:VCARD\r\n"
	now := time.Now()
	e.put("alice", "contacts", "evil", evil, "phone", now.Add(-2*time.Hour))
	e.put("alice", "contacts", "evil", card("Plain", "1"), "phone", now.Add(-time.Hour))
	e.put("alice", "contacts", "evil", evil, "<script>dev</script>", now.Add(-30*time.Minute))
	e.put("alice", "contacts", "evil2", evil, "phone", now.Add(-10*time.Minute)) // goes away in an undo
	b := e.browser()
	b.login("alice", "pw")
	for _, p := range []string{"/data", "/data?q=" + url.QueryEscape("<script>"), "/item?ds=contacts&guid=evil&a=2&b=3", "/undo?ds=contacts&at=" + url.QueryEscape(now.Add(-45*time.Minute).Format(time.RFC3339))} {
		body := b.mustGet(p)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img") || strings.Contains(body, `href="javascript:`) {
			t.Errorf("%s renders item content as markup", p)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s does not show the hostile text as text", p)
		}
	}
}

func TestHostileRequests(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	b := e.browser()
	b.login("alice", "pw")
	cases := []struct {
		path string
		code int
	}{
		{"/data?ds=../../etc", http.StatusBadRequest},
		{"/item?ds=contacts&guid=nope", http.StatusNotFound},
		{"/undo?ds=contacts&at=yesterday", http.StatusBadRequest},
		{"/undo?ds=contacts&at=2999-01-01", http.StatusBadRequest},
		{"/export/download?ds=contacts&format=ics", http.StatusBadRequest},
		{"/devices/confirm?action=explode&device=x", http.StatusBadRequest},
		{"/no/such/page", http.StatusNotFound},
	}
	for _, c := range cases {
		if code, body, _ := b.get(c.path); code != c.code || !strings.Contains(body, "problem") {
			t.Errorf("GET %s = %d, want %d with an explanation", c.path, code, c.code)
		}
	}
	if code, _, _ := b.post("/item/restore", url.Values{"ds": {"contacts"}, "guid": {"x"}, "version": {"zero"}}); code != http.StatusBadRequest {
		t.Errorf("restore of version \"zero\" = %d, want 400", code)
	}
	if code, _, _ := b.post("/undo", url.Values{"ds": {"contacts"}}); code != http.StatusBadRequest {
		t.Errorf("undo without a time = %d, want 400", code)
	}
	// /sync stays the SyncML endpoint.
	if resp, err := b.c.Get(e.srv.URL + "/sync"); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /sync = %v %v, want the SyncML endpoint's 405", resp.StatusCode, err)
	}
}

// TestSecureCookieUnderTLS: over https the session cookie is Secure.
func TestSecureCookieUnderTLS(t *testing.T) {
	e := newEnv(t)
	e.addUser("alice", "pw", false)
	tlsSrv := httptest.NewTLSServer(e.srv.Config.Handler)
	t.Cleanup(tlsSrv.Close)
	b := e.browser()
	b.c.Transport = tlsSrv.Client().Transport
	e.srv = tlsSrv // the browser's requests go here now
	b.get("/login")
	code, _, hdr := b.post("/login", url.Values{"user": {"alice"}, "password": {"pw"}})
	if code != http.StatusSeeOther {
		t.Fatalf("login over TLS = %d", code)
	}
	found := false
	for _, c := range hdr.Values("Set-Cookie") {
		if strings.HasPrefix(c, "anchorage_session=") {
			found = true
			if !strings.Contains(c, "; Secure") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
				t.Errorf("session cookie over TLS = %q, want Secure, HttpOnly, SameSite=Strict", c)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie over TLS")
	}
	b.mustGet("/devices")
}
