package pim

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameParse fails the test when the line splitting, parsing, the
// normalising check, splitUnescaped (of each line) or mediaType (of each
// line as a content type or its parameters) differ from the reference
// (parse_ref_test.go) for text.
func sameParse(t testing.TB, name, text string) {
	t.Helper()
	if got, want := physicalLines(text), physicalLinesRef(text); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: physicalLines\n%q\nreference\n%q", name, got, want)
	}
	lines := logicalLinesRef(text)
	if got := logicalLines(text); !reflect.DeepEqual(got, lines) {
		t.Fatalf("%s: logicalLines\n%q\nreference\n%q", name, got, lines)
	}
	for _, l := range append(lines, text) {
		for _, seps := range []string{";", ",", ";,"} {
			if got, want := splitUnescaped(l, seps), splitUnescapedRef(l, seps); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: splitUnescaped(%q, %q) = %q, reference %q", name, l, seps, got, want)
			}
		}
		for _, ct := range []string{l, "text/vcard;" + l, l + ";version=2.1"} {
			gb, gv := mediaType(ct)
			wb, wv := mediaTypeRef(ct)
			if gb != wb || gv != wv {
				t.Fatalf("%s: mediaType(%q) = %q, %q, reference %q, %q", name, ct, gb, gv, wb, wv)
			}
		}
	}
	for _, charset := range []string{"", "ISO-8859-1"} {
		got, want := parseLines(lines, charset), parseLinesRef(lines, charset)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: parseLines(%q)\n%+v\nreference\n%+v", name, charset, got, want)
		}
		if charset != "" {
			continue
		}
		if g, w := needsNormalising(text, lines, got), needsNormalisingRef(text, lines, want); g != w {
			t.Fatalf("%s: needsNormalising %v, reference %v", name, g, w)
		}
	}
}

// parseEdgeTexts are line breaks of every kind and in every combination,
// folded and QUOTED-PRINTABLE lines, bare parameters, and a component
// whose properties come between those of its children.
var parseEdgeTexts = []string{
	"", "\r", "\n", "\r\n", "\r\r\n", "\r\r\r\n", "\r\r\r\r\n", "\n\r", "\r\n\r", "\r\r", "\n\n", "a\rb\nc\r\nd\r\r\ne",
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:a;b\r\n  folded\r\n\r\n\tmore\r\nFN:x\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\nVERSION:2.1\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\n=0D=0Ab=\nEND:VCARD\n",
	"BEGIN:VCARD\rVERSION:3.0\rTEL;CELL:1\rTEL;:2\rTEL;TYPE=WORK;:3\rEND:VCARD\r",
	"BEGIN:VCALENDAR\r\r\nBEGIN:VEVENT\r\r\nSUMMARY:x\r\r\n y\r\r\nEND:VEVENT\r\r\nEND:VCALENDAR\r\r\n",
	"BEGIN:VCARD\r\nBEGIN:VCARD\r\nN:;\r\nEND:VCARD\r\nN:outer\r\nEND:VCARD\r\nEND:X\r\n",
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:M\xfcller\r\nFN:\xff\r\nEND:VCARD\r\n",
	"BEGIN:VCALENDAR\r\n" + strings.Repeat("X-A;TYPE=a,b:1\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nX-B;P=\"q;r\",s:2\r\nEND:VEVENT\r\n", 200) + "END:VCALENDAR\r\n",
}

// TestParserMatchesReference checks that the reader splits and parses
// every file of the shared fixtures that holds a vCard or an iCalendar
// object (and each object of it), and parseEdgeTexts, as the reference
// does.
func TestParserMatchesReference(t *testing.T) {
	for i, text := range parseEdgeTexts {
		sameParse(t, "edge "+string(rune('0'+i)), text)
	}
	root := fixturesDir(t)
	n := 0
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 || !bytes.Contains(bytes.ToUpper(data), []byte("BEGIN:V")) {
			return nil
		}
		name, _ := filepath.Rel(root, p)
		sameParse(t, name, decodeText(data))
		n++
		for _, comp := range []string{"VCARD", "VCALENDAR"} {
			for _, item := range splitItems(data, comp) {
				sameParse(t, name+" "+comp, string(item))
				n++
			}
		}
		return nil
	})
	if n == 0 {
		t.Fatalf("no vCard or iCalendar files under %s", root)
	}
	t.Logf("%d texts split and parse as the reference does", n)
}

// FuzzParserMatchesReference: the reader splits and parses any text as
// the reference does.
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzParserMatchesReference -fuzztime 1m
func FuzzParserMatchesReference(f *testing.F) {
	for _, s := range parseEdgeTexts {
		f.Add(s)
	}
	for _, s := range edgeVCards {
		f.Add(s)
	}
	f.Add(strings.Repeat("BEGIN:VEVENT\r\nX:1\r\n", 10))
	f.Fuzz(func(t *testing.T, text string) { sameParse(t, "fuzz", text) })
}
