package pim

import (
	"strings"
	"testing"
	"time"
)

// westEurope is what Outlook and Exchange send for "W. Europe Standard
// Time": Bias -60, daylight saving time from the last Sunday of March
// 02:00 to the last Sunday of October 03:00, DaylightBias -60.
var westEurope = (&easTZ{
	bias: -60, stdName: "W. Europe Standard Time", std: systemTime{month: 10, day: 5, hour: 3},
	dstName: "W. Europe Daylight Time", dst: systemTime{month: 3, day: 5, hour: 2}, dstBias: -60,
}).String()

// sameOffsets checks z against an Olson zone at every sixth hour of local
// wall-clock time in 2026–2028 (offsetAt takes local time; transitions at
// 01:00–03:00 are not hit, so no time is ambiguous).
func sameOffsets(t *testing.T, z *zone, loc *time.Location) {
	t.Helper()
	for at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2029; at = at.Add(6 * time.Hour) {
		_, want := time.Date(at.Year(), at.Month(), at.Day(), at.Hour(), 0, 0, 0, loc).Zone()
		if got := z.offsetAt(at); got != time.Duration(want)*time.Second {
			t.Fatalf("%s: offset %v, %s has %ds", at, got, loc, want)
		}
	}
}

func TestEASTimeZoneBlob(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone database")
	}
	z, err := parseEASTimeZone(westEurope)
	if err != nil {
		t.Fatal(err)
	}
	if z.bias != -60 || z.dstBias != -60 || z.stdName != "W. Europe Standard Time" ||
		z.std != (systemTime{month: 10, day: 5, hour: 3}) || z.dst != (systemTime{month: 3, day: 5, hour: 2}) {
		t.Fatalf("decoded %#v", *z)
	}
	if z.String() != westEurope {
		t.Errorf("re-encoded blob differs:\n%s\n%s", z.String(), westEurope)
	}
	sameOffsets(t, z.zone(), berlin)

	// Olson zone -> blob -> zone keeps the offsets.
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		b := easTZOf(&zone{tzid: name, loc: loc}, 2026)
		back, err := parseEASTimeZone(b.String())
		if err != nil {
			t.Fatal(err)
		}
		sameOffsets(t, back.zone(), loc)
	}

	tzid, vtz, err := EASTimeZoneToVTimezone(westEurope)
	if err != nil || tzid != "W. Europe Standard Time" {
		t.Fatalf("TZID %q, %v", tzid, err)
	}
	for _, want := range []string{"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZOFFSETTO:+0200", "DTSTART:19701025T030000"} {
		if !strings.Contains(string(vtz), want) {
			t.Errorf("VTIMEZONE lacks %s:\n%s", want, vtz)
		}
	}
	if _, err := parseEASTimeZone("AAAA"); err == nil {
		t.Error("a short blob must be refused")
	}
}
