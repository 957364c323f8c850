package pim

// SIF-E and SIF-T (Funambol SIF event and task) <-> iCalendar 2.0 VEVENT
// and VTODO. Times in SIF are UTC ("20070107T220000Z"), floating, or dates
// ("2007-01-01") for all-day events, whose End is the last day, not the
// day after as DTEND (RFC 5545 3.6.1). Recurrence is Outlook's pattern
// (RecurrenceType, Interval, DayOfWeekMask, DayOfMonth, MonthOfYear,
// Instance, NoEndDate/Occurrences/PatternEndDate), mapped to an RRULE
// (RFC 5545 3.3.10); rules an Outlook pattern cannot express are lost.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sifCalDefaults are field values that say nothing and are not kept.
var sifCalDefaults = map[string]string{
	"Sensitivity": "0", "Importance": "1", "MeetingStatus": "0", "BusyStatus": "2", "ReminderSet": "0",
	"IsRecurring": "0", "Complete": "0", "Status": "0", "PercentComplete": "0", "AllDayEvent": "0",
	"TeamTask": "0", "ActualWork": "0", "TotalWork": "0", "Duration": "", "NoEndDate": "1",
}

// sifRecurFields are the fields of an Outlook recurrence pattern.
var sifRecurFields = []string{"RecurrenceType", "Interval", "MonthOfYear", "DayOfMonth", "DayOfWeekMask",
	"Instance", "PatternStartDate", "NoEndDate", "PatternEndDate", "Occurrences"}

// sifTime reads a SIF date or date-time.
func sifTime(v string) (calTime, bool) {
	if v == "" {
		return calTime{}, false
	}
	t, err := parseCalTime(v, "", false)
	return t, err == nil
}

// sifDay is the day an all-day SIF time stands for. Clients that write
// all-day events as times write the local midnight in UTC (or 23:59 for
// the end), so the time is rounded to the nearest midnight; exclusive
// gives the day after for an end.
func sifDay(t calTime, exclusive bool) time.Time {
	if t.date {
		if exclusive {
			return t.t.AddDate(0, 0, 1)
		}
		return t.t
	}
	d := t.t
	if exclusive && d.Minute() == 59 {
		d = d.Add(time.Minute)
	}
	return d.Add(12 * time.Hour).Truncate(24 * time.Hour)
}

// sifToICal converts a SIF-E or SIF-T item to iCalendar 2.0.
func sifToICal(doc *sifDoc, lost losses) ([]byte, error) {
	task := sifRootKind(doc.root) == KindTask
	used := map[string]bool{}
	get := func(name string) string {
		used[strings.ToLower(name)] = true
		return doc.get(name)
	}
	comp := "VEVENT"
	if task {
		comp = "VTODO"
	}
	var w writer
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + ProdID)
	w.line("BEGIN:" + comp)
	text := func(name, v string) {
		if v != "" {
			w.modern("", name, nil, escapeModern(v, false))
		}
	}
	summary := get("Subject")
	text("SUMMARY", summary)
	used["body"] = true
	text("DESCRIPTION", strings.TrimRight(doc.raw("Body"), " \t\r\n"))
	text("LOCATION", get("Location"))
	if cats := sifList(get("Categories")); len(cats) > 0 {
		for i := range cats {
			cats[i] = escapeModern(cats[i], false)
		}
		w.modern("", "CATEGORIES", nil, strings.Join(cats, ","))
	}
	if class := sifClass(get("Sensitivity")); class != "" {
		w.line("CLASS:" + class)
	}
	switch get("Importance") {
	case "0":
		w.line("PRIORITY:9")
	case "2":
		w.line("PRIORITY:1")
	}
	var base calTime // the start the recurrence and the alarm refer to
	allDay := false
	if !task {
		start, okS := sifTime(get("Start"))
		end, okE := sifTime(get("End"))
		if !okS {
			return nil, fmt.Errorf("%w: SIF event without a readable Start", ErrMalformed)
		}
		if !okE {
			end = start
			if m, err := strconv.Atoi(get("Duration")); err == nil && !start.date {
				end.t = start.t.Add(time.Duration(m) * time.Minute)
			}
		}
		allDay = get("AllDayEvent") == "1" || strings.EqualFold(doc.get("AllDayEvent"), "true") || start.date
		if allDay {
			s, e := sifDay(start, false), sifDay(end, true)
			if !e.After(s) {
				e = s.AddDate(0, 0, 1)
			}
			start, end = calTime{t: s, date: true}, calTime{t: e, date: true}
			w.line("DTSTART;VALUE=DATE:" + start.String())
			w.line("DTEND;VALUE=DATE:" + end.String())
		} else {
			w.line("DTSTART:" + start.String())
			w.line("DTEND:" + end.String())
		}
		base = start
		switch get("BusyStatus") {
		case "0":
			w.line("TRANSP:TRANSPARENT")
		case "1":
			w.line("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE")
		case "3":
			w.line("X-MICROSOFT-CDO-BUSYSTATUS:OOF")
		}
	} else {
		if t, ok := sifTime(get("StartDate")); ok {
			writeTime(&w, "DTSTART", nil, t)
			base = t
		}
		if t, ok := sifTime(get("DueDate")); ok {
			writeTime(&w, "DUE", nil, t)
			if base.t.IsZero() {
				base = t
			}
		}
		status := map[string]string{"1": "IN-PROCESS", "2": "COMPLETED"}[get("Status")]
		if get("Complete") == "1" || strings.EqualFold(doc.get("Complete"), "true") {
			status = "COMPLETED"
		}
		if status == "" && doc.get("Status") != "" && doc.get("Status") != "0" {
			used["status"] = false // waiting, deferred: no STATUS for them
		}
		if status != "" {
			w.line("STATUS:" + status)
		}
		if t, ok := sifTime(get("DateCompleted")); ok {
			writeTime(&w, "COMPLETED", nil, t)
		}
		if pc := get("PercentComplete"); pc != "" && pc != "0" {
			w.line("PERCENT-COMPLETE:" + pc)
		}
	}
	if doc.get("IsRecurring") == "1" || strings.EqualFold(doc.get("IsRecurring"), "true") {
		if rule, ok := sifRRule(doc, base, allDay); ok {
			w.line("RRULE:" + rule)
			for _, f := range sifRecurFields {
				used[strings.ToLower(f)] = true
			}
		}
		for _, f := range []struct{ field, prop string }{{"Exceptions/ExcludeDate", "EXDATE"}, {"Exceptions/IncludeDate", "RDATE"}} {
			for _, v := range doc.all(f.field) {
				if t, ok := sifTime(v); ok {
					if allDay || t.date {
						w.line(f.prop + ";VALUE=DATE:" + t.t.Format(layoutDate))
					} else {
						w.line(f.prop + ":" + t.String())
					}
					used[strings.ToLower(f.field)] = true
				}
			}
		}
	} else {
		for _, f := range sifRecurFields {
			used[strings.ToLower(f)] = true // a pattern Outlook keeps but does not use
		}
	}
	used["isrecurring"] = true
	used["reminderminutesbeforestart"] = true
	used["remindertime"] = true
	alarm := get("ReminderSet") == "1" || strings.EqualFold(doc.get("ReminderSet"), "true")
	sifExtras(&w, doc, func(i int) bool { return used[strings.ToLower(doc.fields[i].name)] }, sifCalDefaults, lost)
	if alarm {
		w.line("BEGIN:VALARM")
		w.line("ACTION:DISPLAY")
		w.modern("", "DESCRIPTION", nil, escapeModern(summary, false))
		if rt, ok := sifTime(get("ReminderTime")); ok && task {
			w.line("TRIGGER;VALUE=DATE-TIME:" + rt.String())
		} else {
			m, err := strconv.Atoi(get("ReminderMinutesBeforeStart"))
			if err != nil || m < 0 {
				m = 15 // Outlook's default
			}
			w.line("TRIGGER:" + formatDuration(-time.Duration(m)*time.Minute))
		}
		w.line("END:VALARM")
	}
	w.line("END:" + comp)
	w.line("END:VCALENDAR")
	return []byte(w.String()), nil
}

// sifDayNames are the weekdays of DayOfWeekMask, bit 0 (1) being Sunday.
var sifDayNames = weekdayCodes

// sifRRule builds the RRULE of a SIF recurrence pattern.
func sifRRule(doc *sifDoc, start calTime, allDay bool) (string, bool) {
	interval := max(1, atoiOr(doc.get("Interval"), 1))
	mask := atoiOr(doc.get("DayOfWeekMask"), 0)
	var days []string
	for i, d := range sifDayNames {
		if mask&(1<<i) != 0 {
			days = append(days, d)
		}
	}
	instance := atoiOr(doc.get("Instance"), 0)
	if instance == 5 {
		instance = -1 // Outlook's "last"
	}
	nth := func() (string, bool) {
		switch {
		case len(days) == 0 || instance == 0:
			return "", false
		case len(days) == 1:
			return "BYDAY=" + strconv.Itoa(instance) + days[0], true
		}
		return "BYDAY=" + strings.Join(days, ",") + ";BYSETPOS=" + strconv.Itoa(instance), true
	}
	var parts []string
	switch doc.get("RecurrenceType") {
	case "0":
		parts = []string{"FREQ=DAILY"}
	case "1":
		parts = []string{"FREQ=WEEKLY"}
		if len(days) > 0 {
			parts = append(parts, "BYDAY="+strings.Join(days, ","))
		}
	case "2":
		parts = []string{"FREQ=MONTHLY"}
		if d := atoiOr(doc.get("DayOfMonth"), 0); d > 0 {
			parts = append(parts, "BYMONTHDAY="+strconv.Itoa(d))
		}
	case "3":
		by, ok := nth()
		if !ok {
			return "", false
		}
		parts = []string{"FREQ=MONTHLY", by}
	case "5", "6":
		if interval%12 == 0 {
			interval /= 12 // Outlook 2007 and later count years in months
		}
		parts = []string{"FREQ=YEARLY"}
		if m := atoiOr(doc.get("MonthOfYear"), 0); m >= 1 && m <= 12 {
			parts = append(parts, "BYMONTH="+strconv.Itoa(m))
		}
		if doc.get("RecurrenceType") == "6" {
			by, ok := nth()
			if !ok {
				return "", false
			}
			parts = append(parts, by)
		} else if d := atoiOr(doc.get("DayOfMonth"), 0); d > 0 {
			parts = append(parts, "BYMONTHDAY="+strconv.Itoa(d))
		}
	default:
		return "", false
	}
	if interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(interval))
	}
	if doc.get("NoEndDate") != "1" && !strings.EqualFold(doc.get("NoEndDate"), "true") {
		if n := atoiOr(doc.get("Occurrences"), 0); n > 0 {
			parts = append(parts, "COUNT="+strconv.Itoa(n))
		} else if t, ok := sifTime(doc.get("PatternEndDate")); ok {
			switch {
			case allDay || start.date:
				parts = append(parts, "UNTIL="+t.t.Format(layoutDate))
			case t.date:
				parts = append(parts, "UNTIL="+t.t.Format(layoutDate)+"T235959Z")
			default:
				t.utc = t.utc || start.utc
				parts = append(parts, "UNTIL="+t.String())
			}
		}
	}
	return strings.Join(parts, ";"), true
}

// icalToSIF converts an iCalendar 2.0 item (what Convert made of any
// calendar item) to SIF-E, or SIF-T for a task.
func icalToSIF(data []byte, task bool, lost losses) ([]byte, error) {
	root := parse(data)
	kind, root0 := KindEvent, "appointment"
	if task {
		kind, root0 = KindTask, "task"
	}
	it := calendarItem(root, kind)
	if it == nil {
		return nil, fmt.Errorf("%w: no %s to write as SIF", ErrUnsupported, kind)
	}
	cal := calendarOf(root)
	c := &icalConv{zones: map[string]*zone{}, lost: lost}
	for _, ch := range cal.children {
		switch {
		case ch.name == "VTIMEZONE":
			z := parseVTimezone(ch)
			c.zones[z.tzid] = z
		case ch != it:
			lost.add(ch.name) // recurrence exceptions, other items
		}
	}
	out := map[string]string{}
	var order []string
	set := func(name, v string) {
		if _, ok := out[name]; !ok {
			order = append(order, name)
		}
		out[name] = v
	}
	var extras []sifField
	var start, end calTime
	var hasStart, hasEnd bool
	var dur time.Duration
	var rrule *prop
	for i := range it.props {
		p := &it.props[i]
		text := strings.TrimSpace(unescape(p.value))
		switch p.name {
		case "SUMMARY":
			set("Subject", text)
		case "DESCRIPTION":
			set("Body", unescape(p.value))
		case "LOCATION":
			if !task {
				set("Location", text)
			} else {
				lost.add(p.name)
			}
		case "CATEGORIES":
			var cats []string
			for _, s := range splitUnescaped(p.value, ",") {
				if s = strings.TrimSpace(unescape(s)); s != "" {
					cats = append(cats, s)
				}
			}
			set("Categories", strings.Join(append(sifList(out["Categories"]), cats...), ","))
		case "CLASS":
			set("Sensitivity", classSIF(text))
		case "PRIORITY":
			switch n := atoiOr(text, 0); {
			case n >= 1 && n <= 4:
				set("Importance", "2")
			case n >= 6:
				set("Importance", "0")
			default:
				set("Importance", "1")
			}
		case "DTSTART":
			t, err := timeOf(p)
			if err != nil {
				return nil, err
			}
			start, hasStart = t, true
		case "DTEND", "DUE":
			t, err := timeOf(p)
			if err != nil {
				return nil, err
			}
			end, hasEnd = t, true
		case "DURATION":
			d, err := parseDuration(text)
			if err != nil {
				return nil, err
			}
			dur = d
		case "TRANSP":
			if strings.EqualFold(text, "TRANSPARENT") {
				set("BusyStatus", "0")
			}
		case "X-MICROSOFT-CDO-BUSYSTATUS":
			if s := map[string]string{"FREE": "0", "TENTATIVE": "1", "BUSY": "2", "OOF": "3"}[strings.ToUpper(text)]; s != "" {
				set("BusyStatus", s)
			}
		case "STATUS":
			switch strings.ToUpper(text) {
			case "COMPLETED":
				set("Complete", "1")
				set("Status", "2")
			case "IN-PROCESS":
				set("Status", "1")
			case "NEEDS-ACTION":
			default:
				lost.add("STATUS")
			}
		case "COMPLETED":
			if t, err := timeOf(p); err == nil {
				set("DateCompleted", c.toVCal(t).String())
			}
		case "PERCENT-COMPLETE":
			set("PercentComplete", text)
		case "RRULE":
			if rrule != nil {
				lost.add("RRULE")
			}
			rrule = p
		case "EXDATE", "RDATE":
			field := map[string]string{"EXDATE": "Exceptions/ExcludeDate", "RDATE": "Exceptions/IncludeDate"}[p.name]
			for _, v := range strings.Split(p.value, ",") {
				t, err := parseCalTime(v, normTZIDParam(p), strings.EqualFold(p.param("VALUE"), "DATE"))
				if err != nil {
					lost.add(p.name)
					continue
				}
				extras = append(extras, sifField{field, t.t.Format("2006-01-02")})
			}
		case "UID", "DTSTAMP", "CREATED", "LAST-MODIFIED", "SEQUENCE":
			if p.name == "UID" {
				lost.add("UID")
			}
		default:
			if strings.HasPrefix(p.name, "X-SIF-") {
				extras = append(extras, sifField{sifFieldName(p.name), text})
			} else {
				lost.add(p.name)
			}
		}
	}
	allDay := hasStart && start.date
	if !task {
		if !hasStart {
			return nil, fmt.Errorf("%w: event without DTSTART", ErrMalformed)
		}
		if !hasEnd {
			end = start
			switch {
			case dur != 0:
				end.t = start.t.Add(dur)
			case start.date:
				end.t = start.t.AddDate(0, 0, 1)
			}
		}
		if allDay {
			last := end.t.AddDate(0, 0, -1)
			if last.Before(start.t) {
				last = start.t
			}
			set("AllDayEvent", "1")
			set("Start", start.t.Format("2006-01-02"))
			set("End", last.Format("2006-01-02"))
		} else {
			set("AllDayEvent", "0")
			set("Start", c.toVCal(start).String())
			set("End", c.toVCal(end).String())
		}
	} else {
		if hasStart {
			set("StartDate", sifTimeString(c, start))
		}
		if hasEnd {
			set("DueDate", sifTimeString(c, end))
		}
		if _, ok := out["Complete"]; !ok {
			set("Complete", "0")
		}
	}
	// The reminder: the first alarm SIF can hold.
	set("ReminderSet", "0")
	for _, a := range it.children {
		if a.name != "VALARM" {
			lost.add(it.name + "/" + a.name)
			continue
		}
		if out["ReminderSet"] == "1" {
			lost.add("VALARM")
			continue
		}
		vs, ve := c.toVCal(start), c.toVCal(end)
		run, ok := c.alarmTime(a, vs, ve)
		if !ok {
			lost.add("VALARM")
			continue
		}
		set("ReminderSet", "1")
		if task {
			set("ReminderTime", run.String())
		} else {
			set("ReminderMinutesBeforeStart", strconv.Itoa(int(vs.t.Sub(run.t)/time.Minute)))
		}
	}
	recurring := "0"
	if rrule != nil {
		if fields, ok := rruleToSIF(rrule.value, start); ok {
			recurring = "1"
			for _, f := range fields {
				set(f.name, f.value)
			}
		} else {
			lost.add("RRULE")
		}
	}
	set("IsRecurring", recurring)
	for _, n := range []string{"Subject", "Body", "Location", "Categories", "Sensitivity", "Importance", "BusyStatus"} {
		if _, ok := out[n]; !ok && !(task && (n == "Location" || n == "BusyStatus")) {
			set(n, map[string]string{"Sensitivity": "0", "Importance": "1", "BusyStatus": "2"}[n])
		}
	}
	fields := make([]sifField, 0, len(order)+len(extras))
	for _, n := range order {
		fields = append(fields, sifField{n, out[n]})
	}
	slices.SortStableFunc(extras, func(a, b sifField) int { return strings.Compare(a.name, b.name) })
	return writeSIF(root0, append(fields, extras...)), nil
}

// sifTimeString writes a task date: a date as YYYY-MM-DD, a date-time in
// UTC where its zone is known.
func sifTimeString(c *icalConv, t calTime) string {
	if t.date {
		return t.t.Format("2006-01-02")
	}
	return c.toVCal(t).String()
}

// rruleToSIF maps an RRULE to an Outlook recurrence pattern; false when
// the rule is not one Outlook can hold.
func rruleToSIF(v string, start calTime) ([]sifField, bool) {
	parts := rruleParts(v)
	setpos := 0
	if sp, ok := parts["BYSETPOS"]; ok {
		if setpos = atoiOr(sp, 0); setpos == 0 || setpos < -1 || setpos > 4 {
			return nil, false
		}
		v = strings.Join(slices.DeleteFunc(strings.Split(v, ";"), func(s string) bool {
			return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "BYSETPOS=")
		}), ";")
	}
	r, err := parseRecur20(v)
	if err != nil || r.other || len(r.byYearDay) > 0 || len(r.byMonth) > 1 || len(r.byMonthDay) > 1 {
		return nil, false
	}
	mask, instance := 0, setpos
	for _, d := range r.byDay {
		pos, wd, _ := parseByDay(d)
		if pos != 0 {
			if instance != 0 && instance != pos || pos < -1 || pos > 4 {
				return nil, false
			}
			instance = pos
		}
		mask |= 1 << int(wd)
	}
	if instance == -1 {
		instance = 5
	}
	month, day := int(start.t.Month()), start.t.Day()
	if len(r.byMonth) == 1 {
		month = r.byMonth[0]
	}
	if len(r.byMonthDay) == 1 {
		if day = r.byMonthDay[0]; day < 1 {
			return nil, false
		}
	}
	typ := ""
	switch {
	case r.freq == "DAILY" && len(r.byDay) == 0 && len(r.byMonthDay) == 0 && len(r.byMonth) == 0:
		typ, mask = "0", 0
	case r.freq == "DAILY" && instance == 0 && r.interval == 1 && len(r.byMonth) == 0 && len(r.byMonthDay) == 0:
		typ = "1" // every listed weekday
	case r.freq == "WEEKLY" && instance == 0 && len(r.byMonth) == 0 && len(r.byMonthDay) == 0:
		typ = "1"
		if mask == 0 {
			mask = 1 << int(start.t.Weekday())
		}
	case r.freq == "MONTHLY" && len(r.byDay) == 0 && len(r.byMonth) == 0:
		typ = "2"
	case r.freq == "MONTHLY" && instance != 0 && len(r.byMonthDay) == 0 && len(r.byMonth) == 0:
		typ = "3"
	case r.freq == "YEARLY" && len(r.byDay) == 0:
		typ = "5"
	case r.freq == "YEARLY" && instance != 0 && len(r.byMonthDay) == 0:
		typ = "6"
	default:
		return nil, false
	}
	f := []sifField{{"RecurrenceType", typ}, {"Interval", strconv.Itoa(r.interval)}}
	if typ == "2" || typ == "5" {
		f = append(f, sifField{"DayOfMonth", strconv.Itoa(day)})
	}
	if typ == "5" || typ == "6" {
		f = append(f, sifField{"MonthOfYear", strconv.Itoa(month)})
	}
	if typ == "1" || typ == "3" || typ == "6" {
		f = append(f, sifField{"DayOfWeekMask", strconv.Itoa(mask)})
	}
	if typ == "3" || typ == "6" {
		f = append(f, sifField{"Instance", strconv.Itoa(instance)})
	}
	switch {
	case r.count > 0:
		f = append(f, sifField{"NoEndDate", "0"}, sifField{"Occurrences", strconv.Itoa(r.count)})
	case r.until != "":
		f = append(f, sifField{"NoEndDate", "0"}, sifField{"PatternEndDate", r.until})
	default:
		f = append(f, sifField{"NoEndDate", "1"})
	}
	return f, true
}
