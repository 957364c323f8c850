package pim

import (
	"strings"
	"testing"
)

func cal(name, value string) EASField { return EASField{Space: "Calendar", Name: name, Value: value} }

func TestEASEventRoundTrip(t *testing.T) {
	fields := []EASField{
		cal("TimeZone", westEurope), cal("AllDayEvent", "0"),
		cal("StartTime", "20260302T080000Z"), cal("EndTime", "20260302T090000Z"),
		cal("UID", "uid-1@example.org"), cal("Subject", "Weekly, Jour fixe"), cal("Location", "Raum 1"),
		cal("BusyStatus", "2"), cal("Sensitivity", "0"), cal("Reminder", "15"),
		cal("OrganizerName", "Jörg"), cal("OrganizerEmail", "joerg@example.org"),
		{Space: "Calendar", Name: "Categories", Items: []string{"Work"}},
		{Space: "Calendar", Name: "Attendees", Children: []EASField{{Name: "Attendee", Children: []EASField{
			cal("Email", "ann@example.org"), cal("Name", "Ann"), cal("AttendeeStatus", "3"), cal("AttendeeType", "1")}}}},
		{Space: "Calendar", Name: "Recurrence", Children: []EASField{cal("Type", "1"), cal("Interval", "1"), cal("DayOfWeek", "2"), cal("Occurrences", "10")}},
		{Space: "Calendar", Name: "Exceptions", Children: []EASField{
			{Name: "Exception", Children: []EASField{cal("Deleted", "1"), cal("ExceptionStartTime", "20260309T080000Z")}},
			// Summer time: the 09:00 local meeting is at 07:00 UTC.
			{Name: "Exception", Children: []EASField{cal("ExceptionStartTime", "20260406T070000Z"),
				cal("StartTime", "20260406T080000Z"), cal("EndTime", "20260406T090000Z"), cal("Subject", "Moved")}},
		}},
		{Space: "AirSyncBase", Name: "Body", Value: "Agenda"},
	}
	ical, lost, err := EASEventToICal(fields)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) > 0 {
		t.Errorf("lost %v", lost)
	}
	s := strings.ReplaceAll(string(ical), "\r\n ", "") // unfold
	for _, want := range []string{
		"DTSTART;TZID=W. Europe Standard Time:20260302T090000", "RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO",
		"EXDATE;TZID=W. Europe Standard Time:20260309T090000", "RECURRENCE-ID;TZID=W. Europe Standard Time:20260406T090000",
		"DTSTART;TZID=W. Europe Standard Time:20260406T100000", `SUMMARY:Weekly\, Jour fixe`, "SUMMARY:Moved",
		"TRIGGER;RELATED=START:-PT15M", "ATTENDEE;CN=Ann;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:ann@example.org",
		"ORGANIZER;CN=Jörg:mailto:joerg@example.org", "BEGIN:VTIMEZONE", "DESCRIPTION:Agenda", "CATEGORIES:Work",
	} {
		if !strings.Contains(s, want+"\r\n") {
			t.Errorf("iCalendar lacks %q:\n%s", want, s)
		}
	}
	back, lost, err := ICalToEASEvent(ical)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) > 0 {
		t.Errorf("back: lost %v", lost)
	}
	for _, n := range []string{"StartTime", "EndTime", "UID", "Subject", "Location", "BusyStatus", "Reminder", "OrganizerEmail", "AllDayEvent"} {
		if got, want := easGet(back, n), easGet(fields, n); got != want {
			t.Errorf("%s: %q, want %q", n, got, want)
		}
	}
	tz, err := parseEASTimeZone(easGet(back, "TimeZone"))
	if err != nil || tz.bias != -60 || tz.dstBias != -60 || tz.dst.month != 3 || tz.std.month != 10 {
		t.Errorf("TimeZone back: %v %v", tz, err)
	}
	r, _ := easField(back, "Recurrence")
	if easGet(r.Children, "Type") != "1" || easGet(r.Children, "DayOfWeek") != "2" || easGet(r.Children, "Occurrences") != "10" {
		t.Errorf("Recurrence back: %+v", r.Children)
	}
	ex, _ := easField(back, "Exceptions")
	if len(ex.Children) != 2 || easGet(ex.Children[0].Children, "ExceptionStartTime") != "20260309T080000Z" ||
		easGet(ex.Children[1].Children, "StartTime") != "20260406T080000Z" || easGet(ex.Children[1].Children, "Subject") != "Moved" {
		t.Errorf("Exceptions back: %+v", ex.Children)
	}
	a, _ := easField(back, "Attendees")
	if len(a.Children) != 1 || easGet(a.Children[0].Children, "AttendeeStatus") != "3" {
		t.Errorf("Attendees back: %+v", a.Children)
	}
}

func TestEASEventAllDayAndUTC(t *testing.T) {
	utc := (&easTZ{}).String()
	ical, _, err := EASEventToICal([]EASField{cal("TimeZone", utc), cal("AllDayEvent", "1"),
		cal("StartTime", "2026-12-24T00:00:00.000Z"), cal("EndTime", "20261226T000000Z"), cal("Subject", "Feiertage")})
	if err != nil {
		t.Fatal(err)
	}
	s := string(ical)
	if !strings.Contains(s, "DTSTART;VALUE=DATE:20261224\r\n") || !strings.Contains(s, "DTEND;VALUE=DATE:20261226\r\n") || strings.Contains(s, "VTIMEZONE") {
		t.Errorf("all-day event:\n%s", s)
	}
	back, _, err := ICalToEASEvent(ical)
	if err != nil {
		t.Fatal(err)
	}
	if easGet(back, "AllDayEvent") != "1" || easGet(back, "StartTime") != "20261224T000000Z" || easGet(back, "TimeZone") != utc {
		t.Errorf("all-day back: %+v", back)
	}
	// A UTC event stays in UTC (Z-Push turns UTC into Africa/Abidjan).
	ical, _, _ = EASEventToICal([]EASField{cal("TimeZone", utc), cal("StartTime", "20260101T100000Z"), cal("EndTime", "20260101T110000Z")})
	if !strings.Contains(string(ical), "DTSTART:20260101T100000Z\r\n") {
		t.Errorf("UTC event:\n%s", ical)
	}
	if _, _, err := EASEventToICal([]EASField{cal("Subject", "no start")}); err == nil {
		t.Error("an event without StartTime must be refused")
	}
}

func TestEASTaskRoundTrip(t *testing.T) {
	task := func(n, v string) EASField { return EASField{Space: "Tasks", Name: n, Value: v} }
	fields := []EASField{
		task("Subject", "Steuer, Erklärung"), task("Importance", "2"), task("Sensitivity", "0"),
		task("UTCDueDate", "2026-05-31T22:00:00.000Z"), task("DueDate", "2026-06-01T00:00:00.000Z"),
		task("Complete", "1"), task("DateCompleted", "2026-05-30T10:00:00.000Z"),
		task("ReminderSet", "1"), task("ReminderTime", "2026-05-30T08:00:00.000Z"),
		{Space: "Tasks", Name: "Categories", Items: []string{"Home"}},
		{Space: "AirSyncBase", Name: "Body", Value: "Belege"},
	}
	ical, lost, err := EASTaskToICal(fields)
	if err != nil || len(lost) > 0 {
		t.Fatalf("%v, lost %v", err, lost)
	}
	s := string(ical)
	for _, want := range []string{"DUE:20260531T220000Z", `SUMMARY:Steuer\, Erklärung`, "PRIORITY:1", "STATUS:COMPLETED",
		"COMPLETED:20260530T100000Z", "TRIGGER;VALUE=DATE-TIME:20260530T080000Z", "CATEGORIES:Home", "DESCRIPTION:Belege"} {
		if !strings.Contains(s, want+"\r\n") {
			t.Errorf("VTODO lacks %q:\n%s", want, s)
		}
	}
	back, lost, err := ICalToEASTask(ical)
	if err != nil || len(lost) > 0 {
		t.Fatalf("%v, lost %v", err, lost)
	}
	for _, n := range []string{"Subject", "Importance", "UTCDueDate", "Complete", "DateCompleted", "ReminderSet", "ReminderTime"} {
		if got, want := easGet(back, n), easGet(fields, n); got != want {
			t.Errorf("%s: %q, want %q", n, got, want)
		}
	}
}
