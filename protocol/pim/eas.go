package pim

// Exchange ActiveSync item classes (MS-ASCNTC, MS-ASCAL, MS-ASTASK,
// MS-ASNOTE) <-> the stored formats. The EAS front end turns an
// ApplicationData element into a list of EASField and back; this package
// knows nothing of WBXML or XML trees, so the conversions are pure
// functions of field lists and item bytes.

import (
	"strings"
	"time"
)

// EASField is one child of ApplicationData: its code page (Space:
// "Contacts", "Contacts2", "AirSyncBase", ...), element name and text.
// Lists (Categories/Category, Children/Child) carry their entries in
// Items; containers (Recurrence, Attendees, Exceptions) their elements in
// Children; AirSyncBase Body carries its Data as Value.
type EASField struct {
	Space    string
	Name     string
	Value    string
	Items    []string
	Children []EASField
}

// easGet returns the value of the named field, or "".
func easGet(fields []EASField, name string) string {
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// easField returns the named field.
func easField(fields []EASField, name string) (EASField, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return EASField{}, false
}

// easTime reads an EAS date-time in UTC: the compact form of the Calendar
// and Tasks pages (20060715T120000Z) or the extended one (MS-ASDTYPE 2.3).
func easTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"20060102T150405Z", "2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// easDate reads an EAS date-time (MS-ASDTYPE 2.3: 2006-07-15T00:00:00.000Z,
// also the compact 20060715T000000Z some clients send) as YYYY-MM-DD. A
// birthday that Outlook stored as local midnight east of UTC arrives as
// the evening before (…T22:00:00Z); times from noon on count as the next
// day, as Z-Push and Horde read them.
func easDate(v string) string {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04:05.000Z", "2006-01-02T15:04:05Z", "20060102T150405Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			if t.Hour() >= 12 {
				t = t.AddDate(0, 0, 1)
			}
			return t.Format("2006-01-02")
		}
	}
	return sifDate(v)
}

// dateEAS writes a YYYY-MM-DD date as the EAS date-time at UTC midnight;
// a value that is no such date (evolution-activesync sends 28/09/1889…)
// goes back as it came rather than being dropped.
func dateEAS(v string) string {
	if t, err := time.Parse("2006-01-02", sifDate(v)); err == nil {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return v
}

// writeCommonICal writes the fields events and tasks share (MS-ASCAL,
// MS-ASTASK: Subject, Body, Sensitivity, Categories) and reports whether
// f was one of them.
func writeCommonICal(w *writer, f EASField) bool {
	switch f.Name {
	case "Subject":
		w.modern("", "SUMMARY", nil, escapeModern(f.Value, false))
	case "Body":
		if b := strings.TrimRight(f.Value, " \t\r\n"); b != "" {
			w.modern("", "DESCRIPTION", nil, escapeModern(b, false))
		}
	case "Sensitivity":
		if v := easSensitivity[f.Value]; v != "" {
			w.modern("", "CLASS", nil, v)
		}
	case "Categories":
		cats := make([]string, len(f.Items))
		for i, v := range f.Items {
			cats[i] = escapeModern(v, false)
		}
		if len(cats) > 0 {
			w.modern("", "CATEGORIES", nil, strings.Join(cats, ","))
		}
	default:
		return false
	}
	return true
}

// readCommonICal is the inverse of writeCommonICal for one property:
// fields of the page space are appended to out, categories to cats.
func readCommonICal(p *prop, space string, out *[]EASField, cats *[]string) bool {
	v := unescape(p.value)
	switch p.name {
	case "SUMMARY":
		*out = append(*out, EASField{Space: space, Name: "Subject", Value: v})
	case "DESCRIPTION":
		*out = append(*out, EASField{Space: "AirSyncBase", Name: "Body", Value: v})
	case "CLASS":
		s := map[string]string{"X-PERSONAL": "1", "PRIVATE": "2", "CONFIDENTIAL": "3"}[strings.ToUpper(strings.TrimSpace(v))]
		if s == "" {
			s = "0"
		}
		*out = append(*out, EASField{Space: space, Name: "Sensitivity", Value: s})
	case "CATEGORIES":
		for _, s := range splitUnescaped(p.value, ",") {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				*cats = append(*cats, s)
			}
		}
	default:
		return false
	}
	return true
}
