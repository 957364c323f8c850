package pim

import (
	"os"
	"path/filepath"
	"testing"
)

// seedFromGlobs adds up to max fixture files matching the patterns (relative
// to ../shared/fixtures) as fuzz seeds; none when the fixtures are absent.
func seedFromGlobs(f *testing.F, max int, add func([]byte), patterns ...string) {
	dir, err := os.Getwd()
	if err != nil {
		return
	}
	for {
		root := filepath.Join(dir, "shared", "fixtures")
		if st, err := os.Stat(root); err == nil && st.IsDir() {
			n := 0
			for _, p := range patterns {
				files, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
				for _, file := range files {
					if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 && n < max {
						add(data)
						n++
					}
				}
			}
			return
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return
		}
		dir = parent
	}
}

// fuzzItem runs an item of one family through everything the engine does
// with a device's item: describe, canonical form, conversion both ways
// between the family's formats, and a three-way merge with itself.
func fuzzItem(t *testing.T, data []byte, types []string) {
	for _, ct := range types {
		checkRobust(t, ct, data)
		for _, to := range types {
			checkConvert(t, data, ct, to)
		}
		if cct, c, err := Canonical(ct, data); err == nil {
			if _, _, err := MergeTypes(cct, c, ct, data, cct, c, true); err != nil {
				t.Fatalf("%s: merging an item with its own canonical form: %v", ct, err)
			}
			_, _ = MarkCopy(ct, data, " (copy)")
		}
	}
}

// FuzzVCard: the vCard 2.1/3.0/4.0 reader, writer and merge.
func FuzzVCard(f *testing.F) {
	for _, s := range []string{juergen21, juergen30, "BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller=\n;Hans\nEND:VCARD\n"} {
		f.Add([]byte(s))
	}
	seedFromGlobs(f, 300, func(b []byte) { f.Add(b) }, ezText+"*.vcf", kdepimCard+"*.vcf", osData+"vcards/*/*.vcf",
		"kcontacts/autotests/data/*.vcf", "SyncMLDotNet/TestCase/vCard/*")
	types := []string{"text/x-vcard", "text/vcard"}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzItem(t, data, types) })
}

// FuzzCalendar: the vCalendar 1.0 / iCalendar 2.0 reader, writer and merge.
func FuzzCalendar(f *testing.F) {
	f.Add([]byte("BEGIN:VCALENDAR\nVERSION:1.0\nTZ:+01\nBEGIN:VEVENT\nDTSTART:20240101T100000\nRRULE:W1 MO #3\nAALARM:20240101T0900;;;\nEND:VEVENT\nEND:VCALENDAR\n"))
	seedFromGlobs(f, 300, func(b []byte) { f.Add(b) }, vcalDir+"*.vcs", evoTests+"eds_*.ics", "libical/test-data/*.ics",
		osData+"vevents/*/*.vcf", osData+"vtodos/*/*.vcf", "icalendar/src/icalendar/tests/calendars/*.ics")
	types := []string{"text/x-vcalendar", "text/calendar"}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzItem(t, data, types) })
}
