package pim

// iCalendar 2.0 (RFC 5545) to vCalendar 1.0 (versit vCalendar 1.0) for
// VEVENT and VTODO.
//
// Times: UTC and floating times stay as they are; TZID times become UTC,
// using the item's VTIMEZONE for that TZID (RFC 5545 3.6.5) or, when it
// has none, the Olson zone of that name from Go's zone database
// (time.LoadLocation; Evolution's "/softwarestudio.org/.../Europe/Berlin"
// TZIDs are reduced to the Olson name). A TZID neither defines is kept as
// a floating time and reported as lost. The zone of the first TZID is
// written as TZ and one DAYLIGHT period (for the year of the start), all
// vCalendar can say about a zone. All-day events (VALUE=DATE) become local
// midnight to 23:59 of the last day, the form vCalendar devices use.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// icalConv holds the state of one iCalendar to vCalendar conversion.
type icalConv struct {
	zones    map[string]*zone
	mainZone *zone // the zone written as TZ and DAYLIGHT
	year     int   // the year it is written for
	lost     losses
}

// icalToVCal converts an iCalendar 2.0 item.
func icalToVCal(root *component, lost losses) ([]byte, error) {
	cal := calendarOf(root)
	c := &icalConv{zones: map[string]*zone{}, lost: lost}
	for _, ch := range cal.children {
		if ch.name == "VTIMEZONE" {
			z := parseVTimezone(ch)
			c.zones[z.tzid] = z
			lost.add("VTIMEZONE")
		}
	}
	var w, items writer
	n := 0
	for _, it := range cal.children {
		switch it.name {
		case "VEVENT", "VTODO":
			if err := c.item(&items, it); err != nil {
				return nil, err
			}
			n++
		case "VTIMEZONE":
		default:
			lost.add(it.name)
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no VEVENT or VTODO in the VCALENDAR", ErrMalformed)
	}
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:1.0")
	w.line("PRODID:" + ProdID)
	if c.mainZone != nil {
		tz, daylight := c.mainZone.vcalRules(c.year)
		w.line("TZ:" + tz)
		if daylight != "" {
			w.line("DAYLIGHT:" + daylight)
		}
	}
	for i := range cal.props {
		switch p := &cal.props[i]; {
		case p.name == "VERSION" || p.name == "PRODID" || p.name == "METHOD":
			// About the copy, not the data (see Equivalent).
		case p.name == "CALSCALE" && strings.EqualFold(strings.TrimSpace(p.value), "GREGORIAN"):
		default:
			c.generic(&w, p, p.name)
		}
	}
	w.WriteString(items.String())
	w.line("END:VCALENDAR")
	return []byte(w.String()), nil
}

// zoneFor returns the zone of a TZID, or nil.
func (c *icalConv) zoneFor(tzid string) *zone {
	z, ok := c.zones[tzid]
	switch {
	case ok && z == nil:
		return nil // looked up before
	case ok && (len(z.obs) > 0 || z.loc != nil):
		return z
	}
	name := normTZID(tzid)
	if u := strings.ToUpper(name); u == "UTC" || u == "GMT" || u == "Z" {
		name = "UTC"
	}
	z = nil
	if loc := loadLocation(name); loc != nil {
		z = &zone{tzid: tzid, loc: loc}
	}
	c.zones[tzid] = z
	return z
}

// toVCal converts a time to what vCalendar can hold: TZID times to UTC.
func (c *icalConv) toVCal(t calTime) calTime {
	if t.tzid == "" || t.date || t.utc {
		return t
	}
	z := c.zoneFor(t.tzid)
	if z == nil {
		c.lost.add("TZID")
		return calTime{t: t.t}
	}
	if c.mainZone == nil {
		c.mainZone, c.year = z, t.t.Year()
	}
	return calTime{t: z.toUTC(t.t), utc: true}
}

// timeOf reads a date or date-time property with its TZID and VALUE.
func timeOf(p *prop) (calTime, error) {
	t, err := parseCalTime(unescape(p.value), normTZIDParam(p), strings.EqualFold(p.param("VALUE"), "DATE"))
	if err != nil {
		return t, fmt.Errorf("%s: %w", p.name, err)
	}
	return t, nil
}

// normTZIDParam returns the TZID parameter of p as written.
func normTZIDParam(p *prop) string {
	return strings.Trim(strings.TrimSpace(p.param("TZID")), `"`)
}

// item converts one VEVENT or VTODO.
func (c *icalConv) item(w *writer, it *component) error {
	var start, end calTime // in vCalendar form
	var startSrc calTime   // as written
	allDay := false
	if p := it.prop("DTSTART"); p != nil {
		t, err := timeOf(p)
		if err != nil {
			return err
		}
		startSrc, allDay = t, t.date && it.name == "VEVENT"
		start = c.toVCal(t)
	}
	endName := map[string]string{"VEVENT": "DTEND", "VTODO": "DUE"}[it.name]
	endDur := false
	if p := it.prop(endName); p != nil {
		t, err := timeOf(p)
		if err != nil {
			return err
		}
		end = c.toVCal(t)
	} else if p := it.prop("DURATION"); p != nil && !start.t.IsZero() {
		d, err := parseDuration(p.value)
		if err != nil {
			return err
		}
		end, endDur = calTime{t: start.t.Add(d), utc: start.utc, date: start.date}, true
	}
	if allDay {
		last := start.t.AddDate(0, 0, -1)
		if !end.t.IsZero() {
			last = end.t.AddDate(0, 0, -1)
		}
		last = latest(last, start.t)
		start = calTime{t: start.t}
		end = calTime{t: last.Add(23*time.Hour + 59*time.Minute)}
	}
	w.line("BEGIN:" + it.name)
	wroteEnd := false
	writeEnd := func() {
		if !wroteEnd && !end.t.IsZero() {
			w.line(endName + ":" + end.String())
			wroteEnd = true
		}
	}
	var seen = map[string]bool{}
	for i := range it.props {
		p := &it.props[i]
		var err error
		switch name := p.name; {
		case name == "DTSTART":
			w.line("DTSTART:" + start.String())
			if allDay {
				writeEnd()
			}
		case name == endName || name == "DURATION" && endDur:
			writeEnd()
		case name == "DTSTAMP":
			c.lost.add(name)
		case name == "CREATED" || name == "LAST-MODIFIED" || name == "COMPLETED":
			if name == "CREATED" {
				name = "DCREATED"
			}
			if t, err := timeOf(p); err == nil {
				w.line(name + ":" + c.toVCal(t).String())
			} else {
				c.generic(w, p, name)
			}
		case name == "RRULE" || name == "EXRULE":
			c.rrule(w, p, startSrc, allDay, seen[name])
			seen[name] = true
		case name == "EXDATE" || name == "RDATE":
			if !seen[name] {
				err = c.dates(w, it, name, allDay)
			}
			seen[name] = true
		case name == "RECURRENCE-ID":
			c.lost.add(name)
			if t, err := timeOf(p); err == nil {
				w.line("X-RECURRENCE-ID:" + c.toVCal(t).String())
			} else {
				c.generic(w, p, "X-"+name)
			}
		case name == vcalRulePrefix+"RRULE" || name == vcalRulePrefix+"EXRULE":
			c.lost.add(strings.TrimPrefix(name, vcalRulePrefix))
			w.legacy("", strings.TrimPrefix(name, vcalRulePrefix), nil, modernToLegacy(p.value), false)
		case slices.Contains(calLists, name):
			if !seen[name] {
				c.list(w, it, name)
			}
			seen[name] = true
		default:
			c.property(w, p)
		}
		if err != nil {
			return err
		}
	}
	writeEnd()
	alarmEnd := end
	if alarmEnd.t.IsZero() {
		alarmEnd = start
	}
	c.valarms(w, it, start, alarmEnd, it.text("SUMMARY"))
	w.line("END:" + it.name)
	return nil
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// property converts the properties without special time handling.
func (c *icalConv) property(w *writer, p *prop) {
	name, v := p.name, p.value
	switch {
	case slices.Contains(icalOnly, name):
		c.lost.add(name)
		if slices.Contains(calText, name) {
			w.legacy(p.group, "X-"+name, c.params(p), escapeLegacy(unescape(v), false), false)
			return
		}
		c.generic(w, p, "X-"+name)
	case slices.Contains(calText, name):
		w.legacy(p.group, name, c.params(p), escapeLegacy(unescape(v), false), false)
	case name == "STATUS":
		s, ok := statusToVCal(unescape(v))
		if !ok {
			c.lost.add(name)
		}
		w.legacy(p.group, name, nil, s, false)
	case name == "TRANSP":
		t := map[string]string{"OPAQUE": "0", "TRANSPARENT": "1"}[strings.ToUpper(strings.TrimSpace(v))]
		if t == "" {
			c.generic(w, p, name)
			return
		}
		w.line("TRANSP:" + t)
	case name == "ATTENDEE":
		params, value := attendeeToVCal(p, c.lost)
		w.legacy(p.group, name, params, escapeLegacy(value, false), false)
	case name == "GEO":
		w.legacy(p.group, name, nil, strings.Replace(strings.TrimSpace(v), ";", ",", 1), false)
	default:
		c.generic(w, p, name)
	}
}

// generic copies a property under the given name, its value's RFC
// escapes translated where they mean something else in vCalendar.
func (c *icalConv) generic(w *writer, p *prop, name string) {
	if !strings.HasPrefix(p.name, "X-") && name == p.name && !slices.Contains([]string{"UID", "SEQUENCE",
		"PRIORITY", "CLASS", "URL", "RELATED-TO", "ATTACH", "LAST-MODIFIED", "DCREATED", "COMPLETED", "TRANSP"}, name) {
		c.lost.add(name)
	}
	if p.binary {
		params := slices.DeleteFunc(c.params(p), func(q param) bool { return q.name == "VALUE" })
		w.base64Legacy(p.group, name, append([]param{{name: "ENCODING", values: []string{"BASE64"}}}, params...), p.value, false)
		return
	}
	w.legacy(p.group, name, c.params(p), modernToLegacy(p.value), false)
}

// params returns the parameters vCalendar can write; the others are
// reported and dropped.
func (c *icalConv) params(p *prop) []param {
	var out []param
	for _, q := range p.params {
		switch {
		case q.name == "ENCODING" || q.name == "CHARSET":
		case q.name == "VALUE" && (strings.EqualFold(strings.Join(q.values, ""), "TEXT") || p.binary):
		case !legacyParamOK(q):
			c.lost.add(p.name + ";" + q.name)
		default:
			out = append(out, q)
		}
	}
	return out
}

// rrule converts an RRULE or EXRULE; a rule vCalendar cannot express,
// or a second one, is kept as X-RRULE (X-EXRULE) and reported. Its end
// date follows the start as vCalendar gets it: UTC for zoned and UTC
// starts, local midnight of the last day for all-day events; a date end
// of a timed event is the end of that day.
func (c *icalConv) rrule(w *writer, p *prop, start calTime, allDay, second bool) {
	r, err := parseRecur20(p.value)
	until := ""
	if err == nil && r.until != "" {
		u, uerr := parseCalTime(r.until, "", false)
		switch {
		case uerr != nil:
			err = uerr
		case allDay:
			until = u.t.Format(layoutDate) + "T000000"
		default:
			if u.date { // the end of that day, where the start is
				u = calTime{t: u.t.Add(24*time.Hour - time.Second)}
			}
			if !u.utc && start.tzid != "" {
				u.tzid = start.tzid
			}
			u = c.toVCal(u)
			if u.floating() && start.utc {
				u.utc = true
			}
			until = u.String()
		}
	}
	if err == nil && !second {
		if s, ok := r.format10(until); ok {
			w.line(p.name + ":" + s)
			return
		}
	}
	c.lost.add(p.name)
	c.generic(w, p, "X-"+p.name)
}

// dates writes all EXDATE (or RDATE) properties of it as one vCalendar
// property with ';'-separated values: UTC and floating times as they are,
// TZID times in UTC, dates of all-day events as local midnight (the start
// of the occurrence they cancel) and other dates date-only.
func (c *icalConv) dates(w *writer, it *component, name string, allDay bool) error {
	var vals []string
	for i := range it.props {
		p := &it.props[i]
		if p.name != name {
			continue
		}
		if strings.EqualFold(p.param("VALUE"), "PERIOD") {
			c.lost.add(name)
			c.generic(w, p, "X-"+name)
			continue
		}
		for v := range strings.SplitSeq(unescape(p.value), ",") {
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, err := parseCalTime(v, normTZIDParam(p), strings.EqualFold(p.param("VALUE"), "DATE"))
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			t = c.toVCal(t)
			if allDay {
				t = calTime{t: t.t.Truncate(24 * time.Hour)}
			}
			vals = append(vals, t.String())
		}
	}
	if len(vals) > 0 {
		w.line(name + ":" + strings.Join(vals, ";"))
	}
	return nil
}

// list writes all CATEGORIES (or RESOURCES) of it as one ';'-separated
// vCalendar property.
func (c *icalConv) list(w *writer, it *component, name string) {
	var items []string
	var params []param
	for i := range it.props {
		p := &it.props[i]
		if p.name != name {
			continue
		}
		params = c.params(p)
		for _, s := range splitUnescaped(p.value, ",") {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				items = append(items, escapeModern(s, false)) // "\," too: devices split at both
			}
		}
	}
	w.legacy("", name, params, strings.Join(items, ";"), false)
}
