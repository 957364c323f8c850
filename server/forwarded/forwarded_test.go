package forwarded

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestParseProxies(t *testing.T) {
	ps, err := ParseProxies(" 10.0.0.0/8, 127.0.0.1 ,::1,, 192.168.1.7/24")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 || ps[3].String() != "192.168.1.0/24" {
		t.Errorf("parsed %v", ps)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "1.2.3"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestHandler(t *testing.T) {
	ps, err := ParseProxies("10.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer, xff, proto string
		wantAddr, wantScheme   string
	}{
		{"no proxy in between", "192.0.2.1:5000", "198.51.100.9", "https", "192.0.2.1:5000", "http"},
		{"trusted proxy", "10.1.2.3:4000", "198.51.100.9", "https", "198.51.100.9:0", "https"},
		{"client-written hop left of the proxy's", "10.1.2.3:4000", "203.0.113.1, 198.51.100.9", "", "198.51.100.9:0", "http"},
		{"chain of trusted proxies", "10.1.2.3:4000", "198.51.100.9, 10.9.9.9", "http", "198.51.100.9:0", "http"},
		{"IPv6 proxy and client", "[::1]:4000", "2001:db8::7", "HTTPS", "[2001:db8::7]:0", "https"},
		{"unreadable hop keeps the proxy", "10.1.2.3:4000", "198.51.100.9, unknown", "", "10.1.2.3:4000", "http"},
		{"no header keeps the proxy", "10.1.2.3:4000", "", "", "10.1.2.3:4000", "http"},
		{"only proxies in the header", "10.1.2.3:4000", "10.0.0.5", "", "10.1.2.3:4000", "http"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var addr, scheme string
			h := ps.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				addr, scheme = r.RemoteAddr, Scheme(r)
			}))
			r := httptest.NewRequest(http.MethodPost, "/sync", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if c.proto != "" {
				r.Header.Set("X-Forwarded-Proto", c.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if addr != c.wantAddr || scheme != c.wantScheme {
				t.Errorf("handler saw %s over %s; want %s over %s", addr, scheme, c.wantAddr, c.wantScheme)
			}
		})
	}
}

// Without trusted proxies the headers are never read.
func TestNoProxies(t *testing.T) {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	var ps Proxies
	if h := ps.Handler(next); h == nil {
		t.Fatal("nil handler")
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	if Scheme(r) != "http" {
		t.Errorf("X-Forwarded-Proto read outside the trusted handler")
	}
}
