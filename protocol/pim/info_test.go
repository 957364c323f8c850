package pim

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
)

// The same contact as an old phone sends it (vCard 2.1, CRLF,
// QUOTED-PRINTABLE ISO-8859-1 with a soft line break, bare TEL;CELL
// parameters, spaced phone numbers) and as a smartphone sends it (vCard
// 3.0, LF, folded lines, other property order, lower-case names,
// upper-case e-mail, compact phone numbers).
const (
	juergen21 = "BEGIN:VCARD\r\n" +
		"VERSION:2.1\r\n" +
		"N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen;;;\r\n" +
		"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=\r\n" +
		"=FCller\r\n" +
		"TEL;CELL;PREF:+49 170 1111111\r\n" +
		"TEL;HOME:0049 (30) 123-4567\r\n" +
		"EMAIL;INTERNET:juergen.mueller@example.org\r\n" +
		"ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Hauptstra=DFe 1;M=FCnchen;;80331;Deutschland\r\n" +
		"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Erste Zeile=0D=0AZweite Zeile, mit =C4nderung\r\n" +
		"BDAY:19800322\r\n" +
		"REV:20240101T120000Z\r\n" +
		"X-IRMC-LUID:000123\r\n" +
		"END:VCARD\r\n"
	juergen30 = "BEGIN:VCARD\n" +
		"VERSION:3.0\n" +
		"PRODID:-//Apple Inc.//iPhone OS 17.0//EN\n" +
		"email;type=INTERNET:JUERGEN.MUELLER@EXAMPLE.ORG\n" +
		"tel;type=pref,cell:+491701111111\n" +
		"TEL;TYPE=home;TYPE=voice:+49301234567\n" +
		"N:Müller;Jürgen\n" +
		"FN:Jürgen\n" +
		"  Müller\n" +
		"ADR;TYPE=HOME:;;Hauptstraße 1;München;;80331;Deutschland;;\n" +
		"NOTE:Erste Zeile\\nZweite Zeile\\, mit Ände\n" +
		" rung\n" +
		"BDAY:1980-03-22\n" +
		"REV:2025-06-01T08:00:00Z\n" +
		"END:VCARD\n"
)

func TestDescribeConstructedContact(t *testing.T) {
	const key = "c:jürgen müller"
	for name, data := range map[string]string{"2.1": juergen21, "3.0": juergen30} {
		got := Describe("text/x-vcard", []byte(data))
		want := Info{MatchKey: key, Summary: "Jürgen Müller"}
		if got != want {
			t.Errorf("vCard %s: Describe = %+v, want %+v", name, got, want)
		}
	}
	// The key is the name alone: a copy with another number is a
	// candidate, and Match tells the two apart.
	other := strings.Replace(juergen30, "+491701111111", "+491702222222", 1)
	if got := Describe("text/vcard", []byte(other)).MatchKey; got != key {
		t.Errorf("contact with another mobile number has key %q, want %q", got, key)
	}
}

func TestDescribeContactFixtures(t *testing.T) {
	tests := []struct {
		file string
		want Info
	}{
		{kdepimCard + "kdepim-umlaute-2.1.vcf", Info{UID: "aZAQgtBIOB", Summary: "givenname familynames",
			// All phone numbers in this file are words: the key falls back to e-mail.
			MatchKey: "c:familynames givenname"}},
		{kdepimCard + "kdepim-umlaute-3.0.vcf", Info{UID: "aZAQgtBIOB", Summary: "givenname familynames",
			MatchKey: "c:familynames givenname"}},
		{"opensync/tests/data/vcards/evolution2/evo2-umlaute.vcf", Info{UID: "pas-id-421A5F6100000014",
			Summary: "Titleö Firstä Middleü Lastß Suffixö", MatchKey: "c:firstä lastß"}},
		{ezText + "John_Doe_MS_OUTLOOK.vcf", Info{Summary: "Mr. John Richter James Doe Sr.",
			MatchKey: "c:doe john"}},
		{ezText + "John_Doe_EVOLUTION.vcf", Info{UID: "477343c8e6bf375a9bac1f96a5000837",
			Summary: "Mr. John Richter, James Doe Sr.", MatchKey: "c:doe john"}},
		{ezText + "John_Doe_LOTUS_NOTES.vcf", Info{UID: "0e7602cc-443e-4b82-b4b1-90f62f99a199",
			Summary: "Mr. Doe John I Johny", MatchKey: "c:doe john"}},
		{ezText + "John_Doe_BLACK_BERRY.vcf", Info{Summary: "John Doe", MatchKey: "c:doe john"}},
		// The first card of the Android export has only an e-mail address.
		{ezText + "John_Doe_ANDROID.vcf", Info{Summary: "john.doe@company.com", MatchKey: "c:|john.doe@company.com"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			if got := Describe("text/x-vcard", fixture(t, tt.file)); got != tt.want {
				t.Errorf("Describe = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
}

// TestDescribeAndroidQP reads the QUOTED-PRINTABLE UTF-8 names with soft
// line breaks of the cards in the Android export.
func TestDescribeAndroidQP(t *testing.T) {
	cards := splitItems(fixture(t, ezText+"John_Doe_ANDROID.vcf"), "VCARD")
	if len(cards) < 5 {
		t.Fatalf("got %d cards, want at least 5", len(cards))
	}
	want := []Info{
		{Summary: "john.doe@company.com", MatchKey: "c:|john.doe@company.com"},
		{Summary: "jane.doe@company.com", MatchKey: "c:|jane.doe@company.com"},
		{Summary: "Ñ Ñ Ñ Ñ Ñ", MatchKey: "c:ñ ñ ñ ñ"},
		{Summary: "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", MatchKey: "c:ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ ñ"},
		{Summary: "Ñ Ñ Ñ Ñ", MatchKey: "c:ñ ñ ñ ñ ñ"},
	}
	for i, w := range want {
		if got := Describe("text/x-vcard", cards[i]); got != w {
			t.Errorf("card %d: Describe = %+v, want %+v", i, got, w)
		}
	}
}

// TestDescribeAgreesWithGoVCard checks the hand-written reader against
// go-vcard on the vCard 3.0 and 4.0 files go-vcard can read.
func TestDescribeAgreesWithGoVCard(t *testing.T) {
	files := []string{
		ezText + "John_Doe_EVOLUTION.vcf", ezText + "John_Doe_GMAIL.vcf", ezText + "John_Doe_IPHONE.vcf",
		ezText + "John_Doe_LOTUS_NOTES.vcf", ezText + "John_Doe_MAC_ADDRESS_BOOK.vcf",
		ezText + "rfc6350-example.vcf", kdepimCard + "kdepim-umlaute-3.0.vcf",
		"opensync/tests/data/vcards/evolution2/evo2-umlaute.vcf",
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data := fixture(t, f)
			card, err := vcard.NewDecoder(bytes.NewReader(data)).Decode()
			if err != nil {
				t.Skipf("go-vcard cannot read it: %v", err)
			}
			got := Describe("text/vcard", data)
			if fn := strings.TrimSpace(card.Value(vcard.FieldFormattedName)); fn != "" && got.Summary != fn {
				t.Errorf("Summary = %q, go-vcard FN = %q", got.Summary, fn)
			}
			if uid := strings.TrimSpace(card.Value(vcard.FieldUID)); got.UID != uid {
				t.Errorf("UID = %q, go-vcard UID = %q", got.UID, uid)
			}
		})
	}
}

func TestDescribeCalendarFixtures(t *testing.T) {
	tests := []struct {
		file string
		ct   string
		want Info
	}{
		{osData + "vevents/kdepim/1-hour-1.0.vcs", "text/x-vcalendar", Info{UID: "libkcal-774591933.717",
			Summary: "single 1 hour", MatchKey: "e:single 1 hour|20050101T110000Z"}},
		{osData + "vevents/kdepim/1-hour-2.0.ics", "text/calendar", Info{UID: "libkcal-774591933.717",
			Summary: "single 1 hour", MatchKey: "e:single 1 hour|20050101T110000Z"}},
		{osData + "vevents/evolution2/all-day.vcf", "text/calendar", Info{UID: "20050329T110812Z-4349-1000-1-3@craal",
			Summary: "all day event1", MatchKey: "e:all day event1|20050101"}},
		{evoTests + "eds_event.ics", "text/calendar", Info{UID: "20060406T211449Z-4562-727-1-63@gollum",
			Summary: "phone meeting", MatchKey: "e:phone meeting|20060406T140000Z"}},
		{osData + "vtodos/kdepim/todo-full1.vcs", "text/x-vcalendar", Info{UID: "libkcal-862506927.303",
			Summary: "title", MatchKey: "t:title|20050313T010300Z"}},
		{osData + "vtodos/evolution2/todo-full1.vcf", "text/calendar", Info{UID: "20050306T005538Z-4378-1000-1-28@azrael",
			Summary: "summary", MatchKey: "t:summary|20050329T233000Z"}},
		{evoTests + "eds_task.ics", "", Info{UID: "20090401T145153Z-22321-1000-1-18@pohly-MOBL",
			Summary:  "test task with plenty of fields",
			MatchKey: matchKey("t:", "test task with plenty of fields|20090502T170000Z")}},
		{vcalDir + "KOrganizer_vCalTestCase01.vcs", "text/x-vcalendar", Info{UID: "KOrganizer-45214176.303",
			Summary:  "20. Mai 2005, 19-20 Uhr, alle 3 Monate am -2. Fr, 17 mal",
			MatchKey: matchKey("e:", "20. mai 2005, 19-20 uhr, alle 3 monate am -2. fr, 17 mal|20050520T170000Z")}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			if got := Describe(tt.ct, fixture(t, tt.file)); got != tt.want {
				t.Errorf("Describe = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
}

// TestVCalendarMatchesICalendar: KCalendarCore's vCalendar 1.0 test cases
// and the iCalendar 2.0 it converts them to are the same events.
func TestVCalendarMatchesICalendar(t *testing.T) {
	dir := filepath.Join(fixturesDir(t), filepath.FromSlash(vcalDir))
	vcs, _ := filepath.Glob(filepath.Join(dir, "KOrganizer_vCalTestCase*.vcs"))
	if len(vcs) == 0 {
		t.Skip("kcalendarcore vCalendar test cases not found")
	}
	for _, f := range vcs {
		rel, _ := filepath.Rel(fixturesDir(t), f)
		v1 := Describe("text/x-vcalendar", fixture(t, rel))
		v2 := Describe("text/calendar", fixture(t, rel+".ical.ref"))
		if v1.MatchKey == "" || v1.UID == "" || v1 != v2 {
			t.Errorf("%s: vCalendar %+v\n iCalendar %+v", filepath.Base(f), v1, v2)
		}
	}
}

func TestDescribeConstructedEvents(t *testing.T) {
	tests := []struct {
		name string
		v1   string // vCalendar 1.0
		v2   string // iCalendar 2.0
		key  string
	}{
		{
			name: "local time with TZ property",
			v1: "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01\r\nBEGIN:VEVENT\r\n" +
				"SUMMARY;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Zahnarzt M=FCller\r\n" +
				"DTSTART:20240305T093000\r\nDTEND:20240305T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			v2: "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20240305T083000Z\n" +
				"SUMMARY:Zahnarzt  Müller \nEND:VEVENT\nEND:VCALENDAR\n",
			key: "e:zahnarzt müller|20240305T083000Z",
		},
		{
			name: "all-day",
			v1: "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:Maifeiertag\r\n" +
				"DTSTART:20240501T000000\r\nDTEND:20240501T235900\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
			v2: "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:Maifeiertag\nDTSTART;VALUE=DATE:20240501\n" +
				"DTEND;VALUE=DATE:20240502\nEND:VEVENT\nEND:VCALENDAR\n",
			key: "e:maifeiertag|20240501",
		},
		{
			name: "extended ISO form",
			v1: "BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VTODO\nSUMMARY:Steuer\nDUE:2024-05-31T22:00:00Z\n" +
				"END:VTODO\nEND:VCALENDAR\n",
			v2:  "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nSUMMARY:steuer\nDUE:20240531T220000Z\nEND:VTODO\nEND:VCALENDAR\n",
			key: "t:steuer|20240531T220000Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k1 := Describe("text/x-vcalendar", []byte(tt.v1)).MatchKey
			k2 := Describe("text/calendar", []byte(tt.v2)).MatchKey
			if k1 != tt.key || k2 != tt.key {
				t.Errorf("keys %q and %q, want %q", k1, k2, tt.key)
			}
		})
	}
}

func TestDescribeNotes(t *testing.T) {
	memos := splitItems(fixture(t, evoTests+"eds_memo.ics"), "VCALENDAR")
	if len(memos) < 4 {
		t.Fatalf("got %d memos, want 4", len(memos))
	}
	tests := []struct {
		name string
		ct   string
		data []byte
		want Info
	}{
		{"vjournal summary only", "text/calendar", memos[0], Info{Summary: "Only Summary", MatchKey: "n:only summary"}},
		{"vjournal", "text/calendar", memos[1], Info{Summary: "Summary", MatchKey: "n:summary body <<revision>>"}},
		{"vjournal umlauts", "text/calendar", memos[3], Info{Summary: "Umlaute", MatchKey: "n:umlaute ä ö ü ä ö ü"}},
		{"vnote", "text/x-vnote", fixture(t, osData+"vnotes/vnote1.vnt"),
			Info{Summary: "This is a summary", MatchKey: "n:this is just a test"}},
		{"plain", "text/plain", []byte("\r\n  Einkaufsliste  \r\nMilch\r\n\tBrot\r\n"),
			Info{Summary: "Einkaufsliste", MatchKey: "n:einkaufsliste milch brot"}},
		{"plain latin-1", "text/plain", []byte("K\xe4se"), Info{Summary: "Käse", MatchKey: "n:käse"}},
		{"long line", "text/plain", []byte(strings.Repeat("ä", 100)),
			Info{Summary: strings.Repeat("ä", 80), MatchKey: matchKey("n:", strings.Repeat("ä", 100))}},
		{"empty", "text/plain", []byte(" \r\n "), Info{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.ct, tt.data); got != tt.want {
				t.Errorf("Describe = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMatchKeyLength(t *testing.T) {
	long := matchKey("n:", strings.Repeat("x", 200))
	if len(long) != 34 || !strings.HasPrefix(long, "n:") {
		t.Errorf("long key %q: want n: and 32 hex digits", long)
	}
	if long != matchKey("n:", strings.Repeat("x", 200)) {
		t.Error("hashed keys differ for the same input")
	}
	if short := matchKey("c:", "a|1"); short != "c:a|1" {
		t.Errorf("short key = %q", short)
	}
}
