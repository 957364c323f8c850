package simclient_test

import (
	"anchorage/test/testserver"
	"context"
	"testing"

	"anchorage/admin"
	"anchorage/test/simclient"
)

// newServer starts an engine with the users (password "pw") on a new
// SQLite file behind an HTTP server on 127.0.0.1.
func newServer(t *testing.T, users ...string) (*admin.Admin, string) {
	t.Helper()
	s := testserver.Start(t, users)
	return s.Admin, s.URL
}

// TestTwoDatastores runs devices with two datastores against the real
// server: what one sends the other receives, in every datastore.
func TestTwoDatastores(t *testing.T) {
	_, url := newServer(t, "bob")
	cal := simclient.Datastore{Name: "calendar", Local: "./calendar", Remote: "calendar", Type: "text/calendar"}
	dev := func(id, auth, ver string) *simclient.Device {
		return simclient.New(simclient.Options{URL: url, User: "bob", Password: "pw", DeviceID: id,
			Auth: auth, VerDTD: ver, Datastores: []simclient.Datastore{simclient.Contacts, cal}})
	}
	a, b := dev("a", simclient.AuthMD5, "1.2"), dev("b", simclient.AuthBasic, "1.1")
	a.Add("contacts", "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane\nFN:Jane Doe\nEND:VCARD\n")
	a.Add("calendar", "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:e1\nDTSTART:20250101T100000Z\nSUMMARY:Meeting\nEND:VEVENT\nEND:VCALENDAR\n")
	ctx := context.Background()
	for i, d := range []*simclient.Device{a, b, a, b} {
		rep, err := d.Sync(ctx, simclient.TwoWay)
		if err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
		if !rep.Complete {
			t.Fatalf("sync %d not complete", i)
		}
	}
	for _, ds := range []string{"contacts", "calendar"} {
		if n := len(b.Items(ds)); n != 1 {
			t.Errorf("b has %d items in %s, want 1", n, ds)
		}
		if added, modified, deleted := b.Changes(ds); len(added)+len(modified)+len(deleted) > 0 {
			t.Errorf("b has pending changes in %s after a complete sync: %v %v %v", ds, added, modified, deleted)
		}
	}
	if a.Anchor("contacts") == "" || a.Anchor("calendar") == "" {
		t.Error("anchors not committed")
	}
}
