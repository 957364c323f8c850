package realclient_test

import (
	"sync"
	"testing"
)

// TestSharedDeviceID: two SyncEvolution clients configured with one device
// id (a cloned profile) run slow syncs at the same moment. The server never
// merges them into one session: what either client was told it stored is
// stored, and after both sync again, one after the other, the server holds
// each contact once and both clients hold what the server holds.
func TestSharedDeviceID(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "sd", "pw")
	a := newDevice(t, shared, srv, "cloned", "sd", "pw", "", "contacts")
	b := newDevice(t, shared, srv, "cloned", "sd", "pw", "", "contacts")
	addContacts(t, a, "alpha", 0, 15)
	addContacts(t, b, "beta", 0, 15)

	var wg sync.WaitGroup
	reports := make([]*report, 2)
	for i, d := range []*device{a, b} {
		wg.Go(func() { reports[i] = d.sync(t, "slow", "--max-msg-size", "4000") })
	}
	wg.Wait()
	stored := len(splitStream(srv.export(t, "sd", "contacts"), "VCARD"))
	acked := 0
	for _, r := range reports {
		if r.ok() {
			acked += r.n("contacts", "remote_added")
		}
	}
	if stored < acked {
		t.Errorf("clients were told %d contacts were added, the server holds %d", acked, stored)
	}

	// Later syncs, one client at a time, bring everything together.
	for _, d := range []*device{a, b, a} {
		d.mustSync(t, "two-way")
	}
	got := splitStream(srv.export(t, "sd", "contacts"), "VCARD")
	if len(got) != 30 || len(serverContacts(t, srv, "sd")) != 30 {
		t.Errorf("server holds %d contacts (%d distinct), want the 30 of both clients once each",
			len(got), len(serverContacts(t, srv, "sd")))
	}
	assertConverged(t, srv, "sd", a, b)
}
