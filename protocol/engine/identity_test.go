package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/protocol/engine"
	"anchorage/test/simclient"
)

// fullContact is a contact as the account holds it: UID, phone, e-mail,
// address and note.
func fullContact(i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:uid-%d\r\nN:Family%d;Given%d;;;\r\nFN:Given%d Family%d\r\n"+
		"TEL;TYPE=CELL:+49 170 100000%d\r\nEMAIL:given%d@example.org\r\nADR;TYPE=HOME:;;Street %d;Town;;12345;\r\n"+
		"NOTE:note %d\r\nEND:VCARD\r\n", i, i, i, i, i, i, i, i, i)
}

// phoneContact is the same person on a phone that never held the UID, the
// address or the note: the e-mail upper-cased, the number spaced another
// way, and a title only the phone has.
func phoneContact(i int, v21 bool) string {
	if v21 {
		return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Given%d Family%d;;;;\r\nTEL;CELL:+4917 0100 000%d\r\n"+
			"EMAIL;INTERNET:GIVEN%d@EXAMPLE.ORG\r\nTITLE:Title %d\r\nEND:VCARD\r\n", i, i, i, i, i)
	}
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Family%d;Given%d\r\nFN:Given%d Family%d\r\nTEL;CELL:+4917 0100 000%d\r\n"+
		"EMAIL:GIVEN%d@EXAMPLE.ORG\r\nTITLE:Title %d\r\nEND:VCARD\r\n", i, i, i, i, i, i, i)
}

// A phone's first (slow) sync against an account that holds its contacts
// with more fields pairs each with its server item: no duplicates on the
// server or any device, the server keeps what the phone never had, the
// phone's own fields reach the other device, and a second sync of every
// device exchanges nothing. A namesake with another number stays apart.
func TestSlowSyncPairsFewerFieldCopies(t *testing.T) {
	for _, v21 := range []bool{false, true} {
		t.Run(fmt.Sprintf("vCard 2.1 %v", v21), func(t *testing.T) {
			eng, _, url := syncEngine(t)
			desk := device(url, "desk", simclient.Contacts)
			ds := simclient.Contacts
			if v21 {
				ds = simclient.Datastore{Name: "contacts", Local: "./contacts", Remote: "addressbook", Type: "text/x-vcard", VerCT: "2.1"}
			}
			phone := device(url, "phone", ds)
			const n = 3
			for i := 1; i <= n; i++ {
				desk.Add("contacts", fullContact(i))
				phone.Add("contacts", phoneContact(i, v21))
			}
			desk.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Alex;;;\r\nFN:Alex Doe\r\nTEL:111\r\nEND:VCARD\r\n")
			phone.Add("contacts", strings.Replace(phoneContact(9, v21), "Given9", "Alex", 1))
			phone.Edit("contacts", phone.LUIDs("contacts")[n], "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Alex\r\nFN:Alex Doe\r\nTEL:222\r\nEND:VCARD\r\n")
			syncOK(t, desk)
			before := versions(t, eng)
			if r := syncOK(t, phone); r.Mode != simclient.Slow {
				t.Fatalf("phone's first sync mode %d, want slow", r.Mode)
			}
			probe := device(url, "probe", simclient.Contacts)
			syncOK(t, probe)
			for _, d := range []*simclient.Device{phone, probe} {
				if got := len(d.Items("contacts")); got != n+2 {
					t.Errorf("%s holds %d contacts, want %d (no duplicates, two Alex Doe)", d.ID(), got, n+2)
				}
			}
			if r := syncOK(t, desk); r.RecvAdds != 1 || r.RecvReplaces != n {
				t.Errorf("desk got %d Adds and %d Replaces, want 1 (the other Alex Doe) and %d (the titles)", r.RecvAdds, r.RecvReplaces, n)
			}
			for _, c := range desk.Items("contacts") {
				if !strings.Contains(c, "Given") {
					continue
				}
				for _, want := range []string{"UID:uid-", "ADR", "NOTE:note", "TITLE:Title", "EMAIL"} {
					if !strings.Contains(c, want) {
						t.Errorf("desk's contact lacks %q:\n%s", want, c)
					}
				}
			}
			if got := versions(t, eng) - before; got != n+1 {
				t.Errorf("the phone's slow sync wrote %d versions, want %d (a title each, one new contact)", got, n+1)
			}
			for _, d := range []*simclient.Device{desk, phone, probe} {
				if r := syncOK(t, d); r.SentAdds+r.SentReplaces+r.SentDeletes+r.RecvAdds+r.RecvReplaces+r.RecvDeletes != 0 {
					t.Errorf("confirmation sync of %s exchanged items: %+v", d.ID(), r)
				}
			}
		})
	}
}

// versions counts the archived versions of bob's contacts.
func versions(t *testing.T, eng *engine.Engine) int {
	t.Helper()
	h, err := eng.History(context.Background(), "bob", "contacts", engine.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

