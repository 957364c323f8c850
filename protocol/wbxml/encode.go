package wbxml

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// EncodeOptions adjusts Encode. The zero value writes WBXML 1.2 with a
// numeric public identifier, charset UTF-8 and no string table beyond
// LITERAL names.
type EncodeOptions struct {
	// Version is the WBXML version byte (§5.4): 0x01, 0x02 or 0x03;
	// 0 means 0x02 (WBXML 1.2).
	Version byte
	// Language forces the code pages; nil chooses them from the root
	// element's namespace, the DOCTYPE public identifier, the root element
	// name and its <VerDTD>. With no match every tag is written as a LITERAL
	// and the public id is 0x01 (unknown).
	Language *Language
	// PublicIDAsString writes the public identifier as a string table
	// reference to the FPI (§5.5) even when a numeric one exists.
	PublicIDAsString bool
	// StringTable puts text strings that occur more than once in the string
	// table and refers to them with STR_T (§5.8.4).
	StringTable bool
	// InlineData writes the text of elements the language marks as opaque
	// (SyncML <Item><Data>) as inline strings; text containing NUL or
	// invalid UTF-8 is always written as OPAQUE.
	InlineData bool
	// KeepWhitespace keeps whitespace-only text between child elements,
	// which is otherwise dropped as indentation.
	KeepWhitespace bool
	// KeepTypes leaves <Type> texts alone; by default the language's
	// TypeRewrites apply (application/vnd.syncml-devinf+xml becomes
	// ...+wbxml, since the DevInf is written as nested WBXML).
	KeepTypes bool
}

// Encode writes doc as a WBXML document (§5.3). Comments, processing
// instructions and directives are dropped; the xmlns attributes select code
// pages (§5.8.4) and are not written; other attributes are written as
// LITERAL names with inline string values unless the language has tokens
// for them. An element of another known language than the one of its parent
// (a DevInf in a SyncML <Data>, namespace syncml:devinf or, without a
// namespace, by its name) is written as a nested WBXML document in OPAQUE.
func Encode(doc *etree.Document, opts EncodeOptions) ([]byte, error) {
	if doc == nil || doc.Root() == nil {
		return nil, errors.New("wbxml: encode: document has no root element")
	}
	switch opts.Version {
	case 0:
		opts.Version = version12
	case version11, version12, version13:
	default:
		return nil, fmt.Errorf("wbxml: encode: unsupported WBXML version byte 0x%02X", opts.Version)
	}
	root := doc.Root()
	scope := nsScope{}.enter(root)
	lang := opts.Language
	if lang == nil {
		lang = chooseLanguage(root, scope.of(root), doctypeFPI(doc), "")
	}
	return encodeDocument(root, lang, nsScope{}, opts, 0)
}

// encoder writes one document; nested documents get their own encoder.
type encoder struct {
	opts     EncodeOptions
	lang     *Language
	body     []byte
	table    []byte
	tableIdx map[string]uint32
	repeated map[string]bool
	tagPage  byte
	attrPage byte
}

// encodeDocument writes the header (§5.4–§5.7) and body of a document whose
// root element is root, written at nesting depth depth.
func encodeDocument(root *etree.Element, lang *Language, parent nsScope, opts EncodeOptions, depth int) ([]byte, error) {
	e := &encoder{opts: opts, lang: lang, tableIdx: map[string]uint32{}}
	if opts.StringTable {
		e.repeated = repeatedTexts(root)
	}
	var pid []byte
	switch {
	case lang != nil && lang.PublicID != 0 && !(opts.PublicIDAsString && lang.FPI != ""):
		pid = appendMB(nil, lang.PublicID)
	case lang != nil && lang.FPI != "":
		pid = appendMB([]byte{0}, e.tableRef(lang.FPI))
	default:
		pid = appendMB(nil, 1) // unknown public identifier (§7.2)
	}
	if err := e.element(root, "", parent, depth); err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(e.body)+len(e.table)+16)
	out = append(out, opts.Version)
	out = append(out, pid...)
	out = appendMB(out, charsetUTF8)
	out = appendMB(out, uint32(len(e.table)))
	out = append(out, e.table...)
	return append(out, e.body...), nil
}

// tableRef returns the string table offset of s, adding it if needed.
func (e *encoder) tableRef(s string) uint32 {
	if i, ok := e.tableIdx[s]; ok {
		return i
	}
	i := uint32(len(e.table))
	e.table = append(append(e.table, s...), 0)
	e.tableIdx[s] = i
	return i
}

// item is one piece of element content: text or a child element.
type item struct {
	text string
	el   *etree.Element
}

// element writes el (§5.8.2): page switch, tag, attributes, content, END.
func (e *encoder) element(el *etree.Element, parentTag string, parent nsScope, depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("wbxml: encode: elements nested deeper than %d", maxDepth)
	}
	scope := parent.enter(el)
	ns := scope.of(el)
	items := e.items(el)
	var attrs []etree.Attr
	for _, a := range el.Attr {
		if a.Space != "xmlns" && !(a.Space == "" && a.Key == "xmlns") {
			attrs = append(attrs, a)
		}
	}
	var flags byte
	if len(attrs) > 0 {
		flags |= flagAttrs
	}
	if len(items) > 0 {
		flags |= flagContent
	}
	page, tok, ok := e.lang.lookupTag(el.Tag, ns, e.tagPage)
	if !ok && el.Space == "" {
		page, tok, ok = e.genericToken(el.Tag, 't')
	}
	if ok {
		if page != e.tagPage {
			e.body = append(e.body, tokSwitchPage, page)
			e.tagPage = page
		}
		e.body = append(e.body, tok|flags)
	} else {
		if !validName(el.FullTag()) {
			return fmt.Errorf("wbxml: encode: invalid element name %q", el.FullTag())
		}
		e.body = append(e.body, tokLiteral|flags)
		e.body = appendMB(e.body, e.tableRef(el.FullTag()))
	}
	if len(attrs) > 0 {
		if err := e.attributes(attrs); err != nil {
			return err
		}
	}
	if len(items) == 0 {
		return nil
	}
	var opaque bool
	if p := e.lang.opaqueParent(el.Tag); p != "" && !e.opts.InlineData {
		opaque = p == "*" || p == parentTag
	}
	for _, it := range items {
		if it.el == nil {
			e.text(e.rewrite(el.Tag, it.text), opaque)
			continue
		}
		if nl := e.nestedLanguage(it.el, scope); nl != nil {
			data, err := encodeDocument(it.el, nl, scope, e.opts, depth+1)
			if err != nil {
				return err
			}
			e.opaqueData(data)
			continue
		}
		if err := e.element(it.el, el.Tag, scope, depth+1); err != nil {
			return err
		}
	}
	e.body = append(e.body, tokEnd)
	return nil
}

// items returns the content of el: text runs (adjacent character data and
// CDATA joined) and child elements. Whitespace-only text next to child
// elements is dropped unless KeepWhitespace is set.
func (e *encoder) items(el *etree.Element) []item {
	var out []item
	hasChild := len(el.ChildElements()) > 0
	var text strings.Builder
	flushText := func() {
		s := text.String()
		text.Reset()
		if s == "" || (hasChild && !e.opts.KeepWhitespace && strings.TrimSpace(s) == "") {
			return
		}
		out = append(out, item{text: s})
	}
	for _, t := range el.Child {
		switch t := t.(type) {
		case *etree.CharData:
			text.WriteString(t.Data)
		case *etree.Element:
			flushText()
			out = append(out, item{el: t})
		}
	}
	flushText()
	return out
}

// rewrite applies the language's TypeRewrites to the text of a <Type>.
func (e *encoder) rewrite(tag, s string) string {
	if e.opts.KeepTypes || e.lang == nil || tag != "Type" || len(e.lang.TypeRewrites) == 0 {
		return s
	}
	if r, ok := e.lang.TypeRewrites[strings.ToLower(strings.TrimSpace(s))]; ok {
		return r
	}
	return s
}

// text writes a text run as STR_I, STR_T or OPAQUE (§5.8.4).
func (e *encoder) text(s string, opaque bool) {
	switch {
	case opaque || strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s):
		e.opaqueData([]byte(s))
	case e.repeated[s]:
		e.body = append(e.body, tokStrT)
		e.body = appendMB(e.body, e.tableRef(s))
	default:
		e.body = append(e.body, tokStrI)
		e.body = append(append(e.body, s...), 0)
	}
}

func (e *encoder) opaqueData(data []byte) {
	e.body = append(e.body, tokOpaque)
	e.body = appendMB(e.body, uint32(len(data)))
	e.body = append(e.body, data...)
}

// attributes writes an attribute list (§5.8.3) and its END.
func (e *encoder) attributes(attrs []etree.Attr) error {
	for _, a := range attrs {
		name := a.FullKey()
		page, tok, ok := e.lang.lookupAttr(name, e.attrPage)
		if !ok {
			page, tok, ok = e.genericToken(name, 'a')
		}
		if ok {
			if page != e.attrPage {
				e.body = append(e.body, tokSwitchPage, page)
				e.attrPage = page
			}
			e.body = append(e.body, tok)
		} else {
			if !validName(name) {
				return fmt.Errorf("wbxml: encode: invalid attribute name %q", name)
			}
			e.body = append(e.body, tokLiteral)
			e.body = appendMB(e.body, e.tableRef(name))
		}
		if a.Value == "" {
			continue
		}
		if strings.IndexByte(a.Value, 0) >= 0 {
			if e.opts.Version < version13 {
				return fmt.Errorf("wbxml: encode: attribute %s contains NUL", name)
			}
			e.opaqueData([]byte(a.Value)) // OPAQUE attribute values are WBXML 1.3
			continue
		}
		e.body = append(e.body, tokStrI)
		e.body = append(append(e.body, a.Value...), 0)
	}
	e.body = append(e.body, tokEnd)
	return nil
}

// genericToken reads back a name that Decode gave to a token without table
// entry ("wbxml-p0-t3F" for tags, "wbxml-p0-a45" for attribute starts). A
// token that the language does define is not accepted, so that such a name
// cannot turn into another element.
func (e *encoder) genericToken(name string, kind byte) (page, tok byte, ok bool) {
	page, tok, ok = parseGeneric(name, kind)
	if !ok || tok <= tokLiteral {
		return 0, 0, false
	}
	p := e.lang.page(page)
	if kind == 't' {
		return page, tok, tok <= tagMask && (p == nil || p.Tags[tok] == "")
	}
	_, defined := p.attrStart(tok)
	return page, tok, tok < 0x80 && tok != tokPI && tok != tokLiteralC && !isExt(tok) && !defined
}

// nestedLanguage returns the language of el if el is the root of a document
// of another language than the one being written: its namespace belongs to
// another known language, or it has no table entry here and is the root
// element of a known language.
func (e *encoder) nestedLanguage(el *etree.Element, parent nsScope) *Language {
	if e.lang == nil {
		return nil
	}
	if _, _, ok := parseGeneric(el.Tag, 't'); ok {
		return nil
	}
	ns := parent.enter(el).of(el)
	if ns == "" || e.lang.hasNamespace(ns) {
		// Same language: nested only if the tag is unknown here but is
		// the root element of another language.
		if _, _, ok := e.lang.lookupTag(el.Tag, "", e.tagPage); ok {
			return nil
		}
		ns = ""
	}
	l := chooseLanguage(el, ns, "", e.lang.Version)
	if l == e.lang {
		return nil
	}
	return l
}

// chooseLanguage picks the language of a document rooted at root with
// namespace ns, the DOCTYPE public identifier fpi and, for ties, the
// version of the enclosing document.
func chooseLanguage(root *etree.Element, ns, fpi, fallback string) *Language {
	c := candidates(root.Tag, ns)
	if len(c) == 0 && ns != "" {
		c = candidates(root.Tag, "")
	}
	return pick(c, fpi, verDTD(root), fallback)
}

// verDTD returns the <VerDTD> of a document root (SyncML keeps it in the
// SyncHdr).
func verDTD(root *etree.Element) string {
	v := root.SelectElement("VerDTD")
	if v == nil {
		if h := root.SelectElement("SyncHdr"); h != nil {
			v = h.SelectElement("VerDTD")
		}
	}
	if v == nil {
		return ""
	}
	return strings.TrimSpace(v.Text())
}

var doctypePublic = regexp.MustCompile(`(?s)^DOCTYPE\s+\S+\s+PUBLIC\s+["']([^"']*)["']`)

// doctypeFPI returns the public identifier of the document's DOCTYPE.
func doctypeFPI(doc *etree.Document) string {
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok {
			if m := doctypePublic.FindStringSubmatch(strings.TrimSpace(d.Data)); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// repeatedTexts returns the text runs of at least four bytes that occur more
// than once in the tree (for EncodeOptions.StringTable).
func repeatedTexts(root *etree.Element) map[string]bool {
	count := map[string]int{}
	var walk func(*etree.Element)
	walk = func(el *etree.Element) {
		for _, t := range el.Child {
			switch t := t.(type) {
			case *etree.CharData:
				if len(t.Data) >= 4 && strings.TrimSpace(t.Data) != "" {
					count[t.Data]++
				}
			case *etree.Element:
				walk(t)
			}
		}
	}
	walk(root)
	out := map[string]bool{}
	for s, n := range count {
		if n > 1 && !strings.ContainsRune(s, 0) {
			out[s] = true
		}
	}
	return out
}

// nsScope tracks the in-scope XML namespaces: the default one and prefixes.
type nsScope struct {
	def      string
	prefixes map[string]string
}

// enter returns the scope inside el, applying its xmlns attributes.
func (s nsScope) enter(el *etree.Element) nsScope {
	copied := false
	for _, a := range el.Attr {
		switch {
		case a.Space == "" && a.Key == "xmlns":
			s.def = strings.TrimSpace(a.Value)
		case a.Space == "xmlns":
			if !copied {
				m := make(map[string]string, len(s.prefixes)+1)
				for k, v := range s.prefixes {
					m[k] = v
				}
				s.prefixes, copied = m, true
			}
			s.prefixes[a.Key] = strings.TrimSpace(a.Value)
		}
	}
	return s
}

// of returns the namespace of el within scope s (s must include el's own
// declarations).
func (s nsScope) of(el *etree.Element) string {
	if el.Space != "" {
		return s.prefixes[el.Space]
	}
	return s.def
}
