package pim

import "strings"

// A converter that reads a fixed set of SIF fields looks each up once in
// a table of their names rather than scanning the item's fields for each:
// sifDoc.get is a scan comparing names with strings.EqualFold, and SIF-C
// to vCard reads some 80 fields of every contact an EAS or SIF device
// uploads.

// sifNames numbers a fixed set of field names, no two of them equal
// ignoring case.
type sifNames struct {
	names  []string
	exact  map[string]int // by spelling
	lower  map[string]int // by lower-case spelling
	maxLen int            // of a name, in bytes
}

// newSIFNames numbers names in their order. The names are ASCII, as the
// fields of SIF are; a name given twice (ignoring case) is a programming
// error and panics.
func newSIFNames(names ...string) *sifNames {
	n := &sifNames{names: names, exact: make(map[string]int, len(names)), lower: make(map[string]int, len(names))}
	for i, name := range names {
		if !isASCII(name) || len(name) > sifNameBuf {
			panic("pim: SIF field name " + name + " is not short ASCII")
		}
		if _, dup := n.lower[strings.ToLower(name)]; dup {
			panic("pim: SIF field name " + name + " given twice")
		}
		n.exact[name], n.lower[strings.ToLower(name)] = i, i
		n.maxLen = max(n.maxLen, len(name))
	}
	return n
}

// sifNameBuf bounds the length of the names of a sifNames, so that a
// field's name is lower-cased in a buffer on the stack.
const sifNameBuf = 64

// id is the number of a name of the table, which must be one.
func (n *sifNames) id(name string) int {
	i, ok := n.exact[name]
	if !ok {
		panic("pim: " + name + " is not a SIF field of the table")
	}
	return i
}

// match returns the number of the name that name equals as strings.EqualFold
// compares them, or -1; and whether strings.ToLower(name) is the lower-case
// form of one of the names. The two differ for names outside ASCII: the
// Kelvin sign folds to "k" and lower-cases to it, the long s folds to "s"
// but stays as it is, the dotted capital I lower-cases to "i" but does not
// fold to it.
func (n *sifNames) match(name string) (id int, lowerIs bool) {
	if i, ok := n.exact[name]; ok {
		return i, true
	}
	if !isASCII(name) {
		id = -1
		for i, c := range n.names {
			if strings.EqualFold(name, c) {
				id = i
				break
			}
		}
		_, lowerIs = n.lower[strings.ToLower(name)]
		return id, lowerIs
	}
	if len(name) > n.maxLen {
		return -1, false
	}
	var buf [sifNameBuf]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if i, ok := n.lower[string(buf[:len(name)])]; ok {
		return i, true
	}
	return -1, false
}

// sifIndex is a SIF item's fields by the numbers of a sifNames.
type sifIndex struct {
	doc   *sifDoc
	first []int32 // by number: the item's first field of that name, or -1
	table []int32 // by field: 1 if strings.ToLower of its name is a name's
}

// index finds the fields of doc named in n (ignoring case, as sifDoc.get
// does), in buf when it is large enough: one int32 a name and a field.
func (n *sifNames) index(doc *sifDoc, buf []int32) sifIndex {
	if len(buf) < len(n.names)+len(doc.fields) {
		buf = make([]int32, len(n.names)+len(doc.fields))
	}
	ix := sifIndex{doc: doc, first: buf[:len(n.names)], table: buf[len(n.names) : len(n.names)+len(doc.fields)]}
	for i := range ix.first {
		ix.first[i] = -1
	}
	for i, f := range doc.fields {
		id, lowerIs := n.match(f.name)
		if id >= 0 && ix.first[id] < 0 {
			ix.first[id] = int32(i)
		}
		ix.table[i] = 0
		if lowerIs {
			ix.table[i] = 1
		}
	}
	return ix
}

// used tells whether strings.ToLower of the name of the i-th field is a
// name's of the table.
func (ix *sifIndex) used(i int) bool {
	return ix.table[i] != 0
}

// raw is sifDoc.raw of the field numbered id.
func (ix *sifIndex) raw(id int) string {
	if i := ix.first[id]; i >= 0 {
		return ix.doc.fields[i].value
	}
	return ""
}

// get is sifDoc.get of the field numbered id.
func (ix *sifIndex) get(id int) string {
	return strings.TrimSpace(ix.raw(id))
}
