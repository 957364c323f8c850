package pim

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
)

// cardCorpus returns every vCard of the contact corpora, one per item,
// with the file it came from.
func cardCorpus(t *testing.T) (cards [][]byte, names []string) {
	root := sharedFixtures()
	if root == "" {
		return projectCards(t)
	}
	var files []string
	for _, pattern := range []string{
		ezText + "*.vcf", kdepimCard + "*.vcf", "kcontacts/autotests/data/*.vcf",
		evoTests + "eds_contact.vcf", "opensync/tests/data/vcards/evolution2/*.vcf",
		"sabre-vobject/tests/VObject/issue*.vcf", kdepimCard + "compare/*.vcf",
	} {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range splitItems(data, "VCARD") {
			cards = append(cards, c)
			names = append(names, filepath.Base(f)+"#"+string(rune('0'+i%10)))
		}
	}
	if len(cards) < 40 {
		t.Skipf("only %d vCards found under %s", len(cards), root)
	}
	return cards, names
}

// cardLines returns the decoded properties of a contact as canonical
// lines (see canonical in equivalent.go, which reads with the package's
// own line reader and ignores folding, QUOTED-PRINTABLE, CHARSET and
// property order), made independent of the version's spelling:
// VALUE=URL is VALUE=URI, value types implied by the property (DATE,
// DATE-TIME, TEXT, INLINE) go, and parameters in drop are removed.
func cardLines(data []byte, drop []string) []string {
	var out []string
	for _, l := range canonical(data) {
		for _, d := range drop {
			if name, param, ok := strings.Cut(d, ";"); ok && strings.HasPrefix(l, "VCARD/"+name+";") {
				l = removeParam(l, param)
			}
		}
		l = strings.Replace(l, `;VALUE="URL"`, `;VALUE="URI"`, 1)
		for _, v := range []string{`;VALUE="DATE"`, `;VALUE="INLINE"`} {
			l = strings.Replace(l, v, "", 1)
		}
		out = append(out, l)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// removeParam removes ";NAME=..." from a canonical line.
func removeParam(l, name string) string {
	head, value := cutUnquoted(l, ":")
	var keep []string
	for head != "" {
		seg, rest := cutUnquoted(head, ";")
		if !strings.HasPrefix(seg, name+"=") {
			keep = append(keep, seg)
		}
		head = strings.TrimPrefix(rest, ";")
	}
	return strings.Join(keep, ";") + value
}

// diffLines returns the lines of a missing from b and of b missing from a.
func diffLines(a, b []string) (onlyA, onlyB []string) {
	for _, l := range a {
		if !slices.Contains(b, l) {
			onlyA = append(onlyA, l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			onlyB = append(onlyB, l)
		}
	}
	return onlyA, onlyB
}

// addedNames reports whether every line is an N or FN line, which the
// conversion adds to cards without them.
func addedNames(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "VCARD/N:") && !strings.HasPrefix(l, "VCARD/FN:") {
			return false
		}
	}
	return true
}

// mustConvert converts or fails the test.
func mustConvert(t *testing.T, data []byte, from, to string) []byte {
	t.Helper()
	out, _, err := convert(data, from, to, ConvertOptions{})
	if err != nil {
		t.Fatalf("%s -> %s: %v\n%s", from, to, err, data)
	}
	return out
}

// checkGoVCard fails unless go-vcard reads every card of a vCard 3.0
// stream and finds the same number of properties our reader does.
func checkGoVCard(t *testing.T, out []byte) {
	t.Helper()
	dec := vcard.NewDecoder(bytes.NewReader(out))
	n := 0
	for {
		card, err := dec.Decode()
		if err != nil {
			if n == 0 || !errors.Is(err, io.EOF) {
				t.Fatalf("go-vcard cannot read card %d: %v\n%s", n, err, out)
			}
			break
		}
		n++
		if card.Value(vcard.FieldFormattedName) == "" && card.Get(vcard.FieldFormattedName) == nil {
			t.Errorf("card %d has no FN:\n%s", n, out)
		}
		if card.Get(vcard.FieldName) == nil {
			t.Errorf("card %d has no N:\n%s", n, out)
		}
	}
}

// TestVCardRoundTrip converts every card of the corpora to the other
// version and back and checks that every property, parameter and value
// survives (decoded, as the package's reader sees them). vCard 4.0 cards
// are first converted to 3.0 and that is round-tripped.
func TestVCardRoundTrip(t *testing.T) {
	cards, names := cardCorpus(t)
	counts := map[string]int{}
	for i, card := range cards {
		ver := cardFormat(parse(card).find("VCARD"))
		orig := card
		if ver == fmtVCard40 {
			orig = mustConvert(t, card, "text/vcard", "text/vcard")
			checkGoVCard(t, orig)
		}
		from, via := "text/vcard", "text/x-vcard"
		if ver == fmtVCard21 {
			from, via = via, from
		}
		mid := mustConvert(t, orig, from, via)
		back := mustConvert(t, mid, via, from)
		if via == "text/vcard" {
			checkGoVCard(t, mid)
		} else {
			checkGoVCard(t, back)
		}
		lost := Unrepresentable(from, via, orig)
		a, b := cardLines(orig, lost), cardLines(back, lost)
		if onlyA, onlyB := diffLines(a, b); len(onlyA) > 0 || !addedNames(onlyB) {
			t.Errorf("%s (%s via %s): lost %q, gained %q\nmiddle:\n%s", names[i], ver, via, onlyA, onlyB, mid)
			continue
		}
		// The intermediate 3.0 form of a 2.1 card holds everything too.
		if via == "text/vcard" {
			if onlyA, onlyB := diffLines(a, cardLines(mid, nil)); len(onlyA) > 0 || !addedNames(onlyB) {
				t.Errorf("%s: 3.0 form lost %q, gained %q", names[i], onlyA, onlyB)
			}
		}
		counts[ver.String()]++
	}
	t.Logf("round-tripped vCards: %v", counts)
	if counts["vCard 2.1"] < 15 || counts["vCard 3.0"] < 25 {
		t.Errorf("too few cards round-tripped: %v", counts)
	}
}

// TestVCard21To30 checks the details of the 2.1 to 3.0 conversion on a
// constructed card.
func TestVCard21To30(t *testing.T) {
	out := string(mustConvert(t, []byte(juergen21), "text/x-vcard", "text/vcard"))
	for _, want := range []string{
		"VERSION:3.0\r\n",
		"N:Müller;Jürgen;;;\r\n",
		"FN:Jürgen Müller\r\n",
		"TEL;TYPE=CELL,PREF:+49 170 1111111\r\n",
		"EMAIL;TYPE=INTERNET:juergen.mueller@example.org\r\n",
		"ADR;TYPE=HOME:;;Hauptstraße 1;München;;80331;Deutschland\r\n",
		`NOTE:Erste Zeile\nZweite Zeile\, mit Änderung` + "\r\n",
		"X-IRMC-LUID:000123\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	checkGoVCard(t, []byte(out))
	for _, l := range strings.Split(out, "\r\n") {
		if len(l) > foldOctets {
			t.Errorf("line longer than %d octets: %q", foldOctets, l)
		}
	}
}

// TestVCard30To21 checks the details of the 3.0 to 2.1 conversion.
func TestVCard30To21(t *testing.T) {
	in := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Müller\r\nN:Müller;Jürgen;;;\r\n" +
		"TEL;TYPE=cell,pref:+491701111111\r\nNOTE:Zeile 1\\nZeile 2\\, mit Komma\\; und Semikolon\r\n" +
		"PHOTO;ENCODING=b;TYPE=JPEG:" + strings.Repeat("QUJD", 40) + "\r\n" +
		"X-FOO;X-BAR=\"a:b\":baz\r\nitem1.EMAIL;TYPE=INTERNET:j@example.org\r\nEND:VCARD\r\n"
	out := string(mustConvert(t, []byte(in), "text/vcard", "text/x-vcard"))
	for _, want := range []string{
		"VERSION:2.1\r\n",
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n",
		"TEL;CELL;PREF:+491701111111\r\n",
		"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zeile 1=0D=0AZeile 2, mit Komm=\r\na; und Semikolon\r\n",
		"PHOTO;ENCODING=BASE64;JPEG:QUJD",
		"X-FOO:baz\r\n",
		"ITEM1.EMAIL;INTERNET:j@example.org\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if !strings.Contains(out, "\r\n\r\n") {
		t.Error("base64 value not ended by an empty line (vCard 2.1 2.1.3)")
	}
	if got := Unrepresentable("text/vcard", "text/x-vcard", []byte(in)); !slices.Equal(got, []string{"X-FOO;X-BAR"}) {
		t.Errorf("Unrepresentable = %q", got)
	}
	// QUOTED-PRINTABLE lines, soft line breaks included, stay within 76.
	long := strings.Replace(in, "NOTE:", "NOTE:"+strings.Repeat("äöü ", 40), 1)
	for _, l := range strings.Split(string(mustConvert(t, []byte(long), "text/vcard", "text/x-vcard")), "\r\n") {
		if len(l) > qpLineChars && !strings.HasPrefix(l, " ") {
			t.Errorf("line of %d characters: %q", len(l), l)
		}
	}
}

// TestVCardDerivedNames checks that a card without N or FN gets them.
func TestVCardDerivedNames(t *testing.T) {
	out := string(mustConvert(t, []byte("BEGIN:VCARD\nVERSION:2.1\nFN:John Doe\nEND:VCARD\n"), "text/x-vcard", "text/vcard"))
	if !strings.Contains(out, "N:Doe;John;;;\r\n") {
		t.Errorf("N not derived from FN:\n%s", out)
	}
	out = string(mustConvert(t, []byte("BEGIN:VCARD\nVERSION:2.1\nN:Doe;John;;Dr.;\nEND:VCARD\n"), "text/x-vcard", "text/vcard"))
	if !strings.Contains(out, "FN:Dr. John Doe\r\n") {
		t.Errorf("FN not derived from N:\n%s", out)
	}
	checkGoVCard(t, []byte(out))
}

// TestVCard40To30 reads vCard 4.0.
func TestVCard40To30(t *testing.T) {
	in := "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A B\r\nN:B;A;;;\r\nKIND:individual\r\n" +
		"TEL;VALUE=uri;PREF=1;TYPE=\"voice,cell\":tel:+1-555-555-5555\r\n" +
		"PHOTO:data:image/png;base64,iVBORw0KGgo=\r\nEND:VCARD\r\n"
	out := string(mustConvert(t, []byte(in), "text/vcard", "text/vcard"))
	for _, want := range []string{"VERSION:3.0\r\n", "TEL;TYPE=PREF,voice,cell:+1-555-555-5555\r\n",
		"PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgo=\r\n", "KIND:individual\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if got := Unrepresentable("text/vcard", "text/vcard", []byte(in)); !slices.Contains(got, "KIND") {
		t.Errorf("Unrepresentable = %q, want KIND", got)
	}
}

// TestVCardDefaultCharset reads unlabelled 8-bit vCard 2.1 values in the
// charset the options name.
func TestVCardDefaultCharset(t *testing.T) {
	in := []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN:M\xfcller;J\xfcrgen\r\nNOTE:\xc3\xa4\r\nEND:VCARD\r\n")
	out, err := Convert(in, "text/x-vcard", "text/vcard", ConvertOptions{DefaultCharset: "ISO-8859-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("N:Müller;Jürgen\r\n")) || !bytes.Contains(out, []byte("NOTE:Ã¤")) {
		t.Errorf("ISO-8859-1 not applied:\n%s", out)
	}
	out, _ = Convert(in, "text/x-vcard", "text/vcard", ConvertOptions{})
	if !bytes.Contains(out, []byte("NOTE:ä")) || !bytes.Contains(out, []byte("N:Müller")) {
		t.Errorf("default UTF-8 with windows-1252 fallback not applied:\n%s", out)
	}
}

// TestCanonicalContact checks identity and normalisation of vCard 3.0.
func TestCanonicalContact(t *testing.T) {
	clean := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nEND:VCARD\r\n")
	ct, out, err := Canonical("text/vcard", clean)
	if err != nil || ct != "text/vcard" || !bytes.Equal(out, clean) {
		t.Errorf("Canonical(clean 3.0) = %q, %q, %v", ct, out, err)
	}
	noN := []byte("BEGIN:VCARD\nVERSION:3.0\nFN:John Doe\nEND:VCARD\n")
	if _, out, _ := Canonical("text/vcard", noN); !bytes.Contains(out, []byte("N:Doe;John;;;\r\n")) {
		t.Errorf("3.0 without N not normalised:\n%s", out)
	}
	ct, out, err = Canonical("text/x-vcard", []byte(juergen21))
	if err != nil || ct != "text/vcard" || !bytes.Contains(out, []byte("VERSION:3.0")) {
		t.Errorf("Canonical(2.1) = %q, %s, %v", ct, out, err)
	}
	if !Equivalent("text/x-vcard", []byte(juergen21), ct, out) {
		t.Errorf("canonical form not Equivalent to the original:\n%s", out)
	}
}
