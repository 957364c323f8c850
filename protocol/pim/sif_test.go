package pim

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

// has fails unless every line of want is a line of got (CRLF or LF).
func hasLines(t *testing.T, got []byte, want ...string) {
	t.Helper()
	lines := physicalLines(string(got))
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("missing line %q in\n%s", w, got)
		}
	}
}

// The conversions Horde's Funambol test case shows in its data.txt.
func TestSIFEventFromHordeData(t *testing.T) {
	allDay := `<appointment><AllDayEvent>1</AllDayEvent><Start>2007-01-01</Start><End>2007-01-01</End><Body>Test Aumlaut: Ä</Body><BusyStatus>0</BusyStatus><Importance>1</Importance><IsRecurring>0</IsRecurring><Location>everywhere</Location><ReminderMinutesBeforeStart>1080</ReminderMinutesBeforeStart><ReminderSet>0</ReminderSet><Sensitivity>0</Sensitivity><Subject>new year all day client1</Subject><RecurrenceType>1</RecurrenceType><Interval>1</Interval><DayOfWeekMask>2</DayOfWeekMask><NoEndDate>1</NoEndDate></appointment>`
	out, err := Convert([]byte(base64.StdEncoding.EncodeToString([]byte(allDay))), SIFEvent, "text/calendar", ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hasLines(t, out, "SUMMARY:new year all day client1", "DESCRIPTION:Test Aumlaut: Ä", "LOCATION:everywhere",
		"DTSTART;VALUE=DATE:20070101", "DTEND;VALUE=DATE:20070102", "TRANSP:TRANSPARENT")
	if strings.Contains(string(out), "RRULE") || strings.Contains(string(out), "VALARM") {
		t.Errorf("a pattern or reminder that is not set was converted:\n%s", out)
	}

	alarm := `<appointment><AllDayEvent>0</AllDayEvent><Start>20070107T220000Z</Start><End>20070107T223000Z</End><ReminderMinutesBeforeStart>30</ReminderMinutesBeforeStart><ReminderSet>1</ReminderSet><Subject>Client2 23:00-23:30</Subject></appointment>`
	out, err = Convert([]byte(alarm), SIFEvent, "text/x-vcalendar", ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Horde made AALARM:20070107T213000Z of it.
	hasLines(t, out, "DTSTART:20070107T220000Z", "DTEND:20070107T223000Z", "AALARM:20070107T213000Z")

	// And back: Horde's server event as the client got it.
	ical := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20070106T050000Z\r\nDTEND:20070106T060000Z\r\n" +
		"UID:20070105223408.6wew7kh5jag4@voltaire.local\r\nSUMMARY:all day three kings server1\r\nTRANSP:OPAQUE\r\n" +
		"ORGANIZER;CN=syncmltest:MAILTO:syncmltest\r\nDESCRIPTION:test uumlaut\\: ü\r\nCATEGORIES:holiday\r\n" +
		"LOCATION:almost everywhere\r\nCLASS:PUBLIC\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	sif, err := Convert([]byte(ical), "text/calendar", SIFEvent, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<AllDayEvent>0</AllDayEvent>", "<Body>test uumlaut: ü</Body>", "<BusyStatus>2</BusyStatus>",
		"<Categories>holiday</Categories>", "<End>20070106T060000Z</End>", "<IsRecurring>0</IsRecurring>",
		"<Location>almost everywhere</Location>", "<Sensitivity>0</Sensitivity>", "<Start>20070106T050000Z</Start>",
		"<Subject>all day three kings server1</Subject>"} {
		if !strings.Contains(string(sif), want) {
			t.Errorf("missing %s in %s", want, sif)
		}
	}
	if got := Unrepresentable("text/calendar", SIFEvent, []byte(ical)); !slices.Equal(got, []string{"ORGANIZER", "UID"}) {
		t.Errorf("Unrepresentable = %v", got)
	}
}

// What SIF cannot carry, by name, for each kind.
func TestSIFUnrepresentable(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:abc\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nGEO:1.5;2.5\r\n" +
		"EMAIL:a@x.org\r\nEMAIL:b@x.org\r\nEMAIL:c@x.org\r\nEMAIL:d@x.org\r\nTEL;TYPE=CELL:1\r\nTEL;TYPE=CELL:2\r\n" +
		"ADR;TYPE=HOME:;Flat 3;Street 1;Town;;;\r\nPHOTO;VALUE=URI:http://x/p.jpg\r\nX-FOO:bar\r\nX-SIF-HOBBY:golf\r\n" +
		"ORG:Acme;Dept;Team\r\nEND:VCARD\r\n"
	want := []string{"ADR;EXTENDED", "EMAIL", "GEO", "ORG", "PHOTO;VALUE=URI", "UID", "X-FOO"}
	if got := Unrepresentable("text/vcard", SIFContact, []byte(card)); !slices.Equal(got, want) {
		t.Errorf("contact: Unrepresentable = %v, want %v", got, want)
	}
	sif, err := Convert([]byte(card), "text/vcard", SIFContact, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The second mobile number is not lost: it goes to a free phone field.
	for _, w := range []string{"<MobileTelephoneNumber>1</MobileTelephoneNumber>", "<OtherTelephoneNumber>2</OtherTelephoneNumber>",
		"<Hobby>golf</Hobby>", "<FileAs>Doe, Jane</FileAs>", "<HomeAddressStreet>Street 1</HomeAddressStreet>"} {
		if !strings.Contains(string(sif), w) {
			t.Errorf("missing %s in %s", w, sif)
		}
	}

	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20240105T100000Z\r\nDURATION:PT1H\r\n" +
		"SUMMARY:S\r\nATTENDEE:mailto:a@x.org\r\nGEO:1;2\r\nRRULE:FREQ=DAILY;BYHOUR=9,10\r\nSTATUS:TENTATIVE\r\n" +
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER:-PT1M\r\nEND:VALARM\r\n" +
		"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:u1\r\nRECURRENCE-ID:20240106T100000Z\r\nDTSTART:20240106T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	want = []string{"ATTENDEE", "GEO", "RRULE", "STATUS", "UID", "VALARM", "VEVENT"}
	if got := Unrepresentable("text/calendar", SIFEvent, []byte(event)); !slices.Equal(got, want) {
		t.Errorf("event: Unrepresentable = %v, want %v", got, want)
	}
	note := "BEGIN:VNOTE\r\nVERSION:1.1\r\nBODY:hello\r\nCATEGORIES:x\r\nEND:VNOTE\r\n"
	if got := Unrepresentable("text/x-vnote", SIFNote, []byte(note)); !slices.Contains(got, "CATEGORIES") {
		t.Errorf("note: Unrepresentable = %v, want CATEGORIES in it", got)
	}
	if got := Unrepresentable(SIFNote, "text/plain", []byte("<note><Subject>a</Subject><Body>a</Body><Color>3</Color></note>")); !slices.Equal(got, []string{"Color"}) {
		t.Errorf("SIF note to text: Unrepresentable = %v", got)
	}
}

// Recurrence patterns both ways.
func TestSIFRecurrence(t *testing.T) {
	for _, c := range []struct{ rule, fields string }{
		{"FREQ=DAILY;INTERVAL=2", "<RecurrenceType>0</RecurrenceType><Interval>2</Interval>"},
		{"FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "<RecurrenceType>1</RecurrenceType><Interval>1</Interval><DayOfWeekMask>10</DayOfWeekMask><NoEndDate>0</NoEndDate><Occurrences>10</Occurrences>"},
		{"FREQ=MONTHLY;BYMONTHDAY=15", "<RecurrenceType>2</RecurrenceType><Interval>1</Interval><DayOfMonth>15</DayOfMonth>"},
		{"FREQ=MONTHLY;BYDAY=-1FR", "<RecurrenceType>3</RecurrenceType><Interval>1</Interval><DayOfWeekMask>32</DayOfWeekMask><Instance>5</Instance>"},
		{"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", "<DayOfWeekMask>62</DayOfWeekMask><Instance>1</Instance>"},
		{"FREQ=YEARLY;UNTIL=20300101T000000Z;BYMONTH=3;BYMONTHDAY=4", "<RecurrenceType>5</RecurrenceType><Interval>1</Interval><DayOfMonth>4</DayOfMonth><MonthOfYear>3</MonthOfYear><NoEndDate>0</NoEndDate><PatternEndDate>20300101T000000Z</PatternEndDate>"},
	} {
		ical := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20240304T100000Z\r\nDTEND:20240304T110000Z\r\n" +
			"SUMMARY:r\r\nRRULE:" + c.rule + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		sif, err := Convert([]byte(ical), "text/calendar", SIFEvent, ConvertOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		if !strings.Contains(string(sif), c.fields) || !strings.Contains(string(sif), "<IsRecurring>1</IsRecurring>") {
			t.Errorf("%s: got %s, want %s", c.rule, sif, c.fields)
		}
		if !Equivalent("text/calendar", []byte(ical), SIFEvent, sif) {
			back, _ := Convert(sif, SIFEvent, "text/calendar", ConvertOptions{})
			t.Errorf("%s: SIF not equivalent to the original; back:\n%s", c.rule, back)
		}
	}
}

// A SIF device's copy of a vCard item is its twin: Equivalent, with the
// same match key, although the vCard has a UID SIF cannot hold.
func TestSIFTwin(t *testing.T) {
	card := []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nUID:123\r\nN:Müller;Hans\r\nFN:Hans Müller\r\nTEL;CELL:+49 170 1234\r\n" +
		"EMAIL;INTERNET:hans@example.org\r\nNOTE;ENCODING=QUOTED-PRINTABLE:line1=0D=0Aline2\r\nEND:VCARD\r\n")
	sif, err := Convert(card, "text/x-vcard", SIFContact, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !Equivalent("text/x-vcard", card, SIFContact, sif) || !Equivalent(SIFContact, sif, "text/x-vcard", card) {
		t.Errorf("SIF copy not Equivalent:\n%s", sif)
	}
	if a, b := Describe("text/x-vcard", card), Describe(SIFContact, sif); a.MatchKey != b.MatchKey || a.Summary != b.Summary {
		t.Errorf("Describe: vCard %+v, SIF %+v", a, b)
	}
	changed := strings.Replace(string(sif), "hans@example.org", "hans@example.com", 1)
	if Equivalent("text/x-vcard", card, SIFContact, []byte(changed)) {
		t.Error("a changed e-mail address is Equivalent")
	}
	// A SIF note and the same text.
	if !Equivalent(SIFNote, []byte("<note><Subject>a</Subject><Body>a\r\nb</Body></note>"), "text/plain", []byte("a\nb\n")) {
		t.Error("SIF note and its text are not Equivalent")
	}
}

func TestSIFMalformed(t *testing.T) {
	for _, in := range []string{"", "<contact>", "<contact><A>x</B></contact>", "not xml", "<a/><b/>", "<!DOCTYPE x [<!ENTITY e 'x'>]><contact>&e;</contact>"} {
		_, err := Convert([]byte(in), SIFContact, "text/vcard", ConvertOptions{})
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v, want ErrMalformed", in, err)
		}
	}
	if _, err := Convert([]byte("<task><Subject>x</Subject></task>"), SIFTask, SIFEvent, ConvertOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("task to SIF-E: err = %v, want ErrUnsupported", err)
	}
	if _, err := Convert([]byte("BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n"), "text/vcard", SIFEvent, ConvertOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("vCard to SIF-E: err = %v, want ErrUnsupported", err)
	}
}

// Tasks: dates, completion, priority, reminder.
func TestSIFTask(t *testing.T) {
	sif := `<task><Subject>Pay</Subject><DueDate>2024-05-06</DueDate><Complete>1</Complete><Importance>2</Importance><ReminderSet>1</ReminderSet><ReminderTime>20240505T080000Z</ReminderTime><PercentComplete>100</PercentComplete></task>`
	out, err := Convert([]byte(sif), SIFTask, "text/calendar", ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hasLines(t, out, "BEGIN:VTODO", "DUE;VALUE=DATE:20240506", "STATUS:COMPLETED", "PRIORITY:1", "PERCENT-COMPLETE:100",
		"TRIGGER;VALUE=DATE-TIME:20240505T080000Z")
	back, err := Convert(out, "text/calendar", SIFTask, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !Equivalent(SIFTask, []byte(sif), SIFTask, back) {
		t.Errorf("task round trip:\n%s", back)
	}
}
