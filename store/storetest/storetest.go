// Package storetest is the conformance suite of store.Store. Every backend's
// tests call Run; a behaviour the engine relies on belongs here, not in one
// backend's tests.
package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/store"
)

// Run runs the suite as subtests of t. open returns a new, empty store for
// one subtest and arranges (with t.Cleanup) for it to be closed.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Users", testUsers},
		{"Devices", testDevices},
		{"Wipe", testWipe},
		{"Partnerships", testPartnerships},
		{"WriteItem", testWriteItem},
		{"Sequences", testSequences},
		{"Tombstones", testTombstones},
		{"LiveItems", testLiveItems},
		{"FindTwins", testFindTwins},
		{"Changes", testChanges},
		{"Versions", testVersions},
		{"AllItems", testAllItems},
		{"ItemsAsOf", testItemsAsOf},
		{"History", testHistory},
		{"PruneVersions", testPruneVersions},
		{"Retention", testRetention},
		{"ConflictSettings", testConflictSettings},
		{"Canonical", testCanonical},
		{"FindVersionTwins", testFindVersionTwins},
		{"PrefetchTwinKeys", testPrefetchTwinKeys},
		{"WriteNew", testWriteNew},
		{"Mappings", testMappings},
		{"ConfirmAndPrune", testConfirmAndPrune},
		{"UnconfirmedItems", testUnconfirmedItems},
		{"KnownItems", testKnownItems},
		{"UnackedAdds", testUnackedAdds},
		{"ResentAdds", testResentAdds},
		{"ClientIDs", testClientIDs},
		{"Sessions", testSessions},
		{"Resume", testResume},
		{"WebSessions", testWebSessions},
		{"UserFlags", testUserFlags},
		{"ForgetDevice", testForgetDevice},
		{"Leases", testLeases},
		{"Holds", testHolds},
		{"SetAside", testSetAside},
		{"SharedDevice", testSharedDevice},
		{"Rollback", testRollback},
		{"ViewIsReadOnly", testViewIsReadOnly},
		{"ViewDuringUpdate", testViewDuringUpdate},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// update runs fn in s.Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test on error.
func view(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// newUser creates a user and returns its id.
func newUser(t *testing.T, s store.Store, name string) int64 {
	t.Helper()
	u := &store.User{Name: name, PasswordHash: []byte("hash-" + name)}
	update(t, s, func(tx store.Tx) error { return tx.CreateUser(t.Context(), u) })
	if u.ID == 0 {
		t.Fatalf("CreateUser(%q) left ID 0", name)
	}
	return u.ID
}

// write writes one item in its own transaction.
func write(t *testing.T, s store.Store, w store.ItemWrite) *store.Item {
	t.Helper()
	var it *store.Item
	update(t, s, func(tx store.Tx) error {
		var err error
		it, err = tx.WriteItem(t.Context(), &w)
		return err
	})
	return it
}

// put writes a content version of guid with data "<guid> <n>".
func put(t *testing.T, s store.Store, user int64, ds, guid, origin string) *store.Item {
	t.Helper()
	return write(t, s, store.ItemWrite{UserID: user, Datastore: ds, GUID: guid, ContentType: "text/vcard",
		Data: []byte("BEGIN:VCARD\r\nFN:" + guid + "\r\nEND:VCARD\r\n"), Summary: guid, Origin: origin, Time: t0})
}

// del writes a tombstone of guid.
func del(t *testing.T, s store.Store, user int64, ds, guid, origin string) *store.Item {
	t.Helper()
	return write(t, s, store.ItemWrite{UserID: user, Datastore: ds, GUID: guid, Delete: true, Origin: origin, Time: t0})
}

// t0 is a fixed time with sub-second precision and a non-UTC zone.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 500_000_000, time.FixedZone("CEST", 2*3600))

// sameTime tells whether a stored time came back as the same instant, to
// the second (backends may keep more), or both are zero.
func sameTime(got, want time.Time) bool {
	if got.IsZero() || want.IsZero() {
		return got.IsZero() == want.IsZero()
	}
	return got.Unix() == want.Unix()
}

func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !sameTime(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// wantNotFound fails unless err wraps store.ErrNotFound.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}

// guids returns the GUIDs of its, in order.
func guids(its []store.Item) []string {
	gs := make([]string, len(its))
	for i := range its {
		gs[i] = its[i].GUID
	}
	return gs
}

func sortedGUIDs(its []store.Item) []string {
	gs := guids(its)
	slices.Sort(gs)
	return gs
}

// checkItem compares the fields of an Item that a backend must round-trip.
func checkItem(t *testing.T, what string, got *store.Item, want store.Item, withData bool) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: nil item", what)
		return
	}
	var diffs []string
	add := func(field string, ok bool, g, w any) {
		if !ok {
			diffs = append(diffs, field+": got "+fmt.Sprint(g)+", want "+fmt.Sprint(w))
		}
	}
	add("UserID", got.UserID == want.UserID, got.UserID, want.UserID)
	add("Datastore", got.Datastore == want.Datastore, got.Datastore, want.Datastore)
	add("GUID", got.GUID == want.GUID, got.GUID, want.GUID)
	add("Version", got.Version == want.Version, got.Version, want.Version)
	add("Seq", got.Seq == want.Seq, got.Seq, want.Seq)
	add("Deleted", got.Deleted == want.Deleted, got.Deleted, want.Deleted)
	add("Origin", got.Origin == want.Origin, got.Origin, want.Origin)
	if !want.Deleted {
		add("ContentType", got.ContentType == want.ContentType, got.ContentType, want.ContentType)
		add("UID", got.UID == want.UID, got.UID, want.UID)
		add("MatchKey", got.MatchKey == want.MatchKey, got.MatchKey, want.MatchKey)
		add("Summary", got.Summary == want.Summary, got.Summary, want.Summary)
	}
	add("Modified", sameTime(got.Modified, want.Modified), got.Modified, want.Modified)
	switch {
	case want.Deleted:
		add("Data", len(got.Data) == 0, string(got.Data), "")
	case withData:
		add("Data", bytes.Equal(got.Data, want.Data), string(got.Data), string(want.Data))
	default:
		add("Data", got.Data == nil, string(got.Data), "nil (not loaded)")
	}
	if len(diffs) > 0 {
		t.Errorf("%s %s:\n\t%s", what, want.GUID, strings.Join(diffs, "\n\t"))
	}
}
