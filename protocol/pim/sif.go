package pim

// Funambol SIF ("Sync4j Interchange Format"): flat XML items with one
// element per Outlook field, sent by Funambol's Outlook plug-in and its
// Pocket PC and other clients as text/x-s4j-sifc (<contact>), -sife
// (<appointment>), -sift (<task>) and -sifn (<note>), usually base64
// encoded (<Format>b64</Format>). They are converted through the canonical
// formats: SIF-C to vCard 3.0 (sif_contact.go), SIF-E and SIF-T to
// iCalendar 2.0 (sif_cal.go), SIF-N to plain text (below). A SIF field
// without a vCard or iCalendar counterpart is kept as an X-SIF-<NAME>
// property, so SIF -> canonical -> SIF loses nothing the device sent.
//
// encoding/xml is used to read: it has no DTD support, so no external
// entities and no entity expansion.

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SIF MIME types.
const (
	SIFContact = "text/x-s4j-sifc"
	SIFEvent   = "text/x-s4j-sife"
	SIFTask    = "text/x-s4j-sift"
	SIFNote    = "text/x-s4j-sifn"
)

// sifMaxFields bounds the fields read from one item.
const sifMaxFields = 4096

// sifField is one element of a SIF item. Elements nested one level deeper
// (<Exceptions><ExcludeDate>) are named "Parent/Child".
type sifField struct {
	name, value string
}

// sifDoc is a parsed SIF item.
type sifDoc struct {
	root   string // contact, appointment, task or note
	fields []sifField
}

// get returns the value of the first field with the given name
// (case-insensitive), trimmed, or "".
func (d *sifDoc) get(name string) string {
	return strings.TrimSpace(d.raw(name))
}

// raw is get without the trimming, for multi-line text (Body).
func (d *sifDoc) raw(name string) string {
	for _, f := range d.fields {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// all returns the trimmed non-empty values of every field with the name.
func (d *sifDoc) all(name string) []string {
	var out []string
	for _, f := range d.fields {
		if strings.EqualFold(f.name, name) && strings.TrimSpace(f.value) != "" {
			out = append(out, strings.TrimSpace(f.value))
		}
	}
	return out
}

// sifFormat maps a SIF MIME type to its format, or fmtUnknown.
func sifFormat(base string) format {
	switch base {
	case SIFContact:
		return fmtSIFC
	case SIFEvent:
		return fmtSIFE
	case SIFTask:
		return fmtSIFT
	case SIFNote:
		return fmtSIFN
	}
	return fmtUnknown
}

// IsSIF tells whether contentType is one of the SIF types: XML, which no
// vCard or iCalendar stream can hold as it is.
func IsSIF(contentType string) bool {
	base, _ := mediaType(contentType)
	return isSIF(sifFormat(base))
}

// isSIF tells whether f is one of the SIF formats.
func isSIF(f format) bool {
	return f == fmtSIFC || f == fmtSIFE || f == fmtSIFT || f == fmtSIFN
}

// sifKind tells the kind of a SIF item from its type, else from its root
// element; KindUnknown if it is not SIF.
func sifKind(contentType string, data []byte) Kind {
	base, _ := mediaType(contentType)
	switch sifFormat(base) {
	case fmtSIFC:
		return KindContact
	case fmtSIFE:
		return KindEvent
	case fmtSIFT:
		return KindTask
	case fmtSIFN:
		return KindNote
	}
	return KindUnknown
}

// sifRootKind maps a root element name to a kind.
func sifRootKind(root string) Kind {
	switch strings.ToLower(root) {
	case "contact":
		return KindContact
	case "appointment", "event":
		return KindEvent
	case "task":
		return KindTask
	case "note":
		return KindNote
	}
	return KindUnknown
}

// sifText returns a SIF item as UTF-8 XML text: a byte order mark and
// UTF-16 are removed, base64 (what the clients send) is decoded, 8-bit text
// that is not UTF-8 is read as windows-1252.
func sifText(data []byte) string {
	s := strings.TrimSpace(decodeText(data))
	if !strings.HasPrefix(s, "<") && s != "" {
		clean := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
		if dec, err := base64.StdEncoding.DecodeString(clean); err == nil {
			s = strings.TrimSpace(decodeText(dec))
		}
	}
	return toUTF8(s, "")
}

// readSIF parses a SIF item. It fails with ErrMalformed for anything that
// is not well-formed XML with a root element.
func readSIF(data []byte) (*sifDoc, error) {
	dec := xml.NewDecoder(strings.NewReader(sifText(data)))
	dec.Entity = xml.HTMLEntity // &nbsp; and friends, as some clients write them
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) {
		return r, nil // sifText made it UTF-8 already
	}
	doc := &sifDoc{}
	depth := 0
	var names [3]string
	var text strings.Builder
	hadChild := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: SIF: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return nil, fmt.Errorf("%w: SIF nested too deep", ErrMalformed)
			}
			if depth == 1 && doc.root != "" {
				return nil, fmt.Errorf("%w: SIF with two root elements", ErrMalformed)
			}
			if depth <= 3 {
				names[depth-1] = t.Name.Local
			}
			if depth == 2 {
				hadChild = false
			}
			if depth == 3 {
				hadChild = true
			}
			if depth == 1 {
				doc.root = t.Name.Local
			}
			text.Reset()
		case xml.CharData:
			if depth == 2 || depth == 3 {
				text.Write(t)
			}
		case xml.EndElement:
			switch {
			case depth == 3:
				doc.fields = append(doc.fields, sifField{names[1] + "/" + names[2], text.String()})
			case depth == 2 && !hadChild:
				doc.fields = append(doc.fields, sifField{names[1], text.String()})
			}
			if len(doc.fields) > sifMaxFields {
				return nil, fmt.Errorf("%w: SIF item with more than %d fields", ErrMalformed, sifMaxFields)
			}
			text.Reset()
			depth--
		}
	}
	if doc.root == "" || depth != 0 {
		return nil, fmt.Errorf("%w: no complete SIF root element", ErrMalformed)
	}
	return doc, nil
}

// writeSIF writes a SIF item. Fields named "Parent/Child" that follow
// each other are written inside one <Parent>.
func writeSIF(root string, fields []sifField) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString("<" + root + ">")
	open := ""
	for _, f := range fields {
		parent, child, nested := strings.Cut(f.name, "/")
		if open != "" && (!nested || parent != open) {
			b.WriteString("</" + open + ">")
			open = ""
		}
		name := f.name
		if nested {
			if open == "" {
				b.WriteString("<" + parent + ">")
				open = parent
			}
			name = child
		}
		if f.value == "" {
			b.WriteString("<" + name + "/>")
			continue
		}
		b.WriteString("<" + name + ">")
		sifEscape(&b, f.value)
		b.WriteString("</" + name + ">")
	}
	if open != "" {
		b.WriteString("</" + open + ">")
	}
	b.WriteString("</" + root + ">")
	return b.Bytes()
}

// sifEscape writes s as XML character data: markup characters as
// references, CR as &#13; (an XML reader turns a raw CRLF into LF), and
// characters XML 1.0 cannot hold (section 2.2) dropped.
func sifEscape(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#13;")
		case notXMLChar(r):
		default:
			b.WriteRune(r)
		}
	}
}

// notXMLChar tells the characters sifEscape drops: those XML 1.0 cannot
// hold (section 2.2), and bytes that are not UTF-8.
func notXMLChar(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == utf8.RuneError || r == 0xFFFE || r == 0xFFFF
}

// sifXMLFields returns fields and extras as readSIF reads them from
// writeSIF's item, without writing and parsing it: the values without the
// characters sifEscape drops. The names of fields are plain XML names
// (sifContactFieldNames); when one of extras has another (or there are too
// many fields), the item takes the round trip itself, with its errors.
func sifXMLFields(fields, extras []sifField) ([]sifField, error) {
	all := append(fields, extras...)
	if len(all) > sifMaxFields || !sifPlainNames(extras) {
		doc, err := readSIF(writeSIF("contact", all))
		if err != nil {
			return nil, err
		}
		return doc.fields, nil
	}
	for i, f := range all {
		all[i].value = sifXMLText(f.value)
	}
	return all, nil
}

// sifRoundTrips tells whether sifXMLFields takes the XML round trip for
// the fields of a contact (with or without a photo) and extras.
func sifRoundTrips(photo bool, extras []sifField) bool {
	n := len(sifContactFieldNames) + len(extras)
	if photo {
		n++
	}
	return n > sifMaxFields || !sifPlainNames(extras)
}

// sifPlainNames tells whether all fields have plain names (sifPlainName).
func sifPlainNames(fields []sifField) bool {
	return !slices.ContainsFunc(fields, func(f sifField) bool { return !sifPlainName(f.name) })
}

// sifXMLText is s without the characters sifEscape drops.
func sifXMLText(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		clean = c >= 0x20 && c < utf8.RuneSelf || c == '\n' || c == '\t' || c == '\r'
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !notXMLChar(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sifPlainName tells a field name writeSIF writes as one element (or, with
// one "/", an element in another) that readSIF reads back by that name:
// ASCII letters, digits, "-" and "_", starting with a letter.
func sifPlainName(name string) bool {
	parent, child, nested := strings.Cut(name, "/")
	if nested && !sifPlainName(parent) {
		return false
	}
	if nested {
		name = child
	}
	if name == "" || !(name[0] >= 'A' && name[0] <= 'Z' || name[0] >= 'a' && name[0] <= 'z') {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sifXName is the property that keeps a SIF field without a counterpart:
// X-SIF-<NAME>, with "/" of nested fields as "--"; "" when the name
// cannot be a property name.
func sifXName(field string) string {
	n := strings.ToUpper(strings.ReplaceAll(field, "/", "--"))
	if n == "" {
		return ""
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return ""
		}
	}
	return "X-SIF-" + n
}

// sifFieldName is the SIF field an X-SIF- property stands for, in the
// case SIF spells it where the field is known.
func sifFieldName(prop string) string {
	n := strings.ReplaceAll(strings.TrimPrefix(prop, "X-SIF-"), "--", "/")
	if known, ok := sifKnownNames[strings.ToUpper(n)]; ok {
		return known
	}
	return n
}

// sifKnownNames maps upper-case SIF field names to their spelling, for
// the fields kept as X-SIF- properties.
var sifKnownNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		// Contacts (Funambol SIF-C 1.1).
		"Children", "Companies", "ComputerNetworkName", "Gender", "Hobby", "IMAddress", "Importance",
		"Initials", "Language", "Mileage", "OfficeLocation", "OrganizationalIDNumber", "Subject",
		"YomiCompanyName", "YomiFirstName", "YomiLastName", "BillingInformation", "CustomerID",
		"GovernmentIDNumber", "Account", "InternetFreeBusyAddress", "PersonalWebPage", "BusinessHomePage",
		"Email1AddressType", "Email2AddressType", "Email3AddressType", "Email1DisplayName",
		"Email2DisplayName", "Email3DisplayName", "ISDNNumber", "TTYTDDTelephoneNumber", "User1", "User2",
		"User3", "User4", "Revision", "SIFVersion", "Folder",
		// Events and tasks (SIF-E, SIF-T).
		"MeetingStatus", "ReplyTime", "ReminderSoundFile", "ReminderOptions", "ReminderInterval",
		"ReminderRepeatCount", "ActualWork", "TotalWork", "TeamTask", "Owner", "Duration",
		"Timezone", "Exceptions/ExcludeDate", "Exceptions/IncludeDate",
		// Notes (SIF-N).
		"Color", "Height", "Width", "Left", "Top", "Date",
	} {
		m[strings.ToUpper(n)] = n
	}
	return m
}()

// sifToCanonical converts a SIF item to its canonical format.
func sifToCanonical(data []byte, src format, lost losses) (string, []byte, error) {
	doc, err := readSIF(data)
	if err != nil {
		return "", nil, err
	}
	want := map[format]Kind{fmtSIFC: KindContact, fmtSIFE: KindEvent, fmtSIFT: KindTask, fmtSIFN: KindNote}[src]
	if k := sifRootKind(doc.root); k != want && !(want == KindEvent && k == KindTask) {
		return "", nil, fmt.Errorf("%w: SIF <%s> sent as %s", ErrMalformed, doc.root, src)
	}
	switch sifRootKind(doc.root) {
	case KindContact:
		return "text/vcard", sifToVCard(doc, lost), nil
	case KindEvent, KindTask:
		out, err := sifToICal(doc, lost)
		return "text/calendar", out, err
	}
	return "text/plain", sifToNote(doc, lost), nil
}

// sifToNote converts a SIF-N note to plain text: its Body, else its
// Subject (the clients derive the Subject from the Body's first line).
func sifToNote(doc *sifDoc, lost losses) []byte {
	text := doc.raw("Body")
	if strings.TrimSpace(text) == "" {
		text = doc.get("Subject")
	}
	for _, f := range doc.fields {
		switch {
		case strings.EqualFold(f.name, "Body"), strings.EqualFold(f.name, "Subject"):
		case strings.TrimSpace(f.value) != "":
			lost.add(f.name) // plain text has nothing but the text
		}
	}
	return []byte(strings.Join(physicalLines(text), "\n"))
}

// noteToSIF writes plain text as a SIF-N note; the Subject is the first
// line, as the clients set it.
func noteToSIF(text string) []byte {
	text = strings.Join(physicalLines(text), "\r\n")
	return writeSIF("note", []sifField{{"Subject", firstLine(text)}, {"Body", text}})
}

// convertSIF converts to or from SIF: through the canonical format of the
// item's family. src and dst are not both the same SIF format.
func convertSIF(data []byte, fromType, toType string, src, dst format, opts ConvertOptions, lost losses) ([]byte, error) {
	canonType, canon := fromType, data
	if isSIF(src) {
		var err error
		if canonType, canon, err = sifToCanonical(data, src, lost); err != nil {
			return nil, err
		}
		if !isSIF(dst) {
			out, more, err := convert(canon, canonType, toType, opts)
			if err != nil {
				return nil, err
			}
			for n := range more {
				lost.add(n)
			}
			return out, nil
		}
	}
	// To SIF: first to the canonical format of the target's family.
	want := map[format]string{fmtSIFC: "text/vcard", fmtSIFE: "text/calendar", fmtSIFT: "text/calendar", fmtSIFN: "text/plain"}[dst]
	out, more, err := convert(canon, canonType, want, opts)
	if err != nil {
		return nil, err
	}
	for n := range more {
		lost.add(n)
	}
	switch dst {
	case fmtSIFC:
		return vcardToSIF(out, lost)
	case fmtSIFE, fmtSIFT:
		return icalToSIF(out, dst == fmtSIFT, lost)
	}
	return noteToSIF(string(out)), nil
}
