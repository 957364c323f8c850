package pim

// Alarms: vCalendar 1.0 AALARM, DALARM, PALARM and MALARM (the "Audio",
// "Display", "Procedure" and "Mail Reminder" properties: "RunTime;SnoozeTime;RepeatCount;
// AudioContent|DisplayString|ProcedureName|EmailAddress;Note", the run time
// absolute) and the iCalendar VALARM (RFC 5545 3.6.6: ACTION AUDIO,
// DISPLAY, EMAIL or PROCEDURE, a TRIGGER relative to the start or end or
// absolute, DURATION and REPEAT for snoozing).
//
// A vCalendar run time becomes a TRIGGER relative to DTSTART (to DUE for
// a task without DTSTART) whenever both can be placed on one time line,
// else an absolute one. A DISPLAY alarm is written as a DALARM plus an
// AALARM at the same time, since many phones only know AALARM; reading, an
// AALARM without sound that pairs a DALARM is that same alarm.

import (
	"fmt"
	"strings"
	"time"
)

// vcalAlarm is one vCalendar alarm property, decoded.
type vcalAlarm struct {
	name   string
	run    calTime
	hasRun bool
	snooze string
	repeat string
	text   string // sound, display string, procedure or e-mail address
	note   string // MALARM note
	paired bool   // an AALARM that duplicates a DALARM
}

// vcalActions maps vCalendar alarm properties to VALARM actions.
var vcalActions = map[string]string{"AALARM": "AUDIO", "DALARM": "DISPLAY", "PALARM": "PROCEDURE", "MALARM": "EMAIL"}

// alarms writes the VALARMs of a vCalendar item; start is its DTSTART
// as written in iCalendar.
func (c *vcalConv) alarms(w *writer, it *component, props []*prop, start calTime) error {
	var list []*vcalAlarm
	for _, p := range props {
		f := splitUnescaped(p.value, ";")
		for i := range f {
			f[i] = strings.TrimSpace(unescape(f[i]))
		}
		f = append(f, "", "", "", "", "")
		a := &vcalAlarm{name: p.name, snooze: f[1], repeat: f[2], text: f[3], note: f[4]}
		if f[0] != "" {
			t, err := c.time(&prop{name: p.name, value: f[0]}, false)
			if err != nil {
				return err
			}
			a.run, a.hasRun = t, true
		}
		for _, q := range p.params {
			if q.name != "CHARSET" && q.name != "ENCODING" {
				c.lost.add(p.name + ";" + q.name)
			}
		}
		list = append(list, a)
	}
	for _, d := range list {
		for _, a := range list {
			if d.name == "DALARM" && a.name == "AALARM" && !a.paired && a.text == "" && a.run == d.run {
				a.paired = true
				break
			}
		}
	}
	base, related := start, ""
	if it.name == "VTODO" && it.prop("DTSTART") == nil {
		if p := it.prop("DUE"); p != nil {
			base, _ = c.time(p, false)
			related = "END"
		}
	}
	for _, a := range list {
		if a.paired {
			continue
		}
		if !a.hasRun {
			c.lost.add(a.name) // an alarm without a time
			continue
		}
		w.line("BEGIN:VALARM")
		w.line("ACTION:" + vcalActions[a.name])
		c.trigger(w, a.run, base, related)
		desc := a.text
		if a.name == "MALARM" {
			desc = a.note
		}
		if a.name == "DALARM" && desc == "" {
			desc = it.text("SUMMARY") // RFC 5545 3.6.6: DISPLAY needs a DESCRIPTION
		}
		if desc != "" && a.name != "AALARM" && a.name != "PALARM" {
			w.modern("", "DESCRIPTION", nil, escapeModern(desc, false))
		}
		switch {
		case a.name == "MALARM" && a.text != "":
			w.modern("", "ATTENDEE", nil, "mailto:"+a.text)
		case (a.name == "AALARM" || a.name == "PALARM") && a.text != "":
			w.modern("", "ATTACH", nil, a.text)
		}
		d, err := parseDuration(a.snooze)
		if n := atoiOr(a.repeat, 0); err == nil && n > 0 {
			w.line("DURATION:" + formatDuration(d))
			w.line(fmt.Sprintf("REPEAT:%d", n))
		} else if a.snooze != "" || a.repeat != "" {
			c.lost.add(a.name)
		}
		w.line("END:VALARM")
	}
	return nil
}

// trigger writes the TRIGGER of an alarm running at run, relative to
// base when both are on one time line, else absolute.
func (c *vcalConv) trigger(w *writer, run, base calTime, related string) {
	instant := func(t calTime) (time.Time, bool) {
		switch {
		case t.utc:
			return t.t, true
		case c.zone != nil:
			return c.zone.toUTC(t.t), true
		}
		return t.t, false
	}
	r, rAbs := instant(run)
	if !base.t.IsZero() {
		if b, bAbs := instant(base); rAbs == bAbs {
			var params []param
			if related != "" {
				params = []param{{name: "RELATED", values: []string{related}}}
			}
			w.modern("", "TRIGGER", params, formatDuration(r.Sub(b)))
			return
		}
	}
	if rAbs {
		w.line("TRIGGER;VALUE=DATE-TIME:" + r.Format(layoutDateTime) + "Z")
		return
	}
	w.line("TRIGGER;VALUE=DATE-TIME:" + r.Format(layoutDateTime)) // floating: no better choice
}

// valarms writes the VALARMs of an iCalendar item as vCalendar alarms.
// start and end are the item's DTSTART and DTEND (or DUE) in vCalendar
// form; summary is its SUMMARY, the default DALARM display string.
func (c *icalConv) valarms(w *writer, it *component, start, end calTime, summary string) {
	for _, a := range it.children {
		if a.name != "VALARM" {
			c.lost.add(it.name + "/" + a.name)
			continue
		}
		action := strings.ToUpper(a.text("ACTION"))
		name := map[string]string{"AUDIO": "AALARM", "DISPLAY": "DALARM", "PROCEDURE": "PALARM", "EMAIL": "MALARM"}[action]
		run, ok := c.alarmTime(a, start, end)
		if name == "" || !ok {
			c.lost.add("VALARM")
			continue
		}
		f := []string{run.String(), "", ""}
		if d, err := parseDuration(a.text("DURATION")); err == nil && a.text("REPEAT") != "" {
			f[1], f[2] = formatDuration(d), a.text("REPEAT")
		}
		handled := map[string]bool{"ACTION": true, "TRIGGER": true, "DURATION": true, "REPEAT": true}
		text := func(name string) string {
			handled[name] = true
			return escapeLegacy(a.text(name), true)
		}
		switch name {
		case "DALARM":
			desc := text("DESCRIPTION")
			if a.text("DESCRIPTION") == summary {
				desc = ""
			}
			w.legacy("", "DALARM", nil, trimFields(append(f, desc)), false)
			w.legacy("", "AALARM", nil, trimFields(f), false)
		case "AALARM", "PALARM":
			w.legacy("", name, nil, trimFields(append(f, text("ATTACH"))), false)
		case "MALARM":
			_, addr := splitAddress(a.text("ATTENDEE"))
			handled["ATTENDEE"] = true
			w.legacy("", name, nil, trimFields(append(f, escapeLegacy(addr, true), text("DESCRIPTION"))), false)
		}
		for _, p := range a.props {
			if !handled[p.name] {
				c.lost.add("VALARM/" + p.name)
			}
		}
	}
}

// alarmTime returns the run time of a VALARM in vCalendar form.
func (c *icalConv) alarmTime(a *component, start, end calTime) (calTime, bool) {
	p := a.prop("TRIGGER")
	if p == nil {
		return calTime{}, false
	}
	v := strings.TrimSpace(p.value)
	if strings.EqualFold(p.param("VALUE"), "DATE-TIME") || !strings.Contains(strings.ToUpper(v), "P") {
		t, err := parseCalTime(v, p.param("TZID"), false)
		if err != nil {
			return t, false
		}
		return c.toVCal(t), true
	}
	d, err := parseDuration(v)
	base := start
	if strings.EqualFold(p.param("RELATED"), "END") || base.t.IsZero() {
		base = end
	}
	if err != nil || base.t.IsZero() {
		return calTime{}, false
	}
	return calTime{t: base.t.Add(d), utc: base.utc}, true
}

// trimFields joins ';'-separated alarm fields, dropping empty trailing
// ones.
func trimFields(f []string) string {
	for len(f) > 1 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return strings.Join(f, ";")
}
