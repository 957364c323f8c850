package pim

import "strings"

// Field is one property of an item as a person reads it: a label and a
// decoded value. Fields are for display (the web interface's cards and
// diffs); they are not a faithful copy of the item.
type Field struct {
	Name  string // property name, upper case: FN, TEL, EMAIL, SUMMARY, DTSTART, ...; "TEXT" for a note
	Value string // escapes undone; structured values joined with spaces
}

// skipFields are properties that mean nothing to a reader.
var skipFields = map[string]bool{
	"BEGIN": true, "END": true, "VERSION": true, "PRODID": true, "UID": true, "REV": true,
	"X-IRMC-LUID": true, "DTSTAMP": true, "SEQUENCE": true, "CALSCALE": true, "METHOD": true,
	"PHOTO": true, "LOGO": true, "SOUND": true, "KEY": true, "LAST-MODIFIED": true, "CREATED": true,
}

// Fields returns the readable properties of an item, in order: for a
// contact those of its VCARD, for an event or task those of its VEVENT or
// VTODO (not its alarms or time zones), for a plain-text note one TEXT
// field. Binary values and bookkeeping properties are left out. Like
// Describe it never fails; unreadable input gives fewer fields.
func Fields(contentType string, data []byte) (fields []Field) {
	defer func() {
		if recover() != nil { // best effort on untrusted content
			fields = nil
		}
	}()
	if sifKind(contentType, data) != KindUnknown {
		ct, canon, err := Canonical(contentType, data)
		if err != nil {
			return nil
		}
		return Fields(ct, canon)
	}
	var c *component
	switch kind := DetectKind(contentType, data); kind {
	case KindContact:
		c = parse(data).find("VCARD")
	case KindEvent, KindTask:
		c = calendarItem(parse(data), kind)
	case KindNote:
		if structuredNote(data) {
			c = parse(data).find("VNOTE", "VJOURNAL")
		} else {
			text, _ := noteText(data)
			return []Field{{Name: "TEXT", Value: text}}
		}
	}
	if c == nil {
		return nil
	}
	for _, p := range c.props {
		if skipFields[p.name] || p.binary {
			continue
		}
		parts := splitUnescaped(p.value, ";")
		vals := parts[:0]
		for _, s := range parts {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				vals = append(vals, s)
			}
		}
		if len(vals) == 0 {
			continue
		}
		fields = append(fields, Field{Name: p.name, Value: strings.Join(vals, " ")})
	}
	return fields
}
