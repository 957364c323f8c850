package pim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// iCalendar VEVENT -> EAS Calendar ApplicationData (MS-ASCAL 2.2.2).

// easTimeLayout is the compact UTC form the Calendar page uses.
const easTimeLayout = "20060102T150405Z"

// icalEAS is one conversion from iCalendar.
type icalEAS struct {
	zones map[string]*zone
	lost  losses
}

// utc turns an iCalendar time into a UTC instant: TZID times through their
// VTIMEZONE or Olson zone, floating times and dates as if in UTC.
func (c *icalEAS) utc(t calTime) time.Time {
	if t.utc || t.date || t.tzid == "" {
		return t.t
	}
	z := c.zones[t.tzid]
	if z == nil {
		if loc := loadLocation(normTZID(t.tzid)); loc != nil {
			z = &zone{tzid: t.tzid, loc: loc}
			c.zones[t.tzid] = z
		}
	}
	if z == nil {
		c.lost.add("TZID")
		return t.t
	}
	return z.toUTC(t.t)
}

// ICalToEASEvent converts the first VEVENT of an iCalendar object, with
// the VEVENTs that change its occurrences, to Calendar ApplicationData.
func ICalToEASEvent(data []byte) (fields []EASField, lost []string, err error) {
	cal := calendarOf(parse(data))
	if cal == nil {
		return nil, nil, fmt.Errorf("%w: no VEVENT", ErrMalformed)
	}
	c := &icalEAS{zones: map[string]*zone{}, lost: losses{}}
	var master *component
	var overrides []*component
	for _, ch := range cal.children {
		switch {
		case ch.name == "VTIMEZONE":
			z := parseVTimezone(ch)
			c.zones[z.tzid] = z
		case ch.name != "VEVENT":
			c.lost.add(ch.name)
		case ch.prop("RECURRENCE-ID") != nil:
			overrides = append(overrides, ch)
		case master == nil:
			master = ch
		default:
			c.lost.add("VEVENT")
		}
	}
	if master == nil {
		return nil, nil, fmt.Errorf("%w: no VEVENT", ErrMalformed)
	}
	sp := master.prop("DTSTART")
	if sp == nil {
		return nil, nil, fmt.Errorf("%w: VEVENT without DTSTART", ErrMalformed)
	}
	start, err := timeOf(sp)
	if err != nil {
		return nil, nil, err
	}
	end := c.endOf(master, start)
	f := func(name, value string) {
		if value != "" {
			fields = append(fields, EASField{Space: "Calendar", Name: name, Value: value})
		}
	}
	blob := &easTZ{} // UTC
	if !start.date && start.tzid != "" {
		c.utc(start) // looks the zone up
		if z := c.zones[start.tzid]; z != nil {
			blob = easTZOf(z, start.t.Year())
		}
	}
	f("TimeZone", blob.String())
	f("AllDayEvent", map[bool]string{true: "1", false: "0"}[start.date])
	f("DtStamp", time.Now().UTC().Format(easTimeLayout))
	if p := master.prop("DTSTAMP"); p != nil {
		if t, err := timeOf(p); err == nil {
			fields[len(fields)-1].Value = c.utc(t).Format(easTimeLayout)
		}
	}
	f("StartTime", c.utc(start).Format(easTimeLayout))
	f("EndTime", c.utc(end).Format(easTimeLayout))
	f("UID", unescape(master.text("UID")))
	fields = append(fields, c.eventFields(master)...)
	if p := master.prop("RRULE"); p != nil {
		fields = append(fields, EASField{Space: "Calendar", Name: "Recurrence", Children: c.recurrence(p.value, start)})
	}
	var exceptions []EASField
	for i := range master.props {
		p := &master.props[i]
		if p.name != "EXDATE" {
			continue
		}
		for _, v := range splitUnescaped(p.value, ",") {
			t, err := parseCalTime(v, normTZIDParam(p), strings.EqualFold(p.param("VALUE"), "DATE") || start.date)
			if err != nil {
				c.lost.add("EXDATE")
				continue
			}
			exceptions = append(exceptions, EASField{Space: "Calendar", Name: "Exception", Children: []EASField{
				{Space: "Calendar", Name: "Deleted", Value: "1"},
				{Space: "Calendar", Name: "ExceptionStartTime", Value: c.utc(t).Format(easTimeLayout)},
			}})
		}
	}
	for _, o := range overrides {
		rid, err1 := timeOf(o.prop("RECURRENCE-ID"))
		os, err2 := start, error(nil)
		if p := o.prop("DTSTART"); p != nil {
			os, err2 = timeOf(p)
		}
		if err1 != nil || err2 != nil {
			c.lost.add("RECURRENCE-ID")
			continue
		}
		ex := []EASField{
			{Space: "Calendar", Name: "ExceptionStartTime", Value: c.utc(rid).Format(easTimeLayout)},
			{Space: "Calendar", Name: "StartTime", Value: c.utc(os).Format(easTimeLayout)},
			{Space: "Calendar", Name: "EndTime", Value: c.utc(c.endOf(o, os)).Format(easTimeLayout)},
		}
		exceptions = append(exceptions, EASField{Space: "Calendar", Name: "Exception", Children: append(ex, c.eventFields(o)...)})
	}
	if len(exceptions) > 0 {
		fields = append(fields, EASField{Space: "Calendar", Name: "Exceptions", Children: exceptions})
	}
	return fields, c.lost.list(), nil
}

// endOf returns DTEND, DTSTART + DURATION, or the start (a day later for
// a date).
func (c *icalEAS) endOf(ev *component, start calTime) calTime {
	if p := ev.prop("DTEND"); p != nil {
		if t, err := timeOf(p); err == nil {
			return t
		}
	}
	if p := ev.prop("DURATION"); p != nil {
		if d, err := parseDuration(strings.TrimSpace(p.value)); err == nil {
			e := start
			e.t = start.t.Add(d)
			return e
		}
	}
	if start.date {
		e := start
		e.t = start.t.AddDate(0, 0, 1)
		return e
	}
	return start
}

// eventFields converts the descriptive properties of a VEVENT.
func (c *icalEAS) eventFields(ev *component) []EASField {
	var out []EASField
	f := func(name, value string) {
		out = append(out, EASField{Space: "Calendar", Name: name, Value: value})
	}
	busy := ""
	var attendees []EASField
	var cats []string
	for i := range ev.props {
		p := &ev.props[i]
		v := unescape(p.value)
		if readCommonICal(p, "Calendar", &out, &cats) {
			continue
		}
		switch p.name {
		case "LOCATION":
			f("Location", v)
		case "TRANSP":
			if busy == "" {
				busy = map[bool]string{true: "0", false: "2"}[strings.EqualFold(v, "TRANSPARENT")]
			}
		case "X-MICROSOFT-CDO-BUSYSTATUS":
			if b := map[string]string{"FREE": "0", "TENTATIVE": "1", "BUSY": "2", "OOF": "3"}[strings.ToUpper(v)]; b != "" {
				busy = b
			}
		case "ORGANIZER":
			if n := p.param("CN"); n != "" {
				f("OrganizerName", n)
			}
			f("OrganizerEmail", strings.TrimPrefix(strings.TrimPrefix(v, "mailto:"), "MAILTO:"))
		case "ATTENDEE":
			a := []EASField{{Space: "Calendar", Name: "Email", Value: strings.TrimPrefix(strings.TrimPrefix(v, "mailto:"), "MAILTO:")}}
			a = append(a, EASField{Space: "Calendar", Name: "Name", Value: p.param("CN")})
			for k, m := range map[string]map[string]string{
				"AttendeeStatus": {"TENTATIVE": "2", "ACCEPTED": "3", "DECLINED": "4", "NEEDS-ACTION": "5"},
				"AttendeeType":   {"REQ-PARTICIPANT": "1", "OPT-PARTICIPANT": "2", "NON-PARTICIPANT": "3", "CHAIR": "1"},
			} {
				src := p.param("PARTSTAT")
				if k == "AttendeeType" {
					src = p.param("ROLE")
				}
				if s := m[strings.ToUpper(src)]; s != "" {
					a = append(a, EASField{Space: "Calendar", Name: k, Value: s})
				}
			}
			slices.SortStableFunc(a[2:], func(x, y EASField) int { return strings.Compare(x.Name, y.Name) })
			attendees = append(attendees, EASField{Space: "Calendar", Name: "Attendee", Children: a})
		case "UID", "DTSTART", "DTEND", "DURATION", "DTSTAMP", "RRULE", "EXDATE", "RECURRENCE-ID",
			"SEQUENCE", "CREATED", "LAST-MODIFIED", "STATUS":
		default:
			if n, ok := strings.CutPrefix(p.name, "X-EAS-"); ok {
				for _, known := range []string{"MeetingStatus", "ResponseRequested", "AppointmentReplyTime", "ResponseType",
					"DisallowNewTimeProposal", "OnlineMeetingConfLink", "OnlineMeetingExternalLink"} {
					if strings.EqualFold(known, n) {
						f(known, v)
					}
				}
				continue
			}
			c.lost.add(p.name)
		}
	}
	if busy != "" {
		f("BusyStatus", busy)
	}
	if len(cats) > 0 {
		out = append(out, EASField{Space: "Calendar", Name: "Categories", Items: cats})
	}
	if len(attendees) > 0 {
		out = append(out, EASField{Space: "Calendar", Name: "Attendees", Children: attendees})
	}
	for _, a := range ev.children {
		if a.name != "VALARM" {
			c.lost.add(a.name)
			continue
		}
		t := a.prop("TRIGGER")
		if t == nil || strings.EqualFold(t.param("RELATED"), "END") {
			c.lost.add("VALARM")
			continue
		}
		d, err := parseDuration(strings.TrimSpace(t.value))
		if err != nil || d > 0 {
			c.lost.add("VALARM")
			continue
		}
		f("Reminder", strconv.Itoa(int(-d/time.Minute)))
		break
	}
	return out
}

// recurrence converts an RRULE to Recurrence children (MS-ASCAL 2.2.2.35).
func (c *icalEAS) recurrence(v string, start calTime) []EASField {
	r := rruleParts(v)
	var out []EASField
	f := func(name, value string) {
		if value != "" {
			out = append(out, EASField{Space: "Calendar", Name: name, Value: value})
		}
	}
	bits, week := 0, ""
	for _, d := range strings.Split(r["BYDAY"], ",") {
		if d == "" {
			continue
		}
		pos, wd, ok := parseByDay(d)
		if !ok {
			c.lost.add("RRULE")
			continue
		}
		bits |= 1 << wd
		if pos != 0 {
			w := strconv.Itoa(pos)
			if pos == -1 {
				w = "5"
			}
			if week != "" && week != w || pos < -1 || pos > 4 {
				c.lost.add("RRULE")
			}
			week = w
		}
	}
	typ := ""
	switch r["FREQ"] {
	case "DAILY":
		typ = "0"
	case "WEEKLY":
		typ = "1"
		if bits == 0 {
			bits = 1 << start.t.Weekday()
		}
	case "MONTHLY":
		typ = "2"
		if week != "" {
			typ = "3"
		} else if r["BYMONTHDAY"] == "" {
			r["BYMONTHDAY"] = strconv.Itoa(start.t.Day())
		}
	case "YEARLY":
		typ = "5"
		if r["BYMONTH"] == "" {
			r["BYMONTH"] = strconv.Itoa(int(start.t.Month()))
		}
		if week != "" {
			typ = "6"
		} else if r["BYMONTHDAY"] == "" {
			r["BYMONTHDAY"] = strconv.Itoa(start.t.Day())
		}
	default:
		c.lost.add("RRULE")
		typ = "0"
	}
	for _, k := range []string{"BYSETPOS", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND"} {
		if r[k] != "" {
			c.lost.add("RRULE;" + k)
		}
	}
	if strings.Contains(r["BYMONTHDAY"], ",") || strings.Contains(r["BYMONTH"], ",") {
		c.lost.add("RRULE")
	}
	f("Type", typ)
	if u := r["UNTIL"]; u != "" {
		if t, err := parseCalTime(u, start.tzid, false); err == nil {
			f("Until", c.utc(t).Format(easTimeLayout))
		}
	}
	f("Occurrences", r["COUNT"])
	f("Interval", r["INTERVAL"])
	if bits != 0 {
		f("DayOfWeek", strconv.Itoa(bits))
	}
	f("DayOfMonth", r["BYMONTHDAY"])
	f("WeekOfMonth", week)
	f("MonthOfYear", r["BYMONTH"])
	return out
}
