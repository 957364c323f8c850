package realclient_test

import (
	"fmt"
	"strings"
	"testing"
)

// Issue: a phone's first sync against an account that holds its contacts
// and events with more fields. The phone's copies have no UID, address or
// note (events: no UID, location or description, start in UTC), an
// upper-cased e-mail, a phone number spaced another way, and a title of
// their own. The slow sync pairs each copy with its server item: no
// duplicates anywhere, the server keeps what the phone never had, the
// phone's own fields reach the other device, confirmation syncs exchange
// nothing.

func deskPerson(i int) string {
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:idm-%d\r\nN:Family%d;Given%d;;;\r\nFN:Given%d Family%d\r\n"+
		"TEL;TYPE=CELL:+49 170 200000%d\r\nEMAIL;TYPE=INTERNET:given%d@example.org\r\n"+
		"ADR;TYPE=HOME:;;Street %d;Town;;12345;\r\nNOTE:note %d\r\nEND:VCARD\r\n", i, i, i, i, i, i, i, i, i)
}

func phonePerson(i int, v21 bool) string {
	if v21 {
		return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Family%d;Given%d\r\nTEL;CELL:+4917 0200 000%d\r\n"+
			"EMAIL;INTERNET:GIVEN%d@EXAMPLE.ORG\r\nTITLE:Title %d\r\nEND:VCARD\r\n", i, i, i, i, i)
	}
	return fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Family%d;Given%d;;;\r\nFN:Given%d Family%d\r\n"+
		"TEL;TYPE=CELL:+4917 0200 000%d\r\nEMAIL;TYPE=INTERNET:GIVEN%d@EXAMPLE.ORG\r\nTITLE:Title %d\r\nEND:VCARD\r\n", i, i, i, i, i, i, i)
}

func TestPhoneWithFewerFieldsPairsContacts(t *testing.T) {
	shared := needRealClient(t)
	for _, src := range []string{"contacts", "contacts21"} {
		t.Run(src, func(t *testing.T) {
			srv := startServer(t)
			srv.addUser(t, "idm", "pw")
			desk := newDevice(t, shared, srv, "idm-desk", "idm", "pw", "", "contacts")
			phone := newDevice(t, shared, srv, "idm-phone", "idm", "pw", "", src)
			const n = 5
			for i := 1; i <= n; i++ {
				desk.write(t, "contacts", fmt.Sprintf("d%d.vcf", i), deskPerson(i))
				phone.write(t, src, fmt.Sprintf("p%d.vcf", i), phonePerson(i, src == "contacts21"))
			}
			desk.mustSync(t, "slow")
			r := phone.mustSync(t, "two-way")
			if r.sources[src]["mode"] != "slow" {
				t.Errorf("phone's first sync mode = %s, want slow", r.sources[src]["mode"])
			}
			expect(t, "phone", r, src, map[string]int{"local_added": 0, "remote_deleted": 0})
			cards := splitStream(srv.export(t, "idm", "contacts"), "VCARD")
			if len(cards) != n {
				t.Errorf("server holds %d contacts, want %d (no duplicates)", len(cards), n)
			}
			for _, c := range cards {
				// (SyncEvolution's vCard 3.0 backend does not send UID.)
				for _, w := range []string{"ADR;TYPE=HOME:;;Street", "NOTE:note", "TITLE:Title"} {
					if !strings.Contains(c, w) {
						t.Errorf("server's contact lacks %q:\n%s", w, c)
					}
				}
			}
			r = desk.mustSync(t, "two-way")
			expect(t, "desk", r, "contacts", map[string]int{"local_added": 0, "local_updated": n, "local_deleted": 0})
			for _, c := range desk.files(t, "contacts") {
				if !strings.Contains(c, "TITLE:Title") || !strings.Contains(c, "NOTE:note") {
					t.Errorf("desk's contact lacks the phone's title or its own note:\n%s", c)
				}
			}
			if got := len(phone.files(t, src)); got != n {
				t.Errorf("phone holds %d contacts, want %d", got, n)
			}
			confirmNothing(t, desk)
			confirmNothing(t, phone)
		})
	}
}

func deskEvent(i int) string {
	return fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Anchorage tests//EN\r\nBEGIN:VEVENT\r\nUID:idm-ev-%d\r\n"+
		"DTSTAMP:20261101T100000Z\r\nDTSTART:2026120%dT130000Z\r\nDTEND:2026120%dT140000Z\r\nSUMMARY:Meeting %d\r\n"+
		"LOCATION:Room %d\r\nDESCRIPTION:agenda %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i, i, i, i)
}

func phoneEvent(i int, v10 bool) string {
	if v10 {
		return fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:Meeting %d\r\n"+
			"DTSTART:2026120%dT130000Z\r\nDTEND:2026120%dT140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i)
	}
	return fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//EN\r\nBEGIN:VEVENT\r\nUID:phone-%d\r\nDTSTAMP:20261102T100000Z\r\n"+
		"SUMMARY:meeting %d\r\nDTSTART:2026120%dT130000Z\r\nDTEND:2026120%dT140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i, i, i)
}

func TestPhoneWithFewerFieldsPairsEvents(t *testing.T) {
	shared := needRealClient(t)
	for _, src := range []string{"calendar", "calendar10"} {
		t.Run(src, func(t *testing.T) {
			srv := startServer(t)
			srv.addUser(t, "idm", "pw")
			desk := newDevice(t, shared, srv, "idm-desk", "idm", "pw", "", "calendar")
			phone := newDevice(t, shared, srv, "idm-phone", "idm", "pw", "", src)
			const n = 4
			for i := 1; i <= n; i++ {
				desk.write(t, "calendar", fmt.Sprintf("d%d.ics", i), deskEvent(i))
				phone.write(t, src, fmt.Sprintf("p%d.ics", i), phoneEvent(i, src == "calendar10"))
			}
			desk.mustSync(t, "slow")
			r := phone.mustSync(t, "two-way")
			expect(t, "phone", r, src, map[string]int{"local_added": 0, "remote_deleted": 0})
			events := splitStream(srv.export(t, "idm", "calendar"), "VEVENT")
			if len(events) != n {
				t.Errorf("server holds %d events, want %d (no duplicates)", len(events), n)
			}
			for _, e := range events {
				for _, w := range []string{"UID:idm-ev-", "LOCATION:Room", "DESCRIPTION:agenda"} {
					if !strings.Contains(e, w) {
						t.Errorf("server's event lacks %q:\n%s", w, e)
					}
				}
			}
			r = desk.mustSync(t, "two-way")
			expect(t, "desk", r, "calendar", map[string]int{"local_added": 0, "local_deleted": 0})
			if got := len(phone.files(t, src)); got != n {
				t.Errorf("phone holds %d events, want %d", got, n)
			}
			confirmNothing(t, desk)
			confirmNothing(t, phone)
		})
	}
}
