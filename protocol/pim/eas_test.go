package pim

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEASContactToVCard(t *testing.T) {
	fields := []EASField{
		{Name: "FirstName", Value: "Jörg"}, {Name: "LastName", Value: "Müller"},
		{Name: "FileAs", Value: "Müller, Jörg"}, {Name: "CompanyName", Value: "ACME"},
		{Name: "Department", Value: "R&D"}, {Name: "JobTitle", Value: "Engineer"},
		{Name: "Email1Address", Value: `"Jörg" <joerg@example.com>`},
		{Name: "MobilePhoneNumber", Value: "+49 170 1"}, {Name: "BusinessFaxNumber", Value: "+49 30 2"},
		{Name: "HomeStreet", Value: "Hauptstr. 1"}, {Name: "HomeCity", Value: "Berlin"},
		{Name: "Birthday", Value: "1985-06-14T22:00:00.000Z"},
		{Name: "Categories", Items: []string{"Friends", "Work"}},
		{Space: "Contacts2", Name: "NickName", Value: "Jo"},
		{Space: "Contacts2", Name: "ManagerName", Value: "Boss"},
		{Name: "OfficeLocation", Value: "B 12"},
		{Space: "AirSyncBase", Name: "Body", Value: "line 1\nline 2"},
	}
	card, lost := EASContactToVCard(fields)
	s := string(card)
	for _, want := range []string{
		"N:Müller;Jörg;;;", "FN:Jörg Müller", "ORG:ACME;R&D", "TITLE:Engineer",
		"EMAIL;TYPE=INTERNET:joerg@example.com", "TEL;TYPE=CELL:+49 170 1", "TEL;TYPE=FAX,WORK:+49 30 2",
		"ADR;TYPE=HOME:;;Hauptstr. 1;Berlin;;;", "BDAY:1985-06-15", "CATEGORIES:Friends,Work",
		"NICKNAME:Jo", "X-EVOLUTION-MANAGER:Boss", "X-SIF-OFFICELOCATION:B 12", `NOTE:line 1\nline 2`,
	} {
		if !strings.Contains(s, want+"\r\n") {
			t.Errorf("vCard lacks %q:\n%s", want, s)
		}
	}
	if len(lost) != 0 {
		t.Errorf("lost %v", lost)
	}
	back, lost, err := VCardToEASContact(card)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 0 {
		t.Errorf("back: lost %v", lost)
	}
	got := map[string]EASField{}
	for _, f := range back {
		got[f.Name] = f
	}
	for _, f := range fields {
		g := got[f.Name]
		want := f.Value
		switch f.Name {
		case "Email1Address":
			want = "joerg@example.com"
		case "Birthday":
			want = "1985-06-15T00:00:00.000Z"
		}
		if g.Value != want || !slices.Equal(g.Items, f.Items) {
			t.Errorf("%s: back as %q %v, want %q %v", f.Name, g.Value, g.Items, want, f.Items)
		}
		if sp := f.Space; sp != "" && g.Space != sp {
			t.Errorf("%s: space %q, want %q", f.Name, g.Space, sp)
		}
	}
}

// A contact whose FN is more than its N holds (a family name only) goes
// to an EAS device with FN as FileAs (the default filing name); that
// FileAs coming back is the FN, not a filing name of its own that would
// stay behind when FN changes.
func TestEASContactFileAsFromFN(t *testing.T) {
	card := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zoë Brontë;;;;\r\nFN:Zoë Brontë #1 r11\r\nTEL;TYPE=CELL:+49170\r\nEND:VCARD\r\n")
	fields, _, err := VCardToEASContact(card)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := EASContactToVCard(fields)
	if s := string(back); !strings.Contains(s, "FN:Zoë Brontë #1 r11\r\n") || strings.Contains(s, "FILE-AS") {
		t.Errorf("FileAs made from FN came back as:\n%s", s)
	}
	// A filing name of the device's own stays one.
	own, _ := EASContactToVCard([]EASField{{Name: "LastName", Value: "Brontë"}, {Name: "FileAs", Value: "Emily"}})
	if s := string(own); !strings.Contains(s, "FN:Brontë\r\n") || !strings.Contains(s, "X-EVOLUTION-FILE-AS:Emily\r\n") {
		t.Errorf("the device's own FileAs came back as:\n%s", s)
	}
}

func TestVCardToEASContactLosses(t *testing.T) {
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nTEL;TYPE=HOME:1\r\nTEL;TYPE=HOME:2\r\nTEL;TYPE=HOME:3\r\nGEO:1;2\r\nEND:VCARD\r\n"
	fields, lost, err := VCardToEASContact([]byte(card))
	if err != nil {
		t.Fatal(err)
	}
	if easGet(fields, "HomePhoneNumber") != "1" || easGet(fields, "Home2PhoneNumber") != "2" {
		t.Errorf("home phones: %+v", fields)
	}
	if !slices.Contains(lost, "GEO") {
		t.Errorf("lost %v, want GEO named", lost)
	}
}

// TestEASContactEvolutionFixtures reads the EAS contacts of
// evolution-activesync's translator tests and checks every field comes
// back from EAS -> vCard -> EAS.
func TestEASContactEvolutionFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "evolution-activesync", "check_tests",
		"TestData", "Con_Info_Translator", "_Request", "XML_Data")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		t.Skip("evolution-activesync fixtures absent (" + dir + ")")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fields := flatFields(t, data)
		card, _ := EASContactToVCard(fields)
		back, _, err := VCardToEASContact(card)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		for _, fl := range fields {
			if fl.Name == "NativeBodyType" || fl.Value == "" {
				continue // AirSyncBase metadata, not content
			}
			want := strings.TrimSpace(fl.Value)
			if fl.Name == "Email1Address" || fl.Name == "Email2Address" || fl.Name == "Email3Address" {
				want = want[strings.LastIndex(want, "<")+1 : len(want)-1]
			}
			if g := easGet(back, fl.Name); g != want && !(fl.Name == "Birthday" && strings.HasPrefix(g, easDate(want))) {
				t.Errorf("%s: %s came back as %q, want %q", filepath.Base(f), fl.Name, g, want)
			}
		}
	}
}

// flatFields reads an <ApplicationData> of text elements.
func flatFields(t testing.TB, data []byte) []EASField {
	var doc struct {
		Fields []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []EASField
	for _, f := range doc.Fields {
		out = append(out, EASField{Name: f.XMLName.Local, Value: f.Value})
	}
	return out
}

func TestEASNotes(t *testing.T) {
	for _, c := range []struct {
		fields []EASField
		text   string
	}{
		{[]EASField{{Name: "Subject", Value: "Shopping"}, {Name: "Body", Value: "Shopping\r\nmilk"}}, "Shopping\nmilk"},
		{[]EASField{{Name: "Subject", Value: "Title"}, {Name: "Body", Value: "other text"}}, "Title\nother text"},
		{[]EASField{{Name: "Subject", Value: "Only"}}, "Only"},
	} {
		got, _ := EASNoteToText(c.fields)
		if string(got) != c.text {
			t.Errorf("%v: %q, want %q", c.fields, got, c.text)
		}
		back := TextToEASNote(got)
		if easGet(back, "Subject") != strings.SplitN(c.text, "\n", 2)[0] || easGet(back, "Body") != c.text {
			t.Errorf("%q back: %+v", c.text, back)
		}
	}
}
