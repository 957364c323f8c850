package simclient_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/test/simclient"
	"anchorage/test/testserver"
)

// TestSharedDeviceOutlooks: two Outlooks, both calling themselves
// sc-pim-outlook but with different DevInf, sync in turns. Each keeps a
// partnership of its own: after its first (slow) sync every sync is a
// fast two-way one, nothing is duplicated, both end with every contact,
// and `device list` reports the shared id. Clients that send their
// DevInf only in their first session are told apart by their anchors.
func TestSharedDeviceOutlooks(t *testing.T) {
	for _, once := range []bool{false, true} {
		t.Run(fmt.Sprintf("DevInfOnce=%v", once), func(t *testing.T) { testSharedOutlooks(t, once) })
	}
}

func testSharedOutlooks(t *testing.T, devInfOnce bool) {
	srv := testserver.Start(t, []string{"ol"})
	outlook := func(mod, swv string) *simclient.Device {
		return simclient.New(simclient.Options{URL: srv.URL, User: "ol", Password: testserver.Password,
			DeviceID: "sc-pim-outlook", Man: "Funambol", Mod: mod, SwV: swv, DevInfOnce: devInfOnce})
	}
	a, b := outlook("Outlook 2016", "10.0.5"), outlook("Outlook 2019", "12.0.1")
	card := func(name string) string {
		return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + name + ";;;;\r\nFN:" + name + "\r\nEND:VCARD\r\n"
	}
	for i := range 3 {
		a.Add("contacts", card(fmt.Sprintf("Anna%d", i)))
	}
	for i := range 2 {
		b.Add("contacts", card(fmt.Sprintf("Bert%d", i)))
	}
	ctx := context.Background()
	synced := map[*simclient.Device]int{}
	for round := range 4 {
		for _, d := range []*simclient.Device{a, b} {
			name := map[*simclient.Device]string{a: "A", b: "B"}[d]
			if round == 2 {
				d.Add("contacts", card(fmt.Sprintf("%s-late", name)))
			}
			rep, err := d.Sync(ctx, simclient.TwoWay)
			if err != nil || !rep.Complete {
				t.Fatalf("round %d, Outlook %s: %v (complete %v)", round, name, err, rep != nil && rep.Complete)
			}
			st := rep.Stores["contacts"]
			if synced[d] > 0 && (st.Mode != simclient.TwoWay || st.AlertStatus != 200) {
				t.Errorf("round %d, Outlook %s: granted mode %d with status %d, want a fast two-way sync (200)",
					round, name, st.Mode, st.AlertStatus)
			}
			synced[d]++
		}
	}
	live := liveContacts(t, srv)
	if len(live) != 7 {
		t.Errorf("server holds %d contacts, want 7: %v", len(live), live)
	}
	for name, d := range map[string]*simclient.Device{"A": a, "B": b} {
		if n := len(d.Items("contacts")); n != 7 {
			t.Errorf("Outlook %s holds %d contacts, want 7", name, n)
		}
	}

	devs, err := srv.Admin.Devices(ctx, "ol")
	if err != nil {
		t.Fatal(err)
	}
	reported := 0
	for _, d := range devs {
		if !strings.HasPrefix(d.Device.DeviceID, "sc-pim-outlook") {
			continue
		}
		if d.Shared == nil {
			t.Errorf("device %s: not reported as shared", d.Device.DeviceID)
			continue
		}
		reported++
		if !strings.Contains(d.Shared.Detail, "Outlook 2016") || !strings.Contains(d.Shared.Detail, "Outlook 2019") || d.Shared.Clients != 2 {
			t.Errorf("device %s: shared report %q (%d clients), want both Outlooks, 2 clients", d.Device.DeviceID, d.Shared.Detail, d.Shared.Clients)
		}
	}
	if reported != 2 {
		t.Errorf("%d device rows report the shared id, want 2 (one partnership per Outlook)", reported)
	}
}

// liveContacts returns the data of user ol's live contacts.
func liveContacts(t *testing.T, srv *testserver.Server) []string {
	t.Helper()
	items, err := srv.Admin.LiveItems(context.Background(), "ol", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, string(it.Data))
	}
	return out
}

// TestSharedDeviceClones: two cloned phones, same device id and same
// DevInf, sync in turns. They cannot be told apart, so each sync is slow
// (and pairs, not duplicates, what both hold), but the flipping anchors
// are detected and `device list` reports the shared id. (Only one adds:
// clones number their new items from the same counter.)
func TestSharedDeviceClones(t *testing.T) {
	srv := testserver.Start(t, []string{"ol"})
	clone := func(anchors string) *simclient.Device {
		return simclient.New(simclient.Options{URL: srv.URL, User: "ol", Password: testserver.Password,
			DeviceID: "cloned-phone", AnchorPrefix: anchors})
	}
	a, b := clone("a"), clone("b")
	a.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Anna;;;;\r\nFN:Anna\r\nEND:VCARD\r\n")
	a.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Bert;;;;\r\nFN:Bert\r\nEND:VCARD\r\n")
	ctx := context.Background()
	for round := range 3 {
		for _, d := range []*simclient.Device{a, b} {
			if rep, err := d.Sync(ctx, simclient.TwoWay); err != nil || !rep.Complete {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
	if live := liveContacts(t, srv); len(live) != 2 {
		t.Errorf("server holds %d contacts, want 2", len(live))
	}
	if n := len(b.Items("contacts")); n != 2 {
		t.Errorf("clone B holds %d contacts, want 2", n)
	}
	devs, err := srv.Admin.Devices(ctx, "ol")
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Shared == nil || !strings.Contains(devs[0].Shared.Detail, "anchors of contacts flip") {
		for _, d := range devs {
			t.Logf("device %s: shared %+v", d.Device.DeviceID, d.Shared)
		}
		t.Errorf("the clones' device id is not reported as shared with flipping anchors")
	}
}
