package syncml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// maxDepth bounds the element nesting of a message. The deepest legitimate
// structure, a ValEnum in a DevInf PropParam, is 11 levels down.
const maxDepth = 64

// maxNesting bounds how deep Sync, Atomic and Sequence may nest commands.
const maxNesting = 8

// containers are the commands whose element children are further commands
// (RepPro 6.6: Atomic, Sequence, Sync).
var containers = map[string]bool{"Sync": true, "Atomic": true, "Sequence": true}

// Decode parses an XML SyncML message. Elements are matched by local name,
// whatever namespace or prefix the sender used. A document type declaration
// that declares entities is refused outright.
func Decode(data []byte) (*Message, error) {
	if declaresEntities(data) {
		return nil, errors.New("syncml: decode: DTD entity declarations are not accepted")
	}
	if doc, ok := readFast(data); ok {
		return DecodeDocument(doc)
	}
	doc, err := readEtree(data)
	if err != nil {
		return nil, err
	}
	return DecodeDocument(doc)
}

// readEtree parses XML with etree (encoding/xml): whatever readFast leaves.
func readEtree(data []byte) (*etree.Document, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{CharsetReader: charsetReader, MaxDepth: maxDepth}
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, fmt.Errorf("syncml: decode: parse XML: %w", err)
	}
	return doc, nil
}

// DecodeDocument builds the message model from an element tree, as parsed
// from XML by Decode or produced by the WBXML decoder. The document is not
// modified; DataXML elements are copies.
func DecodeDocument(doc *etree.Document) (*Message, error) {
	if doc == nil {
		return nil, errors.New("syncml: decode: nil document")
	}
	for _, t := range doc.Child {
		if d, ok := t.(*etree.Directive); ok && strings.Contains(d.Data, "ENTITY") {
			return nil, errors.New("syncml: decode: DTD entity declarations are not accepted")
		}
	}
	if n := len(doc.ChildElements()); n != 1 {
		return nil, fmt.Errorf("syncml: decode: document has %d root elements, want 1", n)
	}
	root := doc.Root()
	if root.Tag != "SyncML" {
		return nil, fmt.Errorf("syncml: decode: root element is <%s>, want <SyncML>", root.Tag)
	}
	if treeDepth(root) > maxDepth {
		return nil, fmt.Errorf("syncml: decode: elements nested deeper than %d", maxDepth)
	}
	hdr, body := child(root, "SyncHdr"), child(root, "SyncBody")
	if hdr == nil {
		return nil, errors.New("syncml: decode: missing SyncHdr")
	}
	if body == nil {
		return nil, errors.New("syncml: decode: missing SyncBody")
	}
	m := &Message{Header: decodeHeader(hdr)}
	for _, e := range body.ChildElements() {
		if e.Tag == "Final" {
			m.Final = true
			continue
		}
		c, err := decodeCommand(e, 0)
		if err != nil {
			return nil, err
		}
		m.Commands = append(m.Commands, c)
	}
	return m, nil
}

// decodeHeader reads the SyncHdr (RepPro 5.1).
func decodeHeader(e *etree.Element) Header {
	var h Header
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "VerDTD":
			h.VerDTD = text(c)
		case "VerProto":
			h.VerProto = text(c)
		case "SessionID":
			h.SessionID = text(c)
		case "MsgID":
			h.MsgID = text(c)
		case "Target":
			h.Target = decodeLoc(c)
		case "Source":
			h.Source = decodeLoc(c)
		case "RespURI":
			h.RespURI = text(c)
		case "NoResp":
			h.NoResp = true
		case "Cred":
			h.Cred = decodeCred(c)
		case "Meta":
			if m := decodeMeta(c); m != nil {
				h.MaxMsgSize, h.MaxObjSize = m.MaxMsgSize, m.MaxObjSize
			}
		}
	}
	return h
}

// decodeCommand reads one SyncBody command (RepPro 6.6). Every element
// becomes a Command, known or not, so that the engine can answer unknown
// ones (406). Child elements are matched by name whatever the command, and
// inside Sync, Atomic and Sequence any other child element is a nested
// command.
func decodeCommand(e *etree.Element, depth int) (*Command, error) {
	cmd := &Command{Name: e.Tag, NumberOfChanges: -1}
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "CmdID":
			cmd.CmdID = text(c)
		case "NoResp":
			cmd.NoResp = true
		case "Cred":
			cmd.Cred = decodeCred(c)
		case "Meta":
			cmd.Meta = decodeMeta(c)
		case "Data":
			cmd.Data = text(c)
		case "Item":
			cmd.Items = append(cmd.Items, decodeItem(c))
		case "Target":
			cmd.Target = decodeLoc(c)
		case "Source":
			cmd.Source = decodeLoc(c)
		case "NumberOfChanges":
			if n, err := strconv.Atoi(text(c)); err == nil && n >= 0 {
				cmd.NumberOfChanges = n
			}
		case "MapItem":
			cmd.MapItems = append(cmd.MapItems, MapItem{
				Target: locURI(child(c, "Target")),
				Source: locURI(child(c, "Source")),
			})
		case "Archive":
			cmd.Archive = true
		case "SftDel":
			cmd.SftDel = true
		case "MsgRef":
			cmd.MsgRef = text(c)
		case "CmdRef":
			cmd.CmdRef = text(c)
		case "Cmd":
			cmd.Cmd = text(c)
		case "TargetRef":
			cmd.TargetRefs = append(cmd.TargetRefs, text(c))
		case "SourceRef":
			cmd.SourceRefs = append(cmd.SourceRefs, text(c))
		case "Chal":
			cmd.Chal = decodeMeta(child(c, "Meta"))
			if cmd.Chal == nil {
				cmd.Chal = &Meta{}
			}
		default:
			if !containers[e.Tag] {
				continue // Lang, Correlator, NoResults, ...: not used
			}
			if depth >= maxNesting {
				return nil, fmt.Errorf("syncml: decode: commands nested deeper than %d", maxNesting)
			}
			sub, err := decodeCommand(c, depth+1)
			if err != nil {
				return nil, err
			}
			cmd.Commands = append(cmd.Commands, sub)
		}
	}
	return cmd, nil
}

// decodeItem reads an Item (RepPro, Item).
func decodeItem(e *etree.Element) Item {
	var it Item
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "Target":
			it.Target = decodeLoc(c)
		case "Source":
			it.Source = decodeLoc(c)
		case "TargetParent":
			it.TargetParent = locURI(c)
		case "SourceParent":
			it.SourceParent = locURI(c)
		case "Meta":
			it.Meta = decodeMeta(c)
		case "Data":
			it.Data, it.DataXML = decodeData(c)
		case "MoreData":
			it.MoreData = true
		}
	}
	return it
}

// decodeData returns the content of an Item's <Data>: a copy of its first
// child element if it has one (DevInf, Anchor), else all its character data
// (text and CDATA sections) joined, untrimmed.
func decodeData(e *etree.Element) (string, *etree.Element) {
	var sb strings.Builder
	for _, t := range e.Child {
		switch t := t.(type) {
		case *etree.Element:
			return "", detach(t)
		case *etree.CharData:
			sb.WriteString(t.Data)
		}
	}
	return sb.String(), nil
}

var attrSpace = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\t", " ")

// detach copies el out of its message. A namespace prefix would lose its
// declaration on the way, so prefixes are dropped and the element's
// resolved namespace becomes its default namespace.
func detach(el *etree.Element) *etree.Element {
	cp := el.Copy()
	if el.Space != "" {
		if ns := el.NamespaceURI(); ns != "" {
			cp.CreateAttr("xmlns", ns)
		}
	}
	stack := []*etree.Element{cp}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e.Space = ""
		for i := 0; i < len(e.Attr); {
			if e.Attr[i].Space == "xmlns" {
				e.Attr = append(e.Attr[:i], e.Attr[i+1:]...)
				continue
			}
			// As a parser would normalise them on the way back in.
			e.Attr[i].Value = attrSpace.Replace(e.Attr[i].Value)
			i++
		}
		stack = append(stack, e.ChildElements()...)
	}
	return cp
}

// decodeMeta reads the MetInf elements the server uses
// (OMA-TS-SyncML_MetaInfo 5). It returns nil for a missing or empty Meta.
// Malformed numbers count as absent.
func decodeMeta(e *etree.Element) *Meta {
	if e == nil {
		return nil
	}
	var m Meta
	decodeMetInf(e, &m, 0)
	if m == (Meta{}) {
		return nil
	}
	return &m
}

func decodeMetInf(e *etree.Element, m *Meta, depth int) {
	for _, c := range e.ChildElements() {
		switch c.Tag {
		case "Type":
			m.Type = text(c)
		case "Format":
			m.Format = text(c)
		case "Version":
			m.Version = text(c)
		case "Size":
			m.Size = number(c)
		case "MaxMsgSize":
			m.MaxMsgSize = number(c)
		case "MaxObjSize":
			m.MaxObjSize = number(c)
		case "NextNonce":
			m.NextNonce = text(c)
		case "Anchor":
			m.Anchor = &Anchor{Last: text(child(c, "Last")), Next: text(child(c, "Next"))}
		case "MetInf": // some encoders wrap the MetInf elements
			if depth == 0 {
				decodeMetInf(c, m, 1)
			}
		}
	}
}

// decodeCred reads a Cred (RepPro 5.1.5).
func decodeCred(e *etree.Element) *Cred {
	cr := &Cred{Data: text(child(e, "Data"))}
	if m := decodeMeta(child(e, "Meta")); m != nil {
		cr.Type, cr.Format = m.Type, m.Format
	}
	return cr
}

// decodeLoc reads a Target or Source: LocURI and LocName.
func decodeLoc(e *etree.Element) Loc {
	return Loc{URI: text(child(e, "LocURI")), Name: text(child(e, "LocName"))}
}

func locURI(e *etree.Element) string { return text(child(e, "LocURI")) }

// child returns e's first child element with the local name tag, or nil.
func child(e *etree.Element, tag string) *etree.Element {
	if e == nil {
		return nil
	}
	for _, c := range e.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

// text is the trimmed character data of e ("" for nil). Unlike
// etree's Text it joins every text and CDATA token, not only the first.
func text(e *etree.Element) string {
	if e == nil {
		return ""
	}
	var sb strings.Builder
	for _, t := range e.Child {
		if cd, ok := t.(*etree.CharData); ok {
			sb.WriteString(cd.Data)
		}
	}
	return strings.TrimSpace(sb.String())
}

func number(e *etree.Element) int64 {
	n, err := strconv.ParseInt(text(e), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// treeDepth is the nesting depth of the tree under e, computed without
// recursion (a WBXML-built tree has no parser-imposed limit).
func treeDepth(e *etree.Element) int {
	type frame struct {
		e *etree.Element
		d int
	}
	maxd := 0
	stack := []frame{{e, 1}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.d > maxd {
			maxd = f.d
			if maxd > maxDepth {
				return maxd
			}
		}
		for _, c := range f.e.ChildElements() {
			stack = append(stack, frame{c, f.d + 1})
		}
	}
	return maxd
}

// declaresEntities reports whether the prolog (everything before the root
// element's start tag) holds a DOCTYPE with an entity declaration. Only the
// prolog is looked at, so item data that merely mentions "<!ENTITY" in a
// CDATA section is not mistaken for one.
func declaresEntities(data []byte) bool {
	prolog := data
	for i := 0; i+1 < len(data); i++ {
		if data[i] == '<' && isNameStart(data[i+1]) {
			prolog = data[:i]
			break
		}
	}
	return bytes.Contains(prolog, []byte("<!DOCTYPE")) && bytes.Contains(prolog, []byte("<!ENTITY"))
}

func isNameStart(b byte) bool {
	return b == '_' || b == ':' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b >= 0x80
}

// charsetReader lets encoding/xml read the few non-UTF-8 encodings older
// devices declare: ISO-8859-1 is converted, US-ASCII passes through.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b)+len(b)/8)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("syncml: decode: unsupported charset %q", charset)
}
