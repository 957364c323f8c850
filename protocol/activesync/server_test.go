package activesync

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/wbxml"
)

// testServer runs a Server with the in-memory test backend on 127.0.0.1.
type testServer struct {
	t       testing.TB
	url     string
	backend *memBackend
	device  string
	version string
	policy  string // X-MS-PolicyKey to send, "" for none
}

func newTestServer(t testing.TB, p Provisioning, tune ...func(*Options)) *testServer {
	s := &testServer{t: t, backend: newMemBackend(), device: "MZTB0123456789abcdef0123456789", version: "14.0"}
	s.start(p, tune...)
	return s
}

// start runs a new front end over the test server's backend (again: a
// server restart that keeps the backend's state).
func (s *testServer) start(p Provisioning, tune ...func(*Options)) {
	n := uint32(1000)
	opts := Options{Backend: s.backend, Converter: rawConverter{}, Provisioning: p,
		NewPolicyKey: func() uint32 { n++; return n }}
	for _, f := range tune {
		f(&opts)
	}
	hs := httptest.NewServer(New(opts))
	s.t.Cleanup(hs.Close)
	s.url = hs.URL + Path
}

// do posts a command with a WBXML body (nil for none) and returns the HTTP
// status and the decoded answer (nil when the body is empty).
func (s *testServer) do(cmd string, body []byte) (int, *etree.Element) {
	s.t.Helper()
	q := "?Cmd=" + cmd + "&User=testuser&DeviceType=TbSync&DeviceId=" + s.device
	return s.doURL(s.url+q, body)
}

func (s *testServer) doURL(u string, body []byte) (int, *etree.Element) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.SetBasicAuth("testuser", "secret")
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("MS-ASProtocolVersion", s.version)
	if s.policy != "" {
		req.Header.Set("X-MS-PolicyKey", s.policy)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(data) == 0 {
		return resp.StatusCode, nil
	}
	// TbSync refuses a body that does not start like this (EAS-NOTES.md);
	// an empty string table also shows every element name is in the
	// code pages.
	if !bytes.HasPrefix(data, []byte{0x03, 0x01, 0x6A, 0x00}) {
		s.t.Fatalf("%s: answer starts % X", u, data[:min(4, len(data))])
	}
	doc, err := wbxml.DecodeWith(data, wbxml.DecodeOptions{Language: wbxml.ActiveSync})
	if err != nil {
		s.t.Fatalf("answer does not decode: %v", err)
	}
	return resp.StatusCode, doc.Root()
}

// enc encodes an XML document (with xmlns attributes) as EAS WBXML.
func enc(t testing.TB, xml string) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	b, err := wbxml.Encode(doc, wbxml.EncodeOptions{Language: wbxml.ActiveSync, Version: 0x03, InlineData: true})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func syncReq(folder, key, inner string) string {
	return `<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>` + key +
		`</SyncKey><CollectionId>` + folder + `</CollectionId>` + inner + `</Collection></Collections></Sync>`
}

func TestOptions(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	req, _ := http.NewRequest(http.MethodOptions, s.url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("MS-ASProtocolVersions"); v != "2.5,12.0,12.1,14.0,14.1,16.0,16.1" {
		t.Errorf("MS-ASProtocolVersions %q", v)
	}
	cmds := resp.Header.Get("MS-ASProtocolCommands")
	for _, c := range []string{"Sync", "FolderSync", "Settings", "GetItemEstimate", "Provision", "ItemOperations", "Ping"} {
		if !strings.Contains(","+cmds+",", ","+c+",") {
			t.Errorf("MS-ASProtocolCommands %q lacks %s", cmds, c)
		}
	}
}

func TestAuthAndBadRequests(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	req, _ := http.NewRequest(http.MethodPost, s.url+"?Cmd=FolderSync&User=testuser&DeviceType=T&DeviceId=D", nil)
	req.SetBasicAuth("testuser", "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad password: HTTP %d, want 401", resp.StatusCode)
	}
	if code, _ := s.doURL(s.url+"?User=testuser", nil); code != http.StatusBadRequest {
		t.Errorf("no Cmd: HTTP %d, want 400", code)
	}
	if code, _ := s.do("FolderSync", []byte{0x03, 0x01, 0x6A, 0x00, 0x45}); code != http.StatusBadRequest {
		t.Errorf("truncated WBXML: HTTP %d, want 400", code)
	}
	if code, _ := s.do("SendMail", nil); code != http.StatusNotImplemented {
		t.Errorf("SendMail: HTTP %d, want 501", code)
	}
	// A version OPTIONS does not offer: 400, with the versions it does.
	req, _ = http.NewRequest(http.MethodPost, s.url+"?Cmd=FolderSync&User=testuser&DeviceType=T&DeviceId=D", nil)
	req.SetBasicAuth("testuser", "secret")
	req.Header.Set("MS-ASProtocolVersion", "17.0")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("MS-ASProtocolVersions") == "" {
		t.Errorf("version 17.0: HTTP %d, MS-ASProtocolVersions %q; want 400 and the list",
			resp.StatusCode, resp.Header.Get("MS-ASProtocolVersions"))
	}
}

// TestBase64Query sends FolderSync with the base64-encoded query of
// MS-ASHTTP 2.2.1.1.1.1: version 14.0, command 9, locale, DeviceId,
// PolicyKey, DeviceType, parameter User.
func TestBase64Query(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	b := []byte{140, 9, 0x09, 0x04}
	b = append(b, byte(len(s.device)))
	b = append(b, s.device...)
	b = append(b, 0)
	b = append(b, 6)
	b = append(b, "TbSync"...)
	b = append(b, 8, 8)
	b = append(b, "testuser"...)
	q := "?" + base64.StdEncoding.EncodeToString(b)
	code, out := s.doURL(s.url+q, enc(t, `<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>`))
	if code != http.StatusOK || out == nil || text(out, "Status") != "1" {
		t.Fatalf("base64 FolderSync: HTTP %d, %v", code, out)
	}
	if n := len(out.FindElements("Changes/Add")); n != 5 {
		t.Errorf("FolderSync: %d folders, want 5 (four datastores and the Inbox)", n)
	}
}

func TestProvisioning(t *testing.T) {
	s := newTestServer(t, ProvisionRequired)
	fs := enc(t, `<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>`)
	if code, _ := s.do("FolderSync", fs); code != 449 {
		t.Fatalf("unprovisioned FolderSync: HTTP %d, want 449", code)
	}
	s.policy = "0"
	code, out := s.do("Provision", enc(t, `<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType></Policy></Policies></Provision>`))
	temp := text(out, "Policies/Policy/PolicyKey")
	if code != 200 || text(out, "Status") != "1" || temp == "" || out.FindElement("Policies/Policy/Data/EASProvisionDoc") == nil {
		t.Fatalf("Provision phase 1: HTTP %d, key %q", code, temp)
	}
	s.policy = temp
	code, out = s.do("Provision", enc(t, `<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-EAS-Provisioning-WBXML</PolicyType><PolicyKey>`+temp+`</PolicyKey><Status>1</Status></Policy></Policies></Provision>`))
	final := text(out, "Policies/Policy/PolicyKey")
	if code != 200 || final == "" || final == temp {
		t.Fatalf("Provision phase 2: HTTP %d, key %q after %q", code, final, temp)
	}
	if code, _ := s.do("FolderSync", fs); code != 449 {
		t.Errorf("FolderSync with the temporary key: HTTP %d, want 449", code)
	}
	s.policy = final
	if code, out := s.do("FolderSync", fs); code != 200 || text(out, "Status") != "1" {
		t.Errorf("provisioned FolderSync: HTTP %d", code)
	}

	// 2.5 gets the WAP provisioning document as text.
	s.version, s.policy = "2.5", "0"
	_, out = s.do("Provision", enc(t, `<Provision xmlns="Provision:"><Policies><Policy><PolicyType>MS-WAP-Provisioning-XML</PolicyType></Policy></Policies></Provision>`))
	if d := text(out, "Policies/Policy/Data"); !strings.Contains(d, "wap-provisioningdoc") {
		t.Errorf("2.5 Provision Data %q", d)
	}

	// Loose: a device that sends no key (TbSync) is not asked.
	l := newTestServer(t, ProvisionLoose)
	if code, _ := l.do("FolderSync", fs); code != 200 {
		t.Errorf("loose, no key: HTTP %d, want 200", code)
	}
	l.policy = "0"
	if code, _ := l.do("FolderSync", fs); code != 449 {
		t.Errorf("loose, key 0: HTTP %d, want 449", code)
	}
}

// TestCapturedTbSyncSession posts the request bodies TbSync sent in a
// recorded 14.0 session, in order, and checks every answer has status 1.
func TestCapturedTbSyncSession(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "activesync", "captures", "tbsync-14.0")
	files, _ := filepath.Glob(filepath.Join(dir, "*.req.wbxml"))
	if len(files) == 0 {
		t.Skip("no TbSync captures in " + dir + " (../shared absent)")
	}
	s := newTestServer(t, ProvisionOff)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cmd := strings.TrimSuffix(filepath.Base(f), ".req.wbxml")[4:]
		if cmd == "Provision" {
			s.policy = "0"
		}
		code, out := s.do(cmd, body)
		if code != 200 {
			t.Errorf("%s: HTTP %d", filepath.Base(f), code)
			continue
		}
		if out == nil {
			continue
		}
		for _, st := range out.FindElements("//Status") {
			if st.Text() != "1" {
				t.Errorf("%s: Status %s in <%s>", filepath.Base(f), st.Text(), st.Parent().Tag)
			}
		}
		if cmd == "Provision" {
			s.policy = text(out, "Policies/Policy/PolicyKey")
		}
	}
	if len(s.backend.infos) == 0 || s.backend.infos[0].Model != "Computer" {
		t.Errorf("Settings DeviceInformation not recorded: %+v", s.backend.infos)
	}
}

func TestSyncAddsRepeatsAndStatuses(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	_, out := s.do("Sync", enc(t, syncReq("contacts", "0", "")))
	if text(out, "Collections/Collection/Status") != "1" || text(out, "Collections/Collection/SyncKey") != "1" {
		t.Fatalf("initial sync: %v", out)
	}
	add := enc(t, syncReq("contacts", "1", `<GetChanges/><Commands>`+
		`<Add><ClientId>c1</ClientId><ApplicationData><FileAs xmlns="Contacts:">Müller, Jörg</FileAs></ApplicationData></Add>`+
		`<Add><ClientId>c2</ClientId><ApplicationData><Invalid xmlns="Contacts:"/></ApplicationData></Add>`+
		`<Change><ServerId>nope</ServerId><ApplicationData><FileAs xmlns="Contacts:">x</FileAs></ApplicationData></Change>`+
		`</Commands>`))
	_, first := s.do("Sync", add)
	_, again := s.do("Sync", add) // the answer was lost
	for _, out := range []*etree.Element{first, again} {
		col := out.FindElement("Collections/Collection")
		if text(col, "SyncKey") != "2" || text(col, "Status") != "1" {
			t.Fatalf("Sync with Adds: key %q status %q", text(col, "SyncKey"), text(col, "Status"))
		}
		adds := col.FindElements("Responses/Add")
		if len(adds) != 2 || text(adds[0], "ServerId") == "" || text(adds[0], "Status") != "1" ||
			text(adds[1], "Status") != "6" || text(adds[1], "ServerId") != "" {
			t.Errorf("Add responses: %d", len(adds))
		}
		if text(col, "Responses/Change/Status") != "8" {
			t.Errorf("Change of unknown item: status %q, want 8", text(col, "Responses/Change/Status"))
		}
	}
	if a, b := text(first, "Collections/Collection/Responses/Add/ServerId"), text(again, "Collections/Collection/Responses/Add/ServerId"); a != b {
		t.Errorf("repeated request: ServerId %s then %s", a, b)
	}
	if n := len(s.backend.items["contacts"]); n != 1 {
		t.Errorf("%d contacts stored after a repeated Add, want 1", n)
	}
	_, out = s.do("Sync", enc(t, syncReq("contacts", "7", "")))
	if st := text(out, "Collections/Collection/Status"); st != "3" {
		t.Errorf("unknown SyncKey: status %s, want 3", st)
	}
	_, out = s.do("Sync", enc(t, syncReq("nosuch", "1", "")))
	if st := text(out, "Collections/Collection/Status"); st != "12" {
		t.Errorf("unknown folder: status %s, want 12", st)
	}
	_, out = s.do("Sync", nil)
	if st := text(out, "Status"); st != "13" {
		t.Errorf("empty Sync: status %s, want 13", st)
	}
}

func TestSyncWindowAndFetch(t *testing.T) {
	s := newTestServer(t, ProvisionOff)
	a := &testServer{t: t, url: s.url, backend: s.backend, device: "A", version: "14.0"}
	a.do("Sync", enc(t, syncReq("contacts", "0", "")))
	var cmds strings.Builder
	for i := 0; i < 5; i++ {
		cmds.WriteString(`<Add><ClientId>` + strconv.Itoa(i) + `</ClientId><ApplicationData><FileAs xmlns="Contacts:">N` + strconv.Itoa(i) + `</FileAs></ApplicationData></Add>`)
	}
	a.do("Sync", enc(t, syncReq("contacts", "1", `<Commands>`+cmds.String()+`</Commands>`)))

	// Device B pages through the five with WindowSize 2.
	s.version = "2.5"
	s.do("Sync", enc(t, syncReq("contacts", "0", "")))
	key, got, pages := "1", 0, 0
	var one string
	for more := true; more; pages++ {
		_, out := s.do("Sync", enc(t, syncReq("contacts", key, `<GetChanges/><WindowSize>2</WindowSize>`)))
		col := out.FindElement("Collections/Collection")
		if text(col, "Class") != "Contacts" {
			t.Errorf("2.5 answer without Class")
		}
		adds := col.FindElements("Commands/Add")
		if len(adds) > 2 {
			t.Fatalf("%d items in a window of 2", len(adds))
		}
		got += len(adds)
		if len(adds) > 0 {
			one = text(adds[0], "ServerId")
			if text(adds[0], "ApplicationData/FileAs") == "" {
				t.Errorf("Add without ApplicationData")
			}
		}
		more = col.FindElement("MoreAvailable") != nil
		key = text(col, "SyncKey")
	}
	if got != 5 || pages != 3 {
		t.Errorf("received %d items in %d answers, want 5 in 3", got, pages)
	}
	_, out := s.do("GetItemEstimate", enc(t, `<GetItemEstimate xmlns="GetItemEstimate:"><Collections><Collection><SyncKey xmlns="AirSync:">`+key+`</SyncKey><CollectionId>contacts</CollectionId></Collection></Collections></GetItemEstimate>`))
	if text(out, "Response/Status") != "1" || text(out, "Response/Collection/Estimate") != "0" {
		t.Errorf("estimate after full sync: status %q estimate %q", text(out, "Response/Status"), text(out, "Response/Collection/Estimate"))
	}
	_, out = s.do("ItemOperations", enc(t, `<ItemOperations xmlns="ItemOperations:"><Fetch><Store>Mailbox</Store><CollectionId xmlns="AirSync:">contacts</CollectionId><ServerId xmlns="AirSync:">`+one+`</ServerId></Fetch><Fetch><Store>Mailbox</Store><CollectionId xmlns="AirSync:">contacts</CollectionId><ServerId xmlns="AirSync:">gone</ServerId></Fetch></ItemOperations>`))
	f := out.FindElements("Response/Fetch")
	if len(f) != 2 || text(f[0], "Status") != "1" || text(f[0], "Properties/FileAs") == "" || text(f[1], "Status") != "6" {
		t.Errorf("ItemOperations Fetch: %d answers", len(f))
	}
}
