package activesync

import (
	"testing"
)

// TestRemoteWipe drives a simulated client through both wipes: 449 for
// every command, the directive in Provision, the acknowledgement, 403 for
// the wiped device, and a fresh start after device remove. The data on the
// server stays.
func TestRemoteWipe(t *testing.T) {
	for _, tc := range []struct {
		name, version, directive string
		accountOnly              bool
	}{
		{"full", "14.1", "RemoteWipe", false},
		{"account only", "16.1", "AccountOnlyRemoteWipe", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ProvisionOff)
			s.version = tc.version
			s.primed("contacts")
			s.backend.put("contacts", "c1", Item{Data: []byte(`<ApplicationData/>`)})
			s.backend.wipes[s.device] = Wipe{State: WipePending, AccountOnly: tc.accountOnly}
			for _, cmd := range []string{"Sync", "FolderSync", "Ping", "Settings"} {
				if code, _ := s.do(cmd, nil); code != 449 {
					t.Errorf("%s under a pending wipe: HTTP %d, want 449", cmd, code)
				}
			}
			prov := enc(t, `<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>`)
			code, out := s.do("Provision", prov)
			if code != 200 || text(out, "Status") != "1" || out.FindElement(tc.directive) == nil || out.FindElement("Policies") != nil {
				t.Fatalf("Provision under a pending wipe: HTTP %d %s, want status 1 and <%s/>", code, dump(out), tc.directive)
			}
			// A failed wipe gets the directive again and stays pending.
			_, out = s.do("Provision", enc(t, `<Provision xmlns="Provision:"><`+tc.directive+`><Status>2</Status></`+tc.directive+`></Provision>`))
			if text(out, "Status") != "2" || out.FindElement(tc.directive) == nil || s.backend.wipes[s.device].State != WipePending {
				t.Errorf("failed wipe: %s, state %v", dump(out), s.backend.wipes[s.device])
			}
			_, out = s.do("Provision", enc(t, `<Provision xmlns="Provision:"><`+tc.directive+`><Status>1</Status></`+tc.directive+`></Provision>`))
			if text(out, "Status") != "1" || out.FindElement(tc.directive) != nil {
				t.Errorf("answer to the acknowledgement: %s", dump(out))
			}
			if st := s.backend.wipes[s.device].State; st != WipeAcknowledged {
				t.Errorf("state after the acknowledgement %d, want acknowledged", st)
			}
			for i, cmd := range []string{"Provision", "Sync"} {
				if code, _ := s.do(cmd, prov); code != 403 {
					t.Errorf("%s of the wiped device: HTTP %d, want 403", cmd, code)
				}
				if st := s.backend.wipes[s.device].State; st != WipeDone {
					t.Errorf("state after request %d of the wiped device: %d, want done", i, st)
				}
			}
			if len(s.backend.items["contacts"]) != 1 {
				t.Errorf("the wipe touched the server's data: %d contacts", len(s.backend.items["contacts"]))
			}
			s.backend.remove(s.device)
			if code, out := s.do("Provision", prov); code != 200 || out.FindElement("Policies/Policy/PolicyKey") == nil {
				t.Errorf("Provision after device remove: HTTP %d %s", code, dump(out))
			}
		})
	}
	t.Run("account only before 16.1", func(t *testing.T) {
		s := newTestServer(t, ProvisionOff)
		s.version = "14.1"
		s.backend.wipes[s.device] = Wipe{State: WipePending, AccountOnly: true}
		// No factory reset that was not asked for: the device is refused
		// for good, and the wipe is done rather than pending for ever.
		for _, cmd := range []string{"Provision", "Sync"} {
			if code, _ := s.do(cmd, nil); code != 403 {
				t.Errorf("%s: HTTP %d, want 403", cmd, code)
			}
			if st := s.backend.wipes[s.device].State; st != WipeDone {
				t.Errorf("state after %s: %d, want done", cmd, st)
			}
		}
	})
}
