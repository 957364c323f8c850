package pim

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEquivalentContact21And30(t *testing.T) {
	if !Equivalent("text/x-vcard", []byte(juergen21), "text/vcard", []byte(juergen30)) {
		t.Errorf("vCard 2.1 and 3.0 of the same contact are not Equivalent:\n%s\n---\n%s",
			strings.Join(canonical([]byte(juergen21)), "\n"), strings.Join(canonical([]byte(juergen30)), "\n"))
	}
	if !Equivalent("text/vcard", []byte(juergen30), "text/x-vcard", []byte(juergen21)) {
		t.Error("Equivalent is not symmetric")
	}
	changes := map[string]string{
		"other mobile number": strings.Replace(juergen30, "+491701111111", "+491702222222", 1),
		"other note":          strings.Replace(juergen30, "Zweite Zeile", "Dritte Zeile", 1),
		"other birthday":      strings.Replace(juergen30, "1980-03-22", "1980-03-23", 1),
		"extra property":      strings.Replace(juergen30, "END:VCARD", "TITLE:Dr.\nEND:VCARD", 1),
		"missing address":     strings.Replace(juergen30, "ADR;TYPE=HOME:;;Hauptstraße 1;München;;80331;Deutschland;;\n", "", 1),
		"phone type changed":  strings.Replace(juergen30, "TYPE=home;TYPE=voice", "TYPE=work", 1),
		"e-mail changed":      strings.Replace(juergen30, "JUERGEN.MUELLER", "JUERGEN.MEIER", 1),
		"umlaut dropped":      strings.Replace(juergen30, "N:Müller;Jürgen", "N:Muller;Jürgen", 1),
	}
	for name, other := range changes {
		if Equivalent("text/x-vcard", []byte(juergen21), "text/vcard", []byte(other)) {
			t.Errorf("%s: still Equivalent", name)
		}
	}
}

func TestEquivalentSmall(t *testing.T) {
	tests := []struct {
		name   string
		ctA, a string
		ctB, b string
		want   bool
	}{
		{"trailing empty components", "text/vcard", "BEGIN:VCARD\nVERSION:3.0\nN:Smith;Alice;;;\nFN:Alice Smith\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice Smith\r\nN:Smith;Alice\r\nEND:VCARD\r\n", true},
		{"parameter case and duplicates", "text/vcard", "BEGIN:VCARD\nFN:A\nTEL;TYPE=CELL;TYPE=cell:1\nEND:VCARD\n",
			"text/vcard", "begin:vcard\nfn:A\ntel;type=Cell:1\nend:vcard\n", true},
		{"PREF=1 of vCard 4.0", "text/vcard", "BEGIN:VCARD\nVERSION:4.0\nFN:A\nEMAIL;PREF=1:a@b.c\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nVERSION:2.1\nFN:A\nEMAIL;PREF;INTERNET:A@B.C\nEND:VCARD\n", true},
		{"windows-1252 and UTF-8", "text/vcard", "BEGIN:VCARD\nFN;CHARSET=windows-1252:\x80 K\xe4se\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nFN:€ Käse\nEND:VCARD\n", true},
		{"8-bit without charset read as Latin-1", "text/vcard", "BEGIN:VCARD\nFN:K\xe4se\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nFN:Käse\nEND:VCARD\n", true},
		{"base64 folding", "text/vcard", "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=BASE64;JPEG:QUJD\n REVG\n\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b;TYPE=JPEG:QUJDREVG\nEND:VCARD\n", true},
		{"base64 differs", "text/vcard", "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b;TYPE=JPEG:QUJD\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nFN:A\nPHOTO;ENCODING=b;TYPE=JPEG:QUJE\nEND:VCARD\n", false},
		{"group matters", "text/vcard", "BEGIN:VCARD\nFN:A\nitem1.EMAIL:a@b.c\nEND:VCARD\n",
			"text/vcard", "BEGIN:VCARD\nFN:A\nitem2.EMAIL:a@b.c\nEND:VCARD\n", false},
		{"categories order and separator", "text/calendar",
			"BEGIN:VCALENDAR\nVERSION:1.0\nBEGIN:VTODO\nSUMMARY:x\nCATEGORIES:Business;Birthday\nEND:VTODO\nEND:VCALENDAR\n",
			"text/calendar",
			"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nSUMMARY:x\nCATEGORIES:Birthday,Business\nEND:VTODO\nEND:VCALENDAR\n", true},
		{"event noise", "text/calendar",
			"BEGIN:VCALENDAR\nPRODID:a\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20240101T000000Z\nSUMMARY:x\nDTSTART:20240101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
			"text/calendar",
			"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:b\nCALSCALE:GREGORIAN\nBEGIN:VEVENT\nDTSTART:2024-01-01T10:00:00Z\nSUMMARY:x\nUID:1\nLAST-MODIFIED:20250101T000000Z\nEND:VEVENT\nEND:VCALENDAR\n", true},
		{"event moved", "text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nSUMMARY:x\nDTSTART:20240101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
			"text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nSUMMARY:x\nDTSTART:20240101T110000Z\nEND:VEVENT\nEND:VCALENDAR\n", false},
		{"alarm is part of the event", "text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nTRIGGER:-PT5M\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n",
			"text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nBEGIN:VALARM\nTRIGGER:-PT10M\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n", false},
		{"contact is not an event", "text/vcard", "BEGIN:VCARD\nFN:x\nEND:VCARD\n",
			"text/calendar", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nFN:x\nEND:VEVENT\nEND:VCALENDAR\n", false},
		{"plain notes, line endings", "text/plain", "Milch\r\nBrot  \r\n\r\n", "text/plain", "Milch\nBrot\n", true},
		{"plain notes differ", "text/plain", "Milch\nBrot", "text/plain", "Milch\nButter", false},
		{"plain note and vNote", "text/plain", "This is just a test\r\n",
			"text/x-vnote", "BEGIN:VNOTE\r\nVERSION:1.1\r\nBODY:This is just a test\r\nEND:VNOTE\r\n", true},
		{"unknown, line endings", "application/x-foo", "a\r\nb", "application/x-foo", "a\nb", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equivalent(tt.ctA, []byte(tt.a), tt.ctB, []byte(tt.b)); got != tt.want {
				t.Errorf("Equivalent = %v, want %v\nA: %q\nB: %q", got, tt.want,
					canonical([]byte(tt.a)), canonical([]byte(tt.b)))
			}
		})
	}
}

func TestEquivalentFixtures(t *testing.T) {
	same := func(a, b string) bool {
		return Equivalent("", fixture(t, a), "", fixture(t, b))
	}
	// opensync's "same" vNote differs only in its device LUID and dates.
	if !same(osData+"vnotes/vnote1.vnt", osData+"vnotes/vnote1-same.vnt") {
		t.Error("vnote1 and vnote1-same are not Equivalent")
	}
	if same(osData+"vnotes/vnote1.vnt", osData+"vnotes/vnote1-similar.vnt") {
		t.Error("vnote1 and vnote1-similar (other categories and class) are Equivalent")
	}
	// KDE's 2.1 and 3.0 exports of one contact: same key, but the 3.0 one
	// has CATEGORIES, CLASS and NICKNAME the 2.1 one lacks.
	a, b := kdepimCard+"kdepim-umlaute-2.1.vcf", kdepimCard+"kdepim-umlaute-3.0.vcf"
	if same(a, b) {
		t.Error("kdepim umlaute 2.1 and 3.0 are Equivalent although 3.0 has more fields")
	}
	if ka, kb := Describe("", fixture(t, a)).MatchKey, Describe("", fixture(t, b)).MatchKey; ka != kb {
		t.Errorf("kdepim umlaute 2.1 and 3.0 keys differ: %q, %q", ka, kb)
	}
}

// TestEquivalentReformatted reformats real items the way another device
// might (LF, other folding, reversed property order, lower-case names)
// and expects them to stay Equivalent to the original.
func TestEquivalentReformatted(t *testing.T) {
	files := []string{
		ezText + "John_Doe_MS_OUTLOOK.vcf", ezText + "John_Doe_IPHONE.vcf", ezText + "John_Doe_ANDROID.vcf",
		kdepimCard + "kdepim-umlaute-2.1.vcf", "opensync/tests/data/vcards/evolution2/evo2-umlaute.vcf",
		evoTests + "eds_event.ics", evoTests + "eds_task.ics", vcalDir + "KOrganizer_vCalTestCase03.vcs",
		osData + "vtodos/evolution2/todo-full1.vcf",
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			orig := fixture(t, f)
			re := reformat(string(orig))
			if !Equivalent("", orig, "", []byte(re)) {
				t.Errorf("not Equivalent after reformatting:\n%s", re)
			}
		})
	}
}

// reformat unfolds data, lower-cases property names, reverses the order
// of the properties within each component, writes LF and folds lines
// (other than QUOTED-PRINTABLE ones) every 30 bytes.
func reformat(data string) string {
	var out, props []string
	flush := func() {
		slices.Reverse(props)
		out = append(out, props...)
		props = nil
	}
	for _, l := range logicalLines(data) {
		up := strings.ToUpper(l)
		if strings.HasPrefix(up, "BEGIN:") || strings.HasPrefix(up, "END:") {
			flush()
			out = append(out, l)
			continue
		}
		if i := strings.IndexAny(l, ";:"); i > 0 {
			l = strings.ToLower(l[:i]) + l[i:]
		}
		if !isQP(l) {
			l = fold(l, 30)
		}
		props = append(props, l)
	}
	flush()
	return strings.Join(out, "\n") + "\n"
}

// fold breaks s into lines of at most n bytes, not inside a UTF-8
// sequence, continuation lines starting with a space.
func fold(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		i := n
		for i > 1 && s[i]&0xC0 == 0x80 {
			i--
		}
		b.WriteString(s[:i] + "\n ")
		s = s[i:]
	}
	b.WriteString(s)
	return b.String()
}
