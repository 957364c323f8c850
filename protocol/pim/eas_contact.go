package pim

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"
)

// EAS contacts (MS-ASCNTC 2.2.2, Contacts and Contacts2 code pages) <->
// vCard 3.0. The EAS fields are Outlook's, as SIF-C's are, so the
// conversion goes through the SIF-C field map of sif_contact.go: an EAS
// field is renamed to its SIF counterpart and the SIF rules make the
// vCard (and back). Fields vCard has no property for are kept as X-SIF-
// properties, the same ones a SIF client's item gets.

// easContactNames maps EAS contact fields whose SIF-C name differs.
var easContactNames = map[string]string{
	"BusinessPhoneNumber": "BusinessTelephoneNumber", "Business2PhoneNumber": "Business2TelephoneNumber",
	"HomePhoneNumber": "HomeTelephoneNumber", "Home2PhoneNumber": "Home2TelephoneNumber",
	"MobilePhoneNumber": "MobileTelephoneNumber", "CarPhoneNumber": "CarTelephoneNumber",
	"RadioPhoneNumber": "RadioTelephoneNumber", "CompanyMainPhone": "CompanyMainTelephoneNumber",
	"Picture": "Photo", "CustomerId": "CustomerID", "GovernmentId": "GovernmentIDNumber",
	"AccountName": "Account",
}

// easContactSpace is the code page of each EAS contact field that is not
// on the Contacts page.
var easContactSpace = map[string]string{
	"CustomerId": "Contacts2", "GovernmentId": "Contacts2", "IMAddress": "Contacts2",
	"IMAddress2": "Contacts2", "IMAddress3": "Contacts2", "ManagerName": "Contacts2",
	"CompanyMainPhone": "Contacts2", "AccountName": "Contacts2", "NickName": "Contacts2",
	"MMS": "Contacts2",
}

// easContactOrder is the order of fields written to a device, the schema
// order of MS-ASCNTC 2.2.2 with the Contacts2 fields after.
var easContactOrder = []string{
	"Anniversary", "AssistantName", "AssistantTelephoneNumber", "Birthday",
	"Business2PhoneNumber", "BusinessCity", "BusinessCountry", "BusinessPostalCode", "BusinessState",
	"BusinessStreet", "BusinessFaxNumber", "BusinessPhoneNumber", "CarPhoneNumber", "Categories",
	"Children", "CompanyName", "Department", "Email1Address", "Email2Address", "Email3Address",
	"FileAs", "FirstName", "Home2PhoneNumber", "HomeCity", "HomeCountry", "HomePostalCode",
	"HomeState", "HomeStreet", "HomeFaxNumber", "HomePhoneNumber", "JobTitle", "LastName",
	"MiddleName", "MobilePhoneNumber", "OfficeLocation", "OtherCity", "OtherCountry",
	"OtherPostalCode", "OtherState", "OtherStreet", "PagerNumber", "RadioPhoneNumber", "Spouse",
	"Suffix", "Title", "WebPage", "YomiCompanyName", "YomiFirstName", "YomiLastName", "Picture",
	"CustomerId", "GovernmentId", "IMAddress", "IMAddress2", "IMAddress3", "ManagerName",
	"CompanyMainPhone", "AccountName", "NickName", "MMS",
}

// easAddrParts are the address field suffixes of EAS and of SIF-C.
var easAddrParts = [][2]string{
	{"Street", "AddressStreet"}, {"City", "AddressCity"}, {"State", "AddressState"},
	{"PostalCode", "AddressPostalCode"}, {"Country", "AddressCountry"},
}

// easToSIFName is the SIF-C name of an EAS contact field.
func easToSIFName(name string) string {
	if n, ok := easToSIFNames[name]; ok {
		return n
	}
	return name
}

// easToSIFNames are the EAS contact fields whose SIF-C name differs:
// easContactNames and the address fields.
var easToSIFNames = func() map[string]string {
	m := maps.Clone(easContactNames)
	for _, pre := range []string{"Business", "Home", "Other"} {
		for _, p := range easAddrParts {
			if _, ok := m[pre+p[0]]; !ok {
				m[pre+p[0]] = pre + p[1]
			}
		}
	}
	return m
}()

// sifToEASName is the inverse of easToSIFName over easContactOrder.
var sifToEASName = func() map[string]string {
	m := map[string]string{}
	for _, n := range easContactOrder {
		m[strings.ToLower(easToSIFName(n))] = n
	}
	return m
}()

// sifToEASExact is sifToEASName by the SIF-C names as cardSIFFields
// spells them, which spares lower-casing each name.
var sifToEASExact = func() map[string]string {
	m := map[string]string{}
	for _, n := range easContactOrder {
		m[easToSIFName(n)] = n
	}
	return m
}()

// EASContactToVCard converts Contacts ApplicationData to vCard 3.0. The
// notes are the 2.5 Contacts Body or the AirSyncBase Body. lost names the
// fields that cannot be carried.
func EASContactToVCard(fields []EASField) (vcard []byte, lost []string) {
	doc := &sifDoc{root: "contact", fields: make([]sifField, 0, len(fields))}
	for _, f := range fields {
		v := f.Value
		switch f.Name {
		case "Categories", "Children":
			v = strings.Join(f.Items, ",")
		case "Birthday", "Anniversary":
			v = easDate(v)
		case "Email1Address", "Email2Address", "Email3Address":
			// Devices may send "Name" <address> (MS-ASCNTC 2.2.2.26).
			if plainAddrSpec(v) {
				break // what mail.ParseAddress returns unchanged
			}
			if a, err := mail.ParseAddress(v); err == nil {
				v = a.Address
			}
		case "BodySize", "BodyTruncated", "WeightedRank", "Alias":
			continue // sizes, and GAL-only fields
		}
		doc.fields = append(doc.fields, sifField{easToSIFName(f.Name), v})
	}
	l := losses{}
	return sifToVCard(doc, l), l.list()
}

// plainAddrSpec tells an address mail.ParseAddress reads as its own
// Address: local@domain, each a dot-atom (RFC 5322 3.4.1) of letters,
// digits, "_", "+" and "-", without leading, trailing or double dots.
func plainAddrSpec(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && plainDotAtom(local) && plainDotAtom(domain)
}

// plainDotAtom tells a non-empty dot-atom of letters, digits, "_", "+"
// and "-" without leading, trailing or double dots.
func plainDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// VCardToEASContact converts a vCard (any version Convert reads) to
// Contacts ApplicationData fields, non-empty ones only: a device reads a
// field missing from a Change as deleted (MS-ASCMD 2.2.3.11), as it should
// be. The notes come as an AirSyncBase Body field (the front end writes
// Contacts Body for 2.5); lost names what EAS cannot hold.
//
// The vCard's SIF-C fields are mapped to EAS without writing and reading
// the SIF-C XML; sifXMLFields gives the values that round trip would.
func VCardToEASContact(data []byte) (fields []EASField, lost []string, err error) {
	l := losses{}
	card, err := canonicalVCard(data, l)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	sif, err := sifXMLFields(cardSIFFields(card, l))
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	return easContactFields(sif, l), l.list(), nil
}

// canonicalVCard is the VCARD component of a vCard in the form Convert
// stores (vCard 3.0), its losses added to lost.
func canonicalVCard(data []byte, lost losses) (*component, error) {
	canon, root, more, err := convertParsed(data, "text/vcard", "text/vcard", ConvertOptions{})
	if err != nil {
		return nil, err
	}
	for n := range more {
		lost.add(n)
	}
	if root == nil {
		root = parse(canon)
	}
	card := root.find("VCARD")
	if card == nil {
		return nil, ErrMalformed
	}
	return card, nil
}

// easContactFields maps SIF-C fields to EAS contact fields in
// easContactOrder, Body last; fields EAS has no place for are added to
// lost unless they hold a default.
func easContactFields(sif []sifField, l losses) []EASField {
	// got holds the last field of each name by its place in
	// easContactOrder (Body last), in that order.
	type placed struct {
		at int
		f  EASField
	}
	got := make([]placed, 0, 16)
	set := func(at int, f EASField) {
		i := 0
		for i < len(got) && got[i].at < at {
			i++
		}
		if i < len(got) && got[i].at == at {
			got[i].f = f
			return
		}
		got = slices.Insert(got, i, placed{at, f})
	}
	for _, f := range sif {
		v := strings.TrimSpace(f.value)
		if f.name == "Body" {
			v = strings.TrimRight(f.value, " \t\r\n")
		}
		if v == "" {
			continue
		}
		name, ok := sifToEASExact[f.name]
		if !ok {
			name, ok = sifToEASName[strings.ToLower(f.name)]
		}
		switch {
		case f.name == "Body":
			set(len(easContactOrder), EASField{Space: "AirSyncBase", Name: "Body", Value: v})
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
		set(easContactIndex[name], e)
	}
	if len(got) == 0 {
		return nil
	}
	fields := make([]EASField, len(got))
	for i, p := range got {
		fields[i] = p.f
	}
	return fields
}

// easContactIndex is the place of each field in easContactOrder.
var easContactIndex = func() map[string]int {
	m := make(map[string]int, len(easContactOrder))
	for i, n := range easContactOrder {
		m[n] = i
	}
	return m
}()
