package wbxml

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// DefaultMaxSize is the default bound on the decoded size of a document:
// the bytes of element and attribute names, attribute values and text, plus
// a fixed overhead per element.
const DefaultMaxSize = 64 << 20

// maxDepth bounds element nesting, nested WBXML documents included; it
// matches the limit of the XML decoder in protocol/syncml.
const maxDepth = 64

// elementCost and attrCost are the overheads charged per decoded element
// and attribute.
const (
	elementCost = 32
	attrCost    = 16
)

// maxAttrs bounds the attributes of one element (etree checks each new
// attribute against the existing ones).
const maxAttrs = 64

// DecodeOptions adjusts DecodeWith.
type DecodeOptions struct {
	// Language, if not nil, supplies the code pages instead of the language
	// named by the document's public identifier, like `wbxml2xml -l`; needed
	// for documents that carry the "unknown" public id 0x01 (ActiveSync).
	// Nested documents in OPAQUE still use their own public identifiers.
	Language *Language
	// MaxSize bounds the decoded size (see DefaultMaxSize, used when 0).
	MaxSize int
}

// Decode parses a WBXML document into an element tree, with the code pages
// of the language named by its public identifier. See DecodeWith.
func Decode(data []byte) (*etree.Document, error) {
	return DecodeWith(data, DecodeOptions{})
}

// DecodeWith parses a WBXML document (§5.3: version, public identifier,
// charset, string table, body) into an element tree.
//
// The root element, and every element whose code page belongs to another
// namespace than its parent's, carries an xmlns attribute with the page's
// namespace, as in the XML form (e.g. <Type xmlns="syncml:metinf">). Text
// (inline strings, string table references, entities, opaque data) becomes
// character data. Charsets UTF-8 (MIBenum 106), US-ASCII (3) and unknown (0)
// are read as UTF-8 and ISO-8859-1 (4) is converted to it; others are
// refused. Opaque data is kept byte for byte. Bytes after the root element
// and its trailing processing instructions are ignored, as libwbxml does.
// An element with more than 64 attributes is refused.
func DecodeWith(data []byte, opts DecodeOptions) (*etree.Document, error) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	d := &decoder{data: data, force: opts.Language, left: &limit}
	root, _, err := d.document(0, "")
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	doc.SetRoot(root)
	return doc, nil
}

// decoder reads one WBXML document; nested documents get their own decoder
// sharing the size budget.
type decoder struct {
	data     []byte
	pos      int
	force    *Language
	lang     *Language
	table    []byte // string table (§5.7)
	latin1   bool   // charset ISO-8859-1: convert strings to UTF-8
	tagPage  byte   // current tag code page (§5.8.1)
	attrPage byte   // current attribute code page
	left     *int   // remaining size budget
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("wbxml: offset %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) next() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, d.errorf("unexpected end of data")
	}
	b := d.data[d.pos]
	d.pos++
	return b, nil
}

// mb reads an mb_u_int32 (§5.1).
func (d *decoder) mb() (uint32, error) {
	v, n, err := readMB(d.data[d.pos:])
	if err != nil {
		return 0, fmt.Errorf("wbxml: offset %d: %w", d.pos, err)
	}
	if n == 0 {
		return 0, d.errorf("unexpected end of data in multi-byte integer")
	}
	d.pos += n
	return v, nil
}

// charge takes n bytes from the size budget.
func (d *decoder) charge(n int) error {
	*d.left -= n
	if *d.left < 0 {
		return d.errorf("decoded document exceeds the size limit")
	}
	return nil
}

// text converts string bytes of the document's charset to UTF-8 (§5.6).
func (d *decoder) text(b []byte) string {
	if !d.latin1 {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// inline reads a NUL-terminated inline string (STR_I, §5.8.4).
func (d *decoder) inline() ([]byte, error) {
	i := bytes.IndexByte(d.data[d.pos:], 0)
	if i < 0 {
		return nil, d.errorf("unterminated inline string")
	}
	s := d.data[d.pos : d.pos+i]
	d.pos += i + 1
	return s, nil
}

// tableString returns the NUL-terminated string at offset idx of the string
// table (§5.7); a reference may point into the middle of a string. A last
// string without its terminating NUL ends with the table, as libwbxml
// accepts: Ericsson phones send the public identifier that way.
func (d *decoder) tableString(idx uint32) ([]byte, error) {
	if uint64(idx) >= uint64(len(d.table)) {
		return nil, d.errorf("string table index %d out of range (table has %d bytes)", idx, len(d.table))
	}
	s := d.table[idx:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s, nil
}

// document reads the header (§5.4–§5.7) and body (§5.3) of a document and
// returns its root element and language (nil when unknown).
func (d *decoder) document(depth int, parentNS string) (*etree.Element, *Language, error) {
	ver, err := d.next()
	if err != nil {
		return nil, nil, err
	}
	if ver > version13 {
		return nil, nil, d.errorf("unsupported WBXML version byte 0x%02X", ver)
	}
	pid, err := d.mb()
	if err != nil {
		return nil, nil, err
	}
	var pidIndex uint32
	if pid == 0 { // public id given as a string table reference (§5.5)
		if pidIndex, err = d.mb(); err != nil {
			return nil, nil, err
		}
	}
	charset := uint32(charsetUTF8)
	if ver != version10 { // WBXML 1.0 has no charset field
		if charset, err = d.mb(); err != nil {
			return nil, nil, err
		}
	}
	switch charset {
	case charsetUTF8, charsetASCII, charsetUnknown:
	case charsetLatin1:
		d.latin1 = true
	default:
		return nil, nil, d.errorf("unsupported charset (MIBenum %d)", charset)
	}
	n, err := d.mb()
	if err != nil {
		return nil, nil, err
	}
	if uint64(n) > uint64(len(d.data)-d.pos) {
		return nil, nil, d.errorf("string table length %d exceeds the data", n)
	}
	d.table = d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	if pid == 0 {
		fpi, err := d.tableString(pidIndex)
		if err != nil {
			return nil, nil, err
		}
		d.lang = LookupFPI(d.text(fpi))
	} else {
		d.lang = LookupPublicID(pid)
	}
	if d.force != nil {
		d.lang = d.force
	}
	// body = *pi element *pi; a SWITCH_PAGE may precede the root tag.
	for {
		b, err := d.next()
		if err != nil {
			return nil, nil, err
		}
		if b == tokPI {
			if err := d.pi(); err != nil {
				return nil, nil, err
			}
			continue
		}
		if b == tokSwitchPage {
			if d.tagPage, err = d.next(); err != nil {
				return nil, nil, err
			}
			continue
		}
		d.pos--
		break
	}
	root, err := d.element(nil, depth, parentNS)
	if err != nil {
		return nil, nil, err
	}
	for d.pos < len(d.data) && d.data[d.pos] == tokPI {
		d.pos++
		if err := d.pi(); err != nil {
			return nil, nil, err
		}
	}
	return root, d.lang, nil
}

// element reads one element (§5.8.2) whose tag token is the next byte and
// adds it to parent (nil for the root).
func (d *decoder) element(parent *etree.Element, depth int, parentNS string) (*etree.Element, error) {
	if depth >= maxDepth {
		return nil, d.errorf("elements nested deeper than %d", maxDepth)
	}
	b, err := d.next()
	if err != nil {
		return nil, err
	}
	var name, ns string
	switch tok := b & tagMask; {
	case tok == tokLiteral: // LITERAL, LITERAL_C, LITERAL_A, LITERAL_AC (§5.8.4)
		idx, err := d.mb()
		if err != nil {
			return nil, err
		}
		s, err := d.tableString(idx)
		if err != nil {
			return nil, err
		}
		if name = d.text(s); !validName(name) {
			return nil, d.errorf("invalid literal tag name %q", name)
		}
		ns = parentNS
	case tok < tokLiteral:
		return nil, d.errorf("unexpected global token 0x%02X where a tag was expected", b)
	default:
		var known bool
		name, ns, known = d.lang.tagName(d.tagPage, tok)
		if !known || ns == "" {
			ns = parentNS
		}
	}
	if err := d.charge(len(name) + elementCost); err != nil {
		return nil, err
	}
	var el *etree.Element
	if parent == nil {
		el = etree.NewElement(name)
	} else {
		el = parent.CreateElement(name)
	}
	if ns != parentNS {
		el.CreateAttr("xmlns", ns)
	}
	if b&flagAttrs != 0 {
		if err := d.attributes(el); err != nil {
			return nil, err
		}
	}
	if b&flagContent != 0 {
		if err := d.content(el, depth+1, ns); err != nil {
			return nil, err
		}
	}
	return el, nil
}

// content reads element content up to its END (§5.8.1): text, child
// elements, opaque data, entities, processing instructions and page
// switches. An empty content (the content flag followed by END) yields an
// element without children, like a tag without the content flag.
func (d *decoder) content(el *etree.Element, depth int, ns string) error {
	var text []byte
	flush := func() {
		if len(text) > 0 {
			el.CreateText(string(text))
			text = text[:0]
		}
	}
	for {
		b, err := d.next()
		if err != nil {
			return err
		}
		switch {
		case b == tokEnd:
			flush()
			return nil
		case b == tokSwitchPage:
			if d.tagPage, err = d.next(); err != nil {
				return err
			}
		case b == tokStrI, b == tokStrT, b == tokEntity:
			s, err := d.stringValue(b)
			if err != nil {
				return err
			}
			text = append(text, s...)
		case b == tokOpaque:
			data, err := d.opaque()
			if err != nil {
				return err
			}
			if child := d.nested(data, depth, ns); child != nil {
				flush()
				el.AddChild(child)
				continue
			}
			if err := d.charge(len(data)); err != nil {
				return err
			}
			text = append(text, data...)
		case b == tokPI:
			if err := d.pi(); err != nil {
				return err
			}
		case isExt(b):
			return d.errorf("extension token 0x%02X is not supported", b)
		default:
			d.pos--
			flush()
			if _, err := d.element(el, depth, ns); err != nil {
				return err
			}
		}
	}
}

// stringValue reads the inline string, table reference or character entity
// (§5.8.4) introduced by token b and returns it as UTF-8.
func (d *decoder) stringValue(b byte) (string, error) {
	var s string
	switch b {
	case tokStrI:
		raw, err := d.inline()
		if err != nil {
			return "", err
		}
		s = d.text(raw)
	case tokStrT:
		idx, err := d.mb()
		if err != nil {
			return "", err
		}
		raw, err := d.tableString(idx)
		if err != nil {
			return "", err
		}
		s = d.text(raw)
	case tokEntity:
		cp, err := d.mb()
		if err != nil {
			return "", err
		}
		if cp > utf8.MaxRune || !utf8.ValidRune(rune(cp)) {
			return "", d.errorf("entity U+%X is not a Unicode character", cp)
		}
		s = string(rune(cp))
	}
	return s, d.charge(len(s))
}

// opaque reads the length and bytes of OPAQUE data (§5.8.4).
func (d *decoder) opaque() ([]byte, error) {
	n, err := d.mb()
	if err != nil {
		return nil, err
	}
	if uint64(n) > uint64(len(d.data)-d.pos) {
		return nil, d.errorf("opaque length %d exceeds the data", n)
	}
	data := d.data[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return data, nil
}

// nested decodes opaque data that is a complete WBXML 1.1–1.3 document of a
// known language (DevInf or a DM tree sent inside a SyncML <Data>) and
// returns its root; otherwise it returns nil and the data stays text.
func (d *decoder) nested(data []byte, depth int, ns string) *etree.Element {
	if len(data) < 4 || data[0] < version11 || data[0] > version13 {
		return nil
	}
	if pid, n, err := readMB(data[1:]); err != nil || n == 0 || (pid != 0 && LookupPublicID(pid) == nil) {
		return nil
	}
	sub := &decoder{data: data, left: d.left}
	root, lang, err := sub.document(depth, ns)
	if err != nil || lang == nil || sub.pos != len(data) {
		return nil
	}
	return root
}
