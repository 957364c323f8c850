package hostile

import (
	"fmt"
	"strconv"
	"testing"

	"anchorage/protocol/syncml"
	"anchorage/test/testserver"
)

// TestStatusesRespectMaxMsgSize: a device with a small MaxMsgSize sends
// its slow sync as two messages of many Adds. Every answer stays within
// its MaxMsgSize; the Statuses that do not fit come in the following
// messages of the package (the device asks with Alert 222), each Add gets
// exactly one, and each item is stored once. The messages alternate
// between two server nodes on one store: what is carried is in the store.
func TestStatusesRespectMaxMsgSize(t *testing.T) {
	const maxMsg, perMsg = 3000, 300
	srv := testserver.Start(t, []string{"u"})
	first := post(t, srv.URL, msg{dev: "phone", msgID: "1", cred: basicCred(testserver.Password), maxMsgSize: maxMsg,
		cmds: []*syncml.Command{alert("201")}}.encode(t))
	if first.hdrStatus() != 212 {
		t.Fatalf("login: HTTP %d, SyncHdr status %d", first.code, first.hdrStatus())
	}
	nodes := []string{first.sessionURL(t, srv.URL), first.sessionURL(t, srv.Node(t))}

	// statuses[msgRef/cmdRef] counts the Statuses each of our commands got.
	statuses := map[string]int{}
	adds := map[string]bool{} // "msgID/cmdID" of every Add we sent
	last := first
	msgID := 1
	exchange := func(m msg) reply {
		t.Helper()
		msgID++
		m.dev, m.msgID, m.maxMsgSize = "phone", strconv.Itoa(msgID), maxMsg
		// Answer every command of the server's last message that wants
		// a Status (our statuses go first, as a client sends them).
		var answers []*syncml.Command
		for _, c := range last.msg.Commands {
			if c.Name != "Status" {
				answers = append(answers, syncml.NewStatus(last.msg.Header.MsgID, c, 200))
				for _, ch := range c.Commands {
					answers = append(answers, syncml.NewStatus(last.msg.Header.MsgID, ch, 200))
				}
			}
		}
		m.cmds = append(answers, m.cmds...)
		body := m.encode(t)
		for _, c := range m.cmds {
			if c.Name == "Sync" {
				for _, a := range c.Commands {
					adds[m.msgID+"/"+a.CmdID] = true
				}
			}
		}
		r := post(t, nodes[msgID%2], body)
		if r.code != 200 {
			t.Fatalf("message %s: HTTP %d\n%s", m.msgID, r.code, r.body)
		}
		if len(r.body) > maxMsg {
			t.Errorf("answer to message %s is %d bytes, more than the MaxMsgSize %d", m.msgID, len(r.body), maxMsg)
		}
		for _, c := range r.msg.Commands {
			if c.Name == "Status" && c.Cmd != "SyncHdr" {
				statuses[c.MsgRef+"/"+c.CmdRef]++
			}
		}
		last = r
		return r
	}
	cards := func(from int) []*syncml.Command {
		out := make([]*syncml.Command, perMsg)
		for i := range out {
			n := from + i
			out[i] = addCard(fmt.Sprintf("luid-%d", n), fmt.Sprintf("Person%04d", n))
		}
		return out
	}

	// The client's package spans two messages; the first is answered
	// without Final (the client's package goes on).
	if r := exchange(msg{more: true, cmds: []*syncml.Command{syncAdds(cards(0)...)}}); r.msg.Final {
		t.Fatalf("answer to a message of an open client package is final")
	}
	r := exchange(msg{cmds: []*syncml.Command{syncAdds(cards(perMsg)...)}})
	rounds := 0
	for !r.msg.Final {
		if rounds++; rounds > 200 {
			t.Fatal("the server's package never ended")
		}
		r = exchange(msg{cmds: []*syncml.Command{alert222()}})
	}
	if rounds < 2 {
		t.Errorf("the statuses of %d Adds fit in %d messages of %d bytes; the test needs more", 2*perMsg, rounds, maxMsg)
	}
	// Our statuses for the server's final message (its Sync) close the session.
	exchange(msg{})

	for key := range adds {
		if statuses[key] != 1 {
			t.Errorf("Add %s got %d Statuses, want 1", key, statuses[key])
		}
	}
	for key, n := range statuses {
		if n != 1 {
			t.Errorf("command %s got %d Statuses", key, n)
		}
	}
	items := liveItems(t, srv)
	if len(items) != 2*perMsg {
		t.Errorf("%d items stored, want %d", len(items), 2*perMsg)
	}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it] {
			t.Errorf("item stored twice: %q", it)
		}
		seen[it] = true
	}
}

// alert222 asks for the next message of the server's package (RepPro,
// Alert codes: 222 "next message").
func alert222() *syncml.Command {
	return &syncml.Command{Name: "Alert", Data: "222", NumberOfChanges: -1,
		Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"}}}}
}
