package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/server/forwarded"
)

// Behind a TLS-terminating proxy the device reached https://HOST/sync;
// the RespURI must send it back there, not to plain http.
func TestRespURIBehindTrustedProxy(t *testing.T) {
	proxies, err := forwarded.ParseProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	ts, adm := newTestServer(t, Options{TrustedProxies: proxies})
	if err := adm.AddUser(context.Background(), "bob", "secret", true); err != nil {
		t.Fatal(err)
	}
	// Each case its own user: the open session of the first holds alice's
	// contacts.
	for _, c := range []struct{ user, proto, want string }{{"alice", "https", "https://"}, {"bob", "", "http://"}} {
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/sync", strings.NewReader(string(firstMessage(t, c.user, "secret"))))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentTypeXML)
		req.Header.Set("X-Forwarded-For", "198.51.100.9")
		if c.proto != "" {
			req.Header.Set("X-Forwarded-Proto", c.proto)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		reply, err := syncml.Decode(body)
		if err != nil {
			t.Fatalf("HTTP %d: %v\n%s", resp.StatusCode, err, body)
		}
		if !strings.HasPrefix(reply.Header.RespURI, c.want+strings.TrimPrefix(ts.URL, "http://")+"/sync?sessionid=") {
			t.Errorf("X-Forwarded-Proto %q: RespURI %q; want it to start with %s", c.proto, reply.Header.RespURI, c.want)
		}
	}
}
