package session

import (
	"context"
	"strconv"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/store"
)

// TestAlertRefusedWithRefreshRequired: a device that answers the server's
// two-way Alert with 508 (it saved another server anchor: a second client
// sharing the device id, its client anchor equal to the stored one by
// chance) sends every item it holds, as Replaces under LUIDs the server
// does not map. They are paired like a slow sync's, not added again.
func TestAlertRefusedWithRefreshRequired(t *testing.T) {
	e, st := benchStore(t)
	ctx := context.Background()
	alert := func(mode syncml.AlertCode, last, next string) *syncml.Command {
		return &syncml.Command{Name: "Alert", Data: strconv.Itoa(int(mode)), NumberOfChanges: -1,
			Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
				Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: last, Next: next}}}}}
	}
	upload := func(s *benchSession, reply *syncml.Message, op, prefix string, refuseAlert bool) {
		t.Helper()
		out, _ := s.answer(reply)
		for _, c := range out {
			if refuseAlert && c.Name == "Status" && c.Cmd == "Alert" {
				c.Data = strconv.Itoa(int(syncml.StatusRefreshRequired))
			}
		}
		sync := &syncml.Command{Name: "Sync", Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			NumberOfChanges: -1}
		for i := range 5 {
			sync.Commands = append(sync.Commands, &syncml.Command{Name: op, Meta: &syncml.Meta{Type: "text/vcard"},
				NumberOfChanges: -1, Items: []syncml.Item{{Source: syncml.Loc{URI: prefix + strconv.Itoa(i)}, Data: benchVCard("a", i)}}})
		}
		reply = s.send(t, true, append(out, sync)...)
		for n := 0; !benchDone(reply); n++ {
			if n > 10 {
				t.Fatal("session does not end")
			}
			out, _ := s.answer(reply)
			reply = s.send(t, true, out...)
		}
	}
	first := &benchSession{e: e, dev: "dev-a", id: "1"}
	upload(first, first.send(t, true, alert(syncml.AlertSlowSync, "", "n1")), "Add", "L", false)

	second := &benchSession{e: e, dev: "dev-a", id: "2"}
	reply := second.send(t, true, alert(syncml.AlertTwoWay, "n1", "n2"))
	for _, c := range reply.Commands {
		if c.Name == "Alert" && c.Data != strconv.Itoa(int(syncml.AlertTwoWay)) {
			t.Fatalf("server alerted %s, want a two-way sync (the anchors match)", c.Data)
		}
	}
	upload(second, reply, "Replace", "M", true)

	err := st.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bench")
		if err != nil {
			return err
		}
		live, err := tx.LiveItems(ctx, u.ID, engine.Contacts, "", 0)
		if err != nil {
			return err
		}
		if len(live) != 5 {
			t.Errorf("%d live items after the device resent its 5 as a slow sync, want 5", len(live))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
