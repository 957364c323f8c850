package session

import (
	"anchorage/admin"
	"anchorage/protocol/engine"
	"context"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/store"
)

// TestMapOutsideItsSession: a Map re-sent in a later session (before that
// session's Alert, too) is taken for GUIDs of the user's datastore and
// clears their unacknowledged Adds; a Map naming another user's GUID is
// refused (user isolation).
func TestMapOutsideItsSession(t *testing.T) {
	e, st := benchStore(t)
	ctx := context.Background()
	if err := admin.New(e.core).AddUser(ctx, "other", "pw", true); err != nil {
		t.Fatal(err)
	}
	var uid, oid int64
	err := st.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bench")
		if err != nil {
			return err
		}
		o, err := tx.UserByName(ctx, "other")
		if err != nil {
			return err
		}
		uid, oid = u.ID, o.ID
		for _, w := range []store.ItemWrite{
			{UserID: uid, Datastore: engine.Contacts, GUID: "mine", ContentType: "text/vcard", Data: []byte(benchVCard("a", 1)), Origin: "x"},
			{UserID: oid, Datastore: engine.Contacts, GUID: "theirs", ContentType: "text/vcard", Data: []byte(benchVCard("b", 1)), Origin: "x"},
		} {
			if _, err := tx.WriteItem(ctx, &w); err != nil {
				return err
			}
		}
		return tx.PutUnackedAdd(ctx, &store.UnackedAdd{UserID: uid, DeviceID: "dev-a", Datastore: engine.Contacts,
			GUID: "mine", Version: 1, Seq: 1, Session: "earlier", Idents: []string{"email:x"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	mapCmd := func(luid, guid string) *syncml.Command {
		return &syncml.Command{Name: "Map", NumberOfChanges: -1, Target: syncml.Loc{URI: "contacts"},
			Source: syncml.Loc{URI: "./contacts"}, MapItems: []syncml.MapItem{{Source: luid, Target: guid}}}
	}
	s := &benchSession{e: e, dev: "dev-a", id: "1"}
	reply := s.send(t, true, mapCmd("L1", "mine"), mapCmd("L2", "theirs"))
	codes := map[string]string{}
	for _, c := range reply.Commands {
		if c.Name == "Status" && c.Cmd == "Map" {
			codes[c.CmdRef] = c.Data
		}
	}
	if codes["1"] != "200" || codes["2"] != "404" {
		t.Errorf("Map statuses = %v, want 200 for the user's GUID, 404 for another user's", codes)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		if m, err := tx.MapByLUID(ctx, uid, "dev-a", engine.Contacts, "L1"); err != nil || m.GUID != "mine" {
			t.Errorf("L1 = %+v, %v; want mapped to mine", m, err)
		}
		if _, err := tx.MapByLUID(ctx, uid, "dev-a", engine.Contacts, "L2"); err == nil {
			t.Error("L2 was mapped to another user's item")
		}
		if _, err := tx.MapByLUID(ctx, oid, "dev-a", engine.Contacts, "L2"); err == nil {
			t.Error("a mapping was written for the other user")
		}
		if a, err := tx.UnackedAdd(ctx, uid, "dev-a", engine.Contacts, "mine"); err == nil {
			t.Errorf("the Map left the unacknowledged Add %+v", a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
