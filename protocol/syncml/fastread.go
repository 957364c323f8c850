package syncml

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// readFast builds the element tree of an XML message as etree's reader
// (encoding/xml's RawToken) would, for the plain XML SyncML clients send:
// UTF-8, elements, quoted attributes, text with the five named and
// numeric character references, CDATA sections and an XML declaration.
// It is written by hand because encoding/xml's tokenizer was a fifth of the
// server's CPU in uploads and refreshes. Anything else (comments, DOCTYPE,
// processing instructions after the declaration, another encoding,
// prefixed element names, characters XML does not allow, any error) makes
// it return ok=false, and Decode reads the message with etree, which then
// accepts or refuses it exactly as before. FuzzDecode checks that both
// readers build the same message whenever readFast succeeds.
func readFast(data []byte) (doc *etree.Document, ok bool) {
	if !utf8.Valid(data) {
		return nil, false
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := fastReader{data: data}
	doc = etree.NewDocument()
	r.skipSpace()
	if bytes.HasPrefix(r.data[r.pos:], []byte("<?xml")) {
		end := bytes.Index(r.data[r.pos:], []byte("?>"))
		if end < 0 || !utf8Declaration(r.data[r.pos:r.pos+end]) {
			return nil, false
		}
		r.pos += end + 2
	}
	var stack []*etree.Element
	top := &doc.Element
	for r.pos < len(r.data) {
		if r.data[r.pos] != '<' {
			text, ok := r.text()
			if !ok {
				return nil, false
			}
			if len(stack) == 0 {
				if !isXMLSpace(text) {
					return nil, false
				}
				continue
			}
			addCharData(top, text)
			continue
		}
		switch rest := r.data[r.pos:]; {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest, []byte("]]>"))
			if end < 0 || len(stack) == 0 {
				return nil, false
			}
			raw := rest[len("<![CDATA["):end]
			if !xmlChars(raw) {
				return nil, false
			}
			addCharData(top, normalizeNewlines(string(raw)))
			r.pos += end + 3
		case bytes.HasPrefix(rest, []byte("</")):
			r.pos += 2
			name, ok := r.name()
			if !ok || len(stack) == 0 || name != top.Tag {
				return nil, false
			}
			r.skipSpace()
			if !r.consume('>') {
				return nil, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				top = &doc.Element
			} else {
				top = stack[len(stack)-1]
			}
		case len(rest) > 1 && (rest[1] == '!' || rest[1] == '?'):
			return nil, false // comment, DOCTYPE or processing instruction
		default:
			if len(stack) == 0 && len(doc.ChildElements()) > 0 || len(stack) >= maxDepth-1 {
				return nil, false
			}
			r.pos++
			el, empty, ok := r.startTag(top)
			if !ok {
				return nil, false
			}
			if !empty {
				stack = append(stack, el)
				top = el
			}
		}
	}
	if len(stack) != 0 || len(doc.ChildElements()) != 1 {
		return nil, false
	}
	return doc, true
}

type fastReader struct {
	data []byte
	pos  int
}

func (r *fastReader) skipSpace() {
	for r.pos < len(r.data) && isSpaceByte(r.data[r.pos]) {
		r.pos++
	}
}

func (r *fastReader) consume(b byte) bool {
	if r.pos < len(r.data) && r.data[r.pos] == b {
		r.pos++
		return true
	}
	return false
}

// name reads an unprefixed ASCII XML name.
func (r *fastReader) name() (string, bool) {
	start := r.pos
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' ||
			r.pos > start && (c >= '0' && c <= '9' || c == '-' || c == '.') {
			r.pos++
			continue
		}
		break
	}
	return string(r.data[start:r.pos]), r.pos > start
}

// maxFastAttrs bounds the attributes of one element readFast takes: SyncML
// elements carry an xmlns at most, and the duplicate check below scans the
// element's attributes, so without a bound many attributes would cost
// quadratic time. More go to etree's reader, whose check is a map.
const maxFastAttrs = 8

// startTag reads an element's name and attributes after its '<' and adds
// it to parent.
func (r *fastReader) startTag(parent *etree.Element) (el *etree.Element, empty, ok bool) {
	tag, ok := r.name()
	if !ok {
		return nil, false, false
	}
	el = parent.CreateElement(tag)
	for n := 0; ; n++ {
		spaced := r.pos < len(r.data) && isSpaceByte(r.data[r.pos])
		r.skipSpace()
		if r.consume('>') {
			return el, false, true
		}
		if r.pos+1 < len(r.data) && r.data[r.pos] == '/' && r.data[r.pos+1] == '>' {
			r.pos += 2
			return el, true, true
		}
		if !spaced || n >= maxFastAttrs {
			return nil, false, false
		}
		key, ok := r.name()
		if !ok {
			return nil, false, false
		}
		if r.consume(':') { // xmlns:prefix
			local, ok := r.name()
			if !ok || key != "xmlns" {
				return nil, false, false
			}
			key += ":" + local
		}
		r.skipSpace()
		if !r.consume('=') {
			return nil, false, false
		}
		r.skipSpace()
		value, ok := r.attrValue()
		if !ok || el.SelectAttr(key) != nil {
			return nil, false, false // duplicates: etree's reader decides
		}
		el.CreateAttr(key, value)
	}
}

func (r *fastReader) attrValue() (string, bool) {
	if r.pos >= len(r.data) || r.data[r.pos] != '"' && r.data[r.pos] != '\'' {
		return "", false
	}
	q := r.data[r.pos]
	end := bytes.IndexByte(r.data[r.pos+1:], q)
	if end < 0 {
		return "", false
	}
	raw := r.data[r.pos+1 : r.pos+1+end]
	r.pos += end + 2
	if bytes.IndexByte(raw, '<') >= 0 {
		return "", false
	}
	return unescapeText(raw)
}

// text reads character data up to the next '<'.
func (r *fastReader) text() (string, bool) {
	end := bytes.IndexByte(r.data[r.pos:], '<')
	if end < 0 {
		end = len(r.data) - r.pos
	}
	raw := r.data[r.pos : r.pos+end]
	r.pos += end
	return unescapeText(raw)
}

// unescapeText decodes character references and turns CR LF and lone CRs
// of the raw text into LF, as encoding/xml does (XML 1.0 section 2.11); a
// CR written as &#13; stays.
func unescapeText(raw []byte) (string, bool) {
	if !xmlChars(raw) {
		return "", false
	}
	if bytes.IndexByte(raw, '&') < 0 {
		return normalizeNewlines(string(raw)), true
	}
	var sb strings.Builder
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			sb.WriteString(normalizeNewlines(string(raw)))
			break
		}
		sb.WriteString(normalizeNewlines(string(raw[:amp])))
		raw = raw[amp+1:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return "", false
		}
		ref := string(raw[:semi])
		raw = raw[semi+1:]
		switch ref {
		case "amp":
			sb.WriteByte('&')
		case "lt":
			sb.WriteByte('<')
		case "gt":
			sb.WriteByte('>')
		case "quot":
			sb.WriteByte('"')
		case "apos":
			sb.WriteByte('\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				return "", false
			}
			sb.WriteRune(r)
		}
	}
	return sb.String(), true
}

// charRef decodes "#N" and "#xH" to a character XML allows.
func charRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !isXMLChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// xmlChars tells whether UTF-8 text holds only characters XML allows.
func xmlChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !isXMLChar(r) {
			return false
		}
		i += size
	}
	return true
}

// isXMLChar is XML 1.0's Char production (section 2.2).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isXMLSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpaceByte(s[i]) {
			return false
		}
	}
	return true
}

// addCharData adds text as etree's reader does: whitespace-only text is
// flagged as such.
func addCharData(parent *etree.Element, text string) {
	cd := parent.CreateText(text)
	if isXMLSpace(text) {
		cd.SetData(text) // sets the whitespace flag
	}
}

// utf8Declaration tells whether an XML declaration names no encoding or
// UTF-8 (or ASCII, a subset).
func utf8Declaration(decl []byte) bool {
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return true
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
		return false
	}
	end := bytes.IndexByte(rest[1:], rest[0])
	if end < 0 {
		return false
	}
	switch strings.ToLower(string(rest[1 : 1+end])) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}
