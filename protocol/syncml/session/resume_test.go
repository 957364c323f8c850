package session

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
)

// TestResumeIncomingLargeObject: a device sending a large object in chunks
// loses its session after the second chunk (the reply, with its 213, never
// arrived); its next session resumes (Alert 225 answered 200), sends the
// second chunk again and then the last: the object is stored once, whole,
// with the second chunk not added twice.
func TestResumeIncomingLargeObject(t *testing.T) {
	e := limitEngine(t, engine.Options{}, Options{})
	ctx := context.Background()
	whole := "BEGIN:VCARD\nVERSION:3.0\nN:Big;Object\nFN:Object Big\nNOTE:" + strings.Repeat("x", 300) + "\nEND:VCARD\n"
	parts := []string{whole[:100], whole[100:250], whole[250:]}
	send := func(session, msgID, key string, final bool, cmds ...*syncml.Command) *syncml.Message {
		t.Helper()
		m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: session, MsgID: msgID,
			Target: syncml.Loc{URI: "http://h/sync"}, Source: syncml.Loc{URI: "dev", Name: "u"}}, Commands: cmds, Final: final}
		if key == "" {
			m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("u", "pw")}
		}
		body, err := syncml.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := e.HandleSyncML(ctx, Request{Body: body, SessionKey: key, BaseURL: "http://h/sync"})
		if err != nil {
			t.Fatal(err)
		}
		return decodeReply(t, resp)
	}
	alert := func(code string) *syncml.Command {
		a := alertCmd()
		a.Data = code
		return a
	}
	keyOf := func(m *syncml.Message) string {
		u, _ := url.Parse(m.Header.RespURI)
		return u.Query().Get("sessionid")
	}
	chunk := func(i int) *syncml.Command {
		it := syncml.Item{Source: syncml.Loc{URI: "big"}, Data: parts[i], MoreData: i < len(parts)-1}
		add := &syncml.Command{Name: "Add", CmdID: "2", NumberOfChanges: -1, Meta: &syncml.Meta{Type: "text/vcard"}, Items: []syncml.Item{it}}
		if i == 0 {
			add.Meta.Size = int64(len(whole))
		}
		return &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1, Target: syncml.Loc{URI: "contacts"},
			Source: syncml.Loc{URI: "./c"}, Commands: []*syncml.Command{add}}
	}
	status := func(m *syncml.Message, cmd string) string {
		for _, c := range m.Commands {
			if c.Name == "Status" && c.Cmd == cmd {
				return c.Data
			}
		}
		return ""
	}

	r := send("1", "1", "", true, alert("201"))
	key := keyOf(r)
	if got := status(send("1", "2", key, false, chunk(0)), "Add"); got != "213" {
		t.Fatalf("first chunk: %s, want 213", got)
	}
	if got := status(send("1", "3", key, false, chunk(1)), "Add"); got != "213" {
		t.Fatalf("second chunk: %s, want 213", got)
	}
	// The session breaks off here; the device resumes.
	r = send("2", "1", "", true, alert("225"))
	if got := status(r, "Alert"); got != "200" {
		t.Fatalf("Alert 225: %s, want 200 (resumed)", got)
	}
	key = keyOf(r)
	if got := status(send("2", "2", key, false, chunk(1)), "Add"); got != "213" {
		t.Fatalf("second chunk again: %s, want 213", got)
	}
	if got := status(send("2", "3", key, true, chunk(2)), "Add"); got != "201" {
		t.Fatalf("last chunk: %s, want 201", got)
	}
	res, err := admin.New(e.core).Export(ctx, "u", "contacts", admin.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(res.Data), "BEGIN:VCARD"); n != 1 || strings.Count(string(res.Data), "x") != 300 {
		t.Errorf("stored %d contacts, want the object once and whole:\n%s", n, res.Data)
	}
}
