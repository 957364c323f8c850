package pim

// SIF-C (Funambol SIF contact) <-> vCard 3.0. The field-to-property map
// follows Funambol's own converter where it has one (emails, phones,
// addresses, web pages) and Evolution's X- properties for fields vCard 3.0
// lacks (file-as, spouse, manager, assistant, the odd phone types), so
// that SyncEvolution clients show them.

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
)

// sifSlot is a SIF field that holds one vCard property of a kind, with
// the TYPE values it stands for (VOICE, the default, left out).
type sifSlot struct {
	field string
	types []string
}

// sifPhones are the SIF phone fields, in the order they are filled.
var sifPhones = []sifSlot{
	{"BusinessTelephoneNumber", []string{"WORK"}},
	{"Business2TelephoneNumber", []string{"WORK"}},
	{"BusinessFaxNumber", []string{"FAX", "WORK"}},
	{"CompanyMainTelephoneNumber", []string{"X-EVOLUTION-COMPANY"}},
	{"HomeTelephoneNumber", []string{"HOME"}},
	{"Home2TelephoneNumber", []string{"HOME"}},
	{"HomeFaxNumber", []string{"FAX", "HOME"}},
	{"MobileTelephoneNumber", []string{"CELL"}},
	{"PagerNumber", []string{"PAGER"}},
	{"CarTelephoneNumber", []string{"CAR"}},
	{"PrimaryTelephoneNumber", []string{"PREF"}},
	{"OtherTelephoneNumber", nil},
	{"OtherFaxNumber", []string{"FAX"}},
	{"AssistantTelephoneNumber", []string{"X-EVOLUTION-ASSISTANT"}},
	{"CallbackTelephoneNumber", []string{"X-EVOLUTION-CALLBACK"}},
	{"RadioTelephoneNumber", []string{"X-EVOLUTION-RADIO"}},
	{"TelexNumber", []string{"X-EVOLUTION-TELEX"}},
}

// sifEmails follow Funambol: EMAIL;INTERNET, ;HOME, ;WORK.
var sifEmails = []sifSlot{
	{"Email1Address", nil}, {"Email2Address", []string{"HOME"}}, {"Email3Address", []string{"WORK"}},
}

// sifWebs: URL, URL;HOME, URL;WORK.
var sifWebs = []sifSlot{
	{"WebPage", nil}, {"HomeWebPage", []string{"HOME"}}, {"BusinessWebPage", []string{"WORK"}},
}

// sifAddrs are the address prefixes; each has PostOfficeBox, Street,
// City, State, PostalCode, Country (the ADR components but the extended
// address) and a Label.
var sifAddrs = []sifSlot{
	{"HomeAddress", []string{"HOME"}}, {"BusinessAddress", []string{"WORK"}}, {"OtherAddress", nil},
}

// sifAddrParts are the SIF address fields in ADR component order
// (RFC 2426 3.2.1); "" is the extended address SIF has no field for.
var sifAddrParts = []string{"PostOfficeBox", "", "Street", "City", "State", "PostalCode", "Country"}

// sifLabel is the label field of an address prefix.
func sifLabel(prefix string) string {
	return strings.TrimSuffix(prefix, "Address") + "Label"
}

// sifContactText maps single-valued SIF text fields to vCard properties.
var sifContactText = []struct{ field, prop string }{
	{"NickName", "NICKNAME"}, {"JobTitle", "TITLE"}, {"Profession", "ROLE"}, {"Body", "NOTE"},
	{"Spouse", "X-EVOLUTION-SPOUSE"}, {"ManagerName", "X-EVOLUTION-MANAGER"},
	{"AssistantName", "X-EVOLUTION-ASSISTANT"}, {"FileAs", "X-EVOLUTION-FILE-AS"},
	{"Birthday", "BDAY"}, {"Anniversary", "X-ANNIVERSARY"},
}

// sifContactDefaults are field values that say nothing (Outlook's
// defaults) and are not kept.
var sifContactDefaults = map[string]string{"Sensitivity": "0", "Importance": "1", "Gender": "0"}

// sifContactNames numbers the SIF-C fields: those vcardToSIF writes and
// sifToVCard reads, Photo last. sifValues holds values by these numbers.
var sifContactNames = func() *sifNames {
	n := newSIFNames(append(slices.Clone(sifContactFieldNames), "Photo")...)
	if len(n.names) != sifContactCount {
		panic("pim: sifContactCount is not the number of SIF-C fields")
	}
	return n
}()

// The numbers of the SIF-C fields sifToVCard reads by name.
var (
	sifLastName, sifFirstName, sifMiddleName = sifContactNames.id("LastName"), sifContactNames.id("FirstName"), sifContactNames.id("MiddleName")
	sifTitle, sifSuffix, sifFileAs           = sifContactNames.id("Title"), sifContactNames.id("Suffix"), sifContactNames.id("FileAs")
	sifCompany, sifDepartment, sifBody       = sifContactNames.id("CompanyName"), sifContactNames.id("Department"), sifContactNames.id("Body")
	sifCategories, sifSensitivity, sifPhoto  = sifContactNames.id("Categories"), sifContactNames.id("Sensitivity"), sifContactNames.id("Photo")
	sifEmail1                                = sifContactNames.id("Email1Address")
)

// sifTextIDs are the numbers of the sifContactText fields.
var sifTextIDs = func() []int {
	ids := make([]int, len(sifContactText))
	for i, t := range sifContactText {
		ids[i] = sifContactNames.id(t.field)
	}
	return ids
}()

// sifSlotProps is a slot list as sifToVCard writes it: the number of each
// slot's field and its property's parameters.
type sifSlotProps struct {
	name   string // property
	ids    []int
	params [][]param
}

// sifSlotsOut are the emails (all INTERNET), phones and web pages.
var sifSlotsOut = func() []sifSlotProps {
	var out []sifSlotProps
	for _, l := range []struct {
		list  []sifSlot
		name  string
		extra []string
	}{{sifEmails, "EMAIL", []string{"INTERNET"}}, {sifPhones, "TEL", nil}, {sifWebs, "URL", nil}} {
		sp := sifSlotProps{name: l.name}
		for _, s := range l.list {
			var params []param
			if types := append(slices.Clone(l.extra), s.types...); len(types) > 0 {
				params = []param{{name: "TYPE", values: types}}
			}
			sp.ids, sp.params = append(sp.ids, sifContactNames.id(s.field)), append(sp.params, params)
		}
		out = append(out, sp)
	}
	return out
}()

// sifAddrOut is an address of sifAddrs as sifToVCard writes it: the
// numbers of its fields in ADR component order (-1: none), of its label,
// and the parameters of ADR and LABEL.
type sifAddrOut struct {
	parts  [7]int
	label  int
	params []param
}

// sifAddrsOut are the sifAddrs as sifToVCard writes them.
var sifAddrsOut = func() []sifAddrOut {
	out := make([]sifAddrOut, len(sifAddrs))
	for i, a := range sifAddrs {
		for j := range out[i].parts {
			out[i].parts[j] = -1
		}
		for j, p := range sifAddrParts {
			if p != "" {
				out[i].parts[j] = sifContactNames.id(a.field + p)
			}
		}
		out[i].label = sifContactNames.id(sifLabel(a.field))
		if len(a.types) > 0 {
			out[i].params = []param{{name: "TYPE", values: a.types}}
		}
	}
	return out
}()

// sifToVCard converts a SIF-C item to vCard 3.0. Every field of
// sifContactNames is read, so none of them is kept as an X-SIF- property.
func sifToVCard(doc *sifDoc, lost losses) []byte {
	var buf [128]int32
	ix := sifContactNames.index(doc, buf[:])
	var w writer
	size := 64
	for _, f := range doc.fields {
		size += len(f.name) + len(f.value) + 8
	}
	w.Grow(size)
	w.line("BEGIN:VCARD")
	w.line("VERSION:3.0")
	last, first, middle := ix.get(sifLastName), ix.get(sifFirstName), ix.get(sifMiddleName)
	title, suffix := ix.get(sifTitle), ix.get(sifSuffix)
	w.modern("", "N", nil, escapeModern(last, false)+";"+escapeModern(first, false)+";"+
		escapeModern(middle, false)+";"+escapeModern(title, false)+";"+escapeModern(suffix, false))
	fn := joinWords(title, first, middle, last, suffix)
	company, dept := ix.get(sifCompany), ix.get(sifDepartment)
	fileAs := ix.get(sifFileAs)
	if fn == "" || fileAs != fn && fromFN(last, first, fn, fileAs) {
		fn = fileAs
	}
	if fn == "" {
		fn = company
	}
	if fn == "" {
		fn = ix.get(sifEmail1)
	}
	w.modern("", "FN", nil, escapeModern(fn, false))
	if company != "" || dept != "" {
		w.modern("", "ORG", nil, escapeModern(company, false)+";"+escapeModern(dept, false))
	}
	for i, t := range sifContactText {
		v := ix.get(sifTextIDs[i])
		if sifTextIDs[i] == sifBody {
			v = strings.TrimRight(ix.raw(sifBody), " \t\r\n")
		}
		if v == "" || sifTextIDs[i] == sifFileAs && v == defaultFileAs(last, first, fn) {
			continue
		}
		if t.prop == "BDAY" || t.prop == "X-ANNIVERSARY" {
			w.modern("", t.prop, nil, sifDate(v))
			continue
		}
		w.modern("", t.prop, nil, escapeModern(v, false))
	}
	if cats := sifList(ix.get(sifCategories)); len(cats) > 0 {
		for i := range cats {
			cats[i] = escapeModern(cats[i], false)
		}
		w.modern("", "CATEGORIES", nil, strings.Join(cats, ","))
	}
	if class := sifClass(ix.get(sifSensitivity)); class != "" {
		w.modern("", "CLASS", nil, class)
	}
	for _, l := range sifSlotsOut {
		for i, id := range l.ids {
			if v := ix.get(id); v != "" {
				w.modern("", l.name, l.params[i], v)
			}
		}
	}
	for _, a := range sifAddrsOut {
		var parts [len(sifAddrOut{}.parts)]string
		any := false
		for i, id := range a.parts {
			if id >= 0 {
				parts[i] = escapeModern(ix.get(id), false)
				any = any || parts[i] != ""
			}
		}
		if any {
			w.modern("", "ADR", a.params, strings.Join(parts[:len(sifAddrParts)], ";"))
		}
		if l := ix.get(a.label); l != "" {
			w.modern("", "LABEL", a.params, escapeModern(l, false))
		}
	}
	if photo := strings.Join(strings.Fields(ix.get(sifPhoto)), ""); photo != "" {
		params := []param{{name: "ENCODING", values: []string{"b"}}}
		if t := imageType(photo); t != "" {
			params = append(params, param{name: "TYPE", values: []string{t}})
		}
		w.modern("", "PHOTO", params, photo)
	}
	sifExtras(&w, doc, ix.used, sifContactDefaults, lost)
	w.line("END:VCARD")
	return []byte(w.String())
}

// joinWords is the words of parts (split at white space) joined by
// single spaces.
func joinWords(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		for word := range strings.FieldsSeq(p) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
	}
	return b.String()
}

// sifExtras writes the fields not used yet (used by their place in
// doc.fields) as X-SIF- properties, except empty ones and those holding
// their default.
func sifExtras(w *writer, doc *sifDoc, used func(i int) bool, defaults map[string]string, lost losses) {
	for i, f := range doc.fields {
		v := strings.TrimSpace(f.value)
		if used(i) || v == "" || defaults[f.name] == v {
			continue
		}
		name := sifXName(f.name)
		if name == "" {
			lost.add(f.name)
			continue
		}
		w.modern("", name, nil, escapeModern(v, false))
	}
}

// defaultFileAs is what Outlook files a contact as by default: "Last,
// First" (with or without a space), else the full name.
func defaultFileAs(last, first, fn string) string {
	if last != "" && first != "" {
		return last + ", " + first
	}
	return fn
}

// fromFN tells whether a filing name is the FN the other side filed the
// contact as (defaultFileAs: without a given or a family name, the full
// name), holding more than the name fields do: a formatted name N does not
// hold whole. It is then the contact's FN, and follows FN when FN changes,
// rather than staying as a filing name of its own.
func fromFN(last, first, fn, fileAs string) bool {
	return (last == "" || first == "") && strings.Contains(fileAs, fn)
}

// sifList splits a SIF list (Categories: "a, b" or "a;b").
func sifList(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// sifDate writes a SIF date (YYYY-MM-DD or YYYYMMDD) as YYYY-MM-DD.
func sifDate(v string) string {
	d := strings.ReplaceAll(v, "-", "")
	if len(d) >= 8 && isDate(d[:8]) {
		return d[:4] + "-" + d[4:6] + "-" + d[6:8]
	}
	return v
}

// sifClass maps SIF Sensitivity (Outlook olSensitivity) to CLASS; normal
// is no CLASS at all.
func sifClass(v string) string {
	return map[string]string{"1": "X-PERSONAL", "2": "PRIVATE", "3": "CONFIDENTIAL"}[v]
}

// classSIF is the inverse of sifClass.
func classSIF(class string) string {
	switch strings.ToUpper(strings.TrimSpace(class)) {
	case "X-PERSONAL":
		return "1"
	case "PRIVATE":
		return "2"
	case "CONFIDENTIAL":
		return "3"
	}
	return "0"
}

// imageType tells JPEG, PNG or GIF from the first bytes of base64 data.
func imageType(b64 string) string {
	head, err := base64.StdEncoding.DecodeString(b64[:min(len(b64), 16)/4*4])
	if err != nil {
		return ""
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8}):
		return "JPEG"
	case bytes.HasPrefix(head, []byte("\x89PNG")):
		return "PNG"
	case bytes.HasPrefix(head, []byte("GIF8")):
		return "GIF"
	}
	return ""
}

// vcardToSIF converts a vCard 3.0 item (what Convert made of any vCard) to
// SIF-C; what has no SIF field is recorded in lost.
func vcardToSIF(data []byte, lost losses) ([]byte, error) {
	card := parse(data).find("VCARD")
	if card == nil {
		return nil, ErrMalformed
	}
	fields, extras := cardSIFFields(card, lost)
	return writeSIF("contact", append(fields, extras...)), nil
}

// sifContactFieldNames are the fields vcardToSIF writes to every SIF-C
// item, in order.
var sifContactFieldNames = func() []string {
	names := []string{"FileAs", "FirstName", "MiddleName", "LastName", "Title", "Suffix", "NickName", "CompanyName",
		"Department", "JobTitle", "Profession", "Birthday", "Anniversary", "Spouse", "ManagerName",
		"AssistantName", "Categories", "Sensitivity", "Body"}
	for _, l := range [][]sifSlot{sifEmails, sifPhones, sifWebs} {
		for _, s := range l {
			names = append(names, s.field)
		}
	}
	for _, a := range sifAddrs {
		for _, f := range sifAddrParts {
			if f != "" {
				names = append(names, a.field+f)
			}
		}
		names = append(names, sifLabel(a.field))
	}
	return names
}()

// types0 is the first type of a slot, or "".
func (s sifSlot) types0() string {
	if len(s.types) == 0 {
		return ""
	}
	return s.types[0]
}
