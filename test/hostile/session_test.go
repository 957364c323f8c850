package hostile

import (
	"net/http"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/store"
	"anchorage/test/testserver"
)

func alert(code string) *syncml.Command {
	return &syncml.Command{Name: "Alert", Data: code, NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
			Meta: &syncml.Meta{Anchor: &syncml.Anchor{Next: "1"}}}}}
}

func getDevInf() *syncml.Command {
	return &syncml.Command{Name: "Get", NumberOfChanges: -1, Meta: &syncml.Meta{Type: "application/vnd.syncml-devinf+xml"},
		Items: []syncml.Item{{Target: syncml.Loc{URI: "./devinf12"}}}}
}

func addCard(luid, name string) *syncml.Command {
	return &syncml.Command{Name: "Add", NumberOfChanges: -1, Meta: &syncml.Meta{Type: "text/vcard"},
		Items: []syncml.Item{{Source: syncml.Loc{URI: luid},
			Data: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:" + name + "\r\nN:" + name + ";;;;\r\nEND:VCARD\r\n"}}}
}

func syncAdds(cards ...*syncml.Command) *syncml.Command {
	return &syncml.Command{Name: "Sync", NumberOfChanges: -1, Target: syncml.Loc{URI: "contacts"},
		Source: syncml.Loc{URI: "./contacts"}, Commands: cards}
}

// login opens a basic-auth session of device dev with a slow-sync Alert
// and returns the URL of its next message.
func login(t *testing.T, srv *testserver.Server, dev, session string) string {
	t.Helper()
	r := post(t, srv.URL, msg{dev: dev, session: session, msgID: "1", cred: basicCred(testserver.Password),
		cmds: []*syncml.Command{alert("201")}}.encode(t))
	if r.hdrStatus() != 212 {
		t.Fatalf("login of %s: HTTP %d, SyncHdr status %d", dev, r.code, r.hdrStatus())
	}
	return r.sessionURL(t, srv.URL)
}

// TestGetAmplification: a logged-in message of 20,000 Gets of our DevInf
// is refused outright, and two Gets in one session get the DevInf once,
// within the device's MaxMsgSize.
func TestGetAmplification(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	next := login(t, srv, "phone", "1")
	gets := make([]*syncml.Command, 20000)
	for i := range gets {
		gets[i] = getDevInf()
	}
	r := post(t, next, msg{dev: "phone", msgID: "2", maxMsgSize: 10000, cmds: gets}.encode(t))
	if r.code != http.StatusRequestEntityTooLarge || len(r.body) > 1000 {
		t.Fatalf("20,000 Gets: HTTP %d with %d bytes, want a short 413", r.code, len(r.body))
	}

	r = post(t, next, msg{dev: "phone", msgID: "2", maxMsgSize: 10000, cmds: []*syncml.Command{getDevInf(), getDevInf()}}.encode(t))
	if r.code != http.StatusOK {
		t.Fatalf("two Gets: HTTP %d %s", r.code, r.body)
	}
	if len(r.body) > 10000 {
		t.Errorf("answer of %d bytes, more than the MaxMsgSize 10000", len(r.body))
	}
	results, refused := 0, 0
	for _, c := range r.msg.Commands {
		switch {
		case c.Name == "Results":
			results++
		case c.Name == "Status" && c.Cmd == "Get" && c.Data != "200":
			refused++
		}
	}
	if results != 1 || refused != 1 {
		t.Errorf("two Gets got %d Results and %d refusals, want one of each", results, refused)
	}
}

// TestRetransmissionByContent: the same bytes under the last MsgID get the
// same answer again; other content under it, or a MsgID that does not
// follow or is no number, gets an error, never the cached success.
func TestRetransmissionByContent(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	next := login(t, srv, "phone", "1")
	m2 := msg{dev: "phone", msgID: "2", cmds: []*syncml.Command{syncAdds(addCard("1", "Ann"))}}
	first := post(t, next, m2.encode(t))
	if first.code != http.StatusOK {
		t.Fatalf("message 2: HTTP %d %s", first.code, first.body)
	}
	again := post(t, next, m2.encode(t))
	if again.code != http.StatusOK || string(again.body) != string(first.body) {
		t.Errorf("retransmission of message 2: HTTP %d, same answer %v", again.code, string(again.body) == string(first.body))
	}
	for _, bad := range []msg{
		{dev: "phone", msgID: "2", cmds: []*syncml.Command{syncAdds(addCard("2", "Bob"))}},
		{dev: "phone", msgID: "1", cmds: []*syncml.Command{syncAdds(addCard("3", "Cy"))}},
		{dev: "phone", msgID: "99", cmds: []*syncml.Command{syncAdds(addCard("4", "Di"))}},
		{dev: "phone", msgID: "3a", cmds: []*syncml.Command{syncAdds(addCard("5", "Ed"))}},
	} {
		r := post(t, next, bad.encode(t))
		if r.code != http.StatusBadRequest {
			t.Errorf("MsgID %s with other content: HTTP %d, want 400\n%s", bad.msgID, r.code, r.body)
		}
	}
	if r := post(t, srv.URL, msg{dev: "other", msgID: "x", cred: basicCred(testserver.Password)}.encode(t)); r.code != http.StatusBadRequest {
		t.Errorf("first message with MsgID x: HTTP %d, want 400", r.code)
	}
}

// TestSharedDeviceID: two clients with one device id whose first messages
// are the same bytes. Whatever each one sends after, one of them is
// refused with a clear status; every Add acknowledged with 201 is stored.
func TestSharedDeviceID(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	first := msg{dev: "clone", msgID: "1", cred: basicCred(testserver.Password), cmds: []*syncml.Command{alert("201")}}
	a := post(t, srv.URL, first.encode(t))
	b := post(t, srv.URL, first.encode(t))
	if a.hdrStatus() != 212 || b.hdrStatus() != 212 {
		t.Fatalf("first messages: %d, %d", a.hdrStatus(), b.hdrStatus())
	}
	acked := 0
	count := func(r reply) {
		for _, c := range r.msg.Commands {
			if c.Name == "Status" && c.Cmd == "Add" && c.Data == "201" {
				acked++
			}
		}
	}
	ra := post(t, a.sessionURL(t, srv.URL), msg{dev: "clone", msgID: "2", more: true, cmds: []*syncml.Command{syncAdds(addCard("1", "Ann"))}}.encode(t))
	if ra.code != http.StatusOK {
		t.Fatalf("a's message 2: HTTP %d", ra.code)
	}
	count(ra)
	rb := post(t, b.sessionURL(t, srv.URL), msg{dev: "clone", msgID: "2", more: true, cmds: []*syncml.Command{syncAdds(addCard("1", "Bob"))}}.encode(t))
	if rb.code == http.StatusOK {
		count(rb)
	} else if rb.code != http.StatusBadRequest {
		t.Errorf("b's message 2: HTTP %d, want 400 (its MsgID carried other content)", rb.code)
	}

	// A second session of the device under the same client session id
	// while the first is not over: 503 with Retry-After.
	c := post(t, srv.URL, msg{dev: "clone", msgID: "1", cred: basicCred(testserver.Password),
		maxMsgSize: 9999, cmds: []*syncml.Command{alert("201")}}.encode(t))
	if c.code != http.StatusServiceUnavailable || c.header.Get("Retry-After") == "" {
		t.Errorf("second session of the device: HTTP %d, Retry-After %q; want 503 with one\n%s", c.code, c.header.Get("Retry-After"), c.body)
	}

	// Whatever was acknowledged is stored.
	if live := len(liveItems(t, srv)); live < acked {
		t.Errorf("%d Adds acknowledged with 201, %d stored", acked, live)
	}
}

// liveItems returns the data of user u's live contacts.
func liveItems(t *testing.T, srv *testserver.Server) []string {
	t.Helper()
	var out []string
	err := srv.Store.View(t.Context(), func(tx store.Tx) error {
		u, err := tx.UserByName(t.Context(), "u")
		if err != nil {
			return err
		}
		items, err := tx.LiveItems(t.Context(), u.ID, "contacts", "", 1000)
		for _, it := range items {
			out = append(out, string(it.Data))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWrongCredentialsEndSession: a message of an established session
// with credentials that fail gets 401, and the session is over: its next
// message is taken as a new session's first, which must authenticate.
func TestWrongCredentialsEndSession(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	next := login(t, srv, "phone", "1")
	r := post(t, next, msg{dev: "phone", msgID: "2", cred: basicCred("wrong"), more: true,
		cmds: []*syncml.Command{syncAdds(addCard("1", "Ann"))}}.encode(t))
	if r.hdrStatus() != 401 {
		t.Fatalf("wrong credentials in message 2: HTTP %d, SyncHdr status %d, want 401", r.code, r.hdrStatus())
	}
	r = post(t, next, msg{dev: "phone", msgID: "3", cmds: []*syncml.Command{syncAdds(addCard("2", "Bob"))}}.encode(t))
	if r.hdrStatus() != 407 {
		t.Errorf("message 3 after the refusal: HTTP %d, SyncHdr status %d, want 407 (no session any more)", r.code, r.hdrStatus())
	}
	if n := len(liveItems(t, srv)); n != 0 {
		t.Errorf("%d items stored from a session with wrong credentials", n)
	}
}

// TestResumeGoesOnSlow: Alert 225 (resume, what SyncEvolution sends after
// the server died mid-session) is answered 508 with a slow-sync Alert, so
// the same session goes on instead of failing with 406.
func TestResumeGoesOnSlow(t *testing.T) {
	srv := testserver.Start(t, []string{"u"})
	r := post(t, srv.URL, msg{dev: "phone", msgID: "1", cred: basicCred(testserver.Password),
		cmds: []*syncml.Command{alert("225")}}.encode(t))
	var status, mode string
	for _, c := range r.msg.Commands {
		switch {
		case c.Name == "Status" && c.Cmd == "Alert":
			status = c.Data
		case c.Name == "Alert":
			mode = c.Data
		}
	}
	if status != "508" || mode != "201" {
		t.Errorf("Alert 225: status %q and server Alert %q, want 508 and 201", status, mode)
	}
}
