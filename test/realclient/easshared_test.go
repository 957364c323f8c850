package realclient_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	httpserver "anchorage/server"
	"anchorage/test/testserver"
)

// TestEASSharedDeviceID: over HTTP, two EAS devices presenting one
// DeviceId and syncing in turn: the one whose key the other's syncs moved
// on from gets status 3, and the device id is reported shared, with the
// contacts of both kept once each.
func TestEASSharedDeviceID(t *testing.T) {
	srv := testserver.Start(t, []string{"ann"})
	hs := httptest.NewServer(httpserver.New(httpserver.Options{SyncML: srv.SyncML,
		ActiveSync: activesync.New(activesync.Options{Backend: coresession.New(srv.Core), Converter: activesync.PIMConverter{}})}))
	t.Cleanup(hs.Close)
	a := newEASClient(hs.URL, "ann", testserver.Password, "SIMtwin0000000000000000000001")
	b := newEASClient(hs.URL, "ann", testserver.Password, "SIMtwin0000000000000000000001")
	ka := a.addContact(t, "contacts", a.initialSync(t, "contacts"), "a1", "Ann", "Twin")
	kb := b.addContact(t, "contacts", b.initialSync(t, "contacts"), "b1", "Bob", "Twin")
	b.sync(t, "contacts", kb, "")
	if _, err := a.Sync(context.Background(), "contacts", ka, ""); err == nil || !strings.Contains(err.Error(), "<Status>3</Status>") {
		t.Fatalf("the first device's old key %s: %v, want status 3", ka, err)
	}
	devs, err := srv.Admin.Devices(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Protocol != "EAS" || devs[0].Shared == nil {
		t.Fatalf("devices %+v: want the EAS device reported shared", devs)
	}
	t.Log("SHARED: " + devs[0].Shared.Detail)
	c := newEASClient(hs.URL, "ann", testserver.Password, "SIMcheck000000000000000000001")
	k, ch := c.sync(t, "contacts", "0", "")
	_, ch = c.sync(t, "contacts", k, "")
	if len(ch.Adds) != 2 {
		t.Errorf("another device gets %d contacts, want 2: %v", len(ch.Adds), ch.Adds)
	}
}
