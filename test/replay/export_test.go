package replay_test

import (
	"anchorage/admin"
	"strings"
	"testing"
	"time"
)

// TestReplayFunambolOutlookExport replays the Funambol Outlook 3.0.15
// calendar sessions (SIF-E appointments, base64) and exports the calendar
// they leave in every format, live and as of now: every appointment is in
// the stream as an event, none is left out, none is passed through as SIF.
// A restore preview back to before the first session lists them all.
func TestReplayFunambolOutlookExport(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(-time.Second)
	var tc hordeCase
	for _, c := range hordeCases() {
		if c.testcase == "testcase_funambol_outlook3015_calendar" {
			tc = c
		}
	}
	h := replayHordeCase(t, tc)
	h.t = t
	for _, asOf := range []time.Time{{}, time.Now().Add(time.Second)} {
		for _, format := range []string{"", admin.FormatICal, admin.FormatVCal} {
			res, err := h.eng.Export(h.ctx, h.user, "calendar", admin.ExportOptions{Format: format, AsOf: asOf})
			if err != nil {
				t.Fatalf("export --format %q: %v", format, err)
			}
			for _, s := range res.Skipped {
				t.Errorf("export --format %q left out %s (%s): %v", format, s.GUID, s.Summary, s.Err)
			}
			out := string(res.Data)
			if res.Items != len(tc.final) || strings.Count(out, "BEGIN:VEVENT") != len(tc.final) {
				t.Errorf("export --format %q: %d items, %d events, want %d:\n%s",
					format, res.Items, strings.Count(out, "BEGIN:VEVENT"), len(tc.final), out)
			}
			for _, title := range tc.final {
				if !strings.Contains(out, "SUMMARY:"+title) {
					t.Errorf("export --format %q: no event %q in\n%s", format, title, out)
				}
			}
			if strings.Contains(out, "<appointment") || strings.Contains(out, "PGFwcG9pbnRtZW50") {
				t.Errorf("export --format %q passes SIF through:\n%s", format, out)
			}
			wantVersion := "VERSION:2.0"
			if format == admin.FormatVCal {
				wantVersion = "VERSION:1.0"
			}
			if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n"+wantVersion+"\r\n") {
				t.Errorf("export --format %q does not begin with %s:\n%s", format, wantVersion, out)
			}
		}
	}
	rep, err := h.eng.RestoreAsOf(h.ctx, h.user, "calendar", start, true)
	if err != nil {
		t.Fatalf("restore preview: %v", err)
	}
	var titles []string
	for _, c := range rep.Changes {
		if c.Op != "delete" || c.Summary == "" {
			t.Errorf("restore preview: %+v, want a delete with the item's title", c)
		}
		titles = append(titles, c.Summary)
	}
	if len(rep.Changes) != len(tc.final) {
		t.Errorf("restore preview: %d changes (%q), want %d", len(rep.Changes), titles, len(tc.final))
	}
}
