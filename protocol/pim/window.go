package pim

import (
	"strings"
	"time"
)

// Time windows of ActiveSync's FilterType (MS-ASCMD 2.2.3.70.2): a device
// asks only for the calendar items that end after some point in the past,
// or only for the tasks not yet complete. Both tests keep an item in the
// window when in doubt (it cannot be read, or its recurrence is counted),
// since sending one item too many costs less than hiding one.

// EventEndsAfter tells whether the first VEVENT of an iCalendar object, one
// of its occurrences or one of its changed occurrences ends at or after t.
func EventEndsAfter(data []byte, t time.Time) bool {
	cal := calendarOf(parse(data))
	if cal == nil {
		return true
	}
	c := &icalEAS{zones: map[string]*zone{}, lost: losses{}}
	var events []*component
	for _, ch := range cal.children {
		switch ch.name {
		case "VTIMEZONE":
			z := parseVTimezone(ch)
			c.zones[z.tzid] = z
		case "VEVENT":
			events = append(events, ch)
		}
	}
	if len(events) == 0 {
		return true
	}
	for _, ev := range events {
		if c.endsAfter(ev, t) {
			return true
		}
	}
	return false
}

// endsAfter tells whether one VEVENT ends at or after t, its recurrence
// included.
func (c *icalEAS) endsAfter(ev *component, t time.Time) bool {
	sp := ev.prop("DTSTART")
	if sp == nil {
		return true
	}
	start, err := timeOf(sp)
	if err != nil {
		return true
	}
	if !c.utc(c.endOf(ev, start)).Before(t) {
		return true
	}
	rp := ev.prop("RRULE")
	if rp == nil || ev.prop("RECURRENCE-ID") != nil {
		return false
	}
	parts := rruleParts(rp.value)
	until, ok := parts["UNTIL"]
	if !ok {
		return true // for ever, or a count of occurrences: in doubt
	}
	u, err := parseCalTime(until, start.tzid, len(until) == 8)
	if err != nil {
		return true
	}
	// The last occurrence starts at UNTIL at the latest and lasts as
	// long as the first.
	length := c.utc(c.endOf(ev, start)).Sub(c.utc(start))
	return !c.utc(u).Add(length).Before(t)
}

// TaskIncomplete tells whether the VTODO of an iCalendar object is not
// complete: no COMPLETED date and a STATUS other than COMPLETED.
func TaskIncomplete(data []byte) bool {
	cal := calendarOf(parse(data))
	if cal == nil {
		return true
	}
	todo := cal.find("VTODO")
	if todo == nil {
		return true
	}
	if todo.prop("COMPLETED") != nil {
		return false
	}
	return !strings.EqualFold(strings.TrimSpace(todo.text("STATUS")), "COMPLETED")
}
