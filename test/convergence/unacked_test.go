package convergence

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/test/simclient"
)

// jane is a UID-less vCard; tel and org vary by the side that edits it.
func jane(tel, org string) string {
	c := "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nFN:Jane Doe\nEMAIL:jane@example.org\nTEL;TYPE=CELL:" + tel + "\n"
	if org != "" {
		c += "ORG:" + org + "\n"
	}
	return c + "END:VCARD\n"
}

// quiet runs a two-way sync of each device and fails if it exchanged any
// item: the confirmation sync of a converged state.
func quiet(t *testing.T, devs ...*simclient.Device) {
	t.Helper()
	for _, d := range devs {
		rep, err := d.Sync(context.Background(), simclient.TwoWay)
		if err != nil {
			t.Fatalf("%s: confirmation sync: %v", d.ID(), err)
		}
		s := rep.Stores["contacts"]
		if n := s.SentAdds + s.SentReplaces + s.SentDeletes + s.RecvAdds + s.RecvReplaces + s.RecvDeletes; n != 0 {
			t.Errorf("%s: confirmation sync exchanged %d items: %+v", d.ID(), n, *s)
		}
	}
}

// TestEditedCopyAfterLostMap: a device applies the server's Add and is
// killed before its Map; another device edits the item (its phone), the
// killed device edits its copy (the organisation) of the UID-less card.
// Its next sync pairs the copy with the item by its e-mail address: one
// item, merged (both edits), on every device, in a fast and a slow sync.
func TestEditedCopyAfterLostMap(t *testing.T) {
	for _, slow := range []bool{false, true} {
		name := "fast"
		if slow {
			name = "slow"
		}
		t.Run(name, func(t *testing.T) {
			ts := startServerClock(t, engineOpts(), 100)
			ctx := context.Background()
			a, b, c := ts.device("dev-a", nil), ts.device("dev-b", nil), ts.device("dev-c", nil)
			if !slow {
				syncAll(t, c) // c's next sync is a fast one
			}
			a.Add("contacts", jane("+49 170 1", ""))
			syncAll(t, a, b)
			c.Faults = simclient.Faults{AbandonAfter: 2}
			if _, err := c.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
				t.Fatalf("c's killed sync: %v", err)
			}
			ts.clock.advance(leaseTTL)
			b.Edit("contacts", luidOf(t, b, jane("+49 170 1", "")), jane("+49 170 2", ""))
			syncAll(t, b)
			c.Edit("contacts", luidOf(t, c, jane("+49 170 1", "")), jane("+49 170 1", "Acme"))
			syncAll(t, c, a, b)

			live := ts.live(t)
			if len(live) != 1 {
				t.Fatalf("server holds %d items, want 1:\n%v", len(live), liveContents(live))
			}
			if got := string(live[0].Data); !strings.Contains(got, "+49 170 2") || !strings.Contains(got, "ORG:Acme") {
				t.Errorf("server's item lacks an edit (want b's phone and c's organisation):\n%s", got)
			}
			if d := converged(t, ts, a, b, c); len(d) > 0 {
				t.Errorf("not converged:\n%v", d)
			}
			for _, d := range []*simclient.Device{a, b, c} {
				for _, got := range d.Items("contacts") {
					if !strings.Contains(got, "ORG:Acme") {
						t.Errorf("%s lacks c's edit:\n%s", d.ID(), got)
					}
				}
			}
			quiet(t, a, b, c)
		})
	}
}

// TestEditedCopyOfDeletedItem: the item the killed device edited was
// deleted by another device meanwhile; the edit survives the delete (the
// default rule), as the item it was, once.
func TestEditedCopyOfDeletedItem(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	ctx := context.Background()
	a, c := ts.device("dev-a", nil), ts.device("dev-c", nil)
	syncAll(t, c)
	a.Add("contacts", jane("+49 170 1", ""))
	syncAll(t, a)
	c.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := c.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("c's killed sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	a.Delete("contacts", luidOf(t, a, jane("+49 170 1", "")))
	syncAll(t, a)
	c.Edit("contacts", luidOf(t, c, jane("+49 170 1", "")), jane("+49 170 1", "Acme"))
	syncAll(t, c, a)
	live := ts.live(t)
	if len(live) != 1 || !strings.Contains(string(live[0].Data), "ORG:Acme") {
		t.Fatalf("server holds %v, want c's edit once", liveContents(live))
	}
	if d := converged(t, ts, a, c); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
	quiet(t, a, c)
}

// TestMapResentNextSession: a device killed before the Status of its Map
// (here: before sending it) sends the Map again in its next session (OMA
// DS 1.2 Sync Protocol 5.10); the server takes it there, does not count
// the items as new, and brings the device the change made meanwhile.
func TestMapResentNextSession(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	ctx := context.Background()
	a := ts.device("dev-a", nil)
	c := ts.device("dev-c", func(o *simclient.Options) { o.ResendMaps = true })
	syncAll(t, c)
	a.Add("contacts", jane("+49 170 1", ""))
	a.Add("contacts", card(1, 1))
	syncAll(t, a)
	c.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := c.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("c's killed sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	a.Edit("contacts", luidOf(t, a, jane("+49 170 1", "")), jane("+49 170 2", ""))
	syncAll(t, a)
	rep, err := c.Sync(ctx, simclient.TwoWay)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Stores["contacts"]
	if s.MapsSent < 2 || s.SentAdds != 0 || s.RecvAdds != 0 {
		t.Errorf("c's next sync: %d map items sent, %d adds sent, %d received; want the 2 old map items, no adds", s.MapsSent, s.SentAdds, s.RecvAdds)
	}
	if d := converged(t, ts, a, c); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
	if live := ts.live(t); len(live) != 2 {
		t.Errorf("server holds %d items, want 2", len(live))
	}
	quiet(t, a, c)
}

// TestTwoUnackedCandidates: two items the killed device did not map share
// an e-mail address, and it edited both: neither copy can be told to be
// one of them, so each stays an item of its own. Nothing is lost.
func TestTwoUnackedCandidates(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	ctx := context.Background()
	a, c := ts.device("dev-a", nil), ts.device("dev-c", nil)
	john := func(tel string) string {
		return strings.NewReplacer("Jane", "John", "jane@", "jane@").Replace(jane(tel, ""))
	}
	syncAll(t, c)
	a.Add("contacts", jane("+49 170 1", ""))
	a.Add("contacts", john("+49 170 3"))
	syncAll(t, a)
	c.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := c.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("c's killed sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	c.Edit("contacts", luidOf(t, c, jane("+49 170 1", "")), jane("+49 170 2", ""))
	c.Edit("contacts", luidOf(t, c, john("+49 170 3")), john("+49 170 4"))
	syncAll(t, c, a)
	settled(t, ts, []string{jane("+49 170 1", ""), jane("+49 170 2", ""), john("+49 170 3"), john("+49 170 4")}, a, c)
}

// TestEditedIdentifiersAfterLostMap: a device applies the server's Add and
// is killed before its Map, then edits its copy's e-mail address and
// phone number: no identifier is shared any more, but the name is. Its
// next sync pairs the copy with the item by the identity rule (the name;
// the Add was sent to this device): one item, the device's edit, in a
// fast and a slow sync.
func TestEditedIdentifiersAfterLostMap(t *testing.T) {
	edited := strings.Replace(jane("+49 170 9", ""), "jane@example.org", "jane.doe@example.net", 1)
	for _, slow := range []bool{false, true} {
		t.Run(fmt.Sprintf("slow=%v", slow), func(t *testing.T) {
			ts := startServerClock(t, engineOpts(), 100)
			a, c := lostMap(t, ts, !slow, jane("+49 170 1", ""), card(1, 1))
			c.Edit("contacts", luidOf(t, c, jane("+49 170 1", "")), edited)
			syncAll(t, c, a)
			settled(t, ts, []string{edited, card(1, 1)}, a, c)
		})
	}
}

// TestTwoUnackedNamesakes: the killed device did not map two people of one
// name, and edited the e-mail address and phone number of one of them:
// the name alone cannot tell which it is, so the copy stays an item of its
// own and nothing is lost.
func TestTwoUnackedNamesakes(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	other := strings.Replace(jane("+49 170 3", ""), "jane@example.org", "jane@example.com", 1)
	edited := strings.Replace(jane("+49 170 9", ""), "jane@example.org", "jane.doe@example.net", 1)
	a, c := lostMap(t, ts, true, jane("+49 170 1", ""), other)
	c.Edit("contacts", luidOf(t, c, jane("+49 170 1", "")), edited)
	syncAll(t, c, a)
	settled(t, ts, []string{jane("+49 170 1", ""), other, edited}, a, c)
}

// settled fails the test unless the server's live set is want, every
// device holds it, and a confirmation sync of each exchanges nothing.
func settled(t *testing.T, ts *testServer, want []string, devs ...*simclient.Device) {
	t.Helper()
	if d := compareSets("server", multiset(liveContents(ts.live(t))), multiset(want)); len(d) > 0 {
		t.Errorf("server's live set:\n%v", d)
	}
	if d := converged(t, ts, devs...); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
	quiet(t, devs...)
}

// lostMap returns dev-a, which added the contents, and dev-c, which got
// them in a sync killed before its Map (after a first sync of its own
// when fast is set, so that its next sync is a fast one).
func lostMap(t *testing.T, ts *testServer, fast bool, contents ...string) (a, c *simclient.Device) {
	t.Helper()
	a, c = ts.device("dev-a", nil), ts.device("dev-c", nil)
	if fast {
		syncAll(t, c)
	}
	for _, content := range contents {
		a.Add("contacts", content)
	}
	syncAll(t, a)
	c.Faults = simclient.Faults{AbandonAfter: 2}
	if _, err := c.Sync(context.Background(), simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("c's killed sync: %v", err)
	}
	ts.clock.advance(leaseTTL)
	return a, c
}
