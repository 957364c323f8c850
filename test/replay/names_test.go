package replay_test

import (
	"testing"

	"anchorage/protocol/engine"
)

// TestReplayDatastoreNames checks how our engine resolves the server
// datastore names (Alert Target LocURI) that the recorded real clients use
// (CATALOG.md sections A-C). Only the Nokia E7's "./k", a name its user
// typed into the profile, is unknown; 404 is the right answer for it.
func TestReplayDatastoreNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		uri, who, want string
	}{
		{"calendar", "Sony Ericsson P900, Funambol Outlook 3.0.15, Sync4j Pocket PC", engine.Calendar},
		{"contacts", "Sync4j Pocket PC", engine.Contacts},
		{"notes", "Sync4j Pocket PC", engine.Notes},
		{"tasks", "Synthesis PalmOS", engine.Tasks},
		{"scard", "Funambol Outlook plug-in 6/8, J2SE demo", engine.Contacts},
		{"scal", "Funambol Outlook plug-in 6, J2SE demo", engine.Calendar},
		{"stask", "Funambol Outlook plug-in 6", engine.Tasks},
		{"snote", "Funambol Outlook plug-in 6", engine.Notes},
		{"card", "Funambol Windows Sync Client 10", engine.Contacts},
		{"scard?photo=true", "SyncMLDotNet examples", engine.Contacts},
		{"./k", "Nokia E7-00 (user-typed name)", ""},
	} {
		got, ok := engine.ResolveDatastore(tc.uri)
		if tc.want == "" {
			if ok {
				t.Errorf("%q (%s) resolves to %q, want unknown (404)", tc.uri, tc.who, got)
			}
			continue
		}
		if !ok || got != tc.want {
			t.Errorf("%q (%s) resolves to %q (known %v), want %q", tc.uri, tc.who, got, ok, tc.want)
		}
	}
}
