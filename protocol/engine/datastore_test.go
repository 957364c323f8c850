package engine

import "testing"

func TestResolveDatastore(t *testing.T) {
	tests := []struct {
		uri, want string
		ok        bool
	}{
		{"contacts", Contacts, true},
		{"./contacts", Contacts, true},
		{"AddressBook", Contacts, true},
		{"./Card", Contacts, true},
		{"/card/", Contacts, true},
		{"cal", Calendar, true},
		{"./Events", Calendar, true},
		{"calendar?x=1", Calendar, true},
		{"todo", Tasks, true},
		{"./TASKS", Tasks, true},
		{"memo", Notes, true},
		{"./notes", Notes, true},
		{"http://example.com/sync/addressbook", Contacts, true},
		{"./C:Contacts.cdb", "", false},
		{"photos", "", false},
		{"", "", false},
		{"../contacts/..", "", false},
	}
	for _, tc := range tests {
		got, ok := ResolveDatastore(tc.uri)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ResolveDatastore(%q) = %q, %v; want %q, %v", tc.uri, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNewIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 10000; i++ {
		id := newID()
		if len(id) != 20 || seen[id] {
			t.Fatalf("newID() = %q (len %d, seen %v)", id, len(id), seen[id])
		}
		seen[id] = true
	}
}

func TestCheckItem(t *testing.T) {
	tests := []struct {
		ct, data string
		want     Outcome
	}{
		{"text/vcard", "BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\n", 0},
		{"text/x-vcard; charset=utf-8", "begin:vcard\nversion:2.1\nend:vcard", 0},
		{"text/vcard", "BEGIN:VCARD\nVERSION:3.0\nFN:Truncat", RefusedData},
		{"text/calendar", "hello", RefusedData},
		{"text/calendar", "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:X\nEND:VTIMEZONE\nEND:VCALENDAR\n", RefusedData},
		{"text/calendar", "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nSUMMARY:T\nEND:VTODO\nEND:VCALENDAR\n", 0},
		{"text/x-s4j-sifc", "<contact/>", 0},
		{"text/plain", "a note", 0},
		{"image/jpeg", "\xff\xd8", RefusedFormat},
	}
	for _, tc := range tests {
		if got := checkItem(tc.ct, []byte(tc.data)); got != tc.want {
			t.Errorf("checkItem(%q, %q) = %d, want %d", tc.ct, tc.data, got, tc.want)
		}
	}
}
