package engine_test

import (
	"anchorage/admin"
	"context"
	"strings"
	"testing"

	"anchorage/store"
	"anchorage/test/simclient"
)

// TestCanonicalFormStored: a vCard 2.1 phone's contact is stored as
// received plus its vCard 3.0 canonical form; a 3.0 device gets the
// canonical form, the phone gets its own bytes back unchanged on a slow
// sync (no duplicate, no rewrite), and export as vCard 3.0 uses it.
func TestCanonicalFormStored(t *testing.T) {
	ctx := context.Background()
	eng, st, url := syncEngine(t)

	raw := "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Hans\r\nTEL;CELL:+49 170 1\r\nEND:VCARD\r\n"
	phone := device(url, "phone", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook",
		Type: "text/x-vcard", VerCT: "2.1"})
	desk := device(url, "desk", simclient.Contacts)
	phone.Add("contacts", raw)
	syncOK(t, phone)

	var stored store.Item
	err := st.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, "bob")
		if err != nil {
			return err
		}
		live, err := tx.LiveItems(ctx, u.ID, "contacts", "", 0)
		if err != nil || len(live) != 1 {
			t.Fatalf("live items: %v, %v", live, err)
		}
		stored = live[0]
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(stored.Data) != raw || stored.ContentType != "text/x-vcard" {
		t.Errorf("not stored as received: %q %q", stored.ContentType, stored.Data)
	}
	if stored.CanonicalType != "text/vcard" || !strings.Contains(string(stored.Canonical), "VERSION:3.0") ||
		!strings.Contains(string(stored.Canonical), "Müller") {
		t.Fatalf("canonical form: %q\n%s", stored.CanonicalType, stored.Canonical)
	}

	syncOK(t, desk)
	if _, got := only(t, desk); got != string(stored.Canonical) {
		t.Errorf("the 3.0 device got\n%s\nwant the canonical form\n%s", got, stored.Canonical)
	}
	res, err := eng.Export(ctx, "bob", "contacts", admin.ExportOptions{Format: admin.FormatVCard30})
	if err != nil {
		t.Fatal(err)
	}
	out := res.Data
	if err != nil || !strings.Contains(string(out), "Müller") || strings.Contains(string(out), "VERSION:2.1") {
		t.Errorf("export as vCard 3.0: %v\n%s", err, out)
	}
	// A second phone with the same contact: matched by the canonical form.
	phone2 := device(url, "phone2", simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook",
		Type: "text/x-vcard", VerCT: "2.1"})
	phone2.Add("contacts", strings.Replace(raw, "TEL;CELL:+49 170 1", "TEL;CELL:+491701", 1))
	if r := syncOK(t, phone2); r.RecvAdds != 0 {
		t.Errorf("phone2 got %d Adds: its contact was not matched", r.RecvAdds)
	}
}
