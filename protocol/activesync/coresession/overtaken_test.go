package coresession_test

import (
	"strings"
	"testing"

	"anchorage/protocol/activesync"
)

// TestDeleteOvertakenWhileSyncOpen: a device that lost an answer sends its
// key again with a Delete; that sync stays open until the device's next
// request, and another device changes the item meanwhile. The later
// change is not dropped by the Delete when the sync completes (a deletion
// against a change: the change stays), the device is not sent a Change of
// the item it deleted, and it gets the item back as an Add.
func TestDeleteOvertakenWhileSyncOpen(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "")}}})
	_, ka, _ := drain(t, a, ra.SyncKey, 10)
	sid := ra.Results[0].ServerID
	bdev := login(t, b, "dev-b")
	gotb, kb, _ := drain(t, bdev, initial(t, bdev, nil), 10)
	if len(gotb) != 1 {
		t.Fatalf("dev-b got %d items, want 1", len(gotb))
	}
	sidB := gotb[0].ServerID
	rb := mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdChange, ServerID: sidB, Item: contact("Ann", "Arbor", "NOTE:b1\r\n")}}})
	kb = rb.SyncKey

	// a changes the item too: a conflict whose merge comes back with the
	// answer, which is lost.
	lost := mustSync(t, a, activesync.SyncRequest{SyncKey: ka, GetChanges: true, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdChange, ServerID: sid, Item: contact("Ann", "Arbor", "TITLE:a1\r\n")}}})
	if lost.SyncKey == ka {
		t.Fatalf("the change's answer kept key %s: no lost answer to test", ka)
	}
	// The device, restarted, deletes the item and sends the old key.
	del := mustSync(t, a, activesync.SyncRequest{SyncKey: ka, GetChanges: true, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdDelete, ServerID: sid}}})
	// b changes the item while a's sync is open.
	mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdChange, ServerID: sidB, Item: contact("Ann", "Arbor", "NOTE:b2\r\n")}}})

	got, ka, _ := drain(t, a, del.SyncKey, 10)
	var back bool
	for _, ch := range got {
		if ch.ServerID == sid && ch.Kind == activesync.CmdChange {
			t.Errorf("dev-a was sent a Change of the item it deleted: %s", ch.Item.Data)
		}
		back = back || ch.Kind == activesync.CmdAdd && strings.Contains(string(ch.Item.Data), "b2")
	}
	cdev := login(t, b, "dev-c")
	all, _, _ := drain(t, cdev, initial(t, cdev, nil), 10)
	if len(all) != 1 || !strings.Contains(string(all[0].Item.Data), "b2") {
		t.Fatalf("server holds %d items, want the one with b's later change: %+v", len(all), all)
	}
	if !back {
		again, _, _ := drain(t, a, ka, 10)
		for _, ch := range again {
			back = back || ch.Kind == activesync.CmdAdd && strings.Contains(string(ch.Item.Data), "b2")
		}
	}
	if !back {
		t.Errorf("dev-a did not get the item back as an Add (got %+v)", got)
	}
}
