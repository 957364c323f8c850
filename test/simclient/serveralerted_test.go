package simclient_test

import (
	"context"
	"testing"

	"anchorage/test/simclient"
)

// TestServerAlertedCodes: a client that starts a sync with one of the
// server-alerted codes 206-210 (as it does after a server alert) gets the
// matching mode (Sync Protocol 1.2, Alert codes), and the sync completes
// with the device equal to the server.
func TestServerAlertedCodes(t *testing.T) {
	_, url := newServer(t, "bob")
	ctx := context.Background()
	a := simclient.New(simclient.Options{URL: url, User: "bob", Password: "pw", DeviceID: "a"})
	a.Add("contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\nEND:VCARD\r\n")
	if rep, err := a.Sync(ctx, simclient.TwoWay); err != nil || !rep.Complete {
		t.Fatalf("first sync: %v", err)
	}
	for code, mode := range map[int]int{206: 200, 207: 202, 208: 203, 209: 204, 210: 205} {
		rep, err := a.Sync(ctx, code)
		if err != nil || !rep.Complete {
			t.Fatalf("alert %d: %v", code, err)
		}
		st := rep.Stores["contacts"]
		if st.AlertStatus != 200 || st.Mode != mode {
			t.Errorf("alert %d: status %d, mode %d; want 200, %d", code, st.AlertStatus, st.Mode, mode)
		}
		if n := len(a.Items("contacts")); n != 1 {
			t.Errorf("after alert %d the device holds %d contacts, want 1", code, n)
		}
	}
}
