package coresession_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/protocol/activesync"
)

// TestRepeatedKeyWithOtherCommands: a device that lost an answer and was
// restarted sends the same key again, with its Add (same ClientId, content
// changed since) and a new one. Both are applied: the ClientId keeps its
// ServerId and its item takes the new content; nothing is dropped or
// doubled.
func TestRepeatedKeyWithOtherCommands(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	k1 := initial(t, a, nil)
	r1 := mustSync(t, a, activesync.SyncRequest{SyncKey: k1, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "NOTE:first\r\n")}}})
	r2 := mustSync(t, a, activesync.SyncRequest{SyncKey: k1, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "NOTE:edited\r\n")},
		{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")}}})
	if len(r2.Results) != 2 || r2.Results[0].ServerID != r1.Results[0].ServerID || r2.Results[1].Outcome != activesync.OutcomeOK {
		t.Fatalf("repeated key with other commands: %+v (first answer %+v)", r2.Results, r1.Results)
	}
	if r2.SyncKey == r1.SyncKey || r2.SyncKey == k1 {
		t.Errorf("answer key %s: want a new one (first answer %s)", r2.SyncKey, r1.SyncKey)
	}
	// The same request again (this answer lost too) is a plain repeat.
	r3 := mustSync(t, a, activesync.SyncRequest{SyncKey: k1, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "NOTE:edited\r\n")},
		{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")}}})
	if r3.SyncKey != r2.SyncKey {
		t.Errorf("plain repeat: key %s, want %s", r3.SyncKey, r2.SyncKey)
	}
	bdev := login(t, b, "dev-b")
	got, _, _ := drain(t, bdev, initial(t, bdev, nil), 10)
	if len(got) != 2 {
		t.Fatalf("device B got %d items, want 2", len(got))
	}
	for _, ch := range got {
		if strings.Contains(string(ch.Item.Data), "Arbor") && !strings.Contains(string(ch.Item.Data), "edited") {
			t.Errorf("the re-sent Add's new content was not applied:\n%s", ch.Item.Data)
		}
	}
}

// TestDeleteConflictBetweenWindows: a device deletes an item between two
// windows of server changes, after the window that carried another
// device's change of it. The deletion loses (status 7) and the item must
// come back to the device as an Add, although the server's changes of
// this sync already went past it.
func TestDeleteConflictBetweenWindows(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "")},
		{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")}}})
	_, ka, _ := drain(t, a, ra.SyncKey, 10) // the initial sync ends
	bdev := login(t, b, "dev-b")
	got, kb, _ := drain(t, bdev, initial(t, bdev, nil), 10)
	var cmds []activesync.ClientCommand
	for _, ch := range got {
		cmds = append(cmds, activesync.ClientCommand{Kind: activesync.CmdChange, ServerID: ch.ServerID,
			Item: contact(strings.Split(strings.Split(string(ch.Item.Data), "FN:")[1], " ")[0], "Changed", "")})
	}
	mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, Commands: cmds})

	w1 := mustSync(t, a, activesync.SyncRequest{SyncKey: ka, GetChanges: true, WindowSize: 1})
	if len(w1.Changes) != 1 || !w1.MoreAvailable {
		t.Fatalf("first window: %d changes, MoreAvailable %v; want 1 and more", len(w1.Changes), w1.MoreAvailable)
	}
	gone := w1.Changes[0].ServerID
	w2 := mustSync(t, a, activesync.SyncRequest{SyncKey: w1.SyncKey, GetChanges: true, WindowSize: 1,
		Commands: []activesync.ClientCommand{{Kind: activesync.CmdDelete, ServerID: gone}}})
	if w2.Results[0].Outcome != activesync.OutcomeConflict {
		t.Fatalf("delete of an item changed elsewhere: outcome %v, want a conflict", w2.Results[0].Outcome)
	}
	back := false
	for _, ch := range w2.Changes {
		back = back || ch.Kind == activesync.CmdAdd
	}
	key := w2.SyncKey
	for range 5 {
		r, err := a.Sync(context.Background(), activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range r.Changes {
			back = back || ch.Kind == activesync.CmdAdd
		}
		key = r.SyncKey
	}
	if !back {
		t.Errorf("the item whose deletion lost never came back to the device")
	}
}
