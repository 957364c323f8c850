package realclient_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Item generators and readers for the real-client tests.

var contactNames = []struct{ given, family string }{
	{"Alice", "Smith"}, {"Bob", "Jones"}, {"Jörg", "Müller"}, {"Carol", "White"},
	{"伟", "李"}, {"Dmitri", "Ivanov"}, {"Дмитрий", "Иванов"}, {"Zoë", "Ærøskøbing"},
	{"Frank", "Miller"}, {"Grace", "Hopper"}, {"Heidi", "Klum"}, {"Ivan", "Petrov"},
	{"Judy", "Garland"}, {"Ken", "Thompson"}, {"Linus", "Torvalds"}, {"Margaret", "Hamilton"},
	{"Niklaus", "Wirth"}, {"Olivia", "Øster"}, {"Peggy", "Sue"}, {"José", "Núñez"},
}

func vcard30(given, family, phone, email string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\n" +
		"N:" + family + ";" + given + ";;;\r\n" +
		"FN:" + given + " " + family + "\r\n" +
		"TEL;TYPE=CELL:" + phone + "\r\n" +
		"EMAIL;TYPE=INTERNET:" + email + "\r\n" +
		"END:VCARD\r\n"
}

func event(uid, summary, start string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Anchorage tests//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T100000Z\r\n" +
		"DTSTART:" + start + "\r\nDTEND:" + start[:9] + "235900Z\r\n" +
		"SUMMARY:" + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func task(uid, summary string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Anchorage tests//EN\r\n" +
		"BEGIN:VTODO\r\nUID:" + uid + "\r\nDTSTAMP:20261101T100000Z\r\n" +
		"SUMMARY:" + summary + "\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
}

// seedDevice writes 20 contacts, 3 events, 2 tasks and 2 notes.
func seedDevice(t *testing.T, d *device) {
	t.Helper()
	for i, n := range contactNames {
		d.write(t, "contacts", fmt.Sprintf("c%02d.vcf", i),
			vcard30(n.given, n.family, fmt.Sprintf("+4917000000%02d", i), fmt.Sprintf("person%02d@example.com", i)))
	}
	seedEvents(t, d)
	if !contains(d.sources, "todo") {
		return
	}
	d.write(t, "todo", "t1.ics", task("todo-1@test", "Buy milk"))
	d.write(t, "todo", "t2.ics", task("todo-2@test", "Renew passport"))
	d.write(t, "memo", "n1.txt", "Shopping list\neggs, flour, sugar\n")
	d.write(t, "memo", "n2.txt", "Gate code 4711 — Grüße\n")
}

// seedEvents writes seedDevice's 3 events.
func seedEvents(t *testing.T, d *device) {
	t.Helper()
	d.write(t, "calendar", "e1.ics", event("ev-1@test", "Team meeting", "20261201T090000Z"))
	d.write(t, "calendar", "e2.ics", event("ev-2@test", "Zahnarzt Müller", "20261203T140000Z"))
	d.write(t, "calendar", "e3.ics", event("ev-3@test", "Flight to 東京", "20261210T060000Z"))
}

// unfold joins folded content lines (RFC 6350 3.2, RFC 5545 3.1).
func unfold(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n ", "")
	s = strings.ReplaceAll(s, "\n\t", "")
	return strings.Split(s, "\n")
}

// props returns the values of a property in an item (any parameters).
func props(item, name string) []string {
	var out []string
	for _, l := range unfold(item) {
		i := strings.IndexByte(l, ':')
		if i < 0 {
			continue
		}
		head := l[:i]
		if j := strings.IndexByte(head, ';'); j >= 0 {
			head = head[:j]
		}
		if strings.EqualFold(head, name) {
			out = append(out, l[i+1:])
		}
	}
	return out
}

// keySet returns the sorted multiset of one property over items (one entry
// per item: its first value, or the whole text for notes when name is "").
func keySet(items map[string]string, name string) []string {
	var keys []string
	for _, it := range items {
		if name == "" {
			keys = append(keys, strings.TrimSpace(strings.ReplaceAll(it, "\r\n", "\n")))
			continue
		}
		v := props(it, name)
		if len(v) == 0 {
			keys = append(keys, "<none>")
			continue
		}
		keys = append(keys, v[0])
	}
	sort.Strings(keys)
	return keys
}

// splitStream splits an export stream into items between BEGIN:name and
// END:name lines.
func splitStream(stream, name string) map[string]string {
	out := map[string]string{}
	var cur []string
	in := false
	for _, l := range strings.Split(strings.ReplaceAll(stream, "\r\n", "\n"), "\n") {
		if strings.EqualFold(strings.TrimSpace(l), "BEGIN:"+name) {
			in, cur = true, nil
		}
		if in {
			cur = append(cur, l)
		}
		if in && strings.EqualFold(strings.TrimSpace(l), "END:"+name) {
			in = false
			out[fmt.Sprint(len(out))] = strings.Join(cur, "\n")
		}
	}
	return out
}

func equalLists(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
