package coresession_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/conflict"
	"anchorage/protocol/activesync"
)

// TestResetAndResync: after `device reset` the device's key is refused
// (Status 3); it starts again at SyncKey 0 and sends the items it holds,
// which are matched by identity: no duplicates on the server.
func TestResetAndResync(t *testing.T) {
	b, core := newBackend(t)
	a := login(t, b, "dev-a")
	r := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), GetChanges: true, WindowSize: 50, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "")},
		{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")}}})
	// The server's changes wait for a request without commands, which
	// ends the initial sync.
	if !r.MoreAvailable {
		t.Errorf("initial sync with the device's items: no MoreAvailable")
	}
	_, key, _ := drain(t, a, r.SyncKey, 50)
	if _, err := admin.New(core).ResetDevice(context.Background(), "ann", "dev-a", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sync(context.Background(), activesync.SyncRequest{FolderID: "contacts", SyncKey: key}); err != activesync.ErrInvalidSyncKey {
		t.Fatalf("sync after device reset: %v, want ErrInvalidSyncKey", err)
	}
	k := initial(t, a, nil)
	r = mustSync(t, a, activesync.SyncRequest{SyncKey: k, GetChanges: true, WindowSize: 50, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "n1", Item: contact("Ann", "Arbor", "")},
		{Kind: activesync.CmdAdd, ClientID: "n2", Item: contact("Bob", "Barker", "")}}})
	back, _, _ := drain(t, a, r.SyncKey, 50)
	if n := len(r.Changes) + len(back); n != 0 {
		t.Errorf("resync sent %d items back to the device that holds them", n)
	}
	bdev := login(t, b, "dev-b")
	got, _, _ := drain(t, bdev, initial(t, bdev, nil), 50)
	if len(got) != 2 {
		t.Errorf("the server holds %d contacts after the resync, want 2", len(got))
	}
}

// TestConflictServerWins: under server-wins, a device's change of an item
// changed on the server since is refused with a conflict, and the
// server's version goes back to the device.
func TestConflictServerWins(t *testing.T) {
	b, core := newBackend(t)
	if err := admin.New(core).SetConflictRules(context.Background(), "ann", "", &conflict.Rules{Policy: conflict.ServerWins}); err != nil {
		t.Fatal(err)
	}
	a := login(t, b, "dev-a")
	bdev := login(t, b, "dev-b")
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "NOTE:first\r\n")}}})
	got, kb, _ := drain(t, bdev, initial(t, bdev, nil), 10)

	mustSync(t, a, activesync.SyncRequest{SyncKey: ra.SyncKey, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: ra.Results[0].ServerID, Item: contact("Ann", "Arbor", "NOTE:from A\r\n")}}})
	r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true, WindowSize: 10, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: got[0].ServerID, Item: contact("Ann", "Arbor", "NOTE:from B\r\n")}}})
	if r.Results[0].Outcome != activesync.OutcomeConflict {
		t.Errorf("B's change: outcome %v, want a conflict", r.Results[0].Outcome)
	}
	if len(r.Changes) != 1 || !strings.Contains(string(r.Changes[0].Item.Data), "from A") {
		t.Errorf("B should get the server's version back: %+v", r.Changes)
	}
}
