package coresession

import (
	"encoding/json"
	"testing"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// TestPolicyKeyOf: the policy key read from the front of an encoded state
// is the one the whole state holds.
func TestPolicyKeyOf(t *testing.T) {
	folders := map[string]*folderState{"contacts": {Key: 7, OldIDs: map[string]string{"1": "s1"}}}
	states := []*deviceState{
		{},
		{PolicyKey: 3141},
		{EASDevice: engine.EASDevice{Type: "TbSync", UserAgent: "Thunderbird", ProtocolVersion: "14.0"}, PolicyKey: 42, Folders: folders},
		{EASDevice: engine.EASDevice{Type: "TbSync"}, Info: &activesync.DeviceInfo{Model: "m"}, Folders: folders},
		{Folders: folders, Ping: &activesync.PingParams{HeartbeatSeconds: 60}},
	}
	for i, st := range states {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if key, err := policyKeyOf(b); err != nil || key != st.PolicyKey {
			t.Errorf("state %d (%s): policy key %d, %v; want %d", i, b, key, err, st.PolicyKey)
		}
	}
	for doc, want := range map[string]uint32{
		`{"other":1,"policy_key":9}`:  9, // an unexpected key first: the whole state is read
		`{"folders":{}}`:              0,
		`{"type":"x","policy_key":5}`: 5,
	} {
		if key, err := policyKeyOf([]byte(doc)); err != nil || key != want {
			t.Errorf("%s: policy key %d, %v; want %d", doc, key, err, want)
		}
	}
	if _, err := policyKeyOf([]byte(`{"policy_key":`)); err == nil {
		t.Error("a damaged state read without error")
	}
}
