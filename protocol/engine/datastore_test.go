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
