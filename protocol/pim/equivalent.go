package pim

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Equivalent tells whether two items carry the same information, ignoring
// how they are formatted: line folding, CRLF or LF, the order of
// properties, the case of property and parameter names, vCard 2.1 or 3.0
// encodings of the same value (QUOTED-PRINTABLE, CHARSET, bare TYPE
// parameters), trailing empty components ("N:Smith;Alice;;;" is
// "N:Smith;Alice"), the spacing of phone numbers, the case of e-mail
// addresses, and properties that describe the copy rather than the item
// (VERSION, PRODID, REV, LAST-MODIFIED, DTSTAMP, CREATED, DCREATED,
// X-IRMC-LUID, METHOD, CALSCALE:GREGORIAN).
//
// The engine skips a write when the new version is Equivalent to the
// stored one, so the comparison errs on the side of "different": unknown
// and X- properties count, and a plain-text note is compared with a vNote
// or VJOURNAL by its text only.
func Equivalent(ctA string, a []byte, ctB string, b []byte) bool {
	return EquivalentParsed(Parse(ctA, a), Parse(ctB, b))
}

// EquivalentParsed is Equivalent of parsed items.
func EquivalentParsed(pa, pb *Parsed) bool {
	ctA, a, ctB, b := pa.ct, pa.data, pb.ct, pb.data
	if sa, sb := pa.isSIF(), pb.isSIF(); sa || sb {
		return sifEquivalent(ctA, a, sa, ctB, b, sb)
	}
	ka, kb := pa.Kind(), pb.Kind()
	if ka != kb {
		return false
	}
	switch ka {
	case KindUnknown:
		return bytes.Equal(bytes.ReplaceAll(a, []byte("\r\n"), []byte("\n")),
			bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")))
	case KindNote:
		if !structuredNote(a) || !structuredNote(b) {
			ta, _ := noteText(a)
			tb, _ := noteText(b)
			return trimLines(ta) == trimLines(tb)
		}
	}
	return slices.Equal(pa.equivLines(), pb.equivLines())
}

// trimLines trims trailing whitespace from every line and the text as a
// whole.
func trimLines(s string) string {
	lines := physicalLines(s)
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// canonical returns the sorted, de-duplicated canonical lines of an item:
// "COMPONENT/PATH/NAME;PARAM=..:value" for every property that carries
// information.
func canonical(data []byte) []string {
	return canonicalLines(parse(data))
}

// canonicalLines is canonical of a parsed item.
func canonicalLines(root *component) []string {
	var lines []string
	var walk func(c *component, path string)
	walk = func(c *component, path string) {
		for i := range c.props {
			if l := canonLine(&c.props[i]); l != "" {
				lines = append(lines, path+l)
			}
		}
		for _, ch := range c.children {
			walk(ch, path+ch.name+"/")
		}
	}
	walk(root, "")
	slices.Sort(lines)
	return slices.Compact(lines)
}

// noiseProps are properties about the copy, not the item.
var noiseProps = map[string]bool{
	"VERSION": true, "PRODID": true, "REV": true, "LAST-MODIFIED": true, "DTSTAMP": true,
	"CREATED": true, "DCREATED": true, "X-IRMC-LUID": true, "METHOD": true,
}

// upperParams are parameters whose values are case-insensitive tokens.
var upperParams = map[string]bool{
	"TYPE": true, "VALUE": true, "ROLE": true, "PARTSTAT": true, "RSVP": true, "CUTYPE": true,
	"RELATED": true, "RANGE": true, "FBTYPE": true, "RELTYPE": true, "STATUS": true,
}

// canonLine returns the canonical form of one property,
// or "" when it carries no information.
func canonLine(p *prop) string {
	if noiseProps[p.name] || p.name == "CALSCALE" && strings.EqualFold(strings.TrimSpace(p.value), "GREGORIAN") {
		return ""
	}
	value := canonValue(p)
	if value == "" {
		return ""
	}
	var b strings.Builder
	if p.group != "" {
		b.WriteString(p.group + ".")
	}
	b.WriteString(p.name)
	for _, q := range canonParams(p) {
		b.WriteString(";" + q)
	}
	b.WriteString(":" + value)
	return b.String()
}

// canonParams returns the parameters of p as sorted "NAME=values" strings:
// transfer encodings and charsets are gone (the value is decoded), all TYPE
// values are merged into one sorted set without the defaults (TEL VOICE,
// EMAIL INTERNET), a vCard 4.0 PREF becomes TYPE=PREF.
func canonParams(p *prop) []string {
	types := map[string]bool{}
	var out []string
	for _, q := range p.params {
		switch q.name {
		case "CHARSET":
			continue
		case "ENCODING":
			if p.binary {
				out = append(out, "ENCODING=B")
			}
			continue
		case "TYPE":
			for _, v := range q.values {
				for t := range strings.SplitSeq(v, ",") {
					if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
						types[t] = true
					}
				}
			}
			continue
		case "PREF":
			types["PREF"] = true
			continue
		case "VALUE":
			if v := strings.ToUpper(strings.Join(q.values, ",")); v == "TEXT" || v == "DATE-TIME" {
				continue
			}
		}
		vals := slices.Clone(q.values)
		for i, v := range vals {
			if upperParams[q.name] {
				v = strings.ToUpper(v)
			}
			vals[i] = fmt.Sprintf("%q", v)
		}
		out = append(out, q.name+"="+strings.Join(vals, ","))
	}
	switch p.name {
	case "TEL":
		delete(types, "VOICE")
	case "EMAIL":
		delete(types, "INTERNET")
	}
	if len(types) > 0 {
		ts := make([]string, 0, len(types))
		for t := range types {
			ts = append(ts, t)
		}
		slices.Sort(ts)
		out = append(out, "TYPE="+strings.Join(ts, ","))
	}
	slices.Sort(out)
	return out
}

// canonValue returns the value of p decoded and re-encoded one way.
func canonValue(p *prop) string {
	if p.binary {
		return p.value
	}
	switch p.name {
	case "TEL":
		if t := normPhone(unescape(p.value)); t != "" {
			return t
		}
		return foldText(unescape(p.value))
	case "EMAIL":
		return normEmail(p.value)
	case "N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP", "REQUEST-STATUS":
		parts := components(p.value)
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		for i, s := range parts {
			parts[i] = escapeText(s, ";")
		}
		return strings.Join(parts, ";")
	case "CATEGORIES", "NICKNAME", "RESOURCES":
		var items []string
		for _, s := range splitUnescaped(p.value, ",;") {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				items = append(items, escapeText(s, ","))
			}
		}
		slices.Sort(items)
		return strings.Join(slices.Compact(items), ",")
	case "DTSTART", "DTEND", "DUE", "RECURRENCE-ID", "COMPLETED", "EXDATE", "RDATE",
		"BDAY", "ANNIVERSARY", "DALARM", "AALARM":
		return basicDateTime(unescape(p.value))
	}
	return escapeText(strings.TrimSpace(unescape(p.value)), "")
}

// escapeText writes s with backslash, newline (CRLF, CR or LF) and the
// bytes of special escaped, so canonical values cannot run into each
// other.
func escapeText(s, special string) string {
	s = strings.Join(physicalLines(s), "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x80 && strings.ContainsRune(special, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sifEquivalent compares items of which one or both are SIF, on their
// canonical forms. A SIF item and an item in another format are compared
// in what SIF holds: the other is converted to SIF first, and the X-SIF-
// properties (Outlook fields no other format has) are left out, so that a
// SIF device's copy of a vCard or iCalendar item counts as the same item
// (a slow sync twin), and what SIF cannot carry is not a difference.
func sifEquivalent(ctA string, a []byte, sa bool, ctB string, b []byte, sb bool) bool {
	if !sa {
		ctA, a, ctB, b = ctB, b, ctA, a // a is SIF
	}
	mixed := !(sa && sb)
	if mixed {
		conv, err := Convert(b, ctB, ctA, ConvertOptions{})
		if err != nil {
			return false
		}
		b, ctB = conv, ctA
	}
	cta, da, err := Canonical(ctA, a)
	if err != nil {
		return false
	}
	ctb, db, err := Canonical(ctB, b)
	if err != nil {
		return false
	}
	if mixed {
		da, db = dropSIFExtras(da), dropSIFExtras(db)
	}
	return Equivalent(cta, da, ctb, db)
}

// dropSIFExtras removes the X-SIF- properties (with their folded
// continuation lines) from a canonical item.
func dropSIFExtras(data []byte) []byte {
	var out []string
	skip := false
	for _, l := range physicalLines(string(data)) {
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if !skip {
				out = append(out, l)
			}
			continue
		}
		skip = strings.HasPrefix(strings.ToUpper(l), "X-SIF-")
		if !skip {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, "\r\n"))
}
