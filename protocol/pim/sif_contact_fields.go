package pim

// The SIF-C fields of a vCard 3.0 (what vcardToSIF writes, and what
// VCardToEASContact maps to EAS), held by their numbers in sifContactNames
// rather than in a map by name.

import (
	"slices"
	"strings"
)

// sifContactCount is the number of SIF-C fields: sifContactFieldNames and
// Photo.
const sifContactCount = 64

// sifValues are the values of the SIF-C fields by their numbers.
type sifValues [sifContactCount]string

// The numbers of the SIF-C fields cardSIFValues fills by name.
var (
	sifBirthday, sifAnniversary = sifContactNames.id("Birthday"), sifContactNames.id("Anniversary")
)

// sifEmailFallback and sifWebFallback are the fields tried for an EMAIL
// and a URL whose types match no field exactly.
var (
	sifEmailFallback = sifIDs("Email1Address", "Email2Address", "Email3Address")
	sifWebFallback   = sifIDs("WebPage", "HomeWebPage", "BusinessWebPage")
)

// sifPhoneFallbacks are phoneFallback's lists: by the case phoneFallback
// picks, the fields of that case, then the common ones.
var sifPhoneFallbacks = func() [][]int {
	common := []string{"OtherTelephoneNumber", "PrimaryTelephoneNumber", "Home2TelephoneNumber",
		"Business2TelephoneNumber", "HomeTelephoneNumber", "BusinessTelephoneNumber", "MobileTelephoneNumber",
		"CarTelephoneNumber", "RadioTelephoneNumber", "CallbackTelephoneNumber"}
	var out [][]int
	for _, f := range [][]string{{"BusinessFaxNumber"}, {"HomeFaxNumber"}, {"OtherFaxNumber", "BusinessFaxNumber", "HomeFaxNumber"},
		{"MobileTelephoneNumber"}, {"PagerNumber"}, {"CarTelephoneNumber"}, {"BusinessTelephoneNumber", "Business2TelephoneNumber"},
		{"HomeTelephoneNumber", "Home2TelephoneNumber"}, {"PrimaryTelephoneNumber"}, nil} {
		out = append(out, sifIDs(append(f, common...)...))
	}
	return out
}()

// sifIDs are the numbers of SIF-C fields.
func sifIDs(names ...string) []int {
	ids := make([]int, len(names))
	for i, n := range names {
		ids[i] = sifContactNames.id(n)
	}
	return ids
}

// phoneFallback is the order of SIF phone fields tried for a TEL whose
// types match no field exactly.
func phoneFallback(types []string) []int {
	has := func(t string) bool { return slices.Contains(types, t) }
	switch {
	case has("FAX") && has("WORK"):
		return sifPhoneFallbacks[0]
	case has("FAX") && has("HOME"):
		return sifPhoneFallbacks[1]
	case has("FAX"):
		return sifPhoneFallbacks[2]
	case has("CELL"):
		return sifPhoneFallbacks[3]
	case has("PAGER"):
		return sifPhoneFallbacks[4]
	case has("CAR"):
		return sifPhoneFallbacks[5]
	case has("WORK"):
		return sifPhoneFallbacks[6]
	case has("HOME"):
		return sifPhoneFallbacks[7]
	case has("PREF"):
		return sifPhoneFallbacks[8]
	}
	return sifPhoneFallbacks[9]
}

// propTypes appends to out the TYPE values of a property, upper-case,
// without VOICE and INTERNET (the defaults), sorted.
func propTypes(out []string, p *prop) []string {
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

// fillSlot puts value in a free slot of list (ids are the slots' field
// numbers): the one whose types are exactly types, else the first free
// field of fallback. It reports false when none is free.
func fillSlot(out *sifValues, list []sifSlot, ids []int, types []string, value string, fallback []int) bool {
	for i, s := range list {
		if out[ids[i]] == "" && sameTypes(s.types, types) {
			out[ids[i]] = value
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

// cardSIFFields are the SIF-C fields of a vCard, in the order vcardToSIF
// writes them: the fields SIF-C names, then those kept as X-SIF-
// properties (extras, whose names come from the vCard).
func cardSIFFields(card *component, lost losses) ([]sifField, []sifField) {
	var out sifValues
	extras := cardSIFValues(card, &out, lost)
	return out.fields(len(extras)), extras
}

// fields are the SIF-C fields of v in vcardToSIF's order: every field,
// empty ones too, since the clients leave a field that is missing from a
// Replace as it is, so an empty element is how a deletion reaches them;
// Photo only when there is one. room is space for more fields after.
func (v *sifValues) fields(room int) []sifField {
	fields := make([]sifField, 0, len(sifContactFieldNames)+1+room)
	for i, n := range sifContactFieldNames {
		fields = append(fields, sifField{n, v[i]})
	}
	if v[sifPhoto] != "" {
		fields = append(fields, sifField{"Photo", v[sifPhoto]})
	}
	return fields
}

// cardSIFValues fills out with the SIF-C fields of a vCard and returns
// those kept as X-SIF- properties.
func cardSIFValues(card *component, out *sifValues, lost losses) (extras []sifField) {
	var addrUsed [2][8]bool // by ADR and LABEL, by sifAddrs (three)
	var typesBuf [8]string
	for i := range card.props {
		p := &card.props[i]
		text := strings.TrimSpace(unescape(p.value))
		types := propTypes(typesBuf[:0], p)
		switch p.name {
		case "VERSION", "PRODID", "REV", "FN":
		case "N":
			n := components(p.value)
			for len(n) < 5 {
				n = append(n, "")
			}
			out[sifLastName], out[sifFirstName], out[sifMiddleName], out[sifTitle], out[sifSuffix] = n[0], n[1], n[2], n[3], n[4]
			if len(n) > 5 && strings.Join(n[5:], "") != "" {
				lost.add("N")
			}
		case "ORG":
			o := components(p.value)
			out[sifCompany] = o[0]
			if len(o) > 1 {
				out[sifDepartment] = o[1]
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
			out[sifCategories] = strings.Join(append(sifList(out[sifCategories]), cats...), ",")
		case "CLASS":
			out[sifSensitivity] = classSIF(text)
		case "EMAIL":
			if !fillSlot(out, sifEmails, sifSlotsOut[0].ids, types, text, sifEmailFallback) {
				lost.add("EMAIL")
			}
		case "TEL":
			if !fillSlot(out, sifPhones, sifSlotsOut[1].ids, types, text, phoneFallback(types)) {
				lost.add("TEL")
			}
		case "URL":
			if !fillSlot(out, sifWebs, sifSlotsOut[2].ids, types, text, sifWebFallback) {
				lost.add("URL")
			}
		case "ADR", "LABEL":
			used := &addrUsed[0]
			if p.name == "LABEL" {
				used = &addrUsed[1]
			}
			at := -1
			for j, a := range sifAddrs {
				if !used[j] && (slices.Contains(types, a.types0()) || a.types0() == "") {
					at = j
					break
				}
			}
			if at < 0 {
				for j := range sifAddrs {
					if !used[j] {
						at = j
						break
					}
				}
			}
			if at < 0 {
				lost.add(p.name)
				continue
			}
			used[at] = true
			if p.name == "LABEL" {
				out[sifAddrsOut[at].label] = text
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
				out[sifAddrsOut[at].parts[i]] = parts[i]
			}
		case "BDAY":
			out[sifBirthday] = sifDate(text)
		case "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "ANNIVERSARY":
			out[sifAnniversary] = sifDate(text)
		case "PHOTO":
			if !p.binary {
				lost.add("PHOTO;VALUE=URI")
				continue
			}
			out[sifPhoto] = p.value
		default:
			if strings.HasPrefix(p.name, "X-SIF-") {
				extras = append(extras, sifField{sifFieldName(p.name), text})
				continue
			}
			done := false
			for j, t := range sifContactText {
				if t.prop == p.name && out[sifTextIDs[j]] == "" {
					out[sifTextIDs[j]], done = unescape(p.value), true
					break
				}
			}
			if !done {
				lost.add(p.name)
			}
		}
	}
	if out[sifFileAs] == "" {
		out[sifFileAs] = defaultFileAs(out[sifLastName], out[sifFirstName], card.text("FN"))
	}
	if out[sifSensitivity] == "" {
		out[sifSensitivity] = "0"
	}
	return extras
}
