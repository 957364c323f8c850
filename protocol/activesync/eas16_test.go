package activesync

import "testing"

// TestSync16Details: the 16.x parts the front end reads reach the core: the
// InstanceId of a Change or Delete of one occurrence and the device's
// BodyPreferences.
func TestSync16Details(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	s.version = "16.1"
	s.primed("calendar")
	s.backend.put("calendar", "ev1", Item{Data: []byte(`<ApplicationData/>`)})
	body := syncReq("calendar", "1", `<Options><BodyPreference xmlns="AirSyncBase:"><Type>2</Type><TruncationSize>5120</TruncationSize></BodyPreference>`+
		`<BodyPreference xmlns="AirSyncBase:"><Type>1</Type><AllOrNone>1</AllOrNone></BodyPreference></Options>`+
		`<Commands><Change><ServerId>ev1</ServerId><InstanceId xmlns="AirSyncBase:">20260302T080000Z</InstanceId>`+
		`<ApplicationData><Subject xmlns="Calendar:">moved</Subject></ApplicationData></Change>`+
		`<Delete><ServerId>ev1</ServerId><InstanceId xmlns="AirSyncBase:">20260309T080000Z</InstanceId></Delete></Commands>`)
	if code, out := s.do("Sync", enc(t, body)); code != 200 || text(out, "Collections/Collection/Status") != "1" {
		t.Fatalf("Sync: HTTP %d %s", code, dump(out))
	}
	req := s.backend.lastSync
	want := []BodyPreference{{Type: 2, TruncationSize: 5120}, {Type: 1, AllOrNone: true}}
	if len(req.BodyPreferences) != 2 || req.BodyPreferences[0] != want[0] || req.BodyPreferences[1] != want[1] {
		t.Errorf("BodyPreferences %+v, want %+v", req.BodyPreferences, want)
	}
	if len(req.Commands) != 2 || req.Commands[0].InstanceID != "20260302T080000Z" || req.Commands[1].InstanceID != "20260309T080000Z" {
		t.Errorf("commands %+v, want both with their InstanceId", req.Commands)
	}
}
