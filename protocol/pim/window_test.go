package pim

import (
	"testing"
	"time"
)

func TestEventEndsAfter(t *testing.T) {
	since := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ev := func(body string) []byte {
		return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
			"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
			"BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:e\r\n" + body + "END:VEVENT\r\nEND:VCALENDAR\r\n")
	}
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"future", ev("DTSTART:20260710T100000Z\r\nDTEND:20260710T110000Z\r\n"), true},
		{"past", ev("DTSTART:20260110T100000Z\r\nDTEND:20260110T110000Z\r\n"), false},
		{"ends inside", ev("DTSTART:20260531T220000Z\r\nDTEND:20260601T010000Z\r\n"), true},
		{"all-day, the day before", ev("DTSTART;VALUE=DATE:20260530\r\n"), false},
		{"all-day, the first day", ev("DTSTART;VALUE=DATE:20260601\r\n"), true},
		{"zoned, past", ev("DTSTART;TZID=Europe/Berlin:20260101T100000\r\nDURATION:PT1H\r\n"), false},
		{"weekly for ever", ev("DTSTART:20250110T100000Z\r\nDTEND:20250110T110000Z\r\nRRULE:FREQ=WEEKLY\r\n"), true},
		{"weekly until last year", ev("DTSTART:20250110T100000Z\r\nDTEND:20250110T110000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20251231T000000Z\r\n"), false},
		{"weekly until next month", ev("DTSTART:20250110T100000Z\r\nDTEND:20250110T110000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20260701T000000Z\r\n"), true},
		{"counted", ev("DTSTART:20250110T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"), true},
		{"unreadable", []byte("garbage"), true},
	} {
		if got := EventEndsAfter(tc.data, since); got != tc.want {
			t.Errorf("%s: EventEndsAfter = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTaskIncomplete(t *testing.T) {
	todo := func(body string) []byte {
		return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t\r\nSUMMARY:t\r\n" + body + "END:VTODO\r\nEND:VCALENDAR\r\n")
	}
	for body, want := range map[string]bool{
		"":                                    true,
		"STATUS:NEEDS-ACTION\r\n":             true,
		"STATUS:COMPLETED\r\n":                false,
		"COMPLETED:20260101T000000Z\r\n":      false,
		"STATUS:IN-PROCESS\r\nPRIORITY:1\r\n": true,
	} {
		if got := TaskIncomplete(todo(body)); got != want {
			t.Errorf("TaskIncomplete(%q) = %v, want %v", body, got, want)
		}
	}
}
