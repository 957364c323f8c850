package convergence

import (
	"context"
	"fmt"
	"testing"

	"anchorage/test/simclient"
)

// TestAbandonedSession kills a device at each point of a session in which
// both sides have changes, restarts it later and checks that nothing is
// lost or duplicated.
func TestAbandonedSession(t *testing.T) {
	cases := []struct {
		name   string
		after  int
		unread bool
	}{
		{"after message 1", 1, false},
		{"message 2 sent, response lost", 2, true},
		{"server changes applied, before Map", 2, false},
		{"Map sent, response lost", 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, engineOpts())
			ctx := context.Background()
			a := ts.device("dev-a", nil)
			b := ts.device("dev-b", nil)
			var la []string
			for i := 0; i < 4; i++ {
				l, _ := a.Add("contacts", card(i, 1))
				la = append(la, l)
			}
			syncAll(t, a, b)

			// Changes on both sides; b's reach the server first.
			b.Edit("contacts", luidOf(t, b, card(3, 1)), card(3, 2))
			b.Add("contacts", card(10, 1))
			b.Add("contacts", card(11, 1))
			syncAll(t, b)
			a.Edit("contacts", la[0], card(0, 2))
			a.Delete("contacts", la[1])
			a.Add("contacts", card(20, 1))

			a.Faults = simclient.Faults{AbandonAfter: tc.after, Unread: tc.unread}
			rep, err := a.Sync(ctx, simclient.TwoWay)
			if err != simclient.ErrAbandoned {
				t.Fatalf("abandoned sync: %v", err)
			}
			s := *rep.Stores["contacts"]
			s.Acked = nil
			t.Logf("abandoned session: %+v", s)
			ts.clock.advance(leaseTTL) // the device is restarted later

			for round := 0; round < 2; round++ {
				syncAll(t, a, b)
			}
			if d := converged(t, ts, a, b); len(d) > 0 {
				t.Errorf("not converged:\n%v", d)
			}
			want := multiset([]string{card(0, 2), card(2, 1), card(3, 2), card(10, 1), card(11, 1), card(20, 1)})
			if d := compareSets("server", multiset(liveContents(ts.live(t))), want); len(d) > 0 {
				t.Errorf("server's live set:\n%v", d)
			}
		})
	}
}

// TestAbandonedSessionRestartAtOnce: a killed device restarted at once
// finds its datastore leased by its own dead session.
func TestAbandonedSessionRestartAtOnce(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	a := ts.device("dev-a", nil)
	a.Add("contacts", card(1, 1))
	syncAll(t, a)
	a.Add("contacts", card(2, 1))
	a.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := a.Sync(context.Background(), simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatal(err)
	}
	if _, err := a.Sync(context.Background(), simclient.TwoWay); err != nil {
		t.Errorf("sync right after the device's abandoned session: %v", err)
	}
}

// TestStaleCopyAfterLostMap: a device applies the server's Adds and is
// killed before its Map; another device then edits one of those items and
// deletes another. The device's next sync (it sends both as new items, in
// their old versions) maps them to the server's items instead of adding
// them again, and the device ends with the edit and without the deleted
// one.
func TestStaleCopyAfterLostMap(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	ctx := context.Background()
	a, b := ts.device("dev-a", nil), ts.device("dev-b", nil)
	a.Add("contacts", card(1, 1))
	a.Add("contacts", card(2, 1))
	a.Add("contacts", card(3, 1))
	syncAll(t, a)
	syncAll(t, b)
	b.Add("contacts", card(4, 1)) // b has something of its own, so its slow sync is not trivial
	// A new device c gets the three in a slow sync and dies before its Map.
	c := ts.device("dev-c", nil)
	c.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := c.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("c's first sync: %v", err)
	}
	if n := len(c.Items("contacts")); n != 3 {
		t.Fatalf("c applied %d items before it died, want 3", n)
	}
	ts.clock.advance(leaseTTL) // c's dead session no longer holds the datastore
	// a edits item 1 and deletes item 2.
	for luid, content := range a.Items("contacts") {
		switch content {
		case card(1, 1):
			a.Edit("contacts", luid, card(1, 2))
		case card(2, 1):
			a.Delete("contacts", luid)
		}
	}
	syncAll(t, a)
	syncAll(t, c)
	syncAll(t, b)
	syncAll(t, a)
	syncAll(t, c)
	want := multiset([]string{card(1, 2), card(3, 1), card(4, 1)})
	for _, d := range []*simclient.Device{a, b, c} {
		if got := multiset(deviceContents(d)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s holds %v, want %v", d.ID(), got, want)
		}
	}
	if got := multiset(liveContents(ts.live(t))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server holds %v, want %v", got, want)
	}
}
