package pim

import (
	"fmt"
	"maps"
	"math/bits"
	"net/mail"
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
// the SIF-C XML; sifXMLText gives the values that round trip would, and
// the items whose X-SIF- names or number of fields it would change take
// it (sifXMLFields).
func VCardToEASContact(data []byte) (fields []EASField, lost []string, err error) {
	l := losses{}
	card, err := canonicalVCard(data, l)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	var vals sifValues
	extras := cardSIFValues(card, &vals, l)
	var set easContactSet
	if sifRoundTrips(vals[sifPhoto] != "", extras) {
		sif, err := sifXMLFields(vals.fields(len(extras)), extras)
		if err != nil {
			return nil, nil, fmt.Errorf("eas contact: %w", err)
		}
		for _, f := range sif {
			set.add(f.name, f.value, l)
		}
		return set.list(), l.list(), nil
	}
	for id, name := range sifContactNames.names {
		set.addKnown(id, name, sifXMLText(vals[id]), l)
	}
	for _, f := range extras {
		set.add(f.name, sifXMLText(f.value), l)
	}
	return set.list(), l.list(), nil
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

// easContactSet collects the EAS fields of SIF-C fields: the last field
// of each name, in easContactOrder (Body last). It lives on the stack.
type easContactSet struct {
	byPlace [easContactPlaces]EASField
	has     uint64 // bit i: byPlace[i] is set
}

// easContactPlaces bounds the places of easContactOrder and Body.
const easContactPlaces = 64

// easTarget is the EAS field a SIF-C field maps to: its name (""
// for none), code page and place in easContactOrder.
type easTarget struct {
	name, space string
	at          int
}

// easTargetOf is the easTarget of the EAS field eas ("" for none).
func easTargetOf(eas string) easTarget {
	if eas == "" {
		return easTarget{}
	}
	t := easTarget{name: eas, space: "Contacts", at: easContactIndex[eas]}
	if sp, ok := easContactSpace[eas]; ok {
		t.space = sp
	}
	return t
}

// sifKnownEAS is, by SIF-C field number, the EAS field the SIF-C field
// maps to.
var sifKnownEAS = func() []easTarget {
	if len(easContactOrder)+1 > easContactPlaces {
		panic("pim: easContactPlaces is less than the EAS contact fields")
	}
	out := make([]easTarget, len(sifContactNames.names))
	for id, n := range sifContactNames.names {
		eas, ok := sifToEASExact[n]
		if !ok {
			eas = sifToEASName[strings.ToLower(n)]
		}
		out[id] = easTargetOf(eas)
	}
	return out
}()

// add maps a SIF-C field to its EAS field; a field EAS has no place for
// is added to l unless it holds a default.
func (s *easContactSet) add(name, value string, l losses) {
	eas, ok := sifToEASExact[name]
	if !ok {
		eas = sifToEASName[strings.ToLower(name)]
	}
	s.put(name, value, easTargetOf(eas), l)
}

// addKnown is add for the SIF-C field numbered id.
func (s *easContactSet) addKnown(id int, name, value string, l losses) {
	s.put(name, value, sifKnownEAS[id], l)
}

// put is add of a field that maps to t.
func (s *easContactSet) put(name, value string, t easTarget, l losses) {
	v := strings.TrimSpace(value)
	if name == "Body" {
		v = strings.TrimRight(value, " \t\r\n")
	}
	if v == "" {
		return
	}
	switch {
	case name == "Body":
		s.set(len(easContactOrder), EASField{Space: "AirSyncBase", Name: "Body", Value: v})
		return
	case t.name == "":
		if _, def := sifContactDefaults[name]; !def || sifContactDefaults[name] != v {
			if name != "FileAs" {
				l.add(name)
			}
		}
		return
	}
	e := EASField{Space: t.space, Name: t.name, Value: v}
	switch t.name {
	case "Categories", "Children":
		e.Value, e.Items = "", sifList(v)
	case "Birthday", "Anniversary":
		e.Value = dateEAS(v)
	}
	s.set(t.at, e)
}

// set puts f at its place, replacing the field there.
func (s *easContactSet) set(at int, f EASField) {
	s.byPlace[at] = f
	s.has |= 1 << at
}

// list returns the fields in order, or nil.
func (s *easContactSet) list() []EASField {
	if s.has == 0 {
		return nil
	}
	out := make([]EASField, 0, bits.OnesCount64(s.has))
	for at := range s.byPlace {
		if s.has&(1<<at) != 0 {
			out = append(out, s.byPlace[at])
		}
	}
	return out
}

// easContactIndex is the place of each field in easContactOrder.
var easContactIndex = func() map[string]int {
	m := make(map[string]int, len(easContactOrder))
	for i, n := range easContactOrder {
		m[n] = i
	}
	return m
}()
