package convergence

import (
	"context"
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
