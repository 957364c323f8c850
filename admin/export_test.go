package admin

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/store"
)

// exportAll is Export that fails when an item was left out.
func exportAll(res *ExportResult, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if len(res.Skipped) > 0 {
		return res.Data, res.Skipped[0].Err
	}
	return res.Data, nil
}

// putTyped stores one item version of the given type as a device's write
// does; withCanonical false stores it as a server without canonical forms
// (or a conversion that failed) left it.
func (env *archEnv) putTyped(ds, guid, ct, data string, canonical bool) {
	env.t.Helper()
	info := pim.Describe(ct, []byte(data))
	w := &store.ItemWrite{UserID: env.user, Datastore: ds, GUID: guid, ContentType: ct, Data: []byte(data),
		UID: info.UID, MatchKey: info.MatchKey, Summary: info.Summary, Origin: "dev", Time: env.clock}
	if canonical {
		w = engine.WithCanonical(w)
	}
	if err := env.st.Update(env.t.Context(), func(tx store.Tx) error {
		_, err := tx.WriteItem(env.t.Context(), w)
		return err
	}); err != nil {
		env.t.Fatal(err)
	}
}

// TestExportEveryStoredType exports datastores holding SIF contacts,
// events, tasks and notes (with and without a stored canonical form),
// vCard 2.1 and vCalendar 1.0 in every format: each item is in the stream
// in the format asked for, never as SIF; an item no form of which the
// stream can hold is left out and named, and the rest is exported.
func TestExportEveryStoredType(t *testing.T) {
	env := newArchEnv(t)
	const (
		sifC   = `<contact><FirstName>Anna</FirstName><LastName>Sif</LastName><Email1Address>anna@example.org</Email1Address></contact>`
		sifC2  = `<contact><FirstName>Old</FirstName><LastName>Sif</LastName></contact>`
		sifE   = `<appointment><Subject>Sif meeting</Subject><Start>20250305T090000Z</Start><End>20250305T100000Z</End><AllDayEvent>0</AllDayEvent><IsRecurring>1</IsRecurring><RecurrenceType>0</RecurrenceType><Interval>0</Interval><NoEndDate>1</NoEndDate></appointment>`
		sifT   = `<task><Subject>Sif task</Subject><DueDate>2025-03-07</DueDate><Complete>0</Complete></task>`
		sifN   = `<note><Subject>Sif note</Subject><Body>Sif note body</Body></note>`
		vc21   = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Old;Card\r\nFN:Card Old\r\nTEL;CELL:+491701234\r\nEND:VCARD\r\n"
		vcal   = "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:Vcal event\r\nDTSTART:20250306T090000Z\r\nDTEND:20250306T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		tzOnly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
	)
	env.putTyped(engine.Contacts, "c1", pim.SIFContact, sifC, true)
	env.putTyped(engine.Contacts, "c2", pim.SIFContact, sifC2, false)
	env.putTyped(engine.Contacts, "c3", "text/x-vcard", vc21, true)
	env.putTyped(engine.Contacts, "c4", pim.SIFContact, "garbage", false)
	// SIF as the clients send it, base64 text: one converts, one does not.
	env.putTyped(engine.Contacts, "c5", pim.SIFContact, base64.StdEncoding.EncodeToString([]byte(`<contact><FirstName>Base</FirstName><LastName>Sixtyfour</LastName></contact>`)), false)
	env.putTyped(engine.Contacts, "c6", pim.SIFContact, base64.StdEncoding.EncodeToString([]byte("<contact><FirstName>Broken")), false)
	env.putTyped(engine.Calendar, "e1", pim.SIFEvent, sifE, true)
	env.putTyped(engine.Calendar, "e2", "text/x-vcalendar", vcal, true)
	env.putTyped(engine.Calendar, "e3", "text/calendar", tzOnly, false)
	env.putTyped(engine.Tasks, "t1", pim.SIFTask, sifT, false)
	env.putTyped(engine.Notes, "n1", pim.SIFNote, sifN, true)
	env.clock = env.clock.Add(time.Hour)

	cases := []struct {
		ds, format string
		want       []string // in the stream
		version    string   // every VERSION line of the stream
		skipped    string   // GUID left out
	}{
		{engine.Contacts, "", []string{"Anna", "anna@example.org", "FN:Old Sif", "FN:Card Old", "FN:Base Sixtyfour"}, "", "c4 c6"},
		{engine.Contacts, FormatVCard30, []string{"Anna", "FN:Old Sif", "FN:Card Old", "FN:Base Sixtyfour"}, "3.0", "c4 c6"},
		{engine.Contacts, FormatVCard21, []string{"Anna", "FN:Old Sif", "FN:Card Old", "FN:Base Sixtyfour"}, "2.1", "c4 c6"},
		{engine.Calendar, "", []string{"SUMMARY:Sif meeting", "SUMMARY:Vcal event"}, "", "e3"},
		{engine.Calendar, FormatICal, []string{"SUMMARY:Sif meeting", "RRULE:FREQ=DAILY", "SUMMARY:Vcal event"}, "2.0", "e3"},
		{engine.Calendar, FormatVCal, []string{"SUMMARY:Sif meeting", "SUMMARY:Vcal event"}, "1.0", "e3"},
		{engine.Tasks, "", []string{"BEGIN:VTODO", "SUMMARY:Sif task"}, "2.0", ""},
		{engine.Tasks, FormatVCal, []string{"BEGIN:VTODO", "SUMMARY:Sif task"}, "1.0", ""},
		{engine.Notes, "", []string{"Sif note body"}, "", ""},
	}
	for _, asOf := range []bool{false, true} {
		for _, c := range cases {
			opts := ExportOptions{Format: c.format}
			if asOf {
				opts.AsOf = env.clock
			}
			res, err := env.eng.Export(t.Context(), "alice", c.ds, opts)
			if err != nil {
				t.Fatalf("export %s --format %q (as of: %v): %v", c.ds, c.format, asOf, err)
			}
			out := string(res.Data)
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("export %s --format %q: no %q in\n%s", c.ds, c.format, w, out)
				}
			}
			if strings.Contains(out, "<") || strings.Contains(out, "PGNvbnRhY3") {
				t.Errorf("export %s --format %q holds SIF:\n%s", c.ds, c.format, out)
			}
			for _, l := range strings.Split(out, "\r\n") {
				if v, ok := strings.CutPrefix(l, "VERSION:"); ok && c.version != "" && v != c.version && c.ds != engine.Calendar {
					t.Errorf("export %s --format %q: VERSION:%s, want %s", c.ds, c.format, v, c.version)
				} else if ok && c.ds == engine.Calendar && c.version != "" && !strings.Contains(out, "VERSION:"+c.version) {
					t.Errorf("export %s --format %q: no VERSION:%s", c.ds, c.format, c.version)
				}
			}
			var skipped []string
			for _, s := range res.Skipped {
				if s.Err == nil {
					t.Errorf("skipped %s without a reason", s.GUID)
				}
				skipped = append(skipped, s.GUID)
			}
			if want := strings.Fields(c.skipped); strings.Join(skipped, " ") != strings.Join(want, " ") {
				t.Errorf("export %s --format %q: skipped %q, want %q", c.ds, c.format, skipped, want)
			}
		}
	}
}
