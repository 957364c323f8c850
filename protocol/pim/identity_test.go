package pim

import "testing"

const (
	// fullCard is what the account holds: UID, phone, e-mail, address, note.
	fullCard = "BEGIN:VCARD\nVERSION:3.0\nUID:u-1\nN:Family1;Given1;;;\nFN:Given1 Family1\n" +
		"TEL;TYPE=CELL:+49 170 1234567\nEMAIL:given1@example.org\nADR:;;Street 1;Town;;;\nNOTE:met at work\nEND:VCARD\n"
	// phoneCard is the same person on a phone: no UID, address or note,
	// the e-mail upper-cased, the phone number spaced differently.
	phoneCard = "BEGIN:VCARD\nVERSION:3.0\nN:Family1;Given1\nTEL;CELL:+491701234 567\nEMAIL:GIVEN1@EXAMPLE.ORG\nEND:VCARD\n"
)

func TestMatch(t *testing.T) {
	vc := func(body string) string { return "BEGIN:VCARD\nVERSION:3.0\n" + body + "END:VCARD\n" }
	v21 := func(body string) string { return "BEGIN:VCARD\r\nVERSION:2.1\r\n" + body + "END:VCARD\r\n" }
	ev := func(body string) string {
		return "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n" + body + "END:VEVENT\nEND:VCALENDAR\n"
	}
	vcal := func(head, body string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:1.0\r\n" + head + "BEGIN:VEVENT\r\n" + body + "END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	todo := func(body string) string {
		return "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\n" + body + "END:VTODO\nEND:VCALENDAR\n"
	}
	tests := []struct {
		name      string
		ctA, a    string
		ctB, b    string
		same      bool
		wantScore int
	}{
		{"phone copy with fewer fields", "text/vcard", fullCard, "text/vcard", phoneCard, true, 2},
		{"vCard 2.1 phone, name in one N component", "text/vcard", fullCard,
			"text/x-vcard", v21("N:Given1 Family1;;;;\r\nTEL;CELL:0049-170-1234567\r\n"), true, 1},
		{"vCard 2.1 phone, given and family swapped", "text/vcard", fullCard,
			"text/x-vcard", v21("N:Given1;Family1\r\nEMAIL;INTERNET:given1@example.org\r\n"), true, 1},
		{"FN only against N", "text/vcard", fullCard, "text/vcard", vc("FN:  given1   FAMILY1\nEMAIL:given1@example.org\n"), true, 1},
		{"same UID, other name", "text/vcard", fullCard, "text/vcard", vc("UID:u-1\nN:Other;Name\n"), true, uidScore + 0},
		{"without UID against one with a UID, no identifiers", "text/vcard", vc("UID:x\nN:A;B\n"), "text/vcard", vc("N:A;B\n"), true, 0},
		{"different UIDs, same person", "text/vcard", vc("UID:x\nN:A;B\nTEL:1\n"), "text/vcard", vc("UID:y\nN:A;B\nTEL:1\n"), true, 1},
		{"one side without identifiers", "text/vcard", fullCard, "text/vcard", vc("N:Family1;Given1\n"), true, 0},
		{"same name, different phones stay two", "text/vcard", vc("N:A;B\nTEL:111\n"), "text/vcard", vc("N:A;B\nTEL:222\n"), false, 0},
		{"same name, phone against other e-mail stay two", "text/vcard", vc("N:A;B\nTEL:111\n"), "text/vcard", vc("N:A;B\nEMAIL:b@a\n"), false, 0},
		{"same name, no identifiers, same ORG", "text/vcard", vc("N:A;B\nORG:Acme;Sales\n"), "text/vcard", vc("N:a;b\nORG:ACME\n"), true, 0},
		{"same name, no identifiers, other ORG", "text/vcard", vc("N:A;B\nORG:Acme\n"), "text/vcard", vc("N:A;B\nORG:Other\n"), false, 0},
		{"name in capitals, Greek final sigma", "text/vcard", vc("N:Οικονόμου;Παναγιώτης\nTEL:1\n"), "text/vcard", vc("N:ΟΙΚΟΝΌΜΟΥ;ΠΑΝΑΓΙΏΤΗΣ\nTEL:1\n"), true, 1},
		{"other name, same phone", "text/vcard", vc("N:A;B\nTEL:1\n"), "text/vcard", vc("N:A;C\nTEL:1\n"), false, 0},
		{"no name", "text/vcard", vc("TEL:1\n"), "text/vcard", vc("TEL:1\n"), false, 0},
		{"contact against event", "text/vcard", fullCard, "text/calendar", ev("SUMMARY:Given1 Family1\nDTSTART:20260101T100000Z\n"), false, 0},

		{"event without UID, same summary and start", "text/calendar", ev("UID:e1\nSUMMARY:Lunch\nDTSTART:20260101T120000Z\nLOCATION:Cafe\n"),
			"text/calendar", ev("SUMMARY:lunch\nDTSTART:20260101T120000Z\n"), true, 1},
		{"event start in another zone, same instant", "text/calendar", ev("SUMMARY:Lunch\nDTSTART;TZID=Europe/Berlin:20260701T140000\n"),
			"text/calendar", ev("SUMMARY:Lunch\nDTSTART:20260701T120000Z\n"), true, 1},
		{"vCalendar 1.0 local time with TZ", "text/calendar", ev("SUMMARY:Lunch\nDTSTART:20260101T120000Z\n"),
			"text/x-vcalendar", vcal("TZ:+01\r\n", "SUMMARY:Lunch\r\nDTSTART:20260101T130000\r\n"), true, 1},
		{"all-day event as a date", "text/calendar", ev("SUMMARY:Trip\nDTSTART;VALUE=DATE:20260102\nDTEND;VALUE=DATE:20260103\n"),
			"text/x-vcalendar", vcal("", "SUMMARY:Trip\r\nDTSTART:20260102T000000\r\nDTEND:20260102T235900\r\n"), true, 1},
		{"event at another time", "text/calendar", ev("SUMMARY:Lunch\nDTSTART:20260101T120000Z\n"),
			"text/calendar", ev("SUMMARY:Lunch\nDTSTART:20260102T120000Z\n"), false, 0},
		{"event with another summary", "text/calendar", ev("SUMMARY:Lunch\nDTSTART:20260101T120000Z\n"),
			"text/calendar", ev("SUMMARY:Dinner\nDTSTART:20260101T120000Z\n"), false, 0},
		{"event same UID", "text/calendar", ev("UID:e1\nSUMMARY:Lunch\nDTSTART:20260101T120000Z\n"),
			"text/calendar", ev("UID:e1\nSUMMARY:Moved\nDTSTART:20260105T120000Z\n"), true, uidScore},

		{"task summary and due", "text/calendar", todo("UID:t1\nSUMMARY:Pay\nDUE;VALUE=DATE:20260101\n"),
			"text/calendar", todo("SUMMARY:pay\nDUE;VALUE=DATE:20260101\n"), true, 1},
		{"task other due", "text/calendar", todo("SUMMARY:Pay\nDUE;VALUE=DATE:20260101\n"),
			"text/calendar", todo("SUMMARY:Pay\nDUE;VALUE=DATE:20260201\n"), false, 0},
		{"tasks without due", "text/calendar", todo("SUMMARY:Pay\n"), "text/calendar", todo("SUMMARY:Pay\n"), true, 1},

		{"note, whitespace and case", "text/plain", "Shopping\n  milk  eggs\n", "text/plain", "shopping milk\r\neggs", true, 1},
		{"note, other text", "text/plain", "Shopping\nmilk\n", "text/plain", "Shopping\nbread\n", false, 0},
	}
	for _, tc := range tests {
		a, b := IdentityOf(tc.ctA, []byte(tc.a)), IdentityOf(tc.ctB, []byte(tc.b))
		same, score := Match(a, b)
		if same != tc.same || same && score != tc.wantScore {
			t.Errorf("%s: Match = %v, %d; want %v, %d\n a=%+v\n b=%+v", tc.name, same, score, tc.same, tc.wantScore, a, b)
		}
		if same2, score2 := Match(b, a); same2 != same || score2 != score {
			t.Errorf("%s: Match is not symmetric: %v %d against %v %d", tc.name, same, score, same2, score2)
		}
	}
}

func TestBest(t *testing.T) {
	vc := func(body string) Identity {
		return IdentityOf("text/vcard", []byte("BEGIN:VCARD\nVERSION:3.0\n"+body+"END:VCARD\n"))
	}
	id := vc("N:A;B\nTEL:1\nEMAIL:b@a\n")
	withUID := vc("UID:u\nN:A;B\nTEL:1\nEMAIL:b@a\n")
	tests := []struct {
		name          string
		id            Identity
		cands         []Identity
		want          int
		wantAmbiguous bool
	}{
		{"none", id, []Identity{vc("N:A;C\nTEL:1\n")}, -1, false},
		{"one", id, []Identity{vc("N:A;C\nTEL:1\n"), vc("N:A;B\nTEL:1\n")}, 1, false},
		{"most shared identifiers wins", id, []Identity{vc("N:A;B\nTEL:1\n"), vc("N:A;B\nTEL:1\nEMAIL:b@a\n")}, 1, false},
		{"two equally good candidates pair with nothing", id, []Identity{vc("N:A;B\nTEL:1\n"), vc("N:A;B\nTEL:1\nTEL:9\n")}, -1, true},
		{"two candidates without identifiers pair with nothing", id, []Identity{vc("N:A;B\n"), vc("N:A;B\nORG:X\n")}, -1, true},
		{"UID beats shared identifiers", withUID, []Identity{vc("N:A;B\nTEL:1\nEMAIL:b@a\n"), vc("UID:u\nN:Z;Z\n")}, 1, false},
	}
	for _, tc := range tests {
		if got, amb := Best(tc.id, tc.cands); got != tc.want || amb != tc.wantAmbiguous {
			t.Errorf("%s: Best = %d, %v; want %d, %v", tc.name, got, amb, tc.want, tc.wantAmbiguous)
		}
	}
}

func TestMatchEdited(t *testing.T) {
	vc := func(body string) Identity {
		return IdentityOf("text/vcard", []byte("BEGIN:VCARD\nVERSION:3.0\n"+body+"END:VCARD\n"))
	}
	todo := func(body string) Identity {
		return IdentityOf("text/calendar", []byte("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\n"+body+"END:VTODO\nEND:VCALENDAR\n"))
	}
	sent := vc("N:A;B\nTEL:111\nEMAIL:b@a\n")
	tests := []struct {
		name      string
		sent, ed  Identity
		same      bool
		wantScore int
	}{
		{"every number and address edited, same name", sent, vc("N:a;b\nTEL:222\nEMAIL:new@a\n"), true, 0},
		{"one address kept", sent, vc("N:A;B\nTEL:222\nEMAIL:b@a\n"), true, 1},
		{"other name", sent, vc("N:A;C\nTEL:111\n"), false, 0},
		{"other ORG, numbers edited", vc("N:A;B\nORG:Acme\nTEL:1\n"), vc("N:A;B\nORG:Other\nTEL:2\n"), false, 0},
		{"same UID, other name", vc("UID:u\nN:A;B\n"), vc("UID:u\nN:Z;Y\n"), true, uidScore},
		{"no name", vc("TEL:1\n"), vc("TEL:2\n"), false, 0},
		{"task: Match's rule", todo("SUMMARY:Pay\nDUE;VALUE=DATE:20260101\n"), todo("SUMMARY:Pay\nDUE;VALUE=DATE:20260201\n"), false, 0},
	}
	for _, tc := range tests {
		if same, score := MatchEdited(tc.sent, tc.ed); same != tc.same || same && score != tc.wantScore {
			t.Errorf("%s: MatchEdited = %v, %d; want %v, %d", tc.name, same, score, tc.same, tc.wantScore)
		}
	}
	// Match keeps two people of one name with other numbers apart.
	if same, _ := Match(sent, vc("N:a;b\nTEL:222\nEMAIL:new@a\n")); same {
		t.Errorf("Match pairs a contact whose every identifier differs")
	}
	ed := vc("N:A;B\nTEL:999\n")
	if got, amb := BestEdited(ed, []Identity{vc("N:A;C\nTEL:1\n"), sent}); got != 1 || amb {
		t.Errorf("BestEdited = %d, %v; want 1, false", got, amb)
	}
	if got, amb := BestEdited(ed, []Identity{sent, vc("N:A;B\nTEL:5\n")}); got != -1 || !amb {
		t.Errorf("BestEdited of two namesakes = %d, %v; want -1, true", got, amb)
	}
}

func TestAdoptName(t *testing.T) {
	phone21 := "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Given1 Family1;;;;\r\nTEL;CELL:1\r\nEND:VCARD\r\n"
	ct, got := AdoptName("text/vcard", []byte(fullCard), "text/x-vcard", []byte(phone21))
	want := "BEGIN:VCARD\nVERSION:3.0\nUID:u-1\nN:Family1;Given1\nFN:Given1 Family1\nTEL;TYPE=CELL:1\nEND:VCARD\n"
	if !Equivalent(ct, got, "text/vcard", []byte(want)) {
		t.Errorf("AdoptName = %s %q, want the server's UID, N and FN with the phone's TEL", ct, got)
	}
	other := "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Other;Name\r\nTEL;CELL:1\r\nEND:VCARD\r\n"
	if ct, got := AdoptName("text/vcard", []byte(fullCard), "text/x-vcard", []byte(other)); ct != "text/x-vcard" || string(got) != other {
		t.Errorf("AdoptName changed another name: %s %q", ct, got)
	}
}
