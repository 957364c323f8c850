package pim

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"
)

// Info is what the engine stores next to an item to find and show it.
type Info struct {
	// UID is the item's own identifier (vCard or iCalendar UID, trimmed),
	// or "" if it has none.
	UID string
	// MatchKey identifies the content independently of how a device
	// formats it, so the same item from two devices is recognised as the
	// same in a slow sync (DESIGN.md: twin matching). "" when the item
	// holds too little to match on. Keys start with a kind prefix ("c:",
	// "e:", "t:", "n:"); keys longer than maxKeyLen are hashed.
	MatchKey string
	// Summary is a short human-readable title: a contact's name, an
	// event's or task's SUMMARY, a note's first line.
	Summary string
}

// maxKeyLen is the longest match key kept as readable text; longer keys
// become the kind prefix and 32 hex digits of the SHA-256 of the rest.
const maxKeyLen = 64

// maxNoteSummary is the most runes of a note's first line kept as Summary.
const maxNoteSummary = 80

// Describe returns the UID, match key and summary of an item. It never
// fails: for malformed or unknown input the fields it cannot find are
// empty.
//
// Contacts: Summary is FN, else "Given Family" from N, else the first ORG
// component, else the first EMAIL. The match key is "c:" + the normalised
// name (NameKey of N's family and given names, else of FN);
// without a name, "c:|" + the smallest normalised phone number (digits,
// leading "+"; "00" becomes "+"), else the smallest lower-cased e-mail
// address. Match, not the key, decides whether two contacts are one.
//
// Events: Summary is SUMMARY; the key is "e:" + lower-cased SUMMARY + "|" +
// DTSTART as YYYYMMDDTHHMMSSZ for UTC times (vCalendar 1.0 local times with
// a TZ property are converted), "local;tzid" with a TZID, YYYYMMDD for
// all-day events. Tasks: "t:" + SUMMARY + "|" + DUE in the same form.
//
// Notes (text/plain, vNote BODY, VJOURNAL DESCRIPTION): Summary is the
// first non-empty line, at most 80 runes; the key is "n:" + the whole text
// trimmed, lower-cased, with runs of whitespace collapsed.
func Describe(contentType string, data []byte) (info Info) {
	defer func() {
		// Describe runs on whatever a device sends; a bug in the
		// best-effort reader must not take a session down.
		if recover() != nil {
			info = Info{}
		}
	}()
	return describe(contentType, data)
}

// describe is Describe without the safety net, so tests see panics.
func describe(contentType string, data []byte) Info {
	if sifKind(contentType, data) != KindUnknown {
		// SIF: described by its canonical form, so that it matches its
		// vCard or iCalendar twin.
		ct, canon, err := Canonical(contentType, data)
		if err != nil {
			return Info{}
		}
		return describe(ct, canon)
	}
	switch kind := DetectKind(contentType, data); kind {
	case KindContact:
		if card := parse(data).find("VCARD"); card != nil {
			return describeContact(card)
		}
	case KindEvent, KindTask:
		root := parse(data)
		if c := calendarItem(root, kind); c != nil {
			return describeCalendar(root, c, kind)
		}
	case KindNote:
		return describeNote(data)
	}
	return Info{}
}

// describeContact reads a VCARD component.
func describeContact(card *component) Info {
	info := Info{UID: card.text("UID")}
	var family, given string
	if p := card.prop("N"); p != nil {
		n := components(p.value)
		family = n[0]
		if len(n) > 1 {
			given = n[1]
		}
	}
	fn := card.text("FN")
	var emails, phones []string
	for i := range card.props {
		p := &card.props[i]
		switch p.name {
		case "EMAIL":
			if e := normEmail(p.value); e != "" {
				emails = append(emails, e)
			}
		case "TEL":
			if t := normPhone(unescape(p.value)); t != "" {
				phones = append(phones, t)
			}
		}
	}

	switch {
	case fn != "":
		info.Summary = fn
	case given != "" || family != "":
		info.Summary = strings.TrimSpace(given + " " + family)
	default:
		if p := card.prop("ORG"); p != nil {
			info.Summary = components(p.value)[0]
		}
		if info.Summary == "" && card.prop("EMAIL") != nil {
			info.Summary = card.text("EMAIL")
		}
	}

	// The key is the name alone (NameKey): a copy of the same person that
	// holds other numbers or addresses must still be found, and Match
	// decides. Without a name, the smallest number or address.
	if name := contactName(card); name != "" {
		info.MatchKey = matchKey("c:", name)
	} else if len(phones) > 0 {
		info.MatchKey = matchKey("c:", "|"+slices.Min(phones))
	} else if len(emails) > 0 {
		info.MatchKey = matchKey("c:", "|"+slices.Min(emails))
	}
	return info
}

// calendarItem returns the item an event or task calendar is about: the
// first VEVENT (or VTODO) that is not a detached recurrence, else the first
// one.
func calendarItem(root *component, kind Kind) *component {
	want := "VEVENT"
	if kind == KindTask {
		want = "VTODO"
	}
	var first *component
	var walk func(c *component) *component
	walk = func(c *component) *component {
		for _, ch := range c.children {
			if ch.name == want {
				if ch.prop("RECURRENCE-ID") == nil {
					return ch
				}
				if first == nil {
					first = ch
				}
			}
			if f := walk(ch); f != nil {
				return f
			}
		}
		return nil
	}
	if c := walk(root); c != nil {
		return c
	}
	return first
}

// describeCalendar reads a VEVENT or VTODO; root is the whole parsed item,
// for the vCalendar 1.0 TZ property.
func describeCalendar(root, c *component, kind Kind) Info {
	info := Info{UID: c.text("UID"), Summary: c.text("SUMMARY")}
	summary, when := foldText(info.Summary), calendarWhen(root, c, kind)
	prefix := "e:"
	if kind == KindTask {
		prefix = "t:"
	}
	if summary != "" || when != "" {
		info.MatchKey = matchKey(prefix, summary+"|"+when)
	}
	return info
}

// calendarWhen is the normalised DTSTART of an event (its date when all
// day), the DUE of a task; root is the whole parsed item, for the
// vCalendar 1.0 TZ property.
func calendarWhen(root, c *component, kind Kind) string {
	tz := ""
	if cal := root.find("VCALENDAR"); cal != nil {
		tz = cal.text("TZ")
	}
	var p *prop
	if kind == KindTask {
		if p = c.prop("DUE"); p == nil {
			return ""
		}
	} else {
		if p = c.prop("DTSTART"); p == nil {
			return ""
		}
		if d, ok := allDayDate(c); ok {
			return d
		}
	}
	return resolveTZID(root, p, normDateTime(p, tz))
}

// resolveTZID turns a normalised "local;tzid" time into UTC when the zone
// is known, from the item's VTIMEZONE or else the Olson database, so that
// the same instant written in two zones is one start (RFC 5545 3.2.19).
func resolveTZID(root *component, p *prop, when string) string {
	local, _, ok := strings.Cut(when, ";")
	tzid := p.param("TZID")
	if !ok || tzid == "" {
		return when
	}
	t, ok := parseLocal(local)
	if !ok {
		return when
	}
	var z *zone
	var walk func(c *component)
	walk = func(c *component) {
		for _, ch := range c.children {
			if z == nil && ch.name == "VTIMEZONE" && ch.text("TZID") == tzid {
				z = parseVTimezone(ch)
			}
			walk(ch)
		}
	}
	walk(root)
	if z == nil || len(z.obs) == 0 && z.loc == nil {
		loc := loadLocation(normTZID(tzid))
		if loc == nil {
			return when
		}
		z = &zone{tzid: tzid, loc: loc}
	}
	return z.toUTC(t).Format("20060102T150405Z")
}

// describeNote reads a plain-text note, a vNote or a VJOURNAL.
func describeNote(data []byte) Info {
	var info Info
	text, summary := noteText(data)
	if structuredNote(data) {
		root := parse(data)
		if c := root.find("VNOTE", "VJOURNAL"); c != nil {
			info.UID = c.text("UID")
		}
	}
	if summary == "" {
		summary = firstLine(text)
	}
	info.Summary = truncateRunes(summary, maxNoteSummary)
	if key := foldText(text); key != "" {
		info.MatchKey = matchKey("n:", key)
	}
	return info
}

// structuredNote tells whether a note is a vNote or an iCalendar VJOURNAL
// rather than plain text.
func structuredNote(data []byte) bool {
	head := upperPrefix(data, 16)
	return strings.HasPrefix(head, "BEGIN:VNOTE") || strings.HasPrefix(head, "BEGIN:VCALENDAR") ||
		strings.HasPrefix(head, "BEGIN:VJOURNAL")
}

// noteText returns the text of a note and its own SUMMARY if it has one:
// the BODY of a vNote, the DESCRIPTION (else SUMMARY) of a VJOURNAL, or the
// whole plain text with line endings normalised to LF.
func noteText(data []byte) (text, summary string) {
	if !structuredNote(data) {
		s := toUTF8(decodeText(data), "")
		return strings.Join(physicalLines(s), "\n"), ""
	}
	root := parse(data)
	c := root.find("VNOTE", "VJOURNAL")
	if c == nil {
		return "", ""
	}
	summary = c.text("SUMMARY")
	if c.name == "VNOTE" {
		text = c.text("BODY")
	} else {
		text = c.text("DESCRIPTION")
	}
	if text == "" {
		text = summary
	}
	return strings.Join(physicalLines(text), "\n"), summary
}

// firstLine returns the first non-empty line of s, trimmed.
func firstLine(s string) string {
	for _, l := range physicalLines(s) {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// matchKey joins prefix and body, hashing the body when the key would be
// longer than maxKeyLen. The same body always gives the same key.
func matchKey(prefix, body string) string {
	// Keys are stored and compared as text: bytes that are not UTF-8 (a
	// raw 8-bit TZID, say) must not leak into them.
	body = strings.ToValidUTF8(body, "\uFFFD")
	if len(prefix)+len(body) <= maxKeyLen {
		return prefix + body
	}
	sum := sha256.Sum256([]byte(body))
	return prefix + hex.EncodeToString(sum[:])[:32]
}
