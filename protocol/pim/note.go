package pim

// Notes: plain text, vNote 1.1 (the IrMC 1.1 note object: BEGIN:VNOTE,
// VERSION:1.1, BODY, SUMMARY, CATEGORIES, CLASS, DCREATED, LAST-MODIFIED,
// X-IRMC-LUID, in the vCard 2.1 syntax) and, read only, the iCalendar
// VJOURNAL (RFC 5545 3.6.3), whose DESCRIPTION is the text.

import (
	"slices"
	"strings"
)

// vnoteProps are the properties a vNote carries besides BODY and SUMMARY.
var vnoteProps = []string{"CATEGORIES", "CLASS", "DCREATED", "LAST-MODIFIED", "X-IRMC-LUID", "UID"}

// convertNote converts a note from src to dst (fmtPlain or fmtVNote).
// The text is carried exactly, line breaks included; a vNote's SUMMARY is
// the first line of the text unless the source has its own.
func convertNote(data []byte, src, dst format, charset string, lost losses) ([]byte, error) {
	var text, summary string
	var c *component
	if src == fmtPlain {
		text = toUTF8(decodeText(data), charset)
	} else {
		root := parseCharset(data, charset)
		if err := checkStructure(root, src, KindNote); err != nil {
			return nil, err
		}
		c = root.find("VNOTE", "VJOURNAL")
		body := "BODY"
		if c.name == "VJOURNAL" {
			body = "DESCRIPTION"
		}
		summary = c.text("SUMMARY")
		if p := c.prop(body); p != nil {
			text = unescape(p.value)
		} else {
			text = summary
		}
	}
	if dst == fmtPlain {
		if c != nil {
			for _, p := range c.props {
				switch {
				case p.name == "VERSION" || p.name == "BODY" || p.name == "DESCRIPTION" && c.name == "VJOURNAL":
				case p.name == "SUMMARY" && (summary == firstLine(text) || summary == text):
				default:
					lost.add(p.name)
				}
			}
			for _, ch := range c.children {
				lost.add(ch.name)
			}
		}
		return []byte(text), nil
	}
	var w writer
	w.line("BEGIN:VNOTE")
	w.line("VERSION:1.1")
	if c != nil {
		journalToVNote(&w, c, lost)
	}
	if summary == "" {
		summary = firstLine(text)
	}
	if summary != "" {
		w.legacy("", "SUMMARY", nil, escapeLegacy(summary, false), false)
	}
	w.legacy("", "BODY", nil, escapeBackslash(text, false), false)
	w.line("END:VNOTE")
	return []byte(w.String()), nil
}

// journalToVNote writes the properties of a VJOURNAL a vNote can hold
// and reports the others.
func journalToVNote(w *writer, c *component, lost losses) {
	for i := range c.props {
		p := &c.props[i]
		name := p.name
		if name == "CREATED" {
			name = "DCREATED"
		}
		switch {
		case name == "DESCRIPTION" || name == "SUMMARY" || name == "VERSION":
		case name == "CATEGORIES":
			var items []string
			for _, s := range splitUnescaped(p.value, ",") {
				items = append(items, escapeLegacy(strings.TrimSpace(unescape(s)), true))
			}
			w.legacy("", name, nil, strings.Join(items, ","), false)
		case slices.Contains(vnoteProps, name) || strings.HasPrefix(name, "X-"):
			w.legacy("", name, nil, modernToLegacy(p.value), false)
		default:
			lost.add(name)
		}
	}
	for _, ch := range c.children {
		lost.add(ch.name)
	}
}
