package coresession_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchorage/admin"
	"anchorage/hub"
	"anchorage/protocol/activesync"
	"anchorage/protocol/activesync/coresession"
	"anchorage/protocol/engine"
	"anchorage/store/sqlite"
)

// These tests drive the Session as the EAS front end does, one call per
// Sync collection, on the real core and a SQLite file.

func newBackend(t *testing.T) (*coresession.Backend, *engine.Engine) {
	t.Helper()
	return newBackendAt(t, nil)
}

// newBackendAt is newBackend with the core's clock (nil: time.Now).
func newBackendAt(t testing.TB, now func() time.Time) (*coresession.Backend, *engine.Engine) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "eas.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	core := engine.New(engine.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Hub: hub.NewLocal(), Now: now})
	if err := admin.New(core).AddUser(context.Background(), "ann", "pw", false); err != nil {
		t.Fatal(err)
	}
	return coresession.New(core), core
}

func login(t testing.TB, b *coresession.Backend, dev string) activesync.Session {
	t.Helper()
	s, err := b.Login(context.Background(), "ann", "pw", activesync.Device{ID: dev, Type: "Test", ProtocolVersion: "14.0"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contact(given, family, extra string) activesync.Item {
	return activesync.Item{Class: activesync.ClassContacts, Data: []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + family + ";" + given +
		";;;\r\nFN:" + given + " " + family + "\r\n" + extra + "END:VCARD\r\n")}
}

func mustSync(t testing.TB, s activesync.Session, req activesync.SyncRequest) *activesync.SyncResult {
	t.Helper()
	if req.FolderID == "" {
		req.FolderID = "contacts"
	}
	r, err := s.Sync(context.Background(), req)
	if err != nil {
		t.Fatalf("sync %+v: %v", req, err)
	}
	return r
}

// adds is a request with key that adds n contacts of the family.
func adds(key string, n int, family string) activesync.SyncRequest {
	req := activesync.SyncRequest{SyncKey: key}
	for i := range n {
		req.Commands = append(req.Commands, activesync.ClientCommand{Kind: activesync.CmdAdd,
			ClientID: fmt.Sprint(i), Item: contact(fmt.Sprintf("P%04d", i), family, "")})
	}
	return req
}

// initial runs SyncKey 0 and returns the first key.
func initial(t *testing.T, s activesync.Session, supported []string) string {
	t.Helper()
	return mustSync(t, s, activesync.SyncRequest{SyncKey: "0", Supported: supported}).SyncKey
}

// drain fetches every contacts change in windows and returns them with
// the last key and the number of requests.
func drain(t *testing.T, s activesync.Session, key string, window int) ([]activesync.ServerChange, string, int) {
	t.Helper()
	return drainFolder(t, s, "contacts", key, window)
}

// TestLostAnswerAndClientID: a request repeated with the key it already
// sent gets the same answer and applies nothing twice; a ClientId sent
// again gets the same ServerId and no second item.
func TestLostAnswerAndClientID(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	k1 := initial(t, a, nil)
	add := activesync.SyncRequest{SyncKey: k1, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Jörg", "Müller", "")}}}
	r1 := mustSync(t, a, add)
	r2 := mustSync(t, a, add) // the answer was lost
	if r1.SyncKey == k1 || r2.SyncKey != r1.SyncKey || r2.Results[0].ServerID != r1.Results[0].ServerID {
		t.Fatalf("repeated request: %+v then %+v", r1, r2)
	}
	add.SyncKey = r1.SyncKey // the device got the answer but sends the Add again
	r3 := mustSync(t, a, add)
	if r3.Results[0].Outcome != activesync.OutcomeDuplicate || r3.Results[0].ServerID != r1.Results[0].ServerID {
		t.Errorf("re-sent ClientId: %+v, want the same ServerId as a duplicate", r3.Results[0])
	}
	if _, err := a.Sync(context.Background(), activesync.SyncRequest{FolderID: "contacts", SyncKey: k1}); err != activesync.ErrInvalidSyncKey {
		t.Errorf("a key two answers old: %v, want ErrInvalidSyncKey", err)
	}

	bdev := login(t, b, "dev-b")
	got, _, _ := drain(t, bdev, initial(t, bdev, nil), 100)
	if len(got) != 1 || !strings.Contains(string(got[0].Item.Data), "Müller") {
		t.Errorf("device B got %d items, want the one contact: %+v", len(got), got)
	}
}

// TestWindowPaging: 1,000 contacts go to a new device in windows of 100
// with MoreAvailable, each once; the next sync exchanges nothing.
func TestWindowPaging(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	mustSync(t, a, adds(initial(t, a, nil), 1000, "Page"))

	bdev := login(t, b, "dev-b")
	got, key, rounds := drain(t, bdev, initial(t, bdev, nil), 100)
	ids := map[string]bool{}
	for _, c := range got {
		ids[c.ServerID] = true
	}
	if len(got) != 1000 || len(ids) != 1000 || rounds != 10 {
		t.Errorf("paging: %d changes, %d distinct, %d rounds; want 1000, 1000, 10", len(got), len(ids), rounds)
	}
	if r := mustSync(t, bdev, activesync.SyncRequest{SyncKey: key, GetChanges: true, WindowSize: 100}); len(r.Changes) != 0 || r.SyncKey != key {
		t.Errorf("repeat sync: %d changes, key %s -> %s", len(r.Changes), key, r.SyncKey)
	}
}

// TestSupportedKeepsProperties: a property the device did not declare in
// Supported is kept when its Change leaves it out.
func TestSupportedKeepsProperties(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	r := mustSync(t, a, activesync.SyncRequest{SyncKey: initial(t, a, nil), Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Ann", "Arbor", "TEL;TYPE=WORK:+49301234\r\nEMAIL;TYPE=INTERNET:ann@example.org\r\n")}}})

	// Device B holds names and e-mail only.
	bdev := login(t, b, "dev-b")
	got, key, _ := drain(t, bdev, initial(t, bdev, []string{"FirstName", "LastName", "FileAs", "Email1Address"}), 10)
	if len(got) != 1 {
		t.Fatalf("device B got %d items", len(got))
	}
	mustSync(t, bdev, activesync.SyncRequest{SyncKey: key, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: got[0].ServerID, Item: contact("Ann", "Arbor", "EMAIL;TYPE=INTERNET:ann@example.com\r\n")}}})

	fetched, err := a.Fetch(context.Background(), "contacts", r.Results[0].ServerID)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(fetched.Data); !strings.Contains(s, "+49301234") || !strings.Contains(s, "ann@example.com") {
		t.Errorf("after B's change the contact is:\n%s\nwant the phone kept and the new e-mail", s)
	}

	// Device C declares the phone: leaving it out deletes it.
	cdev := login(t, b, "dev-c")
	got, key, _ = drain(t, cdev, initial(t, cdev, []string{"FirstName", "LastName", "FileAs", "Email1Address", "BusinessPhoneNumber"}), 10)
	mustSync(t, cdev, activesync.SyncRequest{SyncKey: key, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: got[0].ServerID, Item: contact("Ann", "Arbor", "EMAIL;TYPE=INTERNET:ann@example.com\r\n")}}})
	if fetched, err = a.Fetch(context.Background(), "contacts", r.Results[0].ServerID); err != nil {
		t.Fatal(err)
	}
	if s := string(fetched.Data); strings.Contains(s, "+49301234") {
		t.Errorf("a device that declared the phone removed it, but the contact is:\n%s", s)
	}
}

// TestPush: a write by another device wakes the Watch of a device and
// Changed names the folder; its own writes do not count.
func TestPush(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	bdev := login(t, b, "dev-b")
	ka := initial(t, a, nil)
	_, kb, _ := drain(t, bdev, initial(t, bdev, nil), 10)

	pusher := bdev.(activesync.Pusher)
	wake, cancel := pusher.Watch([]string{"contacts", "calendar"})
	defer cancel()
	if ch, err := pusher.Changed(context.Background(), []string{"contacts"}); err != nil || len(ch) != 0 {
		t.Fatalf("Changed before any write: %v %v", ch, err)
	}
	mustSync(t, a, activesync.SyncRequest{SyncKey: ka, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "c1", Item: contact("Cy", "Young", "")}}})
	select {
	case <-wake:
	default:
		t.Fatal("device B's Watch was not woken by A's committed write")
	}
	if ch, err := pusher.Changed(context.Background(), []string{"contacts", "calendar"}); err != nil || len(ch) != 1 || ch[0] != "contacts" {
		t.Errorf("Changed after A's write: %v %v, want [contacts]", ch, err)
	}
	got, _, _ := drain(t, bdev, kb, 10)
	if len(got) != 1 {
		t.Errorf("device B got %d changes, want 1", len(got))
	}
	if ch, _ := a.(activesync.Pusher).Changed(context.Background(), []string{"contacts"}); len(ch) != 0 {
		t.Errorf("device A is told of its own write: %v", ch)
	}
}
