package activesync

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"

	"github.com/beevik/etree"
)

// Helpers to read and build the element trees of EAS bodies.

// newRoot makes a root element with its page's namespace.
func newRoot(tag, ns string) *etree.Element {
	e := etree.NewElement(tag)
	e.CreateAttr("xmlns", ns)
	return e
}

// add appends a child with text (no text when text is "").
func add(parent *etree.Element, tag, text string) *etree.Element {
	e := parent.CreateElement(tag)
	if text != "" {
		e.SetText(text)
	}
	return e
}

// addNS appends a child element of another code page.
func addNS(parent *etree.Element, tag, ns, text string) *etree.Element {
	e := add(parent, tag, text)
	e.CreateAttr("xmlns", ns)
	return e
}

// addInt appends a child with a number.
func addInt[T ~int | ~uint32](parent *etree.Element, tag string, v T) *etree.Element {
	return add(parent, tag, strconv.FormatInt(int64(v), 10))
}

// text returns the text of the child at path, or "".
func text(e *etree.Element, path string) string {
	if e == nil {
		return ""
	}
	if c := e.FindElement(path); c != nil {
		return c.Text()
	}
	return ""
}

// num returns the number at path, or def when absent or not a number.
func num(e *etree.Element, path string, def int) int {
	if v, err := strconv.Atoi(text(e, path)); err == nil {
		return v
	}
	return def
}

// randomPolicyKey returns a non-zero random policy key.
func randomPolicyKey() uint32 {
	var b [4]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("activesync: no randomness: " + err.Error())
		}
		if k := binary.LittleEndian.Uint32(b[:]) & 0x7FFFFFFF; k != 0 {
			return k
		}
	}
}
