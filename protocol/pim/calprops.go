package pim

// Property mappings shared by both directions of the vCalendar 1.0
// (versit vCalendar 1.0, "vCalendar Properties") to iCalendar 2.0
// (RFC 5545 3.7, 3.8) conversion.

import (
	"slices"
	"strings"
)

// icalOnly are iCalendar properties vCalendar 1.0 does not define. They
// travel in vCalendar as "X-" + name, as KOrganizer writes X-ORGANIZER,
// and come back under their own name.
var icalOnly = []string{"ORGANIZER", "RECURRENCE-ID", "PERCENT-COMPLETE", "COMMENT", "CONTACT",
	"REQUEST-STATUS", "COLOR", "CONFERENCE", "IMAGE", "DURATION"}

// calText are the text properties whose escapes differ between the two
// formats (RFC 5545 3.3.11 versus vCalendar's unescaped text).
var calText = []string{"SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT"}

// calLists are the list properties: ';'-separated in vCalendar (its
// "Categories" and "Resources"), ','-separated in iCalendar.
var calLists = []string{"CATEGORIES", "RESOURCES"}

// statusToICal maps a vCalendar STATUS ("Status" property: ACCEPTED, NEEDS ACTION,
// SENT, TENTATIVE, CONFIRMED, DECLINED, COMPLETED, DELEGATED) to the
// iCalendar spelling. It reports false for values RFC 5545 3.8.1.11 does
// not allow in that component; they are kept as they are.
func statusToICal(v, comp string) (string, bool) {
	v = strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(v, "_", " ")))
	if v == "NEEDS ACTION" {
		v = "NEEDS-ACTION"
	}
	ok := map[string][]string{
		"VEVENT": {"TENTATIVE", "CONFIRMED", "CANCELLED"},
		"VTODO":  {"NEEDS-ACTION", "COMPLETED", "IN-PROCESS", "CANCELLED"},
	}[comp]
	return v, slices.Contains(ok, v)
}

// statusToVCal maps an iCalendar STATUS to vCalendar, reporting false for
// IN-PROCESS and CANCELLED, which vCalendar does not have.
func statusToVCal(v string) (string, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if v == "NEEDS-ACTION" {
		return "NEEDS ACTION", true
	}
	return v, slices.Contains([]string{"ACCEPTED", "SENT", "TENTATIVE", "CONFIRMED", "DECLINED",
		"COMPLETED", "DELEGATED"}, v)
}

// partstat maps vCalendar attendee STATUS values to PARTSTAT and back.
var partstat = [][2]string{{"NEEDS ACTION", "NEEDS-ACTION"}, {"ACCEPTED", "ACCEPTED"},
	{"DECLINED", "DECLINED"}, {"TENTATIVE", "TENTATIVE"}, {"DELEGATED", "DELEGATED"},
	{"COMPLETED", "COMPLETED"}}

// attendeeToICal converts a vCalendar ATTENDEE ("Attendee" property: value "Name
// <address>", parameters ROLE, STATUS, RSVP, EXPECT) to iCalendar's (RFC
// 5545 3.8.4.1: a mailto: URI with CN, ROLE, PARTSTAT, RSVP).
func attendeeToICal(p *prop, lost losses) ([]param, string) {
	name, addr := splitAddress(unescape(p.value))
	var out []param
	if name != "" {
		out = append(out, param{name: "CN", values: []string{name}})
	}
	role := ""
	for _, q := range p.params {
		v := strings.ToUpper(strings.Join(q.values, ","))
		switch q.name {
		case "CHARSET", "ENCODING":
		case "ROLE":
			switch v {
			case "ORGANIZER", "OWNER":
				role = "CHAIR"
				if v == "OWNER" {
					lost.add("ATTENDEE;ROLE")
				}
			case "ATTENDEE":
			default:
				lost.add("ATTENDEE;ROLE")
			}
		case "EXPECT":
			if role == "" {
				role = map[string]string{"REQUIRE": "REQ-PARTICIPANT", "IMMEDIATE": "REQ-PARTICIPANT",
					"REQUEST": "OPT-PARTICIPANT", "FYI": "NON-PARTICIPANT"}[v]
			}
			if v == "IMMEDIATE" {
				lost.add("ATTENDEE;EXPECT")
			}
		case "STATUS":
			v = strings.ReplaceAll(v, "_", " ")
			ps := ""
			for _, m := range partstat {
				if m[0] == v {
					ps = m[1]
				}
			}
			if ps == "" {
				lost.add("ATTENDEE;STATUS")
				ps = map[string]string{"CONFIRMED": "ACCEPTED", "SENT": "NEEDS-ACTION"}[v]
			}
			if ps != "" {
				out = append(out, param{name: "PARTSTAT", values: []string{ps}})
			}
		case "RSVP":
			out = append(out, param{name: "RSVP", values: []string{map[bool]string{true: "TRUE", false: "FALSE"}[v == "YES" || v == "TRUE"]}})
		default:
			if modernParamOK(q) {
				out = append(out, q)
			} else {
				lost.add("ATTENDEE;" + q.name)
			}
		}
	}
	if role != "" {
		out = append(out, param{name: "ROLE", values: []string{role}})
	}
	if addr != "" {
		return out, "mailto:" + addr
	}
	return out, escapeModern(unescape(p.value), false)
}

// attendeeToVCal converts an iCalendar ATTENDEE to vCalendar's form.
func attendeeToVCal(p *prop, lost losses) ([]param, string) {
	addr := strings.TrimSpace(unescape(p.value))
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = strings.TrimSpace(addr[7:])
	}
	var out []param
	cn := ""
	for _, q := range p.params {
		v := strings.ToUpper(strings.Join(q.values, ","))
		switch q.name {
		case "CN":
			cn = strings.Join(q.values, ",")
		case "ROLE":
			switch v {
			case "CHAIR":
				out = append(out, param{name: "ROLE", values: []string{"ORGANIZER"}})
			case "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT":
				out = append(out, param{name: "EXPECT", values: []string{map[string]string{
					"REQ-PARTICIPANT": "REQUIRE", "OPT-PARTICIPANT": "REQUEST", "NON-PARTICIPANT": "FYI"}[v]}})
			default:
				lost.add("ATTENDEE;ROLE")
			}
		case "PARTSTAT":
			found := false
			for _, m := range partstat {
				if m[1] == v {
					out = append(out, param{name: "STATUS", values: []string{m[0]}})
					found = true
				}
			}
			if !found {
				lost.add("ATTENDEE;PARTSTAT")
			}
		case "RSVP":
			out = append(out, param{name: "RSVP", values: []string{map[bool]string{true: "YES", false: "NO"}[v == "TRUE"]}})
		default:
			if legacyParamOK(q) && strings.HasPrefix(q.name, "X-") {
				out = append(out, q)
			} else {
				lost.add("ATTENDEE;" + q.name)
			}
		}
	}
	if cn != "" && addr != "" {
		return out, cn + " <" + addr + ">"
	}
	if addr == "" {
		addr = cn
	}
	return out, addr
}

// splitAddress reads "Name <address>", "MAILTO:address" or "address".
func splitAddress(v string) (name, addr string) {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = strings.TrimSpace(v[7:])
	}
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.LastIndexByte(v, '>'); j > i {
			return strings.Trim(strings.TrimSpace(v[:i]), `"`), strings.TrimSpace(v[i+1 : j])
		}
	}
	if strings.Contains(v, "@") && !strings.ContainsAny(v, " :") {
		return "", v
	}
	return "", ""
}
