package pim

import (
	"fmt"
	"strconv"
	"strings"
)

// EAS tasks (MS-ASTASK 2.2.2) <-> iCalendar 2.0 VTODO. Due and start
// dates come in two forms, UTC (UTCDueDate) and the device's local
// wall-clock time (DueDate, written with a Z all the same); the UTC one is
// the instant, the local one gives the date an all-day task is due on.

// EASTaskToICal converts Tasks ApplicationData to a VTODO.
func EASTaskToICal(fields []EASField) (ical []byte, lost []string, err error) {
	l := losses{}
	var w writer
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + ProdID)
	w.line("BEGIN:VTODO")
	date := func(name, utcName, local string) {
		if t, ok := easTime(easGet(fields, utcName)); ok {
			w.modern("", name, nil, t.Format(layoutDateTime)+"Z")
		} else if t, ok := easTime(easGet(fields, local)); ok {
			w.modern("", name, []param{{name: "VALUE", values: []string{"DATE"}}}, t.Format(layoutDate))
		}
	}
	date("DTSTART", "UTCStartDate", "StartDate")
	date("DUE", "UTCDueDate", "DueDate")
	for _, f := range fields {
		if writeCommonICal(&w, f) {
			continue
		}
		switch f.Name {
		case "Importance":
			// 0 low, 1 normal, 2 high -> PRIORITY 9, 5, 1 (RFC 5545 3.8.1.9).
			if p := map[string]string{"0": "9", "1": "5", "2": "1"}[f.Value]; p != "" {
				w.modern("", "PRIORITY", nil, p)
			}
		case "Complete":
			if f.Value == "1" {
				w.modern("", "STATUS", nil, "COMPLETED")
				w.modern("", "PERCENT-COMPLETE", nil, "100")
			} else {
				w.modern("", "STATUS", nil, "NEEDS-ACTION")
			}
		case "DateCompleted":
			if t, ok := easTime(f.Value); ok {
				w.modern("", "COMPLETED", nil, t.Format(layoutDateTime)+"Z")
			}
		case "ReminderTime":
			if t, ok := easTime(f.Value); ok && easGet(fields, "ReminderSet") == "1" {
				w.line("BEGIN:VALARM")
				w.line("ACTION:DISPLAY")
				w.line("DESCRIPTION:Reminder")
				w.line("TRIGGER;VALUE=DATE-TIME:" + t.Format(layoutDateTime) + "Z")
				w.line("END:VALARM")
			}
		case "StartDate", "UTCStartDate", "DueDate", "UTCDueDate", "ReminderSet", "NativeBodyType", "BodyTruncated":
		default:
			l.add(f.Name) // Recurrence of tasks, OrdinalDate, SubOrdinalDate
		}
	}
	w.line("END:VTODO")
	w.line("END:VCALENDAR")
	return []byte(w.String()), l.list(), nil
}

// ICalToEASTask converts the first VTODO to Tasks ApplicationData.
func ICalToEASTask(data []byte) (fields []EASField, lost []string, err error) {
	cal := calendarOf(parse(data))
	var todo *component
	if cal != nil {
		todo = cal.find("VTODO")
	}
	if todo == nil {
		return nil, nil, fmt.Errorf("%w: no VTODO", ErrMalformed)
	}
	l := losses{}
	c := &icalEAS{zones: map[string]*zone{}, lost: l}
	for _, ch := range cal.children {
		if ch.name == "VTIMEZONE" {
			z := parseVTimezone(ch)
			c.zones[z.tzid] = z
		}
	}
	f := func(name, value string) {
		fields = append(fields, EASField{Space: "Tasks", Name: name, Value: value})
	}
	dates := func(p *prop, utcName, localName string) {
		t, err := timeOf(p)
		if err != nil {
			l.add(p.name)
			return
		}
		u := c.utc(t)
		f(utcName, u.Format("2006-01-02T15:04:05.000Z"))
		local := t.t
		if !t.date && t.utc {
			local = u
		}
		f(localName, local.Format("2006-01-02T15:04:05.000Z"))
	}
	complete := "0"
	var cats []string
	for i := range todo.props {
		p := &todo.props[i]
		v := unescape(p.value)
		if readCommonICal(p, "Tasks", &fields, &cats) {
			continue
		}
		switch p.name {
		case "DTSTART":
			dates(p, "UTCStartDate", "StartDate")
		case "DUE":
			dates(p, "UTCDueDate", "DueDate")
		case "PRIORITY":
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			switch {
			case n >= 1 && n <= 4:
				f("Importance", "2")
			case n >= 6:
				f("Importance", "0")
			default:
				f("Importance", "1")
			}
		case "STATUS":
			if strings.EqualFold(v, "COMPLETED") {
				complete = "1"
			}
		case "COMPLETED":
			if t, err := timeOf(p); err == nil {
				complete = "1"
				f("DateCompleted", c.utc(t).Format("2006-01-02T15:04:05.000Z"))
			}
		case "UID", "DTSTAMP", "SEQUENCE", "CREATED", "LAST-MODIFIED", "PERCENT-COMPLETE":
		default:
			l.add(p.name)
		}
	}
	f("Complete", complete)
	if len(cats) > 0 {
		fields = append(fields, EASField{Space: "Tasks", Name: "Categories", Items: cats})
	}
	for _, a := range todo.children {
		t := a.prop("TRIGGER")
		if a.name != "VALARM" || t == nil {
			l.add(a.name)
			continue
		}
		if tt, err := parseCalTime(strings.TrimSpace(t.value), "", false); err == nil && (strings.EqualFold(t.param("VALUE"), "DATE-TIME") || tt.utc) {
			f("ReminderSet", "1")
			f("ReminderTime", c.utc(tt).Format("2006-01-02T15:04:05.000Z"))
		} else {
			l.add("VALARM")
		}
		break
	}
	return fields, l.list(), nil
}
