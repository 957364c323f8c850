package eas

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/beevik/etree"

	"anchorage/protocol/wbxml"
)

// encode writes an element tree (with xmlns attributes naming the code
// pages, as "AirSync:") as EAS WBXML.
func encode(root *etree.Element) ([]byte, error) {
	doc := etree.NewDocument()
	doc.SetRoot(root)
	return wbxml.Encode(doc, wbxml.EncodeOptions{Language: wbxml.ActiveSync, Version: 0x03, InlineData: true})
}

// post sends one command with a WBXML body and returns the answer's body
// (nil when empty).
func (d *Device) post(ctx context.Context, cmd string, body []byte) ([]byte, error) {
	q := url.Values{"Cmd": {cmd}, "User": {d.opts.User}, "DeviceId": {d.opts.DeviceID}, "DeviceType": {d.opts.DeviceType}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.opts.URL+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(d.opts.User, d.opts.Password)
	req.Header.Set("Content-Type", "application/vnd.ms-sync.wbxml")
	req.Header.Set("MS-ASProtocolVersion", d.opts.Version)
	resp, err := d.opts.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("eas: %s: %w", cmd, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("eas: %s: reading the answer: %w", cmd, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("eas: %s: HTTP %d: %s", cmd, resp.StatusCode, bytes.TrimSpace(data))
	}
	return data, nil
}

// decode reads a WBXML answer.
func decode(cmd string, data []byte) (*etree.Element, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("eas: %s: empty answer", cmd)
	}
	doc, err := wbxml.DecodeWith(data, wbxml.DecodeOptions{Language: wbxml.ActiveSync})
	if err != nil {
		return nil, fmt.Errorf("eas: %s: answer does not decode: %w", cmd, err)
	}
	return doc.Root(), nil
}

// el appends a child element with text ("" for none).
func el(parent *etree.Element, tag, text string) *etree.Element {
	e := parent.CreateElement(tag)
	if text != "" {
		e.SetText(text)
	}
	return e
}

// elNS appends a child element of another code page.
func elNS(parent *etree.Element, tag, ns, text string) *etree.Element {
	e := el(parent, tag, text)
	e.CreateAttr("xmlns", ns)
	return e
}

// childText returns the text of the child at path, or "".
func childText(e *etree.Element, path string) string {
	if c := e.FindElement(path); c != nil {
		return c.Text()
	}
	return ""
}

// writeItem writes an item as ApplicationData: Contacts fields and the
// notes as a plain-text AirSyncBase Body (MS-ASAIRS 2.2.2.9).
func writeItem(parent *etree.Element, it Item) {
	ad := el(parent, "ApplicationData", "")
	for _, name := range sortedKeys(it) {
		if name == "Body" {
			b := elNS(ad, "Body", "AirSyncBase:", "")
			el(b, "Type", "1")
			el(b, "Data", it[name])
			continue
		}
		elNS(ad, name, "Contacts:", it[name])
	}
}

// readItem reads ApplicationData.
func readItem(ad *etree.Element) Item {
	it := Item{}
	for _, c := range ad.ChildElements() {
		if c.Tag == "Body" {
			if v := childText(c, "Data"); v != "" {
				it["Body"] = v
			}
			continue
		}
		it[c.Tag] = c.Text()
	}
	return it
}
