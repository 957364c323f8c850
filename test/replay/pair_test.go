package replay_test

import (
	"encoding/base64"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/engine"
	"anchorage/protocol/pim"
	"anchorage/protocol/syncml"
)

// srvCmd is one command of a server message (ours or the recording's),
// flattened so that the two can be paired.
type srvCmd struct {
	key     string // "msgID/cmdID", what a client Status names
	name    string // Alert, Results, Sync, Add, Replace, Delete, Get, Status...
	ds      string // canonical datastore (Alert, Sync and the commands in it)
	code    string // Alert code
	luid    string // first item's Target (Replace, Delete)
	guid    string // first item's Source (Add, Replace)
	ct      string
	data    []byte // first item's data, base64-decoded when Format is b64
	badB64  bool
	summary string
	anchor  *syncml.Anchor // Alert
	cmd     *syncml.Command
}

// canonical resolves the first of the datastore URIs our engine knows, as
// it does; an unknown name stays as it is.
func canonical(uris ...string) string {
	for _, u := range uris {
		if n, ok := engine.ResolveDatastore(u); ok {
			return n
		}
	}
	return uris[0]
}

// flatten lists the commands of a server message, those inside Sync
// included.
func flatten(m *syncml.Message) []srvCmd {
	var out []srvCmd
	for _, c := range m.Commands {
		sc := newSrvCmd(m.Header.MsgID, c, "")
		switch c.Name {
		case "Alert":
			if len(c.Items) > 0 {
				sc.ds = canonical(c.Items[0].Source.URI, c.Items[0].Target.URI)
				if c.Items[0].Meta != nil {
					sc.anchor = c.Items[0].Meta.Anchor
				}
			}
		case "Sync":
			sc.ds = canonical(c.Source.URI, c.Target.URI)
			out = append(out, sc)
			for _, sub := range c.Commands {
				out = append(out, newSrvCmd(m.Header.MsgID, sub, sc.ds))
			}
			continue
		}
		out = append(out, sc)
	}
	return out
}

func newSrvCmd(msgID string, c *syncml.Command, ds string) srvCmd {
	sc := srvCmd{key: msgID + "/" + c.CmdID, name: c.Name, ds: ds, code: c.Data, cmd: c}
	if len(c.Items) > 0 {
		it := &c.Items[0]
		sc.luid, sc.guid = it.Target.URI, it.Source.URI
		if c.Name == "Add" || c.Name == "Replace" {
			sc.ct, sc.data, sc.badB64 = itemData(c, it)
			sc.summary = summary(sc.ct, sc.data)
		}
	}
	return sc
}

// itemData returns an item's content type and data, base64-decoded when
// its Format (item Meta, else command Meta) is b64.
func itemData(c *syncml.Command, it *syncml.Item) (ct string, data []byte, bad bool) {
	var format string
	for _, m := range []*syncml.Meta{it.Meta, c.Meta} {
		if m == nil {
			continue
		}
		if ct == "" {
			ct = m.Type
		}
		if format == "" {
			format = m.Format
		}
	}
	if !strings.EqualFold(format, "b64") {
		return ct, []byte(it.Data), false
	}
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, it.Data)
	dec, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return ct, []byte(it.Data), true
	}
	return ct, dec, false
}

var sifTitle = regexp.MustCompile(`<(Subject|FileAs)>([^<]*)</`)

// summary is an item's title: SIF Subject/FileAs, else vCard FN or
// vCalendar SUMMARY (pim.Describe).
func summary(ct string, data []byte) string {
	if strings.HasPrefix(strings.TrimSpace(string(data)), "<") {
		for _, m := range sifTitle.FindAllSubmatch(data, -1) {
			if s := strings.TrimSpace(html.UnescapeString(string(m[2]))); s != "" {
				return s
			}
		}
		return ""
	}
	return pim.Describe(ct, data).Summary
}

// pairing links the recording's server items to ours: recorded server
// item ids to ours, and the pairs of Add and Replace commands.
type pairing struct {
	guids map[string]string
	pairs [][2]srvCmd // recorded, ours (Add and Replace)
}

// pair matches recorded server item commands with ours: Add by datastore
// and item title, Replace and Delete by datastore and the device's LUID.
func pair(rec, ours []srvCmd) pairing {
	p := pairing{guids: map[string]string{}}
	used := make([]bool, len(ours))
	find := func(ok func(o srvCmd) bool) int {
		for i, o := range ours {
			if !used[i] && ok(o) {
				used[i] = true
				return i
			}
		}
		return -1
	}
	for _, r := range rec {
		i := -1
		switch r.name {
		case "Add":
			i = find(func(o srvCmd) bool { return o.name == "Add" && o.ds == r.ds && o.summary == r.summary })
		case "Replace", "Delete":
			i = find(func(o srvCmd) bool { return o.name == r.name && o.ds == r.ds && o.luid == r.luid })
		}
		if i < 0 {
			continue
		}
		if r.name == "Add" && r.guid != "" {
			p.guids[r.guid] = ours[i].guid
		}
		if r.name != "Delete" {
			p.pairs = append(p.pairs, [2]srvCmd{r, ours[i]})
		}
	}
	return p
}

// rewrite adapts a recorded client message to our server: server item
// ids in Status refs and Map targets become ours, and each Status for a
// server command is renumbered (MsgRef/CmdRef) to the command of ours it
// answers, dropped when we sent no such command (e.g. the recorded server's
// Get). Everything else stays byte for byte what the device sent.
//
// A Status is matched to our commands by kind, not by the recording's
// numbers (the Horde answers were regenerated after the devices talked to
// the original server, so their CmdIDs are not always what the device
// acknowledged): Alert and Sync by datastore, Add by item id when the
// device names it, Replace and Delete by LUID when named, otherwise the
// first of that kind the device has not acknowledged yet. claimed holds
// the keys of our commands already acknowledged in the session.
func rewrite(t *testing.T, raw []byte, ours []srvCmd, claimed map[string]bool, guids map[string]string) []byte {
	t.Helper()
	doc := etree.NewDocument()
	doc.ReadSettings.PreserveCData = true
	if err := doc.ReadFromBytes(raw); err != nil {
		t.Fatalf("recorded client message: %v", err)
	}
	body := doc.FindElement("./SyncML/SyncBody")
	if body == nil {
		t.Fatalf("recorded client message has no SyncBody")
	}
	sub := func(e *etree.Element) {
		if g, ok := guids[strings.TrimSpace(e.Text())]; ok {
			e.SetText(g)
		}
	}
	for _, st := range body.SelectElements("Status") {
		for _, r := range append(st.SelectElements("SourceRef"), st.SelectElements("TargetRef")...) {
			sub(r)
		}
		cmd := childText(st, "Cmd")
		if cmd == "SyncHdr" {
			continue
		}
		src, tgt := childText(st, "SourceRef"), childText(st, "TargetRef")
		i := slices.IndexFunc(ours, func(o srvCmd) bool {
			if claimed[o.key] || o.name != cmd {
				return false
			}
			switch {
			case cmd == "Alert" || cmd == "Sync":
				return (src == "" && tgt == "") || o.ds == canonical(src, tgt)
			case cmd == "Add" && src != "":
				return o.guid == src
			case (cmd == "Replace" || cmd == "Delete") && tgt != "":
				return o.luid == tgt
			}
			return true
		})
		if i < 0 {
			body.RemoveChild(st)
			continue
		}
		claimed[ours[i].key] = true
		msg, ref, _ := strings.Cut(ours[i].key, "/")
		st.SelectElement("MsgRef").SetText(msg)
		st.SelectElement("CmdRef").SetText(ref)
	}
	for _, mi := range body.FindElements("./Map/MapItem") {
		if e := mi.FindElement("./Target/LocURI"); e != nil {
			sub(e)
		}
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func childText(e *etree.Element, tag string) string {
	if c := e.SelectElement(tag); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}
