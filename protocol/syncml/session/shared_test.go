package session

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// outlookMessage is a message of one of two Outlooks sharing the device
// id sc-pim-outlook; a first message Puts the DevInf of model mod.
func outlookMessage(t *testing.T, session, msgID, mod string, cmds ...*syncml.Command) []byte {
	t.Helper()
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: session, MsgID: msgID,
		Target: syncml.Loc{URI: "http://h/sync"}, Source: syncml.Loc{URI: "sc-pim-outlook", Name: "u"}}, Final: true}
	if msgID == "1" {
		m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("u", "pw")}
		di := &syncml.DevInf{VerDTD: "1.2", Man: "Funambol", Mod: mod, SwV: "10", DevID: "sc-pim-outlook", DevTyp: "workstation",
			DataStores: []syncml.DataStore{{SourceRef: "./c", RxPref: syncml.CTType{CTType: "text/vcard", VerCT: "3.0"},
				TxPref: syncml.CTType{CTType: "text/vcard", VerCT: "3.0"}, SyncTypes: []int{1, 2}}}}
		cmds = append([]*syncml.Command{{Name: "Put", CmdID: "9", NumberOfChanges: -1, Meta: &syncml.Meta{Type: devInfXMLType},
			Items: []syncml.Item{{Source: syncml.Loc{URI: "./devinf12"}, DataXML: di.Element("1.2")}}}}, cmds...)
	}
	m.Commands = cmds
	b, err := syncml.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSharedDeviceLease: while one Outlook's session holds the datastore,
// a session of the other Outlook sharing its device id waits for it as
// another device would (503 when the wait runs out); it never takes the
// datastore over as if the running session were its own abandoned one.
func TestSharedDeviceLease(t *testing.T) {
	var skew atomic.Int64
	e := limitEngine(t, engine.Options{Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }}, Options{})
	ctx := context.Background()
	handle := func(session, msgID, key, mod string, cmds ...*syncml.Command) []byte {
		t.Helper()
		resp, err := e.HandleSyncML(ctx, Request{Body: outlookMessage(t, session, msgID, mod, cmds...), SessionKey: key, BaseURL: "http://h/sync"})
		if err != nil {
			t.Fatalf("session %s message %s: %v", session, msgID, err)
		}
		return resp.Body
	}
	syncCmd := &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1,
		Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./c"}}

	// Outlook 2016 registers the device id and completes a session.
	_, keyA := alertStatus(t, handle("1", "1", "", "Outlook 2016", alertCmd()))
	handle("1", "2", keyA, "", syncCmd)
	handle("1", "3", keyA, "")
	// Outlook 2019 opens a session of its own partnership and holds the datastore.
	codeB, keyB := alertStatus(t, handle("1", "1", "", "Outlook 2019", alertCmd()))
	if codeB != "200" {
		t.Fatalf("Outlook 2019 alert: %s", codeB)
	}
	// Outlook 2016 comes back meanwhile: it waits, then gets 503.
	stop := jumpClock(&skew)
	codeA, _ := alertStatus(t, handle("2", "1", "", "Outlook 2016", alertCmd()))
	stop()
	if codeA != "503" {
		t.Errorf("Outlook 2016 alert while Outlook 2019 syncs: %s, want 503", codeA)
	}
	// Outlook 2019's session still holds its datastore and goes on.
	if _, err := e.HandleSyncML(ctx, Request{Body: outlookMessage(t, "1", "2", "", syncCmd), SessionKey: keyB, BaseURL: "http://h/sync"}); err != nil {
		t.Errorf("Outlook 2019's next message: %v", err)
	}
}

// TestFingerprintSame: a DevInf naming only some of a client's datastores
// (Funambol's Outlook plug-in names the ones it syncs in that session) is
// the same client; another model or version, or other datastores, is not.
func TestFingerprintSame(t *testing.T) {
	fp := func(mod, swv string, uris ...string) fingerprint {
		return fingerprint{client: "Funambol\x00" + mod + "\x00" + swv, uris: uris}
	}
	all := fp("Outlook Plug-in", "6.0.14", "appointment", "contact", "note", "task")
	for _, tc := range []struct {
		name string
		b    fingerprint
		want bool
	}{
		{"identical", all, true},
		{"fewer datastores", fp("Outlook Plug-in", "6.0.14", "contact"), true},
		{"other version", fp("Outlook Plug-in", "7.0", "contact"), false},
		{"other model", fp("Pocket PC", "6.0.14", "contact"), false},
		{"other datastores", fp("Outlook Plug-in", "6.0.14", "contact", "journal"), false},
	} {
		if got := all.same(tc.b); got != tc.want || tc.b.same(all) != tc.want {
			t.Errorf("%s: same = %v, want %v (both ways)", tc.name, got, tc.want)
		}
	}
}
