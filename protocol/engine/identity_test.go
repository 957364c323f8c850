package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"anchorage/admin"
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
			if got := versions(t, eng) - before; got != 2*n+1 {
				t.Errorf("the phone's slow sync wrote %d versions, want %d (the phone's copy and the merge each, one new contact)", got, 2*n+1)
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
func versions(t *testing.T, eng *admin.Admin) int {
	t.Helper()
	h, err := eng.History(context.Background(), "bob", "contacts", admin.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

// calDevice is a device with one calendar datastore of the given type.
func calDevice(url, id, ct, ver string) *simclient.Device {
	return device(url, id, simclient.Datastore{Name: "calendar", Local: "./calendar", Remote: "calendar", Type: ct, VerCT: ver})
}

// syncCal is syncOK for the calendar datastore.
func syncCal(t *testing.T, d *simclient.Device) *simclient.StoreReport {
	t.Helper()
	rep, err := d.Sync(context.Background(), simclient.TwoWay)
	if err != nil || !rep.Complete {
		t.Fatalf("sync of %s: %v", d.ID(), err)
	}
	return rep.Stores["calendar"]
}

// A phone holding the account's events without UID, with its start in
// UTC (the server's is in Europe/Berlin) and fewer fields, pairs each with
// its server event in its first slow sync, in iCalendar 2.0 and in
// vCalendar 1.0.
func TestSlowSyncPairsEventsWithoutUID(t *testing.T) {
	for _, tc := range []struct{ ct, ver string }{{"text/calendar", "2.0"}, {"text/x-vcalendar", "1.0"}} {
		t.Run(tc.ct, func(t *testing.T) {
			eng, _, url := syncEngine(t)
			desk := calDevice(url, "desk", "text/calendar", "2.0")
			phone := calDevice(url, "phone", tc.ct, tc.ver)
			const n = 3
			for i := 1; i <= n; i++ {
				desk.Add("calendar", fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev-%d\r\nSUMMARY:Meeting %d\r\n"+
					"DTSTART;TZID=Europe/Berlin:2026070%dT140000\r\nDTEND;TZID=Europe/Berlin:2026070%dT150000\r\n"+
					"LOCATION:Room %d\r\nDESCRIPTION:agenda %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i, i, i, i))
				if tc.ver == "1.0" {
					phone.Add("calendar", fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:meeting %d\r\n"+
						"DTSTART:2026070%dT120000Z\r\nDTEND:2026070%dT130000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i))
				} else {
					phone.Add("calendar", fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:meeting %d\r\n"+
						"DTSTART:2026070%dT120000Z\r\nDTEND:2026070%dT130000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i))
				}
			}
			syncCal(t, desk)
			h, err := eng.History(context.Background(), "bob", "calendar", admin.HistoryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			syncCal(t, phone)
			probe := calDevice(url, "probe", "text/calendar", "2.0")
			syncCal(t, probe)
			for _, d := range []*simclient.Device{phone, probe} {
				if got := len(d.Items("calendar")); got != n {
					t.Errorf("%s holds %d events, want %d", d.ID(), got, n)
				}
			}
			for _, ev := range probe.Items("calendar") {
				for _, want := range []string{"UID:ev-", "LOCATION:Room", "DESCRIPTION:agenda"} {
					if !strings.Contains(ev, want) {
						t.Errorf("the server's event lost %q:\n%s", want, ev)
					}
				}
			}
			h2, err := eng.History(context.Background(), "bob", "calendar", admin.HistoryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(h2) != len(h) {
				t.Errorf("the phone's slow sync wrote %d versions, want none", len(h2)-len(h))
			}
			for _, d := range []*simclient.Device{desk, phone, probe} {
				if r := syncCal(t, d); r.SentAdds+r.SentReplaces+r.SentDeletes+r.RecvAdds+r.RecvReplaces+r.RecvDeletes != 0 {
					t.Errorf("confirmation sync of %s exchanged items: %+v", d.ID(), r)
				}
			}
		})
	}
}

// P1 uploads contacts; P2 edits one and deletes another; P3, holding the
// original contacts, starts its first slow sync and abandons it (before
// reading the server's reply, after reading it, after its Map), then
// retries. The edit and the deletion survive, and every device converges.
func TestAbandonedSlowSyncRetryKeepsOthersChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		after  int
		unread bool
	}{{"before reading the reply", 2, true}, {"after reading the reply", 2, false}, {"after the Map", 3, false}} {
		t.Run(tc.name, func(t *testing.T) {
			url := syncServer(t)
			p1, p2, p3 := device(url, "p1", simclient.Contacts), device(url, "p2", simclient.Contacts), device(url, "p3", simclient.Contacts)
			const n = 10
			for i := 1; i <= n; i++ {
				p1.Add("contacts", fullContact(i))
				p3.Add("contacts", fullContact(i))
			}
			syncOK(t, p1)
			syncOK(t, p2)
			var edited, deleted string
			for l, c := range p2.Items("contacts") {
				switch {
				case strings.Contains(c, "uid-1\r"):
					edited = l
				case strings.Contains(c, "uid-2\r"):
					deleted = l
				}
			}
			if err := p2.Edit("contacts", edited, strings.Replace(fullContact(1), "given1@example.org", "new1@example.org", 1)); err != nil {
				t.Fatal(err)
			}
			if err := p2.Delete("contacts", deleted); err != nil {
				t.Fatal(err)
			}
			syncOK(t, p2)
			p3.Faults = simclient.Faults{AbandonAfter: tc.after, Unread: tc.unread}
			if rep, err := p3.Sync(context.Background(), simclient.TwoWay); err == nil && rep.Complete {
				t.Fatalf("p3's first sync was not abandoned")
			}
			syncOK(t, p3)
			for _, d := range []*simclient.Device{p1, p2, p3, p1, p2, p3} {
				syncOK(t, d)
			}
			for _, d := range []*simclient.Device{p1, p2, p3} {
				items := d.Items("contacts")
				if len(items) != n-1 {
					t.Errorf("%s holds %d contacts, want %d", d.ID(), len(items), n-1)
				}
				for _, c := range items {
					if strings.Contains(c, "uid-2\r") {
						t.Errorf("%s holds the deleted contact again", d.ID())
					}
					if strings.Contains(c, "uid-1\r") && !strings.Contains(c, "new1@example.org") {
						t.Errorf("%s holds the edited contact without the edit:\n%s", d.ID(), c)
					}
				}
			}
		})
	}
}

// After `device reset`, a slow sync of a device whose copies differ from
// the server's only in what carries no meaning (empty properties, PRODID,
// REV, property order, TYPE spelling) writes no version and sends nothing;
// also when the server's items came from an import.
func TestResetSlowSyncWritesNothing(t *testing.T) {
	for _, imported := range []bool{false, true} {
		t.Run(fmt.Sprintf("imported %v", imported), func(t *testing.T) {
			eng, _, url := syncEngine(t)
			ctx := context.Background()
			phone := device(url, "phone", simclient.Contacts)
			const n = 4
			if imported {
				var file strings.Builder
				for i := 1; i <= n; i++ {
					file.WriteString(fullContact(i))
				}
				if rep, err := eng.Import(ctx, "bob", "contacts", "contacts.vcf", []byte(file.String())); err != nil || rep.Added != n {
					t.Fatalf("import: %+v, %v", rep, err)
				}
			} else {
				for i := 1; i <= n; i++ {
					phone.Add("contacts", fullContact(i))
				}
			}
			syncOK(t, phone)
			if got := len(phone.Items("contacts")); got != n {
				t.Fatalf("phone holds %d contacts, want %d", got, n)
			}
			for l, c := range phone.Items("contacts") {
				noisy := strings.Replace(c, "END:VCARD", "NICKNAME:\r\nURL:\r\nPRODID:-//Phone//EN\r\nREV:2026-01-01T00:00:00Z\r\nEND:VCARD", 1)
				noisy = strings.Replace(noisy, "TEL;TYPE=CELL:", "TEL;CELL:", 1)
				if err := phone.Edit("contacts", l, noisy); err != nil {
					t.Fatal(err)
				}
			}
			before := versions(t, eng)
			if _, err := eng.ResetDevice(ctx, "bob", "phone", ""); err != nil {
				t.Fatal(err)
			}
			r := syncOK(t, phone)
			if r.Mode != simclient.Slow {
				t.Fatalf("sync after reset: mode %d, want slow", r.Mode)
			}
			if r.RecvAdds+r.RecvReplaces+r.RecvDeletes != 0 {
				t.Errorf("the phone was sent items: %+v", r)
			}
			if got := versions(t, eng) - before; got != 0 {
				t.Errorf("the slow sync after reset wrote %d versions, want none", got)
			}
			if got := len(phone.Items("contacts")); got != n {
				t.Errorf("phone holds %d contacts, want %d", got, n)
			}
		})
	}
}
