package pim

import (
	"slices"
	"strings"
	"testing"
)

func TestPreserve(t *testing.T) {
	server := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=CELL:111\r\n" +
		"TEL;TYPE=HOME:222\r\nTEL;TYPE=WORK:333\r\nEMAIL:jane@example.org\r\nNOTE:likes tea\r\nEND:VCARD\r\n"
	vc21 := func(body string) string { return "BEGIN:VCARD\r\nVERSION:2.1\r\n" + body + "END:VCARD\r\n" }
	caps := func(props ...string) map[string]int {
		m := map[string]int{}
		for _, p := range props {
			name, n, _ := strings.Cut(p, "*")
			m[name] = atoiOr(n, 0)
		}
		return m
	}
	for _, c := range []struct {
		name       string
		clientCT   string
		client     string
		caps       Caps
		kept       []string
		has, hasnt []string
	}{{
		name:     "no EMAIL in the CTCap: the e-mail is kept",
		clientCT: "text/x-vcard",
		client:   vc21("N:Doe;Jane\r\nTEL;CELL:111\r\nTEL;HOME:222\r\nTEL;WORK:333\r\nNOTE:likes coffee\r\n"),
		caps:     Caps{Props: caps("N", "TEL", "NOTE", "UID")},
		kept:     []string{"EMAIL"},
		has:      []string{"EMAIL:jane@example.org", "NOTE:likes coffee"},
		hasnt:    []string{"NOTE:likes tea"},
	}, {
		name:     "EMAIL in the CTCap and left out: the device deleted it",
		clientCT: "text/x-vcard",
		client:   vc21("N:Doe;Jane\r\nUID:u1\r\nTEL;CELL:111\r\nTEL;HOME:222\r\nTEL;WORK:333\r\nNOTE:likes tea\r\n"),
		caps:     Caps{Props: caps("N", "TEL", "NOTE", "EMAIL", "UID")},
		hasnt:    []string{"EMAIL"},
	}, {
		name:     "TEL MaxOccur 2: the third number is kept, the deleted second is not",
		clientCT: "text/x-vcard",
		client:   vc21("N:Doe;Jane\r\nUID:u1\r\nTEL;CELL:111\r\nEMAIL:jane@example.org\r\nNOTE:likes tea\r\n"),
		caps:     Caps{Props: caps("N", "TEL*2", "NOTE", "EMAIL", "UID")},
		kept:     []string{"TEL"},
		has:      []string{"TEL;TYPE=WORK:333", "TEL;TYPE=CELL:111"},
		hasnt:    []string{"222"},
	}, {
		name:     "no CTCap, EMAIL never sent for the item: kept",
		clientCT: "text/x-vcard",
		client:   vc21("N:Doe;Jane\r\nUID:u1\r\nTEL;CELL:111\r\nTEL;HOME:222\r\nTEL;WORK:333\r\n"),
		caps:     Caps{Sent: map[string]bool{"N": true, "TEL": true, "NOTE": true}},
		kept:     []string{"EMAIL"},
		has:      []string{"EMAIL:jane@example.org"},
		hasnt:    []string{"NOTE"},
	}, {
		name:     "no CTCap, EMAIL sent before: deleted",
		clientCT: "text/x-vcard",
		client:   vc21("N:Doe;Jane\r\nUID:u1\r\nTEL;CELL:111\r\nTEL;HOME:222\r\nTEL;WORK:333\r\nNOTE:likes tea\r\n"),
		caps:     Caps{Sent: map[string]bool{"EMAIL": true}},
		hasnt:    []string{"EMAIL"},
	}, {
		name:     "SIF has no UID: the UID is kept",
		clientCT: SIFContact,
		client:   "<contact><FirstName>Jane</FirstName><LastName>Doe</LastName><MobileTelephoneNumber>111</MobileTelephoneNumber><HomeTelephoneNumber>222</HomeTelephoneNumber><BusinessTelephoneNumber>333</BusinessTelephoneNumber><Email1Address>jane@example.org</Email1Address><Body>likes milk</Body></contact>",
		caps:     Caps{Sent: map[string]bool{"N": true, "TEL": true, "EMAIL": true, "NOTE": true}},
		kept:     []string{"UID"},
		has:      []string{"UID:u1", "NOTE:likes milk"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			ct, out, kept := Preserve("text/vcard", []byte(server), c.clientCT, []byte(c.client), c.caps)
			if !slices.Equal(kept, c.kept) {
				t.Errorf("kept %v, want %v\n%s", kept, c.kept, out)
			}
			if len(c.kept) == 0 {
				if ct != c.clientCT || string(out) != c.client {
					t.Errorf("nothing kept, but the item changed: %s\n%s", ct, out)
				}
				return
			}
			if ct != "text/vcard" {
				t.Errorf("type %s", ct)
			}
			for _, h := range c.has {
				if !strings.Contains(string(out), h) {
					t.Errorf("missing %q in\n%s", h, out)
				}
			}
			for _, h := range c.hasnt {
				if strings.Contains(string(out), h) {
					t.Errorf("%q should be gone from\n%s", h, out)
				}
			}
		})
	}
}

// Events: a vCalendar 1.0 device gets no ATTENDEE parameters it cannot
// hold and an iCalendar CLASS it lacks in its CTCap is kept.
func TestPreserveEvent(t *testing.T) {
	server := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T110000Z\r\n" +
		"SUMMARY:Meet\r\nCLASS:PRIVATE\r\nLOCATION:Room 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	client := "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTART:20240101T100000Z\r\nDTEND:20240101T120000Z\r\n" +
		"SUMMARY:Meet\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	_, out, kept := Preserve("text/calendar", []byte(server), "text/x-vcalendar", []byte(client),
		Caps{Props: map[string]int{"UID": 0, "DTSTART": 0, "DTEND": 0, "SUMMARY": 0, "LOCATION": 0}})
	if !slices.Equal(kept, []string{"CLASS"}) {
		t.Fatalf("kept %v\n%s", kept, out)
	}
	hasLines(t, out, "CLASS:PRIVATE", "DTEND:20240101T120000Z")
	if strings.Contains(string(out), "Room 1") {
		t.Errorf("LOCATION the device holds and deleted came back:\n%s", out)
	}
	// Notes are left alone.
	if _, out, kept := Preserve("text/plain", []byte("a"), "text/plain", []byte("b"), Caps{}); kept != nil || string(out) != "b" {
		t.Errorf("note: %q %v", out, kept)
	}
}
