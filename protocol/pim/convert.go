package pim

// Conversion between the item formats devices send (DESIGN.md, Formats).
// Each device gets what its DevInf says it accepts; the server keeps a
// canonical copy (vCard 3.0, iCalendar 2.0, plain text) for comparison,
// merge and export. The converters read every format with the tolerant
// reader in lines.go and write with write.go; the per-format rules are in
// vcard.go (contacts), vcal.go and ical.go (events and tasks, with
// rrule.go, tz.go and alarm.go) and note.go (notes).

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ConvertOptions tune Convert.
type ConvertOptions struct {
	// DefaultCharset is the charset of 8-bit values that do not declare
	// one in vCard 2.1, vCalendar 1.0 and vNote items and of 8-bit plain
	// text notes, such as "ISO-8859-1" or "windows-1252". "" reads such
	// values as UTF-8 when they are valid UTF-8 and as windows-1252
	// otherwise, as Describe does.
	DefaultCharset string
}

// Errors Convert wraps; test with errors.Is.
var (
	// ErrUnsupported is a conversion between types Convert does not
	// handle: an unknown type, a contact to a calendar, a note to
	// iCalendar (VJOURNAL is read only) or a vCard 4.0 target.
	ErrUnsupported = errors.New("pim: unsupported conversion")
	// ErrMalformed is an item that cannot be converted without losing or
	// inventing data: no vCard, event, task or note in it, an unterminated
	// component, a date-time or recurrence rule that does not parse.
	ErrMalformed = errors.New("pim: malformed item")
)

// format is one concrete item format.
type format int

const (
	fmtUnknown format = iota
	fmtVCard21
	fmtVCard30
	fmtVCard40 // read only
	fmtICal    // iCalendar 2.0 (VJOURNAL read only)
	fmtVCal    // vCalendar 1.0
	fmtPlain   // text/plain note
	fmtVNote   // vNote 1.1
	fmtSIFC    // Funambol SIF contact (sif.go)
	fmtSIFE    // Funambol SIF event
	fmtSIFT    // Funambol SIF task
	fmtSIFN    // Funambol SIF note
)

// String names the format in errors.
func (f format) String() string {
	return [...]string{"unknown", "vCard 2.1", "vCard 3.0", "vCard 4.0", "iCalendar 2.0",
		"vCalendar 1.0", "text/plain", "vNote 1.1", "SIF-C", "SIF-E", "SIF-T", "SIF-N"}[f]
}

// Convert converts an item from one MIME type to another. Types may carry
// a version parameter ("text/vcard;version=2.1"); without one,
// "text/vcard" and "text/directory" are vCard 3.0, "text/x-vcard" vCard
// 2.1, "text/calendar" iCalendar 2.0, "text/x-vcalendar" vCalendar 1.0,
// "text/x-vnote" vNote 1.1 and "text/plain" a plain-text note.
//
// The source format is taken from the data where it says (its VERSION;
// BEGIN:VNOTE or BEGIN:VJOURNAL), so a vCard 3.0 sent as text/x-vcard is
// read as 3.0; vCard 4.0 is read, not written. Converting to the format the
// data already has returns it unchanged, unless it needs normalising: a
// vCard 3.0 without N or FN, with QUOTED-PRINTABLE or bare parameters, or
// not in UTF-8 is rewritten; a byte order mark or UTF-16 is removed.
//
// What the target format cannot express is kept where it can be (as an X-
// property, or verbatim) and listed by [Unrepresentable]. Convert never
// panics; it fails with [ErrUnsupported] or [ErrMalformed].
func Convert(data []byte, fromType, toType string, opts ConvertOptions) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	out, _, err = convert(data, fromType, toType, opts)
	return out, err
}

// Canonical converts an item to the form the server compares, merges and
// exports: vCard 3.0 ("text/vcard") for contacts, iCalendar 2.0
// ("text/calendar") for events and tasks, plain text ("text/plain") for
// vNotes and plain notes. An iCalendar VJOURNAL note is already canonical
// and comes back unchanged as text/calendar.
func Canonical(contentType string, data []byte) (canonicalType string, canonical []byte, err error) {
	switch DetectKind(contentType, data) {
	case KindContact:
		canonicalType = "text/vcard"
	case KindEvent, KindTask:
		canonicalType = "text/calendar"
	case KindNote:
		canonicalType = "text/plain"
		if src, _ := sourceFormat(contentType, data); src == fmtICal {
			canonicalType = "text/calendar"
		}
	default:
		return "", nil, fmt.Errorf("%w: unknown item type %q", ErrUnsupported, contentType)
	}
	canonical, err = Convert(data, contentType, canonicalType, ConvertOptions{})
	if err != nil {
		return "", nil, err
	}
	return canonicalType, canonical, nil
}

// Unrepresentable lists, sorted, what of data converting it from fromType
// to toType does not carry in the target format's own terms: property
// names ("ORGANIZER"), parameters as "PROPERTY;PARAMETER" ("ATTENDEE;CUTYPE")
// and properties of subcomponents as "COMPONENT/PROPERTY"
// ("VALARM/X-EVOLUTION-ALARM-UID"). Listed items are either dropped or
// kept in a form the target's specification does not define (verbatim, or
// as an X- property such as X-ORGANIZER in vCalendar 1.0) that a device
// may discard, so a field-level merge should keep the stored value when
// that device sends the item back. X- properties the target carries as
// they are are not listed. It returns nil when nothing is lost or the
// conversion fails.
func Unrepresentable(fromType, toType string, data []byte) (names []string) {
	defer func() {
		if recover() != nil {
			names = nil
		}
	}()
	_, lost, err := convert(data, fromType, toType, ConvertOptions{})
	if err != nil {
		return nil
	}
	return lost.list()
}

// losses collects what a conversion could not carry.
type losses map[string]bool

// add records names.
func (l losses) add(names ...string) {
	for _, n := range names {
		l[n] = true
	}
}

// list returns the names sorted, or nil.
func (l losses) list() []string {
	if len(l) == 0 {
		return nil
	}
	out := make([]string, 0, len(l))
	for n := range l {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// convert is Convert without the recover, so tests and the fuzzer see
// panics, returning what was lost on the way.
func convert(data []byte, fromType, toType string, opts ConvertOptions) ([]byte, losses, error) {
	out, _, lost, err := convertParsed(data, fromType, toType, opts)
	return out, lost, err
}

// convertParsed is convert that also returns the output as parsed on the
// way (a vCard 3.0 kept as it came), or nil when it was not.
func convertParsed(data []byte, fromType, toType string, opts ConvertOptions) ([]byte, *component, losses, error) {
	lost := losses{}
	dst, err := targetFormat(toType)
	if err != nil {
		return nil, nil, nil, err
	}
	src, kind := sourceFormat(fromType, data)
	if src == fmtUnknown {
		return nil, nil, nil, fmt.Errorf("%w: cannot tell the format of a %q item", ErrUnsupported, fromType)
	}
	srcFam, dstFam := family(src), family(dst)
	if kind == KindNote {
		srcFam = KindNote // a VJOURNAL in iCalendar
		if src == fmtICal && dst == fmtICal {
			dstFam = KindNote // kept as it is: VJOURNAL is read only
		}
	}
	if srcFam != dstFam {
		return nil, nil, nil, fmt.Errorf("%w: %s %s to %s", ErrUnsupported, kind, src, dst)
	}
	if len(bytes.TrimSpace(data)) == 0 && src != fmtPlain {
		return nil, nil, nil, fmt.Errorf("%w: empty item", ErrMalformed)
	}
	charset := ""
	if src == fmtVCard21 || src == fmtVCal || src == fmtVNote || src == fmtPlain {
		charset = opts.DefaultCharset
	}
	if isSIF(src) || isSIF(dst) {
		if src == dst {
			doc, err := readSIF(data)
			if err != nil {
				return nil, nil, nil, err
			}
			if k := sifRootKind(doc.root); k == KindUnknown {
				return nil, nil, nil, fmt.Errorf("%w: SIF root <%s>", ErrMalformed, doc.root)
			}
			return []byte(sifText(data)), nil, lost, nil
		}
		out, err := convertSIF(data, fromType, toType, src, dst, opts, lost)
		if err != nil {
			return nil, nil, nil, err
		}
		return out, nil, lost, nil
	}
	if src == dst {
		// A vCard 3.0 is kept as it came unless it needs normalising; it
		// is parsed once for both questions when decoding is idempotent.
		text := decodeText(data)
		asIs := decodedAsIs(text)
		var parsed *component
		var lines []string // text's logical lines
		if src == fmtVCard30 {
			lines = logicalLines(text)
			if asIs {
				parsed = parseLines(lines, "")
			} else {
				parsed = parse([]byte(text))
			}
		}
		if parsed == nil || !needsNormalising(text, lines, parsed) {
			root := parsed
			if root == nil || charset != "" || !asIs {
				root, parsed = parseCharset(data, charset), nil
			}
			if err := checkStructure(root, src, srcFam); err != nil {
				return nil, nil, nil, err
			}
			return []byte(text), parsed, lost, nil
		}
	}
	var out []byte
	switch srcFam {
	case KindContact:
		out, err = convertContacts(parseCharset(data, charset), dst, lost)
	case KindEvent:
		root := parseCharset(data, charset)
		if err = checkStructure(root, src, srcFam); err != nil {
			return nil, nil, nil, err
		}
		if src == fmtVCal {
			out, err = vcalToICal(root, lost)
		} else {
			out, err = icalToVCal(root, lost)
		}
	case KindNote:
		out, err = convertNote(data, src, dst, charset, lost)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return out, nil, lost, nil
}

// family groups formats by what they hold: contacts, calendars (events
// and tasks) and notes. A VJOURNAL is a note in iCalendar; it is told
// apart by sourceFormat.
func family(f format) Kind {
	switch f {
	case fmtVCard21, fmtVCard30, fmtVCard40, fmtSIFC:
		return KindContact
	case fmtICal, fmtVCal, fmtSIFE, fmtSIFT:
		return KindEvent
	case fmtPlain, fmtVNote, fmtSIFN:
		return KindNote
	}
	return KindUnknown
}

// mediaType splits a MIME type into its lower-case base type and its
// version parameter.
func mediaType(ct string) (base, version string) {
	base, params, ok := strings.Cut(ct, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if !ok {
		return base, ""
	}
	for p := range strings.SplitSeq(params, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(strings.TrimSpace(k), "version") {
			version = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return base, version
}

// targetFormat maps a target MIME type to a format.
func targetFormat(ct string) (format, error) {
	base, version := mediaType(ct)
	var f format
	switch base {
	case "text/vcard", "text/directory":
		f = fmtVCard30
		if version == "2.1" {
			f = fmtVCard21
		}
	case "text/x-vcard":
		f = fmtVCard21
		if version == "3.0" {
			f = fmtVCard30
		}
	case "text/calendar", "text/x-icalendar":
		f = fmtICal
		if version == "1.0" {
			f = fmtVCal
		}
	case "text/x-vcalendar":
		f = fmtVCal
		if version == "2.0" {
			f = fmtICal
		}
	case "text/plain":
		f = fmtPlain
	case "text/x-vnote":
		f = fmtVNote
	default:
		f = sifFormat(base)
	}
	if f == fmtUnknown || version == "4.0" {
		return fmtUnknown, fmt.Errorf("%w: cannot write %q", ErrUnsupported, ct)
	}
	return f, nil
}

// sourceFormat tells the format of data sent as type ct: the kind by
// DetectKind, the version by the data's VERSION where it has one, else by
// the type.
func sourceFormat(ct string, data []byte) (format, Kind) {
	kind := DetectKind(ct, data)
	base, version := mediaType(ct)
	if f := sifFormat(base); f != fmtUnknown {
		return f, kind
	}
	switch kind {
	case KindContact:
		v := version
		if dv, ok := declaredVersion(data, "VCARD"); ok {
			v = dv
		} else if card := parse(data).find("VCARD"); card != nil && card.text("VERSION") != "" {
			v = card.text("VERSION")
		}
		switch {
		case v == "2.1" || v == "" && base == "text/x-vcard":
			return fmtVCard21, kind
		case v == "4.0":
			return fmtVCard40, kind
		}
		return fmtVCard30, kind
	case KindEvent, KindTask:
		switch v, _ := declaredVersion(data, "VCALENDAR"); v {
		case "1.0":
			return fmtVCal, kind
		case "2.0":
			return fmtICal, kind
		}
		return calendarVersion(parse(data), base), kind
	case KindNote:
		switch head := upperPrefix(data, 16); {
		case strings.HasPrefix(head, "BEGIN:VNOTE"):
			return fmtVNote, kind
		case strings.HasPrefix(head, "BEGIN:VCALENDAR"), strings.HasPrefix(head, "BEGIN:VJOURNAL"):
			return fmtICal, kind
		}
		return fmtPlain, kind
	}
	return fmtUnknown, kind
}

// calendarVersion tells vCalendar 1.0 from iCalendar 2.0: by VERSION,
// else by the type, else by properties only vCalendar has.
func calendarVersion(root *component, base string) format {
	cal := root.find("VCALENDAR")
	if cal == nil {
		cal = root
	}
	switch cal.text("VERSION") {
	case "1.0":
		return fmtVCal
	case "2.0":
		return fmtICal
	}
	if base == "text/x-vcalendar" || cal.prop("TZ") != nil || cal.prop("DAYLIGHT") != nil {
		return fmtVCal
	}
	return fmtICal
}

// needsNormalising tells whether a vCard 3.0 item must be rewritten even
// when converted to vCard 3.0: it lacks N or FN (RFC 2426 5), or holds
// vCard 2.1 encodings (CHARSET, QUOTED-PRINTABLE, bare parameters), or is
// not UTF-8.
func needsNormalising(text string, lines []string, root *component) bool {
	if !utf8.ValidString(text) {
		return true
	}
	for _, card := range root.children {
		if card.name != "VCARD" || card.prop("N") == nil || card.prop("FN") == nil {
			return true
		}
		for _, p := range card.props {
			for _, q := range p.params {
				if q.name == "CHARSET" || q.name == "ENCODING" && !p.binary {
					return true
				}
			}
		}
	}
	for _, line := range lines {
		head, _ := cutUnquoted(line, ":")
		if _, params, ok := strings.Cut(head, ";"); ok {
			for seg := range strings.SplitSeq(params, ";") {
				if !strings.Contains(seg, "=") {
					return true // a bare vCard 2.1 parameter: TEL;CELL
				}
			}
		}
	}
	return false
}

// structureWant are the components an item of each family must have.
var structureWant = map[Kind][]string{KindContact: {"VCARD"}, KindEvent: {"VEVENT", "VTODO"},
	KindNote: {"VNOTE", "VJOURNAL"}}

// checkStructure fails for an item without the component its format
// needs, or whose components do not end.
func checkStructure(root *component, f format, fam Kind) error {
	want := structureWant[fam]
	if f == fmtPlain {
		return nil
	}
	found := false
	var walk func(c *component) error
	walk = func(c *component) error {
		for _, ch := range c.children {
			if !ch.closed {
				return fmt.Errorf("%w: unterminated %s", ErrMalformed, ch.name)
			}
			found = found || slices.Contains(want, ch.name)
			if err := walk(ch); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no %s in the %s item", ErrMalformed, strings.Join(want, " or "), f)
	}
	return nil
}

// DescribeCanonical is Describe and Canonical of one item. For a vCard
// 2.1 item, what devices of that kind upload, one parse serves both,
// instead of a parse each. Info is filled even when err (Canonical's) is
// set; a SIF item is described by its canonical form, as Describe does.
func DescribeCanonical(contentType string, data []byte) (info Info, canonicalType string, canonical []byte, err error) {
	defer func() {
		if recover() != nil { // as Describe and Convert: whatever a device sends
			info = Describe(contentType, data)
			canonicalType, canonical, err = Canonical(contentType, data)
		}
	}()
	if src, kind := sourceFormat(contentType, data); src == fmtVCard21 && kind == KindContact && len(bytes.TrimSpace(data)) > 0 {
		// What Describe and Convert to "text/vcard" each do, on one parse
		// (describeContact only reads the tree).
		root := parseCharset(data, "")
		if card := root.find("VCARD"); card != nil {
			info = describeContact(card)
		}
		out, err := convertContacts(root, fmtVCard30, losses{})
		if err != nil {
			return info, "", nil, err
		}
		return info, "text/vcard", out, nil
	}
	canonicalType, canonical, err = Canonical(contentType, data)
	if err == nil && sifKind(contentType, data) != KindUnknown {
		return Describe(canonicalType, canonical), canonicalType, canonical, nil
	}
	return Describe(contentType, data), canonicalType, canonical, err
}
