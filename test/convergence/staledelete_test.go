package convergence

import (
	"context"
	"testing"

	"anchorage/protocol/syncml/session"
	"anchorage/test/simclient"
)

// TestDeletedItemBackFromKilledSlowSync (randomized seed 1659): a device
// deletes an item and runs a slow sync that is killed after the server's
// Adds (the item among them, since the device no longer sent it) and
// before its Map. Its next sync, killed before it reads the answer, sends
// the unmapped copy together with the old Delete. The copy must be
// paired with the item it was sent as, not become a second live item,
// also when another device edits the item meanwhile.
func TestDeletedItemBackFromKilledSlowSync(t *testing.T) {
	ts := startServerClock(t, session.Options{MaxMsgSize: 3950}, 10)
	ctx := context.Background()
	a := ts.device("dev-0", nil)
	b := ts.device("dev-1", func(o *simclient.Options) { o.VerDTD = "1.1" })
	a.Add("contacts", card(1, 1))
	syncAll(t, a)
	l, _ := b.Add("contacts", card(2, 2))
	b.Delete("contacts", l)
	b.Add("contacts", card(3, 3))
	syncAll(t, b)
	if _, err := b.Sync(ctx, simclient.RefreshFromServer); err != nil {
		t.Fatalf("dev-1 refresh: %v", err)
	}
	a.Delete("contacts", luidOf(t, a, card(1, 1)))
	l4, _ := a.Add("contacts", card(4, 4))
	a.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := a.Sync(ctx, simclient.Slow); err != simclient.ErrAbandoned {
		t.Fatalf("dev-0's killed slow sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	a.Edit("contacts", l4, card(4, 5))
	a.Faults = simclient.Faults{AbandonAfter: 2, Unread: true}
	if _, err := a.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("dev-0's killed two-way sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	a.Faults = simclient.Faults{}
	b.Edit("contacts", luidOf(t, b, card(1, 1)), card(1, 8))
	syncAll(t, b, a, b, a, b)
	noForks(t, ts)
	if d := converged(t, ts, a, b); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
}

// TestDeletedTwiceAfterKilledSlowSync (randomized seed 124): as above, but
// the device deletes also the copy the killed slow sync gave it. Both of
// its Deletes name the item; it is deleted everywhere, not kept on the
// server while the device lacks it.
func TestDeletedTwiceAfterKilledSlowSync(t *testing.T) {
	ts, a, b := deletedBackFromSlowSync(t)
	a.Delete("contacts", luidOf(t, a, card(1, 1)))
	syncAll(t, a, b, a, b)
	for _, it := range ts.live(t) {
		if idRe.FindStringSubmatch(string(it.Data))[1] == "1" {
			t.Errorf("server: item #1 is live, deleted twice on dev-0")
		}
	}
	if d := converged(t, ts, a, b); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
}

// TestChangeAfterKilledSlowSyncNotToStaleLUID (randomized seed 1044): a
// device deletes an item and runs a slow sync that is killed after the
// server's Adds (the item among them) and before its Map; the old LUID
// stays mapped. Another device edits the item, and the device runs a
// one-way sync from the server: the change must not go to the old LUID,
// which the device no longer holds (a device that takes such a Replace
// as an Add would hold the item twice), so that the device's unmapped
// copy pairs with the item in its next two-way sync.
func TestChangeAfterKilledSlowSyncNotToStaleLUID(t *testing.T) {
	ts, b, a := deletedBackFromSlowSync(t)
	a.Edit("contacts", luidOf(t, a, card(1, 1)), card(1, 3))
	syncAll(t, a)
	if _, err := b.Sync(context.Background(), simclient.OneWayFromServer); err != nil {
		t.Fatalf("dev-0's one-way sync from the server: %v", err)
	}
	syncAll(t, b, a, b, a)
	noForks(t, ts)
	if d := converged(t, ts, a, b); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
}

// noForks fails the test for every item (by the "#id" of its name) the
// server holds live more than once.
func noForks(t *testing.T, ts *testServer) {
	t.Helper()
	ids := map[string]int{}
	for _, it := range ts.live(t) {
		if m := idRe.FindStringSubmatch(string(it.Data)); m != nil {
			ids[m[1]]++
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("server: item #%s is live %d times (forked)", id, n)
		}
	}
}

// deletedBackFromSlowSync returns two synced devices holding #1 and #2;
// the first deleted #1 and ran a slow sync killed after the server's Adds
// (#1 among them), before its Map: it holds #1 again, unmapped, and its
// old LUID of #1 is still mapped.
func deletedBackFromSlowSync(t *testing.T) (ts *testServer, a, b *simclient.Device) {
	t.Helper()
	ts = startServerClock(t, session.Options{}, 10)
	a, b = ts.device("dev-0", nil), ts.device("dev-1", nil)
	a.Add("contacts", card(1, 1))
	a.Add("contacts", card(2, 2))
	syncAll(t, a, b)
	a.Delete("contacts", luidOf(t, a, card(1, 1)))
	a.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := a.Sync(context.Background(), simclient.Slow); err != simclient.ErrAbandoned {
		t.Fatalf("dev-0's killed slow sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	a.Faults = simclient.Faults{}
	return ts, a, b
}
