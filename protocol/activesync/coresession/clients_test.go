package coresession

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"anchorage/admin"
	"anchorage/hub"
	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
)

// testCore is a core on a new SQLite file with the user ann (password
// pw), and a function that logs a device in on it.
func testCore(t testing.TB) (*engine.Engine, func(dev string) *Session) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "eas.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	core := engine.New(engine.Options{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hub: hub.NewLocal()})
	if err := admin.New(core).AddUser(context.Background(), "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	b := New(core)
	return core, func(dev string) *Session {
		t.Helper()
		s, err := b.Login(context.Background(), "ann", "pw", activesync.Device{ID: dev, Type: "Test", ProtocolVersion: "14.0"})
		if err != nil {
			t.Fatal(err)
		}
		return s.(*Session)
	}
}

// BenchmarkDeviceState is what one upload request of a device that
// uploaded 2,000 contacts pays for its ClientIds: the device state read
// and written, the request's 50 ClientIds looked up and recorded.
func BenchmarkDeviceState(b *testing.B) {
	ctx := context.Background()
	_, open := testCore(b)
	s := open("dev")
	put := func(from, n int) error {
		return s.update(ctx, func(w *engine.Work, st *deviceState) error {
			st.Folders["contacts"] = &folderState{Key: from + 2}
			cids := make([]string, n)
			for i := range cids {
				cids[i] = fmt.Sprint(from + i)
			}
			known, err := w.ClientIDs(s.user.ID, s.dev.ID, "contacts", cids)
			if err != nil || len(known) != 0 {
				return fmt.Errorf("%d of %d ClientIds known: %v", len(known), n, err)
			}
			fresh := map[string]engine.ClientID{}
			for i, cid := range cids {
				fresh[cid] = engine.ClientID{ServerID: fmt.Sprintf("%032x", from+i), Sum: fmt.Sprintf("%064x", from+i)}
			}
			return w.PutClientIDs(s.user.ID, s.dev.ID, "contacts", fresh)
		})
	}
	if err := put(0, 2000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if err := put(2000+50*i, 50); err != nil {
			b.Fatal(err)
		}
	}
}

// packOld is a folder's ClientIds as a state stored them packed before
// they had rows of their own (ClientId, ServerId, digest).
func packOld(ids map[string]engine.ClientID) []byte {
	var b []byte
	for cid, c := range ids {
		for _, s := range [3]string{cid, c.ServerID, c.Sum} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

// TestClientIDsMovedFromState: a device state written before ClientIds
// had rows of their own, packed or as JSON objects, keeps working: a
// re-sent Add gets its ServerId again (a changed one changes the item),
// and the first request that writes moves the ClientIds to rows and out
// of the state.
func TestClientIDsMovedFromState(t *testing.T) {
	ctx := context.Background()
	core, open := testCore(t)
	add := func(cid, name string) activesync.ClientCommand {
		data := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + name + ";Ann;;;\r\nFN:Ann " + name + "\r\nEND:VCARD\r\n"
		return activesync.ClientCommand{Kind: activesync.CmdAdd, ClientID: cid, Item: activesync.Item{Class: activesync.ClassContacts, Data: []byte(data)}}
	}
	for _, form := range []string{"packed", "objects"} {
		t.Run(form, func(t *testing.T) {
			dev := "dev-" + form
			s := open(dev)
			sync := func(key string, cmds ...activesync.ClientCommand) *activesync.SyncResult {
				t.Helper()
				r, err := s.Sync(ctx, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, WindowSize: 50, Commands: cmds})
				if err != nil {
					t.Fatalf("sync at %s: %v", key, err)
				}
				return r
			}
			k1 := sync("0").SyncKey
			c1, c2 := add("c1", "One"), add("c2", "Two")
			r := sync(k1, c1, c2)
			if len(r.Results) != 2 || r.Results[0].ServerID == "" || r.Results[1].ServerID == "" {
				t.Fatalf("adds: %+v", r.Results)
			}
			s1, s2 := r.Results[0].ServerID, r.Results[1].ServerID
			old := map[string]engine.ClientID{"c1": {ServerID: s1, Sum: itemSum(c1.Item.Data)}, "c2": {ServerID: s2, Sum: itemSum(c2.Item.Data)}}

			// The state as the code before stored it: the ClientIds
			// in it, no rows.
			err := core.Update(ctx, func(w *engine.Work) error {
				row, err := w.Session(stateKey(s.user.ID, dev))
				if err != nil || row == nil {
					return fmt.Errorf("no state: %v", err)
				}
				st := &deviceState{}
				if err := json.Unmarshal(row.State, st); err != nil {
					return err
				}
				fs := st.Folders["contacts"]
				if form == "packed" {
					fs.OldClients = packOld(old)
				} else {
					fs.OldIDs = map[string]string{"c1": s1, "c2": s2}
					fs.OldSums = map[string]string{"c1": old["c1"].Sum, "c2": old["c2"].Sum}
				}
				b, err := json.Marshal(st)
				if err != nil {
					return err
				}
				if err := w.ClearClientIDs(s.user.ID, dev, "contacts"); err != nil {
					return err
				}
				return w.PutDeviceState(stateKey(s.user.ID, dev), &engine.SessionRow{UserID: s.user.ID, DeviceID: dev, State: b})
			})
			if err != nil {
				t.Fatal(err)
			}

			c2b := add("c2", "Two Changed")
			r = sync(r.SyncKey, c1, c2b, add("c3", "Three"))
			want := []struct {
				sid     string
				outcome activesync.Outcome
			}{{s1, activesync.OutcomeDuplicate}, {s2, activesync.OutcomeDuplicate}, {"", activesync.OutcomeOK}}
			if len(r.Results) != 3 {
				t.Fatalf("re-sent adds: %+v", r.Results)
			}
			for i, w := range want {
				got := r.Results[i]
				if got.Outcome != w.outcome || w.sid != "" && got.ServerID != w.sid || got.ServerID == "" {
					t.Errorf("result %d: %+v, want %s with outcome %v", i, got, w.sid, w.outcome)
				}
			}
			var state []byte
			var rows map[string]engine.ClientID
			err = core.View(ctx, func(w *engine.Work) error {
				row, err := w.Session(stateKey(s.user.ID, dev))
				if err != nil {
					return err
				}
				state = row.State
				rows, err = w.ClientIDs(s.user.ID, dev, "contacts", []string{"c1", "c2", "c3"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			item, err := open(dev).Fetch(ctx, "contacts", s2)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{`"clients"`, `"client_ids"`, `"client_sums"`} {
				if bytes.Contains(state, []byte(k)) {
					t.Errorf("the state still holds %s: %s", k, state)
				}
			}
			if len(rows) != 3 || rows["c1"] != old["c1"] || rows["c2"].ServerID != s2 || rows["c2"].Sum != itemSum(c2b.Item.Data) || rows["c3"].ServerID != r.Results[2].ServerID {
				t.Errorf("ClientId rows: %+v", rows)
			}
			if !bytes.Contains(item.Data, []byte("Two Changed")) {
				t.Errorf("the re-sent Add with new content did not change its item: %+v", item)
			}
		})
	}
}

// TestClientIDsGoWithTheChain: a folder's ClientIds last as long as its
// SyncKey chain. After `device reset` the device is sent back to SyncKey
// 0 (status 3), which starts a new list; `device remove` forgets them.
func TestClientIDsGoWithTheChain(t *testing.T) {
	ctx := context.Background()
	core, open := testCore(t)
	s := open("dev")
	sync := func(key string, cmds ...activesync.ClientCommand) (*activesync.SyncResult, error) {
		return s.Sync(ctx, activesync.SyncRequest{FolderID: "contacts", SyncKey: key, GetChanges: key != "0", WindowSize: 50, Commands: cmds})
	}
	stored := func() int {
		t.Helper()
		var n int
		if err := core.View(ctx, func(w *engine.Work) error {
			ids, err := w.ClientIDs(s.user.ID, "dev", "contacts", []string{"c1"})
			n = len(ids)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	upload := func() string {
		t.Helper()
		r, err := sync("0")
		if err == nil {
			r, err = sync(r.SyncKey, activesync.ClientCommand{Kind: activesync.CmdAdd, ClientID: "c1",
				Item: activesync.Item{Class: activesync.ClassContacts, Data: []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:One;Ann;;;\r\nFN:Ann One\r\nEND:VCARD\r\n")}})
		}
		if err == nil {
			r, err = sync(r.SyncKey) // the initial sync completes
		}
		if err != nil {
			t.Fatal(err)
		}
		if stored() != 1 {
			t.Fatal("the Add's ClientId was not recorded")
		}
		return r.SyncKey
	}
	key := upload()
	ad := admin.New(core)
	if _, err := ad.ResetDevice(ctx, "ann", "dev", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sync(key); !errors.Is(err, activesync.ErrInvalidSyncKey) {
		t.Fatalf("sync after a reset: %v, want status 3", err)
	}
	if _, err := sync("0"); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Errorf("%d ClientIds left after SyncKey 0", n)
	}
	upload()
	if err := ad.RemoveDevice(ctx, "ann", "dev"); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Errorf("%d ClientIds left after the device was removed", n)
	}
}
