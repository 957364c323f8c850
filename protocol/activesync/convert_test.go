package activesync

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// TestPIMConverterContact converts a contact as TbSync sends it (14.0,
// AirSyncBase Body) to vCard and back to ApplicationData.
func TestPIMConverterContact(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<ApplicationData xmlns="AirSync:">` +
		`<FirstName xmlns="Contacts:">Jörg</FirstName><LastName xmlns="Contacts:">Müller</LastName>` +
		`<Categories xmlns="Contacts:"><Category>A</Category><Category>B</Category></Categories>` +
		`<NickName xmlns="Contacts2:">Jo</NickName>` +
		`<Body xmlns="AirSyncBase:"><Type>1</Type><Data>hello</Data></Body></ApplicationData>`); err != nil {
		t.Fatal(err)
	}
	var c PIMConverter
	it, err := c.ToItem(ClassContacts, doc.Root(), "14.0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"N:Müller;Jörg;;;", "NICKNAME:Jo", "CATEGORIES:A,B", "NOTE:hello"} {
		if !strings.Contains(string(it.Data), want) {
			t.Errorf("vCard lacks %s:\n%s", want, it.Data)
		}
	}
	for _, v := range []string{"14.0", "2.5"} {
		ad := etree.NewElement("ApplicationData")
		if err := c.FromItem(it, ad, v); err != nil {
			t.Fatal(err)
		}
		if text(ad, "LastName") != "Müller" || len(ad.FindElements("Categories/Category")) != 2 || text(ad, "NickName") != "Jo" {
			t.Errorf("%s: ApplicationData lacks fields", v)
		}
		body := text(ad, "Body/Data")
		if v == "2.5" {
			body = text(ad, "Body")
		}
		if body != "hello" {
			t.Errorf("%s: body %q", v, body)
		}
	}
	if _, err := c.ToItem(ClassEmail, doc.Root(), "14.0"); err == nil {
		t.Error("mail items must be refused")
	}
}

// TestPIMConverterEvent converts an event with a recurrence and an
// attendee, as nested ApplicationData, to iCalendar and back.
func TestPIMConverterEvent(t *testing.T) {
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<ApplicationData xmlns="AirSync:">` +
		`<TimeZone xmlns="Calendar:">AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==</TimeZone>` +
		`<StartTime xmlns="Calendar:">20260105T100000Z</StartTime><EndTime xmlns="Calendar:">20260105T110000Z</EndTime>` +
		`<Subject xmlns="Calendar:">Standup</Subject><UID xmlns="Calendar:">u1</UID>` +
		`<Recurrence xmlns="Calendar:"><Type>0</Type><Interval>1</Interval><Occurrences>5</Occurrences></Recurrence>` +
		`<Attendees xmlns="Calendar:"><Attendee><Email>a@example.org</Email><Name>A</Name><AttendeeType>1</AttendeeType></Attendee></Attendees>` +
		`</ApplicationData>`); err != nil {
		t.Fatal(err)
	}
	var c PIMConverter
	it, err := c.ToItem(ClassCalendar, doc.Root(), "14.0")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(it.Data); !strings.Contains(s, "RRULE:FREQ=DAILY;COUNT=5") || !strings.Contains(s, "DTSTART:20260105T100000Z") {
		t.Errorf("iCalendar:\n%s", s)
	}
	ad := etree.NewElement("ApplicationData")
	if err := c.FromItem(it, ad, "14.0"); err != nil {
		t.Fatal(err)
	}
	if text(ad, "Recurrence/Occurrences") != "5" || text(ad, "Attendees/Attendee/Email") != "a@example.org" || text(ad, "Subject") != "Standup" {
		doc := etree.NewDocument()
		doc.SetRoot(ad)
		s, _ := doc.WriteToString()
		t.Errorf("ApplicationData back:\n%s", s)
	}
}
