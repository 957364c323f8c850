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
// sifToVCard reads, Photo last.
var sifContactNames = newSIFNames(append(slices.Clone(sifContactFieldNames), "Photo")...)

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
		for j, p := range sifAddrParts {
			out[i].parts[j] = -1
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

// propTypes returns the TYPE values of a property, upper-case, without
// VOICE and INTERNET (the defaults).
func propTypes(p *prop) []string {
	var out []string
	for _, q := range p.params {
		if q.name != "TYPE" {
			continue
		}
		for _, v := range q.values {
			for t := range strings.SplitSeq(v, ",") {
				t = strings.ToUpper(strings.TrimSpace(t))
				if t != "" && t != "VOICE" && t != "INTERNET" && !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// fillSlot puts value in a free slot: the one whose types are exactly
// types, else the first free slot named in fallback order. It reports
// false when none is free.
func fillSlot(out map[string]string, list []sifSlot, types []string, value string, fallback []string) bool {
	for _, s := range list {
		if out[s.field] == "" && sameTypes(s.types, types) {
			out[s.field] = value
			return true
		}
	}
	for _, f := range fallback {
		if out[f] == "" {
			out[f] = value
			return true
		}
	}
	return false
}

// sameTypes tells whether a slot's types are the sorted, distinct types
// of propTypes: the slots list each type once.
func sameTypes(slot, types []string) bool {
	if len(slot) != len(types) {
		return false
	}
	for _, t := range slot {
		if !slices.Contains(types, t) {
			return false
		}
	}
	return true
}

// phoneFallback is the order of SIF phone fields tried for a TEL whose
// types match no field exactly.
func phoneFallback(types []string) []string {
	has := func(t string) bool { return slices.Contains(types, t) }
	var f []string
	switch {
	case has("FAX") && has("WORK"):
		f = []string{"BusinessFaxNumber"}
	case has("FAX") && has("HOME"):
		f = []string{"HomeFaxNumber"}
	case has("FAX"):
		f = []string{"OtherFaxNumber", "BusinessFaxNumber", "HomeFaxNumber"}
	case has("CELL"):
		f = []string{"MobileTelephoneNumber"}
	case has("PAGER"):
		f = []string{"PagerNumber"}
	case has("CAR"):
		f = []string{"CarTelephoneNumber"}
	case has("WORK"):
		f = []string{"BusinessTelephoneNumber", "Business2TelephoneNumber"}
	case has("HOME"):
		f = []string{"HomeTelephoneNumber", "Home2TelephoneNumber"}
	case has("PREF"):
		f = []string{"PrimaryTelephoneNumber"}
	}
	return append(f, "OtherTelephoneNumber", "PrimaryTelephoneNumber", "Home2TelephoneNumber",
		"Business2TelephoneNumber", "HomeTelephoneNumber", "BusinessTelephoneNumber", "MobileTelephoneNumber",
		"CarTelephoneNumber", "RadioTelephoneNumber", "CallbackTelephoneNumber")
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

// cardSIFFields are the SIF-C fields of a vCard, in the order vcardToSIF
// writes them: the fields SIF-C names, then those kept as X-SIF-
// properties (extras, whose names come from the vCard).
func cardSIFFields(card *component, lost losses) ([]sifField, []sifField) {
	out := make(map[string]string, 64)
	var extras []sifField
	addrUsed := map[string]bool{}
	for i := range card.props {
		p := &card.props[i]
		text := strings.TrimSpace(unescape(p.value))
		types := propTypes(p)
		switch p.name {
		case "VERSION", "PRODID", "REV", "FN":
		case "N":
			n := components(p.value)
			for len(n) < 5 {
				n = append(n, "")
			}
			out["LastName"], out["FirstName"], out["MiddleName"], out["Title"], out["Suffix"] = n[0], n[1], n[2], n[3], n[4]
			if len(n) > 5 && strings.Join(n[5:], "") != "" {
				lost.add("N")
			}
		case "ORG":
			o := components(p.value)
			out["CompanyName"] = o[0]
			if len(o) > 1 {
				out["Department"] = o[1]
			}
			if len(o) > 2 && strings.Join(o[2:], "") != "" {
				lost.add("ORG")
			}
		case "CATEGORIES":
			var cats []string
			for _, c := range splitUnescaped(p.value, ",") {
				if c = strings.TrimSpace(unescape(c)); c != "" {
					cats = append(cats, c)
				}
			}
			out["Categories"] = strings.Join(append(sifList(out["Categories"]), cats...), ",")
		case "CLASS":
			out["Sensitivity"] = classSIF(text)
		case "EMAIL":
			if !fillSlot(out, sifEmails, types, text, []string{"Email1Address", "Email2Address", "Email3Address"}) {
				lost.add("EMAIL")
			}
		case "TEL":
			if !fillSlot(out, sifPhones, types, text, phoneFallback(types)) {
				lost.add("TEL")
			}
		case "URL":
			if !fillSlot(out, sifWebs, types, text, []string{"WebPage", "HomeWebPage", "BusinessWebPage"}) {
				lost.add("URL")
			}
		case "ADR", "LABEL":
			prefix := ""
			for _, a := range sifAddrs {
				key := p.name + a.field
				if !addrUsed[key] && (slices.Contains(types, a.types0()) || a.types0() == "") {
					prefix = a.field
					break
				}
			}
			if prefix == "" {
				for _, a := range sifAddrs {
					if !addrUsed[p.name+a.field] {
						prefix = a.field
						break
					}
				}
			}
			if prefix == "" {
				lost.add(p.name)
				continue
			}
			addrUsed[p.name+prefix] = true
			if p.name == "LABEL" {
				out[sifLabel(prefix)] = text
				continue
			}
			parts := components(p.value)
			for i, f := range sifAddrParts {
				if i >= len(parts) {
					break
				}
				if f == "" {
					if parts[i] != "" {
						lost.add("ADR;EXTENDED")
					}
					continue
				}
				out[prefix+f] = parts[i]
			}
		case "BDAY":
			out["Birthday"] = sifDate(text)
		case "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "ANNIVERSARY":
			out["Anniversary"] = sifDate(text)
		case "PHOTO":
			if !p.binary {
				lost.add("PHOTO;VALUE=URI")
				continue
			}
			out["Photo"] = p.value
		default:
			if strings.HasPrefix(p.name, "X-SIF-") {
				extras = append(extras, sifField{sifFieldName(p.name), text})
				continue
			}
			done := false
			for _, t := range sifContactText {
				if t.prop == p.name && out[t.field] == "" {
					out[t.field], done = unescape(p.value), true
					break
				}
			}
			if !done {
				lost.add(p.name)
			}
		}
	}
	if out["FileAs"] == "" {
		out["FileAs"] = defaultFileAs(out["LastName"], out["FirstName"], card.text("FN"))
	}
	if out["Sensitivity"] == "" {
		out["Sensitivity"] = "0"
	}
	// Every field is written, empty ones too: the clients leave a field
	// that is missing from a Replace as it is, so an empty element is
	// how a deletion reaches them.
	fields := make([]sifField, 0, len(sifContactFieldNames)+1+len(extras))
	for _, n := range sifContactFieldNames {
		fields = append(fields, sifField{n, out[n]})
	}
	if out["Photo"] != "" {
		fields = append(fields, sifField{"Photo", out["Photo"]})
	}
	return fields, extras
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
