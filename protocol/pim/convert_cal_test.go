package pim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// calView is what a calendar item means, independent of the format: the
// fields the round trips and the comparison with kcalendarcore's
// references check. Times are instants ("U:20060406T140000Z"), dates
// ("D:20060406") or floating local times ("F:20060406T140000"); alarms are
// offsets from the start; lists are sorted.
type calView map[string]string

// calViews reads the VEVENTs and VTODOs of an item of either format.
func calViews(t *testing.T, data []byte) []calView {
	t.Helper()
	root := parse(data)
	cal := root.find("VCALENDAR")
	if cal == nil {
		cal = root
	}
	legacy := calendarVersion(root, "") == fmtVCal
	var vz *zone
	ic := &icalConv{zones: map[string]*zone{}, lost: losses{}}
	if legacy {
		vz = vcalZone(cal)
	} else {
		for _, ch := range cal.children {
			if ch.name == "VTIMEZONE" {
				z := parseVTimezone(ch)
				ic.zones[z.tzid] = z
			}
		}
	}
	// instant resolves a time; start is the item's start, for the
	// KOrganizer rule that a local UNTIL of a UTC event is UTC.
	instant := func(ct calTime, start string) (string, time.Time) {
		switch {
		case ct.date:
			return "D:" + ct.String(), ct.t
		case ct.utc:
			return "U:" + ct.String(), ct.t
		case ct.tzid != "":
			if z := ic.zoneFor(ct.tzid); z != nil {
				u := z.toUTC(ct.t)
				return "U:" + u.Format(layoutDateTime) + "Z", u
			}
		case vz != nil:
			u := vz.toUTC(ct.t)
			return "U:" + u.Format(layoutDateTime) + "Z", u
		case strings.HasPrefix(start, "U:"):
			return "U:" + ct.String() + "Z", ct.t
		}
		return "F:" + ct.t.Format(layoutDateTime), ct.t
	}
	timeOfView := func(p *prop) (calTime, bool) {
		ct, err := timeOf(p)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		return ct, true
	}
	var views []calView
	for _, it := range cal.children {
		if it.name != "VEVENT" && it.name != "VTODO" {
			continue
		}
		v := calView{"kind": it.name}
		for _, name := range []string{"UID", "SUMMARY", "DESCRIPTION", "LOCATION", "CLASS", "PRIORITY"} {
			if s := it.text(name); s != "" {
				v[name] = strings.Join(physicalLines(s), "\n")
			}
		}
		if p := it.prop("STATUS"); p != nil {
			v["STATUS"], _ = statusToICal(unescape(p.value), it.name)
		}
		var start, end time.Time
		allDay := false
		if legacy && it.name == "VEVENT" {
			var s, e time.Time
			if s, e, allDay = vcalAllDay(it); allDay {
				v["DTSTART"], v["DTEND"], start, end = "D:"+s.Format(layoutDate), "D:"+e.Format(layoutDate), s, e
			}
		}
		if p := it.prop("DTSTART"); p != nil && !allDay {
			ct, _ := timeOfView(p)
			v["DTSTART"], start = instant(ct, "")
			allDay = ct.date && it.name == "VEVENT"
		}
		endName := map[string]string{"VEVENT": "DTEND", "VTODO": "DUE"}[it.name]
		if p := it.prop(endName); p != nil && v[endName] == "" {
			ct, _ := timeOfView(p)
			v[endName], end = instant(ct, v["DTSTART"])
		} else if p := it.prop("DURATION"); p != nil && v[endName] == "" {
			d, _ := parseDuration(p.value)
			end = start.Add(d)
			v[endName] = v["DTSTART"][:2] + end.Format(map[bool]string{true: layoutDate, false: layoutDateTime}[allDay])
			if strings.HasPrefix(v[endName], "U:") {
				v[endName] += "Z"
			}
		} else if allDay && v[endName] == "" {
			end = start.AddDate(0, 0, 1)
			v[endName] = "D:" + end.Format(layoutDate)
		}
		if p := it.prop("COMPLETED"); p != nil {
			ct, _ := timeOfView(p)
			v["COMPLETED"], _ = instant(ct, "")
		}
		var lists = map[string][]string{}
		for i := range it.props {
			p := &it.props[i]
			switch p.name {
			case "RRULE", "X-RRULE":
				var r recur
				var err error
				if legacy && p.name == "RRULE" {
					r, err = parseRecur10(unescape(p.value), start)
				} else {
					r, err = parseRecur20(p.value)
				}
				if err != nil && legacy {
					v["RRULE"] = "unreadable " + p.value // kept as X-VCALENDAR-RRULE
					continue
				}
				if err != nil {
					t.Fatalf("RRULE %q: %v", p.value, err)
				}
				if r.until != "" {
					u, err := parseCalTime(r.until, "", false)
					if err != nil {
						t.Fatalf("UNTIL %q: %v", r.until, err)
					}
					if allDay {
						u = calTime{t: u.t.Truncate(24 * time.Hour), date: true}
					} else if u.date {
						u = calTime{t: u.t.Add(24*time.Hour - time.Second), tzid: startTZID(it)}
					}
					r.until, _ = instant(u, v["DTSTART"])
				}
				if legacy && r.freq == "MONTHLY" && len(r.byDay) == 0 && len(r.byMonthDay) == 0 {
					r.byMonthDay = nil // "MD1": the day of the start, as FREQ=MONTHLY
				}
				v["RRULE"] = r.String()
			case vcalRulePrefix + "RRULE":
				v["RRULE"] = "unreadable " + p.value
			case "EXDATE", "RDATE":
				for _, s := range splitUnescaped(unescape(p.value), ";,") {
					ct, err := parseCalTime(s, normTZIDParam(p), strings.EqualFold(p.param("VALUE"), "DATE"))
					if err != nil {
						t.Fatalf("%s %q: %v", p.name, s, err)
					}
					if allDay {
						ct = calTime{t: ct.t.Truncate(24 * time.Hour), date: true}
					} else if ct.date {
						lists[p.name] = append(lists[p.name], "D:"+ct.String())
						continue
					}
					s, _ := instant(ct, v["DTSTART"])
					lists[p.name] = append(lists[p.name], s)
				}
			case "CATEGORIES":
				for _, s := range splitUnescaped(p.value, ",;") {
					lists["CATEGORIES"] = append(lists["CATEGORIES"], strings.TrimSpace(unescape(s)))
				}
			case "ATTENDEE":
				name, addr := splitAddress(unescape(p.value))
				if name == "" {
					name = p.param("CN")
				}
				lists["ATTENDEE"] = append(lists["ATTENDEE"], strings.ToLower(addr)+"|"+name)
			case "AALARM", "DALARM", "PALARM", "MALARM":
				f := append(splitUnescaped(p.value, ";"), "", "", "", "")
				ct, err := parseCalTime(unescape(f[0]), "", false)
				if err != nil {
					t.Fatalf("%s %q: %v", p.name, p.value, err)
				}
				_, run := instant(ct, v["DTSTART"])
				base := start
				if allDay {
					_, base = instant(calTime{t: start}, "")
				}
				if it.name == "VTODO" && it.prop("DTSTART") == nil {
					base = end
				}
				action := vcalActions[p.name]
				if p.name == "AALARM" && f[3] == "" && slices.ContainsFunc(it.props, func(q prop) bool {
					return q.name == "DALARM" && strings.HasPrefix(q.value, f[0])
				}) {
					continue // the AALARM twin of a DALARM
				}
				lists["ALARM"] = append(lists["ALARM"], action+formatDuration(run.Sub(base)))
			}
		}
		for _, a := range it.children {
			if a.name != "VALARM" {
				continue
			}
			p := a.prop("TRIGGER")
			var off time.Duration
			if d, err := parseDuration(p.value); err == nil {
				off = d // from the start, or from DUE for a task without one
				if strings.EqualFold(p.param("RELATED"), "END") && it.prop("DTSTART") != nil {
					off += end.Sub(start)
				}
			} else {
				ct, _ := timeOfView(p)
				_, at := instant(ct, "")
				off = at.Sub(start)
			}
			lists["ALARM"] = append(lists["ALARM"], strings.ToUpper(a.text("ACTION"))+formatDuration(off))
		}
		for k, l := range lists {
			slices.Sort(l)
			v[k] = strings.Join(l, " ")
		}
		views = append(views, v)
	}
	return views
}

// startTZID returns the TZID of an item's DTSTART.
func startTZID(it *component) string {
	if p := it.prop("DTSTART"); p != nil {
		return normTZIDParam(p)
	}
	return ""
}

// compareViews fails for fields of a that b lacks or has otherwise;
// fields in skip are not compared.
func compareViews(t *testing.T, what string, a, b []calView, skip ...string) bool {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d items, want %d", what, len(b), len(a))
		return false
	}
	ok := true
	for i := range a {
		for k, va := range a[i] {
			if slices.Contains(skip, k) {
				continue
			}
			if vb := b[i][k]; va != vb {
				t.Errorf("%s: item %d %s = %q, want %q", what, i, k, vb, va)
				ok = false
			}
		}
	}
	return ok
}

// propNames returns the names of the properties of the VEVENTs and
// VTODOs of an item (with "VALARM/" for those of alarms).
func propNames(data []byte) []string {
	var names []string
	var walk func(c *component, prefix string)
	walk = func(c *component, prefix string) {
		for _, ch := range c.children {
			switch ch.name {
			case "VEVENT", "VTODO":
				for _, p := range ch.props {
					names = append(names, p.name)
				}
				walk(ch, "")
			case "VALARM":
				for _, p := range ch.props {
					names = append(names, "VALARM/"+p.name)
				}
			case "VCALENDAR":
				walk(ch, prefix)
			}
		}
	}
	walk(parse(data), "")
	slices.Sort(names)
	return slices.Compact(names)
}

// checkGoICal fails unless go-ical reads an iCalendar output with as many
// events and tasks as the source had.
func checkGoICal(t *testing.T, out []byte, items int) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read the output: %v\n%s", err, out)
	}
	n := 0
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent || c.Name == ical.CompToDo {
			n++
			if p := c.Props.Get(ical.PropDateTimeStart); p != nil && p.Params.Get(ical.PropTimezoneID) == "" {
				if _, err := p.DateTime(time.UTC); err != nil {
					t.Errorf("go-ical cannot read DTSTART %q: %v", p.Value, err)
				}
			}
		}
	}
	if n != items {
		t.Errorf("go-ical finds %d events and tasks, want %d", n, items)
	}
}

// vcalCorpus returns the vCalendar 1.0 items of the corpora and some
// constructed ones.
func vcalCorpus(t *testing.T) map[string][]byte {
	root := sharedFixtures()
	items := map[string][]byte{}
	if root == "" {
		items = projectCorpus(t, "vcal/*.in.vcs", "ical/*.out.vcs")
	}
	for _, pattern := range []string{vcalDir + "*.vcs", vcalDir + "*.vcs.all",
		"kcalendarcore/autotests/data/vCalendar-libicalV4/*.vcs", "biweekly/src/test/resources/biweekly/io/text/*.vcs",
		osData + "vevents/kdepim/*.vcs", osData + "vtodos/kdepim/*.vcs"} {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		for _, f := range m {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, f)
			items[rel] = data
		}
	}
	for name, data := range constructedVCal {
		items["constructed/"+name] = []byte(data)
	}
	return items
}

// constructedVCal are vCalendar items for what the corpora lack: TZ and
// DAYLIGHT with local times, alarms, all-day forms, tasks, QUOTED-PRINTABLE.
var constructedVCal = map[string]string{
	"berlin.vcs": "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:+01\r\nDAYLIGHT:TRUE;+02;20260329T020000;20261025T030000;CET;CEST\r\n" +
		"BEGIN:VEVENT\r\nUID:b1\r\nSUMMARY;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:K=E4se, Wein; Brot\r\n" +
		"DTSTART:20260601T100000\r\nDTEND:20260601T110000\r\nRRULE:W1 MO WE #0\r\nEXDATE:20260603T100000;20260610T100000\r\n" +
		"AALARM:20260601T094500;;;\r\nDALARM:20260601T094500;;;Los!\r\nCATEGORIES:Business;Personal\r\n" +
		"DESCRIPTION;ENCODING=QUOTED-PRINTABLE:Zeile 1=0D=0AZeile 2\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:b2\r\nDTSTART:20261201T000000\r\nDTEND:20261201T235900\r\nSUMMARY:all day\r\n" +
		"AALARM:20261130T180000\r\nRRULE:YM1 #5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"nokia-todo.vcs": "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Pay\r\nDUE:20261201T170000Z\r\n" +
		"PRIORITY:1\r\nSTATUS:NEEDS ACTION\r\nAALARM:20261201T160000Z\r\nCLASS:PRIVATE\r\nEND:VTODO\r\n" +
		"BEGIN:VTODO\r\nUID:t2\r\nSUMMARY:Done\r\nDUE:20261130\r\nSTATUS:COMPLETED\r\nCOMPLETED:20261129T101500Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
	"allday-forms.vcs": "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nTZ:-10\r\n" +
		"BEGIN:VEVENT\r\nUID:a1\r\nSUMMARY:date only\r\nDTSTART:20261231\r\nDTEND:20261231\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:a2\r\nSUMMARY:midnight to midnight\r\nDTSTART:20260301T000000\r\nDTEND:20260303T000000\r\n" +
		"RRULE:D1 20260310T000000\r\nEXDATE:20260305T000000\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:a3\r\nSUMMARY:three days\r\nDTSTART:20260228T000000\r\nDTEND:20260302T235900\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n",
	"rrules.vcs": "BEGIN:VCALENDAR\r\nVERSION:1.0\r\n" +
		"BEGIN:VEVENT\r\nUID:r1\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:D1 #10\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r2\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:MP1 1+ MO #0\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r3\r\nDTSTART:20260115T090000Z\r\nDTEND:20260115T100000Z\r\nRRULE:MD1 15 20261231T000000Z\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r4\r\nDTSTART:20260115T090000Z\r\nDTEND:20260115T100000Z\r\nRRULE:YD1 15 #3\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r5\r\nDTSTART:20260131T090000Z\r\nDTEND:20260131T100000Z\r\nRRULE:MD2 1 LD #4\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:r6\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:MP1 1+ 2- MO TU 3+ FR #6\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n",
}

// icalCorpus returns the iCalendar 2.0 events and tasks of the corpora,
// one per item.
func icalCorpus(t *testing.T) map[string][]byte {
	root := sharedFixtures()
	if root == "" {
		return projectCorpus(t, "ical/*.in.ics", "vcal/*.out.ics")
	}
	items := map[string][]byte{}
	for _, pattern := range []string{evoTests + "eds_event.ics", evoTests + "eds_task.ics", evoTests + "eds_event-alarms-*.ics",
		osData + "vevents/evolution2/*.vcf", osData + "vtodos/evolution2/*.vcf", osData + "vevents/kdepim/*.ics",
		vcalDir + "*.ical.ref", vcalDir + "*.ics.all"} {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		for _, f := range m {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, f)
			for i, it := range splitItems(data, "VCALENDAR") {
				items[fmt.Sprintf("%s#%d", rel, i)] = it
			}
		}
	}
	return items
}

// TestVCalendarRoundTrip converts every vCalendar item to iCalendar and
// back. The iCalendar form must mean what the vCalendar item means, go-ical
// must read it, and the item must come back with the same meaning and
// every property it had, except those Unrepresentable reports.
func TestVCalendarRoundTrip(t *testing.T) {
	items := vcalCorpus(t)
	n := 0
	for name, data := range items {
		t.Run(name, func(t *testing.T) {
			mid := mustConvert(t, data, "text/x-vcalendar", "text/calendar")
			back := mustConvert(t, mid, "text/calendar", "text/x-vcalendar")
			orig := calViews(t, data)
			checkGoICal(t, mid, len(orig))
			if compareViews(t, "iCalendar form", orig, calViews(t, mid)) &&
				compareViews(t, "round trip", orig, calViews(t, back)) {
				n++
			}
			checkLossesReported(t, data, back, back, append(Unrepresentable("text/x-vcalendar", "text/calendar", data),
				Unrepresentable("text/calendar", "text/x-vcalendar", mid)...))
		})
	}
	t.Logf("vCalendar items round-tripped: %d of %d", n, len(items))
	if len(items) < 25 {
		t.Errorf("only %d vCalendar items", len(items))
	}
}

// checkLossesReported fails for every property of data that the round trip
// (back) lost and Unrepresentable did not list in lost; shown is printed.
func checkLossesReported(t *testing.T, data, back, shown []byte, lost []string) {
	t.Helper()
	backNames := propNames(back)
	for _, p := range propNames(data) {
		if !slices.Contains(backNames, p) && !slices.Contains(lost, p) {
			t.Errorf("%s lost without being reported (lost: %q)\n%s", p, lost, shown)
		}
	}
}

// TestICalendarRoundTrip converts every iCalendar event and task to
// vCalendar and back.
func TestICalendarRoundTrip(t *testing.T) {
	items := icalCorpus(t)
	n := 0
	for name, data := range items {
		t.Run(name, func(t *testing.T) {
			mid := mustConvert(t, data, "text/calendar", "text/x-vcalendar")
			back := mustConvert(t, mid, "text/x-vcalendar", "text/calendar")
			orig := calViews(t, data)
			checkGoICal(t, back, len(orig))
			if compareViews(t, "vCalendar form", orig, calViews(t, mid)) &&
				compareViews(t, "round trip", orig, calViews(t, back)) {
				n++
			}
			checkLossesReported(t, data, back, mid, Unrepresentable("text/calendar", "text/x-vcalendar", data))
		})
	}
	t.Logf("iCalendar items round-tripped: %d of %d", n, len(items))
	if len(items) < 30 {
		t.Errorf("only %d iCalendar items", len(items))
	}
}

// TestKCalendarCoreReferences compares our iCalendar form of
// kcalendarcore's vCalendar test cases with the iCalendar kcalendarcore
// writes for them, on what both say about start, end, recurrence,
// exceptions, summary and alarms.
func TestKCalendarCoreReferences(t *testing.T) {
	root := fixturesDir(t)
	files, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(vcalDir), "*.vcs"))
	if len(files) == 0 {
		t.Skip("kcalendarcore vCalendar test data not found")
	}
	n := 0
	for _, f := range files {
		ref, err := os.ReadFile(f + ".ical.ref")
		if err != nil {
			continue
		}
		data, _ := os.ReadFile(f)
		out := mustConvert(t, data, "text/x-vcalendar", "text/calendar")
		want, got := calViews(t, ref), calViews(t, out)
		for _, v := range append(want, got...) {
			for k := range v {
				if !slices.Contains([]string{"DTSTART", "DTEND", "RRULE", "EXDATE", "SUMMARY", "ALARM"}, k) {
					delete(v, k)
				}
			}
		}
		if compareViews(t, filepath.Base(f), want, got) {
			n++
		}
	}
	t.Logf("kcalendarcore references matched: %d of %d", n, len(files))
	if n != len(files) {
		t.Errorf("%d of %d references differ", len(files)-n, len(files))
	}
}
