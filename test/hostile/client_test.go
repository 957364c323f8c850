// Package hostile holds the HTTP-level tests of what a hostile client was
// found to get through (issue 21): each posts crafted SyncML to a whole
// server on 127.0.0.1.
package hostile

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"anchorage/protocol/syncml"
)

// msg builds a SyncML message from device dev of user "u" (or user).
type msg struct {
	dev, session, msgID string
	user                string // "" is "u"
	cred                *syncml.Cred
	maxMsgSize          int64
	cmds                []*syncml.Command
	more                bool // not the last message of the package (no Final)
}

func (m msg) encode(t testing.TB) []byte {
	t.Helper()
	id := 0
	var number func([]*syncml.Command)
	number = func(cs []*syncml.Command) {
		for _, c := range cs {
			id++
			c.CmdID = strconv.Itoa(id)
			number(c.Commands)
		}
	}
	number(m.cmds)
	session := m.session
	if session == "" {
		session = "1"
	}
	user := m.user
	if user == "" {
		user = "u"
	}
	sm := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: session,
		MsgID: m.msgID, Target: syncml.Loc{URI: "http://127.0.0.1/sync"}, Source: syncml.Loc{URI: m.dev, Name: user},
		Cred: m.cred, MaxMsgSize: m.maxMsgSize}, Commands: m.cmds, Final: !m.more}
	b, err := syncml.Encode(sm)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func md5Cred(nonce []byte) *syncml.Cred {
	return &syncml.Cred{Type: syncml.AuthMD5, Format: "b64", Data: syncml.MD5Credentials("u", "pw", nonce)}
}

func basicCred(password string) *syncml.Cred { return basicCredOf("u", password) }

func basicCredOf(user, password string) *syncml.Cred {
	return &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData(user, password)}
}

// reply is a server answer.
type reply struct {
	code   int // HTTP status
	header http.Header
	body   []byte
	msg    *syncml.Message // nil unless code is 200
}

// hdrStatus is the reply's Status for our SyncHdr, 0 if none.
func (r reply) hdrStatus() int {
	if r.msg == nil {
		return 0
	}
	for _, c := range r.msg.Commands {
		if c.Name == "Status" && c.Cmd == "SyncHdr" {
			n, _ := strconv.Atoi(c.Data)
			return n
		}
	}
	return 0
}

// nextNonce is the nonce of the reply's challenge, nil if none.
func (r reply) nextNonce(t testing.TB) []byte {
	t.Helper()
	for _, c := range r.msg.Commands {
		if c.Name == "Status" && c.Cmd == "SyncHdr" && c.Chal != nil && c.Chal.NextNonce != "" {
			n, err := base64.StdEncoding.DecodeString(c.Chal.NextNonce)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	return nil
}

// sessionURL is where the session's next message goes (its RespURI).
func (r reply) sessionURL(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(r.msg.Header.RespURI)
	if err != nil || u.Query().Get("sessionid") == "" {
		t.Fatalf("reply has no RespURI with a session: %q", r.msg.Header.RespURI)
	}
	return base + "?sessionid=" + u.Query().Get("sessionid")
}

func post(t testing.TB, to string, body []byte) reply {
	t.Helper()
	return postWith(t, to, body, nil)
}

// postWith posts body with the extra header fields.
func postWith(t testing.TB, to string, body []byte, header http.Header) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, to, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Content-Type", "application/vnd.syncml+xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{code: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode == http.StatusOK {
		if r.msg, err = syncml.Decode(data); err != nil {
			t.Fatalf("decode reply: %v\n%s", err, data)
		}
	}
	return r
}
