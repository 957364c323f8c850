package engine

import (
	"bytes"
	"strings"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// withCanonical sets a content write's canonical form (DESIGN.md, Formats:
// items are kept as received plus a canonical form that comparison, merge
// and export read) when it differs from the content. Content already in a
// canonical type (vCard 3.0, iCalendar 2.0, plain text), as most desktop
// clients send it, costs nothing here; vCard 2.1, vCalendar 1.0, vNote and
// SIF are converted once, at write, instead of at every comparison. A
// write that brings its canonical form (made when the item was decoded)
// keeps it.
func withCanonical(w *store.ItemWrite) *store.ItemWrite {
	if w.Delete || len(w.Data) == 0 || len(w.Canonical) > 0 || isCanonicalForm(w.ContentType, w.Data) {
		return w
	}
	ct, data, err := pim.Canonical(w.ContentType, w.Data)
	if err != nil || bytes.Equal(data, w.Data) {
		return w // not convertible (kept as received) or canonical already
	}
	w.CanonicalType, w.Canonical = ct, data
	return w
}

// isCanonicalForm tells, without parsing, whether content is in its
// canonical type: vCard 3.0 (not 2.1 or 4.0), iCalendar 2.0 or plain text.
func isCanonicalForm(contentType string, data []byte) bool {
	base := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	switch base {
	case "text/vcard", "text/directory":
		head := data[:min(len(data), 256)]
		return !bytes.Contains(head, []byte("VERSION:4.0")) && !bytes.Contains(head, []byte("VERSION:2.1"))
	case "text/calendar":
		return !bytes.Contains(data[:min(len(data), 256)], []byte("VERSION:1.0"))
	case "text/plain":
		return true
	}
	return false
}

// equivalentTo compares a stored item with content: as received (like
// with like when a device sends the format it sent before), else by the
// item's canonical form, which converting may have completed (an FN
// derived from N), so that a device in another format matches it too.
func equivalentTo(it *store.Item, contentType string, data []byte) bool {
	if pim.Equivalent(it.ContentType, it.Data, contentType, data) {
		return true
	}
	return len(it.Canonical) > 0 && pim.Equivalent(it.CanonicalType, it.Canonical, contentType, data)
}

// WithCanonical sets a content write's canonical form (see withCanonical),
// for writes the admin operations make.
func WithCanonical(w *store.ItemWrite) *store.ItemWrite { return withCanonical(w) }

// Equivalent tells whether a stored item holds the same content as
// contentType/data, in its received or its canonical form.
func Equivalent(it *store.Item, contentType string, data []byte) bool {
	return equivalentTo(it, contentType, data)
}
