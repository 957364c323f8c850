package pim

import (
	"strings"
	"testing"
)

// TestCharsets: 8-bit values in the charsets phones use, declared by
// CHARSET or given as the device's default.
func TestCharsets(t *testing.T) {
	for _, tc := range []struct{ charset, in, want string }{
		{"ISO-8859-2", "\xa3\xf3d\xbc", "Łódź"},
		{"windows-1250", "\xa3\xf3d\x9f", "Łódź"},
		{"KOI8-R", "\xf0\xd5\xdb\xcb\xc9\xce", "Пушкин"},
		{"ISO-8859-7", "\xc1\xe8\xde\xed\xe1", "Αθήνα"},
		{"Shift_JIS", "\x93\x8c\x8b\x9e", "東京"},
		{"ISO-8859-1", "M\xfcller", "Müller"},
		{"", "M\xfcller", "Müller"},          // not UTF-8: windows-1252
		{"", "Müller", "Müller"},             // valid UTF-8 kept
		{"x-unknown", "M\xfcller", "Müller"}, // unknown: as without
	} {
		if got := toUTF8(tc.in, tc.charset); got != tc.want {
			t.Errorf("toUTF8(%q, %q) = %q, want %q", tc.in, tc.charset, got, tc.want)
		}
	}
	if !KnownCharset("iso-8859-5") || KnownCharset("x-unknown") {
		t.Error("KnownCharset")
	}
	// A vCard 2.1 with an 8-bit value and no CHARSET, read with a default.
	card := "BEGIN:VCARD\r\nVERSION:2.1\r\nN:\xa3\xf3d\xbc;Jan\r\nFN:Jan \xa3\xf3d\xbc\r\nEND:VCARD\r\n"
	out, err := Convert([]byte(card), "text/x-vcard", "text/vcard", ConvertOptions{DefaultCharset: "ISO-8859-2"})
	if err != nil || !strings.Contains(string(out), "FN:Jan Łódź") {
		t.Errorf("Convert with default ISO-8859-2: %v\n%s", err, out)
	}
}
