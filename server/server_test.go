package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchorage/admin"
	"anchorage/protocol/engine"
	"anchorage/protocol/syncml"
	"anchorage/protocol/syncml/session"
	"anchorage/protocol/wbxml"
	"anchorage/store/sqlite"
)

func newTestServer(t *testing.T, opts Options) (*httptest.Server, *admin.Admin) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "anchorage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	core := engine.New(engine.Options{Store: st, Logger: log})
	eng := admin.New(core)
	if err := eng.AddUser(context.Background(), "alice", "secret", true); err != nil {
		t.Fatal(err)
	}
	opts.SyncML, opts.Logger = session.New(core, session.Options{Logger: log}), log
	ts := httptest.NewServer(New(opts))
	t.Cleanup(ts.Close)
	return ts, eng
}

// firstMessage is a minimal session start: basic auth, one Alert.
func firstMessage(t *testing.T, user, password string) []byte {
	t.Helper()
	m := &syncml.Message{
		Header: syncml.Header{VerDTD: "1.2", VerProto: "SyncML/1.2", SessionID: "1", MsgID: "1",
			Target: syncml.Loc{URI: "http://127.0.0.1/sync"}, Source: syncml.Loc{URI: "dev-1", Name: user},
			Cred: &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData(user, password)}},
		Commands: []*syncml.Command{{Name: "Alert", CmdID: "1", Data: "201", NumberOfChanges: -1,
			Items: []syncml.Item{{Target: syncml.Loc{URI: "contacts"}, Source: syncml.Loc{URI: "./contacts"},
				Meta: &syncml.Meta{Anchor: &syncml.Anchor{Next: "1"}}}}}},
		Final: true,
	}
	b, err := syncml.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, url, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestSyncEndpoint(t *testing.T) {
	ts, _ := newTestServer(t, Options{MaxBodyBytes: 64 << 10})
	msg := firstMessage(t, "alice", "secret")

	t.Run("charset parameter ignored", func(t *testing.T) {
		resp, body := post(t, ts.URL+"/sync", "application/vnd.syncml+xml; charset=UTF-8", msg)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != contentTypeXML {
			t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		reply, err := syncml.Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		if got := reply.Commands[0].Data; got != "212" {
			t.Errorf("SyncHdr status = %s, want 212", got)
		}
		if !strings.HasPrefix(reply.Header.RespURI, ts.URL+"/sync?sessionid=") {
			t.Errorf("RespURI = %q", reply.Header.RespURI)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		_, body := post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "nope"))
		reply, err := syncml.Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		if got := reply.Commands[0].Data; got != "401" || reply.Header.RespURI != "" {
			t.Errorf("SyncHdr status = %s, RespURI %q; want 401 and no session", got, reply.Header.RespURI)
		}
	})
	t.Run("GET", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/sync")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /sync = %d, want 405", resp.StatusCode)
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		if resp, _ := post(t, ts.URL+"/sync", "text/plain", msg); resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain = %d, want 415", resp.StatusCode)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := append([]byte{}, msg...)
		big = append(big, make([]byte, 70<<10)...)
		if resp, _ := post(t, ts.URL+"/sync", contentTypeXML, big); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized body = %d, want 413", resp.StatusCode)
		}
	})
	t.Run("malformed XML", func(t *testing.T) {
		if resp, _ := post(t, ts.URL+"/sync", contentTypeXML, []byte("<SyncML><SyncHdr>")); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed = %d, want 400", resp.StatusCode)
		}
	})
}

func TestTrace(t *testing.T) {
	dir := t.TempDir()
	ts, _ := newTestServer(t, Options{TraceDir: dir})
	post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "secret"))
	files, err := filepath.Glob(filepath.Join(dir, "dev-1", "*", "01-*.xml"))
	if err != nil || len(files) != 2 {
		t.Fatalf("trace files = %v, %v; want 01-in.xml and 01-out.xml", files, err)
	}
	in, _ := os.ReadFile(files[0])
	if !strings.Contains(string(in), "<SyncML") {
		t.Errorf("trace file %s does not hold the message", files[0])
	}
	if pw := syncml.BasicCredentialsData("alice", "secret"); strings.Contains(string(in), pw) {
		t.Errorf("trace file %s holds the basic-auth credentials %s", files[0], pw)
	}

	// Password guessing: no directory and no body per attempt, one
	// summary line each.
	for range 5 {
		post(t, ts.URL+"/sync", contentTypeXML, append(firstMessage(t, "alice", "guess"), make([]byte, 20000)...))
	}
	dirs, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(dirs) != 2 { // dev-1 and unauthenticated.log
		t.Errorf("trace dir holds %v after 5 failed logins; want dev-1 and unauthenticated.log", dirs)
	}
	sum, err := os.ReadFile(filepath.Join(dir, "unauthenticated.log"))
	if err != nil || strings.Count(string(sum), "\n") != 5 || len(sum) > 1000 {
		t.Errorf("summary of 5 failed logins: %d bytes, %v:\n%s", len(sum), err, sum)
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"dev-1": "dev-1", "../../etc": ".._.._etc", "..": "_", "": "unknown", "a/b": "a_b"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSessionIsolation: a session key taken by another device or user does
// not let it into the session; without credentials it gets 407.
func TestSessionIsolation(t *testing.T) {
	ts, eng := newTestServer(t, Options{})
	if err := eng.AddUser(context.Background(), "mallory", "pw", true); err != nil {
		t.Fatal(err)
	}
	_, body := post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "secret"))
	reply, err := syncml.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	respURI := reply.Header.RespURI

	// Mallory's device posts to Alice's session URL without credentials.
	m, err := syncml.Decode(firstMessage(t, "mallory", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	m.Header.Source = syncml.Loc{URI: "dev-mallory", Name: "mallory"}
	m.Header.Cred = nil
	m.Header.MsgID = "2"
	b, err := syncml.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	_, body = post(t, respURI, contentTypeXML, b)
	reply, err = syncml.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := reply.Commands[0].Data; got != "407" || reply.Header.RespURI != "" {
		t.Errorf("foreign device on Alice's session: status %s, RespURI %q; want 407 and no session", got, reply.Header.RespURI)
	}

	// With Mallory's own credentials it gets a session of its own.
	m.Header.Cred = &syncml.Cred{Type: syncml.AuthBasic, Format: "b64", Data: syncml.BasicCredentialsData("mallory", "pw")}
	b, _ = syncml.Encode(m)
	_, body = post(t, respURI, contentTypeXML, b)
	reply, _ = syncml.Decode(body)
	if reply.Header.RespURI == respURI || reply.Commands[0].Data != "212" {
		t.Errorf("Mallory got status %s and RespURI %q (Alice's is %q)", reply.Commands[0].Data, reply.Header.RespURI, respURI)
	}
}

// TestFailedLoginsSlowed: after three wrong passwords from one address the
// refusals come slower.
func TestFailedLoginsSlowed(t *testing.T) {
	ts, _ := newTestServer(t, Options{})
	var last time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		_, body := post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "wrong"))
		last = time.Since(start)
		if reply, err := syncml.Decode(body); err != nil || reply.Commands[0].Data != "401" {
			t.Fatalf("attempt %d: %v %s", i, err, body)
		}
	}
	if last < 400*time.Millisecond {
		t.Errorf("the fifth wrong password was answered in %v; want it slowed (>= 500ms)", last)
	}
	// The right password still works from the same address.
	_, body := post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "secret"))
	if reply, _ := syncml.Decode(body); reply.Commands[0].Data != "212" {
		t.Errorf("right password after failures: %s", reply.Commands[0].Data)
	}
}

// TestDisabledUserCannotSync: a user disabled (in the web interface's
// admin pages) gets 401 with the right password; enabled again, 212.
func TestDisabledUserCannotSync(t *testing.T) {
	ts, eng := newTestServer(t, Options{})
	status := func() string {
		_, body := post(t, ts.URL+"/sync", contentTypeXML, firstMessage(t, "alice", "secret"))
		reply, err := syncml.Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		return reply.Commands[0].Data
	}
	yes, no := true, false
	if err := eng.SetUserFlags(t.Context(), "alice", nil, &yes); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "401" {
		t.Errorf("disabled user: SyncHdr status %s, want 401", got)
	}
	if err := eng.SetUserFlags(t.Context(), "alice", nil, &no); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "212" {
		t.Errorf("enabled again: SyncHdr status %s, want 212", got)
	}
}

// TestTraceWBXML: a WBXML request's Cred is redacted in its trace as an
// XML one's is, whether the encoder wrote it as an inline string or as
// opaque data; the traced file is still a readable WBXML message.
func TestTraceWBXML(t *testing.T) {
	for name, opts := range map[string]wbxml.EncodeOptions{"opaque": {}, "inline": {InlineData: true}, "string table": {StringTable: true, InlineData: true}} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ts, _ := newTestServer(t, Options{TraceDir: dir})
			m, err := syncml.Decode(firstMessage(t, "alice", "secret"))
			if err != nil {
				t.Fatal(err)
			}
			body, err := wbxml.Encode(syncml.EncodeDocument(m), opts)
			if err != nil {
				t.Fatal(err)
			}
			pw := syncml.BasicCredentialsData("alice", "secret")
			if !strings.Contains(string(body), pw) {
				t.Fatalf("the WBXML request does not hold the credentials verbatim; the test proves nothing")
			}
			post(t, ts.URL+"/sync", contentTypeWBXML, body)
			files, _ := filepath.Glob(filepath.Join(dir, "dev-1", "*", "01-in.wbxml"))
			if len(files) != 1 {
				t.Fatalf("trace files = %v; want one 01-in.wbxml", files)
			}
			in, _ := os.ReadFile(files[0])
			if strings.Contains(string(in), pw) {
				t.Errorf("trace file %s holds the basic-auth credentials %s", files[0], pw)
			}
			doc, err := wbxml.Decode(in)
			if err != nil {
				t.Fatalf("traced WBXML unreadable: %v", err)
			}
			if d := doc.FindElement("//Cred/Data"); d == nil || !strings.HasPrefix(d.Text(), "REDACTED") {
				t.Errorf("traced Cred Data = %v, want REDACTED", d)
			}
		})
	}
}
