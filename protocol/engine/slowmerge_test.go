package engine_test

import (
	"context"
	"strings"
	"testing"

	"anchorage/test/simclient"
)

// A first (slow) sync pairs a phone's copy that differs from the server's
// item in its name and its number: the stored merge holds both numbers,
// and the archive keeps the phone's own copy too (what a device synced
// stays restorable), also when the conflict rules, not the union alone,
// decide.
func TestSlowSyncMergeArchivesDevicesCopy(t *testing.T) {
	eng, _, url := syncEngine(t)
	desk := device(url, "desk", simclient.Contacts)
	desk.Add("contacts", fullContact(1))
	syncOK(t, desk)
	phone := device(url, "phone", simclient.Contacts)
	mine := strings.NewReplacer("Given1", "Giovanni", "+49 170 1000001", "+49 170 2222222").Replace(fullContact(1))
	phone.Add("contacts", mine)
	if r := syncOK(t, phone); r.Mode != simclient.Slow {
		t.Fatalf("phone's first sync mode %d, want slow", r.Mode)
	}
	ctx := context.Background()
	live, err := eng.LiveItems(ctx, "bob", "contacts")
	if err != nil || len(live) != 1 {
		t.Fatalf("server holds %d contacts (%v), want 1", len(live), err)
	}
	if cur := string(live[0].Data); !strings.Contains(cur, "2222222") || !strings.Contains(cur, "1000001") {
		t.Errorf("merged contact lacks a number:\n%s", cur)
	}
	vs, err := eng.ItemVersions(ctx, "bob", "contacts", live[0].GUID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if d := string(v.Data); strings.Contains(d, "2222222") && !strings.Contains(d, "1000001") && strings.Contains(d, "FN:Giovanni") {
			return
		}
	}
	t.Errorf("the archive lacks the phone's own copy among %d versions", len(vs))
}
