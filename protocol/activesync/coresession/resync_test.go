package coresession_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/activesync"
)

// fifty is the contacts of the re-sync tests: full ones, and the reduced
// form (names and e-mail) a device that cannot hold the phone sends back.
func fifty(i int, reduced bool) activesync.Item {
	extra := fmt.Sprintf("EMAIL;TYPE=INTERNET:p%02d@example.org\r\n", i)
	if !reduced {
		extra += fmt.Sprintf("TEL;TYPE=WORK:+4930%04d\r\n", i)
	}
	return contact(fmt.Sprintf("Pär%02d", i), "Resync", extra)
}

// addFifty sends the fifty contacts as Adds with key; the ones i%3 == 0
// in reduced form when reduce is set.
func addFifty(key, prefix string, reduce, getChanges bool) activesync.SyncRequest {
	req := activesync.SyncRequest{SyncKey: key, GetChanges: getChanges, WindowSize: 100}
	for i := range 50 {
		req.Commands = append(req.Commands, activesync.ClientCommand{Kind: activesync.CmdAdd,
			ClientID: fmt.Sprintf("%s%d", prefix, i), Item: fifty(i, reduce && i%3 == 0)})
	}
	return req
}

// TestResyncDoesNotDuplicate: a device that starts again at SyncKey 0 (the
// admin reset it, or it got status 3 for a key the server does not know)
// and re-sends the items it holds as Adds, some in a reduced form, has
// them paired with the server's by identity: the server still holds 50,
// with the properties the reduced copies lack, and a second device gets
// exactly 50.
func TestResyncDoesNotDuplicate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reset      bool // the admin resets the device; else it sends a key the server does not know
		getChanges bool // the re-added items travel with GetChanges
	}{
		{"status 3", false, false},
		{"status 3 with GetChanges", false, true},
		{"device reset", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, core := newBackend(t)
			a := login(t, b, "dev-a")
			r := mustSync(t, a, addFifty(initial(t, a, nil), "c", false, true))
			if len(r.Results) != 50 {
				t.Fatalf("first upload: %d results", len(r.Results))
			}
			// The device ends its initial sync (the server holds its
			// changes back while a device still sends items).
			_, key, _ := drain(t, a, r.SyncKey, 100)
			if tc.reset {
				if _, err := admin.New(core).ResetDevice(context.Background(), "ann", "dev-a", ""); err != nil {
					t.Fatal(err)
				}
			} else {
				key = "9999"
			}
			if _, err := a.Sync(context.Background(), activesync.SyncRequest{FolderID: "contacts", SyncKey: key}); err != activesync.ErrInvalidSyncKey {
				t.Fatalf("sync with key %s: %v, want ErrInvalidSyncKey", key, err)
			}
			r = mustSync(t, a, addFifty(initial(t, a, nil), "n", true, tc.getChanges))
			for _, res := range r.Results {
				if res.Outcome != activesync.OutcomeOK {
					t.Errorf("re-added %s: outcome %v", res.ClientID, res.Outcome)
				}
			}
			back, _, _ := drain(t, a, r.SyncKey, 100)
			back = append(r.Changes, back...)
			for _, c := range back {
				if c.Kind != activesync.CmdChange || !strings.Contains(string(c.Item.Data), "TEL") {
					t.Errorf("the re-sync sends the device %v %s, want the merged version of a reduced copy", c.Kind, c.Item.Data)
				}
			}
			if len(back) != 17 {
				t.Errorf("the re-sync sends the device %d items, want the 17 merged versions of its reduced copies", len(back))
			}

			bdev := login(t, b, "dev-b")
			got, _, _ := drain(t, bdev, initial(t, bdev, nil), 100)
			if len(got) != 50 {
				t.Fatalf("device B got %d contacts, want 50", len(got))
			}
			for _, c := range got {
				if !strings.Contains(string(c.Item.Data), "TEL") {
					t.Errorf("a reduced copy removed the phone on the server:\n%s", c.Item.Data)
				}
			}
		})
	}
}
