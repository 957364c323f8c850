package syncml

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Namespaces of the MetInf and DevInf elements (MetaInfo 5, DevInf 5).
const (
	NSMetInf = "syncml:metinf"
	NSDevInf = "syncml:devinf"
)

// writeSettings escape text as & < > and a carriage return as &#xD;: an
// XML parser turns a literal "\r\n" into "\n" (XML 1.0 section 2.11), and
// CDATA would not protect it either. Attributes take single quotes, as
// SyncEvolution and the Synthesis engine write them.
var writeSettings = etree.WriteSettings{CanonicalText: true, AttrSingleQuote: true}

// Namespace is the SyncML namespace for a VerDTD (RepPro 5.1.1): "1.0" and
// "1.1" have their own, anything else gets the 1.2 one.
func Namespace(verDTD string) string {
	switch verDTD {
	case "1.0":
		return "SYNCML:SYNCML1.0"
	case "1.1":
		return "SYNCML:SYNCML1.1"
	}
	return "SYNCML:SYNCML1.2"
}

// Encode writes m as an XML SyncML message with an XML declaration, the
// namespace of m.Header.VerDTD and every element in the order of the
// RepPro DTD. Text is escaped, never put in CDATA; characters XML cannot
// carry are replaced by U+FFFD.
//
// It writes the bytes directly, without building the element tree of
// EncodeDocument; both walk the message with the same code (encodeMessage),
// so the output is the tree's serialisation byte for byte.
func Encode(m *Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("syncml: encode: nil message")
	}
	if err := checkCommands(m.Commands, 0); err != nil {
		return nil, err
	}
	w := &byteSink{b: make([]byte, 0, 512+256*len(m.Commands))}
	w.b = append(w.b, xmlDecl...)
	encodeMessage(w, m)
	return w.b, nil
}

// xmlDecl is the XML declaration every encoded message starts with (as
// etree writes the ProcInst of EncodeDocument).
const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>`

// checkCommands refuses what would produce a broken document: nil
// commands and names that are not simple XML names.
func checkCommands(cmds []*Command, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("syncml: encode: commands nested deeper than %d", maxNesting)
	}
	for i, c := range cmds {
		if c == nil {
			return fmt.Errorf("syncml: encode: command %d is nil", i)
		}
		if !simpleName(c.Name) {
			return fmt.Errorf("syncml: encode: command %d has invalid name %q", i, c.Name)
		}
		if err := checkCommands(c.Commands, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func simpleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
			return false
		}
	}
	return true
}

// EncodeDocument builds the element tree of m, for the WBXML encoder. Nil
// commands are skipped (Encode refuses them). DataXML elements are copied,
// never moved, so m can be encoded again. A nil m encodes as an empty
// message.
func EncodeDocument(m *Message) *etree.Document {
	if m == nil {
		m = &Message{}
	}
	doc := etree.NewDocument()
	doc.WriteSettings = writeSettings
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	encodeMessage(&treeSink{cur: &doc.Element}, m)
	return doc
}

// encodeMessage writes the SyncML element of m to w.
func encodeMessage(w sink, m *Message) {
	w.open("SyncML")
	w.attr("xmlns", Namespace(m.Header.VerDTD))
	encodeHeader(w, &m.Header)
	w.open("SyncBody")
	for _, c := range m.Commands {
		encodeCommand(w, c)
	}
	if m.Final {
		w.open("Final")
		w.close()
	}
	w.close()
	w.close()
}

// EncodedSize is the number of bytes c adds to a message encoded by Encode,
// for splitting replies to fit the client's MaxMsgSize (Sync Protocol 6.1.2
// / RepPro 5.1.4 MaxMsgSize). A message's size is HeaderSize plus the
// EncodedSize of each of its commands.
func EncodedSize(c *Command) int {
	if c == nil {
		return 0
	}
	w := sizeSinks.Get().(*byteSink)
	w.b = w.b[:0]
	encodeCommand(w, c)
	n := len(w.b)
	if cap(w.b) <= 64<<10 {
		sizeSinks.Put(w)
	}
	return n
}

var sizeSinks = sync.Pool{New: func() any { return &byteSink{b: make([]byte, 0, 1024)} }}

// HeaderSize is the size of a message with header h, no commands and
// <Final/> (8 bytes of it): the fixed overhead EncodedSize adds to.
func HeaderSize(h Header) int {
	w := sizeSinks.Get().(*byteSink)
	w.b = append(w.b[:0], xmlDecl...)
	encodeMessage(w, &Message{Header: h, Final: true})
	n := len(w.b)
	sizeSinks.Put(w)
	return n
}

// sink receives a message's elements in document order: Encode writes
// them as bytes (byteSink), EncodeDocument builds a tree (treeSink).
type sink interface {
	open(tag string)        // start a child element of the open one
	attr(key, value string) // an attribute of the element just opened
	text(s string)          // character data (not empty)
	close()                 // end the open element
	element(e *etree.Element)
}

// treeSink builds an etree element tree.
type treeSink struct{ cur *etree.Element }

func (t *treeSink) open(tag string)          { t.cur = t.cur.CreateElement(tag) }
func (t *treeSink) attr(k, v string)         { t.cur.CreateAttr(k, v) }
func (t *treeSink) text(s string)            { t.cur.SetText(s) }
func (t *treeSink) close()                   { t.cur = t.cur.Parent() }
func (t *treeSink) element(e *etree.Element) { t.cur.AddChild(e) }

// byteSink writes XML as etree would with writeSettings: no indentation,
// <tag/> for an empty element, text escaped as canonical text, attribute
// values in single quotes.
type byteSink struct {
	b       []byte
	tags    []string
	pending bool // the start tag of the open element lacks its '>'
}

func (w *byteSink) open(tag string) {
	if w.pending {
		w.b = append(w.b, '>')
	}
	w.b = append(w.b, '<')
	w.b = append(w.b, tag...)
	w.tags = append(w.tags, tag)
	w.pending = true
}

func (w *byteSink) attr(k, v string) {
	w.b = append(w.b, ' ')
	w.b = append(w.b, k...)
	w.b = append(w.b, "='"...)
	w.b = appendEscaped(w.b, v, true)
	w.b = append(w.b, '\'')
}

func (w *byteSink) text(s string) {
	if w.pending {
		w.b = append(w.b, '>')
		w.pending = false
	}
	w.b = appendEscaped(w.b, s, false)
}

func (w *byteSink) close() {
	tag := w.tags[len(w.tags)-1]
	w.tags = w.tags[:len(w.tags)-1]
	if w.pending {
		w.b = append(w.b, "/>"...)
		w.pending = false
		return
	}
	w.b = append(w.b, "</"...)
	w.b = append(w.b, tag...)
	w.b = append(w.b, '>')
}

func (w *byteSink) element(e *etree.Element) {
	if w.pending {
		w.b = append(w.b, '>')
		w.pending = false
	}
	e.WriteTo(w, &writeSettings)
}

// Write, WriteString and WriteByte make byteSink an etree.Writer.
func (w *byteSink) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *byteSink) WriteString(s string) (int, error) {
	w.b = append(w.b, s...)
	return len(s), nil
}
func (w *byteSink) WriteByte(c byte) error { w.b = append(w.b, c); return nil }

// appendEscaped appends s escaped as etree escapes canonical text (& < >
// and CR; attr: & < > ' " instead of CR), with U+FFFD for what XML cannot
// carry (invalid UTF-8, control characters, U+FFFE/U+FFFF).
func appendEscaped(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				esc = "&amp;"
			case c == '<':
				esc = "&lt;"
			case c == '>':
				esc = "&gt;"
			case c == '\r' && !attr:
				esc = "&#xD;"
			case c == '\'' && attr:
				esc = "&apos;"
			case c == '"' && attr:
				esc = "&quot;"
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				esc = "\uFFFD"
			default:
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if !(r >= 0x80 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) ||
				r == utf8.RuneError && n == 1 {
				esc = "\uFFFD"
			} else {
				i += n
				continue
			}
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// encodeHeader writes the SyncHdr children in DTD order (RepPro 5.1):
// VerDTD, VerProto, SessionID, MsgID, Target, Source, RespURI?, NoResp?,
// Cred?, Meta?.
func encodeHeader(w sink, h *Header) {
	w.open("SyncHdr")
	wText(w, "VerDTD", h.VerDTD)
	wText(w, "VerProto", h.VerProto)
	wText(w, "SessionID", h.SessionID)
	wText(w, "MsgID", h.MsgID)
	wLoc(w, "Target", h.Target)
	wLoc(w, "Source", h.Source)
	wOpt(w, "RespURI", h.RespURI)
	wFlag(w, "NoResp", h.NoResp)
	wCred(w, h.Cred)
	wMeta(w, &Meta{MaxMsgSize: h.MaxMsgSize, MaxObjSize: h.MaxObjSize})
	w.close()
}

// encodeCommand writes c in the element order of its DTD content model
// (RepPro 6.6). Commands without a model of their own (Add, Replace,
// Delete, Copy, Move, Put, Get, Exec and unknown ones) share one order.
func encodeCommand(w sink, c *Command) {
	if c == nil {
		return
	}
	w.open(c.Name)
	wText(w, "CmdID", c.CmdID)
	switch c.Name {
	case "Status": // CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Cred?, Chal?, Data, Item*
		wText(w, "MsgRef", c.MsgRef)
		wText(w, "CmdRef", c.CmdRef)
		wText(w, "Cmd", c.Cmd)
		wRefs(w, c)
		wCred(w, c.Cred)
		if c.Chal != nil {
			w.open("Chal")
			w.open("Meta")
			wMetInf(w, c.Chal)
			w.close()
			w.close()
		}
		wText(w, "Data", c.Data)
		wItems(w, c.Items)
	case "Results": // CmdID, MsgRef?, CmdRef, Meta?, TargetRef*, SourceRef*, Item+
		wOpt(w, "MsgRef", c.MsgRef)
		wText(w, "CmdRef", c.CmdRef)
		wMeta(w, c.Meta)
		wRefs(w, c)
		wItems(w, c.Items)
	case "Alert": // CmdID, NoResp?, Cred?, Data?, Correlator?, Item*
		wFlag(w, "NoResp", c.NoResp)
		wCred(w, c.Cred)
		wOpt(w, "Data", c.Data)
		wItems(w, c.Items)
	case "Sync": // CmdID, NoResp?, Cred?, Target?, Source?, Meta?, NumberOfChanges?, commands
		wFlag(w, "NoResp", c.NoResp)
		wCred(w, c.Cred)
		wOptLoc(w, "Target", c.Target)
		wOptLoc(w, "Source", c.Source)
		wMeta(w, c.Meta)
		if c.NumberOfChanges >= 0 {
			wText(w, "NumberOfChanges", strconv.Itoa(c.NumberOfChanges))
		}
		for _, sub := range c.Commands {
			encodeCommand(w, sub)
		}
	case "Map": // CmdID, Target, Source, Cred?, Meta?, MapItem+
		wLoc(w, "Target", c.Target)
		wLoc(w, "Source", c.Source)
		wCred(w, c.Cred)
		wMeta(w, c.Meta)
		for _, mi := range c.MapItems {
			w.open("MapItem")
			wLoc(w, "Target", Loc{URI: mi.Target})
			wLoc(w, "Source", Loc{URI: mi.Source})
			w.close()
		}
	case "Atomic", "Sequence": // CmdID, NoResp?, Meta?, commands
		wFlag(w, "NoResp", c.NoResp)
		wMeta(w, c.Meta)
		for _, sub := range c.Commands {
			encodeCommand(w, sub)
		}
	default: // CmdID, NoResp?, Archive?, SftDel?, Cred?, Meta?, Item+
		wFlag(w, "NoResp", c.NoResp)
		wFlag(w, "Archive", c.Archive)
		wFlag(w, "SftDel", c.SftDel)
		wCred(w, c.Cred)
		wOptLoc(w, "Target", c.Target)
		wOptLoc(w, "Source", c.Source)
		wMeta(w, c.Meta)
		wOpt(w, "Data", c.Data)
		wItems(w, c.Items)
		for _, sub := range c.Commands {
			encodeCommand(w, sub)
		}
	}
	w.close()
}

func wRefs(w sink, c *Command) {
	for _, r := range c.TargetRefs {
		wText(w, "TargetRef", r)
	}
	for _, r := range c.SourceRefs {
		wText(w, "SourceRef", r)
	}
}

// wItems writes Items (RepPro, Item): Target?, Source?, SourceParent?,
// TargetParent?, Meta?, Data?, MoreData?.
func wItems(w sink, items []Item) {
	for i := range items {
		it := &items[i]
		w.open("Item")
		wOptLoc(w, "Target", it.Target)
		wOptLoc(w, "Source", it.Source)
		wOptLoc(w, "SourceParent", Loc{URI: it.SourceParent})
		wOptLoc(w, "TargetParent", Loc{URI: it.TargetParent})
		wMeta(w, it.Meta)
		switch {
		case it.DataXML != nil:
			cp := it.DataXML.Copy()
			switch cp.Tag {
			case "DevInf":
				cp.CreateAttr("xmlns", NSDevInf)
			case "Anchor":
				cp.CreateAttr("xmlns", NSMetInf)
			}
			w.open("Data")
			w.element(cp)
			w.close()
		case it.Data != "":
			wText(w, "Data", it.Data)
		}
		wFlag(w, "MoreData", it.MoreData)
		w.close()
	}
}

// wCred writes a Cred (RepPro 5.1.5): Meta (Format, Type), Data.
func wCred(w sink, c *Cred) {
	if c == nil {
		return
	}
	w.open("Cred")
	wMeta(w, &Meta{Format: c.Format, Type: c.Type})
	wText(w, "Data", c.Data)
	w.close()
}

// wMeta writes a Meta unless m is nil or empty.
func wMeta(w sink, m *Meta) {
	if m == nil || *m == (Meta{}) {
		return
	}
	w.open("Meta")
	wMetInf(w, m)
	w.close()
}

// wMetInf writes the MetInf elements in the order of the MetInf DTD
// (MetaInfo 5): Format, Type, Size, Anchor, Version, NextNonce,
// MaxMsgSize, MaxObjSize; each declares the syncml:metinf namespace.
func wMetInf(w sink, m *Meta) {
	mi := func(tag, value string) {
		w.open(tag)
		w.attr("xmlns", NSMetInf)
		if value != "" {
			w.text(value)
		}
		w.close()
	}
	num := func(tag string, n int64) {
		if n > 0 {
			mi(tag, strconv.FormatInt(n, 10))
		}
	}
	if m.Format != "" {
		mi("Format", m.Format)
	}
	if m.Type != "" {
		mi("Type", m.Type)
	}
	num("Size", m.Size)
	if m.Anchor != nil {
		w.open("Anchor")
		w.attr("xmlns", NSMetInf)
		wOpt(w, "Last", m.Anchor.Last)
		wText(w, "Next", m.Anchor.Next)
		w.close()
	}
	if m.Version != "" {
		mi("Version", m.Version)
	}
	if m.NextNonce != "" {
		mi("NextNonce", m.NextNonce)
	}
	num("MaxMsgSize", m.MaxMsgSize)
	num("MaxObjSize", m.MaxObjSize)
}

func wLoc(w sink, tag string, l Loc) {
	w.open(tag)
	wText(w, "LocURI", l.URI)
	wOpt(w, "LocName", l.Name)
	w.close()
}

func wOptLoc(w sink, tag string, l Loc) {
	if l != (Loc{}) {
		wLoc(w, tag, l)
	}
}

// wText writes <tag>value</tag>, or <tag/> for an empty value.
func wText(w sink, tag, value string) {
	w.open(tag)
	if value != "" {
		w.text(value)
	}
	w.close()
}

func wOpt(w sink, tag, value string) {
	if value != "" {
		wText(w, tag, value)
	}
}

func wFlag(w sink, tag string, on bool) {
	if on {
		w.open(tag)
		w.close()
	}
}

// addText writes <tag>value</tag>, or <tag/> for an empty value.
func addText(parent *etree.Element, tag, value string) {
	e := parent.CreateElement(tag)
	if value != "" {
		e.SetText(value)
	}
}

func addOpt(parent *etree.Element, tag, value string) {
	if value != "" {
		addText(parent, tag, value)
	}
}

func addFlag(parent *etree.Element, tag string, on bool) {
	if on {
		parent.CreateElement(tag)
	}
}
