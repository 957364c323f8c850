package pim

// Benchmarks of the item codecs on the engine's hot paths: every uploaded
// item is described (UID, match key) and made canonical, every item sent to
// a device of another format is converted, and an incoming item is compared
// with the stored one by Equivalent.
//
//	go test -run '^$' -bench . -benchmem ./protocol/pim/
//
// One op is one pass over a corpus; MB/s counts the corpus's input bytes and
// ns/item is the mean per item. The fixture corpora (real device exports,
// ../shared/fixtures, read at run time) are skipped with a message when
// ../shared is absent; the generated contacts (as peer-bench/gen_vcards.py
// writes them, the cards of the bench-peer and 100,000-contact runs) need
// nothing.

import (
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// benchCorpus is a set of items of one format, each with its conversion to
// the other format of its kind.
type benchCorpus struct {
	ct, otherCT string
	items       [][]byte
	others      [][]byte // items[i] converted to otherCT
	size        int64
}

// add keeps data if it converts to the other format and has a canonical
// form; the benchmarks measure the work the engine does on good items.
func (c *benchCorpus) add(data []byte) {
	other, err := Convert(data, c.ct, c.otherCT, ConvertOptions{})
	if err != nil {
		return
	}
	if _, _, err := Canonical(c.ct, data); err != nil {
		return
	}
	c.items = append(c.items, data)
	c.others = append(c.others, other)
	c.size += int64(len(data))
}

// benchFiles reads the items of the files matching the patterns (relative
// to the fixtures directory), cut into one item per BEGIN:split object when
// split is not "".
func benchFiles(b *testing.B, split string, patterns ...string) [][]byte {
	b.Helper()
	root := fixturesDir(b)
	var items [][]byte
	for _, pattern := range patterns {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		for _, f := range m {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			if split == "" {
				items = append(items, data)
			} else {
				items = append(items, splitItems(data, split)...)
			}
		}
	}
	return items
}

// vcardVersion is the VERSION of a vCard item ("2.1", "3.0", ...), or "".
func vcardVersion(data []byte) string {
	for _, l := range physicalLines(string(data)) {
		if v, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(l)), "VERSION:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// fixtureCards returns the vCard 3.0 and 2.1 items of the real-export
// corpora (Android, BlackBerry, Outlook, iPhone, Mac, Gmail, Evolution,
// KDE PIM, SyncEvolution's test contacts; with photos and sounds).
func fixtureCards(b *testing.B) (v30, v21 *benchCorpus) {
	v30 = &benchCorpus{ct: "text/vcard", otherCT: "text/x-vcard"}
	v21 = &benchCorpus{ct: "text/x-vcard", otherCT: "text/vcard"}
	for _, item := range benchFiles(b, "VCARD", ezText+"*.vcf", kdepimCard+"*.vcf", "kcontacts/autotests/data/*.vcf",
		evoTests+"eds_contact.vcf", "opensync/tests/data/vcards/evolution2/*.vcf") {
		switch vcardVersion(item) {
		case "3.0":
			v30.add(item)
		case "2.1":
			v21.add(item)
		}
	}
	if len(v30.items) < 10 || len(v21.items) < 10 {
		b.Skipf("only %d vCard 3.0 and %d vCard 2.1 items in the fixtures", len(v30.items), len(v21.items))
	}
	return v30, v21
}

// The names, streets, cities and organisations of the generated contacts.
var (
	benchGiven     = []string{"Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "John"}
	benchFamily    = []string{"Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Johnson"}
	benchUTF8Names = [][2]string{{"Jörg", "Müller"}, {"Łukasz", "Wiśniewski"}, {"Ólafur", "Þórsson"},
		{"伟", "李"}, {"Νίκος", "Παπαδόπουλος"}, {"Дмитрий", "Иванов"}}
	benchStreets = []string{"Hauptstraße", "Main Street", "Rue de la Paix", "Königsallee"}
	benchCities  = [][3]string{{"Berlin", "10115", "Germany"}, {"London", "NW1 6XE", "United Kingdom"},
		{"München", "80331", "Germany"}, {"Springfield", "62701", "USA"}}
	benchOrgs = []string{"ACME Corp.", "Globex", "Umbrella GmbH", ""}
)

// generatedPerson is the i-th generated contact's given and family name
// and e-mail address (every fourth non-ASCII).
func generatedPerson(rnd *rand.Rand, i int) (g, f, email string) {
	g, f = benchGiven[rnd.Intn(len(benchGiven))], benchFamily[rnd.Intn(len(benchFamily))]
	email = fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(g), strings.ToLower(f), i)
	if i%4 == 3 {
		g, f = benchUTF8Names[(i/4)%len(benchUTF8Names)][0], benchUTF8Names[(i/4)%len(benchUTF8Names)][1]
		email = fmt.Sprintf("user%d@example.org", i)
	}
	return g, f, email
}

// generatedCards returns n contacts as peer-bench/gen_vcards.py writes them
// (name, two phones, e-mail, address, organisation, note; every fourth name
// non-ASCII), about 330 bytes each, and their vCard 2.1 conversions.
func generatedCards(b *testing.B, n int) (v30, v21 *benchCorpus) {
	rnd := rand.New(rand.NewSource(42))
	v30 = &benchCorpus{ct: "text/vcard", otherCT: "text/x-vcard"}
	for i := 0; i < n; i++ {
		g, f, email := generatedPerson(rnd, i)
		city := benchCities[rnd.Intn(len(benchCities))]
		var s strings.Builder
		fmt.Fprintf(&s, "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-42-%06d\r\nN:%s;%s;;;\r\nFN:%s %s\r\n", i, f, g, g, f)
		fmt.Fprintf(&s, "TEL;TYPE=CELL:+49 170 %d\r\nTEL;TYPE=WORK:+49 30 %d\r\n", 1000000+rnd.Intn(9000000), 100000+rnd.Intn(900000))
		fmt.Fprintf(&s, "EMAIL;TYPE=INTERNET:%s\r\n", email)
		fmt.Fprintf(&s, "ADR;TYPE=HOME:;;%s %d;%s;;%s;%s\r\n", benchStreets[rnd.Intn(len(benchStreets))], 1+rnd.Intn(200), city[0], city[1], city[2])
		if org := benchOrgs[rnd.Intn(len(benchOrgs))]; org != "" {
			fmt.Fprintf(&s, "ORG:%s\r\n", org)
		}
		fmt.Fprintf(&s, "NOTE:Contact number %d\r\nEND:VCARD\r\n", i)
		v30.add([]byte(s.String()))
	}
	v21 = &benchCorpus{ct: "text/x-vcard", otherCT: "text/vcard"}
	for _, o := range v30.others {
		v21.add(o)
	}
	if len(v30.items) != n || len(v21.items) != n {
		b.Fatalf("generated contacts: %d vCard 3.0 and %d vCard 2.1 of %d convert", len(v30.items), len(v21.items), n)
	}
	return v30, v21
}

// fixtureCalendars returns the iCalendar 2.0 and vCalendar 1.0 events and
// tasks of the corpora (Evolution, KOrganizer, kcalendarcore, biweekly and
// the constructed vCalendar items of the conversion tests; recurrences with
// exceptions, alarms, time zones, all-day events).
func fixtureCalendars(b *testing.B) (ical, vcal *benchCorpus) {
	ical = &benchCorpus{ct: "text/calendar", otherCT: "text/x-vcalendar"}
	vcal = &benchCorpus{ct: "text/x-vcalendar", otherCT: "text/calendar"}
	for _, item := range benchFiles(b, "VCALENDAR", evoTests+"eds_event.ics", evoTests+"eds_task.ics",
		evoTests+"eds_event-alarms-*.ics", osData+"vevents/evolution2/*.vcf", osData+"vtodos/evolution2/*.vcf",
		osData+"vevents/kdepim/*.ics", vcalDir+"*.ical.ref", vcalDir+"*.ics.all") {
		ical.add(item)
	}
	for _, item := range benchFiles(b, "", vcalDir+"*.vcs", vcalDir+"*.vcs.all", "biweekly/src/test/resources/biweekly/io/text/*.vcs",
		osData+"vevents/kdepim/*.vcs", osData+"vtodos/kdepim/*.vcs") {
		vcal.add(item)
	}
	for _, name := range slices.Sorted(maps.Keys(constructedVCal)) {
		vcal.add([]byte(constructedVCal[name])) // TZ and DAYLIGHT, alarms, QUOTED-PRINTABLE (convert_cal_test.go)
	}
	if len(ical.items) < 10 || len(vcal.items) < 10 {
		b.Skipf("only %d iCalendar and %d vCalendar items in the fixtures", len(ical.items), len(vcal.items))
	}
	return ical, vcal
}

// run times f over every item of c per op.
func (c *benchCorpus) run(b *testing.B, f func(i int) error) {
	b.Helper()
	b.SetBytes(c.size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range c.items {
			if err := f(i); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(c.items)), "ns/item")
	b.ReportMetric(float64(len(c.items)), "items")
}

// runOps runs the codec operations on the corpora: parse, Convert to the
// other format, Canonical, Describe, and Equivalent of each item with its
// conversion.
func runOps(b *testing.B, corpora map[string]*benchCorpus) {
	for _, name := range slices.Sorted(maps.Keys(corpora)) {
		c := corpora[name]
		b.Run("parse/"+name, func(b *testing.B) {
			c.run(b, func(i int) error {
				if parse(c.items[i]) == nil {
					return fmt.Errorf("item %d: no tree", i)
				}
				return nil
			})
		})
		b.Run("convert/"+name, func(b *testing.B) {
			c.run(b, func(i int) error {
				_, err := Convert(c.items[i], c.ct, c.otherCT, ConvertOptions{})
				return err
			})
		})
		b.Run("canonical/"+name, func(b *testing.B) {
			c.run(b, func(i int) error {
				_, _, err := Canonical(c.ct, c.items[i])
				return err
			})
		})
		b.Run("describe/"+name, func(b *testing.B) {
			c.run(b, func(i int) error {
				Describe(c.ct, c.items[i])
				return nil
			})
		})
		if c.ct == "text/vcard" {
			// What the EAS front end does to every contact it sends.
			b.Run("eas/"+name, func(b *testing.B) {
				c.run(b, func(i int) error {
					_, _, err := VCardToEASContact(c.items[i])
					return err
				})
			})
		}
		b.Run("equivalent/"+name, func(b *testing.B) {
			c.run(b, func(i int) error {
				Equivalent(c.ct, c.items[i], c.otherCT, c.others[i])
				return nil
			})
		})
	}
}

// BenchmarkVCardGenerated: 1,000 generated contacts of about 330 bytes,
// vCard 3.0 (convert: to 2.1) and their vCard 2.1 form (convert: to 3.0).
func BenchmarkVCardGenerated(b *testing.B) {
	v30, v21 := generatedCards(b, 1000)
	runOps(b, map[string]*benchCorpus{"3.0": v30, "2.1": v21})
}

// BenchmarkVCardFixtures: the real vCard exports of ../shared/fixtures.
func BenchmarkVCardFixtures(b *testing.B) {
	v30, v21 := fixtureCards(b)
	runOps(b, map[string]*benchCorpus{"3.0": v30, "2.1": v21})
}

// BenchmarkCalendarFixtures: the iCalendar 2.0 (convert: to vCalendar 1.0)
// and vCalendar 1.0 (convert: to iCalendar 2.0) items of ../shared/fixtures.
func BenchmarkCalendarFixtures(b *testing.B) {
	ical, vcal := fixtureCalendars(b)
	runOps(b, map[string]*benchCorpus{"ical2.0": ical, "vcal1.0": vcal})
}

// generatedEASContacts returns n contacts as TbSync uploads them (the
// ApplicationData of coresession's benchHTTPContact: names, two phones, an
// e-mail address, a home address, the company and a plain-text body;
// every fourth name non-ASCII), as the EAS front end reads them.
func generatedEASContacts(n int) [][]EASField {
	rnd := rand.New(rand.NewSource(42))
	out := make([][]EASField, n)
	for i := range out {
		g, f, email := generatedPerson(rnd, i)
		city := benchCities[rnd.Intn(len(benchCities))]
		c := func(name, value string) EASField { return EASField{Space: "Contacts", Name: name, Value: value} }
		fields := []EASField{c("FirstName", g), c("LastName", f),
			c("MobilePhoneNumber", fmt.Sprintf("+49 170 %d", 1000000+rnd.Intn(9000000))),
			c("BusinessPhoneNumber", fmt.Sprintf("+49 30 %d", 100000+rnd.Intn(900000))),
			c("Email1Address", email),
			c("HomeStreet", fmt.Sprintf("%s %d", benchStreets[rnd.Intn(len(benchStreets))], 1+rnd.Intn(200))),
			c("HomeCity", city[0]), c("HomePostalCode", city[1]), c("HomeCountry", city[2])}
		if org := benchOrgs[rnd.Intn(len(benchOrgs))]; org != "" {
			fields = append(fields, c("CompanyName", org))
		}
		out[i] = append(fields, EASField{Space: "AirSyncBase", Name: "Body", Value: fmt.Sprintf("Contact number %d", i)})
	}
	return out
}

// BenchmarkEASContactToVCard: what the EAS front end does to every
// contact a device uploads, over 1,000 generated contacts.
func BenchmarkEASContactToVCard(b *testing.B) {
	contacts := generatedEASContacts(1000)
	b.ReportAllocs()
	for b.Loop() {
		for _, fields := range contacts {
			if card, _ := EASContactToVCard(fields); len(card) == 0 {
				b.Fatal("no vCard")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(contacts)), "ns/item")
}
