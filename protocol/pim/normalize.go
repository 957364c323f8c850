package pim

import (
	"strings"
	"time"
)

// foldText lower-cases s (Unicode), trims it and collapses runs of
// whitespace to one space.
func foldText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// normPhone reduces a phone number to its digits, keeping a leading "+"
// and turning a leading international "00" into "+". A "(0)" after a
// country code ("+49 (0)170 ...") is dropped. It returns "" for a value
// without digits.
func normPhone(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = strings.TrimSpace(s[4:])
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = strings.ReplaceAll(s, "(0)", "")
	}
	d := strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, s)
	if d == "" {
		return ""
	}
	if !plus && strings.HasPrefix(d, "00") && len(d) > 2 {
		plus, d = true, d[2:]
	}
	if plus {
		return "+" + d
	}
	return d
}

// normEmail unescapes, trims and lower-cases an e-mail address and drops a
// "mailto:" prefix.
func normEmail(raw string) string {
	s := strings.TrimSpace(unescape(raw))
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	return strings.ToLower(s)
}

// basicDateTime turns an ISO 8601 extended date or date-time
// ("2005-02-26T10:41:24.000Z") into the basic form ("20050226T104124Z").
// Values that do not look like one are returned trimmed and upper-cased.
func basicDateTime(v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if v == "" || strings.Trim(v, "0123456789-:TZ.+,") != "" {
		return v
	}
	v = strings.NewReplacer("-", "", ":", "").Replace(v)
	if i := strings.IndexByte(v, '.'); i >= 0 && strings.IndexByte(v, 'T') < i {
		// Drop fractional seconds: up to the zone designator.
		j := i + 1
		for j < len(v) && '0' <= v[j] && v[j] <= '9' {
			j++
		}
		v = v[:i] + v[j:]
	}
	return v
}

// isDate tells whether v (basic form) is a date without time.
func isDate(v string) bool {
	if len(v) != 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// normDateTime returns a DTSTART/DUE-like property in a form that compares
// equal across formats: YYYYMMDD for dates, YYYYMMDDTHHMMSSZ for UTC (and
// for times with an offset, and vCalendar 1.0 local times when tz, the
// calendar's TZ property, is set), "YYYYMMDDTHHMMSS;tzid" for a TZID
// (without converting: that needs the zone database), and
// YYYYMMDDTHHMMSS for floating times.
func normDateTime(p *prop, tz string) string {
	v := basicDateTime(unescape(p.value))
	if strings.EqualFold(p.param("VALUE"), "DATE") || isDate(v) {
		return v[:min(len(v), 8)]
	}
	utc := strings.HasSuffix(v, "Z")
	if tzid := p.param("TZID"); tzid != "" && !utc {
		if t, ok := parseLocal(v); ok {
			v = t.Format("20060102T150405")
		}
		return v + ";" + normTZID(tzid)
	}
	body, off, hasOff := splitOffset(v)
	t, ok := parseLocal(body)
	if !ok {
		return v
	}
	switch {
	case hasOff:
		return t.Add(-off).Format("20060102T150405Z")
	case tz != "":
		if off, ok := parseOffset(tz); ok {
			return t.Add(-off).Format("20060102T150405Z")
		}
	}
	return t.Format("20060102T150405")
}

// parseLocal parses YYYYMMDDTHHMM[SS] without a zone.
func parseLocal(v string) (time.Time, bool) {
	for _, layout := range []string{"20060102T150405", "20060102T1504"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// splitOffset splits a trailing "Z" or "+HHMM"/"-HHMM" off a basic
// date-time.
func splitOffset(v string) (body string, off time.Duration, ok bool) {
	if strings.HasSuffix(v, "Z") {
		return v[:len(v)-1], 0, true
	}
	if i := strings.LastIndexAny(v, "+-"); i > 9 {
		if off, ok := parseOffset(v[i:]); ok {
			return v[:i], off, true
		}
	}
	return v, 0, false
}

// parseOffset reads a UTC offset: "+01", "+0100", "-05:00".
func parseOffset(s string) (time.Duration, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ":", "")
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	digits := s[1:]
	if len(digits) != 2 && len(digits) != 4 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	h := int(digits[0]-'0')*10 + int(digits[1]-'0')
	m := 0
	if len(digits) == 4 {
		m = int(digits[2]-'0')*10 + int(digits[3]-'0')
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d, true
}

// normTZID reduces the TZIDs Evolution and Mozilla write
// ("/softwarestudio.org/Olson_20011030_5/Europe/Berlin") to the Olson name.
func normTZID(tzid string) string {
	tzid = strings.Trim(strings.TrimSpace(tzid), `"`)
	if strings.HasPrefix(tzid, "/") {
		if segs := strings.Split(tzid, "/"); len(segs) >= 5 {
			return strings.Join(segs[3:], "/")
		}
		return strings.TrimPrefix(tzid, "/")
	}
	return tzid
}

// allDayDate returns the date (YYYYMMDD) of an all-day event: DTSTART with
// VALUE=DATE, one of the vendor all-day flags, or the vCalendar 1.0 habit
// of a floating midnight start ending at 23:59 that day or at midnight
// later.
func allDayDate(c *component) (string, bool) {
	start := c.prop("DTSTART")
	if start == nil {
		return "", false
	}
	sv := basicDateTime(unescape(start.value))
	if len(sv) < 8 || !isDate(sv[:8]) {
		return "", false
	}
	date := sv[:8]
	if strings.EqualFold(start.param("VALUE"), "DATE") || isDate(sv) {
		return date, true
	}
	for _, flag := range []string{"X-FUNAMBOL-ALLDAY", "X-MICROSOFT-CDO-ALLDAYEVENT", "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT"} {
		if v := strings.ToUpper(c.text(flag)); v == "1" || v == "TRUE" {
			return date, true
		}
	}
	end := c.prop("DTEND")
	if end == nil || start.param("TZID") != "" || end.param("TZID") != "" {
		return "", false
	}
	ev := basicDateTime(unescape(end.value))
	if len(sv) != 15 || sv[8:] != "T000000" || len(ev) != 15 || !isDate(ev[:8]) {
		return "", false
	}
	if ev[:8] == date && strings.HasPrefix(ev[8:], "T2359") || ev[:8] > date && ev[8:] == "T000000" {
		return date, true
	}
	return "", false
}
