package realclient_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// proxyFault is what faultProxy does with one request.
type proxyFault int

const (
	passOn      proxyFault = iota // forward it, return the reply
	loseReply                     // forward it, then drop the connection
	loseRequest                   // drop the connection, not forwarding it
)

// faultProxy forwards requests to the server, doing with each what decide
// says; it counts the requests it broke (lost reply or request).
func faultProxy(t *testing.T, target string, decide func(body []byte) proxyFault) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var broken atomic.Int64
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fault := decide(body)
		lose := func() {
			broken.Add(1)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close() // lost on the way
			}
		}
		if fault == loseRequest {
			lose()
			return
		}
		url := strings.TrimSuffix(target, "/sync") + r.URL.RequestURI()
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		req.Host = r.Host // so that the RespURI names the proxy
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if fault == loseReply {
			lose()
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}))
	t.Cleanup(ps.Close)
	return ps, &broken
}

// dropProxy forwards requests to the server but swallows the response to
// the request number drop (1-based): the server did the work, the client
// sees a dropped connection and must re-send.
func dropProxy(t *testing.T, target string, drop int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	return faultProxy(t, target, func([]byte) proxyFault {
		if n.Add(1) == drop {
			return loseReply
		}
		return passOn
	})
}

// TestRetransmittedMessage: the response to the device's message carrying
// its changes is lost; SyncEvolution re-sends the message and the server
// answers it again without applying the changes twice. On two nodes the
// re-sent message reaches the other node than the lost answer came from.
func TestRetransmittedMessage(t *testing.T) {
	shared := needRealClient(t)
	eachTopology(t, func(t *testing.T, tp topology) { runRetransmittedMessage(t, shared, tp.start(t)) })
}

func runRetransmittedMessage(t *testing.T, shared string, srv *server) {
	srv.addUser(t, "rt", "pw")
	// Request 1 is the first contact, refused with a fresh MD5 nonce;
	// request 2 its retry; request 3 the device's Sync, whose answer is lost.
	proxy, dropped := dropProxy(t, srv.url, 3)
	a := newDevice(t, shared, srv, "rt-a", "rt", "pw", "", "contacts")
	a.url = proxy.URL + "/sync"
	addContacts(t, a, "resend", 0, 10)
	r := a.mustSync(t, "slow", "--retry-interval", "2")
	if dropped.Load() != 1 {
		t.Fatalf("the proxy dropped %d responses, want 1", dropped.Load())
	}
	expect(t, "slow sync with a lost response", r, "contacts", map[string]int{"remote_added": 10})
	if got := serverContacts(t, srv, "rt"); len(got) != 10 {
		t.Errorf("server holds %d contacts after a retransmitted message, want 10: %v", len(got), got)
	}
	if !strings.Contains(srv.logs(), "retransmitted message answered again") {
		t.Error("the server never saw the re-sent message (no retransmission in its log)")
	}
	a.url = srv.url
	confirmNothing(t, a)
}
