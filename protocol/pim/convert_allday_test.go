package pim

import (
	"strings"
	"testing"
	"time"
)

// vcalEvent wraps event lines (and calendar lines such as TZ) in a
// vCalendar 1.0 item.
func vcalEvent(calLines, eventLines string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:1.0\r\n" + calLines + "BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:s\r\n" +
		eventLines + "END:VEVENT\r\nEND:VCALENDAR\r\n")
}

// icalEvent wraps event lines in an iCalendar 2.0 item.
func icalEvent(calLines, eventLines string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n" + calLines +
		"BEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:s\r\n" + eventLines + "END:VEVENT\r\nEND:VCALENDAR\r\n")
}

// propLine returns the unfolded line of the first property name of an
// item's first VEVENT, as "NAME;PARAMS:value", or "".
func propLine(data []byte, name string) string {
	in := false
	for _, l := range logicalLines(string(data)) {
		in = in || l == "BEGIN:VEVENT"
		if n, _, _ := strings.Cut(l, ":"); in && (n == name || strings.HasPrefix(n, name+";")) {
			return l
		}
	}
	return ""
}

const berlinTZ = "TZ:+01\r\nDAYLIGHT:TRUE;+02;20260329T020000;20261025T030000;CET;CEST\r\n"

// TestAllDayVCalToICal checks the all-day forms of vCalendar devices.
func TestAllDayVCalToICal(t *testing.T) {
	tests := []struct {
		name, cal, event, start, end string
	}{
		{"23:59 end", "", "DTSTART:20261201T000000\r\nDTEND:20261201T235900\r\n", "20261201", "20261202"},
		{"23:59:59 end at new year", "", "DTSTART:20261231T000000\r\nDTEND:20261231T235959\r\n", "20261231", "20270101"},
		{"date only", "", "DTSTART:20261201\r\nDTEND:20261201\r\n", "20261201", "20261202"},
		{"date only, no end", "", "DTSTART:20261201\r\n", "20261201", ""},
		{"midnight to midnight", "", "DTSTART:20261201T000000\r\nDTEND:20261203T000000\r\n", "20261201", "20261203"},
		{"three days", "", "DTSTART:20261201T000000\r\nDTEND:20261203T235900\r\n", "20261201", "20261204"},
		{"Funambol flag", "", "DTSTART:20261201T000000\r\nDTEND:20261201T000000\r\nX-FUNAMBOL-ALLDAY:1\r\n", "20261201", "20261202"},
		{"with TZ +14", "TZ:+14\r\n", "DTSTART:20261201T000000\r\nDTEND:20261201T235900\r\n", "20261201", "20261202"},
		{"with TZ -11", "TZ:-11\r\n", "DTSTART:20261201T000000\r\nDTEND:20261201T235900\r\n", "20261201", "20261202"},
		{"DST day", berlinTZ, "DTSTART:20260329T000000\r\nDTEND:20260329T235900\r\n", "20260329", "20260330"},
		{"leap day", "", "DTSTART:20280229T000000\r\nDTEND:20280229T235900\r\n", "20280229", "20280301"},
	}
	for _, tc := range tests {
		out := mustConvert(t, vcalEvent(tc.cal, tc.event), "text/x-vcalendar", "text/calendar")
		if got := propLine(out, "DTSTART"); got != "DTSTART;VALUE=DATE:"+tc.start {
			t.Errorf("%s: %q, want DTSTART;VALUE=DATE:%s", tc.name, got, tc.start)
		}
		wantEnd := ""
		if tc.end != "" {
			wantEnd = "DTEND;VALUE=DATE:" + tc.end
		}
		if got := propLine(out, "DTEND"); got != wantEnd {
			t.Errorf("%s: %q, want %q", tc.name, got, wantEnd)
		}
		back := mustConvert(t, out, "text/calendar", "text/x-vcalendar")
		if got := propLine(back, "DTSTART"); got != "DTSTART:"+tc.start+"T000000" {
			t.Errorf("%s: back %q", tc.name, got)
		}
	}
	// Timed events at midnight UTC are not all-day events.
	out := mustConvert(t, vcalEvent("", "DTSTART:20261201T000000Z\r\nDTEND:20261201T235900Z\r\n"), "text/x-vcalendar", "text/calendar")
	if got := propLine(out, "DTSTART"); got != "DTSTART:20261201T000000Z" {
		t.Errorf("UTC midnight: %q", got)
	}
}

// TestAllDayICalToVCal checks VALUE=DATE events in vCalendar.
func TestAllDayICalToVCal(t *testing.T) {
	tests := []struct {
		name, cal, event, start, end string
	}{
		{"one day", "", "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202\r\n", "20261201T000000", "20261201T235900"},
		{"no DTEND", "", "DTSTART;VALUE=DATE:20261201\r\n", "20261201T000000", "20261201T235900"},
		{"three days", "", "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261204\r\n", "20261201T000000", "20261203T235900"},
		{"DURATION", "", "DTSTART;VALUE=DATE:20261201\r\nDURATION:P2D\r\n", "20261201T000000", "20261202T235900"},
		{"year end", "", "DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n", "20261231T000000", "20261231T235900"},
		{"zone in the item", "BEGIN:VTIMEZONE\r\nTZID:Pacific/Kiritimati\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" +
			"TZOFFSETFROM:+1400\r\nTZOFFSETTO:+1400\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
			"DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202\r\n", "20261201T000000", "20261201T235900"},
	}
	for _, tc := range tests {
		out := mustConvert(t, icalEvent(tc.cal, tc.event), "text/calendar", "text/x-vcalendar")
		if got := propLine(out, "DTSTART"); got != "DTSTART:"+tc.start {
			t.Errorf("%s: %q, want DTSTART:%s", tc.name, got, tc.start)
		}
		if got := propLine(out, "DTEND"); got != "DTEND:"+tc.end {
			t.Errorf("%s: %q, want DTEND:%s", tc.name, got, tc.end)
		}
		back := mustConvert(t, out, "text/x-vcalendar", "text/calendar")
		if got := propLine(back, "DTSTART"); got != "DTSTART;VALUE=DATE:"+tc.start[:8] {
			t.Errorf("%s: back %q", tc.name, got)
		}
	}
}

// TestAllDayNeverShifts converts an all-day event on every day of a leap
// year both ways, in zones far east and west of UTC with daylight saving
// time, and checks the dates.
func TestAllDayNeverShifts(t *testing.T) {
	zones := []string{"", "TZ:+14\r\n", "TZ:-12\r\n",
		"TZ:-10\r\nDAYLIGHT:TRUE;-09;20280312T020000;20281105T020000;HST;HDT\r\n", berlinTZ}
	for _, tz := range zones {
		for d := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2028; d = d.AddDate(0, 0, 1) {
			day, next := d.Format(layoutDate), d.AddDate(0, 0, 1).Format(layoutDate)
			ic := mustConvert(t, vcalEvent(tz, "DTSTART:"+day+"T000000\r\nDTEND:"+day+"T235900\r\n"), "text/x-vcalendar", "text/calendar")
			if propLine(ic, "DTSTART") != "DTSTART;VALUE=DATE:"+day || propLine(ic, "DTEND") != "DTEND;VALUE=DATE:"+next {
				t.Fatalf("vCalendar %s (%q) became %q - %q", day, tz, propLine(ic, "DTSTART"), propLine(ic, "DTEND"))
			}
			vc := mustConvert(t, icalEvent("", "DTSTART;VALUE=DATE:"+day+"\r\nDTEND;VALUE=DATE:"+next+"\r\n"), "text/calendar", "text/x-vcalendar")
			if propLine(vc, "DTSTART") != "DTSTART:"+day+"T000000" || propLine(vc, "DTEND") != "DTEND:"+day+"T235900" {
				t.Fatalf("iCalendar %s became %q - %q", day, propLine(vc, "DTSTART"), propLine(vc, "DTEND"))
			}
		}
	}
}
