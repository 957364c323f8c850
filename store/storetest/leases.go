package storetest

import (
	"testing"
	"time"

	"anchorage/store"
)

// testLeases: one session holds a datastore until it releases it or the
// lease expires; renewing by the holder works; datastores are independent.
func testLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	acquire := func(ds, session string, now time.Time) (string, bool) {
		t.Helper()
		var holder string
		var ok bool
		update(t, s, func(tx store.Tx) error {
			var err error
			holder, ok, err = tx.AcquireLease(ctx, u, ds, session, now, now.Add(time.Minute))
			return err
		})
		return holder, ok
	}
	if h, ok := acquire("contacts", "s1", t0); !ok || h != "s1" {
		t.Fatalf("first acquire = %q, %v", h, ok)
	}
	if h, ok := acquire("contacts", "s2", t0.Add(time.Second)); ok || h != "s1" {
		t.Errorf("second session got a held lease: %q, %v", h, ok)
	}
	if _, ok := acquire("calendar", "s2", t0.Add(time.Second)); !ok {
		t.Error("another datastore was not free")
	}
	if _, ok := acquire("contacts", "s1", t0.Add(30*time.Second)); !ok {
		t.Error("the holder could not renew")
	}
	if h, ok := acquire("contacts", "s2", t0.Add(2*time.Minute)); !ok || h != "s2" {
		t.Errorf("expired lease not taken over: %q, %v", h, ok)
	}
	update(t, s, func(tx store.Tx) error { return tx.ReleaseLeases(ctx, "s2") })
	if _, ok := acquire("contacts", "s3", t0.Add(2*time.Minute)); !ok {
		t.Error("released lease not free")
	}
	if _, ok := acquire("calendar", "s3", t0.Add(2*time.Minute)); !ok {
		t.Error("released calendar lease not free")
	}
}
