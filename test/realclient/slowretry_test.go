package realclient_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// breakProxy forwards requests to the server until the client's message
// carrying its slow-sync items (a Sync with Replace or Add commands) has
// passed, then breaks the session once: offset 0 is that message, 1 the
// next one (its Statuses, or its Map); forward says whether the broken
// request reaches the server (its reply is then lost) or not. The client
// sees a dropped connection and, with no resend configured, gives up.
func breakProxy(t *testing.T, target string, offset int, forward bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	after, done := -1, false // requests since the client's items; -1: not yet
	var mu sync.Mutex
	return faultProxy(t, target, func(body []byte) proxyFault {
		mu.Lock()
		defer mu.Unlock()
		if after < 0 && bytes.Contains(body, []byte("<Sync>")) &&
			(bytes.Contains(body, []byte("<Replace>")) || bytes.Contains(body, []byte("<Add>"))) {
			after = 0
		} else if after >= 0 {
			after++
		}
		switch {
		case done || after != offset:
			return passOn
		case forward:
			done = true
			return loseReply
		}
		done = true
		return loseRequest
	})
}

// TestAbandonedSlowSyncRetried (issue: a retried slow sync must not undo
// another device's work): P1 uploads 10 contacts; P2 edits one's e-mail,
// deletes another and syncs; a new device P3 holding the original 10
// starts its slow sync, which is abandoned before the server's reply to
// its items is read, after it, or after its next message (Statuses and
// Map) reached the server. P3 retries: P2's edit and delete survive, every
// device converges, nothing is lost. Each point runs on each topology.
func TestAbandonedSlowSyncRetried(t *testing.T) {
	shared := needRealClient(t)
	eachTopology(t, func(t *testing.T, tp topology) { runAbandonedSlowSyncRetried(t, shared, tp) })
}

func runAbandonedSlowSyncRetried(t *testing.T, shared string, tp topology) {
	points := []struct {
		name    string
		offset  int
		forward bool
	}{
		{"before-reply-read", 0, true},
		{"after-reply", 1, false},
		{"after-map", 1, true},
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			srv := tp.start(t)
			srv.addUser(t, "ab", "pw")
			p1 := newDevice(t, shared, srv, "ab-p1", "ab", "pw", "", "contacts")
			p2 := newDevice(t, shared, srv, "ab-p2", "ab", "pw", "", "contacts")
			p3 := newDevice(t, shared, srv, "ab-p3", "ab", "pw", "", "contacts")
			addContacts(t, p1, "orig", 0, 10)
			addContacts(t, p3, "orig", 0, 10)
			p1.mustSync(t, "slow")
			p2.mustSync(t, "two-way")
			waitForMtime()
			edited := fileWith(t, p2, "Orig003 Tester")
			p2.write(t, "contacts", edited, vcard30("Orig003", "Tester", "+49150000003", "changed3@example.org"))
			if err := os.Remove(p2.path("contacts", fileWith(t, p2, "Orig005 Tester"))); err != nil {
				t.Fatal(err)
			}
			expect(t, "P2's changes", p2.mustSync(t, "two-way"), "contacts", map[string]int{"remote_updated": 1, "remote_deleted": 1})

			proxy, broken := breakProxy(t, srv.url, p.offset, p.forward)
			p3.url = proxy.URL + "/sync"
			if r := p3.sync(t, "two-way"); r.ok() {
				t.Fatalf("P3's first sync succeeded; the proxy broke %d requests", broken.Load())
			}
			if broken.Load() != 1 {
				t.Fatalf("the proxy broke %d requests, want 1", broken.Load())
			}
			p3.url = srv.url
			r := p3.mustSync(t, "two-way")
			if m := r.sources["contacts"]["mode"]; m != "slow" {
				t.Errorf("P3's retry mode = %s, want slow", m)
			}
			p1.mustSync(t, "two-way")
			p2.mustSync(t, "two-way")

			wantFN := []string{}
			for i := 0; i < 10; i++ {
				if i != 5 {
					wantFN = append(wantFN, fmt.Sprintf("Orig%03d Tester", i))
				}
			}
			if got := serverContacts(t, srv, "ab"); !equalLists(got, wantFN) {
				t.Errorf("server holds %q, want %q (P2's delete kept, nothing lost, no duplicates)", got, wantFN)
			}
			mails := keySet(splitStream(srv.export(t, "ab", "contacts"), "VCARD"), "EMAIL")
			if !contains(mails, "changed3@example.org") || contains(mails, "orig3@example.org") {
				t.Errorf("server's e-mails %q: P2's edit reverted", mails)
			}
			assertConverged(t, srv, "ab", p1, p2, p3)
			for _, d := range []*device{p1, p2, p3} {
				if got := keySet(d.files(t, "contacts"), "EMAIL"); !equalLists(got, mails) {
					t.Errorf("%s holds e-mails %q, server %q", d.id, got, mails)
				}
			}
			for _, d := range []*device{p1, p2, p3} {
				confirmNothing(t, d)
			}
		})
	}
}

// TestDeviceResetSlowSyncWritesNothing (issue: churn without change):
// after "device reset" the device's slow sync sends copies that differ
// from the server's only in what carries no meaning (empty properties,
// PRODID, REV, property order); no new version is written and the other
// device receives nothing.
func TestDeviceResetSlowSyncWritesNothing(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "rs", "pw")
	a := newDevice(t, shared, srv, "rs-a", "rs", "pw", "", "contacts")
	b := newDevice(t, shared, srv, "rs-b", "rs", "pw", "", "contacts")
	addContacts(t, a, "same", 0, 8)
	a.mustSync(t, "slow")
	b.mustSync(t, "two-way")
	before := srv.history(t, "rs")
	if len(before) != 8 {
		t.Fatalf("history holds %d versions after the upload, want 8", len(before))
	}
	for name, body := range a.files(t, "contacts") {
		lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
		// BEGIN, VERSION, N, FN, TEL, EMAIL, END: reorder and pad.
		re := []string{lines[0], lines[1], "PRODID:-//Other Book//EN", "REV:2026-12-01T10:00:00Z", "NICKNAME:",
			lines[5], lines[4], "URL:", lines[3], lines[2], lines[len(lines)-1]}
		a.write(t, "contacts", name, strings.Join(re, "\r\n")+"\r\n")
	}
	out := srv.admin(t, "", "device", "reset", "--data", srv.data, "--user", "rs", "--device", a.id)
	if !strings.Contains(out, a.id) {
		t.Errorf("device reset printed %q", out)
	}
	r := a.mustSync(t, "two-way")
	if m := r.sources["contacts"]["mode"]; m != "slow" {
		t.Errorf("sync after reset: mode %s, want slow", m)
	}
	expect(t, "slow sync after reset", r, "contacts", map[string]int{"local_added": 0, "local_updated": 0, "local_deleted": 0})
	if after := srv.history(t, "rs"); len(after) != len(before) {
		t.Errorf("history holds %d versions after the reset's slow sync, want %d (nothing changed):\n%v", len(after), len(before), after[len(before):])
	}
	r = b.mustSync(t, "two-way")
	expectNothing(t, "other device after the reset's slow sync", r, "contacts")
	assertConverged(t, srv, "rs", a, b)
}
