package replay_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"anchorage/protocol/syncml"
)

// alertSpec is what a correct server answers to the device's sync Alert
// for one datastore: the Alert's status (200, or 508 when a fast sync is
// refused) and the mode of the server's own Alert.
type alertSpec struct{ status, mode int }

// ops counts the server's Add, Replace and Delete commands for a datastore.
type ops struct{ Add, Replace, Delete int }

// sessionSpec is one recorded session and what a correct server answers.
type sessionSpec struct {
	clients, servers [][]byte
	// alerts is keyed by canonical datastore (engine.ResolveDatastore).
	alerts map[string]alertSpec
	// sent is the server's commands per datastore over the session; nil
	// means the recorded server's (it had the same server-side changes).
	sent map[string]ops
	// initOnly: the session is only its first message (no Sync expected).
	initOnly bool
	// bug, when set, names a known server bug ("server bug: ..."): the
	// subtest is skipped if an assertion fails, and fails once it passes.
	bug string
}

// session replays one recorded session as a subtest: the server-side
// changes are seeded, the device's messages posted in order (the first to
// /sync, the rest to our RespURI) after rewriting, and every answer checked.
func (h *harness) session(t *testing.T, name string, spec sessionSpec) {
	h.sub(t, name, spec.bug, func() { h.replay(spec) })
}

// sub runs fn as a subtest. With a known bug ("server bug: ...") the
// subtest is skipped when an assertion fails, and fails when none does.
func (h *harness) sub(t *testing.T, name, bug string, fn func()) {
	t.Run(name, func(t *testing.T) {
		h.t, h.bug, h.observed = t, bug, nil
		fn()
		if bug == "" {
			return
		}
		if len(h.observed) == 0 {
			t.Errorf("the known bug did not show up, remove the skip: %s", bug)
			return
		}
		t.Skipf("%s\nobserved:\n  %s", bug, strings.Join(h.observed, "\n  "))
	})
}

// fatalf stops the subtest: a failure, or a skip when it has a known bug.
func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if h.bug != "" {
		h.t.Skipf("%s\nobserved:\n  %s", h.bug, strings.Join(append(h.observed, msg), "\n  "))
	}
	h.t.Fatal(msg)
}

// errorf reports a failed assertion, or collects it when the session has a
// known bug.
func (h *harness) errorf(format string, args ...any) {
	h.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if h.bug != "" {
		h.observed = append(h.observed, msg)
		return
	}
	h.t.Error(msg)
}

// trace logs every exchange (REPLAY_TRACE=1 go test -v ./test/replay/).
var trace = os.Getenv("REPLAY_TRACE") != ""

func (h *harness) replay(spec sessionSpec) {
	h.t.Helper()
	var rec []srvCmd
	for _, raw := range spec.servers {
		m, err := syncml.Decode(raw)
		if err != nil {
			h.t.Fatalf("recorded server message: %v", err)
		}
		rec = append(rec, flatten(m)...)
	}
	first, err := syncml.Decode(spec.clients[0])
	if err != nil {
		h.t.Fatalf("recorded client message: %v", err)
	}
	h.device = first.Header.Source.URI
	h.seed(spec.servers)

	url := h.srv.URL + "/sync"
	var ours []srvCmd
	claimed := map[string]bool{}
	for i, raw := range spec.clients {
		maps.Copy(h.guids, pair(rec, ours).guids)
		body := rewrite(h.t, raw, ours, claimed, h.guids)
		cm, err := syncml.Decode(body)
		if err != nil {
			h.t.Fatalf("rewritten client message %d: %v", i+1, err)
		}
		resp, out := h.post(url, body)
		if resp.Header.RespURI != "" {
			url = resp.Header.RespURI
		}
		a := &answer{h: h, spec: spec, cm: cm, resp: resp, consumed: map[*syncml.Command]bool{}}
		a.check(i == 0)
		if trace || h.t.Failed() || len(h.observed) > 0 {
			h.t.Logf("client message %d (rewritten):\n%s\nour answer:\n%s", i+1, body, out)
		}
		ours = append(ours, flatten(resp)...)
		for _, c := range flatten(resp) {
			if c.name == "Delete" {
				delete(h.knownIn(c.ds), c.luid)
			}
		}
	}
	h.checkSession(spec, rec, ours)
}

// checkSession checks what the server sent over the whole session.
func (h *harness) checkSession(spec sessionSpec, rec, ours []srvCmd) {
	h.t.Helper()
	for ds, want := range spec.alerts {
		var alerts []srvCmd
		for _, c := range ours {
			if c.name == "Alert" && c.ds == ds {
				alerts = append(alerts, c)
			}
		}
		if len(alerts) != 1 {
			h.errorf("%s: server sent %d Alerts, want 1", ds, len(alerts))
			continue
		}
		a := alerts[0]
		if a.code != strconv.Itoa(want.mode) {
			h.errorf("%s: server Alert %s, want %d", ds, a.code, want.mode)
		}
		if a.anchor == nil || a.anchor.Next == "" {
			h.errorf("%s: server Alert without a Next anchor", ds)
			continue
		}
		if prev, ok := h.serverNext[ds]; ok && want.mode == 200 && a.anchor.Last != prev {
			h.errorf("%s: server Alert Last anchor %q, want the Next of the last session %q", ds, a.anchor.Last, prev)
		}
		h.serverNext[ds] = a.anchor.Next
		if !spec.initOnly && want.mode != 202 && want.mode != 203 && len(sentCmds(ours, "Sync", ds)) == 0 {
			h.errorf("%s: no server Sync in mode %d", ds, want.mode)
		}
	}
	want := spec.sent
	if want == nil {
		want = countOps(rec)
	}
	got := countOps(ours)
	if !maps.Equal(got, want) {
		h.errorf("server commands per datastore %v, want %v (Add/Replace/Delete)", got, want)
	}
	// NumberOfChanges, where given, announces the datastore's whole
	// package; a device that reads it (the recorded server gave it) gets it.
	for ds := range spec.alerts {
		syncs, o := sentCmds(ours, "Sync", ds), got[ds]
		announced := false
		for _, s := range syncs {
			if n := s.cmd.NumberOfChanges; n >= 0 {
				announced = true
				if n != o.Add+o.Replace+o.Delete {
					h.errorf("%s: NumberOfChanges %d, but the server sent %d commands", ds, n, o.Add+o.Replace+o.Delete)
				}
			}
		}
		recorded := slices.ContainsFunc(sentCmds(rec, "Sync", ds), func(c srvCmd) bool { return c.cmd.NumberOfChanges >= 0 })
		if recorded && len(syncs) > 0 && !announced {
			h.errorf("%s: server Sync without NumberOfChanges (the recorded server gave it)", ds)
		}
	}
	for _, c := range ours {
		if c.name != "Add" && c.name != "Replace" {
			continue
		}
		if c.ct == "" || len(c.data) == 0 || c.badB64 {
			h.errorf("server %s %s: type %q, %d bytes, bad base64 %v: not a usable item", c.name, c.key, c.ct, len(c.data), c.badB64)
		}
	}
	for _, p := range pair(rec, ours).pairs {
		if p[0].summary != p[1].summary {
			h.errorf("server %s %s carries %q, the recorded server's %q", p[1].name, p[1].key, p[1].summary, p[0].summary)
		}
	}
}

func sentCmds(cmds []srvCmd, name, ds string) []srvCmd {
	var out []srvCmd
	for _, c := range cmds {
		if c.name == name && c.ds == ds {
			out = append(out, c)
		}
	}
	return out
}

func countOps(cmds []srvCmd) map[string]ops {
	out := map[string]ops{}
	for _, c := range cmds {
		o := out[c.ds]
		switch c.name {
		case "Add":
			o.Add++
		case "Replace":
			o.Replace++
		case "Delete":
			o.Delete++
		default:
			continue
		}
		out[c.ds] = o
	}
	return out
}

// answer checks our answer to one client message.
type answer struct {
	h        *harness
	spec     sessionSpec
	cm       *syncml.Message
	resp     *syncml.Message
	consumed map[*syncml.Command]bool
}

func (a *answer) check(first bool) {
	h := a.h
	h.t.Helper()
	want := "200"
	if first {
		want = "212"
	}
	if len(a.resp.Commands) == 0 || a.resp.Commands[0].Cmd != "SyncHdr" {
		h.errorf("msg %s: answer does not start with the SyncHdr Status", a.cm.Header.MsgID)
	} else if s := a.resp.Commands[0]; s.Data != want || s.MsgRef != a.cm.Header.MsgID {
		h.errorf("msg %s: SyncHdr Status %s (MsgRef %s), want %s", a.cm.Header.MsgID, s.Data, s.MsgRef, want)
	}
	a.commands(a.cm.Commands, "")
}

func (a *answer) commands(cmds []*syncml.Command, ds string) {
	h := a.h
	for _, c := range cmds {
		if c.Name == "Status" || c.NoResp {
			continue
		}
		switch c.Name {
		case "Alert":
			a.alert(c)
		case "Sync":
			sds := canonical(c.Target.URI, c.Source.URI)
			a.expect(c, nil, 200, c.Target.URI)
			a.commands(c.Commands, sds)
		case "Atomic", "Sequence":
			a.expect(c, nil, 200, "")
			a.commands(c.Commands, ds)
		case "Add", "Replace", "Delete":
			for i := range c.Items {
				it := &c.Items[i]
				luid := it.Source.URI
				if luid == "" {
					luid = it.Target.URI
				}
				known := h.knownIn(ds)
				want := 201
				switch {
				case c.Name == "Delete" && known[luid]:
					want = 200
				case c.Name == "Delete":
					want = 211
				case c.Name == "Replace" && known[luid]:
					want = 200
				}
				a.expect(c, it, want, "")
				if c.Name == "Delete" {
					delete(known, luid)
				} else {
					known[luid] = true
				}
			}
		case "Map":
			a.expect(c, nil, 200, c.Target.URI)
			for _, mi := range c.MapItems {
				h.knownIn(canonical(c.Target.URI, c.Source.URI))[mi.Source] = true
			}
		case "Get":
			a.expect(c, nil, 200, "")
			if !slices.ContainsFunc(a.resp.Commands, func(r *syncml.Command) bool {
				return r.Name == "Results" && r.CmdRef == c.CmdID && r.MsgRef == a.cm.Header.MsgID
			}) {
				h.errorf("msg %s: no Results for the device's Get %s", a.cm.Header.MsgID, c.CmdID)
			}
		default: // Put, Results (the device's DevInf)
			if a.expect(c, nil, 200, "") != nil && len(c.Items) > 0 && c.Items[0].DataXML != nil {
				h.checkDevInf(c.Items[0].DataXML.FindElement(".//Mod"))
			}
		}
	}
}

// alert checks the Status of a device's Alert: a sync Alert gets the
// datastore's expected code and echoes the device's Next anchor; others
// (222 next message) get 200.
func (a *answer) alert(c *syncml.Command) {
	h := a.h
	code, _ := strconv.Atoi(c.Data)
	if _, ok := syncml.AlertCode(code).SyncMode(); !ok || len(c.Items) == 0 {
		a.expect(c, nil, 200, "")
		return
	}
	it := c.Items[0]
	ds := canonical(it.Target.URI, it.Source.URI)
	want, ok := a.spec.alerts[ds]
	if !ok {
		h.errorf("the device alerts %q (%s) but the spec names no outcome for it", it.Target.URI, ds)
		return
	}
	s := a.expect(c, nil, want.status, it.Target.URI)
	if s == nil || it.Meta == nil || it.Meta.Anchor == nil || it.Meta.Anchor.Next == "" {
		return
	}
	next := ""
	if len(s.Items) > 0 && s.Items[0].DataXML != nil {
		if n := s.Items[0].DataXML.FindElement(".//Next"); n != nil {
			next = n.Text()
		}
	}
	if next != it.Meta.Anchor.Next {
		h.errorf("msg %s: Status for Alert %s echoes Next %q, want the device's %q", a.cm.Header.MsgID, c.CmdID, next, it.Meta.Anchor.Next)
	}
}

// expect finds our Status for a device command (for one item of it when
// it is given) and checks its code. Statuses are matched by CmdRef and Cmd,
// then by the item's or command's refs: the device may reuse CmdIDs.
func (a *answer) expect(c *syncml.Command, it *syncml.Item, code int, target string) *syncml.Command {
	h := a.h
	var cands []*syncml.Command
	for _, s := range a.resp.Commands {
		if s.Name == "Status" && s.MsgRef == a.cm.Header.MsgID && s.CmdRef == c.CmdID && s.Cmd == c.Name && !a.consumed[s] {
			cands = append(cands, s)
		}
	}
	var s *syncml.Command
	for _, cand := range cands {
		switch {
		case it != nil && (it.Source.URI != "" && slices.Contains(cand.SourceRefs, it.Source.URI) ||
			it.Target.URI != "" && slices.Contains(cand.TargetRefs, it.Target.URI)):
		case it == nil && target != "" && slices.Contains(cand.TargetRefs, target):
		case it == nil && target == "":
		default:
			continue
		}
		s = cand
		break
	}
	if s == nil && len(cands) > 0 && (it == nil || len(cands[0].SourceRefs)+len(cands[0].TargetRefs) == 0) {
		s = cands[0] // one Status for all items, or no refs to match on
	}
	what := c.Name + " " + c.CmdID
	if it != nil {
		what += " item " + it.Source.URI + it.Target.URI
	}
	if s == nil {
		h.errorf("msg %s: no Status for %s, want %d", a.cm.Header.MsgID, what, code)
		return nil
	}
	if it == nil || len(s.SourceRefs)+len(s.TargetRefs) > 0 {
		a.consumed[s] = true
	}
	if s.Data != strconv.Itoa(code) {
		h.errorf("msg %s: Status %s for %s, want %d", a.cm.Header.MsgID, s.Data, what, code)
	}
	return s
}

// checkDevInf checks that the DevInf a device sent (Put, or Results to a
// Get) is stored for the device, as the admin's device list shows it.
func (h *harness) checkDevInf(mod *etree.Element) {
	h.t.Helper()
	if mod == nil {
		return
	}
	devs, err := h.eng.Devices(h.ctx, h.user)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, d := range devs {
		if d.Device.DeviceID == h.device {
			if !strings.Contains(string(d.Device.DevInf), mod.Text()) {
				h.errorf("device %s: stored DevInf does not name its model %q", h.device, mod.Text())
			}
			return
		}
	}
	h.errorf("device %s not listed after it sent its DevInf", h.device)
}
