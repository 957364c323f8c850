package coresession

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// TestLastAnswerInItsOwnRow: a folder's last answer is kept in a row of
// its own, not in the device state, and a request repeating its key gets
// it again; a state stored with the answer in it (before answers had rows)
// still answers the repeat, and the answer moves to its row.
func TestLastAnswerInItsOwnRow(t *testing.T) {
	ctx := context.Background()
	core, open := testCore(t)
	sync := func(s *Session, key string, cmds ...activesync.ClientCommand) *activesync.SyncResult {
		t.Helper()
		r, err := s.Sync(ctx, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: true, WindowSize: 50, Commands: cmds})
		if err != nil {
			t.Fatalf("sync at %s: %v", key, err)
		}
		return r
	}
	a := open("dev-a")
	var cmds []activesync.ClientCommand
	for i, n := range []string{"One", "Two", "Three"} {
		data := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + n + ";Ann;;;\r\nFN:Ann " + n + "\r\nEND:VCARD\r\n"
		cmds = append(cmds, activesync.ClientCommand{Kind: activesync.CmdAdd, ClientID: string(rune('a' + i)),
			Item: activesync.Item{Class: activesync.ClassContacts, Data: []byte(data)}})
	}
	sync(a, sync(a, sync(a, "0").SyncKey).SyncKey, cmds...)

	d := open("dev-b")
	k1 := sync(d, "0").SyncKey
	first := sync(d, k1)
	if len(first.Changes) != 3 {
		t.Fatalf("initial sync sent %d changes, want 3", len(first.Changes))
	}
	stateRow := func() (*engine.SessionRow, *engine.SessionRow) {
		var st, last *engine.SessionRow
		err := core.View(ctx, func(w *engine.Work) error {
			var err error
			if st, err = w.Session(stateKey(d.user.ID, "dev-b")); err != nil {
				return err
			}
			last, err = w.Session(lastKey(d.user.ID, "dev-b", "contacts"))
			return err
		})
		if err != nil || st == nil {
			t.Fatalf("device state: %v %v", st, err)
		}
		return st, last
	}
	same := func(what string, got *activesync.SyncResult) {
		t.Helper()
		if got.SyncKey != first.SyncKey || len(got.Changes) != len(first.Changes) {
			t.Fatalf("%s: key %s with %d changes, want %s with %d", what, got.SyncKey, len(got.Changes), first.SyncKey, len(first.Changes))
		}
		for i, ch := range got.Changes {
			if ch.ServerID != first.Changes[i].ServerID || !bytes.Equal(ch.Item.Data, first.Changes[i].Item.Data) {
				t.Errorf("%s: change %d is %s, want %s", what, i, ch.ServerID, first.Changes[i].ServerID)
			}
		}
	}

	st, last := stateRow()
	if bytes.Contains(st.State, []byte(`"last":`)) || last == nil {
		t.Fatalf("the answer is in the state (%d bytes) or not in its row (%v)", len(st.State), last)
	}
	same("lost answer", sync(d, k1))

	// The state as stored before the answers had rows of their own.
	old := &deviceState{}
	if err := json.Unmarshal(st.State, old); err != nil {
		t.Fatal(err)
	}
	fs := old.Folders["contacts"]
	fs.LastKept, fs.Last = false, &activesync.SyncResult{}
	if err := json.Unmarshal(last.State, fs.Last); err != nil {
		t.Fatal(err)
	}
	blob, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	err = core.Update(ctx, func(w *engine.Work) error {
		if err := w.DeleteSession(lastKey(d.user.ID, "dev-b", "contacts")); err != nil {
			return err
		}
		return w.PutDeviceState(stateKey(d.user.ID, "dev-b"), &engine.SessionRow{UserID: d.user.ID, DeviceID: "dev-b", State: blob})
	})
	if err != nil {
		t.Fatal(err)
	}
	same("lost answer from a state of before", sync(d, k1))
	if st, last := stateRow(); bytes.Contains(st.State, []byte(`"last":`)) || last == nil {
		t.Errorf("the answer stayed in the state (%d bytes) or did not move to its row (%v)", len(st.State), last)
	}
	if r := sync(d, first.SyncKey); len(r.Changes) != 0 {
		t.Errorf("the next sync sent %d changes, want none", len(r.Changes))
	}
}
