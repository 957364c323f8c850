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
// cannot make sense of are skipped. Values are decoded in decode.go; the
// tests check the reader against go-vcard and go-ical where those apply.

import (
	"bytes"
	"strings"
	"unicode/utf16"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// maxDepth bounds the nesting of components the readers follow, so that
// hostile input cannot make them quadratic or recurse without end.
const maxDepth = 32

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
	closed   bool // its END line was seen
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
	return parseCharset(data, "")
}

// parseCharset is parse with a default charset for 8-bit values that do
// not declare one (vCard 2.1 and vCalendar 1.0 devices that send
// ISO-8859-1 without saying so); "" is UTF-8 with the windows-1252
// fallback of toUTF8.
func parseCharset(data []byte, defaultCharset string) *component {
	return parseText(decodeText(data), defaultCharset)
}

// parseText is parseCharset of text decodeText made.
func parseText(text, defaultCharset string) *component {
	return parseLines(logicalLines(text), defaultCharset)
}

// parseLines is parseText of the text's logical lines.
func parseLines(lines []string, defaultCharset string) *component {
	root := &component{}
	stack := []*component{root}
	// The properties of components share one array, each component a
	// run of it whose capacity ends with it, so that appending to one
	// elsewhere copies rather than overwrites the next. A component whose
	// run another has followed grows on its own (copying its run once),
	// so that no input makes the runs move again and again.
	arena := make([]prop, 0, len(lines))
	var owner *component // the component whose run ends the arena
	start := 0           // where owner's run starts
	params := newParseArena(len(lines))
	for _, line := range lines {
		p, ok := parseLineIn(line, defaultCharset, &params)
		if !ok {
			continue
		}
		top := stack[len(stack)-1]
		switch p.name {
		case "BEGIN":
			if len(stack) > maxDepth {
				continue // garbage: real items nest three or four deep
			}
			c := &component{name: strings.ToUpper(strings.TrimSpace(p.value))}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case "END":
			name := strings.ToUpper(strings.TrimSpace(p.value))
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == name {
					stack[i].closed = true
					stack = stack[:i]
					break
				}
			}
		default:
			switch {
			case top != owner && len(top.props) > 0:
				top.props = append(top.props, p)
				continue
			case top != owner:
				owner, start = top, len(arena)
			}
			arena = append(arena, p)
			top.props = arena[start:len(arena):len(arena)]
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

// decodedAsIs tells whether decodeText leaves text as it is: it starts
// with neither a byte order mark nor what reads as UTF-16's.
func decodedAsIs(text string) bool {
	return !strings.HasPrefix(text, string(utf8BOM)) && !isUTF16([]byte(text[:min(2, len(text))]))
}

// isUTF16 tells whether data starts with a UTF-16 byte order mark.
func isUTF16(data []byte) bool {
	return len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF)
}

// physicalLines splits text at CRLF, LF or a lone CR; CR CR LF, which
// text converted twice has, counts as one line break.
func physicalLines(text string) []string {
	if !strings.Contains(text, "\r\r") {
		// Without CR CR no replacement below makes a new CRLF: a line
		// ends at each CRLF, LF and lone CR, and the lines are cut from
		// text as they are.
		out := make([]string, 0, 1+strings.Count(text, "\n")+strings.Count(text, "\r"))
		start := 0
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '\r':
				out = append(out, text[start:i])
				if i+1 < len(text) && text[i+1] == '\n' {
					i++
				}
				start = i + 1
			case '\n':
				out = append(out, text[start:i])
				start = i + 1
			}
		}
		return append(out, text[start:])
	}
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
	out := make([]string, 0, len(phys))
	for i := 0; i < len(phys); i++ {
		line := phys[i]
		if strings.TrimSpace(line) == "" {
			continue
		}
		qp := isQP(line)
		var buf []byte // line with its continuations, once it has one
		for i+1 < len(phys) {
			if next := phys[i+1]; qp && endsWithEquals(line, buf) && !isEndLine(next) {
				if buf == nil {
					buf = []byte(line)
				}
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
			if buf == nil {
				buf = []byte(line)
			}
			buf = append(buf, phys[j][1:]...)
			i = j
		}
		if buf != nil {
			line = string(buf)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil // no lines: nil, as callers have had it
	}
	return out
}

// endsWithEquals tells whether a line being unfolded (buf once it has
// continuations, else line) ends in "=".
func endsWithEquals(line string, buf []byte) bool {
	if buf != nil {
		return len(buf) > 0 && buf[len(buf)-1] == '='
	}
	return len(line) > 0 && line[len(line)-1] == '='
}

// isQP tells whether the parameters of a content line ask for
// QUOTED-PRINTABLE. Only a Q or q upper-cases to Q, so a head without
// one is answered without upper-casing it.
func isQP(line string) bool {
	head, _, ok := strings.Cut(line, ":")
	return ok && strings.ContainsAny(head, "Qq") && strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
}

// isEndLine tells whether a line is an END: line, which a broken QP value
// must not swallow.
func isEndLine(line string) bool {
	return len(line) >= 4 && strings.EqualFold(line[:4], "END:")
}

// parseLine splits one content line into group, name, parameters and
// decoded value. It reports false for a line without a colon or a name.
func parseLine(line string) (prop, bool) {
	return parseLineCharset(line, "")
}

// parseLineCharset is parseLine with a default charset for values without
// a CHARSET parameter (see parseCharset).
func parseLineCharset(line, defaultCharset string) (prop, bool) {
	return parseLineIn(line, defaultCharset, &parseArena{})
}

// parseArena holds the parameters and parameter values of the lines of
// one item in shared arrays, a line's (a parameter's) a run capped at its
// end, so that appending to one elsewhere copies rather than overwrites
// the next.
type parseArena struct {
	params []param
	values []string
}

// newParseArena is an arena for n lines: room for a parameter and a
// value for every other line, what most items need at most.
func newParseArena(n int) parseArena {
	return parseArena{params: make([]param, 0, n/2+1), values: make([]string, 0, n/2+1)}
}

// parseLineIn is parseLineCharset with the parameters in a.
func parseLineIn(line, defaultCharset string, a *parseArena) (prop, bool) {
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
	start := len(a.params)
	for len(rest) > 0 && rest[0] == ';' {
		seg, tail := cutUnquoted(rest[1:], ";:")
		rest = tail
		if seg = strings.TrimSpace(seg); seg != "" {
			a.params = append(a.params, parseParam(seg, a))
		}
	}
	if end := len(a.params); end > start {
		p.params = a.params[start:end:end]
	}
	if len(rest) == 0 || rest[0] != ':' {
		return p, false
	}
	p.value = decodeValue(&p, rest[1:], defaultCharset)
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
func parseParam(seg string, a *parseArena) param {
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
	start := len(a.values)
	for val != "" {
		v, tail := cutUnquoted(val, ",")
		a.values = append(a.values, strings.Trim(strings.TrimSpace(v), `"`))
		if tail == "" {
			break
		}
		val = tail[1:]
	}
	if end := len(a.values); end > start {
		q.values = a.values[start:end:end]
	}
	return q
}

// decodeValue undoes the transfer encoding and charset of a raw value.
func decodeValue(p *prop, raw, defaultCharset string) string {
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
	charset := p.param("CHARSET")
	if charset == "" {
		charset = defaultCharset
	}
	return toUTF8(raw, charset)
}
