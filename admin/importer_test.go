package admin

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/store"
)

// A .vcf with a vCard 2.1 (QUOTED-PRINTABLE soft line break, LF line
// ends), a folded vCard 3.0 and a vCard with a UID.
const importCards = "BEGIN:VCARD\nVERSION:2.1\nN:M\xc3\xbcller;J\xc3\xb6rg\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=B6rg =\nM=C3=BCller\nTEL;CELL:+49 170 1\nEND:VCARD\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Alice;;;\r\nFN:Alice Smith\r\nNOTE:a long note that is\r\n  folded over two lines\r\nTEL;TYPE=CELL:+491702\r\nEND:VCARD\r\n" +
	"\r\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bob-1\r\nN:Jones;Bob;;;\r\nFN:Bob Jones\r\nEMAIL:bob@example.com\r\nEND:VCARD\r\n"

func (env *archEnv) importFile(user, db, name, data string) *ImportReport {
	env.t.Helper()
	rep, err := env.eng.Import(env.t.Context(), user, db, name, []byte(data))
	if err != nil {
		env.t.Fatalf("import %s: %v", name, err)
	}
	return rep
}

func importCounts(r *ImportReport) string {
	return fmt.Sprintf("added %d matched %d updated %d rejected %d", r.Added, r.Matched, r.Updated, r.Rejected)
}

func TestImportTwice(t *testing.T) {
	env := newArchEnv(t)
	if got := importCounts(env.importFile("alice", "contacts", "a.vcf", importCards)); got != "added 3 matched 0 updated 0 rejected 0" {
		t.Fatalf("first import: %s", got)
	}
	want := []string{"Alice Smith", "Bob Jones", "Jörg Müller"}
	if got := liveSummaries(env.live(env.user, engine.Contacts)); !slices.Equal(got, want) {
		t.Errorf("imported %q, want %q", got, want)
	}
	seq := env.lastSeq(engine.Contacts)
	if got := importCounts(env.importFile("alice", "contacts", "a.vcf", importCards)); got != "added 0 matched 3 updated 0 rejected 0" {
		t.Errorf("second import: %s", got)
	}
	if env.lastSeq(engine.Contacts) != seq {
		t.Errorf("importing the same file again wrote something")
	}
	// Bob (same UID) and Alice (same name and phone) changed: new versions.
	changed := strings.Replace(importCards, "bob@example.com", "bob@example.org", 1)
	changed = strings.Replace(changed, "  folded over two lines", "  folded over three lines", 1)
	if got := importCounts(env.importFile("alice", "contacts", "b.vcf", changed)); got != "added 0 matched 1 updated 2 rejected 0" {
		t.Errorf("import of changed cards: %s", got)
	}
	if got := env.live(env.user, engine.Contacts); len(got) != 3 {
		t.Errorf("after the update: %q", got)
	}
	hist, err := env.eng.History(t.Context(), "alice", "contacts", HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		if h.Origin != OriginImport {
			t.Errorf("history: %+v, want origin import", h)
		}
	}
	if len(hist) != 5 {
		t.Errorf("history has %d versions, want 5", len(hist))
	}
}

func liveSummaries(live []string) []string {
	var out []string
	for _, l := range live {
		_, s, _ := strings.Cut(l, "=")
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestImportMalformed(t *testing.T) {
	env := newArchEnv(t)
	lines := []string{
		"BEGIN:VCARD", "VERSION:3.0", "FN:One", "END:VCARD", // 1-4
		"this is junk",                                // 5
		"BEGIN:VCARD", "VERSION:3.0", "FN:Never ends", // 6-8
		"BEGIN:VCARD", "VERSION:3.0", "FN:Three", "END:VCARD", // 9-12
		"BEGIN:VCARD", "VERSION:3.0", "FN:Bad", "no colon here", "END:VCARD", // 13-17
		"END:VCARD",                                          // 18
		"BEGIN:VCARD", "VERSION:3.0", "FN:Five", "END:VCARD", // 19-22
	}
	rep := env.importFile("alice", "contacts", "m.vcf", strings.Join(lines, "\r\n"))
	if got := importCounts(rep); got != "added 3 matched 0 updated 0 rejected 4" {
		t.Errorf("import: %s", got)
	}
	for i, prefix := range []string{"m.vcf:5: text outside", "m.vcf:6: BEGIN:VCARD without END", "m.vcf:16: not a content line",
		"m.vcf:18: END:VCARD without BEGIN"} {
		if i >= len(rep.Problems) || !strings.HasPrefix(rep.Problems[i], prefix) {
			t.Errorf("problem %d: %q, want %q...", i, rep.Problems, prefix)
		}
	}
	if got := liveSummaries(env.live(env.user, engine.Contacts)); !slices.Equal(got, []string{"Five", "One", "Three"}) {
		t.Errorf("imported %q", got)
	}
}

// importCalendar has a VTIMEZONE used by one event, a UTC event, a
// recurrence exception of the first, a task and an unterminated event.
const importCalendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:PUBLISH\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Unused/Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly@test\r\nDTSTART;TZID=Europe/Berlin:20250303T090000\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Standup\r\n" +
	"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:trip@test\r\nDTSTART:20250401T060000Z\r\nSUMMARY:Trip\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly@test\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250310T090000\r\nDTSTART;TZID=Europe/Berlin:20250310T100000\r\nSUMMARY:Standup (moved)\r\nEND:VEVENT\r\n" +
	"BEGIN:VTODO\r\nUID:todo@test\r\nSUMMARY:A task\r\nEND:VTODO\r\n" +
	"BEGIN:VEVENT\r\nUID:broken@test\r\nSUMMARY:Broken\r\n" +
	"END:VCALENDAR\r\n"

func TestImportCalendar(t *testing.T) {
	env := newArchEnv(t)
	rep := env.importFile("alice", "calendar", "c.ics", importCalendar)
	if got := importCounts(rep); got != "added 2 matched 0 updated 0 rejected 2" {
		t.Errorf("import: %s %q", got, rep.Problems)
	}
	if len(rep.Problems) != 2 || !strings.HasPrefix(rep.Problems[0], "c.ics:42: a task, not for the calendar") ||
		!strings.HasPrefix(rep.Problems[1], "c.ics:46: BEGIN:VEVENT without END:VEVENT") {
		t.Errorf("problems: %q", rep.Problems)
	}
	var items []store.Item
	err := env.st.View(t.Context(), func(tx store.Tx) error {
		var err error
		items, err = tx.LiveItems(t.Context(), env.user, engine.Calendar, "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		data := string(it.Data)
		switch it.Summary {
		case "Standup":
			if !strings.Contains(data, "TZID:Europe/Berlin") || strings.Contains(data, "Unused/Zone") ||
				!strings.Contains(data, "Standup (moved)") || !strings.Contains(data, "END:VALARM") ||
				strings.Count(data, "BEGIN:VEVENT") != 2 {
				t.Errorf("the weekly event, its exception and its zone:\n%s", data)
			}
		case "Trip":
			if strings.Contains(data, "VTIMEZONE") || strings.Contains(data, "METHOD") || !strings.HasPrefix(data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n") {
				t.Errorf("the UTC event:\n%s", data)
			}
		default:
			t.Errorf("unexpected item %q", it.Summary)
		}
	}
	if got := importCounts(env.importFile("alice", "calendar", "c.ics", importCalendar)); got != "added 0 matched 2 updated 0 rejected 2" {
		t.Errorf("second import: %s", got)
	}
	if rep := env.importFile("alice", "tasks", "c.ics", importCalendar); rep.Added != 1 || rep.Rejected != 3 ||
		!strings.Contains(rep.Problems[0], ": an event, not for the tasks datastore") {
		t.Errorf("import into tasks: %s %q", importCounts(rep), rep.Problems)
	}
	if _, err := env.eng.Import(t.Context(), "alice", "calendar", "x.ics", []byte("B\x00E\x00")); err == nil {
		t.Errorf("import of UTF-16 succeeded")
	}
}

// TestExportImportRoundTrip exports every datastore, imports the streams
// into an empty user and exports again: the same items come out.
func TestExportImportRoundTrip(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	env.importFile("alice", "contacts", "a.vcf", importCards)
	env.importFile("alice", "calendar", "c.ics", importCalendar)
	env.importFile("alice", "tasks", "c.ics", importCalendar)
	env.put(engine.Tasks, "t2", "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VTODO\r\nUID:old@test\r\nSUMMARY:vCal task\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "phone", archT0)
	env.put(engine.Notes, "n1", "Shopping list\r\neggs\r\n\r\nflour\r\n", "phone", archT0)
	env.put(engine.Notes, "n2", "Gate code 4711", "phone", archT0)
	env.addUser("bob")
	for _, c := range []struct{ db, item string }{{"contacts", "VCARD"}, {"calendar", "VEVENT"}, {"tasks", "VTODO"}, {"notes", ""}} {
		first, err := exportAll(env.eng.Export(ctx, "alice", c.db, ExportOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		rep := env.importFile("bob", c.db, "export."+c.db, string(first))
		if rep.Rejected != 0 || rep.Added == 0 {
			t.Errorf("%s: import of the export: %s %q", c.db, importCounts(rep), rep.Problems)
		}
		second, err := exportAll(env.eng.Export(ctx, "bob", c.db, ExportOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		a, b := streamBlocks(string(first), c.item), streamBlocks(string(second), c.item)
		if !slices.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s: export -> import -> export differs:\n%q\n%q", c.db, a, b)
		}
	}
}

// streamBlocks returns the sorted BEGIN:name..END:name blocks of a stream, or
// its notes when name is "".
func streamBlocks(stream, name string) []string {
	var out []string
	if name == "" {
		out = strings.Split(stream, "\r\n\f\r\n")
	}
	for rest := stream; name != ""; {
		i := strings.Index(rest, "BEGIN:"+name+"\r\n")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], "END:"+name+"\r\n")
		out = append(out, rest[i:i+j])
		rest = rest[i+j:]
	}
	slices.Sort(out)
	return out
}

func TestExportAsOfAndFormat(t *testing.T) {
	env := newArchEnv(t)
	ctx := t.Context()
	h := func(n int) time.Time { return archT0.Add(time.Duration(n) * time.Hour) }
	env.put(engine.Contacts, "a", archCard("Alice", "+1"), "phone", h(1))
	env.put(engine.Contacts, "b", archCard("Bob", "+2"), "phone", h(1))
	env.put(engine.Contacts, "a", archCard("Alice New", "+1"), "phone", h(2))
	env.put(engine.Contacts, "b", "", "phone", h(3))
	for _, c := range []struct {
		at   time.Time
		want []string
	}{{h(0), nil}, {h(1), []string{"FN:Alice", "FN:Bob"}}, {h(2), []string{"FN:Alice New", "FN:Bob"}}, {time.Time{}, []string{"FN:Alice New"}}} {
		out, err := exportAll(env.eng.Export(ctx, "alice", "contacts", ExportOptions{AsOf: c.at, Format: FormatVCard30}))
		if err != nil {
			t.Fatal(err)
		}
		var fns []string
		for _, l := range strings.Split(string(out), "\r\n") {
			if strings.HasPrefix(l, "FN:") {
				fns = append(fns, l)
			}
		}
		slices.Sort(fns)
		if !slices.Equal(fns, c.want) {
			t.Errorf("export as of %v: %q, want %q", c.at, fns, c.want)
		}
	}
	out21, err := exportAll(env.eng.Export(ctx, "alice", "contacts", ExportOptions{Format: FormatVCard21}))
	if err != nil || !strings.Contains(string(out21), "VERSION:2.1") || strings.Contains(string(out21), "VERSION:3.0") {
		t.Errorf("export as vcard21: %q, %v", out21, err)
	}
	if _, err := exportAll(env.eng.Export(ctx, "alice", "contacts", ExportOptions{Format: FormatICal})); err == nil {
		t.Errorf("export of contacts as ical succeeded")
	}
	env.put(engine.Calendar, "e", "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "phone", h(1))
	out, err := exportAll(env.eng.Export(ctx, "alice", "calendar", ExportOptions{Format: FormatVCal}))
	if err != nil || !strings.HasPrefix(string(out), "BEGIN:VCALENDAR\r\nVERSION:1.0\r\n") {
		t.Errorf("export as vcal: %q, %v", out, err)
	}
}
