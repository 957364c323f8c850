package session

import (
	"context"
	"strconv"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
	"anchorage/store"
)

// TestSlowSyncTwinAfterOtherWrite: a slow sync into an empty datastore
// skips the twin search, but an item someone else writes between two of
// its messages is still matched, not duplicated.
func TestSlowSyncTwinAfterOtherWrite(t *testing.T) {
	e, st := benchStore(t)
	ctx := context.Background()
	s := &benchSession{e: e, dev: "dev-a", id: "1"}
	alert := &syncml.Command{Name: "Alert", Data: strconv.Itoa(int(syncml.AlertSlowSync)), NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Next: "n1"}}}}}
	reply := s.send(t, true, alert)
	upload := func(final bool, from, to int) {
		sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			NumberOfChanges: -1}
		for i := from; i < to; i++ {
			sync.Commands = append(sync.Commands, &syncml.Command{Name: "Add", Meta: &syncml.Meta{Type: "text/vcard"},
				NumberOfChanges: -1, Items: []syncml.Item{{Source: syncml.Loc{URI: "L" + strconv.Itoa(i)}, Data: benchVCard("a", i)}}})
		}
		out, _ := s.answer(reply)
		reply = s.send(t, final, append(out, sync)...)
	}
	upload(false, 0, 10)

	// The admin imports a contact the device is about to send.
	var uid int64
	data := []byte(benchVCard("a", 42))
	info := pim.Describe("text/vcard", data)
	err := st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bench")
		if err != nil {
			return err
		}
		uid = u.ID
		_, err = tx.WriteItem(ctx, &store.ItemWrite{UserID: uid, Datastore: engine.Contacts, GUID: "admin-42", ContentType: "text/vcard",
			Data: data, UID: info.UID, MatchKey: info.MatchKey, Summary: info.Summary, Origin: "import"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	upload(true, 10, 50)
	for n := 0; !benchDone(reply); n++ {
		if n > 10 {
			t.Fatal("session does not end")
		}
		out, _ := s.answer(reply)
		reply = s.send(t, true, out...)
	}

	err = st.View(ctx, func(tx store.Tx) error {
		live, err := tx.LiveItems(ctx, uid, engine.Contacts, "", 0)
		if err != nil {
			return err
		}
		if len(live) != 50 {
			t.Errorf("%d live items after uploading 50 with one already there, want 50", len(live))
		}
		m, err := tx.MapByLUID(ctx, uid, "dev-a", engine.Contacts, "L42")
		if err != nil {
			return err
		}
		if m.GUID != "admin-42" {
			t.Errorf("L42 mapped to %s, want the admin's twin admin-42", m.GUID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
