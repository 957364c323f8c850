package pim

// Date-time and duration values of vCalendar 1.0 ("Date and Time", ISO 8601
// basic format) and iCalendar 2.0 (RFC 5545 3.3.4, 3.3.5, 3.3.6).

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// calTime is a parsed DATE or DATE-TIME value. The wall clock is kept in t
// (location UTC, whatever the zone); utc says it is a UTC time ("Z" or an
// offset, converted), tzid names the zone of a local time; a local time
// without tzid is floating.
type calTime struct {
	t    time.Time
	date bool
	utc  bool
	tzid string
}

const (
	layoutDate     = "20060102"
	layoutDateTime = "20060102T150405"
)

// parseCalTime reads a DATE or DATE-TIME in basic or extended ISO 8601
// form ("20060102", "20060102T1504", "2006-01-02T15:04:05.000Z",
// "20060102T150405+0100"). asDate forces a date (VALUE=DATE).
func parseCalTime(v, tzid string, asDate bool) (calTime, error) {
	b := basicDateTime(v)
	body, off, hasOff := splitOffset(b)
	if asDate || isDate(body) {
		if len(body) < 8 {
			return calTime{}, fmt.Errorf("%w: bad date %q", ErrMalformed, v)
		}
		t, err := time.Parse(layoutDate, body[:8])
		if err != nil || !asDate && len(body) != 8 {
			return calTime{}, fmt.Errorf("%w: bad date %q", ErrMalformed, v)
		}
		return calTime{t: t, date: true}, nil
	}
	t, ok := parseLocal(body)
	if !ok {
		return calTime{}, fmt.Errorf("%w: bad date-time %q", ErrMalformed, v)
	}
	if hasOff {
		return calTime{t: t.Add(-off), utc: true}, nil
	}
	return calTime{t: t, tzid: tzid}, nil
}

// String writes the value in basic form: 20060102, 20060102T150405Z or
// 20060102T150405.
func (c calTime) String() string {
	switch {
	case c.date:
		return c.t.Format(layoutDate)
	case c.utc:
		return c.t.Format(layoutDateTime) + "Z"
	}
	return c.t.Format(layoutDateTime)
}

// floating tells whether c is a local time without a zone.
func (c calTime) floating() bool {
	return !c.date && !c.utc && c.tzid == ""
}

// parseDuration reads an RFC 5545 3.3.6 / ISO 8601 duration such as
// "-PT15M", "P1DT2H" or "P2W".
func parseDuration(s string) (time.Duration, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := fmt.Errorf("%w: bad duration %q", ErrMalformed, s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, bad
	}
	var d time.Duration
	inTime, num := false, ""
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
			continue
		case r == 'T' && !inTime && num == "":
			inTime = true
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n > 1e6 {
			return 0, bad
		}
		unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
		if inTime {
			unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
		}
		u, ok := unit[r]
		if !ok {
			return 0, bad
		}
		d += time.Duration(n) * u
		num = ""
	}
	if num != "" {
		return 0, bad
	}
	if neg {
		d = -d
	}
	return d, nil
}

// formatDuration writes d as an RFC 5545 duration: "-PT15M", "P1D",
// "PT0S".
func formatDuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	b.WriteByte('P')
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d > 0 || b.Len() <= 2 {
		b.WriteByte('T')
		h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
		if h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if s > 0 || h == 0 && m == 0 {
			fmt.Fprintf(&b, "%dS", s)
		}
	}
	return b.String()
}

// formatOffset writes a UTC offset the vCalendar 1.0 way (section 2.1.4:
// "-05", "+05:30").
func formatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%s%02d", sign, h)
	}
	return fmt.Sprintf("%s%02d:%02d", sign, h, m)
}

// formatICalOffset writes a UTC offset the iCalendar way (RFC 5545 3.3.14:
// "+0100").
func formatICalOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d%02d", sign, int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// errNoZone is a TZID no VTIMEZONE or zone database defines.
var errNoZone = errors.New("unknown time zone")
