package pim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EAS calendar items (MS-ASCAL 2.2.2) <-> iCalendar 2.0 VEVENT. EAS
// carries every time in UTC plus one TimeZone blob for the item; here the
// blob becomes a VTIMEZONE and the times local times of it, so that a
// recurring event keeps its wall-clock time across daylight saving time.

// easSensitivity maps Sensitivity to CLASS (MS-ASCAL 2.2.2.38); 0
// (normal) is no CLASS.
var easSensitivity = map[string]string{"1": "X-PERSONAL", "2": "PRIVATE", "3": "CONFIDENTIAL"}

// easAttendeeStatus maps AttendeeStatus to PARTSTAT (MS-ASCAL 2.2.2.4).
var easAttendeeStatus = map[string]string{"0": "NEEDS-ACTION", "2": "TENTATIVE", "3": "ACCEPTED", "4": "DECLINED", "5": "NEEDS-ACTION"}

// easAttendeeType maps AttendeeType to ROLE (MS-ASCAL 2.2.2.5).
var easAttendeeType = map[string]string{"1": "REQ-PARTICIPANT", "2": "OPT-PARTICIPANT", "3": "NON-PARTICIPANT"}

// easWeekdays are the DayOfWeek bits, Sunday first (MS-ASCAL 2.2.2.15).
var easWeekdays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// easCal is one conversion to iCalendar.
type easCal struct {
	zone   *zone // nil: times in UTC
	allDay bool
	lost   losses
}

// local turns a UTC instant into the zone's wall-clock time.
func (c *easCal) local(t time.Time) time.Time {
	if c.zone == nil {
		return t
	}
	for _, o := range c.zone.obs {
		if l := t.Add(o.to); c.zone.offsetAt(l) == o.to {
			return l
		}
	}
	return t.Add(c.zone.offsetAt(t))
}

// timeProp writes a DTSTART-like property of a UTC instant.
func (c *easCal) timeProp(w *writer, name string, t time.Time) {
	switch {
	case c.allDay:
		w.modern("", name, []param{{name: "VALUE", values: []string{"DATE"}}}, c.local(t).Format(layoutDate))
	case c.zone == nil:
		w.modern("", name, nil, t.Format(layoutDateTime)+"Z")
	default:
		w.modern("", name, []param{{name: "TZID", values: []string{c.zone.tzid}}}, c.local(t).Format(layoutDateTime))
	}
}

// EASEventToICal converts Calendar ApplicationData to an iCalendar object
// with one VEVENT (and one more per changed occurrence); lost names what
// it cannot carry.
func EASEventToICal(fields []EASField) (ical []byte, lost []string, err error) {
	c := &easCal{allDay: easGet(fields, "AllDayEvent") == "1", lost: losses{}}
	if tz := easGet(fields, "TimeZone"); tz != "" {
		z, err := parseEASTimeZone(tz)
		if err != nil {
			return nil, nil, err
		}
		if zz := z.zone(); len(zz.obs) > 1 || zz.obs[0].to != 0 {
			c.zone = zz
		}
	}
	start, ok := easTime(easGet(fields, "StartTime"))
	if !ok {
		return nil, nil, fmt.Errorf("%w: EAS event without a StartTime", ErrMalformed)
	}
	end, ok := easTime(easGet(fields, "EndTime"))
	if !ok {
		end = start
	}
	uid := easGet(fields, "UID")
	if uid == "" {
		uid = easGet(fields, "ClientUid")
	}
	var w writer
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:" + ProdID)
	if c.zone != nil && !c.allDay {
		writeVTimezone(&w, c.zone)
	}
	w.line("BEGIN:VEVENT")
	if uid != "" {
		w.modern("", "UID", nil, escapeModern(uid, false))
	}
	if t, ok := easTime(easGet(fields, "DtStamp")); ok {
		w.modern("", "DTSTAMP", nil, t.Format(layoutDateTime)+"Z")
	}
	c.timeProp(&w, "DTSTART", start)
	c.timeProp(&w, "DTEND", end)
	c.eventProps(&w, fields)
	if r, ok := easField(fields, "Recurrence"); ok {
		w.modern("", "RRULE", nil, c.rrule(r.Children))
	}
	var changed []EASField
	if ex, ok := easField(fields, "Exceptions"); ok {
		for _, e := range ex.Children {
			orig, ok := easTime(easGet(e.Children, "ExceptionStartTime"))
			if !ok {
				c.lost.add("Exception")
				continue
			}
			if easGet(e.Children, "Deleted") == "1" {
				c.timeProp(&w, "EXDATE", orig)
			} else {
				changed = append(changed, e)
			}
		}
	}
	c.alarm(&w, easGet(fields, "Reminder"))
	w.line("END:VEVENT")
	for _, e := range changed {
		orig, _ := easTime(easGet(e.Children, "ExceptionStartTime"))
		s, e2 := start, end
		if t, ok := easTime(easGet(e.Children, "StartTime")); ok {
			s = t
		} else {
			s = orig
		}
		if t, ok := easTime(easGet(e.Children, "EndTime")); ok {
			e2 = t
		} else {
			e2 = s.Add(end.Sub(start))
		}
		w.line("BEGIN:VEVENT")
		if uid != "" {
			w.modern("", "UID", nil, escapeModern(uid, false))
		}
		c.timeProp(&w, "RECURRENCE-ID", orig)
		c.timeProp(&w, "DTSTART", s)
		c.timeProp(&w, "DTEND", e2)
		// An exception repeats only what differs from the series.
		props := append([]EASField{}, e.Children...)
		for _, n := range []string{"Subject", "Location", "Body", "Sensitivity", "BusyStatus", "Categories"} {
			if _, ok := easField(props, n); !ok {
				if f, ok := easField(fields, n); ok {
					props = append(props, f)
				}
			}
		}
		c.eventProps(&w, props)
		c.alarm(&w, easGet(e.Children, "Reminder"))
		w.line("END:VEVENT")
	}
	w.line("END:VCALENDAR")
	return []byte(w.String()), c.lost.list(), nil
}

// eventProps writes the descriptive properties shared by the series and
// its exceptions.
func (c *easCal) eventProps(w *writer, fields []EASField) {
	for _, f := range fields {
		if writeCommonICal(w, f) {
			continue
		}
		switch f.Name {
		case "Location":
			w.modern("", "LOCATION", nil, escapeModern(f.Value, false))
		case "BusyStatus":
			// 0 free, 1 tentative, 2 busy, 3 out of office (MS-ASCAL
			// 2.2.2.8): TRANSP, and Outlook's property for the other two.
			if f.Value == "0" {
				w.modern("", "TRANSP", nil, "TRANSPARENT")
			} else {
				w.modern("", "TRANSP", nil, "OPAQUE")
			}
			if v := map[string]string{"1": "TENTATIVE", "3": "OOF"}[f.Value]; v != "" {
				w.modern("", "X-MICROSOFT-CDO-BUSYSTATUS", nil, v)
			}
		case "OrganizerEmail":
			var ps []param
			if n := easGet(fields, "OrganizerName"); n != "" {
				ps = []param{{name: "CN", values: []string{n}}}
			}
			w.modern("", "ORGANIZER", ps, "mailto:"+f.Value)
		case "Attendees":
			for _, a := range f.Children {
				ps := []param{}
				if n := easGet(a.Children, "Name"); n != "" {
					ps = append(ps, param{name: "CN", values: []string{n}})
				}
				if r := easAttendeeType[easGet(a.Children, "AttendeeType")]; r != "" {
					ps = append(ps, param{name: "ROLE", values: []string{r}})
				}
				if s := easAttendeeStatus[easGet(a.Children, "AttendeeStatus")]; s != "" {
					ps = append(ps, param{name: "PARTSTAT", values: []string{s}})
				}
				w.modern("", "ATTENDEE", ps, "mailto:"+easGet(a.Children, "Email"))
			}
		case "TimeZone", "AllDayEvent", "StartTime", "EndTime", "UID", "ClientUid", "DtStamp",
			"Recurrence", "Exceptions", "Reminder", "OrganizerName", "ExceptionStartTime", "Deleted",
			"NativeBodyType", "BodyTruncated":
		case "MeetingStatus", "ResponseRequested", "AppointmentReplyTime", "ResponseType",
			"DisallowNewTimeProposal", "OnlineMeetingConfLink", "OnlineMeetingExternalLink":
			if f.Value != "" && f.Value != "0" {
				w.modern("", "X-EAS-"+strings.ToUpper(f.Name), nil, escapeModern(f.Value, false))
			}
		default:
			c.lost.add(f.Name)
		}
	}
}

// alarm writes Reminder (minutes before the start) as a VALARM.
func (c *easCal) alarm(w *writer, minutes string) {
	n, err := strconv.Atoi(strings.TrimSpace(minutes))
	if err != nil || n < 0 {
		return
	}
	w.line("BEGIN:VALARM")
	w.line("ACTION:DISPLAY")
	w.line("DESCRIPTION:Reminder")
	w.line("TRIGGER;RELATED=START:-PT" + strconv.Itoa(n) + "M")
	w.line("END:VALARM")
}

// rrule converts Recurrence (MS-ASCAL 2.2.2.35) to an RRULE value.
func (c *easCal) rrule(r []EASField) string {
	freq := map[string]string{"0": "DAILY", "1": "WEEKLY", "2": "MONTHLY", "3": "MONTHLY", "5": "YEARLY", "6": "YEARLY"}[easGet(r, "Type")]
	if freq == "" {
		c.lost.add("Recurrence/Type")
		freq = "DAILY"
	}
	parts := []string{"FREQ=" + freq}
	if t, ok := easTime(easGet(r, "Until")); ok {
		if c.allDay {
			parts = append(parts, "UNTIL="+c.local(t).Format(layoutDate))
		} else {
			parts = append(parts, "UNTIL="+t.Format(layoutDateTime)+"Z")
		}
	}
	if n := easGet(r, "Occurrences"); n != "" {
		parts = append(parts, "COUNT="+n)
	}
	if n := easGet(r, "Interval"); n != "" && n != "1" {
		parts = append(parts, "INTERVAL="+n)
	}
	if m := easGet(r, "MonthOfYear"); m != "" {
		parts = append(parts, "BYMONTH="+m)
	}
	var days []string
	if bits, err := strconv.Atoi(easGet(r, "DayOfWeek")); err == nil {
		week := ""
		if wk := easGet(r, "WeekOfMonth"); wk != "" {
			week = map[string]string{"5": "-1"}[wk]
			if week == "" {
				week = wk
			}
		}
		for i, d := range easWeekdays {
			if bits&(1<<i) != 0 {
				days = append(days, week+d)
			}
		}
	}
	if len(days) > 0 {
		parts = append(parts, "BYDAY="+strings.Join(days, ","))
	}
	if d := easGet(r, "DayOfMonth"); d != "" {
		parts = append(parts, "BYMONTHDAY="+d)
	}
	if easGet(r, "CalendarType") != "" && easGet(r, "CalendarType") != "0" && easGet(r, "CalendarType") != "1" {
		c.lost.add("Recurrence/CalendarType")
	}
	return strings.Join(parts, ";")
}
