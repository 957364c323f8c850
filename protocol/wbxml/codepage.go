package wbxml

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// CodePage is one code page of a language: the tag code space (§5.8.2) and,
// optionally, the attribute code space (§5.8.3) selected by SWITCH_PAGE
// (§5.8.4). Tokens are the 6-bit tag identities 0x05–0x3F and the attribute
// tokens 0x05–0x7F (ATTRSTART) and 0x85–0xFF (ATTRVALUE).
type CodePage struct {
	// Page is the code page number written after SWITCH_PAGE.
	Page byte
	// Namespace is the XML namespace of the elements of this page, as XML
	// documents declare it with xmlns (e.g. "syncml:metinf"); may be empty.
	Namespace string
	// Tags maps tag tokens to element names.
	Tags map[byte]string
	// AttrStarts maps ATTRSTART tokens to attribute names and value prefixes.
	AttrStarts map[byte]AttrStart
	// AttrValues maps ATTRVALUE tokens to value fragments.
	AttrValues map[byte]string
}

// AttrStart is an ATTRSTART token (§5.8.3): an attribute name and,
// optionally, the beginning of its value.
type AttrStart struct {
	Name   string
	Prefix string
}

// Language is a set of code pages identified by a WBXML public identifier
// (§5.5, numeric values §7.2) or a formal public identifier (FPI) carried in
// the string table.
type Language struct {
	// Name is a human-readable name, e.g. "SyncML 1.2".
	Name string
	// Version is the DTD version the tables belong to ("1.2"); it is matched
	// against a <VerDTD> child when several languages share a namespace.
	Version string
	// PublicID is the numeric public identifier, 0 when none is assigned.
	PublicID uint32
	// FPI is the formal public identifier, e.g. "-//SYNCML//DTD SyncML 1.2//EN".
	FPI string
	// Root is the name of the root element of the language's documents.
	Root string
	// Pages are the code pages, in any order.
	Pages []*CodePage

	// OpaqueText lists elements whose text Encode writes as OPAQUE rather
	// than as an inline string: element name -> required parent name, or
	// "*" for any parent.
	OpaqueText map[string]string
	// TypeRewrites maps the text of <Type> elements (lower case) to the text
	// Encode writes instead, used to relabel content that Encode turns into
	// nested WBXML (libwbxml does the same).
	TypeRewrites map[string]string

	once   sync.Once
	byNo   map[byte]*CodePage
	tokens map[*CodePage]map[string]byte // element name -> tag token
}

func (l *Language) String() string { return l.Name }

// index builds the reverse lookup tables once; the code pages are only
// read, so languages may share them.
func (l *Language) index() {
	l.once.Do(func() {
		l.byNo = make(map[byte]*CodePage, len(l.Pages))
		l.tokens = make(map[*CodePage]map[string]byte, len(l.Pages))
		for _, p := range l.Pages {
			l.byNo[p.Page] = p
			m := make(map[string]byte, len(p.Tags))
			for tok, name := range p.Tags {
				if old, dup := m[name]; !dup || tok < old {
					m[name] = tok
				}
			}
			l.tokens[p] = m
		}
	})
}

// page returns code page n, or nil.
func (l *Language) page(n byte) *CodePage {
	if l == nil {
		return nil
	}
	l.index()
	return l.byNo[n]
}

// RootNamespace is the namespace of the page holding the root element.
func (l *Language) RootNamespace() string {
	l.index()
	for _, p := range l.Pages {
		if _, ok := l.tokens[p][l.Root]; ok {
			return p.Namespace
		}
	}
	return ""
}

// tagName returns the element name of a tag token on a page.
func (l *Language) tagName(page, tok byte) (name, ns string, known bool) {
	if p := l.page(page); p != nil {
		if n, ok := p.Tags[tok]; ok {
			return n, p.Namespace, true
		}
	}
	return genericTag(page, tok), "", false
}

// lookupTag finds the page and token for an element name: first on a page
// of the element's namespace, then on the current page, then on any page.
func (l *Language) lookupTag(name, ns string, cur byte) (page, tok byte, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	l.index()
	if ns != "" {
		for _, p := range l.Pages {
			if strings.EqualFold(p.Namespace, ns) {
				if t, ok := l.tokens[p][name]; ok {
					return p.Page, t, true
				}
			}
		}
	}
	if p := l.byNo[cur]; p != nil {
		if t, ok := l.tokens[p][name]; ok {
			return cur, t, true
		}
	}
	for _, p := range l.Pages {
		if t, ok := l.tokens[p][name]; ok {
			return p.Page, t, true
		}
	}
	return 0, 0, false
}

// opaqueParent returns the OpaqueText entry of an element name; l may be nil.
func (l *Language) opaqueParent(tag string) string {
	if l == nil {
		return ""
	}
	return l.OpaqueText[tag]
}

// hasNamespace reports whether a page of l has namespace ns.
func (l *Language) hasNamespace(ns string) bool {
	for _, p := range l.Pages {
		if strings.EqualFold(p.Namespace, ns) {
			return true
		}
	}
	return false
}

// lookupAttr finds an ATTRSTART token without value prefix for an attribute
// name, preferring the current attribute page.
func (l *Language) lookupAttr(name string, cur byte) (page, tok byte, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	l.index()
	find := func(p *CodePage) (byte, bool) {
		for t, a := range p.AttrStarts {
			if a.Name == name && a.Prefix == "" {
				return t, true
			}
		}
		return 0, false
	}
	if p := l.byNo[cur]; p != nil {
		if t, ok := find(p); ok {
			return cur, t, true
		}
	}
	for _, p := range l.Pages {
		if t, ok := find(p); ok {
			return p.Page, t, true
		}
	}
	return 0, 0, false
}

// attrStart returns the ATTRSTART entry for tok; p may be nil.
func (p *CodePage) attrStart(tok byte) (AttrStart, bool) {
	if p == nil {
		return AttrStart{}, false
	}
	a, ok := p.AttrStarts[tok]
	return a, ok
}

// genericTag names a tag token that no table defines.
func genericTag(page, tok byte) string {
	return fmt.Sprintf("wbxml-p%d-t%02X", page, tok)
}

// genericAttr names an ATTRSTART token that no table defines.
func genericAttr(page, tok byte) string {
	return fmt.Sprintf("wbxml-p%d-a%02X", page, tok)
}

// parseGeneric reads back a name made by genericTag or genericAttr (kind 't'
// or 'a').
func parseGeneric(name string, kind byte) (page, tok byte, ok bool) {
	rest, found := strings.CutPrefix(name, "wbxml-p")
	if !found {
		return 0, 0, false
	}
	i := strings.IndexByte(rest, '-')
	if i < 1 || len(rest) != i+4 || rest[i+1] != kind {
		return 0, 0, false
	}
	p, err1 := strconv.ParseUint(rest[:i], 10, 8)
	t, err2 := strconv.ParseUint(rest[i+2:], 16, 8)
	if err1 != nil || err2 != nil || name != fmt.Sprintf("wbxml-p%d-%c%02X", p, kind, t) {
		return 0, 0, false
	}
	return byte(p), byte(t), true
}

// LookupPublicID returns the built-in language with numeric public
// identifier id (§7.2), or nil.
func LookupPublicID(id uint32) *Language {
	if id == 0 {
		return nil
	}
	for _, l := range languages {
		if l.PublicID == id {
			return l
		}
	}
	return nil
}

// LookupFPI returns the built-in language with formal public identifier fpi,
// compared case-insensitively, or nil.
func LookupFPI(fpi string) *Language {
	fpi = strings.TrimSpace(fpi)
	for _, l := range languages {
		if l.FPI != "" && strings.EqualFold(l.FPI, fpi) {
			return l
		}
	}
	return nil
}

// candidates returns the built-in languages whose root element is root and,
// when ns is not empty, whose root namespace is ns.
func candidates(root, ns string) []*Language {
	var out []*Language
	for _, l := range languages {
		if l.Root != root {
			continue
		}
		if ns != "" && !strings.EqualFold(l.RootNamespace(), ns) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// pick chooses among candidate languages: the one named by fpi, else the one
// whose Version is verDTD, else the one whose Version is fallback, else the
// first (newest).
func pick(cands []*Language, fpi, verDTD, fallback string) *Language {
	if len(cands) == 0 {
		return nil
	}
	for _, want := range []func(*Language) bool{
		func(l *Language) bool { return fpi != "" && strings.EqualFold(l.FPI, fpi) },
		func(l *Language) bool { return verDTD != "" && l.Version == verDTD },
		func(l *Language) bool { return fallback != "" && l.Version == fallback },
	} {
		for _, l := range cands {
			if want(l) {
				return l
			}
		}
	}
	return cands[0]
}
