package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"anchorage/server"
	"anchorage/server/forwarded"
)

// Behind a TLS-terminating proxy the browser is on https://HOST: its
// Origin says so and its session cookie must be Secure. Only a trusted
// proxy's X-Forwarded-Proto is believed.
func TestLoginBehindTLSProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		e := newEnv(t, func(o *server.Options) {
			if trusted {
				o.TrustedProxies, _ = forwarded.ParseProxies("127.0.0.1, ::1")
			}
		})
		e.addUser("alice", "pw", false)
		b := e.browser()
		b.get("/login")
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/login", strings.NewReader(url.Values{
			"user": {"alice"}, "password": {"pw"}, "csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://"+strings.TrimPrefix(e.srv.URL, "http://"))
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch {
		case trusted && resp.StatusCode != http.StatusSeeOther:
			t.Errorf("login through the trusted TLS proxy = %d, want 303", resp.StatusCode)
		case trusted:
			for _, c := range resp.Cookies() {
				if !c.Secure {
					t.Errorf("cookie %s set without Secure behind TLS", c.Name)
				}
			}
		case resp.StatusCode != http.StatusForbidden:
			t.Errorf("https Origin on plain http from an untrusted peer = %d, want 403", resp.StatusCode)
		}
	}
}
