package realclient_test

import (
	"strings"
	"testing"
)

// Items with the features phones and desktops disagree on most, written by
// each side in its own format.
const (
	photoB64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHSEa"
	// The desktop's (vCard 3.0 / iCalendar 2.0).
	deskCard = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:feat-desk-1\r\nN:Größe;Jürgen;;;\r\nFN:Jürgen Größe\r\n" +
		"TEL;TYPE=CELL:+49 170 5550001\r\nADR;TYPE=HOME:;;Hauptstraße 1\\nHinterhaus;München;;80331;Deutschland\r\n" +
		"PHOTO;ENCODING=b;TYPE=JPEG:" + photoB64 + "\r\nEND:VCARD\r\n"
	deskRecurring = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Anchorage tests//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\n" +
		"TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\n" +
		"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n" +
		"END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:feat-desk-rec\r\nDTSTAMP:20261101T100000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20261201T090000\r\nDTEND;TZID=Europe/Berlin:20261201T100000\r\nSUMMARY:Weekly standup\r\n" +
		"RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20261208T090000\r\n" +
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Standup\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	deskAllDay = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Anchorage tests//EN\r\nBEGIN:VEVENT\r\nUID:feat-desk-allday\r\n" +
		"DTSTAMP:20261101T100000Z\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261225\r\nSUMMARY:Heiligabend\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	// The phone's (vCard 2.1 / vCalendar 1.0).
	phoneCard = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:K=C3=B6nig;Anna\r\n" +
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Anna K=C3=B6nig\r\nTEL;CELL:+49 171 5550002\r\n" +
		"ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;Marktplatz 5=0D=0AHof;K=C3=B6ln;;50667;Deutschland\r\n" +
		"PHOTO;ENCODING=BASE64;TYPE=JPEG:" + photoB64 + "\r\n\r\nEND:VCARD\r\n"
	phoneRecurring = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01\r\nDAYLIGHT:TRUE;+02;20260329T020000;20261025T030000;CET;CEST\r\n" +
		"BEGIN:VEVENT\r\nUID:feat-phone-rec\r\nSUMMARY:Daily check\r\nDTSTART:20261203T100000\r\nDTEND:20261203T103000\r\n" +
		"RRULE:D1 #5\r\nEXDATE:20261205T100000\r\nAALARM:20261203T095000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	phoneAllDay = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:feat-phone-allday\r\nSUMMARY:Silvester\r\n" +
		"DTSTART:20261231T000000\r\nDTEND:20261231T235900\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

// TestFormatFeaturesBothWays: a vCard 3.0 / iCalendar device and a vCard
// 2.1 / vCalendar 1.0 device of one user exchange contacts with non-ASCII
// names, multi-line (QUOTED-PRINTABLE on the phone) addresses and a photo,
// and events that are all-day, recurring with an exception, with an alarm
// and in a named time zone; each arrives on the other side with the same
// content in that side's format, and confirmation syncs exchange nothing.
func TestFormatFeaturesBothWays(t *testing.T) {
	shared := needRealClient(t)
	srv := startServer(t)
	srv.addUser(t, "feat", "pw")
	desk := newDevice(t, shared, srv, "feat-desk", "feat", "pw", "", "contacts", "calendar")
	phone := newDevice(t, shared, srv, "feat-phone", "feat", "pw", "", "contacts21", "calendar10")
	desk.write(t, "contacts", "juergen.vcf", deskCard)
	desk.write(t, "calendar", "standup.ics", deskRecurring)
	desk.write(t, "calendar", "heiligabend.ics", deskAllDay)
	phone.write(t, "contacts21", "anna.vcf", phoneCard)
	phone.write(t, "calendar10", "daily.vcs", phoneRecurring)
	phone.write(t, "calendar10", "silvester.vcs", phoneAllDay)

	desk.mustSync(t, "slow")
	r := phone.mustSync(t, "slow")
	expect(t, "phone", r, "contacts21", map[string]int{"local_added": 1, "remote_added": 1})
	expect(t, "phone", r, "calendar10", map[string]int{"local_added": 2, "remote_added": 2})
	r = desk.mustSync(t, "two-way")
	expect(t, "desk", r, "contacts", map[string]int{"local_added": 1})
	expect(t, "desk", r, "calendar", map[string]int{"local_added": 2})

	// On the phone, in vCard 2.1 / vCalendar 1.0.
	want(t, "phone: Jürgen", itemWith(t, phone, "contacts21", "Jürgen"), true,
		"VERSION:2.1", "Hauptstraße 1\r\nHinterhaus", "München", "Jürgen Größe", photoB64)
	// The client re-writes what it stores (a COUNT as its last date, an
	// all-day end as the next midnight): the alternatives are the same.
	want(t, "phone: standup", itemWith(t, phone, "calendar10", "Weekly standup"), false,
		"VERSION:1.0", "DTSTART:20261201T080000Z", "DTEND:20261201T090000Z", "RRULE:W1 TU #10|RRULE:W1 TU 20270202T080000Z",
		"EXDATE:20261208T080000Z", "ALARM:20261201T074500Z")
	want(t, "phone: Heiligabend", itemWith(t, phone, "calendar10", "Heiligabend"), false,
		"DTSTART:20261224T000000", "DTEND:20261224T235900|DTEND:20261225T000000")

	// On the desktop, in vCard 3.0 / iCalendar 2.0.
	want(t, "desk: Anna", itemWith(t, desk, "contacts", "Anna"), false,
		"VERSION:3.0", "FN:Anna König", `Marktplatz 5\nHof`, "Köln", photoB64)
	daily := itemWith(t, desk, "calendar", "Daily check")
	want(t, "desk: daily check", daily, false, "VERSION:2.0", "RRULE:FREQ=DAILY;COUNT=5|RRULE:FREQ=DAILY;INTERVAL=1;UNTIL=20261207T090000Z",
		"BEGIN:VALARM", "-PT10M", "DTSTART:20261203T090000Z|:20261203T100000", "EXDATE:20261205T090000Z|:20261205T100000")
	want(t, "desk: Silvester", itemWith(t, desk, "calendar", "Silvester"), false,
		"DTSTART;VALUE=DATE:20261231", "DTEND;VALUE=DATE:20270101")

	confirmNothing(t, desk)
	confirmNothing(t, phone)
}

// itemWith returns the one item of a source that holds every marker.
func itemWith(t *testing.T, d *device, source string, markers ...string) string {
	t.Helper()
	var found []string
	for _, body := range d.files(t, source) {
		all := true
		for _, m := range markers {
			all = all && (strings.Contains(body, m) || strings.Contains(decode21(body), m))
		}
		if all {
			found = append(found, body)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s/%s: %d items hold %q", d.id, source, len(found), markers)
	}
	return found[0]
}

// want checks that an item, unfolded (and with quoted-printable decoded
// for vCard 2.1 when qp), holds every string, or one of the alternatives
// of a string written "a|b"; base64 is compared without line breaks.
func want(t *testing.T, what, item string, qp bool, subs ...string) {
	t.Helper()
	flat := strings.Join(unfold(item), "\n")
	if qp {
		flat = decode21(item)
	}
	compact := strings.NewReplacer("\r", "", "\n", "", " ", "").Replace(item)
	for _, s := range subs {
		found := false
		for _, alt := range strings.Split(s, "|") {
			found = found || strings.Contains(flat, alt) || strings.Contains(compact, alt)
		}
		if !found {
			t.Errorf("%s lacks %q:\n%s", what, s, item)
		}
	}
}
