package hostile

import (
	"fmt"
	"net/http"
	"testing"

	"anchorage/test/testserver"
)

// TestMD5DigestNotReplayable: an MD5 credential counts only against a
// nonce the server issued to that device and nobody used yet. The digest
// over an empty nonce (what a first contact used to be accepted with) and
// a digest seen on the wire get 401, from any device id.
func TestMD5DigestNotReplayable(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})

	// First contact: no nonce issued yet, so the empty-nonce digest is
	// refused with a challenge carrying a fresh one.
	first := post(t, srv.URL, msg{dev: "phone", msgID: "1", cred: md5Cred(nil)}.encode(t))
	if got := first.hdrStatus(); got != 401 {
		t.Fatalf("first contact with the empty-nonce digest: SyncHdr status %d, want 401", got)
	}
	nonce := first.nextNonce(t)
	if len(nonce) == 0 {
		t.Fatal("the 401 carries no NextNonce to retry with")
	}
	// The client retries with it, as SyncML clients do.
	retry := msg{dev: "phone", msgID: "2", cred: md5Cred(nonce)}
	if got := post(t, srv.URL, retry.encode(t)).hdrStatus(); got != 212 {
		t.Fatalf("retry with the issued nonce: status %d, want 212", got)
	}

	// Someone who saw that exchange replays the digest: in a new session
	// of the same device (the nonce is spent) and from new device ids.
	for _, replay := range []msg{
		{dev: "phone", session: "2", msgID: "1", cred: md5Cred(nonce)},
		{dev: "attacker", msgID: "1", cred: md5Cred(nonce)},
		{dev: "attacker2", msgID: "1", cred: md5Cred(nil)},
	} {
		if got := post(t, srv.URL, replay.encode(t)).hdrStatus(); got != 401 {
			t.Errorf("replayed digest from device %q (session %q): status %d, want 401", replay.dev, replay.session, got)
		}
	}
}

// TestMD5FirstContactsNotThrottled: many devices of one address (a
// household or an office behind NAT) making their first MD5 contact are
// challenged, not counted as failed logins, so none of them is slowed or
// refused (a wrong digest against an issued nonce still counts:
// TestParallelGuessing, TestMD5DigestNotReplayable).
func TestMD5FirstContactsNotThrottled(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	for i := range 25 {
		dev := fmt.Sprintf("phone-%d", i)
		first := post(t, srv.URL, msg{dev: dev, msgID: "1", cred: md5Cred(nil)}.encode(t))
		if got := first.hdrStatus(); got != 401 {
			t.Fatalf("%s first contact: status %d (HTTP %d), want 401 with a challenge", dev, got, first.code)
		}
		retry := msg{dev: dev, msgID: "2", cred: md5Cred(first.nextNonce(t))}
		if r := post(t, srv.URL, retry.encode(t)); r.code != http.StatusOK || r.hdrStatus() != 212 {
			t.Fatalf("%s retry with the issued nonce: HTTP %d, status %d, want 212", dev, r.code, r.hdrStatus())
		}
	}
	// The next login of the user from that address is checked at once.
	if wait, ok := srv.Core.AdmitLogin("u", "127.0.0.1:1"); !ok || wait != 0 {
		t.Errorf("after 25 first contacts the next login waits %v (admitted: %v), want no wait", wait, ok)
	}
}
