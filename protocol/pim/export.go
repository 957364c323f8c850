package pim

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ProdID is the PRODID of calendars Anchorage writes.
const ProdID = "-//Anchorage//Anchorage Sync Server//EN"

// NoteSeparator is what ConcatNotes writes between two notes, after the
// CRLF that ends the first: an empty line, then a line holding only a form
// feed, the page break of plain-text files. Unlike a blank line alone it
// cannot be confused with blank lines inside a note, so the file can be
// split again.
const NoteSeparator = "\r\n\f\r\n"

// FileExtension returns the usual file name extension, with the dot, for
// an export of items of the given kind: ".vcf", ".ics" or ".txt"; "" for
// KindUnknown.
func FileExtension(kind Kind) string {
	switch kind {
	case KindContact:
		return ".vcf"
	case KindEvent, KindTask:
		return ".ics"
	case KindNote:
		return ".txt"
	}
	return ""
}

// ConcatVCards joins vCards into one .vcf stream. Each item is copied as
// it is (any version, folding and QUOTED-PRINTABLE kept) with its line
// endings made CRLF, a byte order mark and leading and trailing blank lines
// removed, and a final CRLF. Empty items are skipped.
func ConcatVCards(items [][]byte) []byte {
	var b bytes.Buffer
	for _, it := range items {
		for _, l := range trimBlank(physicalLines(decodeText(it))) {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

// trimBlank drops leading and trailing whitespace-only lines.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// MergeCalendars writes the events, tasks and journal entries of several
// calendar items as one iCalendar object: VERSION:2.0, PRODID [ProdID],
// then the VTIMEZONEs of all inputs (the first of each TZID), then every
// VEVENT, VTODO and VJOURNAL in input order, with CRLF line endings.
//
// Components are extracted as text, lines copied verbatim, so vCalendar 1.0
// items are carried as they are (their calendar-level TZ and DAYLIGHT
// properties are not). An item without any VEVENT, VTODO or VJOURNAL, or
// with one that never ends, is an error naming its index: an export that
// silently dropped it would be an incomplete backup.
func MergeCalendars(items [][]byte) ([]byte, error) {
	var zones, comps []string
	seen := map[string]bool{}
	for i, it := range items {
		blocks, err := itemBlocks(it)
		if err != nil {
			return nil, fmt.Errorf("pim: calendar item %d: %w", i, err)
		}
		for _, blk := range blocks {
			if blk.name != "VTIMEZONE" {
				comps = append(comps, blk.text)
				continue
			}
			id := blk.text
			if tz := parse([]byte(blk.text)).find("VTIMEZONE"); tz != nil && tz.text("TZID") != "" {
				id = "TZID:" + tz.text("TZID")
			}
			if !seen[id] {
				seen[id] = true
				zones = append(zones, blk.text)
			}
		}
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + ProdID + "\r\n")
	for _, z := range zones {
		b.WriteString(z)
	}
	for _, c := range comps {
		b.WriteString(c)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String()), nil
}

// CheckCalendarItem tells why MergeCalendars cannot take data: it holds
// no VEVENT, VTODO or VJOURNAL (a VTIMEZONE alone is no item), or one of
// its components never ends. It is nil for an item MergeCalendars takes.
func CheckCalendarItem(data []byte) error {
	_, err := itemBlocks(data)
	return err
}

// itemBlocks is calendarBlocks of one item that must hold an event, a
// task or a journal entry.
func itemBlocks(data []byte) ([]block, error) {
	blocks, err := calendarBlocks(data)
	if err != nil {
		return nil, err
	}
	for _, blk := range blocks {
		if blk.name != "VTIMEZONE" {
			return blocks, nil
		}
	}
	return nil, errors.New("no VEVENT, VTODO or VJOURNAL")
}

// block is one top-level calendar component as CRLF-terminated text.
type block struct {
	name string
	text string
}

// calendarBlocks cuts the VTIMEZONE, VEVENT, VTODO and VJOURNAL components
// that sit directly in a VCALENDAR (or at the top level) out of data.
func calendarBlocks(data []byte) ([]block, error) {
	var (
		out   []block
		stack []string
		cur   *strings.Builder
		name  string
		depth int
	)
	for _, line := range physicalLines(decodeText(data)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		kw, arg, _ := strings.Cut(line, ":")
		kw = strings.ToUpper(strings.TrimSpace(kw))
		arg = strings.ToUpper(strings.TrimSpace(arg))
		if kw == "BEGIN" && cur == nil && isTopLevel(stack) {
			switch arg {
			case "VTIMEZONE", "VEVENT", "VTODO", "VJOURNAL":
				cur, name, depth = &strings.Builder{}, arg, len(stack)
			}
		}
		if cur != nil {
			cur.WriteString(line)
			cur.WriteString("\r\n")
		}
		switch kw {
		case "BEGIN":
			if len(stack) <= maxDepth {
				stack = append(stack, arg)
			}
		case "END":
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == arg {
					stack = stack[:i]
					break
				}
			}
			if cur != nil && len(stack) <= depth {
				out = append(out, block{name: name, text: cur.String()})
				cur = nil
			}
		}
	}
	if cur != nil {
		return nil, errors.New("unterminated " + name)
	}
	return out, nil
}

// isTopLevel tells whether a component beginning now sits at the top level
// or directly in a VCALENDAR.
func isTopLevel(stack []string) bool {
	return len(stack) == 0 || len(stack) == 1 && stack[0] == "VCALENDAR"
}

// ConcatNotes writes notes as one plain-text file: the text of each note
// (a vNote's BODY, a VJOURNAL's DESCRIPTION, plain text as it is) with CRLF
// line endings and trailing blank space removed, notes separated by
// [NoteSeparator]. Empty notes are skipped. The result ends with CRLF
// unless it is empty.
func ConcatNotes(items [][]byte) []byte {
	var b strings.Builder
	for _, it := range items {
		text, _ := noteText(it)
		lines := trimBlank(physicalLines(text))
		if len(lines) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(NoteSeparator)
		}
		for _, l := range lines {
			b.WriteString(strings.TrimRight(l, " \t"))
			b.WriteString("\r\n")
		}
	}
	return []byte(b.String())
}
