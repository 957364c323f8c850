package coresession_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"anchorage/protocol/activesync"
)

// event is a one-hour event starting at start.
func event(uid string, start time.Time) activesync.Item {
	f := "20060102T150405Z"
	return activesync.Item{Class: activesync.ClassCalendar, Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nSUMMARY:" + uid + "\r\nDTSTART:" + start.UTC().Format(f) + "\r\nDTEND:" + start.Add(time.Hour).UTC().Format(f) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")}
}

// summaries names changes by kind and summary, sorted.
func summaries(changes []activesync.ServerChange) string {
	var out []string
	for _, c := range changes {
		out = append(out, fmt.Sprintf("%d:%s", c.Kind, property(c.Item, "SUMMARY")))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// property is the value of an item's first line for the property name,
// else the whole item.
func property(it activesync.Item, name string) string {
	s := string(it.Data)
	if i := strings.Index(s, name+":"); i >= 0 {
		s = s[i+len(name)+1:]
		s = s[:strings.Index(s, "\r")]
	}
	return s
}

// TestCalendarFilterType: a device that asks for two weeks of the
// calendar gets only the events that end within or after them; an event
// it holds that moves out of the window is SoftDeleted on it and stays on
// the server; a changed FilterType sends the device back to SyncKey 0,
// after which it gets the new window.
func TestCalendarFilterType(t *testing.T) {
	b, _ := newBackend(t)
	now := time.Now()
	a := login(t, b, "dev-a")
	req := activesync.SyncRequest{FolderID: "calendar", SyncKey: mustSync(t, a, activesync.SyncRequest{FolderID: "calendar", SyncKey: "0"}).SyncKey}
	for i, start := range []time.Time{now.AddDate(0, -2, 0), now.AddDate(0, 0, -20), now.AddDate(0, 0, -3), now.AddDate(0, 0, 5), now.AddDate(1, 0, 0)} {
		req.Commands = append(req.Commands, activesync.ClientCommand{Kind: activesync.CmdAdd, ClientID: fmt.Sprint(i), Item: event(fmt.Sprintf("ev%d", i), start)})
	}
	ra := mustSync(t, a, req)

	bdev := login(t, b, "dev-b")
	// Like TbSync, B sends its FilterType after SyncKey 0 only.
	k0 := mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: "0"}).SyncKey
	mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: k0, FilterType: 4, FilterSet: true})
	if n, err := bdev.Estimate(context.Background(), "calendar", k0); err != nil || n != 3 {
		t.Errorf("estimate under FilterType 4: %d %v, want 3", n, err)
	}
	r := mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: k0, GetChanges: true, FilterType: 4, FilterSet: true})
	if got, want := summaries(r.Changes), fmt.Sprintf("%[1]d:ev2 %[1]d:ev3 %[1]d:ev4", activesync.CmdAdd); got != want {
		t.Fatalf("two weeks of the calendar: %s, want %s", got, want)
	}
	kb := r.SyncKey
	ev3 := ra.Results[3].ServerID

	// An event A adds out of B's window is no change for B (Ping).
	ra = mustSync(t, a, activesync.SyncRequest{FolderID: "calendar", SyncKey: ra.SyncKey, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "old", Item: event("old", now.AddDate(-1, 0, 0))}}})
	if ch, err := bdev.(activesync.Pusher).Changed(context.Background(), []string{"calendar"}); err != nil || len(ch) != 0 {
		t.Errorf("Changed after an event out of B's window: %v %v, want none", ch, err)
	}

	// A moves ev3 two months back: it leaves B's window.
	mustSync(t, a, activesync.SyncRequest{FolderID: "calendar", SyncKey: ra.SyncKey, Commands: []activesync.ClientCommand{{Kind: activesync.CmdChange,
		ServerID: ev3, Item: event("ev3", now.AddDate(0, -2, 0))}}})
	r = mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: kb, GetChanges: true})
	if len(r.Changes) != 1 || r.Changes[0].Kind != activesync.CmdSoftDelete {
		t.Fatalf("after ev3 left the window B gets %s, want one SoftDelete", summaries(r.Changes))
	}
	kb = r.SyncKey
	if fetched, err := a.Fetch(context.Background(), "calendar", ev3); err != nil || !strings.Contains(string(fetched.Data), "ev3") {
		t.Errorf("ev3 on the server after the SoftDelete: %v %s", err, fetched.Data)
	}

	// B widens its window to everything: status 3, then SyncKey 0.
	if _, err := bdev.Sync(context.Background(), activesync.SyncRequest{FolderID: "calendar", SyncKey: kb, GetChanges: true, FilterType: 0, FilterSet: true}); err != activesync.ErrInvalidSyncKey {
		t.Fatalf("a changed FilterType: %v, want ErrInvalidSyncKey", err)
	}
	k0 = mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: "0", FilterType: 0, FilterSet: true}).SyncKey
	got, _, _ := drainFolder(t, bdev, "calendar", k0, 100)
	if len(got) != 6 {
		t.Errorf("the whole calendar after the new FilterType: %s, want 6 events", summaries(got))
	}
}

// TestTaskFilterIncomplete: FilterType 8 sends the incomplete tasks only.
func TestTaskFilterIncomplete(t *testing.T) {
	b, _ := newBackend(t)
	a := login(t, b, "dev-a")
	task := func(uid, extra string) activesync.Item {
		return activesync.Item{Class: activesync.ClassTasks, Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:" + uid +
			"\r\nSUMMARY:" + uid + "\r\n" + extra + "END:VTODO\r\nEND:VCALENDAR\r\n")}
	}
	k := mustSync(t, a, activesync.SyncRequest{FolderID: "tasks", SyncKey: "0"}).SyncKey
	mustSync(t, a, activesync.SyncRequest{FolderID: "tasks", SyncKey: k, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "1", Item: task("open", "STATUS:NEEDS-ACTION\r\n")},
		{Kind: activesync.CmdAdd, ClientID: "2", Item: task("done", "STATUS:COMPLETED\r\nCOMPLETED:20260101T000000Z\r\n")}}})
	bdev := login(t, b, "dev-b")
	k = mustSync(t, bdev, activesync.SyncRequest{FolderID: "tasks", SyncKey: "0", FilterType: 8, FilterSet: true}).SyncKey
	got, _, _ := drainFolder(t, bdev, "tasks", k, 100)
	if s := summaries(got); s != fmt.Sprintf("%d:open", activesync.CmdAdd) {
		t.Errorf("incomplete tasks: %s, want only the open one", s)
	}
}

// drainFolder is drain for another folder than contacts.
func drainFolder(t *testing.T, s activesync.Session, folder, key string, window int) ([]activesync.ServerChange, string, int) {
	t.Helper()
	var all []activesync.ServerChange
	for rounds := 1; ; rounds++ {
		r := mustSync(t, s, activesync.SyncRequest{FolderID: folder, SyncKey: key, GetChanges: true, WindowSize: window})
		all = append(all, r.Changes...)
		key = r.SyncKey
		if !r.MoreAvailable {
			return all, key, rounds
		}
	}
}

// TestCalendarWindowMovesOn: an event the device holds that the window
// leaves behind as days pass is SoftDeleted on the device (looked for
// once a day) and stays on the server.
func TestCalendarWindowMovesOn(t *testing.T) {
	clock := time.Now()
	b, _ := newBackendAt(t, func() time.Time { return clock })
	a := login(t, b, "dev-a")
	k := mustSync(t, a, activesync.SyncRequest{FolderID: "calendar", SyncKey: "0"}).SyncKey
	ra := mustSync(t, a, activesync.SyncRequest{FolderID: "calendar", SyncKey: k, Commands: []activesync.ClientCommand{
		{Kind: activesync.CmdAdd, ClientID: "1", Item: event("soon", clock.AddDate(0, 0, 2))},
		{Kind: activesync.CmdAdd, ClientID: "2", Item: event("later", clock.AddDate(0, 2, 0))}}})

	bdev := login(t, b, "dev-b")
	k = mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: "0", FilterType: 4, FilterSet: true}).SyncKey
	got, k, _ := drainFolder(t, bdev, "calendar", k, 10)
	if len(got) != 2 {
		t.Fatalf("the device got %s, want both events", summaries(got))
	}
	r := mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: k, GetChanges: true})
	if len(r.Changes) != 0 {
		t.Fatalf("the same day: %s, want nothing", summaries(r.Changes))
	}
	clock = clock.AddDate(0, 0, 20) // "soon" ended 18 days ago: out of two weeks
	r = mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: k, GetChanges: true})
	soon := got[0].ServerID
	if !strings.Contains(string(got[0].Item.Data), "SUMMARY:soon") {
		soon = got[1].ServerID
	}
	if len(r.Changes) != 1 || r.Changes[0].Kind != activesync.CmdSoftDelete || r.Changes[0].ServerID != soon {
		t.Fatalf("20 days later: %+v, want one SoftDelete of %s", r.Changes, soon)
	}
	if r2 := mustSync(t, bdev, activesync.SyncRequest{FolderID: "calendar", SyncKey: r.SyncKey, GetChanges: true}); len(r2.Changes) != 0 {
		t.Errorf("the next sync: %+v, want nothing", r2.Changes)
	}
	if f, err := a.Fetch(context.Background(), "calendar", ra.Results[0].ServerID); err != nil || !strings.Contains(string(f.Data), "soon") {
		t.Errorf("the SoftDeleted event on the server: %v %s", err, f.Data)
	}
}
