package pim

import "testing"

// versionByParse is what sourceFormat asked before declaredVersion: the
// VERSION of the first comp component of the parsed item.
func versionByParse(data []byte, comp string) string {
	if c := parse(data).find(comp); c != nil {
		return c.text("VERSION")
	}
	return ""
}

func TestDeclaredVersion(t *testing.T) {
	for _, tc := range []struct {
		data, comp, want string
		ok               bool
	}{
		{"BEGIN:VCARD\r\nVERSION:2.1\r\nN:A\r\nEND:VCARD\r\n", "VCARD", "2.1", true},
		{"\xef\xbb\xbfbegin:vcard\nversion: 3.0 \nEND:VCARD", "VCARD", "3.0", true},
		{"BEGIN:VCARD\rVERSION:2.1\rEND:VCARD", "VCARD", "2.1", true},
		{"BEGIN:VCALENDAR\nPRODID:x\nVERSION:1.0\nBEGIN:VEVENT\nEND:VEVENT\nEND:VCALENDAR", "VCALENDAR", "1.0", true},
		// Nested components: the parse decides.
		{"BEGIN:VCARD\nBEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nVERSION:2.1\nEND:VCARD", "VCARD", "", false},
		{"BEGIN:VCARD\n item\nVERSION:3.0\nEND:VCARD", "VCARD", "", false},
		{"BEGIN:VCARD\nitem1.VERSION:4.0\nVERSION:3.0\nEND:VCARD", "VCARD", "", false},
		// Not sure: the caller parses.
		{"BEGIN:VCARD\nN;ENCODING=QUOTED-PRINTABLE:a=\nVERSION:3.0\nEND:VCARD", "VCARD", "", false},
		{"BEGIN:VCARD\nVERSION:2.\n 1\nEND:VCARD", "VCARD", "", false},
		{"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR", "VCARD", "", false},
		{"BEGIN:VCARD\nN:A\nEND:VCARD", "VCARD", "", false},
		{"\xff\xfeB\x00E\x00G\x00I\x00N\x00", "VCARD", "", false},
	} {
		got, ok := declaredVersion([]byte(tc.data), tc.comp)
		if got != tc.want || ok != tc.ok {
			t.Errorf("declaredVersion(%q) = %q, %v; want %q, %v", tc.data, got, ok, tc.want, tc.ok)
		}
		if ok && versionByParse([]byte(tc.data), tc.comp) != got {
			t.Errorf("declaredVersion(%q) = %q, the parse says %q", tc.data, got, versionByParse([]byte(tc.data), tc.comp))
		}
	}
}

// FuzzDeclaredVersion: whenever the line scan is sure, it agrees with the
// parse.
func FuzzDeclaredVersion(f *testing.F) {
	for _, s := range []string{juergen21, juergen30,
		"BEGIN:VCARD\nBEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nVERSION:2.1\nEND:VCARD",
		"BEGIN:VCALENDAR\nVERSION:1.0\nEND:VCALENDAR"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, comp := range []string{"VCARD", "VCALENDAR"} {
			if got, ok := declaredVersion(data, comp); ok {
				if want := versionByParse(data, comp); got != want {
					t.Fatalf("declaredVersion(%q, %s) = %q, the parse says %q", data, comp, got, want)
				}
			}
		}
	})
}
