package storetest

import (
	"slices"
	"testing"

	"anchorage/store"
)

// testPrefetchTwinKeys: after PrefetchTwinKeys, FindTwins and
// FindVersionTwins answer as without it, a key written later in the same
// transaction included.
func testPrefetchTwinKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "u")
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "a", Data: []byte("a1"), UID: "U1", MatchKey: "K1", Time: t0})
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "a", Data: []byte("a2"), UID: "U2", MatchKey: "K2", Time: t0})
	write(t, s, store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "b", Data: []byte("b"), UID: "", MatchKey: "K3", Time: t0})
	cases := []struct{ uid, key string }{{"U1", "K1"}, {"U2", ""}, {"", "K3"}, {"U3", "K4"}, {"U3", "K1"}, {"", ""}}
	find := func(tx store.Tx, uid, key string) ([]string, []string) {
		tw, err := tx.FindTwins(ctx, u, "contacts", uid, key)
		if err != nil {
			t.Fatal(err)
		}
		vt, err := tx.FindVersionTwins(ctx, u, "contacts", uid, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		var versions []string
		for _, v := range vt {
			versions = append(versions, string(v.Data))
		}
		return sortedGUIDs(tw), versions
	}
	want := map[[2]string][2][]string{}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			tw, vt := find(tx, c.uid, c.key)
			want[[2]string{c.uid, c.key}] = [2][]string{tw, vt}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		if err := tx.PrefetchTwinKeys(ctx, u, "contacts", []string{"U1", "U2", "U3", ""}, []string{"K1", "K3", "K4", ""}); err != nil {
			return err
		}
		for _, c := range cases {
			tw, vt := find(tx, c.uid, c.key)
			if w := want[[2]string{c.uid, c.key}]; !slices.Equal(tw, w[0]) || !slices.Equal(vt, w[1]) {
				t.Errorf("after PrefetchTwinKeys: (%q, %q) finds %q and versions %q, want %q and %q", c.uid, c.key, tw, vt, w[0], w[1])
			}
		}
		// U3 and K4 were in no version: written now, they are found.
		if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: "c", Data: []byte("c"), UID: "U3", MatchKey: "K4", Time: t0}); err != nil {
			return err
		}
		for _, c := range [][2]string{{"U3", ""}, {"", "K4"}} {
			if tw, vt := find(tx, c[0], c[1]); !slices.Equal(tw, []string{"c"}) || !slices.Equal(vt, []string{"c"}) {
				t.Errorf("after writing c: (%q, %q) finds %q and versions %q, want c", c[0], c[1], tw, vt)
			}
		}
		return nil
	})
}
