package realclient_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
)

// TestInterruptedSyncResumes: a SyncEvolution device's first sync with a
// server holding 200 contacts (many messages at a 20000-byte MaxMsgSize)
// breaks off in the middle of the server's package (the connection drops);
// the device's next run resumes it (Alert 225, reported as resume=true)
// instead of starting a slow sync again, and both sides end with every
// contact once.
func TestInterruptedSyncResumes(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "rs", "pw")
	seed := newDevice(t, shared, srv, "rs-seed", "rs", "pw", "", "contacts")
	phone := newDevice(t, shared, srv, "rs-phone", "rs", "pw", "", "contacts")
	addContacts(t, seed, "seed", 0, 200)
	addContacts(t, phone, "phone", 0, 20)
	seed.mustSync(t, "slow")

	var lost atomic.Bool
	proxy, broken := faultProxy(t, srv.url, func(body []byte) proxyFault {
		// Message 5 (message 4 of the session after the retry of message 1
		// with credentials) answers the server's third message of its
		// package: it is lost, the connection drops.
		if bytes.Contains(body, []byte("<MsgID>5</MsgID>")) && !lost.Swap(true) {
			return loseRequest
		}
		return passOn
	})
	small := []string{"--max-msg-size", "20000"}
	phone.url = proxy.URL + "/sync"
	if r := phone.sync(t, "two-way", small...); r.ok() {
		t.Fatalf("the interrupted sync succeeded; the proxy broke %d requests", broken.Load())
	}
	if broken.Load() != 1 {
		t.Fatalf("the proxy broke %d requests, want 1", broken.Load())
	}
	phone.url = srv.url
	r := phone.mustSync(t, "two-way", small...)
	t.Logf("resumed run: %v", r.sources["contacts"])
	if got := r.sources["contacts"]["resume"]; got != "true" {
		t.Errorf("SyncEvolution reports resume=%s, want true", got)
	}
	if !strings.Contains(srv.log.String(), "datastore resumed") {
		t.Error("the server log does not tell of the resumed datastore")
	}
	seed.mustSync(t, "two-way")
	if got := serverContacts(t, srv, "rs"); len(got) != 220 {
		t.Errorf("server holds %d contacts, want 220", len(got))
	}
	assertConverged(t, srv, "rs", seed, phone)
	confirmNothing(t, phone)
}
