package pim

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameEASFromVCard fails the test when VCardToEASContact differs from the
// reference (fields, losses, error) for item; it returns the fields.
func sameEASFromVCard(t testing.TB, name string, item []byte) []EASField {
	t.Helper()
	return sameEASAs(t, name, item, "reference", vcardToEASContactRef)
}

// sameEASAs fails the test when VCardToEASContact differs from another
// implementation, ref (fields, losses, error) for item; it returns ref's
// fields.
func sameEASAs(t testing.TB, name string, item []byte, refName string, ref func([]byte) ([]EASField, []string, error)) []EASField {
	t.Helper()
	got, gotLost, gotErr := VCardToEASContact(item)
	want, wantLost, wantErr := ref(item)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("%s: error %v, %s %v", name, gotErr, refName, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: fields\n%+v\n%s\n%+v", name, got, refName, want)
	}
	if !reflect.DeepEqual(gotLost, wantLost) {
		t.Errorf("%s: lost %v, %s %v", name, gotLost, refName, wantLost)
	}
	return want
}

// sameVCardFromEAS fails the test when EASContactToVCard differs from the
// reference (bytes, losses) for fields.
func sameVCardFromEAS(t testing.TB, name string, fields []EASField) {
	t.Helper()
	got, gotLost := EASContactToVCard(fields)
	want, wantLost := easContactToVCardRef(fields)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %+v\nvCard\n%q\nreference\n%q", name, fields, got, want)
	}
	if !reflect.DeepEqual(gotLost, wantLost) {
		t.Errorf("%s: %+v\nlost %v, reference %v", name, fields, gotLost, wantLost)
	}
}

// easVariants are fields as they are and changed the ways a device or a
// hostile client may change them: names in other cases, values with
// surrounding white space or emptied, every field twice (the second
// spelled in another case, with another value), and in reverse order.
func easVariants(fields []EASField) map[string][]EASField {
	mod := func(f func(EASField) []EASField) []EASField {
		var out []EASField
		for _, e := range fields {
			out = append(out, f(e)...)
		}
		return out
	}
	rev := append([]EASField(nil), fields...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return map[string][]EASField{
		"as is": fields,
		"upper": mod(func(e EASField) []EASField { e.Name = strings.ToUpper(e.Name); return []EASField{e} }),
		"lower": mod(func(e EASField) []EASField { e.Name = strings.ToLower(e.Name); return []EASField{e} }),
		"padded": mod(func(e EASField) []EASField {
			e.Value = " \t" + e.Value + " \r\n "
			return []EASField{e}
		}),
		"empty": mod(func(e EASField) []EASField { e.Value, e.Items = "", []string{""}; return []EASField{e} }),
		"twice": mod(func(e EASField) []EASField {
			d := e
			d.Name, d.Value = swapCase(e.Name), e.Value+" 2"
			return []EASField{e, d}
		}),
		"reversed": rev,
	}
}

// eachFixtureVCard calls f with every vCard of the shared fixtures: each
// .vcf file as it is (with its byte order marks and charsets, item
// false), and each card of any file (item true).
func eachFixtureVCard(t testing.TB, f func(name string, data []byte, item bool)) {
	t.Helper()
	root := fixturesDir(t)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 1<<20 || !bytes.Contains(bytes.ToUpper(data), []byte("BEGIN:VCARD")) {
			return nil
		}
		name, _ := filepath.Rel(root, p)
		if strings.EqualFold(filepath.Ext(p), ".vcf") {
			f(name, data, false)
		}
		for i, item := range splitItems(data, "VCARD") {
			f(fmt.Sprintf("%s #%d", name, i), item, true)
		}
		return nil
	})
}

// easFixtureContacts are the EAS contacts of evolution-activesync's tests,
// by file name.
func easFixtureContacts(t testing.TB) map[string][]EASField {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(fixturesDir(t), "evolution-activesync", "check_tests", "TestData",
		"Con_Info_Translator", "_Request", "XML_Data", "*.xml"))
	out := map[string][]EASField{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = flatFields(t, data)
	}
	return out
}

// swapCase swaps the case of the ASCII letters of s.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// sameEASContactBothWays checks a vCard's conversion to EAS fields, and
// the conversion of those fields (and their variants) back to vCard.
func sameEASContactBothWays(t testing.TB, name string, item []byte) int {
	fields := sameEASFromVCard(t, name, item)
	n := 0
	for v, f := range easVariants(fields) {
		sameVCardFromEAS(t, name+" "+v, f)
		n++
	}
	return n
}

// easEdgeContacts are field lists for the rules of the conversion: names
// that differ only in case (also by the Unicode letters that fold to
// ASCII ones: the Kelvin sign, the long s, the dotted capital I), X-SIF-
// extras, empty values, a Body with trailing white space, the FileAs
// rules, lists, dates, photos, non-ASCII and invalid UTF-8.
var easEdgeContacts = [][]EASField{
	{},
	{{Name: "FirstName", Value: "Jane"}, {Name: "firstname", Value: "Other"}, {Name: "FIRSTNAME", Value: "Third"}},
	{{Name: "lastname", Value: "Doe"}, {Name: "LastName", Value: "Later"}},
	{{Name: "NIC\u212AName", Value: "kelvin"}, {Name: "Bu\u017FinessCity", Value: "long s"}, {Name: "T\u0130tle", Value: "dotted I"},
		{Name: "JobT\u0131tle", Value: "dotless i"}, {Name: "Ni\u212Aname", Value: "twice"}},
	{{Name: "FirstName", Value: ""}, {Name: "LastName", Value: "  "}, {Name: "CompanyName", Value: ""}, {Name: "Email1Address", Value: "only@example.org"}},
	{{Name: "Body", Space: "AirSyncBase", Value: "line one\r\nline two \t\r\n\r\n  "}},
	{{Name: "Body", Value: "  \r\n"}, {Name: "FirstName", Value: "A"}},
	{{Name: "Body", Value: "first"}, {Name: "body", Value: "second"}},
	{{Name: "FileAs", Value: "Doe, Jane"}, {Name: "FirstName", Value: "Jane"}, {Name: "LastName", Value: "Doe"}},
	{{Name: "FileAs", Value: "Jane Doe (work)"}, {Name: "FirstName", Value: "Jane"}},
	{{Name: "FileAs", Value: "Custom"}, {Name: "FirstName", Value: "Jane"}, {Name: "LastName", Value: "Doe"}},
	{{Name: "FileAs", Value: "Only Filed"}},
	{{Name: "FileAs", Value: "ACME"}, {Name: "CompanyName", Value: "ACME"}},
	{{Name: "Categories", Items: []string{"a", "b;c", " d ", "", "e,f"}}, {Name: "Children", Items: []string{"Tom", "Ann, Bo"}}},
	{{Name: "Categories", Value: "ignored", Items: nil}, {Name: "categories", Value: "x,y"}},
	{{Name: "Birthday", Value: "1970-01-02T00:00:00.000Z"}, {Name: "Anniversary", Value: "19991231T230000Z"}},
	{{Name: "Birthday", Value: "28/09/1889"}, {Name: "Anniversary", Value: "2001-02-03"}, {Name: "birthday", Value: "2002-03-04T00:00:00Z"}},
	{{Name: "Picture", Value: "/9j/4AAQSkZJRgABAQ EAYABgAAD\r\n/2wBD"}, {Name: "FirstName", Value: "Pic"}},
	{{Name: "Picture", Value: "iVBORw0KGgo="}, {Name: "photo", Value: "R0lGODlh"}},
	{{Name: "Picture", Value: "not base64 at all!"}},
	{{Name: "FirstName", Value: "Jörg"}, {Name: "LastName", Value: "Müller"}, {Name: "HomeCity", Value: "München"},
		{Name: "Body", Value: "Grüße, 伟; \\ back"}},
	{{Name: "FirstName", Value: "bad\xffutf8"}, {Name: "LastName", Value: "\xc3"}, {Name: "CompanyName", Value: "A\x00B\x01"},
		{Name: "Body", Value: "x\xfe\xff y"}, {Name: "Ba\xffd", Value: "name"}},
	{{Name: "YomiFirstName", Value: "yomi"}, {Name: "OfficeLocation", Value: "B12"}, {Name: "IMAddress", Value: "im@x"},
		{Name: "CustomerId", Value: "c1"}, {Name: "GovernmentId", Value: "g1"}, {Name: "AccountName", Value: "acc"},
		{Name: "MMS", Value: "mms"}, {Name: "Unknown Field", Value: "space"}, {Name: "Weird/Nested", Value: "slash"},
		{Name: "1Digit", Value: "d"}, {Name: "", Value: "no name"}, {Name: "Gender", Value: "0"}, {Name: "Importance", Value: "2"}},
	{{Name: "X-SIF-Foo", Value: "x"}, {Name: "Sensitivity", Value: "2"}, {Name: "sensitivity", Value: "3"}},
	{{Name: "Email1Address", Value: `"Jane Doe" <jane@example.org>`}, {Name: "Email2Address", Value: "bad <address"},
		{Name: "Email3Address", Value: "Bob <bob@example.org>"}, {Name: "email1address", Value: "lower@example.org"}},
	{{Name: "BodySize", Value: "10"}, {Name: "BodyTruncated", Value: "1"}, {Name: "WeightedRank", Value: "3"}, {Name: "Alias", Value: "a"}},
	{{Name: "HomeStreet", Value: "1 Main St\r\nApt 2"}, {Name: "HomeCity", Value: "X;Y"}, {Name: "BusinessCountry", Value: "A,B"},
		{Name: "OtherPostalCode", Value: "123"}, {Name: "HomeAddressCity", Value: "sif name"}, {Name: "homestate", Value: "lower"}},
	{{Name: "Title", Value: "Dr."}, {Name: "MiddleName", Value: "Q"}, {Name: "Suffix", Value: "Jr."}, {Name: "NickName", Value: "JJ"},
		{Name: "Spouse", Value: "S"}, {Name: "ManagerName", Value: "M"}, {Name: "AssistantName", Value: "A"},
		{Name: "JobTitle", Value: "Boss"}, {Name: "Department", Value: "R&D"}, {Name: "WebPage", Value: "http://x/;y"},
		{Name: "Home2PhoneNumber", Value: "1"}, {Name: "CarPhoneNumber", Value: "2"}, {Name: "RadioPhoneNumber", Value: "3"},
		{Name: "CompanyMainPhone", Value: "4"}, {Name: "PagerNumber", Value: "5"}, {Name: "HomeFaxNumber", Value: "6"},
		{Name: "BusinessFaxNumber", Value: "7"}, {Name: "AssistantTelephoneNumber", Value: "8"}, {Name: "Business2PhoneNumber", Value: "9"}},
	{{Name: "FirstName", Value: strings.Repeat("Ünïcödé ", 30)}, {Name: "Body", Value: strings.Repeat("long line ", 40)}},
}

// TestEASContactMatchesReference checks that the EAS contact conversions
// give, byte for byte, what the reference implementation (before they
// indexed the SIF-C fields: eas_contact_ref_test.go) gives: vCard bytes and
// losses of EASContactToVCard, fields, losses and errors of
// VCardToEASContact. Inputs: every vCard of the shared corpora (each .vcf
// file as it is, each card of any file), the edge cases of TestVCardToEASContactDirect
// and easEdgeContacts, generated contacts, the field lists every one of
// those vCards converts to with their variants (easVariants), the
// evolution-activesync field lists, and the SIF-C items of the fixtures
// (sifToVCard serves both).
func TestEASContactMatchesReference(t *testing.T) {
	lists := 0
	for i, fields := range easEdgeContacts {
		for v, f := range easVariants(fields) {
			sameVCardFromEAS(t, fmt.Sprintf("edge %d %s", i, v), f)
			lists++
		}
		card, _ := easContactToVCardRef(fields)
		lists += sameEASContactBothWays(t, fmt.Sprintf("edge %d back", i), card)
	}
	for i, fields := range generatedEASContacts(200) {
		card, _ := easContactToVCardRef(fields)
		lists += sameEASContactBothWays(t, fmt.Sprintf("generated %d", i), card)
	}
	for i, card := range edgeVCards {
		lists += sameEASContactBothWays(t, fmt.Sprintf("edge vCard %d", i), []byte(card))
	}

	cards := 0
	eachFixtureVCard(t, func(name string, data []byte, item bool) {
		lists += sameEASContactBothWays(t, name, data)
		if item {
			cards++
		}
	})
	for name, fields := range easFixtureContacts(t) {
		for v, vf := range easVariants(fields) {
			sameVCardFromEAS(t, name+" "+v, vf)
			lists++
		}
		card, _ := easContactToVCardRef(fields)
		lists += sameEASContactBothWays(t, name+" back", card)
		cards++
	}
	if cards == 0 {
		t.Fatal("no vCards found in the fixtures")
	}
	sifs := 0
	for _, it := range sifFixtures(t) {
		if it.ct != SIFContact {
			continue
		}
		doc, err := readSIF(it.data)
		if err != nil {
			continue
		}
		lg, lw := losses{}, losses{}
		got, want := sifToVCard(doc, lg), sifToVCardRef(doc, lw)
		if !bytes.Equal(got, want) || !reflect.DeepEqual(lg.list(), lw.list()) {
			t.Errorf("%s: sifToVCard\n%q lost %v\nreference\n%q lost %v", it.name, got, lg.list(), want, lw.list())
		}
		sifs++
	}
	t.Logf("%d vCards, %d EAS field lists, %d SIF-C items convert as the reference does", cards, lists, sifs)
}

// edgeVCards are vCards for the rules of VCardToEASContact: what XML
// cannot hold, X-SIF- extras with odd names, charsets, byte order marks,
// broken items, and every kind of property the SIF-C map has a slot for.
var edgeVCards = []string{
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
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;Q;Dr.;Jr.;extra\r\nFN:Dr. Jane Q Doe Jr.\r\nORG:ACME;R&D;Lab;\r\n" +
		"X-EVOLUTION-FILE-AS:Doe\\, Jane\r\nNICKNAME:JJ\r\nTITLE:Boss\r\nROLE:Lead\r\nX-EVOLUTION-SPOUSE:S\r\n" +
		"X-EVOLUTION-MANAGER:M\r\nX-EVOLUTION-ASSISTANT:A\r\nX-ANNIVERSARY:2001-02-03\r\nBDAY:19700102\r\n" +
		"CATEGORIES:x,y\r\nCATEGORIES:z\r\nCLASS:PRIVATE\r\nEMAIL;TYPE=INTERNET,HOME:h@x\r\nEMAIL;TYPE=WORK:w@x\r\n" +
		"EMAIL:a@x\r\nEMAIL:b@x\r\nTEL;TYPE=FAX,WORK:1\r\nTEL;TYPE=FAX:2\r\nTEL;TYPE=FAX:3\r\nTEL;TYPE=FAX:4\r\n" +
		"TEL;TYPE=CELL:5\r\nTEL;TYPE=CELL:6\r\nTEL;TYPE=PAGER:7\r\nTEL;TYPE=CAR:8\r\nTEL;TYPE=WORK,VOICE:9\r\n" +
		"TEL;TYPE=HOME:10\r\nTEL;TYPE=PREF:11\r\nTEL:12\r\nTEL;TYPE=X-EVOLUTION-RADIO:13\r\nTEL;TYPE=ISDN:14\r\n" +
		"TEL:15\r\nTEL:16\r\nTEL:17\r\nTEL:18\r\nTEL:19\r\nTEL:20\r\nTEL:21\r\nTEL:22\r\nTEL:23\r\nTEL:24\r\n" +
		"URL:http://a\r\nURL;TYPE=HOME:http://h\r\nURL;TYPE=WORK:http://w\r\nURL:http://lost\r\n" +
		"ADR;TYPE=WORK:;ext;1 St;C;S;P;Co\r\nADR;TYPE=HOME:po;;2 St\r\nADR:;;3 St\r\nADR:;;4 St lost\r\n" +
		"LABEL;TYPE=HOME:home label\r\nLABEL:other\r\nLABEL:third\r\nLABEL:lost\r\n" +
		"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRg==\r\nX-SIF-YOMIFIRSTNAME:yomi\r\nX-SIF-OfficeLocation:B1\r\n" +
		"X-SIF-FIRSTNAME:override\r\nX-UNKNOWN:u\r\nNOTE:note \\n with trailing  \r\nNOTE:second note\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Only FN\r\nPHOTO;VALUE=URI:http://x/p.jpg\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jörg\r\nFN:Jörg Müller\r\nX-EVOLUTION-FILE-AS:Jörg Müller (Firma)\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\r\nVERSION:4.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nANNIVERSARY:20010203\r\nTEL;TYPE=\"cell,voice\":1\r\nEND:VCARD\r\n",
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane\r\nFN:Jane Doe\r\nX-SIF-Bad<Name:xml\r\nNOTE:x\r\nEND:VCARD\r\n",
}

// fuzzEASFields reads data as EAS fields, one "Name:Value" a line; a
// value's comma-separated parts are also its Items.
func fuzzEASFields(data []byte) []EASField {
	var fields []EASField
	for _, line := range strings.Split(string(data), "\n") {
		name, value, _ := strings.Cut(line, ":")
		fields = append(fields, EASField{Name: name, Value: value, Items: strings.Split(value, ",")})
	}
	return fields
}

// FuzzEASContactMatchesReference: the EAS contact conversions give what
// the reference implementation gives, for data as a vCard and as a list
// of EAS fields (fuzzEASFields), and for the fields the vCard converts to.
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzEASContactMatchesReference -fuzztime 1m
func FuzzEASContactMatchesReference(f *testing.F) {
	for _, c := range edgeVCards {
		f.Add([]byte(c))
	}
	for _, fields := range easEdgeContacts {
		var b strings.Builder
		for _, e := range fields {
			v := e.Value
			if e.Items != nil {
				v = strings.Join(e.Items, ",")
			}
			fmt.Fprintf(&b, "%s:%s\n", e.Name, v)
		}
		f.Add([]byte(b.String()))
	}
	seedFromGlobs(f, 200, func(b []byte) { f.Add(b) }, ezText+"*.vcf", kdepimCard+"*.vcf", osData+"vcards/*/*.vcf")
	f.Fuzz(func(t *testing.T, data []byte) {
		fields := sameEASFromVCard(t, "vCard", data)
		sameVCardFromEAS(t, "its fields", fields)
		sameVCardFromEAS(t, "fields", fuzzEASFields(data))
	})
}

// FuzzModernWriter: escapeModern and writer.modern write what they wrote
// before they had their fast paths, for any text, names and parameters.
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzModernWriter -fuzztime 1m
func FuzzModernWriter(f *testing.F) {
	for _, s := range []string{"", "plain", "a;b,c\\d", "line\r\nbreak\rcr\nlf", "Grüße", "bad\xff", "\xc3", "q\"uo:te",
		strings.Repeat("x", 70), strings.Repeat("ü", 40), "tab\tctl\x01del\x7f"} {
		f.Add(s, "TEL", "", s, false)
		f.Add("", "X-"+s, s, "v", true)
		f.Add("item1", "N", "WORK", s, false)
	}
	f.Fuzz(func(t *testing.T, group, name, paramValue, value string, keepComma bool) {
		if got, want := escapeModern(value, keepComma), escapeModernRef(value, keepComma); got != want {
			t.Fatalf("escapeModern(%q, %v) = %q, reference %q", value, keepComma, got, want)
		}
		for _, params := range [][]param{nil, {{name: "TYPE"}}, {{name: "TYPE", values: []string{paramValue}}},
			{{name: "TYPE", values: []string{"WORK", paramValue}}, {name: "X-" + paramValue, values: []string{paramValue, "b"}}}} {
			var got, want writer
			got.modern(group, name, params, value)
			modernRef(&want, group, name, params, value)
			if got.String() != want.String() {
				t.Fatalf("modern(%q, %q, %+v, %q) = %q, reference %q", group, name, params, value, got.String(), want.String())
			}
		}
	})
}

// FuzzSIFNamesMatch: sifNames.match finds the name strings.EqualFold
// finds, and tells the names strings.ToLower makes one of the table's.
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzSIFNamesMatch -fuzztime 1m
func FuzzSIFNamesMatch(f *testing.F) {
	for _, s := range []string{"FirstName", "firstname", "FIRSTNAME", "NIC\u212AName", "Bu\u017FinessTelephoneNumber",
		"T\u0130tle", "JobT\u0131tle", "Photo", "photo", "", "X", "Ba\xffd", strings.Repeat("a", 70), "HomeAddressCity"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, lowerIs := sifContactNames.match(name)
		want := -1
		for i, n := range sifContactNames.names {
			if strings.EqualFold(name, n) {
				want = i
				break
			}
		}
		_, wantLower := sifContactNames.lower[strings.ToLower(name)]
		if id != want || lowerIs != wantLower {
			t.Fatalf("match(%q) = %d, %v; want %d, %v", name, id, lowerIs, want, wantLower)
		}
	})
}

// FuzzContactHelpers: the helpers of the EAS contact conversions agree
// with what they stand for: plainAddrSpec with mail.ParseAddress,
// joinWords with strings.Fields of the joined parts.
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzContactHelpers -fuzztime 1m
func FuzzContactHelpers(f *testing.F) {
	for _, s := range []string{"a@b", "p00001@example.org", "a.b+c_d-e@x-y.example", ".a@b", "a.@b", "a..b@c", "a@b.", "a@@b",
		"a@[1.2.3.4]", " a@b", "a@b ", "\"q\"@b", "a@b (c)", "", "@", "a@", "@b", "ü@b", "a\xff@b", "\u2000x\u00a0y\x85z"} {
		f.Add(s, " two  words\t", "\xe2\x80")
	}
	f.Fuzz(func(t *testing.T, s, p2, p3 string) {
		if plainAddrSpec(s) {
			a, err := mail.ParseAddress(s)
			if err != nil || a.Address != s {
				t.Fatalf("plainAddrSpec(%q), but mail.ParseAddress gives %+v, %v", s, a, err)
			}
		}
		parts := []string{s, p2, p3, p3 + s, ""}
		if got, want := joinWords(parts...), strings.Join(strings.Fields(strings.Join(parts, " ")), " "); got != want {
			t.Fatalf("joinWords(%q) = %q, want %q", parts, got, want)
		}
	})
}
