package pim

// vCalendar 1.0 (versit vCalendar 1.0) to iCalendar 2.0 (RFC 5545) for
// VEVENT and VTODO.
//
// Times: UTC times stay UTC; local times of a calendar with TZ ("Time Zone")
// become TZID times of a VTIMEZONE built from TZ and DAYLIGHT (tz.go);
// local times without TZ stay floating. All-day events, which vCalendar
// has no type for, are recognised in the forms devices write them - a date
// without time, or local midnight to 23:59 of the last day, or local
// midnight to midnight of a later day - and become VALUE=DATE with the
// exclusive DTEND of RFC 5545 3.6.1 (the day after the last day), never
// shifted by a day.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// vcalConv holds the state of one vCalendar to iCalendar conversion.
type vcalConv struct {
	zone *zone
	lost losses
}

// vcalToICal converts a vCalendar 1.0 item.
func vcalToICal(root *component, lost losses) ([]byte, error) {
	cal := calendarOf(root)
	c := &vcalConv{zone: vcalZone(cal), lost: lost}
	var w, items writer
	n := 0
	for _, it := range cal.children {
		if it.name != "VEVENT" && it.name != "VTODO" {
			lost.add(it.name)
			continue
		}
		if err := c.item(&items, it); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no VEVENT or VTODO in the VCALENDAR", ErrMalformed)
	}
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + ProdID)
	for i := range cal.props {
		switch p := &cal.props[i]; p.name {
		case "VERSION", "PRODID", "TZ", "DAYLIGHT":
		default:
			c.generic(&w, p)
		}
	}
	if c.zone != nil {
		writeVTimezone(&w, c.zone)
	}
	w.WriteString(items.String())
	w.line("END:VCALENDAR")
	return []byte(w.String()), nil
}

// calendarOf returns the component holding the events and tasks of an
// item: the first whose children include a VEVENT or VTODO.
func calendarOf(root *component) *component {
	var walk func(c *component) *component
	walk = func(c *component) *component {
		for _, ch := range c.children {
			if ch.name == "VEVENT" || ch.name == "VTODO" {
				return c
			}
		}
		for _, ch := range c.children {
			if f := walk(ch); f != nil {
				return f
			}
		}
		return nil
	}
	if c := walk(root); c != nil {
		return c
	}
	return root
}

// item converts one VEVENT or VTODO.
func (c *vcalConv) item(w *writer, it *component) error {
	w.line("BEGIN:" + it.name)
	start, end, allDay := vcalAllDay(it)
	var startT calTime
	if p := it.prop("DTSTART"); p != nil {
		t, err := c.time(p, allDay)
		if err != nil {
			return err
		}
		startT = t
	}
	if allDay {
		startT = calTime{t: start, date: true}
	}
	if it.prop("DTSTAMP") == nil {
		for _, name := range []string{"LAST-MODIFIED", "DCREATED"} {
			if t, err := parseCalTime(it.text(name), "", false); err == nil && t.utc {
				w.line("DTSTAMP:" + t.String())
				break
			}
		}
	}
	var alarms []*prop
	for i := range it.props {
		p := &it.props[i]
		var err error
		switch name := p.name; {
		case name == "DTSTART" && allDay:
			writeTime(w, "DTSTART", nil, startT)
		case name == "DTEND" && allDay:
			writeTime(w, "DTEND", nil, calTime{t: end, date: true})
		case name == "DTSTART" || name == "DTEND" || name == "DUE":
			var t calTime
			if t, err = c.time(p, false); err == nil {
				writeTime(w, name, otherParams(p), t)
			}
		case name == "COMPLETED" || name == "LAST-MODIFIED" || name == "DCREATED" || name == "CREATED":
			if name == "DCREATED" {
				name = "CREATED"
			}
			c.stamp(w, name, p)
		case name == "RRULE" || name == "EXRULE":
			err = c.rrule(w, name, p, startT)
		case name == "X-RRULE" && it.prop("RRULE") == nil:
			w.modern("", "RRULE", nil, p.value) // a rule vCalendar could not carry
		case name == "X-RRULE":
			c.generic(w, p)
		case name == "EXDATE" || name == "RDATE":
			err = c.dates(w, name, p, startT)
		case name == "AALARM" || name == "DALARM" || name == "PALARM" || name == "MALARM":
			alarms = append(alarms, p)
		case name == "VERSION" || name == "PRODID":
		default:
			c.property(w, it.name, p)
		}
		if err != nil {
			return err
		}
	}
	if err := c.alarms(w, it, alarms, startT); err != nil {
		return err
	}
	for _, ch := range it.children {
		c.lost.add(it.name + "/" + ch.name)
	}
	w.line("END:" + it.name)
	return nil
}

// property converts the properties without special time handling.
func (c *vcalConv) property(w *writer, comp string, p *prop) {
	name, v := p.name, p.value
	switch {
	case slices.Contains(calText, name):
		w.modern(p.group, name, c.params(p), escapeModern(unescape(v), false))
	case slices.Contains(calLists, name):
		var items []string
		for _, s := range splitUnescaped(v, ";,") {
			if s = strings.TrimSpace(unescape(s)); s != "" {
				items = append(items, escapeModern(s, false))
			}
		}
		w.modern(p.group, name, c.params(p), strings.Join(items, ","))
	case name == "STATUS":
		s, ok := statusToICal(unescape(v), comp)
		if !ok {
			c.lost.add("STATUS")
		}
		w.modern(p.group, name, nil, s)
	case name == "TRANSP":
		t := strings.ToUpper(strings.TrimSpace(v))
		switch t {
		case "0", "OPAQUE":
			t = "OPAQUE"
		case "1", "TRANSPARENT":
			t = "TRANSPARENT"
		default:
			c.lost.add("TRANSP") // vCalendar's levels of transparency above 1
			t = "TRANSPARENT"
		}
		w.modern(p.group, name, nil, t)
	case name == "ATTENDEE":
		params, value := attendeeToICal(p, c.lost)
		w.modern(p.group, name, params, value)
	case name == "GEO":
		w.modern(p.group, name, nil, strings.Replace(strings.TrimSpace(v), ",", ";", 1))
	case strings.HasPrefix(name, "X-") && slices.Contains(icalOnly, name[2:]):
		w.modern(p.group, name[2:], c.params(p), legacyToModern(v))
	default:
		c.generic(w, p)
	}
}

// generic copies a property the conversion does not know, reporting
// those that are not X- properties.
func (c *vcalConv) generic(w *writer, p *prop) {
	if !strings.HasPrefix(p.name, "X-") && !slices.Contains([]string{"UID", "SEQUENCE", "PRIORITY",
		"CLASS", "URL", "RELATED-TO", "ATTACH", "GEO"}, p.name) {
		c.lost.add(p.name)
	}
	if p.binary {
		w.modern(p.group, p.name, append(c.params(p), param{name: "ENCODING", values: []string{"BASE64"}},
			param{name: "VALUE", values: []string{"BINARY"}}), p.value)
		return
	}
	w.modern(p.group, p.name, c.params(p), legacyToModern(p.value))
}

// params returns the parameters of p without the legacy transfer
// encoding and charset (the value is decoded).
func (c *vcalConv) params(p *prop) []param {
	var out []param
	for _, q := range p.params {
		switch {
		case q.name == "CHARSET" || q.name == "ENCODING":
		case q.name == "VALUE" && p.binary:
		case !modernParamOK(q):
			c.lost.add(p.name + ";" + q.name)
		default:
			out = append(out, q)
		}
	}
	return out
}

// otherParams returns the parameters of a date-time property other than
// those the conversion sets itself.
func otherParams(p *prop) []param {
	return slices.DeleteFunc(slices.Clone(p.params), func(q param) bool {
		return q.name == "VALUE" || q.name == "TZID" || q.name == "CHARSET" || q.name == "ENCODING"
	})
}

// time reads a vCalendar date-time: local times get the calendar's zone.
func (c *vcalConv) time(p *prop, date bool) (calTime, error) {
	t, err := parseCalTime(unescape(p.value), "", date || strings.EqualFold(p.param("VALUE"), "DATE"))
	if err != nil {
		return t, fmt.Errorf("%s: %w", p.name, err)
	}
	if t.floating() && c.zone != nil {
		t.tzid = c.zone.tzid
	}
	return t, nil
}

// stamp writes COMPLETED, CREATED or LAST-MODIFIED, which iCalendar wants
// in UTC (RFC 5545 3.8.2.1, 3.8.7.1, 3.8.7.3); values that do not parse
// are kept as they are.
func (c *vcalConv) stamp(w *writer, name string, p *prop) {
	t, err := c.time(p, false)
	if err != nil {
		w.modern(p.group, name, nil, legacyToModern(p.value))
		return
	}
	if t.tzid != "" {
		t = calTime{t: c.zone.toUTC(t.t), utc: true}
	}
	writeTime(w, name, nil, t)
}

// writeTime writes a date or date-time property in iCalendar form.
func writeTime(w *writer, name string, params []param, t calTime) {
	switch {
	case t.date:
		params = append([]param{{name: "VALUE", values: []string{"DATE"}}}, params...)
	case t.tzid != "":
		params = append([]param{{name: "TZID", values: []string{t.tzid}}}, params...)
	}
	w.modern("", name, params, t.String())
}

// vcalRulePrefix names the iCalendar property that keeps a vCalendar
// rule the conversion cannot read; the way back restores it.
const vcalRulePrefix = "X-VCALENDAR-"

// rrule converts an RRULE or EXRULE; its end date follows DTSTART: a date
// for all-day events, UTC for UTC and zoned start times (RFC 5545 3.3.10),
// where KOrganizer's local end dates of UTC events are read as UTC.
func (c *vcalConv) rrule(w *writer, name string, p *prop, start calTime) error {
	r, err := parseRecur10(unescape(p.value), start.t)
	if err != nil {
		// Kept for the way back (KOrganizer 3.4 wrote "RRULE:MAILTO:...").
		c.lost.add(name)
		w.modern("", vcalRulePrefix+name, nil, legacyToModern(p.value))
		return nil
	}
	if r.until != "" {
		u, err := parseCalTime(r.until, "", false)
		if err != nil {
			return err
		}
		if start.date {
			u = calTime{t: u.t, date: true}
		} else {
			if u.date {
				u = calTime{t: u.t.Add(24*time.Hour - time.Second)} // the end of that day
			}
			switch {
			case u.utc:
			case start.utc:
				u.utc = true
			case start.tzid != "":
				u = calTime{t: c.zone.toUTC(u.t), utc: true}
			}
		}
		r.until = u.String()
	}
	w.modern("", name, nil, r.String())
	return nil
}

// dates converts EXDATE or RDATE (';'-separated lists in vCalendar)
// to one iCalendar property per kind of value.
func (c *vcalConv) dates(w *writer, name string, p *prop, start calTime) error {
	type group struct {
		proto calTime
		vals  []string
	}
	var groups []*group
	for _, v := range splitUnescaped(unescape(p.value), ";,") {
		if strings.TrimSpace(v) == "" {
			continue
		}
		t, err := parseCalTime(v, "", false)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case start.date || t.date:
			t = calTime{t: t.t.Truncate(24 * time.Hour), date: true}
		case t.floating() && c.zone != nil:
			t.tzid = c.zone.tzid
		}
		i := slices.IndexFunc(groups, func(g *group) bool {
			return g.proto.date == t.date && g.proto.utc == t.utc && g.proto.tzid == t.tzid
		})
		if i < 0 {
			i = len(groups)
			groups = append(groups, &group{proto: t})
		}
		groups[i].vals = append(groups[i].vals, t.String())
	}
	for _, g := range groups {
		var params []param
		switch {
		case g.proto.date:
			params = []param{{name: "VALUE", values: []string{"DATE"}}}
		case g.proto.tzid != "":
			params = []param{{name: "TZID", values: []string{g.proto.tzid}}}
		}
		w.modern("", name, params, strings.Join(g.vals, ","))
	}
	return nil
}

// vcalAllDay tells whether a vCalendar VEVENT is an all-day event and
// returns its first day and the day after its last (RFC 5545's exclusive
// DTEND). A date-only DTEND is taken as the last day (inclusive), as the
// devices that write date-only values mean it.
func vcalAllDay(it *component) (start, end time.Time, ok bool) {
	sp, ep := it.prop("DTSTART"), it.prop("DTEND")
	if it.name != "VEVENT" || sp == nil {
		return start, end, false
	}
	sv := basicDateTime(unescape(sp.value))
	dateOnly := isDate(sv) || strings.EqualFold(sp.param("VALUE"), "DATE") && len(sv) >= 8 && isDate(sv[:8])
	midnight := len(sv) == 15 && strings.HasSuffix(sv, "T000000") || len(sv) == 13 && strings.HasSuffix(sv, "T0000")
	flag := false
	for _, f := range []string{"X-FUNAMBOL-ALLDAY", "X-MICROSOFT-CDO-ALLDAYEVENT", "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT", "X-EPOCAGENDAENTRYTYPE"} {
		if v := strings.ToUpper(it.text(f)); v == "1" || v == "TRUE" || v == "EVENT" {
			flag = true
		}
	}
	if !dateOnly && !midnight {
		return start, end, false
	}
	start, err := time.Parse(layoutDate, sv[:8])
	if err != nil {
		return start, end, false
	}
	end = start.AddDate(0, 0, 1)
	if ep == nil {
		return start, end, dateOnly || flag
	}
	ev := basicDateTime(unescape(ep.value))
	if len(ev) < 8 || !isDate(ev[:8]) {
		return start, end, dateOnly
	}
	last, err := time.Parse(layoutDate, ev[:8])
	if err != nil {
		return start, end, dateOnly
	}
	clock := ev[8:]
	switch {
	case clock == "" || strings.HasPrefix(clock, "T2359") && !strings.HasSuffix(clock, "Z"):
		end, ok = last.AddDate(0, 0, 1), true
	case (clock == "T000000" || clock == "T0000") && last.After(start):
		end, ok = last, true
	default:
		ok = dateOnly || flag
		if last.After(start) {
			end = last.AddDate(0, 0, 1)
		}
	}
	if !end.After(start) {
		end = start.AddDate(0, 0, 1)
	}
	return start, end, ok
}
