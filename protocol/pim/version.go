package pim

import (
	"bytes"
	"strings"
)

// declaredVersion returns the VERSION of an item that begins, as nearly
// all do, with "BEGIN:<comp>" and a plain VERSION line within its first
// lines, by scanning those lines instead of parsing the item: telling
// vCard 2.1 from 3.0 (or vCalendar from iCalendar) is asked for every item
// a device sends, and a parse costs as much as a conversion. ok is false
// whenever the scan cannot be sure that a parse would read the same (UTF-16,
// folded lines, QUOTED-PRINTABLE soft breaks, nested components, a VERSION
// with a group, parameters or escapes); the caller then parses.
func declaredVersion(data []byte, comp string) (version string, ok bool) {
	if isUTF16(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", false
	}
	text := bytes.TrimPrefix(data, utf8BOM)
	for n := 0; n < 16; n++ {
		text = bytes.TrimLeft(text, "\r\n")
		if len(text) == 0 {
			break
		}
		end := bytes.IndexAny(text, "\r\n")
		if end < 0 {
			end = len(text)
		}
		line := string(text[:end])
		text = text[end:]
		if next := bytes.TrimLeft(text, "\r\n"); line[0] == ' ' || line[0] == '\t' ||
			len(next) > 0 && (next[0] == ' ' || next[0] == '\t') {
			return "", false // a folded line: parse joins it to the one before
		}
		head, value, _ := strings.Cut(line, ":")
		if strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE") {
			return "", false // its soft line breaks hide where lines end
		}
		if n == 0 {
			if !strings.EqualFold(strings.TrimSpace(line), "BEGIN:"+comp) {
				return "", false
			}
			continue
		}
		// The property name as parse reads it: up to ';' or ':', without
		// its group.
		name := head
		if i := strings.IndexByte(name, ';'); i >= 0 {
			name = name[:i]
		}
		name = strings.TrimSpace(name)
		if _, n, ok := strings.Cut(name, "."); ok {
			name = n
		}
		switch strings.ToUpper(name) {
		case "BEGIN", "END":
			return "", false
		case "VERSION":
			value = strings.TrimSpace(value)
			if !strings.EqualFold(head, "VERSION") || value == "" || !plainASCII(value) {
				return "", false
			}
			return value, true
		}
	}
	return "", false
}

// plainASCII tells whether s is printable ASCII without a backslash: a
// value that needs no unescaping or charset decoding.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' {
			return false
		}
	}
	return true
}
