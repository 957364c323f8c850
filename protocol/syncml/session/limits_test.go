package session

import (
	"anchorage/admin"
	"anchorage/protocol/engine"
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"anchorage/protocol/syncml"
)

func limitEngine(t *testing.T, core engine.Options, opts Options) *Handler {
	t.Helper()
	e, _ := testHandler(t, "a.db", "u", false, core, opts)
	return e
}

func message(t *testing.T, msgID string, cred bool, cmds ...*syncml.Command) []byte {
	t.Helper()
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "1", MsgID: msgID,
		Target: syncml.Loc{URI: "http://h/sync"}, Source: syncml.Loc{URI: "dev", Name: "u"}}, Commands: cmds, Final: true}
	if cred {
		m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("u", "pw")}
	}
	b, err := syncml.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func alertCmd() *syncml.Command {
	return &syncml.Command{Name: "Alert", CmdID: "1", Data: "201", NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./c"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Next: "1"}}}}}
}

func TestTooManyCommands(t *testing.T) {
	e := limitEngine(t, engine.Options{}, Options{MaxCommands: 3})
	cmds := []*syncml.Command{alertCmd()}
	for i := 0; i < 3; i++ {
		cmds = append(cmds, &syncml.Command{Name: "Get", CmdID: "9", NumberOfChanges: -1,
			Items: []syncml.Item{{Target: syncml.Loc{URI: "./devinf12"}}}})
	}
	_, err := e.HandleSyncML(context.Background(), Request{Body: message(t, "1", true, cmds...)})
	var re *RequestError
	if !errors.As(err, &re) || re.Status != 413 {
		t.Fatalf("4 commands with a limit of 3: %v, want a 413 RequestError", err)
	}
}

func TestSessionLifetime(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e := limitEngine(t, engine.Options{Now: func() time.Time { return now }}, Options{MaxSessionAge: time.Hour})
	resp, err := e.HandleSyncML(context.Background(), Request{Body: message(t, "1", true, alertCmd()), BaseURL: "http://h/sync"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := syncml.Decode(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(reply.Header.RespURI)
	key := u.Query().Get("sessionid")
	now = now.Add(2 * time.Hour)
	_, err = e.HandleSyncML(context.Background(), Request{Body: message(t, "2", false), SessionKey: key})
	var re *RequestError
	if !errors.As(err, &re) || re.Status != 408 {
		t.Fatalf("message of a 2-hour-old session: %v, want a 408 RequestError", err)
	}
}

// TestObjectTooLarge: a chunked item announcing more than MaxObjSize gets
// 413 and nothing is stored.
func TestObjectTooLarge(t *testing.T) {
	e := limitEngine(t, engine.Options{MaxObjSize: 1000}, Options{})
	resp, err := e.HandleSyncML(context.Background(), Request{Body: message(t, "1", true, alertCmd()), BaseURL: "http://h/sync"})
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := syncml.Decode(resp.Body)
	u, _ := url.Parse(reply.Header.RespURI)
	key := u.Query().Get("sessionid")
	add := &syncml.Command{Name: "Add", CmdID: "2", NumberOfChanges: -1, Meta: &syncml.Meta{Type: "text/vcard", Size: 5000},
		Items: []syncml.Item{{Source: syncml.Loc{URI: "big"}, Data: "BEGIN:VCARD\nVERSION:3.0\nFN:Big", MoreData: true}}}
	sync := &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1, Target: syncml.Loc{URI: "contacts"},
		Source: syncml.Loc{URI: "./c"}, Commands: []*syncml.Command{add}}
	m, _ := syncml.Decode(message(t, "2", false, sync))
	m.Final = false
	body, _ := syncml.Encode(m)
	resp, err = e.HandleSyncML(context.Background(), Request{Body: body, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	reply, _ = syncml.Decode(resp.Body)
	var got string
	for _, c := range reply.Commands {
		if c.Name == "Status" && c.Cmd == "Add" {
			got = c.Data
		}
	}
	if got != "413" {
		t.Errorf("Add of a 5000-byte object with MaxObjSize 1000: status %q, want 413", got)
	}
	res, err := admin.New(e.core).Export(context.Background(), "u", "contacts", admin.ExportOptions{})
	var out []byte
	if res != nil {
		out = res.Data
	}
	if err != nil || len(out) != 0 {
		t.Errorf("export after the refused object: %q, %v", out, err)
	}
}
