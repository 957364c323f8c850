package pim

// vCard conversion: 2.1 (versit vCard 2.1) to 3.0 (RFC 2425, RFC 2426)
// and back; 4.0 (RFC 6350) is read. Values are decoded by the reader
// (QUOTED-PRINTABLE, CHARSET, base64) and written in the target's own
// encoding by write.go; only the syntax changes, never the data.

import (
	"fmt"
	"slices"
	"strings"
)

// Value types of vCard properties, as far as the conversion cares.
const (
	vcRaw    = iota // no escapes to translate: TEL, URL, BDAY, X-...
	vcText          // text (RFC 2426 4: "\\", "\;", "\,", "\n")
	vcStruct        // ';'-separated text components: ADR, ORG
	vcName          // N: components of ','-separated values in 3.0 (RFC 2426 3.1.2)
	vcList          // ','-separated text values: CATEGORIES, NICKNAME
)

// vcardTypes maps property names to value types; others are vcRaw.
var vcardTypes = map[string]int{
	"FN": vcText, "NOTE": vcText, "TITLE": vcText, "ROLE": vcText, "LABEL": vcText,
	"MAILER": vcText, "SORT-STRING": vcText, "NAME": vcText, "CLASS": vcText,
	"ADR": vcStruct, "ORG": vcStruct, "GENDER": vcStruct, "CLIENTPIDMAP": vcStruct,
	"N": vcName, "CATEGORIES": vcList, "NICKNAME": vcList,
}

// vcard30Only are vCard 3.0 properties vCard 2.1 does not define (RFC 2426
// 3; RFC 2739 FBURL, CALURI, CALADRURI; RFC 4770 IMPP).
var vcard30Only = []string{"NICKNAME", "CATEGORIES", "SORT-STRING", "CLASS", "NAME", "PROFILE",
	"SOURCE", "PRODID", "IMPP", "FBURL", "CALURI", "CALADRURI"}

// vcard40Only are vCard 4.0 properties and parameters vCard 3.0 does not
// define (RFC 6350 6, 5).
var (
	vcard40Only       = []string{"KIND", "GENDER", "ANNIVERSARY", "LANG", "MEMBER", "RELATED", "XML", "CLIENTPIDMAP"}
	vcard40OnlyParams = []string{"PID", "ALTID", "SORT-AS", "CALSCALE", "GEO", "TZ", "MEDIATYPE", "LABEL", "INDEX", "LEVEL"}
)

// convertContacts converts every top-level vCard of root to dst.
func convertContacts(root *component, dst format, lost losses) ([]byte, error) {
	var w writer
	n := 0
	for _, card := range root.children {
		if card.name != "VCARD" {
			continue
		}
		if !card.closed {
			return nil, fmt.Errorf("%w: unterminated VCARD", ErrMalformed)
		}
		writeCard(&w, card, dst, lost, 0)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no VCARD", ErrMalformed)
	}
	return []byte(w.String()), nil
}

// cardFormat is the version a VCARD says it has (3.0 when it does not).
func cardFormat(card *component) format {
	switch card.text("VERSION") {
	case "2.1":
		return fmtVCard21
	case "4.0":
		return fmtVCard40
	}
	return fmtVCard30
}

// writeCard writes one VCARD in format dst. N (and FN for 3.0), which the
// target requires (vCard 2.1 "Name"; RFC 2426 section 5), are derived from each
// other when missing.
func writeCard(w *writer, card *component, dst format, lost losses, depth int) {
	src := cardFormat(card)
	var body writer
	agents := card.children
	for i := range card.props {
		p := &card.props[i]
		if p.name == "VERSION" {
			continue
		}
		if p.name == "AGENT" && depth < 3 {
			if writeAgent(&body, p, &agents, src, dst, lost, depth) {
				continue
			}
		}
		writeCardProp(&body, p, src, dst, lost)
	}
	for _, ch := range agents {
		lost.add(ch.name) // a nested component without an AGENT to hold it
	}
	w.line("BEGIN:VCARD")
	if dst == fmtVCard21 {
		w.line("VERSION:2.1")
	} else {
		w.line("VERSION:3.0")
	}
	if card.prop("N") == nil {
		n := nameFromFN(card.text("FN"))
		p := prop{name: "N", value: strings.Join(n, ";")}
		writeCardProp(w, &p, fmtVCard30, dst, lost)
	}
	if card.prop("FN") == nil && dst == fmtVCard30 {
		w.modern("", "FN", nil, escapeModern(fnFromCard(card), false))
	}
	w.WriteString(body.String())
	w.line("END:VCARD")
}

// writeAgent writes an AGENT holding a vCard: in 3.0 as an escaped text
// value (RFC 2426 3.5.4), in 2.1 as a nested vCard (vCard 2.1 "Agent"). It
// reports false when p is an ordinary AGENT (a URI or text).
func writeAgent(w *writer, p *prop, agents *[]*component, src, dst format, lost losses, depth int) bool {
	var inner *component
	switch {
	case strings.TrimSpace(p.value) == "" && len(*agents) > 0 && (*agents)[0].name == "VCARD":
		inner = (*agents)[0]
		*agents = (*agents)[1:]
	case strings.HasPrefix(strings.ToUpper(strings.TrimSpace(unescape(p.value))), "BEGIN:VCARD"):
		inner = parse([]byte(unescape(p.value))).find("VCARD")
	}
	if inner == nil {
		return false
	}
	var sub writer
	writeCard(&sub, inner, dst, lost, depth+1)
	if dst == fmtVCard30 {
		w.modern(p.group, "AGENT", nil, escapeModern(sub.String(), false))
	} else {
		w.line(legacyHead(p.group, "AGENT", nil, true) + ":")
		w.WriteString(sub.String())
	}
	_ = src
	return true
}

// writeCardProp writes one property of a vCard in format dst.
func writeCardProp(w *writer, p *prop, src, dst format, lost losses) {
	if src == fmtVCard40 && slices.Contains(vcard40Only, p.name) ||
		dst == fmtVCard21 && slices.Contains(vcard30Only, p.name) {
		lost.add(p.name) // kept verbatim: the target does not define it
	}
	value, binary := p.value, p.binary
	params := cardParams(p, src, dst, lost)
	if src == fmtVCard40 {
		value, binary, params = fromVCard40(p.name, value, binary, params)
	}
	if binary {
		if dst == fmtVCard30 {
			w.modern(p.group, p.name, append([]param{{name: "ENCODING", values: []string{"b"}}}, params...), value)
		} else {
			w.base64Legacy(p.group, p.name, append([]param{{name: "ENCODING", values: []string{"BASE64"}}}, params...), value, true)
		}
		return
	}
	if dst == fmtVCard30 {
		w.modern(p.group, p.name, params, cardValueModern(p.name, value, src))
	} else {
		w.legacy(p.group, p.name, params, cardValueLegacy(p.name, value, src), true)
	}
}

// cardValueModern writes a decoded value in vCard 3.0 syntax.
func cardValueModern(name, v string, src format) string {
	switch vcardTypes[name] {
	case vcText:
		return escapeModern(unescape(v), false)
	case vcStruct:
		parts := components(v)
		for i, s := range parts {
			parts[i] = escapeModern(s, false)
		}
		return strings.Join(parts, ";")
	case vcName:
		if src != fmtVCard21 {
			return v // its ','-separated lists stay as they are
		}
		parts := components(v) // vCard 2.1 has no lists: a comma is text
		for i, s := range parts {
			parts[i] = escapeModern(s, false)
		}
		return strings.Join(parts, ";")
	case vcList:
		seps := ","
		if src == fmtVCard21 {
			seps = ",;"
		}
		var items []string
		for _, s := range splitUnescaped(v, seps) {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				items = append(items, escapeModern(s, false))
			}
		}
		return strings.Join(items, ",")
	}
	if src == fmtVCard21 {
		return legacyToModern(v)
	}
	return v
}

// cardValueLegacy writes a decoded value in vCard 2.1 syntax.
func cardValueLegacy(name, v string, src format) string {
	switch vcardTypes[name] {
	case vcText:
		return escapeLegacy(unescape(v), false)
	case vcStruct, vcName:
		parts := components(v)
		for i, s := range parts {
			parts[i] = escapeLegacy(s, true)
		}
		return strings.Join(parts, ";")
	case vcList:
		// vCard 2.1 has no lists (these are 3.0 properties): items keep
		// the 3.0 escapes, so that a comma in one stays in it.
		var items []string
		for _, s := range splitUnescaped(v, ",") {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				items = append(items, escapeModern(s, false))
			}
		}
		return strings.Join(items, ",")
	}
	if src == fmtVCard21 {
		return v
	}
	return modernToLegacy(v)
}

// cardParams converts the parameters of p: CHARSET and ENCODING go (the
// value is decoded; the writer sets its own), TYPE values are merged into
// one list (written TYPE=a,b in 3.0, bare in 2.1), VALUE=URL becomes
// VALUE=uri and back. Parameters the target cannot write are dropped and
// reported as "PROPERTY;PARAMETER".
func cardParams(p *prop, src, dst format, lost losses) []param {
	var types []string
	addType := func(t string) {
		t = strings.TrimSpace(t)
		if dst == fmtVCard21 {
			t = strings.ToUpper(t)
		}
		if t != "" && !slices.ContainsFunc(types, func(s string) bool { return strings.EqualFold(s, t) }) {
			types = append(types, t)
		}
	}
	var out []param
	for _, q := range p.params {
		switch q.name {
		case "CHARSET", "ENCODING":
			continue
		case "TYPE":
			for _, v := range q.values {
				for t := range strings.SplitSeq(v, ",") {
					addType(t)
				}
			}
			continue
		case "PREF":
			if src == fmtVCard40 {
				addType("PREF") // RFC 6350 5.3: the 3.0 form is TYPE=pref
				continue
			}
		case "VALUE":
			if q, ok := cardValueParam(q, dst); ok {
				out = append(out, q)
			} else if len(q.values) > 0 && !slices.Contains([]string{"TEXT", "DATE", "DATE-TIME", "INLINE",
				"BINARY", "URI", "URL", "PHONE-NUMBER", "UTC-OFFSET"}, strings.ToUpper(q.values[0])) {
				lost.add(p.name + ";VALUE")
			}
			continue
		}
		if src == fmtVCard40 && slices.Contains(vcard40OnlyParams, q.name) {
			lost.add(p.name + ";" + q.name)
		}
		if dst == fmtVCard21 && !legacyParamOK(q) || dst == fmtVCard30 && !modernParamOK(q) {
			lost.add(p.name + ";" + q.name)
			if dst == fmtVCard21 {
				continue
			}
		}
		out = append(out, q)
	}
	if len(types) > 0 {
		out = append([]param{{name: "TYPE", values: types}}, out...)
	}
	return out
}

// cardValueParam translates a VALUE parameter to dst; false drops it
// (vCard 2.1 knows INLINE, URL, CONTENT-ID and CID only, and INLINE is the
// default; TEXT is the 3.0 default).
func cardValueParam(q param, dst format) (param, bool) {
	if len(q.values) == 0 {
		return q, false
	}
	v := strings.ToUpper(q.values[0])
	switch {
	case v == "URL" || v == "URI":
		if dst == fmtVCard30 {
			return param{name: "VALUE", values: []string{"uri"}}, true
		}
		return param{name: "VALUE", values: []string{"URL"}}, true
	case v == "INLINE" || v == "TEXT":
		return q, false
	case dst == fmtVCard21:
		return q, v == "CONTENT-ID" || v == "CID"
	}
	return q, true
}

// fromVCard40 turns vCard 4.0 values into their 3.0 form: data: URIs of
// PHOTO, LOGO, SOUND and KEY become inline base64 with a TYPE (RFC 6350
// 6.2.4 versus RFC 2426 3.1.4), and tel: URIs plain numbers.
func fromVCard40(name, value string, binary bool, params []param) (string, bool, []param) {
	lower := strings.ToLower(value)
	switch {
	case strings.HasPrefix(lower, "data:") && (name == "PHOTO" || name == "LOGO" || name == "SOUND" || name == "KEY"):
		meta, b64, ok := strings.Cut(value[5:], ",")
		if !ok || !strings.HasSuffix(strings.ToLower(meta), ";base64") {
			return value, binary, params
		}
		params = slices.DeleteFunc(params, func(q param) bool { return q.name == "VALUE" || q.name == "MEDIATYPE" })
		if _, sub, ok := strings.Cut(strings.TrimSuffix(strings.ToLower(meta), ";base64"), "/"); ok && sub != "" {
			params = append(params, param{name: "TYPE", values: []string{strings.ToUpper(sub)}})
		}
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, b64), true, params
	case name == "TEL" && strings.HasPrefix(lower, "tel:"):
		params = slices.DeleteFunc(params, func(q param) bool { return q.name == "VALUE" })
		return strings.TrimSpace(value[4:]), binary, params
	}
	return value, binary, params
}

// nameFromFN derives the N components (family; given; additional;
// prefix; suffix) from a formatted name: "Doe, John" or "John Doe".
func nameFromFN(fn string) []string {
	n := make([]string, 5)
	if family, given, ok := strings.Cut(fn, ","); ok {
		n[0], n[1] = strings.TrimSpace(family), strings.TrimSpace(given)
	} else if f := strings.Fields(fn); len(f) > 0 {
		n[0], n[1] = f[len(f)-1], strings.Join(f[:len(f)-1], " ")
	}
	for i, s := range n {
		n[i] = escapeModern(s, false)
	}
	return n
}

// fnFromCard derives a formatted name from N (prefix, given, additional,
// family, suffix), else from the organisation; "" if the card has neither.
func fnFromCard(card *component) string {
	if p := card.prop("N"); p != nil {
		n := components(p.value)
		var parts []string
		for _, i := range []int{3, 1, 2, 0, 4} {
			if i < len(n) && n[i] != "" {
				parts = append(parts, strings.ReplaceAll(n[i], ",", " "))
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, " ")
		}
	}
	if p := card.prop("ORG"); p != nil {
		return components(p.value)[0]
	}
	return ""
}
