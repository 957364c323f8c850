package hostile

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"anchorage/protocol/syncml/session"
	"anchorage/server"
	"anchorage/server/forwarded"
	"anchorage/test/testserver"
)

// Behind a reverse proxy every client has the proxy's address. With the
// proxy trusted (serve --trusted-proxies) credential checks are counted
// against the address in X-Forwarded-For, so clients behind the proxy do
// not throttle each other; a hop the client wrote itself, or the header
// from an untrusted peer, is ignored, so a guesser cannot shed its
// throttling by writing one. Each case sends 30 wrong passwords at once,
// each for another user name, so that only the per-address spacing
// (engine/guessing.go) can refuse them.
func TestGuessingBehindProxy(t *testing.T) {
	cases := []struct {
		name        string
		trusted     bool
		forwardedAs func(i int) string
		wantRefused bool
	}{
		{"trusted, 30 clients", true, func(i int) string { return fmt.Sprintf("198.51.100.%d", i+1) }, false},
		{"trusted, one client forging hops", true, func(i int) string { return fmt.Sprintf("198.51.100.%d, 203.0.113.7", i+1) }, true},
		{"untrusted, 30 claimed clients", false, func(i int) string { return fmt.Sprintf("198.51.100.%d", i+1) }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := testserver.Start(t, nil)
			var proxies forwarded.Proxies
			if c.trusted {
				var err error
				if proxies, err = forwarded.ParseProxies("127.0.0.1, ::1"); err != nil {
					t.Fatal(err)
				}
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			hs := httptest.NewServer(server.New(server.Options{
				SyncML: session.New(srv.Core, session.Options{Logger: log}), Logger: log, TrustedProxies: proxies}))
			t.Cleanup(hs.Close)

			var refused atomic.Int32
			done := make(chan int, 30)
			for i := range 30 {
				go func() {
					user := fmt.Sprintf("g%d", i)
					body := msg{dev: "dev-" + user, user: user, msgID: "1", cred: basicCredOf(user, "guess")}.encode(t)
					r := postWith(t, hs.URL+"/sync", body, http.Header{"X-Forwarded-For": {c.forwardedAs(i)}})
					if r.code == http.StatusServiceUnavailable {
						refused.Add(1)
					}
					done <- r.code
				}()
			}
			for range 30 {
				if code := <-done; code != http.StatusOK && code != http.StatusServiceUnavailable {
					t.Errorf("a guess got HTTP %d; want 200 (status 401 inside) or 503", code)
				}
			}
			if got := refused.Load() > 0; got != c.wantRefused {
				t.Errorf("%d of 30 parallel guesses refused with 503; want refusals: %v", refused.Load(), c.wantRefused)
			}
		})
	}
}
