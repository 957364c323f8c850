package pim

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// The EAS contact conversions as they were before they indexed the SIF-C
// fields and mapped them by number: kept as the reference the faster code
// must match byte for byte (TestEASContactMatchesReference,
// FuzzEASContactMatchesReference). The helpers the rewrite changed are
// copied with a Ref suffix; the others are shared.

// easContactToVCardRef is EASContactToVCard before the rewrite.
func easContactToVCardRef(fields []EASField) (vcard []byte, lost []string) {
	doc := &sifDoc{root: "contact"}
	for _, f := range fields {
		v := f.Value
		switch f.Name {
		case "Categories", "Children":
			v = strings.Join(f.Items, ",")
		case "Birthday", "Anniversary":
			v = easDate(v)
		case "Email1Address", "Email2Address", "Email3Address":
			if a, err := mail.ParseAddress(v); err == nil {
				v = a.Address
			}
		case "BodySize", "BodyTruncated", "WeightedRank", "Alias":
			continue
		}
		doc.fields = append(doc.fields, sifField{easToSIFNameRef(f.Name), v})
	}
	l := losses{}
	return sifToVCardRef(doc, l), l.list()
}

// easToSIFNameRef is easToSIFName before the rewrite.
func easToSIFNameRef(name string) string {
	if n, ok := easContactNames[name]; ok {
		return n
	}
	for _, pre := range []string{"Business", "Home", "Other"} {
		for _, p := range easAddrParts {
			if name == pre+p[0] {
				return pre + p[1]
			}
		}
	}
	return name
}

// sifToVCardRef is sifToVCard before the rewrite.
func sifToVCardRef(doc *sifDoc, lost losses) []byte {
	used := map[string]bool{}
	get := func(name string) string {
		used[strings.ToLower(name)] = true
		return doc.get(name)
	}
	var w writer
	w.line("BEGIN:VCARD")
	w.line("VERSION:3.0")
	n := []string{get("LastName"), get("FirstName"), get("MiddleName"), get("Title"), get("Suffix")}
	for i := range n {
		n[i] = escapeModernRef(n[i], false)
	}
	modernRef(&w, "", "N", nil, strings.Join(n, ";"))
	fn := strings.Join(strings.Fields(strings.Join([]string{get("Title"), get("FirstName"),
		get("MiddleName"), get("LastName"), get("Suffix")}, " ")), " ")
	company, dept := get("CompanyName"), get("Department")
	fileAs := get("FileAs")
	if fn == "" || fileAs != fn && fromFN(get("LastName"), get("FirstName"), fn, fileAs) {
		fn = fileAs
	}
	if fn == "" {
		fn = company
	}
	if fn == "" {
		fn = doc.get("Email1Address")
	}
	modernRef(&w, "", "FN", nil, escapeModernRef(fn, false))
	if company != "" || dept != "" {
		modernRef(&w, "", "ORG", nil, escapeModernRef(company, false)+";"+escapeModernRef(dept, false))
	}
	for _, t := range sifContactText {
		v := get(t.field)
		if t.field == "Body" {
			v = strings.TrimRight(doc.raw("Body"), " \t\r\n")
		}
		if v == "" || t.field == "FileAs" && v == defaultFileAs(doc.get("LastName"), doc.get("FirstName"), fn) {
			continue
		}
		if t.prop == "BDAY" || t.prop == "X-ANNIVERSARY" {
			modernRef(&w, "", t.prop, nil, sifDate(v))
			continue
		}
		modernRef(&w, "", t.prop, nil, escapeModernRef(v, false))
	}
	if cats := sifList(get("Categories")); len(cats) > 0 {
		for i := range cats {
			cats[i] = escapeModernRef(cats[i], false)
		}
		modernRef(&w, "", "CATEGORIES", nil, strings.Join(cats, ","))
	}
	if class := sifClass(get("Sensitivity")); class != "" {
		modernRef(&w, "", "CLASS", nil, class)
	}
	slots := func(list []sifSlot, name string, extra ...string) {
		for _, s := range list {
			if v := get(s.field); v != "" {
				var params []param
				if types := append(slices.Clone(extra), s.types...); len(types) > 0 {
					params = []param{{name: "TYPE", values: types}}
				}
				modernRef(&w, "", name, params, v)
			}
		}
	}
	slots(sifEmails, "EMAIL", "INTERNET")
	slots(sifPhones, "TEL")
	slots(sifWebs, "URL")
	for _, a := range sifAddrs {
		parts := make([]string, len(sifAddrParts))
		any := false
		for i, p := range sifAddrParts {
			if p != "" {
				parts[i] = escapeModernRef(get(a.field+p), false)
				any = any || parts[i] != ""
			}
		}
		var params []param
		if len(a.types) > 0 {
			params = []param{{name: "TYPE", values: a.types}}
		}
		if any {
			modernRef(&w, "", "ADR", params, strings.Join(parts, ";"))
		}
		if l := get(sifLabel(a.field)); l != "" {
			modernRef(&w, "", "LABEL", params, escapeModernRef(l, false))
		}
	}
	if photo := strings.Join(strings.Fields(get("Photo")), ""); photo != "" {
		params := []param{{name: "ENCODING", values: []string{"b"}}}
		if t := imageType(photo); t != "" {
			params = append(params, param{name: "TYPE", values: []string{t}})
		}
		modernRef(&w, "", "PHOTO", params, photo)
	}
	sifExtrasRef(&w, doc, used, sifContactDefaults, lost)
	w.line("END:VCARD")
	return []byte(w.String())
}

// sifExtrasRef is sifExtras before the rewrite.
func sifExtrasRef(w *writer, doc *sifDoc, used map[string]bool, defaults map[string]string, lost losses) {
	for _, f := range doc.fields {
		v := strings.TrimSpace(f.value)
		if used[strings.ToLower(f.name)] || v == "" || defaults[f.name] == v {
			continue
		}
		name := sifXName(f.name)
		if name == "" {
			lost.add(f.name)
			continue
		}
		modernRef(w, "", name, nil, escapeModernRef(v, false))
	}
}

// modernRef is writer.modern before the rewrite.
func modernRef(w *writer, group, name string, params []param, value string) {
	var b strings.Builder
	if group != "" {
		b.WriteString(group + ".")
	}
	b.WriteString(name)
	for _, q := range params {
		b.WriteString(";" + q.name + "=")
		for i, v := range q.values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteParam(v))
		}
	}
	b.WriteByte(':')
	b.WriteString(strings.Join(physicalLines(value), `\n`))
	foldRef(w, b.String())
}

// foldRef is writer.fold before the rewrite.
func foldRef(w *writer, s string) {
	limit := foldOctets
	for len(s) > limit {
		i := limit
		for i > 1 && !utf8.RuneStart(s[i]) {
			i--
		}
		w.WriteString(s[:i])
		w.WriteString("\r\n")
		w.WriteByte(' ')
		s = s[i:]
		limit = foldOctets - 1
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}

// escapeModernRef is escapeModern before the rewrite.
func escapeModernRef(s string, keepComma bool) string {
	var b strings.Builder
	s = strings.Join(physicalLines(s), "\n")
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == ';', r == ',' && !keepComma:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// vcardToEASContactRef is VCardToEASContact before the rewrite.
func vcardToEASContactRef(data []byte) (fields []EASField, lost []string, err error) {
	l := losses{}
	card, err := canonicalVCardRef(data, l)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	sif, err := sifXMLFieldsRef(cardSIFFieldsRef(card, l))
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	return easContactFieldsRef(sif, l), l.list(), nil
}

// canonicalVCardRef is canonicalVCard before the rewrite.
func canonicalVCardRef(data []byte, lost losses) (*component, error) {
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

// sifXMLFieldsRef is sifXMLFields before the rewrite.
func sifXMLFieldsRef(fields, extras []sifField) ([]sifField, error) {
	all := append(fields, extras...)
	if len(all) > sifMaxFields || slices.ContainsFunc(extras, func(f sifField) bool { return !sifPlainName(f.name) }) {
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

// easContactFieldsRef is easContactFields before the rewrite.
func easContactFieldsRef(sif []sifField, l losses) []EASField {
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

// cardSIFFieldsRef is cardSIFFields before the rewrite.
func cardSIFFieldsRef(card *component, lost losses) ([]sifField, []sifField) {
	out := make(map[string]string, 64)
	var extras []sifField
	addrUsed := map[string]bool{}
	for i := range card.props {
		p := &card.props[i]
		text := strings.TrimSpace(unescape(p.value))
		types := propTypesRef(p)
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
			if !fillSlotRef(out, sifEmails, types, text, []string{"Email1Address", "Email2Address", "Email3Address"}) {
				lost.add("EMAIL")
			}
		case "TEL":
			if !fillSlotRef(out, sifPhones, types, text, phoneFallbackRef(types)) {
				lost.add("TEL")
			}
		case "URL":
			if !fillSlotRef(out, sifWebs, types, text, []string{"WebPage", "HomeWebPage", "BusinessWebPage"}) {
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
	fields := make([]sifField, 0, len(sifContactFieldNames)+1+len(extras))
	for _, n := range sifContactFieldNames {
		fields = append(fields, sifField{n, out[n]})
	}
	if out["Photo"] != "" {
		fields = append(fields, sifField{"Photo", out["Photo"]})
	}
	return fields, extras
}

// propTypesRef is propTypes before the rewrite.
func propTypesRef(p *prop) []string {
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

// fillSlotRef is fillSlot before the rewrite.
func fillSlotRef(out map[string]string, list []sifSlot, types []string, value string, fallback []string) bool {
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

// phoneFallbackRef is phoneFallback before the rewrite.
func phoneFallbackRef(types []string) []string {
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
