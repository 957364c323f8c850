// Package easclient is a simulated Exchange ActiveSync device for tests
// and the load tool: WBXML over HTTP as a phone sends it (FolderSync,
// Sync, Ping), for what the real EAS client of the conformance kit
// (TbSync) does not do, such as Ping. Its methods return errors rather
// than failing a test, so that goroutines may call them.
package easclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/beevik/etree"

	"anchorage/protocol/wbxml"
)

// Path is the EAS endpoint below a server's base URL.
const Path = "/Microsoft-Server-ActiveSync"

// Client is one device of one user. The zero DeviceType and Version are
// "SimPhone" and 14.1; a nil HTTP is http.DefaultClient.
type Client struct {
	Base       string // http://host:port
	User       string
	Password   string
	DeviceID   string
	DeviceType string
	Version    string
	HTTP       *http.Client
}

// Do sends a command with an XML body (encoded as WBXML; "" for none)
// and returns the decoded answer.
func (c *Client) Do(ctx context.Context, cmd, xml string) (*etree.Element, error) {
	req, err := c.NewRequest(ctx, cmd, xml)
	if err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || len(data) == 0 {
		return nil, fmt.Errorf("%s: HTTP %d, %d bytes", cmd, resp.StatusCode, len(data))
	}
	doc, err := wbxml.DecodeWith(data, wbxml.DecodeOptions{Language: wbxml.ActiveSync})
	if err != nil {
		return nil, fmt.Errorf("%s: answer does not decode: %w", cmd, err)
	}
	return doc.Root(), nil
}

// NewRequest builds the HTTP request of a command with an XML body (encoded
// as WBXML; "" for none), as Do sends it.
func (c *Client) NewRequest(ctx context.Context, cmd, xml string) (*http.Request, error) {
	var body []byte
	if xml != "" {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(xml); err != nil {
			return nil, err
		}
		var err error
		if body, err = wbxml.Encode(doc, wbxml.EncodeOptions{Language: wbxml.ActiveSync, Version: 0x03, InlineData: true}); err != nil {
			return nil, err
		}
	}
	typ, version := c.DeviceType, c.Version
	if typ == "" {
		typ = "SimPhone"
	}
	if version == "" {
		version = "14.1"
	}
	u := c.Base + Path + "?Cmd=" + cmd + "&User=" + c.User + "&DeviceType=" + typ + "&DeviceId=" + c.DeviceID
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.User, c.Password)
	req.Header.Set("Content-Type", "application/vnd.ms-sync.wbxml")
	req.Header.Set("MS-ASProtocolVersion", version)
	return req, nil
}

// Changes are the server's commands of one Sync answer: the
// ApplicationData of adds and changes as XML, the ServerIds of deletes.
type Changes struct {
	Adds, Changes, Deletes []string
}

// SyncResult is the answer for one collection.
type SyncResult struct {
	Key           string
	MoreAvailable bool
	Changes       Changes
	Collection    *etree.Element
}

// Sync sends one Sync of folder at key with client commands (the XML
// content of <Commands>, contacts in namespace prefix c:; "" for none).
// A collection status other than 1 is an error.
func (c *Client) Sync(ctx context.Context, folder, key, commands string) (*SyncResult, error) {
	inner := ""
	if commands != "" {
		inner = "<Commands>" + commands + "</Commands>"
	}
	out, err := c.Do(ctx, "Sync", `<Sync xmlns="AirSync:" xmlns:c="Contacts:"><Collections><Collection><SyncKey>`+key+
		`</SyncKey><CollectionId>`+folder+`</CollectionId>`+inner+`</Collection></Collections></Sync>`)
	if err != nil {
		return nil, err
	}
	col := out.FindElement("Collections/Collection")
	if col == nil || Text(col, "Status") != "1" {
		return nil, fmt.Errorf("sync of %s at %s: %s", folder, key, Dump(out))
	}
	r := &SyncResult{Key: Text(col, "SyncKey"), MoreAvailable: col.FindElement("MoreAvailable") != nil, Collection: col}
	for _, cmd := range col.FindElements("Commands/*") {
		switch cmd.Tag {
		case "Add":
			r.Changes.Adds = append(r.Changes.Adds, Dump(cmd.FindElement("ApplicationData")))
		case "Change":
			r.Changes.Changes = append(r.Changes.Changes, Dump(cmd.FindElement("ApplicationData")))
		case "Delete", "SoftDelete":
			r.Changes.Deletes = append(r.Changes.Deletes, Text(cmd, "ServerId"))
		}
	}
	return r, nil
}

// InitialSync runs FolderSync and brings folder to a current SyncKey,
// which it returns.
func (c *Client) InitialSync(ctx context.Context, folder string) (string, error) {
	if _, err := c.Do(ctx, "FolderSync", `<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>`); err != nil {
		return "", err
	}
	r, err := c.Sync(ctx, folder, "0", "")
	for err == nil {
		if r, err = c.Sync(ctx, folder, r.Key, ""); err == nil && !r.MoreAvailable {
			return r.Key, nil
		}
	}
	return "", err
}

// AddContact adds a contact through Sync and returns the next SyncKey
// and the contact's ServerId.
func (c *Client) AddContact(ctx context.Context, folder, key, clientID, given, family string) (next, serverID string, err error) {
	r, err := c.Sync(ctx, folder, key, `<Add><ClientId>`+clientID+`</ClientId>`+contactData(given, family)+`</Add>`)
	if err != nil {
		return "", "", err
	}
	if st := Text(r.Collection, "Responses/Add/Status"); st != "1" {
		return "", "", fmt.Errorf("add of %s %s: status %q: %s", given, family, st, Dump(r.Collection))
	}
	return r.Key, Text(r.Collection, "Responses/Add/ServerId"), nil
}

// ChangeContact replaces the names of a contact through Sync and returns
// the next SyncKey.
func (c *Client) ChangeContact(ctx context.Context, folder, key, serverID, given, family string) (string, error) {
	r, err := c.Sync(ctx, folder, key, `<Change><ServerId>`+serverID+`</ServerId>`+contactData(given, family)+`</Change>`)
	if err != nil {
		return "", err
	}
	if st := Text(r.Collection, "Responses/Change/Status"); st != "" && st != "1" {
		return "", fmt.Errorf("change of %s: status %q: %s", serverID, st, Dump(r.Collection))
	}
	return r.Key, nil
}

func contactData(given, family string) string {
	return `<ApplicationData><c:FirstName>` + given + `</c:FirstName><c:LastName>` + family + `</c:LastName></ApplicationData>`
}

// PingResult is a Ping's answer.
type PingResult struct {
	Status  string
	Folders []string
}

// Ping parks a Ping of folders (all of class Contacts) with a heartbeat
// in seconds and returns its answer.
func (c *Client) Ping(ctx context.Context, heartbeat int, folders ...string) (*PingResult, error) {
	out, err := c.Do(ctx, "Ping", PingXML(heartbeat, folders...))
	if err != nil {
		return nil, err
	}
	r := &PingResult{Status: Text(out, "Status")}
	for _, f := range out.FindElements("Folders/Folder") {
		r.Folders = append(r.Folders, f.Text())
	}
	return r, nil
}

// PingXML is the body of a Ping of folders (all of class Contacts) with a
// heartbeat in seconds.
func PingXML(heartbeat int, folders ...string) string {
	x := `<Ping xmlns="Ping:"><HeartbeatInterval>` + strconv.Itoa(heartbeat) + `</HeartbeatInterval><Folders>`
	for _, f := range folders {
		x += `<Folder><Id>` + f + `</Id><Class>Contacts</Class></Folder>`
	}
	return x + `</Folders></Ping>`
}

// Text is the text of the element at path below e, "" when there is none.
func Text(e *etree.Element, path string) string {
	if f := e.FindElement(path); f != nil {
		return f.Text()
	}
	return ""
}

// Dump writes an element as XML, for messages.
func Dump(e *etree.Element) string {
	if e == nil {
		return "<nil>"
	}
	doc := etree.NewDocument()
	doc.SetRoot(e.Copy())
	s, _ := doc.WriteToString()
	return s
}
