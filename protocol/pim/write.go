package pim

// Content-line writers for Convert: the RFC form of vCard 3.0 (RFC 2425
// section 5.8, RFC 2426) and iCalendar 2.0 (RFC 5545 section 3.1), and the
// legacy form of vCard 2.1 (versit vCard 2.1 section 2) and vCalendar 1.0
// (versit vCalendar 1.0), which shares the vCard 2.1 syntax.
// Everything is written with CRLF line endings.

import (
	"strings"
	"unicode/utf8"
)

const (
	// foldOctets is the longest line the RFC form writes, excluding the
	// line break (RFC 2425 5.8.1, RFC 6350 3.2, RFC 5545 3.1).
	foldOctets = 75
	// qpLineChars is the longest QUOTED-PRINTABLE line of the legacy form,
	// soft line break included (vCard 2.1 "Quoted-Printable", RFC 2045 6.7).
	qpLineChars = 76
)

// writer accumulates content lines.
type writer struct {
	strings.Builder
}

// line writes s and a CRLF.
func (w *writer) line(s string) {
	w.WriteString(s)
	w.WriteString("\r\n")
}

// modern writes an RFC content line, folded at 75 octets. value must be
// escaped already; any line break left in it is written as "\n", since the
// RFC form cannot hold one.
func (w *writer) modern(group, name string, params []param, value string) {
	if w.modernShort(group, name, params, value) {
		return
	}
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
	w.fold(b.String())
}

// modernShort is modern for a line that needs no folding and a value
// without line breaks, written as it is without building the line first;
// it reports false, having written nothing, for other lines.
func (w *writer) modernShort(group, name string, params []param, value string) bool {
	n := len(name) + 1 + len(value)
	if group != "" {
		n += len(group) + 1
	}
	for _, q := range params {
		n += len(q.name) + 2 // ';' and '='
		for i, v := range q.values {
			if !plainParam(v) {
				return false
			}
			n += len(v)
			if i > 0 {
				n++ // ','
			}
		}
	}
	if n > foldOctets || strings.ContainsAny(value, "\r\n") {
		return false
	}
	if group != "" {
		w.WriteString(group)
		w.WriteByte('.')
	}
	w.WriteString(name)
	for _, q := range params {
		w.WriteByte(';')
		w.WriteString(q.name)
		w.WriteByte('=')
		for i, v := range q.values {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(v)
		}
	}
	w.WriteByte(':')
	w.WriteString(value)
	w.WriteString("\r\n")
	return true
}

// plainParam tells a parameter value quoteParam leaves as it is: printable
// ASCII without a double quote, ';', ':' or ','.
func plainParam(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c >= 0x7F || c == '"' || c == ';' || c == ':' || c == ',' {
			return false
		}
	}
	return true
}

// fold writes s as lines of at most foldOctets octets, never splitting a
// UTF-8 sequence; continuation lines start with a space (RFC 5545 3.1).
func (w *writer) fold(s string) {
	limit := foldOctets
	for len(s) > limit {
		i := limit
		for i > 1 && !utf8.RuneStart(s[i]) {
			i--
		}
		w.line(s[:i])
		w.WriteByte(' ')
		s = s[i:]
		limit = foldOctets - 1
	}
	w.line(s)
}

// quoteParam quotes a parameter value holding ';', ':' or ',' and drops
// characters the RFC form cannot hold in one (double quotes, controls).
func quoteParam(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '"' || r < ' ' || r == 0x7F {
			return -1
		}
		return r
	}, v)
	if strings.ContainsAny(v, ";:,") {
		return `"` + v + `"`
	}
	return v
}

// modernParamOK tells whether the RFC form can write a parameter as it is.
func modernParamOK(q param) bool {
	for _, v := range q.values {
		if quoteParam(v) != v && quoteParam(v) != `"`+v+`"` {
			return false
		}
	}
	return true
}

// legacyParamOK tells whether the legacy form can write a parameter: it
// has no quoting, so no value may hold ';', ':', ',', '"' or a control
// character.
func legacyParamOK(q param) bool {
	for _, v := range q.values {
		if strings.ContainsFunc(v, func(r rune) bool {
			return r == ';' || r == ':' || r == ',' || r == '"' || r < ' ' || r == 0x7F
		}) {
			return false
		}
	}
	return true
}

// legacy writes a vCard 2.1 / vCalendar 1.0 content line. value is the
// decoded text with its legacy escapes ("\;" in structured values) and
// literal line breaks. Values holding non-ASCII characters or line breaks
// get CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE, as do (without CHARSET)
// values with leading or trailing blanks, a trailing "=" or too long for
// one line; long values are broken with soft line breaks. With bareTypes, TYPE values are written as bare parameters
// (TEL;CELL;PREF), as vCard 2.1 does.
func (w *writer) legacy(group, name string, params []param, value string, bareTypes bool) {
	head := legacyHead(group, name, params, bareTypes)
	ascii := isASCII(value)
	qp := !ascii || strings.ContainsAny(value, "\r\n") || strings.TrimSpace(value) != value ||
		strings.HasSuffix(value, "=") || len(head)+1+len(value) > qpLineChars
	if !qp {
		w.line(head + ":" + value)
		return
	}
	if !ascii || strings.ContainsAny(value, "\r\n") {
		head += ";CHARSET=UTF-8"
	}
	head += ";ENCODING=QUOTED-PRINTABLE:"
	w.qp(head, value)
}

// legacyHead writes group, name and parameters of a legacy line.
func legacyHead(group, name string, params []param, bareTypes bool) string {
	var b strings.Builder
	if group != "" {
		b.WriteString(group + ".")
	}
	b.WriteString(name)
	for _, q := range params {
		if bareTypes && q.name == "TYPE" {
			for _, v := range q.values {
				b.WriteString(";" + v)
			}
			continue
		}
		b.WriteString(";" + q.name + "=" + strings.Join(q.values, ","))
	}
	return b.String()
}

// qp writes head followed by value in QUOTED-PRINTABLE, breaking lines
// with a soft line break ("=" at the end of the line) before they get
// longer than qpLineChars. Line breaks in value are encoded byte by byte
// (=0D=0A), so they come back exactly.
func (w *writer) qp(head, value string) {
	line := head
	for i := 0; i < len(value); i++ {
		c := value[i]
		var tok string
		switch {
		case c == '=' || c < ' ' && c != '\t' || c >= 0x7F:
			tok = "=" + string("0123456789ABCDEF"[c>>4]) + string("0123456789ABCDEF"[c&15])
		case (c == ' ' || c == '\t') && i == len(value)-1:
			tok = "=20"
			if c == '\t' {
				tok = "=09"
			}
		default:
			tok = string(c)
		}
		if len(line)+len(tok) > qpLineChars-1 && len(line) > 0 && line != head {
			w.line(line + "=")
			line = ""
		}
		line += tok
	}
	w.line(line)
}

// base64Legacy writes a binary value the vCard 2.1 way: continuation
// lines start with a space and the value ends with an empty line (vCard
// 2.1 "Base 64").
func (w *writer) base64Legacy(group, name string, params []param, b64 string, bareTypes bool) {
	line := legacyHead(group, name, params, bareTypes) + ":"
	n := max(qpLineChars-len(line), 4)
	for len(b64) > 0 {
		k := min(n, len(b64))
		w.line(line + b64[:k])
		b64 = b64[k:]
		line, n = " ", qpLineChars-1
	}
	if line != " " {
		w.line(line)
	}
	w.line("")
}

// isASCII tells whether s holds only ASCII characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// escapeModern escapes text for vCard 3.0 and iCalendar (RFC 2426 4,
// RFC 5545 3.3.11): backslash, semicolon and comma get a backslash, line
// breaks become "\n". With keepComma, commas are left alone (list
// separators of vCard N components).
func escapeModern(s string, keepComma bool) string {
	if escapedModern(s, keepComma) {
		return s
	}
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

// escapedModern tells whether escapeModern returns s as it is: valid
// UTF-8 (the loop writes what is not as U+FFFD) with nothing to escape.
func escapedModern(s string, keepComma bool) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\', c == '\n', c == '\r', c == ';', c == ',' && !keepComma:
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s)
}

// escapeLegacy writes text for vCard 2.1 and vCalendar 1.0, which have
// no text escapes but "\;" in structured values: line breaks become CRLF
// (written QUOTED-PRINTABLE), a backslash is doubled only where a reader
// would take it for an escape, and with semi a semicolon gets a
// backslash.
func escapeLegacy(s string, semi bool) string {
	return escapeBackslash(strings.Join(physicalLines(s), "\r\n"), semi)
}

// escapeBackslash is escapeLegacy without the change of line breaks.
func escapeBackslash(s string, semi bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`nN,;:\`, s[i+1]) >= 0:
			b.WriteString(`\\`)
		case c == ';' && semi:
			b.WriteString(`\;`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// modernToLegacy turns a value in RFC syntax whose type is not known
// (X- properties) into the legacy form: "\n" becomes a line break and
// "\," a comma; other escapes ("\;" separating nothing, "\\") are kept.
func modernToLegacy(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case 'n', 'N':
				b.WriteString("\r\n")
				i++
				continue
			case ',':
				b.WriteByte(',')
				i++
				continue
			}
			b.WriteByte(v[i])
			b.WriteByte(v[i+1])
			i++
			continue
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// legacyToModern turns a legacy value whose type is not known into RFC
// syntax: line breaks become "\n", everything else is kept.
func legacyToModern(v string) string {
	return strings.Join(physicalLines(v), `\n`)
}
