package coresession_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"anchorage/protocol/activesync"
)

// TestResyncRefusedDeleteSentOnce: a device starts again at SyncKey 0
// (status 3) and sends back an item another device then changes; its
// initial sync, a slow sync in the core, lists the item to go back to it
// after the items it lacks (Resend). Between windows the device deletes
// the item; the server keeps the newer change (status 7), and the item,
// unmapped, is now among those the device lacks: it gets the item back
// once, not once from each list.
func TestResyncRefusedDeleteSentOnce(t *testing.T) {
	b, _ := newBackend(t)
	bdev := login(t, b, "dev-b")
	rb := mustSync(t, bdev, activesync.SyncRequest{SyncKey: initial(t, bdev, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "b1", Item: contact("Lena", "First", "")}}})
	_, kb, _ := drain(t, bdev, rb.SyncKey, 10)

	a := login(t, b, "dev-a")
	ra := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "a1", Item: contact("Bob", "Kept", "")}}})
	drain(t, a, ra.SyncKey, 10)
	rb = mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "b2", Item: contact("Lena", "Last", "")}}})
	got, kb, _ := drain(t, bdev, rb.SyncKey, 10)
	var sidB string
	for _, ch := range got {
		if strings.Contains(string(ch.Item.Data), "Kept") {
			sidB = ch.ServerID
		}
	}
	if sidB == "" {
		t.Fatalf("dev-b did not get Bob Kept: %+v", got)
	}

	// dev-a's key is unknown: it starts again and sends back Bob Kept
	// only (it lost the two Lenas), which pairs with the server's item.
	if _, err := a.Sync(context.Background(), activesync.SyncRequest{FolderID: "contacts", SyncKey: "9999"}); err != activesync.ErrInvalidSyncKey {
		t.Fatalf("sync with an unknown key: %v, want ErrInvalidSyncKey", err)
	}
	ra = mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "n1", Item: contact("Bob", "Kept", "")}}})
	sid := ra.Results[0].ServerID
	if ra.Results[0].Outcome != activesync.OutcomeOK || sid == "" {
		t.Fatalf("re-added Bob Kept: %+v", ra.Results[0])
	}
	// dev-b changes it while dev-a's initial sync is open.
	mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdChange, ServerID: sidB, Item: contact("Bob", "Kept", "NOTE:b1\r\n")}}})
	// One window: the first item dev-a lacks; the rest is still to come.
	r := mustSync(t, a, activesync.SyncRequest{SyncKey: ra.SyncKey, GetChanges: true, WindowSize: 1})
	if !r.MoreAvailable {
		t.Fatalf("first window of the re-sync: no MoreAvailable (%+v)", r.Changes)
	}
	sent := r.Changes
	r = mustSync(t, a, activesync.SyncRequest{SyncKey: r.SyncKey, GetChanges: true, WindowSize: 10, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdDelete, ServerID: sid}}})
	if len(r.Results) != 1 || r.Results[0].Outcome != activesync.OutcomeConflict {
		t.Fatalf("Delete of an item changed elsewhere: %+v, want the server's version kept (status 7)", r.Results)
	}
	rest, _, _ := drain(t, a, r.SyncKey, 10)
	sent = append(append(sent, r.Changes...), rest...)
	var back int
	for _, ch := range sent {
		if ch.ServerID == sid || strings.Contains(string(ch.Item.Data), "Kept") {
			back++
			if ch.Kind != activesync.CmdAdd || !strings.Contains(string(ch.Item.Data), "b1") {
				t.Errorf("dev-a was sent %v of %s: %s, want the Add of dev-b's version", ch.Kind, ch.ServerID, ch.Item.Data)
			}
		}
	}
	if back != 1 {
		t.Errorf("dev-a got Bob Kept back %d times, want once: %s", back, fullNames(sent))
	}
	if len(sent) != 3 {
		t.Errorf("dev-a was sent %d changes, want 3 (the two Lenas, Bob Kept): %s", len(sent), fullNames(sent))
	}
}

// fullNames names contacts changes by kind, ServerId and FN, in order.
func fullNames(changes []activesync.ServerChange) string {
	var out []string
	for _, c := range changes {
		out = append(out, fmt.Sprintf("%v %s %q", c.Kind, c.ServerID, property(c.Item, "FN")))
	}
	return strings.Join(out, "; ")
}

// TestLostKeptDeleteSentLater: a device deletes an item another device
// changed; the server keeps the item (status 7) and sends it back as an
// Add, but the device is killed before it stores that answer. Restarted,
// it repeats the key with other commands first (one command a request),
// its Delete still pending: no answer may Add the item it still holds,
// whether the lost answer carried the Add or a later window does. The
// Delete, sent again, gets the same answer (status 7), not applied to the
// item the Add mapped again, and the item goes to the device then, once,
// with the other device's change.
func TestLostKeptDeleteSentLater(t *testing.T) {
	for _, tc := range []struct {
		name         string
		again, later bool
	}{
		{"Delete sent later", false, false},
		{"Delete sent again with the other command", true, false},
		{"Add in a later window", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := newBackend(t)
			bdev := login(t, b, "dev-b")
			rb := mustSync(t, bdev, activesync.SyncRequest{SyncKey: initial(t, bdev, nil), Commands: []activesync.ClientCommand{
				{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "")},
				{Kind: activesync.CmdAdd, ClientID: "c2", Item: contact("Bob", "Barker", "")},
				{Kind: activesync.CmdAdd, ClientID: "c3", Item: contact("Dora", "Dunn", "")}}})
			_, kb, _ := drain(t, bdev, rb.SyncKey, 10)
			// dev-a gets them from the server: their ServerIds are the
			// server's, which an Add of the item sends again.
			a := login(t, b, "dev-a")
			got, ka, _ := drain(t, a, initial(t, a, nil), 10)
			del := map[string]activesync.ClientCommand{}
			for _, ch := range got {
				del[strings.Fields(property(ch.Item, "FN"))[0]] = activesync.ClientCommand{Kind: activesync.CmdDelete, ServerID: ch.ServerID}
			}
			ann := del["Ann"].ServerID
			cmds := []activesync.ClientCommand{{Kind: activesync.CmdChange, ServerID: rb.Results[0].ServerID, Item: contact("Ann", "Arbor", "NOTE:b\r\n")}}
			window := 10
			if tc.later {
				// A change before Ann's in the change log, and a window
				// of one: the lost answer carries that one.
				cmds = append([]activesync.ClientCommand{{Kind: activesync.CmdAdd, ClientID: "c4", Item: contact("Carl", "Cole", "")}}, cmds...)
				window = 1
			}
			mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, Commands: cmds})

			lost := mustSync(t, a, activesync.SyncRequest{SyncKey: ka, GetChanges: true, WindowSize: window,
				Commands: []activesync.ClientCommand{del["Ann"]}})
			if len(lost.Results) != 1 || lost.Results[0].Outcome != activesync.OutcomeConflict {
				t.Fatalf("Delete of an item changed elsewhere: %+v, want status 7", lost.Results)
			}
			// Killed before it stored that answer: the same key again,
			// then the next, one request for each pending command.
			requests := [][]activesync.ClientCommand{{del["Bob"]}, {del["Dora"]}, {del["Ann"]}}
			if tc.again {
				requests = [][]activesync.ClientCommand{{del["Bob"], del["Dora"], del["Ann"]}}
			}
			var sent []activesync.ServerChange
			key := ka
			var r *activesync.SyncResult
			for i, cmds := range requests {
				r = mustSync(t, a, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: 10, Commands: cmds})
				key = r.SyncKey
				sent = append(sent, r.Changes...)
				if i == len(requests)-1 {
					break
				}
				for _, ch := range r.Changes {
					if ch.ServerID == ann {
						t.Fatalf("device still holding the item with its Delete pending was sent %v of it", ch.Kind)
					}
				}
			}
			if res := r.Results[len(r.Results)-1]; res.ServerID != ann || res.Outcome != activesync.OutcomeConflict {
				t.Fatalf("Delete sent again: %+v, want status 7 as in the lost answer", res)
			}
			rest, _, _ := drain(t, a, key, 10)
			var adds int
			for _, ch := range append(sent, rest...) {
				if ch.ServerID == ann {
					adds++
					if ch.Kind != activesync.CmdAdd || !strings.Contains(string(ch.Item.Data), "NOTE:b") {
						t.Errorf("device was sent %v of the kept item: %s, want the Add of dev-b's version", ch.Kind, ch.Item.Data)
					}
				}
			}
			if adds != 1 {
				t.Errorf("the kept item went to the device %d times, want once", adds)
			}
			c := login(t, b, "dev-c")
			live, _, _ := drain(t, c, initial(t, c, nil), 10)
			want := "Ann Arbor"
			if tc.later {
				want = "Ann Arbor, Carl Cole"
			}
			var names []string
			for _, ch := range live {
				names = append(names, property(ch.Item, "FN"))
				if strings.Contains(string(ch.Item.Data), "Arbor") && !strings.Contains(string(ch.Item.Data), "NOTE:b") {
					t.Errorf("the server's Ann Arbor lacks dev-b's change: %s", ch.Item.Data)
				}
			}
			slices.Sort(names)
			if got := strings.Join(names, ", "); got != want {
				t.Errorf("server holds %s, want %s", got, want)
			}
		})
	}
}
