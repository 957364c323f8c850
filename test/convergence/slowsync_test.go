package convergence

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/test/simclient"
)

// TestSlowSyncResurrection: an item deleted by one device and still held, in
// two versions, by two others that slow-sync comes back once, not twice.
func TestSlowSyncResurrection(t *testing.T) {
	ts := startServer(t, engineOpts())
	a, b, c := ts.device("dev-a", nil), ts.device("dev-b", nil), ts.device("dev-c", nil)
	a.Add("contacts", card(1, 1))
	syncAll(t, a, b, c)
	a.Delete("contacts", luidOf(t, a, card(1, 1)))
	syncAll(t, a)
	c.Edit("contacts", luidOf(t, c, card(1, 1)), card(1, 2)) // edited offline
	for _, d := range []*simclient.Device{b, c} {
		if _, err := d.Sync(context.Background(), simclient.Slow); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, a, b, c)
	if d := converged(t, ts, a, b, c); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
	if live := ts.live(t); len(live) != 1 {
		var got []string
		for _, it := range live {
			got = append(got, it.GUID+" "+norm(string(it.Data)))
		}
		t.Errorf("item #1 is live %d times, want once (revived under its GUID):\n%v", len(live), got)
	}
}

// TestReducedStaleCopyAfterAbandonedFirstSync: a phone holding a person
// with fewer fields (no EMAIL, the name in capitals) abandons its first
// slow sync; another device then changes the person's phone number. The
// phone's retried slow sync holds a reduced copy of an earlier version: it
// is stale, not a second person (the identity rule alone keeps it apart, as
// the phone numbers differ), so the server keeps one item and the phone
// receives the current version.
func TestReducedStaleCopyAfterAbandonedFirstSync(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	ctx := context.Background()
	a := ts.device("dev-a", nil)
	a.Add("contacts", card(1, 1))
	a.Add("contacts", card(2, 1))
	syncAll(t, a)
	p := ts.device("dev-p", nil)
	for _, c := range []string{card(1, 1), card(2, 1)} {
		var keep []string
		for _, l := range strings.Split(c, "\n") {
			switch {
			case strings.HasPrefix(l, "EMAIL"):
			case strings.HasPrefix(l, "N:"):
				keep = append(keep, strings.ToUpper(l))
			default:
				keep = append(keep, l)
			}
		}
		p.Add("contacts", strings.Join(keep, "\n"))
	}
	p.Faults = simclient.Faults{AbandonAfter: 1, Unread: true}
	if _, err := p.Sync(ctx, simclient.TwoWay); err != simclient.ErrAbandoned {
		t.Fatalf("p's first sync: %v", err)
	}
	ts.clock.advance(leaseTTL) // p's dead session no longer holds the datastore
	a.Edit("contacts", luidOf(t, a, card(1, 1)), card(1, 2))
	syncAll(t, a)
	syncAll(t, p, a, p)
	want := multiset([]string{card(1, 2), card(2, 1)})
	if got := multiset(liveContents(ts.live(t))); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("server holds %v, want %v", got, want)
	}
	if got := multiset(deviceContents(a)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dev-a holds %v, want %v", got, want)
	}
	if d := converged(t, ts, a, p); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
}

// TestEditedCopyOfRenamedContact (randomized seed 1118): another device
// renames a person (a given name added) and changes the number; a phone
// that never synced holds its own copy of the person as it was, with
// another number of its own. Its slow sync finds no current item of that
// name, but the copy is, by the identity rule, the person an earlier
// version was (same name, the e-mail address shared): one item, the two
// copies merged, not a second person.
func TestEditedCopyOfRenamedContact(t *testing.T) {
	ts := startServerClock(t, engineOpts(), 100)
	desk, phone := ts.device("desk", nil), ts.device("phone", nil)
	desk.Add("contacts", card(8, 10))
	desk.Add("contacts", card(9, 11))
	syncAll(t, desk)
	renamed := strings.Replace(card(8, 15), ";;;;", ";Jón;;;", 1)
	desk.Edit("contacts", luidOf(t, desk, card(8, 10)), renamed)
	syncAll(t, desk)
	phone.Add("contacts", card(8, 18))
	syncAll(t, phone, desk, phone)
	noForks(t, ts)
	if live := ts.live(t); len(live) != 2 {
		t.Errorf("server holds %d items, want 2:\n%v", len(live), liveContents(live))
	}
	if d := converged(t, ts, desk, phone); len(d) > 0 {
		t.Errorf("not converged:\n%v", d)
	}
}
