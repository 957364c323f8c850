package engine_test

import (
	"anchorage/admin"
	"context"
	"strings"
	"testing"

	"anchorage/protocol/pim"
	"anchorage/test/simclient"
)

// TestReceiveRefusesWhatIsNoItem: what a device sends is decided to be an
// item or not when it arrives. An iCalendar holding only a VTIMEZONE and a
// SIF contact that is not XML are refused (400) instead of being stored to
// break every later export; a SIF event with RecurrenceType 0, Interval 0
// and NoEndDate converts and is stored. What was accepted exports, in
// every format, without an item left out.
func TestReceiveRefusesWhatIsNoItem(t *testing.T) {
	eng, _, url := syncEngine(t)
	ctx := context.Background()
	cases := []struct {
		ds            simclient.Datastore
		good, bad     []string
		db            string
		formats       []string
		wantInExports string
	}{{
		ds: simclient.Datastore{Name: "calendar", Local: "./cal", Remote: "calendar", Type: "text/calendar"},
		good: []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev-1\r\nSUMMARY:Kept event\r\n" +
			"DTSTART:20250305T090000Z\r\nDTEND:20250305T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"},
		bad: []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\n" +
			"DTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"},
		db: "calendar", formats: []string{"", admin.FormatICal, admin.FormatVCal}, wantInExports: "Kept event",
	}, {
		ds: simclient.Datastore{Name: "sifcal", Local: "./scal", Remote: "scal", Type: pim.SIFEvent},
		good: []string{`<appointment><Subject>Daily zero</Subject><Start>20250306T090000Z</Start><End>20250306T100000Z</End>` +
			`<AllDayEvent>0</AllDayEvent><IsRecurring>1</IsRecurring><RecurrenceType>0</RecurrenceType><Interval>0</Interval>` +
			`<NoEndDate>1</NoEndDate></appointment>`},
		bad: []string{"garbage, not an appointment"},
		db:  "calendar", formats: []string{"", admin.FormatICal, admin.FormatVCal}, wantInExports: "Daily zero",
	}, {
		ds:   simclient.Datastore{Name: "sifcard", Local: "./scard", Remote: "scard", Type: pim.SIFContact},
		good: []string{`<contact><FirstName>Sif</FirstName><LastName>Kept</LastName></contact>`},
		bad:  []string{"garbage, not a contact", "<contact><FirstName>Broken"},
		db:   "contacts", formats: []string{"", admin.FormatVCard30, admin.FormatVCard21}, wantInExports: "Sif Kept",
	}}
	for i, c := range cases {
		d := simclient.New(simclient.Options{URL: url, User: "bob", Password: "pw",
			DeviceID: "itemcheck-" + c.ds.Name, Datastores: []simclient.Datastore{c.ds}})
		for _, it := range append(append([]string{}, c.good...), c.bad...) {
			if _, err := d.Add(c.ds.Name, it); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := d.Sync(ctx, simclient.Slow)
		if err != nil {
			t.Fatalf("%s: sync: %v", c.ds.Name, err)
		}
		st := rep.Stores[c.ds.Name]
		if st.Statuses[201] != len(c.good) || st.Statuses[400] != len(c.bad) {
			t.Errorf("%s: statuses %v, want 201 x%d and 400 x%d", c.ds.Name, st.Statuses, len(c.good), len(c.bad))
		}
		for _, f := range c.formats {
			res, err := eng.Export(ctx, "bob", c.db, admin.ExportOptions{Format: f})
			if err != nil {
				t.Fatalf("export %s --format %q: %v", c.db, f, err)
			}
			if len(res.Skipped) > 0 || !strings.Contains(string(res.Data), c.wantInExports) {
				t.Errorf("case %d: export %s --format %q: skipped %v, data:\n%s", i, c.db, f, res.Skipped, res.Data)
			}
		}
	}
}
