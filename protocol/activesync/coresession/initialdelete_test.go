package coresession_test

import (
	"strings"
	"testing"

	"anchorage/protocol/activesync"
)

// TestInitialSyncMissesNoDeletion: a device's initial sync stays open
// across requests; another device deletes an item the first sent in it
// before it completes. The initial sync sends no deletions, so the
// device's next sync sends that one: it does not keep the item.
func TestInitialSyncMissesNoDeletion(t *testing.T) {
	b, _ := newBackend(t)
	bdev := login(t, b, "dev-b")
	_, kb, _ := drain(t, bdev, initial(t, bdev, nil), 10)

	a := login(t, b, "dev-a")
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), GetChanges: true, WindowSize: 10, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "")},
		{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")}}})
	if !ra.MoreAvailable {
		t.Fatalf("initial sync with the device's items: no MoreAvailable")
	}
	gone := ra.Results[0].ServerID

	got, kb, _ := drain(t, bdev, kb, 10)
	var sidB string
	for _, ch := range got {
		if strings.Contains(string(ch.Item.Data), "Arbor") {
			sidB = ch.ServerID
		}
	}
	if sidB == "" {
		t.Fatalf("dev-b did not get Ann Arbor: %+v", got)
	}
	mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdDelete, ServerID: sidB}}})

	_, ka, _ := drain(t, a, ra.SyncKey, 10) // the initial sync completes
	next, _, _ := drain(t, a, ka, 10)
	for _, ch := range next {
		if ch.ServerID == gone && ch.Kind == activesync.CmdDelete {
			return
		}
	}
	t.Errorf("dev-a was not sent the deletion of %s: %+v", gone, next)
}
