// Package pim reads the item formats a sync server stores: contacts (vCard
// 2.1, 3.0 and 4.0), events and tasks (vCalendar 1.0, iCalendar 2.0) and
// notes (text/plain, vNote 1.1, iCalendar VJOURNAL).
//
// Everything here is a pure function of its input: no I/O, no database. The
// engine uses [Describe] to find the UID, the slow-sync match key and a
// human-readable summary of each item, [Equivalent] to tell whether two
// items carry the same information, the export helpers to write a whole
// datastore as one .vcf, .ics or .txt file, and [Convert] (with
// [Canonical] and [Unrepresentable]) to give each device the format it
// accepts: vCard 2.1 or 3.0, vCalendar 1.0 or iCalendar 2.0, plain text or
// vNote 1.1.
package pim

import (
	"bytes"
	"strings"
)

// Kind is the kind of data an item holds.
type Kind int

// Kinds of item.
const (
	KindContact Kind = iota // vCard
	KindEvent               // VEVENT in vCalendar/iCalendar
	KindTask                // VTODO in vCalendar/iCalendar
	KindNote                // text/plain, vNote or VJOURNAL
	KindUnknown             // anything else
)

// String returns a lower-case name of the kind, for logs.
func (k Kind) String() string {
	switch k {
	case KindContact:
		return "contact"
	case KindEvent:
		return "event"
	case KindTask:
		return "task"
	case KindNote:
		return "note"
	}
	return "unknown"
}

// DetectKind tells what an item holds, from its MIME type and, where the
// type is missing, generic or ambiguous (text/calendar holds events and
// tasks alike), from its content. Both are matched case-insensitively;
// leading whitespace and a byte order mark are skipped.
//
// A declared vCard or calendar type wins over the content. A calendar is an
// event, a task or a note by its first VEVENT, VTODO or VJOURNAL. Content
// that starts with BEGIN:VCARD, BEGIN:VCALENDAR or BEGIN:VNOTE is
// recognised under any other type, text/plain included, because devices
// often send structured items with a generic type.
func DetectKind(contentType string, data []byte) Kind {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if k := sifKind(ct, data); k != KindUnknown {
		return k
	}
	switch ct {
	case "text/vcard", "text/x-vcard", "text/directory":
		return KindContact
	case "text/calendar", "text/x-vcalendar", "text/x-icalendar":
		if k := calendarKind(data); k != KindUnknown {
			return k
		}
		return KindEvent
	}
	if k := sniffKind(data); k != KindUnknown {
		return k
	}
	switch ct {
	case "text/plain", "text/x-vnote":
		return KindNote
	}
	return KindUnknown
}

// sniffKind looks at the first BEGIN line of data.
func sniffKind(data []byte) Kind {
	head := upperPrefix(data, 64)
	switch {
	case strings.HasPrefix(head, "BEGIN:VCARD"):
		return KindContact
	case strings.HasPrefix(head, "BEGIN:VNOTE"):
		return KindNote
	case strings.HasPrefix(head, "BEGIN:VCALENDAR"),
		strings.HasPrefix(head, "BEGIN:VEVENT"),
		strings.HasPrefix(head, "BEGIN:VTODO"),
		strings.HasPrefix(head, "BEGIN:VJOURNAL"):
		return calendarKind(data)
	}
	return KindUnknown
}

// calendarKind returns the kind of the first VEVENT, VTODO or VJOURNAL in
// data, or KindUnknown if there is none.
func calendarKind(data []byte) Kind {
	text := strings.ToUpper(decodeText(data))
	best, kind := -1, KindUnknown
	for _, c := range []struct {
		begin string
		kind  Kind
	}{{"BEGIN:VEVENT", KindEvent}, {"BEGIN:VTODO", KindTask}, {"BEGIN:VJOURNAL", KindNote}} {
		if i := strings.Index(text, c.begin); i >= 0 && (best < 0 || i < best) {
			best, kind = i, c.kind
		}
	}
	return kind
}

// upperPrefix returns up to n bytes of data after any byte order mark and
// leading whitespace, upper-cased.
func upperPrefix(data []byte, n int) string {
	data = bytes.TrimPrefix(data, utf8BOM)
	if isUTF16(data) {
		data = []byte(decodeText(data))
	}
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) > n {
		data = data[:n]
	}
	return strings.ToUpper(string(data))
}
