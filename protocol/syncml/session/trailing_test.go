package session

import (
	"anchorage/protocol/engine"
	"bytes"
	"context"
	"net/url"
	"testing"

	"anchorage/protocol/syncml"
)

// TestTrailingStatusesReadOnly: the device's last message of a completed
// session (statuses only) is answered without saving the session; a
// retransmission gets the same bytes and later messages get MsgIDs of
// their own.
func TestTrailingStatusesReadOnly(t *testing.T) {
	d := benchEngine(t, 3)
	d.msgSeq++
	alert := &syncml.Command{Name: "Alert", CmdID: "1", Data: "200", NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Last: d.last, Next: "a1"}}}}}
	r1 := decodeReply(t, d.msg(1, "", true, alert))
	u, _ := url.Parse(r1.Header.RespURI)
	key := u.Query().Get("sessionid")
	sync := &syncml.Command{Name: "Sync", CmdID: "1", NumberOfChanges: -1,
		Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}}
	r2 := decodeReply(t, d.msg(2, key, true, sync))
	if len(r2.Commands) < 2 {
		t.Fatalf("reply 2 has %d commands", len(r2.Commands))
	}

	saved := func() *sessionState {
		t.Helper()
		var st *sessionState
		err := d.e.core.View(context.Background(), func(w *engine.Work) error {
			var err error
			st, err = loadSession(w, key)
			return err
		})
		if err != nil || st == nil {
			t.Fatalf("load session: %v", err)
		}
		return st
	}
	if st := saved(); !st.Complete {
		t.Fatal("session not complete after message 2")
	}
	hdrStatus := syncml.NewHeaderStatus(r2.Header, syncml.StatusOK)
	hdrStatus.CmdID = "1"

	m3 := d.msg(3, key, true, hdrStatus)
	m3again := d.msg(3, key, true, hdrStatus)
	if !bytes.Equal(m3.Body, m3again.Body) {
		t.Errorf("retransmitted message 3 answered differently:\n%s\n%s", m3.Body, m3again.Body)
	}
	if st := saved(); st.LastClientMsgID != "2" {
		t.Errorf("message 3 was saved (last client message %s): it should not take the write path", st.LastClientMsgID)
	}
	m4 := d.msg(4, key, true, hdrStatus)
	mapCmd := &syncml.Command{Name: "Map", CmdID: "1", Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
		MapItems: []syncml.MapItem{{Target: "g0000000", Source: "1"}}}
	m5 := d.msg(5, key, true, mapCmd) // a Map writes: the write path
	m5again := d.msg(5, key, true, mapCmd)
	if !bytes.Equal(m5.Body, m5again.Body) {
		t.Errorf("retransmitted message 5 answered differently")
	}
	if st := saved(); st.LastClientMsgID != "5" {
		t.Errorf("message 5 not saved: last client message %s", st.LastClientMsgID)
	}
	m6 := d.msg(6, key, true, hdrStatus)
	ids := map[string]int{}
	for i, r := range []*Response{m3, m4, m5, m6} {
		ids[decodeReply(t, r).Header.MsgID] = i + 3
	}
	if len(ids) != 4 || r1.Header.MsgID != "1" || r2.Header.MsgID != "2" || ids["3"] != 3 || ids["6"] != 6 {
		t.Errorf("reply MsgIDs (msgid -> client message): %v; want 3..6 each once", ids)
	}
}

func decodeReply(t *testing.T, r *Response) *syncml.Message {
	t.Helper()
	m, err := syncml.Decode(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
