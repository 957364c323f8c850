package pim

// This file holds the hand-written content-line reader every other file
// uses, for all versions alike: vCard 2.1/3.0/4.0, vCalendar 1.0,
// iCalendar 2.0 and vNote 1.1.
//
// Why not go-vcard and go-ical: both implement the RFC grammars (vCard 3.0/4.0,
// iCalendar 2.0) and reject or mangle what older devices send: vCard 2.1 and
// vCalendar 1.0 QUOTED-PRINTABLE values whose soft line breaks ("=" at the
// end of a line) continue on a line that does not start with whitespace,
// 8-bit values in a declared CHARSET (ISO-8859-1, windows-1252), bare
// parameters without a name (TEL;CELL;PREF:...), and broken input in
// general. Reading every version with one tolerant reader also means that a
// 2.1 card and its 3.0 twin end up as the same decoded values, which is
// what the match key and Equivalent need. The reader never fails: lines it
// cannot make sense of are skipped.

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// prop is one decoded content line.
type prop struct {
	group  string  // upper-case group ("ITEM1"), or ""
	name   string  // upper-case property name
	params []param // in input order, names upper-case
	value  string  // QP and charset decoded to UTF-8; RFC backslash escapes kept
	binary bool    // ENCODING=b or BASE64: value is base64 without whitespace
}

// param is one parameter of a property. Bare vCard 2.1 parameters get the
// name the 2.1 spec implies (TYPE, ENCODING or VALUE).
type param struct {
	name   string
	values []string
}

// component is a BEGIN/END block. The root returned by parse has no name;
// its children are the top-level components.
type component struct {
	name     string
	props    []prop
	children []*component
}

// param returns the first value of the named parameter, or "".
func (p *prop) param(name string) string {
	for _, q := range p.params {
		if q.name == name && len(q.values) > 0 {
			return q.values[0]
		}
	}
	return ""
}

// prop returns the first property of c with the given name, or nil.
func (c *component) prop(name string) *prop {
	for i := range c.props {
		if c.props[i].name == name {
			return &c.props[i]
		}
	}
	return nil
}

// text returns the unescaped, trimmed value of the first property with the
// given name, or "".
func (c *component) text(name string) string {
	if p := c.prop(name); p != nil {
		return strings.TrimSpace(unescape(p.value))
	}
	return ""
}

// find returns the first component named one of names, depth first.
func (c *component) find(names ...string) *component {
	for _, ch := range c.children {
		for _, n := range names {
			if ch.name == n {
				return ch
			}
		}
		if f := ch.find(names...); f != nil {
			return f
		}
	}
	return nil
}

// parse reads data into a component tree. Unterminated components are
// closed at the end of the input, stray END lines are ignored, and lines
// outside any component belong to the root.
func parse(data []byte) *component {
	root := &component{}
	stack := []*component{root}
	for _, line := range logicalLines(decodeText(data)) {
		p, ok := parseLine(line)
		if !ok {
			continue
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			c := &component{name: strings.ToUpper(strings.TrimSpace(p.value))}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			name := strings.ToUpper(strings.TrimSpace(p.value))
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == name {
					stack = stack[:i]
					break
				}
			}
		default:
			top.props = append(top.props, p)
		}
	}
	return root
}

// decodeText strips a byte order mark and converts UTF-16 to UTF-8. Other
// bytes are left alone: the charset of each value is handled per property.
func decodeText(data []byte) string {
	if isUTF16(data) {
		be := data[0] == 0xFE
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if be {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u))
	}
	return string(bytes.TrimPrefix(data, utf8BOM))
}

// isUTF16 tells whether data starts with a UTF-16 byte order mark.
func isUTF16(data []byte) bool {
	return len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF)
}

// physicalLines splits text at CRLF, LF or a lone CR; CR CR LF, which
// text converted twice has, counts as one line break.
func physicalLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\r\n", "\n")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// logicalLines unfolds text into content lines. Two continuations exist:
// the RFC one (a line starting with a space or tab continues the previous
// one, minus that character) and the QUOTED-PRINTABLE soft line break of
// vCard 2.1 and vCalendar 1.0 (a QP value ending in "=" continues on the
// next line whatever it starts with; the "=" is dropped). Empty lines are
// dropped, also between a line and its RFC continuation.
func logicalLines(text string) []string {
	phys := physicalLines(text)
	var out []string
	for i := 0; i < len(phys); i++ {
		line := phys[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		qp := isQP(line)
		buf := []byte(line)
		for i+1 < len(phys) {
			if next := phys[i+1]; qp && len(buf) > 0 && buf[len(buf)-1] == '=' && !isEndLine(next) {
				buf = append(buf[:len(buf)-1], next...)
				i++
				continue
			}
			// Blank lines before a continuation are noise (double CRs).
			j := i + 1
			for j < len(phys) && phys[j] == "" {
				j++
			}
			if j == len(phys) || phys[j][0] != ' ' && phys[j][0] != '\t' {
				break
			}
			buf = append(buf, phys[j][1:]...)
			i = j
		}
		line = string(buf)
		out = append(out, line)
	}
	return out
}

// isQP tells whether the parameters of a content line ask for
// QUOTED-PRINTABLE.
func isQP(line string) bool {
	head, _, ok := strings.Cut(line, ":")
	return ok && strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
}

// isEndLine tells whether a line is an END: line, which a broken QP value
// must not swallow.
func isEndLine(line string) bool {
	return len(line) >= 4 && strings.EqualFold(line[:4], "END:")
}

// parseLine splits one content line into group, name, parameters and
// decoded value. It reports false for a line without a colon or a name.
func parseLine(line string) (prop, bool) {
	var p prop
	// Name: up to the first ';' or ':'.
	end := strings.IndexAny(line, ";:")
	if end <= 0 {
		return p, false
	}
	name := strings.TrimSpace(line[:end])
	if g, n, ok := strings.Cut(name, "."); ok {
		p.group, name = strings.ToUpper(g), n
	}
	p.name = strings.ToUpper(name)
	if p.name == "" {
		return p, false
	}
	rest := line[end:]
	// Parameters: ';'-separated up to the first ':' outside double quotes.
	for len(rest) > 0 && rest[0] == ';' {
		seg, tail := cutUnquoted(rest[1:], ";:")
		rest = tail
		if seg = strings.TrimSpace(seg); seg != "" {
			p.params = append(p.params, parseParam(seg))
		}
	}
	if len(rest) == 0 || rest[0] != ':' {
		return p, false
	}
	p.value = decodeValue(&p, rest[1:])
	return p, true
}

// cutUnquoted returns s up to the first byte of seps outside double quotes,
// and the rest starting at that byte.
func cutUnquoted(s, seps string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case !quoted && strings.IndexByte(seps, s[i]) >= 0:
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// parseParam reads "NAME=v1,v2" or a bare vCard 2.1 value.
func parseParam(seg string) param {
	name, val, ok := strings.Cut(seg, "=")
	if !ok {
		// vCard 2.1 / vCalendar 1.0 bare parameter: name it.
		val = seg
		switch strings.ToUpper(seg) {
		case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT":
			name = "ENCODING"
		case "INLINE", "URL", "CONTENT-ID", "CID":
			name = "VALUE"
		default:
			name = "TYPE"
		}
	}
	q := param{name: strings.ToUpper(strings.TrimSpace(name))}
	for val != "" {
		v, tail := cutUnquoted(val, ",")
		q.values = append(q.values, strings.Trim(strings.TrimSpace(v), `"`))
		if tail == "" {
			break
		}
		val = tail[1:]
	}
	return q
}

// decodeValue undoes the transfer encoding and charset of a raw value.
func decodeValue(p *prop, raw string) string {
	enc := strings.ToUpper(p.param("ENCODING"))
	switch enc {
	case "B", "BASE64":
		p.binary = true
		return strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, raw)
	case "QUOTED-PRINTABLE":
		raw = decodeQP(raw)
	}
	return toUTF8(raw, p.param("CHARSET"))
}

// decodeQP decodes quoted-printable text leniently: "=XX" becomes a byte,
// any other "=" is kept as it is.
func decodeQP(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// toUTF8 converts bytes in the given charset to UTF-8. ISO-8859-1 and
// windows-1252 are converted; for UTF-8, a missing charset or any other
// one, valid UTF-8 is kept and anything else is read as windows-1252, the
// usual charset of devices that do not say.
func toUTF8(s, charset string) string {
	switch strings.ToUpper(strings.TrimSpace(charset)) {
	case "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1":
		return latin1(s, false)
	case "WINDOWS-1252", "CP1252", "X-CP1252":
		return latin1(s, true)
	}
	if utf8.ValidString(s) {
		return s
	}
	return latin1(s, true)
}

// cp1252 maps bytes 0x80..0x9F of windows-1252 to Unicode.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// latin1 reads each byte of s as one ISO-8859-1 (or windows-1252) character.
func latin1(s string, windows bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case windows && c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// unescape undoes the RFC 6350 / RFC 5545 text escapes: \n and \N become a
// newline; \, \; \: and \\ become the character. Unknown escapes are kept.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n', 'N':
				b.WriteByte('\n')
				i++
				continue
			case ',', ';', ':', '\\':
				b.WriteByte(s[i+1])
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitUnescaped splits s at each byte of seps not preceded by a backslash.
// The parts keep their escapes.
func splitUnescaped(s, seps string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(seps, s[i]) >= 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// components returns the unescaped, trimmed parts of a structured value
// (N, ADR, ORG): split at unescaped ';'.
func components(s string) []string {
	parts := splitUnescaped(s, ";")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(unescape(p))
	}
	return parts
}
