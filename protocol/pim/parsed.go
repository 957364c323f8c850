package pim

import (
	"bytes"
	"slices"
	"unsafe"
)

// Parsed is an item read for the comparisons of one pairing: identity
// (Match), equivalence, AdoptName and Preserve. What they need of it (its
// kind, parse trees, canonical form, identity, and the copy a device in
// another format got of it) is made on first use and kept, so that a
// pairing converts and parses each item once, not once per comparison.
// The functions that take Parsed values give the results of their
// (content type, data) counterparts, which are written on them.
//
// A Parsed is not safe for concurrent use. Its trees are never modified:
// what edits an item works on a copy.
type Parsed struct {
	ct   string
	data []byte

	kindDone bool
	kind     Kind

	raw       *component // parse(data)
	linesDone bool
	lines     []string // canonicalLines(raw), for Equivalent
	id        *Identity

	canonDone bool
	canonCT   string
	canon     []byte
	canonErr  error
	canonRoot *component // parse(canon)

	seen   map[string]*component // seenAs, by the device's content type
	plines map[*component][]string
}

// Parse wraps an item's content; nothing is read until it is needed.
func Parse(contentType string, data []byte) *Parsed {
	return &Parsed{ct: contentType, data: data}
}

// ParseCanonical is Parse of an item whose canonical form (Canonical of
// the same content) is known already, as the engine has it for what a
// device sent (DescribeCanonical) and for stored items.
func ParseCanonical(contentType string, data []byte, canonicalType string, canonical []byte) *Parsed {
	p := Parse(contentType, data)
	if len(canonical) > 0 {
		p.canonDone, p.canonCT, p.canon = true, canonicalType, canonical
	}
	return p
}

// ContentType and Data are the content the Parsed was made from.
func (p *Parsed) ContentType() string { return p.ct }
func (p *Parsed) Data() []byte        { return p.data }

// Holds tells whether p was made from this very content (the same bytes
// in memory, not an equal copy): a cheap check that a cached Parsed still
// describes content that a caller may have replaced since.
func (p *Parsed) Holds(contentType string, data []byte) bool {
	return p.ct == contentType && len(p.data) == len(data) && unsafe.SliceData(p.data) == unsafe.SliceData(data)
}

// Kind is DetectKind of the content.
func (p *Parsed) Kind() Kind {
	if !p.kindDone {
		p.kind, p.kindDone = DetectKind(p.ct, p.data), true
	}
	return p.kind
}

// isSIF tells whether the content is a SIF item (XML, not content lines).
func (p *Parsed) isSIF() bool { return sifKind(p.ct, p.data) != KindUnknown }

// rawRoot is the content as parsed, not converted.
func (p *Parsed) rawRoot() *component {
	if p.raw == nil {
		p.raw = parse(p.data)
	}
	return p.raw
}

// equivLines are the canonical lines Equivalent compares.
func (p *Parsed) equivLines() []string {
	if !p.linesDone {
		p.lines, p.linesDone = canonicalLines(p.rawRoot()), true
	}
	return p.lines
}

// Identity is IdentityOf the content.
func (p *Parsed) Identity() Identity {
	if p.id == nil {
		id := p.identity()
		p.id = &id
	}
	return *p.id
}

// Canonical is Canonical of the content.
func (p *Parsed) Canonical() (canonicalType string, canonical []byte, err error) {
	if !p.canonDone {
		p.canonCT, p.canon, p.canonErr = Canonical(p.ct, p.data)
		p.canonDone = true
	}
	return p.canonCT, p.canon, p.canonErr
}

// canonicalRoot is the canonical form as parsed; nil when there is none.
func (p *Parsed) canonicalRoot() *component {
	if p.canonRoot == nil {
		_, c, err := p.Canonical()
		switch {
		case err != nil:
			return nil
		case bytes.Equal(c, p.data):
			p.canonRoot = p.rawRoot() // canonical as received: one parse
		default:
			p.canonRoot = parse(c)
		}
	}
	return p.canonRoot
}

// seenAs is the server's copy p as a device that holds items as
// deviceType got it: converted to that format and back to the canonical
// form, parsed. It is the canonical form when the conversion fails.
func (p *Parsed) seenAs(deviceType string) *component {
	if v, ok := p.seen[deviceType]; ok {
		return v
	}
	var v *component
	if out, err := Convert(p.data, p.ct, deviceType, ConvertOptions{}); err == nil {
		if _, back, err := Canonical(deviceType, out); err == nil {
			v = parse(back)
		}
	}
	if v == nil {
		v = p.canonicalRoot()
	}
	if p.seen == nil {
		p.seen = map[string]*component{}
	}
	p.seen[deviceType] = v
	return v
}

// clone copies a component tree for editing: its own property lists (the
// values and parameters are shared and not modified) and children.
func (c *component) clone() *component {
	d := &component{name: c.name, props: slices.Clone(c.props), closed: c.closed}
	for _, ch := range c.children {
		d.children = append(d.children, ch.clone())
	}
	return d
}

// propLines are the canonical lines (canonLine) of the properties of c,
// a component of p's trees, by index.
func (p *Parsed) propLines(c *component) []string {
	if ls, ok := p.plines[c]; ok {
		return ls
	}
	ls := make([]string, len(c.props))
	for i := range c.props {
		ls[i] = canonLine(&c.props[i])
	}
	if p.plines == nil {
		p.plines = map[*component][]string{}
	}
	p.plines[c] = ls
	return ls
}
