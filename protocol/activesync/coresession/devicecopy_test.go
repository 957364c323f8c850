package coresession_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/activesync"
	"anchorage/protocol/pim"
)

// TestResyncStaleCopyInDeviceForm: a device re-syncing from SyncKey 0
// sends, as an Add, its copy of an item another device has changed since
// (name and number). The copy is in the EAS form (FN rebuilt from N, the
// filing name apart), equal to no stored version as such; it is a stale
// copy of the earlier version, not a new person: the server keeps one
// item, the changed one, and the device gets it.
func TestResyncStaleCopyInDeviceForm(t *testing.T) {
	b, core := newBackend(t)
	a := login(t, b, "dev-a")
	v1 := activesync.Item{Class: activesync.ClassContacts, Data: []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Arbor;;;;\r\n" +
		"FN:Arbor #1\r\nTEL;TYPE=CELL:+49170111\r\nEMAIL:ann@example.org\r\nEND:VCARD\r\n")}
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: v1}}})
	_, ka, _ := drain(t, a, ra.SyncKey, 10)
	bdev := login(t, b, "dev-b")
	got, _, _ := drain(t, bdev, initial(t, bdev, nil), 10)
	if len(got) != 1 {
		t.Fatalf("dev-b got %d items, want 1", len(got))
	}
	fields, _, err := pim.VCardToEASContact(got[0].Item.Data)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := pim.EASContactToVCard(fields) // what dev-b holds and sends back

	v2 := activesync.Item{Class: activesync.ClassContacts, Data: []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Arbour;;;;\r\n" +
		"FN:Arbour #2\r\nTEL;TYPE=CELL:+49170222\r\nEMAIL:ann@example.org\r\nEND:VCARD\r\n")}
	mustSync(t, a, activesync.SyncRequest{SyncKey: ka, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdChange, ServerID: ra.Results[0].ServerID, Item: v2}}})

	if _, err := admin.New(core).ResetDevice(context.Background(), "ann", "dev-b", ""); err != nil {
		t.Fatal(err)
	}
	r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: initial(t, bdev, nil), GetChanges: true, WindowSize: 10,
		Commands: []activesync.ClientCommand{{Kind: activesync.CmdAdd, ClientID: "n1",
			Item: activesync.Item{Class: activesync.ClassContacts, Data: held}}}})
	back, _, _ := drain(t, bdev, r.SyncKey, 10)
	var gets2 bool
	for _, ch := range append(r.Changes, back...) {
		gets2 = gets2 || strings.Contains(string(ch.Item.Data), "Arbour #2")
	}
	if !gets2 {
		t.Errorf("dev-b did not get the changed item: %+v %+v", r.Changes, back)
	}
	cdev := login(t, b, "dev-c")
	all, _, _ := drain(t, cdev, initial(t, cdev, nil), 10)
	if len(all) != 1 || !strings.Contains(string(all[0].Item.Data), "Arbour #2") {
		t.Errorf("server holds %d contacts, want the one changed item: %+v", len(all), all)
	}
}
