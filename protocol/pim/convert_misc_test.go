package pim

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestUnrepresentable lists by name what each format cannot carry, and
// checks Unrepresentable names exactly that for items that have it.
func TestUnrepresentable(t *testing.T) {
	card30 := func(lines string) string {
		return "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\n" + lines + "END:VCARD\r\n"
	}
	ev := func(lines string) string { return string(icalEvent("", "DTSTART:20260601T100000Z\r\n"+lines)) }
	tests := []struct {
		what, from, to, data string
		want                 []string
	}{
		{"vCard 2.1 to 3.0 loses nothing", "text/x-vcard", "text/vcard", juergen21, nil},
		{"vCard 2.1 cannot carry parameter values with ';', ':', ',' or '\"' (it has no quoting)",
			"text/vcard", "text/x-vcard", card30("EMAIL;X-LABEL=\"home, private\":a@example.org\r\nitem1.X-ABLABEL;X-SERVICE=\"a:b\":x\r\n"),
			[]string{"EMAIL;X-LABEL", "X-ABLABEL;X-SERVICE"}},
		{"vCard 2.1 does not define the vCard 3.0 properties (they are sent as they are)",
			"text/vcard", "text/x-vcard", card30("NICKNAME:Jo\r\nCATEGORIES:a,b\r\nSORT-STRING:Doe\r\nCLASS:PRIVATE\r\nIMPP:xmpp:jo@example.org\r\n"),
			[]string{"CATEGORIES", "CLASS", "IMPP", "NICKNAME", "SORT-STRING"}},
		{"vCard 2.1 has no VALUE types but INLINE, URL, CONTENT-ID and CID",
			"text/vcard", "text/x-vcard", card30("X-FOO;VALUE=boolean:TRUE\r\n"), []string{"X-FOO;VALUE"}},
		{"vCard 3.0 does not define the vCard 4.0 properties and parameters",
			"text/vcard", "text/vcard", "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nN:A;;;;\r\nKIND:group\r\nGENDER:F\r\n" +
				"ANNIVERSARY:20000101\r\nMEMBER:urn:uuid:1\r\nTEL;PID=1.1;ALTID=1:123\r\nEND:VCARD\r\n",
			[]string{"ANNIVERSARY", "GENDER", "KIND", "MEMBER", "TEL;ALTID", "TEL;PID"}},
		{"vCalendar 1.0 cannot carry VTIMEZONE rules beyond one DAYLIGHT pair, nor the TZID",
			"text/calendar", "text/x-vcalendar", string(icalEvent("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\n"+
				"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"+
				"END:VTIMEZONE\r\n", "DTSTART;TZID=Europe/Berlin:20260601T100000\r\n")),
			[]string{"DTSTAMP", "VTIMEZONE"}},
		{"vCalendar 1.0 cannot carry a TZID no VTIMEZONE or zone database defines (kept local)",
			"text/calendar", "text/x-vcalendar", ev("DTEND;TZID=Nowhere/Atlantis:20260601T110000\r\n"), []string{"DTSTAMP", "TZID"}},
		{"vCalendar 1.0 has no ORGANIZER, RECURRENCE-ID, PERCENT-COMPLETE, COMMENT (sent as X- properties), DTSTAMP",
			"text/calendar", "text/x-vcalendar", ev("ORGANIZER;CN=Jo:mailto:jo@example.org\r\nRECURRENCE-ID:20260601T100000Z\r\n" +
				"PERCENT-COMPLETE:50\r\nCOMMENT:c\r\n"),
			[]string{"COMMENT", "DTSTAMP", "ORGANIZER", "PERCENT-COMPLETE", "RECURRENCE-ID"}},
		{"vCalendar 1.0 cannot carry a weekday in a month of the year, BYSETPOS, BYHOUR (kept as X-RRULE)",
			"text/calendar", "text/x-vcalendar", ev("RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=3FR\r\n"), []string{"DTSTAMP", "RRULE"}},
		{"vCalendar 1.0 has no STATUS IN-PROCESS or CANCELLED",
			"text/calendar", "text/x-vcalendar", ev("STATUS:CANCELLED\r\n"), []string{"DTSTAMP", "STATUS"}},
		{"vCalendar 1.0 alarms have no further properties, attendees no CUTYPE",
			"text/calendar", "text/x-vcalendar", ev("ATTENDEE;CUTYPE=ROOM:mailto:r@example.org\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n" +
				"TRIGGER:-PT5M\r\nDESCRIPTION:d\r\nX-EVOLUTION-ALARM-UID:1\r\nEND:VALARM\r\n"),
			[]string{"ATTENDEE;CUTYPE", "DTSTAMP", "VALARM/X-EVOLUTION-ALARM-UID"}},
		{"vCalendar 1.0 cannot carry quoted parameters such as ALTREP",
			"text/calendar", "text/x-vcalendar", ev("DESCRIPTION;ALTREP=\"http://x/y\":d\r\n"), []string{"DESCRIPTION;ALTREP", "DTSTAMP"}},
		{"iCalendar has no vCalendar transparency levels above 1, attendee STATUS SENT, alarm sound types",
			"text/x-vcalendar", "text/calendar", string(vcalEvent("", "DTSTART:20260601T100000Z\r\nTRANSP:2\r\n"+
				"ATTENDEE;STATUS=SENT:a@example.org\r\nAALARM;TYPE=WAVE:20260601T090000Z;;;file:///a.wav\r\n")),
			[]string{"AALARM;TYPE", "ATTENDEE;STATUS", "TRANSP"}},
		{"iCalendar has no RNUM",
			"text/x-vcalendar", "text/calendar", string(vcalEvent("", "DTSTART:20260601T100000Z\r\nRNUM:3\r\n")), []string{"RNUM"}},
		{"plain text cannot carry a vNote's other properties",
			"text/x-vnote", "text/plain", "BEGIN:VNOTE\r\nVERSION:1.1\r\nSUMMARY:Title\r\nBODY:Text\r\nCATEGORIES:a\r\n" +
				"CLASS:PRIVATE\r\nDCREATED:20260101T000000Z\r\nLAST-MODIFIED:20260102T000000Z\r\nX-IRMC-LUID:7\r\nEND:VNOTE\r\n",
			[]string{"CATEGORIES", "CLASS", "DCREATED", "LAST-MODIFIED", "SUMMARY", "X-IRMC-LUID"}},
		{"plain text loses no SUMMARY that is the first line",
			"text/x-vnote", "text/plain", "BEGIN:VNOTE\r\nVERSION:1.1\r\nSUMMARY:Text\r\nBODY:Text\r\nEND:VNOTE\r\n", nil},
		{"a vNote cannot carry a VJOURNAL's DTSTART, ORGANIZER, DTSTAMP",
			"text/calendar", "text/x-vnote", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTAMP:20260101T000000Z\r\n" +
				"DTSTART;VALUE=DATE:20260101\r\nORGANIZER:mailto:a@b\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n",
			[]string{"DTSTAMP", "DTSTART", "ORGANIZER"}},
	}
	for _, tc := range tests {
		got := Unrepresentable(tc.from, tc.to, []byte(tc.data))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\nUnrepresentable = %q, want %q", tc.what, got, tc.want)
		}
		if _, err := Convert([]byte(tc.data), tc.from, tc.to, ConvertOptions{}); err != nil {
			t.Errorf("%s: %v", tc.what, err)
		}
	}
}

// TestConvertMalformed feeds broken items and impossible conversions.
func TestConvertMalformed(t *testing.T) {
	tests := []struct {
		what, from, to, data string
		want                 error
	}{
		{"empty vCard", "text/vcard", "text/x-vcard", "", ErrMalformed},
		{"empty calendar", "text/calendar", "text/x-vcalendar", " \r\n", ErrMalformed},
		{"unterminated vCard", "text/x-vcard", "text/vcard", "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\n", ErrMalformed},
		{"no vCard in it", "text/vcard", "text/x-vcard", "hello", ErrMalformed},
		{"calendar without event", "text/calendar", "text/x-vcalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", ErrMalformed},
		{"unterminated event", "text/calendar", "text/x-vcalendar", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T000000Z\r\n", ErrMalformed},
		{"bad DTSTART", "text/x-vcalendar", "text/calendar", string(vcalEvent("", "DTSTART:tomorrow\r\n")), ErrMalformed},
		{"bad DTEND", "text/calendar", "text/x-vcalendar", string(icalEvent("", "DTSTART:20260101T000000Z\r\nDTEND:2026-13-45\r\n")), ErrMalformed},
		{"bad EXDATE", "text/calendar", "text/x-vcalendar", string(icalEvent("", "DTSTART:20260101T000000Z\r\nEXDATE:x\r\n")), ErrMalformed},
		{"bad DURATION", "text/calendar", "text/x-vcalendar", string(icalEvent("", "DTSTART:20260101T000000Z\r\nDURATION:PXT\r\n")), ErrMalformed},
		{"bad alarm time", "text/x-vcalendar", "text/calendar", string(vcalEvent("", "DTSTART:20260101T000000Z\r\nAALARM:soon\r\n")), ErrMalformed},
		{"unterminated vNote", "text/x-vnote", "text/plain", "BEGIN:VNOTE\r\nBODY:x\r\n", ErrMalformed},
		{"contact to calendar", "text/vcard", "text/calendar", juergen30, ErrUnsupported},
		{"vCard 4.0 target", "text/x-vcard", "text/vcard;version=4.0", juergen21, ErrUnsupported},
		{"note to iCalendar", "text/plain", "text/calendar", "a note", ErrUnsupported},
		{"unknown target", "text/vcard", "application/json", juergen30, ErrUnsupported},
		{"unknown source", "image/png", "text/vcard", "\x89PNG", ErrUnsupported},
	}
	for _, tc := range tests {
		out, err := Convert([]byte(tc.data), tc.from, tc.to, ConvertOptions{})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Convert = %q, %v; want %v", tc.what, out, err, tc.want)
		}
		if Unrepresentable(tc.from, tc.to, []byte(tc.data)) != nil {
			t.Errorf("%s: Unrepresentable not nil for a failing conversion", tc.what)
		}
	}
	// KOrganizer 3.4 wrote a broken rule for what vCalendar cannot say; the
	// rule is kept (as X-VCALENDAR-RRULE) rather than failing the item.
	data := vcalEvent("", "DTSTART:20050520T200000Z\r\nRRULE:MAILTO:reinhold@kainhofer.com#17\r\n")
	out := mustConvert(t, data, "text/x-vcalendar", "text/calendar")
	if !bytes.Contains(out, []byte("X-VCALENDAR-RRULE:MAILTO:reinhold@kainhofer.com#17")) {
		t.Errorf("unreadable rule not kept:\n%s", out)
	}
	if back := mustConvert(t, out, "text/calendar", "text/x-vcalendar"); !bytes.Contains(back, []byte("RRULE:MAILTO:reinhold@kainhofer.com#17\r\n")) {
		t.Errorf("unreadable rule not restored:\n%s", back)
	}
}

// TestSameTypeIdentity checks that converting to the format an item has
// returns it unchanged.
func TestSameTypeIdentity(t *testing.T) {
	for _, tc := range []struct{ ct, data string }{
		{"text/x-vcard", juergen21},
		{"text/calendar", string(icalEvent("", "DTSTART:20260601T100000Z\r\n"))},
		{"text/x-vcalendar", string(vcalEvent("", "DTSTART:20260601T100000Z\r\n"))},
		{"text/plain", "just text\n"},
		{"text/x-vnote", "BEGIN:VNOTE\r\nVERSION:1.1\r\nBODY:x\r\nEND:VNOTE\r\n"},
	} {
		out, err := Convert([]byte(tc.data), tc.ct, tc.ct, ConvertOptions{})
		if err != nil || string(out) != tc.data {
			t.Errorf("%s: %q, %v", tc.ct, out, err)
		}
	}
	// A byte order mark goes.
	if out, _ := Convert(append([]byte("\xEF\xBB\xBF"), juergen21...), "text/x-vcard", "text/x-vcard", ConvertOptions{}); string(out) != juergen21 {
		t.Errorf("BOM kept: %q", out[:8])
	}
}

// TestNotes converts notes between plain text, vNote and VJOURNAL.
func TestNotes(t *testing.T) {
	text := "Einkaufsliste\nKäse; Wein, Brot \\n ohne Escapes\r\nzweite Zeile "
	vnote := mustConvert(t, []byte(text), "text/plain", "text/x-vnote")
	for _, want := range []string{"BEGIN:VNOTE\r\nVERSION:1.1\r\n", "SUMMARY:Einkaufsliste\r\n", "BODY;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:"} {
		if !bytes.Contains(vnote, []byte(want)) {
			t.Errorf("vNote lacks %q:\n%s", want, vnote)
		}
	}
	if back := mustConvert(t, vnote, "text/x-vnote", "text/plain"); string(back) != text {
		t.Errorf("plain -> vNote -> plain = %q, want %q", back, text)
	}
	n := 0
	for _, f := range []string{"vnote1.vnt", "vnote2.vnt", "vnote3.vnt", "vnote-minimal.vnt", "vnote1-same.vnt", "vnote1-similar.vnt"} {
		data := fixture(t, osData+"vnotes/"+f)
		plain := mustConvert(t, data, "text/x-vnote", "text/plain")
		want, _ := noteText(data)
		if string(plain) != want {
			t.Errorf("%s: text %q, want %q", f, plain, want)
		}
		again := mustConvert(t, plain, "text/plain", "text/x-vnote")
		if !Equivalent("text/x-vnote", data, "text/x-vnote", again) && !Equivalent("text/plain", plain, "text/x-vnote", again) {
			t.Errorf("%s: vNote -> plain -> vNote changed the text:\n%s", f, again)
		}
		n++
	}
	for i, item := range splitItems(fixture(t, evoTests+"eds_memo.ics"), "VCALENDAR") {
		plain := mustConvert(t, item, "text/calendar", "text/plain")
		want, _ := noteText(item)
		if string(plain) != want {
			t.Errorf("memo %d: %q, want %q", i, plain, want)
		}
		vn := mustConvert(t, item, "text/calendar", "text/x-vnote")
		if got, _ := noteText(vn); got != want {
			t.Errorf("memo %d: vNote text %q, want %q", i, got, want)
		}
		if ct, _, err := Canonical("text/calendar", item); err != nil || ct != "text/calendar" {
			t.Errorf("memo %d: Canonical type %q, %v", i, ct, err)
		}
		n++
	}
	t.Logf("notes converted: %d", n)
	if ct, out, err := Canonical("text/x-vnote", vnote); err != nil || ct != "text/plain" || string(out) != text {
		t.Errorf("Canonical(vNote) = %q, %q, %v", ct, out, err)
	}
}

// TestCanonicalCalendar checks that events and tasks of both versions
// become iCalendar 2.0 and that iCalendar stays as it is.
func TestCanonicalCalendar(t *testing.T) {
	data := fixture(t, vcalDir+"KOrganizer_vCalTestCase03.vcs")
	ct, out, err := Canonical("text/x-vcalendar", data)
	if err != nil || ct != "text/calendar" || !bytes.Contains(out, []byte("VERSION:2.0")) {
		t.Fatalf("Canonical(vCalendar) = %q, %v\n%s", ct, err, out)
	}
	if !Equivalent("text/x-vcalendar", data, ct, out) && Describe(ct, out) != Describe("text/x-vcalendar", data) {
		t.Errorf("canonical form describes differently: %+v, %+v", Describe(ct, out), Describe("text/x-vcalendar", data))
	}
	task := fixture(t, evoTests+"eds_task.ics")
	if ct, out, err := Canonical("text/calendar", task); err != nil || ct != "text/calendar" || !bytes.Equal(out, task) {
		t.Errorf("Canonical(iCalendar task) changed it: %q, %v", ct, err)
	}
	if _, _, err := Canonical("application/octet-stream", []byte{0, 1}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Canonical(unknown) = %v", err)
	}
	if !strings.HasPrefix(string(out), "BEGIN:VCALENDAR\r\n") {
		t.Errorf("output starts %q", out[:20])
	}
}

// TestNormaliseVCard30 rewrites vCard 3.0 items that use vCard 2.1
// encodings.
func TestNormaliseVCard30(t *testing.T) {
	for _, in := range []string{
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b\r\nFN:b a\r\nTEL;CELL:1\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b\r\nFN;ENCODING=QUOTED-PRINTABLE:b=20a\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b\r\nFN;CHARSET=ISO-8859-1:b \xe4\r\nEND:VCARD\r\n",
	} {
		out := mustConvert(t, []byte(in), "text/vcard", "text/vcard")
		if bytes.Equal(out, []byte(in)) || bytes.Contains(out, []byte("CHARSET")) || bytes.Contains(out, []byte("ENCODING")) ||
			bytes.Contains(out, []byte("TEL;CELL")) {
			t.Errorf("not normalised:\n%s", out)
		}
		checkGoVCard(t, out)
	}
}
