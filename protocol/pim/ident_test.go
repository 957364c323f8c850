package pim

import (
	"slices"
	"testing"
)

func TestIdentifiers(t *testing.T) {
	tests := []struct {
		name, ct, data string
		want           []string
	}{
		{"contact without UID", "text/vcard",
			"BEGIN:VCARD\nVERSION:3.0\nFN:A\nEMAIL:Ann@Example.ORG\nEMAIL:mailto:ann@example.org\nTEL:0049 170 1\nEND:VCARD\n",
			[]string{"email:ann@example.org", "tel:+491701"}},
		{"contact with UID, vCard 2.1", "text/x-vcard",
			"BEGIN:VCARD\r\nVERSION:2.1\r\nUID:u-1\r\nN:B;;;;\r\nEND:VCARD\r\n",
			[]string{"uid:u-1"}},
		{"event", "text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Lunch\nDTSTART:20240506T120000Z\nEND:VEVENT\nEND:VCALENDAR\n",
			[]string{"e:lunch|20240506T120000Z"}},
		{"event without DTSTART", "text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:e-1\nSUMMARY:Lunch\nEND:VEVENT\nEND:VCALENDAR\n",
			[]string{"uid:e-1"}},
		{"task", "text/calendar",
			"BEGIN:VCALENDAR\nBEGIN:VTODO\nSUMMARY:Pay\nDUE;VALUE=DATE:20240506\nEND:VTODO\nEND:VCALENDAR\n",
			[]string{"t:pay|20240506"}},
		{"note", "text/plain", "\n  Shopping \nmilk\n", []string{"line:Shopping"}},
		{"nothing", "text/vcard", "BEGIN:VCARD\nVERSION:3.0\nFN:Nobody\nEND:VCARD\n", nil},
	}
	for _, tc := range tests {
		if got := Identifiers(tc.ct, []byte(tc.data)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Identifiers = %q, want %q", tc.name, got, tc.want)
		}
	}
	// The same contact in two formats has the same identifiers.
	a, b := Identifiers("text/x-vcard", []byte(juergen21)), Identifiers("text/vcard", []byte(juergen30))
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Errorf("vCard 2.1 %q and 3.0 %q of one contact differ", a, b)
	}
}
