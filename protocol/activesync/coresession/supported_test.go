package coresession_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/protocol/activesync"
)

// TestSupportedCalendarAndTasks: for calendar and tasks too, a property
// the device did not list in Supported is kept when its Change leaves it
// out, and one it listed is deleted.
func TestSupportedCalendarAndTasks(t *testing.T) {
	for _, tc := range []struct {
		folder     string
		class      activesync.Class
		item       func(extra string) string
		kept       string // a property only the first version has
		without    []string
		with       []string
		changeLine string
	}{
		{"calendar", activesync.ClassCalendar, func(extra string) string {
			return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:ev1\r\nSUMMARY:Meeting\r\nDTSTART:20260710T100000Z\r\nDTEND:20260710T110000Z\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n"
		}, "DESCRIPTION:Bring the slides", []string{"Subject", "StartTime", "EndTime", "Location"}, []string{"Subject", "StartTime", "EndTime", "Location", "Body"}, "LOCATION:Room 4\r\n"},
		{"tasks", activesync.ClassTasks, func(extra string) string {
			return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Taxes\r\n" + extra + "END:VTODO\r\nEND:VCALENDAR\r\n"
		}, "DESCRIPTION:Form B", []string{"Subject", "DueDate", "Importance"}, []string{"Subject", "DueDate", "Importance", "Body"}, "PRIORITY:1\r\n"},
	} {
		t.Run(tc.folder, func(t *testing.T) {
			b, _ := newBackend(t)
			a := login(t, b, "dev-a")
			k := mustSync(t, a, activesync.SyncRequest{FolderID: tc.folder, SyncKey: "0"}).SyncKey
			r := mustSync(t, a, activesync.SyncRequest{FolderID: tc.folder, SyncKey: k, Commands: []activesync.ClientCommand{
				{Kind: activesync.CmdAdd, ClientID: "c1", Item: activesync.Item{Class: tc.class, Data: []byte(tc.item(tc.kept + "\r\n"))}}}})
			id := r.Results[0].ServerID
			for _, dev := range []struct {
				id        string
				supported []string
				wantKept  bool
			}{{"dev-b", tc.without, true}, {"dev-c", tc.with, false}} {
				s := login(t, b, dev.id)
				k := mustSync(t, s, activesync.SyncRequest{FolderID: tc.folder, SyncKey: "0", Supported: dev.supported}).SyncKey
				got, k, _ := drainFolder(t, s, tc.folder, k, 10)
				if len(got) != 1 {
					t.Fatalf("%s got %d items", dev.id, len(got))
				}
				mustSync(t, s, activesync.SyncRequest{FolderID: tc.folder, SyncKey: k, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
					ServerID: got[0].ServerID, Item: activesync.Item{Class: tc.class, Data: []byte(tc.item(tc.changeLine))}}}})
				fetched, err := a.Fetch(context.Background(), tc.folder, id)
				if err != nil {
					t.Fatal(err)
				}
				data := string(fetched.Data)
				if strings.Contains(data, tc.kept) != dev.wantKept || !strings.Contains(data, strings.TrimSpace(tc.changeLine)) {
					t.Errorf("after the change of %s (Supported %v) the item is:\n%s\nwant %q kept: %v, and the change", dev.id, dev.supported, data, tc.kept, dev.wantKept)
				}
			}
		})
	}
}
