package pim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

// checkCRLF fails if out has a line ending other than CRLF or does not end
// with one.
func checkCRLF(t *testing.T, out []byte) {
	t.Helper()
	if bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) || !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Errorf("output has line endings other than CRLF:\n%q", out)
	}
}

func TestConcatVCards(t *testing.T) {
	items := [][]byte{
		[]byte(juergen30), // LF
		fixture(t, kdepimCard+"kdepim-umlaute-2.1.vcf"),
		append([]byte("\xEF\xBB\xBF\r\n"), juergen21+"\r\n\r\n"...), // BOM, blank lines
		nil,
		fixture(t, ezText+"John_Doe_ANDROID.vcf"), // five cards in one item
	}
	out := ConcatVCards(items)
	checkCRLF(t, out)
	var want [][]byte // the cards of the inputs, one by one
	for _, it := range items {
		want = append(want, splitItems(it, "VCARD")...)
	}
	cards := splitItems(out, "VCARD")
	if len(cards) != len(want) || len(cards) < 8 {
		t.Fatalf("got %d cards, want %d", len(cards), len(want))
	}
	if !bytes.HasPrefix(out, []byte("BEGIN:VCARD\r\nVERSION:3.0\r\n")) {
		t.Errorf("output starts %q", out[:40])
	}
	// Every card reads back as it was, QP soft line breaks included.
	for i := range want {
		if got, w := Describe("text/vcard", cards[i]), Describe("text/vcard", want[i]); got != w {
			t.Errorf("card %d: %+v, want %+v", i, got, w)
		}
		if !Equivalent("text/vcard", cards[i], "text/vcard", want[i]) {
			t.Errorf("card %d changed in the export", i)
		}
	}
	if len(ConcatVCards(nil)) != 0 {
		t.Error("no items should give an empty stream")
	}
}

func TestMergeCalendars(t *testing.T) {
	var items [][]byte
	items = append(items, splitItems(fixture(t, evoTests+"eds_event.ics"), "VCALENDAR")...)
	items = append(items, splitItems(fixture(t, evoTests+"eds_task.ics"), "VCALENDAR")...)
	items = append(items, splitItems(fixture(t, evoTests+"eds_memo.ics"), "VCALENDAR")...)
	items = append(items, fixture(t, osData+"vtodos/evolution2/todo-full1.vcf"))
	items = append(items, fixture(t, osData+"vevents/evolution2/all-day.vcf"))
	items = append(items, fixture(t, osData+"vevents/kdepim/1-hour-2.0.ics"))

	// What the inputs hold, counted on the text.
	want := map[string]int{}
	zones := map[string]bool{}
	for _, it := range items {
		for _, name := range []string{"VEVENT", "VTODO", "VJOURNAL"} {
			want[name] += strings.Count(strings.ToUpper(string(it)), "BEGIN:"+name+"\n") +
				strings.Count(strings.ToUpper(string(it)), "BEGIN:"+name+"\r\n")
		}
		root := parse(it)
		for _, c := range root.children {
			for _, z := range c.children {
				if z.name == "VTIMEZONE" {
					zones[z.text("TZID")] = true
				}
			}
		}
	}
	if want["VEVENT"] < 5 || want["VTODO"] < 2 || want["VJOURNAL"] < 4 || len(zones) < 3 {
		t.Fatalf("fixtures hold less than expected: %v, zones %v", want, zones)
	}

	out, err := MergeCalendars(items)
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, out)
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the merged calendar: %v\n%s", err, out)
	}
	if v := cal.Props.Get("VERSION"); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION = %v, want 2.0", v)
	}
	if p := cal.Props.Get("PRODID"); p == nil || p.Value != ProdID {
		t.Errorf("PRODID = %v, want %q", p, ProdID)
	}
	got := map[string]int{}
	gotZones := map[string]int{}
	for _, c := range cal.Children {
		got[c.Name]++
		if c.Name == "VTIMEZONE" {
			gotZones[c.Props.Get("TZID").Value]++
		}
	}
	for _, name := range []string{"VEVENT", "VTODO", "VJOURNAL"} {
		if got[name] != want[name] {
			t.Errorf("%d %s, want %d", got[name], name, want[name])
		}
	}
	for tz := range zones {
		if gotZones[tz] != 1 {
			t.Errorf("VTIMEZONE %s appears %d times, want once", tz, gotZones[tz])
		}
	}
	if len(gotZones) != len(zones) {
		t.Errorf("zones %v, want %v", gotZones, zones)
	}
	// A component keeps its nested VALARMs and detached recurrences keep
	// their RECURRENCE-ID: the events read back as the inputs described them.
	for _, c := range cal.Children {
		if c.Name == "VEVENT" && c.Props.Get("UID") == nil {
			t.Errorf("event without UID in output")
		}
	}
}

func TestMergeCalendarsVCalendar(t *testing.T) {
	items := [][]byte{
		fixture(t, vcalDir+"KOrganizer_vCalTestCase01.vcs"),
		fixture(t, osData+"vtodos/kdepim/todo-full1.vcs"),
	}
	out, err := MergeCalendars(items)
	if err != nil {
		t.Fatal(err)
	}
	checkCRLF(t, out)
	s := string(out)
	for _, want := range []string{"UID:KOrganizer-45214176.303\r\n", "UID:libkcal-862506927.303\r\n", "BEGIN:VTODO\r\n", "VERSION:2.0\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(s, "VERSION:1.0") {
		t.Error("output carries the vCalendar VERSION")
	}
	// The merged calendar describes as the first event.
	if got, want := Describe("text/calendar", out), Describe("text/x-vcalendar", items[0]); got != want {
		t.Errorf("Describe(merged) = %+v, want %+v", got, want)
	}
}

func TestMergeCalendarsErrors(t *testing.T) {
	for name, item := range map[string]string{
		"no component": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
		"unterminated": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\n",
		"not calendar": "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n",
	} {
		if _, err := MergeCalendars([][]byte{[]byte(item)}); err == nil || !strings.Contains(err.Error(), "item 0") {
			t.Errorf("%s: err = %v, want an error naming item 0", name, err)
		}
	}
	out, err := MergeCalendars(nil)
	if err != nil || string(out) != "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"+ProdID+"\r\nEND:VCALENDAR\r\n" {
		t.Errorf("MergeCalendars(nil) = %q, %v", out, err)
	}
}

func TestConcatNotes(t *testing.T) {
	memos := splitItems(fixture(t, evoTests+"eds_memo.ics"), "VCALENDAR")
	items := [][]byte{
		[]byte("Einkauf\n\nMilch  \nBrot\n\n"),
		fixture(t, osData+"vnotes/vnote1.vnt"),
		[]byte("   \r\n"), // empty: skipped
		memos[3],
	}
	out := ConcatNotes(items)
	checkCRLF(t, out)
	want := "Einkauf\r\n\r\nMilch\r\nBrot\r\n" + NoteSeparator +
		"This is just a test\r\n" + NoteSeparator +
		"Umlaute\r\nä ö ü Ä Ö Ü\r\n"
	if string(out) != want {
		t.Errorf("ConcatNotes =\n%q\nwant\n%q", out, want)
	}
	if parts := strings.Split(string(out), "\r\n"+NoteSeparator); len(parts) != 3 {
		t.Errorf("splitting at the separator gives %d notes, want 3", len(parts))
	}
}
