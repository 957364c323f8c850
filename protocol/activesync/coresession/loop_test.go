package coresession_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// chokingDevice syncs as a device that fails on every answer holding a
// contact named poison: it asks again with the same SyncKey, as a device
// that never accepts the answer does. It returns what it took, by
// ServerId, and how many requests it made.
func chokingDevice(t *testing.T, s activesync.Session, key string, window int, poison string) (map[string]string, string, int) {
	t.Helper()
	held := map[string]string{}
	for n := 1; n <= 200; n++ {
		r := mustSync(t, s, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: window})
		choked := false
		for _, c := range r.Changes {
			choked = choked || strings.Contains(string(c.Item.Data), poison)
		}
		if choked {
			continue // the same key again
		}
		for _, c := range r.Changes {
			if _, dup := held[c.ServerID]; dup && c.Kind == activesync.CmdAdd {
				t.Errorf("the device got %s twice", c.ServerID)
			}
			held[c.ServerID] = string(c.Item.Data)
		}
		key = r.SyncKey
		if !r.MoreAvailable {
			return held, key, n
		}
	}
	t.Fatalf("the device still loops after 200 requests")
	return nil, "", 0
}

// TestLoopSetsItemAside: a device that keeps asking again with the same
// SyncKey gets smaller and smaller windows, down to one change; the one
// item it refuses at that window is set aside for it (not sent again,
// shown by `device list`), and it gets every other item once. The item
// stays on the server: another device gets it, and a newer version of it
// reaches the device again.
func TestLoopSetsItemAside(t *testing.T) {
	b, core := newBackend(t)
	a := login(t, b, "dev-a")
	req := adds(initial(t, a, nil), 40, "Loop")
	req.Commands[27].Item = contact("Poison", "Pill", "")
	ra := mustSync(t, a, req)

	bdev := login(t, b, "dev-b")
	held, kb, requests := chokingDevice(t, bdev, initial(t, bdev, nil), 32, "Poison")
	if len(held) != 39 {
		t.Errorf("the looping device holds %d contacts, want the 39 it can take", len(held))
	}
	t.Logf("%d requests until the loop was broken", requests)
	if r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true}); len(r.Changes) != 0 {
		t.Errorf("after the loop the device gets %d changes, want none", len(r.Changes))
	}

	devs, err := admin.New(core).Devices(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		want := 0
		if d.Device.DeviceID == "dev-b" {
			want = 1
		}
		if len(d.SetAside) != want {
			t.Errorf("device %s: %d items set aside, want %d: %+v", d.Device.DeviceID, len(d.SetAside), want, d.SetAside)
		}
	}

	cdev := login(t, b, "dev-c")
	got, _, _ := drain(t, cdev, initial(t, cdev, nil), 100)
	if len(got) != 40 {
		t.Errorf("another device gets %d contacts, want all 40 (the set-aside one included)", len(got))
	}

	// A newer version of the item is tried again.
	mustSync(t, a, activesync.SyncRequest{SyncKey: ra.SyncKey, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: ra.Results[27].ServerID, Item: contact("Cured", "Pill", "")}}})
	r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: kb, GetChanges: true})
	if len(r.Changes) != 1 || r.Changes[0].Kind != activesync.CmdAdd || !strings.Contains(string(r.Changes[0].Item.Data), "Cured") {
		t.Errorf("the changed item reaches the device as %+v, want one Add of the new version", r.Changes)
	}
}

// TestLostAnswerTwiceStillComplete: repeats that are lost answers (the
// device then takes the last answer) shrink the window but lose nothing:
// the answers the device took hold every item once.
func TestLostAnswerTwiceStillComplete(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	mustSync(t, a, adds(initial(t, a, nil), 30, "Lost"))
	bdev := login(t, b, "dev-b")
	key := initial(t, bdev, nil)
	var r *activesync.SyncResult
	for range 3 { // the first two answers are lost; the third is smaller
		r = mustSync(t, bdev, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: 20})
	}
	if len(r.Changes) != 10 || !r.MoreAvailable {
		t.Errorf("third answer to the same key: %d changes, more %v; want 10 and more", len(r.Changes), r.MoreAvailable)
	}
	got, _, _ := drain(t, bdev, r.SyncKey, 20)
	ids := map[string]bool{}
	for _, c := range append(r.Changes, got...) {
		if ids[c.ServerID] {
			t.Errorf("%s sent twice", c.ServerID)
		}
		ids[c.ServerID] = true
	}
	if len(ids) != 30 {
		t.Errorf("the device got %d distinct contacts, want 30", len(ids))
	}
}

// TestOneChangeLostTwiceNotSetAside: an answer of one change lost twice
// (on the way, then the device was killed before it stored the copy sent
// again) is sent a third time, not taken for a device that refuses the
// item: nothing is set aside and the device gets the item.
func TestOneChangeLostTwiceNotSetAside(t *testing.T) {
	b, core := newBackend(t)
	a := login(t, b, "dev-a")
	mustSync(t, a, adds(initial(t, a, nil), 1, "Twice"))
	bdev := login(t, b, "dev-b")
	key := initial(t, bdev, nil)
	var r *activesync.SyncResult
	for range 3 {
		r = mustSync(t, bdev, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: 1})
	}
	if len(r.Changes) != 1 || r.Changes[0].Kind != activesync.CmdAdd {
		t.Fatalf("third answer to the same key: %+v, want the one Add", r.Changes)
	}
	noneSetAside(t, core)
}

// TestOneChangeLostThreeTimesSentAgain: an answer of one change, a Delete
// or an Add, lost three times (on the way, the device killed before it
// stored the copy sent again, on the way again) looks like a device that
// refuses the change. The device gets an answer without it, and the
// change once more in the next one: a device that took that answer takes
// it. Nothing is set aside, and the device ends with the server's items.
func TestOneChangeLostThreeTimesSentAgain(t *testing.T) {
	for name, kind := range map[string]activesync.CommandKind{"Delete": activesync.CmdDelete, "Add": activesync.CmdAdd} {
		t.Run(name, func(t *testing.T) {
			b, core := newBackend(t)
			a := login(t, b, "dev-a")
			ra := mustSync(t, a, adds(initial(t, a, nil), 3, "Thrice"))
			_, ka, _ := drain(t, a, ra.SyncKey, 10)
			bdev := login(t, b, "dev-b")
			key := initial(t, bdev, nil)
			held := map[string]bool{}
			if kind == activesync.CmdDelete {
				got, k, _ := drain(t, bdev, key, 10)
				for _, ch := range got {
					held[ch.ServerID] = true
				}
				key = k
				mustSync(t, a, activesync.SyncRequest{SyncKey: ka, GetChanges: true, Commands: []activesync.ClientCommand{
					{Kind: activesync.CmdDelete, ServerID: ra.Results[0].ServerID}}})
			}
			var r *activesync.SyncResult
			for range 4 {
				r = mustSync(t, bdev, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: 1})
			}
			got, _, _ := drain(t, bdev, r.SyncKey, 1)
			for _, ch := range append(r.Changes, got...) {
				held[ch.ServerID] = ch.Kind != activesync.CmdDelete
			}
			want := 3
			if kind == activesync.CmdDelete {
				want = 2
			}
			n := 0
			for _, h := range held {
				if h {
					n++
				}
			}
			if n != want {
				t.Errorf("the device holds %d contacts after the lost answers, want %d", n, want)
			}
			noneSetAside(t, core)
		})
	}
}

// noneSetAside fails unless no device of the user ann has items set aside.
func noneSetAside(t *testing.T, core *engine.Engine) {
	t.Helper()
	devs, err := admin.New(core).Devices(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if len(d.SetAside) != 0 {
			t.Errorf("device %s: items set aside %+v, want none", d.Device.DeviceID, d.SetAside)
		}
	}
}
