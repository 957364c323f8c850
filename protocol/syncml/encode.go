package syncml

import (
	"errors"
	"fmt"
	"strconv"

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
func Encode(m *Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("syncml: encode: nil message")
	}
	if err := checkCommands(m.Commands, 0); err != nil {
		return nil, err
	}
	b, err := EncodeDocument(m).WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("syncml: encode: %w", err)
	}
	return b, nil
}

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

// EncodeDocument builds the element tree of m, for Encode or the WBXML
// encoder. Nil commands are skipped (Encode refuses them). DataXML
// elements are copied, never moved, so m can be encoded again. A nil m
// encodes as an empty message.
func EncodeDocument(m *Message) *etree.Document {
	if m == nil {
		m = &Message{}
	}
	doc := etree.NewDocument()
	doc.WriteSettings = writeSettings
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("SyncML")
	root.CreateAttr("xmlns", Namespace(m.Header.VerDTD))
	encodeHeader(root.CreateElement("SyncHdr"), &m.Header)
	body := root.CreateElement("SyncBody")
	for _, c := range m.Commands {
		encodeCommand(body, c)
	}
	if m.Final {
		body.CreateElement("Final")
	}
	return doc
}

// EncodedSize is the number of bytes c adds to a message encoded by Encode,
// for splitting replies to fit the client's MaxMsgSize (Sync Protocol 6.1.2
// / RepPro 5.1.4 MaxMsgSize). A message's size is HeaderSize plus the
// EncodedSize of each of its commands.
func EncodedSize(c *Command) int {
	if c == nil {
		return 0
	}
	parent := etree.NewElement("SyncBody")
	encodeCommand(parent, c)
	var n counter
	for _, e := range parent.ChildElements() {
		e.WriteTo(&n, &writeSettings)
	}
	return int(n)
}

// HeaderSize is the size of a message with header h, no commands and
// <Final/> (8 bytes of it): the fixed overhead EncodedSize adds to.
func HeaderSize(h Header) int {
	var n counter
	_, _ = EncodeDocument(&Message{Header: h, Final: true}).WriteTo(&n)
	return int(n)
}

// counter is an etree.Writer that only counts bytes.
type counter int

func (c *counter) Write(p []byte) (int, error)       { *c += counter(len(p)); return len(p), nil }
func (c *counter) WriteString(s string) (int, error) { *c += counter(len(s)); return len(s), nil }
func (c *counter) WriteByte(byte) error              { *c++; return nil }

// encodeHeader writes the SyncHdr children in DTD order (RepPro 5.1):
// VerDTD, VerProto, SessionID, MsgID, Target, Source, RespURI?, NoResp?,
// Cred?, Meta?.
func encodeHeader(e *etree.Element, h *Header) {
	addText(e, "VerDTD", h.VerDTD)
	addText(e, "VerProto", h.VerProto)
	addText(e, "SessionID", h.SessionID)
	addText(e, "MsgID", h.MsgID)
	addLoc(e, "Target", h.Target)
	addLoc(e, "Source", h.Source)
	addOpt(e, "RespURI", h.RespURI)
	addFlag(e, "NoResp", h.NoResp)
	addCred(e, h.Cred)
	addMeta(e, &Meta{MaxMsgSize: h.MaxMsgSize, MaxObjSize: h.MaxObjSize})
}

// encodeCommand writes c in the element order of its DTD content model
// (RepPro 6.6). Commands without a model of their own (Add, Replace,
// Delete, Copy, Move, Put, Get, Exec and unknown ones) share one order.
func encodeCommand(parent *etree.Element, c *Command) {
	if c == nil {
		return
	}
	e := parent.CreateElement(c.Name)
	addText(e, "CmdID", c.CmdID)
	switch c.Name {
	case "Status": // CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Cred?, Chal?, Data, Item*
		addText(e, "MsgRef", c.MsgRef)
		addText(e, "CmdRef", c.CmdRef)
		addText(e, "Cmd", c.Cmd)
		addRefs(e, c)
		addCred(e, c.Cred)
		if c.Chal != nil {
			m := e.CreateElement("Chal").CreateElement("Meta")
			addMetInf(m, c.Chal)
		}
		addText(e, "Data", c.Data)
		addItems(e, c.Items)
	case "Results": // CmdID, MsgRef?, CmdRef, Meta?, TargetRef*, SourceRef*, Item+
		addOpt(e, "MsgRef", c.MsgRef)
		addText(e, "CmdRef", c.CmdRef)
		addMeta(e, c.Meta)
		addRefs(e, c)
		addItems(e, c.Items)
	case "Alert": // CmdID, NoResp?, Cred?, Data?, Correlator?, Item*
		addFlag(e, "NoResp", c.NoResp)
		addCred(e, c.Cred)
		addOpt(e, "Data", c.Data)
		addItems(e, c.Items)
	case "Sync": // CmdID, NoResp?, Cred?, Target?, Source?, Meta?, NumberOfChanges?, commands
		addFlag(e, "NoResp", c.NoResp)
		addCred(e, c.Cred)
		addOptLoc(e, "Target", c.Target)
		addOptLoc(e, "Source", c.Source)
		addMeta(e, c.Meta)
		if c.NumberOfChanges >= 0 {
			addText(e, "NumberOfChanges", strconv.Itoa(c.NumberOfChanges))
		}
		for _, sub := range c.Commands {
			encodeCommand(e, sub)
		}
	case "Map": // CmdID, Target, Source, Cred?, Meta?, MapItem+
		addLoc(e, "Target", c.Target)
		addLoc(e, "Source", c.Source)
		addCred(e, c.Cred)
		addMeta(e, c.Meta)
		for _, mi := range c.MapItems {
			me := e.CreateElement("MapItem")
			addLoc(me, "Target", Loc{URI: mi.Target})
			addLoc(me, "Source", Loc{URI: mi.Source})
		}
	case "Atomic", "Sequence": // CmdID, NoResp?, Meta?, commands
		addFlag(e, "NoResp", c.NoResp)
		addMeta(e, c.Meta)
		for _, sub := range c.Commands {
			encodeCommand(e, sub)
		}
	default: // CmdID, NoResp?, Archive?, SftDel?, Cred?, Meta?, Item+
		addFlag(e, "NoResp", c.NoResp)
		addFlag(e, "Archive", c.Archive)
		addFlag(e, "SftDel", c.SftDel)
		addCred(e, c.Cred)
		addOptLoc(e, "Target", c.Target)
		addOptLoc(e, "Source", c.Source)
		addMeta(e, c.Meta)
		addOpt(e, "Data", c.Data)
		addItems(e, c.Items)
		for _, sub := range c.Commands {
			encodeCommand(e, sub)
		}
	}
}

func addRefs(e *etree.Element, c *Command) {
	for _, r := range c.TargetRefs {
		addText(e, "TargetRef", r)
	}
	for _, r := range c.SourceRefs {
		addText(e, "SourceRef", r)
	}
}

// addItems writes Items (RepPro, Item): Target?, Source?, SourceParent?,
// TargetParent?, Meta?, Data?, MoreData?.
func addItems(parent *etree.Element, items []Item) {
	for i := range items {
		it := &items[i]
		e := parent.CreateElement("Item")
		addOptLoc(e, "Target", it.Target)
		addOptLoc(e, "Source", it.Source)
		addOptLoc(e, "SourceParent", Loc{URI: it.SourceParent})
		addOptLoc(e, "TargetParent", Loc{URI: it.TargetParent})
		addMeta(e, it.Meta)
		switch {
		case it.DataXML != nil:
			cp := it.DataXML.Copy()
			switch cp.Tag {
			case "DevInf":
				cp.CreateAttr("xmlns", NSDevInf)
			case "Anchor":
				cp.CreateAttr("xmlns", NSMetInf)
			}
			e.CreateElement("Data").AddChild(cp)
		case it.Data != "":
			addText(e, "Data", it.Data)
		}
		addFlag(e, "MoreData", it.MoreData)
	}
}

// addCred writes a Cred (RepPro 5.1.5): Meta (Format, Type), Data.
func addCred(parent *etree.Element, c *Cred) {
	if c == nil {
		return
	}
	e := parent.CreateElement("Cred")
	addMeta(e, &Meta{Format: c.Format, Type: c.Type})
	addText(e, "Data", c.Data)
}

// addMeta writes a Meta unless m is nil or empty.
func addMeta(parent *etree.Element, m *Meta) {
	if m == nil || *m == (Meta{}) {
		return
	}
	addMetInf(parent.CreateElement("Meta"), m)
}

// addMetInf writes the MetInf elements in the order of the MetInf DTD
// (MetaInfo 5): Format, Type, Size, Anchor, Version, NextNonce,
// MaxMsgSize, MaxObjSize; each declares the syncml:metinf namespace.
func addMetInf(e *etree.Element, m *Meta) {
	mi := func(tag, value string) *etree.Element {
		c := e.CreateElement(tag)
		c.CreateAttr("xmlns", NSMetInf)
		if value != "" {
			c.SetText(value)
		}
		return c
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
		a := mi("Anchor", "")
		addOpt(a, "Last", m.Anchor.Last)
		addText(a, "Next", m.Anchor.Next)
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

func addLoc(parent *etree.Element, tag string, l Loc) {
	e := parent.CreateElement(tag)
	addText(e, "LocURI", l.URI)
	addOpt(e, "LocName", l.Name)
}

func addOptLoc(parent *etree.Element, tag string, l Loc) {
	if l != (Loc{}) {
		addLoc(parent, tag, l)
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
