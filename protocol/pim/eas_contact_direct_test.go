package pim

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// vcardToEASContactViaSIF is VCardToEASContact as it was before it mapped
// the SIF-C fields directly: the canonical vCard converted to SIF-C XML,
// that parsed again, and its fields mapped through maps by name.
func vcardToEASContactViaSIF(data []byte) ([]EASField, []string, error) {
	l := losses{}
	canon, more, err := convert(data, "text/vcard", "text/vcard", ConvertOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	for n := range more {
		l.add(n)
	}
	sif, err := vcardToSIF(canon, l)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	doc, err := readSIF(sif)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	byName := map[string]EASField{}
	for _, f := range doc.fields {
		v := strings.TrimSpace(f.value)
		if f.name == "Body" {
			v = strings.TrimRight(f.value, " \t\r\n")
		}
		if v == "" {
			continue
		}
		name, ok := sifToEASName[strings.ToLower(f.name)]
		switch {
		case f.name == "Body":
			byName["Body"] = EASField{Space: "AirSyncBase", Name: "Body", Value: v}
			continue
		case !ok:
			if _, def := sifContactDefaults[f.name]; !def || sifContactDefaults[f.name] != v {
				if f.name != "FileAs" {
					l.add(f.name)
				}
			}
			continue
		}
		e := EASField{Space: "Contacts", Name: name, Value: v}
		if s, ok := easContactSpace[name]; ok {
			e.Space = s
		}
		switch name {
		case "Categories", "Children":
			e.Value, e.Items = "", sifList(v)
		case "Birthday", "Anniversary":
			e.Value = dateEAS(v)
		}
		byName[name] = e
	}
	var fields []EASField
	for _, n := range append(slices.Clone(easContactOrder), "Body") {
		if f, ok := byName[n]; ok {
			fields = append(fields, f)
		}
	}
	return fields, l.list(), nil
}

// sameEASContact fails the test when the direct conversion of item
// differs from the one through SIF-C XML: fields, losses or error.
func sameEASContact(t *testing.T, name string, item []byte) {
	t.Helper()
	got, gotLost, gotErr := VCardToEASContact(item)
	want, wantLost, wantErr := vcardToEASContactViaSIF(item)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("%s: error %v, through SIF-C %v", name, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: fields\n%+v\nthrough SIF-C\n%+v", name, got, want)
	}
	if !reflect.DeepEqual(gotLost, wantLost) {
		t.Errorf("%s: lost %v, through SIF-C %v", name, gotLost, wantLost)
	}
}

// TestVCardToEASContactDirect checks that the direct vCard -> EAS contact
// conversion gives what the conversion through SIF-C XML gave, for every
// vCard of the shared corpora (each card, and each file as it is, with
// its byte order marks and charsets), the EAS contacts of
// evolution-activesync's tests, and cards with what XML cannot hold.
func TestVCardToEASContactDirect(t *testing.T) {
	for i, card := range []string{
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nNOTE:bell\a tab\t cr\r\\nnul\x00 bad\xff end\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:D\xefoe;J\xfcane\r\nFN:x\r\nORG:A\x01B;C\uFFFE\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nX-SIF-Foo--Bar:nested\r\nX-SIF-1BAD:digit\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nX-SIF-A--B--C:deep\r\nX-SIF---B:empty parent\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nX-SIF-CUSTOMERID:c1\r\nX-SIF-GENDER:0\r\nCATEGORIES:a,b\\,c\r\nBDAY:1970-01-02\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1:M\xfcller;J\r\nTEL;CELL:123\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=0D=0Ab\r\nEND:VCARD\r\n",
		"\xef\xbb\xbf\xef\xbb\xbfBEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:no end\r\n",
		"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
		"",
	} {
		sameEASContact(t, fmt.Sprintf("case %d", i), []byte(card))
	}

	root := fixturesDir(t)
	cards := 0
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".vcf") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 {
			return nil
		}
		name, _ := filepath.Rel(root, p)
		sameEASContact(t, name, data)
		for i, item := range splitItems(data, "VCARD") {
			sameEASContact(t, fmt.Sprintf("%s #%d", name, i), item)
			cards++
		}
		return nil
	})
	files, _ := filepath.Glob(filepath.Join(root, "evolution-activesync", "check_tests", "TestData",
		"Con_Info_Translator", "_Request", "XML_Data", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		card, _ := EASContactToVCard(flatFields(t, data))
		sameEASContact(t, filepath.Base(f), card)
		cards++
	}
	if cards == 0 {
		t.Fatalf("no vCards found under %s", root)
	}
	t.Logf("%d vCards convert alike", cards)
}
