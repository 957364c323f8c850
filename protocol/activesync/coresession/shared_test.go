package coresession_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/activesync"
)

// sharer is an EAS client of the shared-device tests: its SyncKey and
// the contacts it holds, by ServerId.
type sharer struct {
	s    activesync.Session
	key  string
	held map[string]activesync.Item
}

// take records what an answer gives the client.
func (c *sharer) take(t *testing.T, r *activesync.SyncResult, sent map[string]activesync.Item) {
	t.Helper()
	for _, res := range r.Results {
		if res.Outcome != activesync.OutcomeOK {
			t.Fatalf("add %s: outcome %v", res.ClientID, res.Outcome)
		}
		c.held[res.ServerID] = sent[res.ClientID]
	}
	for _, ch := range r.Changes {
		switch ch.Kind {
		case activesync.CmdAdd, activesync.CmdChange:
			c.held[ch.ServerID] = ch.Item
		case activesync.CmdDelete:
			delete(c.held, ch.ServerID)
		}
	}
	c.key = r.SyncKey
}

// sync sends cmds with the client's key and fetches the server's changes;
// status 3 makes it start again at SyncKey 0 and send what it holds as
// Adds, as a device does (MS-ASCMD 2.2.3.177.17).
func (c *sharer) sync(t *testing.T, adds map[string]activesync.Item) (status3 bool) {
	t.Helper()
	req := activesync.SyncRequest{FolderID: "contacts", SyncKey: c.key, GetChanges: true, WindowSize: 100}
	for id, it := range adds {
		req.Commands = append(req.Commands, activesync.ClientCommand{Kind: activesync.CmdAdd, ClientID: id, Item: it})
	}
	r, err := c.s.Sync(context.Background(), req)
	if errors.Is(err, activesync.ErrInvalidSyncKey) {
		c.key = initial(t, c.s, nil)
		held := map[string]activesync.Item{}
		i := 0
		for _, it := range c.held {
			held[fmt.Sprint("r", i)] = it
			i++
		}
		for id, it := range adds {
			held[id] = it
		}
		c.held = map[string]activesync.Item{}
		c.sync(t, held)
		return true
	} else if err != nil {
		t.Fatal(err)
	}
	c.take(t, r, byClientID(req))
	for r.MoreAvailable {
		r = mustSync(t, c.s, activesync.SyncRequest{FolderID: "contacts", SyncKey: c.key, GetChanges: true, WindowSize: 100})
		c.take(t, r, nil)
	}
	return false
}

// byClientID are the items of a request's Adds by ClientId.
func byClientID(req activesync.SyncRequest) map[string]activesync.Item {
	out := map[string]activesync.Item{}
	for _, c := range req.Commands {
		out[c.ClientID] = c.Item
	}
	return out
}

// heldNames are the names (FN) of contacts; a name held twice is an error.
func heldNames(t *testing.T, who string, items map[string]activesync.Item) map[string]bool {
	t.Helper()
	fn := regexp.MustCompile(`FN:([^\r]*)`)
	out := map[string]bool{}
	for _, it := range items {
		n := fn.FindStringSubmatch(string(it.Data))[1]
		if out[n] {
			t.Errorf("%s holds %q twice", who, n)
		}
		out[n] = true
	}
	return out
}

// TestSharedDeviceID: two EAS clients presenting one DeviceId and syncing
// in turn each come back with a SyncKey issued before the other's syncs:
// each gets status 3 and re-syncs with its items paired by identity, and
// the device id is reported shared. No contact is lost or doubled.
func TestSharedDeviceID(t *testing.T) {
	b, core := newBackend(t)
	a := &sharer{s: login(t, b, "dev-x"), held: map[string]activesync.Item{}}
	c := &sharer{s: login(t, b, "dev-x"), held: map[string]activesync.Item{}}
	a.key, c.key = initial(t, a.s, nil), "0"
	want := map[string]bool{}
	for round := range 3 {
		for _, cl := range []struct {
			name string
			c    *sharer
		}{{"a", a}, {"c", c}} {
			adds := map[string]activesync.Item{}
			for i := range 2 {
				n := fmt.Sprintf("%s%d%d", cl.name, round, i)
				adds[n] = contact(n, "Shared", "")
				want[n+" Shared"] = true
			}
			if cl.c.key == "0" {
				cl.c.key = initial(t, cl.c.s, nil)
			}
			st3 := cl.c.sync(t, adds)
			if round > 0 && !st3 {
				t.Errorf("round %d: client %s synced with a key the other client's syncs had moved on from", round, cl.name)
			}
		}
	}
	// Each client catches up once more and then holds all.
	for _, cl := range []*sharer{a, c} {
		cl.sync(t, nil)
		if got := heldNames(t, "a client", cl.held); len(got) != len(want) {
			t.Errorf("a client holds %d contacts, want %d", len(got), len(want))
		}
	}
	check := login(t, b, "dev-check")
	got, _, _ := drain(t, check, initial(t, check, nil), 100)
	server := map[string]activesync.Item{}
	for _, ch := range got {
		server[ch.ServerID] = ch.Item
	}
	if n := heldNames(t, "the server", server); len(n) != len(want) {
		t.Errorf("the server holds %d contacts, want %d", len(n), len(want))
	} else {
		for w := range want {
			if !n[w] {
				t.Errorf("the server lost %q", w)
			}
		}
	}

	devs, err := admin.New(core).Devices(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		switch d.Device.DeviceID {
		case "dev-x":
			if d.Protocol != "EAS" || d.Shared == nil || !strings.Contains(d.Shared.Detail, "several EAS clients") {
				t.Errorf("dev-x: protocol %s, shared %+v: want it reported shared", d.Protocol, d.Shared)
			}
		case "dev-check":
			if d.Shared != nil {
				t.Errorf("dev-check reported shared: %+v", d.Shared)
			}
		}
	}
}

// TestSingleClientNotShared: one client that loses answers (repeats its
// key, SyncKey 0 included) and once gets status 3 for a key the server does not know is not
// reported shared.
func TestSingleClientNotShared(t *testing.T) {
	b, core := newBackend(t)
	a := &sharer{s: login(t, b, "dev-a"), held: map[string]activesync.Item{}}
	a.key = initial(t, a.s, nil)
	if again := initial(t, a.s, nil); again != a.key {
		t.Errorf("SyncKey 0 sent again (its answer lost) got %s, then %s", a.key, again)
	}
	a.sync(t, map[string]activesync.Item{"1": contact("One", "Single", "")})
	for i := range 3 {
		req := adds(a.key, 2, fmt.Sprint("Lost", i))
		req.FolderID = "contacts"
		for j := range req.Commands {
			req.Commands[j].ClientID = fmt.Sprint("lost", i, j)
		}
		mustSync(t, a.s, req) // the answer is lost
		r := mustSync(t, a.s, req)
		a.take(t, r, byClientID(req))
	}
	a.key = "9999"
	if !a.sync(t, nil) {
		t.Fatal("key 9999 was taken")
	}
	a.sync(t, nil)
	devs, err := admin.New(core).Devices(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Shared != nil {
		t.Errorf("a single client reported shared: %+v", devs)
	}
	if n := heldNames(t, "client a", a.held); len(n) != 7 {
		t.Errorf("client a holds %d contacts, want 7", len(n))
	}
}
