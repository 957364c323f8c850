package pim

// Time zones: the iCalendar VTIMEZONE (RFC 5545 3.6.5), the vCalendar 1.0
// calendar properties TZ and DAYLIGHT (vCalendar 1.0 "Time Zone" and
// "Daylight Savings Rule"),
// and Olson names from Go's zone database (time.LoadLocation) for TZIDs
// no VTIMEZONE in the item defines. A zone maps local wall-clock times to
// UTC and lists its transitions in a year, which is what the conversions
// need: iCalendar TZID times become UTC in vCalendar, which carries the
// zone only as TZ plus one DAYLIGHT period per year; vCalendar local times
// with TZ/DAYLIGHT become TZID times with a VTIMEZONE built from them.

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// zone is a VTIMEZONE's observances, or an Olson location.
type zone struct {
	tzid string
	obs  []observance
	loc  *time.Location
}

// observance is a STANDARD or DAYLIGHT subcomponent.
type observance struct {
	daylight bool
	name     string        // TZNAME
	from, to time.Duration // TZOFFSETFROM, TZOFFSETTO
	start    time.Time     // DTSTART: local time, in the offset "from"
	rule     *yearRule     // RRULE, if it is one zone rules use
	rdates   []time.Time   // RDATE, local times
}

// yearRule is the yearly recurrence of a transition: a month and either
// the n-th (from the end if negative) weekday in it, or a day of the month,
// or the first of several days of the month that is a given weekday
// (BYDAY=SU;BYMONTHDAY=8,...,14).
type yearRule struct {
	month    time.Month
	week     int
	weekday  time.Weekday
	monthDay int
	days     []int
	until    time.Time // local; zero: forever
}

// transition is a change of UTC offset.
type transition struct {
	at        time.Time // UTC instant
	from, to  time.Duration
	daylight  bool   // daylight saving time after it
	name      string // zone abbreviation after it
	stdBefore string // abbreviation before it
}

// on returns the onset of r in year y at the clock time of start.
func (r *yearRule) on(y int, start time.Time) (time.Time, bool) {
	at := func(d int) time.Time {
		return time.Date(y, r.month, d, start.Hour(), start.Minute(), start.Second(), 0, time.UTC)
	}
	last := time.Date(y, r.month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	var t time.Time
	switch {
	case len(r.days) > 0:
		for _, d := range r.days {
			if d >= 1 && d <= last && at(d).Weekday() == r.weekday {
				t = at(d)
				break
			}
		}
	case r.week > 0:
		first := (int(r.weekday)-int(at(1).Weekday())+7)%7 + 1
		t = at(first + 7*(r.week-1))
	case r.week < 0:
		lastWd := last - (int(at(last).Weekday())-int(r.weekday)+7)%7
		t = at(lastWd + 7*(r.week+1))
	case r.monthDay != 0:
		t = at(r.monthDay)
	}
	if t.IsZero() || t.Month() != r.month || t.Before(start) || !r.until.IsZero() && t.After(r.until) {
		return time.Time{}, false
	}
	return t, true
}

// onsets returns the local onsets of o in the years lo..hi.
func (o *observance) onsets(lo, hi int) []time.Time {
	var out []time.Time
	if o.rule == nil {
		out = append(out, o.start)
	} else {
		for y := max(lo, o.start.Year()); y <= hi; y++ {
			if t, ok := o.rule.on(y, o.start); ok {
				out = append(out, t)
			}
		}
	}
	for _, t := range o.rdates {
		if t.Year() >= lo-1 && t.Year() <= hi {
			out = append(out, t)
		}
	}
	return out
}

// offsetAt returns the UTC offset of local wall time t (location UTC).
func (z *zone) offsetAt(t time.Time) time.Duration {
	if len(z.obs) == 0 {
		if z.loc == nil {
			return 0
		}
		_, off := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, z.loc).Zone()
		return time.Duration(off) * time.Second
	}
	var best time.Time
	var off time.Duration
	first := z.obs[0]
	for _, o := range z.obs {
		if o.start.Before(first.start) {
			first = o
		}
		for _, on := range o.onsets(t.Year()-1, t.Year()) {
			if !on.After(t) && (best.IsZero() || on.After(best)) {
				best, off = on, o.to
			}
		}
	}
	if best.IsZero() {
		return first.from
	}
	return off
}

// toUTC converts local wall time t of the zone to UTC.
func (z *zone) toUTC(t time.Time) time.Time {
	return t.Add(-z.offsetAt(t))
}

// transitions returns the offset changes of the zone from the start of
// year y to the end of year y+1, in order.
func (z *zone) transitions(y int) []transition {
	var out []transition
	if len(z.obs) == 0 {
		if z.loc == nil {
			return nil
		}
		t := time.Date(y, 1, 1, 0, 0, 0, 0, z.loc)
		for range 8 {
			name, _ := t.Zone()
			_, end := t.ZoneBounds()
			if end.IsZero() || end.Year() > y+1 {
				break
			}
			newName, to := end.Zone()
			_, from := t.Zone()
			out = append(out, transition{at: end.UTC(), from: time.Duration(from) * time.Second,
				to: time.Duration(to) * time.Second, daylight: end.IsDST(), name: newName, stdBefore: name})
			t = end
		}
		return out
	}
	for _, o := range z.obs {
		for _, on := range o.onsets(y, y+1) {
			if on.Year() >= y {
				out = append(out, transition{at: on.Add(-o.from), from: o.from, to: o.to, daylight: o.daylight, name: o.name})
			}
		}
	}
	slices.SortFunc(out, func(a, b transition) int { return a.at.Compare(b.at) })
	return out
}

// standardOffset returns the offset of the zone outside daylight saving
// time in year y, and the name of standard time.
func (z *zone) standardOffset(y int) (time.Duration, string) {
	for _, tr := range z.transitions(y) {
		if !tr.daylight {
			return tr.to, tr.name
		}
		return tr.from, tr.stdBefore
	}
	return z.offsetAt(time.Date(y, 1, 1, 12, 0, 0, 0, time.UTC)), ""
}

// parseVTimezone reads a VTIMEZONE component.
func parseVTimezone(c *component) *zone {
	z := &zone{tzid: c.text("TZID")}
	for _, ch := range c.children {
		if ch.name != "STANDARD" && ch.name != "DAYLIGHT" {
			continue
		}
		o := observance{daylight: ch.name == "DAYLIGHT", name: ch.text("TZNAME")}
		from, ok1 := parseOffset(ch.text("TZOFFSETFROM"))
		to, ok2 := parseOffset(ch.text("TZOFFSETTO"))
		start, err := parseCalTime(ch.text("DTSTART"), "", false)
		if !ok1 || !ok2 || err != nil {
			continue
		}
		o.from, o.to, o.start = from, to, start.t
		if p := ch.prop("RRULE"); p != nil {
			o.rule = parseYearRule(p.value, start.t)
			if o.rule == nil {
				o.start = time.Time{} // a rule zones do not use: ignore the observance
				continue
			}
		}
		for i := range ch.props {
			if ch.props[i].name == "RDATE" {
				for v := range strings.SplitSeq(ch.props[i].value, ",") {
					if t, err := parseCalTime(v, "", false); err == nil {
						o.rdates = append(o.rdates, t.t)
					}
				}
			}
		}
		z.obs = append(z.obs, o)
	}
	if len(z.obs) == 0 {
		if loc := loadLocation(c.text("X-LIC-LOCATION")); loc != nil {
			z.loc = loc
		} else if loc := loadLocation(normTZID(z.tzid)); loc != nil {
			z.loc = loc
		}
	}
	return z
}

// parseYearRule reads the RRULE of an observance: FREQ=YEARLY with
// BYMONTH (else the month of DTSTART) and BYDAY=nDD, BYMONTHDAY or both
// (RFC 5545 3.6.5 examples), or the FREQ=MONTHLY;INTERVAL=12 some writers
// use instead. Other rules give nil.
func parseYearRule(v string, start time.Time) *yearRule {
	r := &yearRule{month: start.Month()}
	parts := rruleParts(v)
	switch {
	case parts["FREQ"] == "YEARLY" && (parts["INTERVAL"] == "" || parts["INTERVAL"] == "1"):
	case parts["FREQ"] == "MONTHLY" && parts["INTERVAL"] == "12":
	default:
		return nil
	}
	if m := parts["BYMONTH"]; m != "" {
		n := atoiOr(m, 0)
		if n < 1 || n > 12 {
			return nil
		}
		r.month = time.Month(n)
	}
	if u := parts["UNTIL"]; u != "" {
		if t, err := parseCalTime(u, "", false); err == nil {
			r.until = t.t
		}
	}
	if d := parts["BYDAY"]; d != "" {
		pos, wd, ok := parseByDay(d)
		if !ok {
			return nil
		}
		r.week, r.weekday = pos, wd
	}
	if md := parts["BYMONTHDAY"]; md != "" {
		for s := range strings.SplitSeq(md, ",") {
			r.days = append(r.days, atoiOr(s, 0))
		}
		if parts["BYDAY"] == "" {
			r.monthDay, r.days = r.days[0], nil
		} else {
			r.week = 0
		}
	}
	if r.week == 0 && r.monthDay == 0 && len(r.days) == 0 {
		r.monthDay = start.Day()
	}
	return r
}

// loadLocation returns the Olson zone of that name, or nil. "Local" and
// "" are refused: a conversion must not depend on the server's zone.
func loadLocation(name string) *time.Location {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "Local") || len(name) > 64 {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// vcalZone builds a zone from the vCalendar 1.0 TZ and DAYLIGHT
// properties of cal, or returns nil without TZ. DAYLIGHT lists the daylight
// saving period of one year each ("TRUE;+02;20260329T020000;
// 20261025T030000;CET;CEST"); when the periods follow a yearly rule (such
// as the last Sunday of March to the last Sunday of October), the zone
// applies it to every year after the first, so that recurring events keep
// their wall-clock time in later years; otherwise it has just the listed
// periods.
func vcalZone(cal *component) *zone {
	std, ok := parseOffset(cal.text("TZ"))
	if !ok {
		return nil
	}
	type period struct{ start, end time.Time }
	var periods []period
	var dst time.Duration
	var stdName, dstName string
	for i := range cal.props {
		p := &cal.props[i]
		if p.name != "DAYLIGHT" {
			continue
		}
		f := strings.Split(unescape(p.value), ";")
		if len(f) < 4 || !strings.EqualFold(strings.TrimSpace(f[0]), "TRUE") {
			continue
		}
		off, ok := parseOffset(f[1])
		start, err1 := parseCalTime(f[2], "", false)
		end, err2 := parseCalTime(f[3], "", false)
		if !ok || err1 != nil || err2 != nil || start.date || end.date {
			continue
		}
		if start.utc {
			start.t = start.t.Add(std)
		}
		if end.utc {
			end.t = end.t.Add(off)
		}
		dst = off
		periods = append(periods, period{start.t, end.t})
		if len(f) >= 6 {
			stdName, dstName = strings.TrimSpace(f[4]), strings.TrimSpace(f[5])
		}
	}
	z := &zone{}
	if len(periods) == 0 {
		z.tzid = "UTC" + formatOffset(std)
		z.obs = []observance{{from: std, to: std, start: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)}}
		return z
	}
	slices.SortFunc(periods, func(a, b period) int { return a.start.Compare(b.start) })
	dl := observance{daylight: true, name: dstName, from: std, to: dst, start: periods[0].start}
	st := observance{name: stdName, from: dst, to: std, start: periods[0].end}
	dl.rule, st.rule = ruleOf(periods[0].start), ruleOf(periods[0].end)
	for _, p := range periods {
		if r, ok := dl.rule.on(p.start.Year(), dl.start); !ok || !r.Equal(p.start) {
			dl.rule = nil
		}
		if r, ok := st.rule.on(p.end.Year(), st.start); !ok || !r.Equal(p.end) {
			st.rule = nil
		}
	}
	if dl.rule == nil || st.rule == nil {
		dl.rule, st.rule = nil, nil
		for _, p := range periods[1:] {
			dl.rdates = append(dl.rdates, p.start)
			st.rdates = append(st.rdates, p.end)
		}
	}
	z.obs = []observance{dl, st}
	z.tzid = fmt.Sprintf("UTC%s/%s", formatOffset(std), formatOffset(dst))
	if dl.rule != nil {
		z.tzid += " " + dl.rule.short() + " " + st.rule.short()
	} else {
		z.tzid += " " + periods[0].start.Format("2006")
	}
	return z
}

// ruleOf returns the rule "n-th (or last) weekday of the month" that t
// falls on.
func ruleOf(t time.Time) *yearRule {
	r := &yearRule{month: t.Month(), weekday: t.Weekday(), week: (t.Day()-1)/7 + 1}
	if t.AddDate(0, 0, 7).Month() != t.Month() {
		r.week = -1
	}
	return r
}

// String writes the rule as RRULE parts ("BYMONTH=3;BYDAY=-1SU").
func (r *yearRule) String() string {
	return fmt.Sprintf("BYMONTH=%d;BYDAY=%d%s", r.month, r.week, weekdayCodes[r.weekday])
}

// short writes the rule for a TZID, without the characters a TZID had
// better not hold: "M3-1SU" is the last Sunday of March.
func (r *yearRule) short() string {
	return fmt.Sprintf("M%d%+d%s", r.month, r.week, weekdayCodes[r.weekday])
}

// writeVTimezone writes z as a VTIMEZONE (RFC 5545 3.6.5).
func writeVTimezone(w *writer, z *zone) {
	w.line("BEGIN:VTIMEZONE")
	w.modern("", "TZID", nil, escapeModern(z.tzid, false))
	for _, o := range z.obs {
		name := "STANDARD"
		if o.daylight {
			name = "DAYLIGHT"
		}
		w.line("BEGIN:" + name)
		w.line("DTSTART:" + o.start.Format(layoutDateTime))
		w.line("TZOFFSETFROM:" + formatICalOffset(o.from))
		w.line("TZOFFSETTO:" + formatICalOffset(o.to))
		if o.rule != nil {
			w.line("RRULE:FREQ=YEARLY;" + o.rule.String())
		}
		if len(o.rdates) > 0 {
			var ds []string
			for _, t := range o.rdates {
				ds = append(ds, t.Format(layoutDateTime))
			}
			w.line("RDATE:" + strings.Join(ds, ","))
		}
		if o.name != "" {
			w.modern("", "TZNAME", nil, escapeModern(o.name, false))
		}
		w.line("END:" + name)
	}
	w.line("END:VTIMEZONE")
}

// vcalRules returns the vCalendar 1.0 TZ value of z in year y and a
// DAYLIGHT value for its daylight saving period starting that year, if
// any: start in local standard time, end in local daylight time.
func (z *zone) vcalRules(y int) (tz string, daylight string) {
	std, stdName := z.standardOffset(y)
	trs := z.transitions(y)
	for i, tr := range trs {
		if !tr.daylight || tr.at.Year() != y {
			continue
		}
		for _, end := range trs[i+1:] {
			if !end.daylight {
				if stdName == "" {
					stdName = end.name
				}
				daylight = fmt.Sprintf("TRUE;%s;%s;%s;%s;%s", formatOffset(tr.to),
					tr.at.Add(tr.from).Format(layoutDateTime), end.at.Add(end.from).Format(layoutDateTime),
					stdName, tr.name)
				return formatOffset(std), strings.TrimRight(daylight, ";")
			}
		}
	}
	return formatOffset(std), ""
}
