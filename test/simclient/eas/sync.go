package eas

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/beevik/etree"
)

// maxRequests bounds one Sync call: a server that never lets the device
// finish is a failure, not a hang.
const maxRequests = 2000

// Report says what one Sync call did.
type Report struct {
	Requests                           int
	SentAdds, SentChanges, SentDeletes int
	RecvAdds, RecvChanges, RecvDeletes int
	Resets                             int            // status 3 answers (the folder started again)
	Statuses                           map[string]int // "Add 1", "Change 7", ...: the answers to the device's commands
	Resent                             []Resent
	Acked                              []Item // contents the server accepted
	InitialSyncs, PagedWindows         int    // SyncKey 0 requests; answers with MoreAvailable
}

// Resent is a request sent again after its answer was lost.
type Resent struct {
	Request   int
	Identical bool
	// Shrunk: not identical, but the first answer with fewer of its
	// server changes, as the server's loop detection answers the second
	// and later repeats of one SyncKey (README, "Loop detection").
	Shrunk bool
	// KeptKey: the first answer changed nothing and kept the request's
	// SyncKey, so the request sent again is a new one at the same key,
	// whose answer may carry changes made since.
	KeptKey      bool
	First, Again []byte
}

// sent is what one request carried, to match the answer with.
type sent struct {
	initial bool
	adds    map[string]string // ClientId -> local id
	changes []string          // local ids
	deletes []string
}

// Sync syncs the contacts folder until neither side has anything more.
// The Faults are used and cleared.
func (d *Device) Sync(ctx context.Context) (*Report, error) {
	f := d.Faults
	d.Faults = Faults{}
	rep := &Report{Statuses: map[string]int{}}
	if d.st.FolderID == "" {
		if err := d.folderSync(ctx); err != nil {
			return rep, err
		}
	}
	for n := 1; ; n++ {
		if n > maxRequests {
			return rep, fmt.Errorf("eas: no end after %d Sync requests", maxRequests)
		}
		root, s := d.request(f.BadKey && n == 1)
		body, err := encode(root)
		if err != nil {
			return rep, fmt.Errorf("eas: encoding Sync: %w", err)
		}
		rep.Requests++
		key := root.FindElement("Collections/Collection/SyncKey").Text()
		d.countSend(key)
		data, err := d.post(ctx, "Sync", body)
		if err != nil {
			return rep, err
		}
		if slices.Contains(f.DropResponse, n) {
			again, err := d.post(ctx, "Sync", body)
			if err != nil {
				return rep, err
			}
			r := Resent{Request: n, Identical: bytes.Equal(data, again), First: data, Again: again}
			if sends := d.countSend(key); !r.Identical && key != "0" && sends >= 3 {
				r.Shrunk = shrunkAnswer(data, again)
			}
			r.KeptKey = !r.Identical && keptKey(data, key)
			rep.Resent = append(rep.Resent, r)
			data = again
		}
		if f.Crash == n {
			return rep, ErrAbandoned
		}
		ans, err := decode("Sync", data)
		if err != nil {
			return rep, err
		}
		done, err := d.answer(ans, s, f.ForgetAdds == n, rep)
		if err != nil {
			return rep, fmt.Errorf("eas: request %d: %w", n, err)
		}
		if done {
			return rep, nil
		}
	}
}

// folderSync finds the contacts folder (type 9, MS-ASCMD 2.2.3.186.3).
func (d *Device) folderSync(ctx context.Context) error {
	root := etree.NewElement("FolderSync")
	root.CreateAttr("xmlns", "FolderHierarchy:")
	el(root, "SyncKey", "0")
	body, err := encode(root)
	if err != nil {
		return err
	}
	data, err := d.post(ctx, "FolderSync", body)
	if err != nil {
		return err
	}
	ans, err := decode("FolderSync", data)
	if err != nil {
		return err
	}
	if st := childText(ans, "Status"); st != "1" {
		return fmt.Errorf("eas: FolderSync: status %s", st)
	}
	for _, a := range ans.FindElements("Changes/Add") {
		if childText(a, "Type") == "9" {
			d.st.FolderID = childText(a, "ServerId")
			return nil
		}
	}
	return fmt.Errorf("eas: FolderSync: no contacts folder")
}

// request builds the next Sync request: SyncKey 0 when the folder is not
// started, else the pending commands and a request for changes.
func (d *Device) request(badKey bool) (*etree.Element, *sent) {
	root := etree.NewElement("Sync")
	root.CreateAttr("xmlns", "AirSync:")
	col := el(el(root, "Collections", ""), "Collection", "")
	s := &sent{adds: map[string]string{}}
	if d.st.Key == "" {
		el(col, "SyncKey", "0")
		el(col, "CollectionId", d.st.FolderID)
		s.initial = true
		return root, s
	}
	key := d.st.Key
	if badKey {
		key = "9" + key + "9"
	}
	el(col, "SyncKey", key)
	el(col, "CollectionId", d.st.FolderID)
	el(col, "GetChanges", "")
	el(col, "WindowSize", strconv.Itoa(d.opts.WindowSize))
	var cmds *etree.Element
	n := 0
	for _, id := range sortedKeys(d.st.Items) {
		if n == d.opts.MaxCommands {
			break
		}
		e := d.st.Items[id]
		if cmds == nil && e.pending() {
			cmds = el(col, "Commands", "")
		}
		switch {
		case e.ServerID == "" && (e.Sent || !e.Deleted):
			// An Add, or one whose answer was never stored (again,
			// with the same ClientId) before its Delete can go.
			if e.ClientID == "" {
				d.st.NextClient++
				e.ClientID = "c" + strconv.Itoa(d.st.NextClient)
			}
			e.Sent = true
			a := el(cmds, "Add", "")
			el(a, "ClientId", e.ClientID)
			writeItem(a, e.Data)
			s.adds[e.ClientID] = id
		case e.Deleted:
			el(el(cmds, "Delete", ""), "ServerId", e.ServerID)
			s.deletes = append(s.deletes, id)
		case e.Dirty:
			c := el(cmds, "Change", "")
			el(c, "ServerId", e.ServerID)
			writeItem(c, e.Data)
			s.changes = append(s.changes, id)
		default:
			continue
		}
		n++
	}
	return root, s
}

// pending tells whether the entry needs a command.
func (e *entry) pending() bool {
	if e.Deleted {
		return e.ServerID != "" || e.Sent
	}
	return e.ServerID == "" || e.Dirty
}

// answer stores a Sync answer; done is set when neither side has more.
func (d *Device) answer(ans *etree.Element, s *sent, forgetAdds bool, rep *Report) (done bool, err error) {
	if ans.Tag != "Sync" {
		return false, fmt.Errorf("answer is <%s>", ans.Tag)
	}
	if st := childText(ans, "Status"); st != "" {
		return false, fmt.Errorf("Sync status %s", st)
	}
	col := ans.FindElement("Collections/Collection")
	if col == nil {
		return false, fmt.Errorf("answer without a Collection")
	}
	switch st := childText(col, "Status"); {
	case st == "3":
		rep.Resets++
		d.reset()
		return false, nil
	case st != "1":
		return false, fmt.Errorf("collection status %s", st)
	}
	key := childText(col, "SyncKey")
	if key == "" {
		return false, fmt.Errorf("answer without a SyncKey")
	}
	if s.initial {
		rep.InitialSyncs++
		d.st.Key = key
		return false, nil
	}
	byServerID := map[string]string{}
	for id, e := range d.st.Items {
		if e.ServerID != "" {
			byServerID[e.ServerID] = id
		}
	}
	failed := map[string]bool{}
	for _, r := range col.FindElements("Responses/*") {
		st := childText(r, "Status")
		rep.Statuses[r.Tag+" "+st]++
		if r.Tag == "Add" {
			if err := d.addAnswered(r, s, forgetAdds, rep); err != nil {
				return false, err
			}
			continue
		}
		id, ok := byServerID[childText(r, "ServerId")]
		if !ok {
			return false, fmt.Errorf("%s answer for ServerId %q the device did not send", r.Tag, childText(r, "ServerId"))
		}
		failed[id] = true
		switch {
		case r.Tag == "Change" && st == "7":
			d.st.Items[id].Dirty = false // the server's version follows
		case st == "8" || r.Tag == "Delete" && st == "7":
			// Gone, or kept by the server (changed elsewhere): then its
			// version follows as an Add.
			delete(d.st.Items, id)
		default:
			return false, fmt.Errorf("%s of %s: status %s", r.Tag, childText(r, "ServerId"), st)
		}
	}
	for _, id := range s.changes {
		if e := d.st.Items[id]; e != nil && !failed[id] {
			e.Dirty = false
			rep.Acked = append(rep.Acked, e.Data)
			rep.SentChanges++
		}
	}
	for _, id := range s.deletes {
		if !failed[id] {
			delete(d.st.Items, id)
			rep.SentDeletes++
		}
	}
	if err := d.serverChanges(col, rep); err != nil {
		return false, err
	}
	more := col.FindElement("MoreAvailable") != nil
	if more {
		rep.PagedWindows++
	}
	d.st.Key = key
	if more {
		return false, nil
	}
	for _, e := range d.st.Items {
		if e.pending() {
			return false, nil
		}
	}
	return true, nil
}

// addAnswered stores the ServerId the server gave an Add.
func (d *Device) addAnswered(r *etree.Element, s *sent, forget bool, rep *Report) error {
	cid := childText(r, "ClientId")
	id, ok := s.adds[cid]
	if !ok {
		return fmt.Errorf("Add answer for ClientId %q the device did not send", cid)
	}
	if st := childText(r, "Status"); st != "1" {
		return fmt.Errorf("Add %s: status %s", cid, st)
	}
	sid := childText(r, "ServerId")
	if sid == "" {
		return fmt.Errorf("Add %s: no ServerId", cid)
	}
	e := d.st.Items[id]
	if e.ClientID != cid {
		return fmt.Errorf("Add %s: local item %s now has ClientId %s", cid, id, e.ClientID)
	}
	if forget {
		return nil
	}
	for oid, o := range d.st.Items {
		if oid != id && o.ServerID == sid {
			return fmt.Errorf("Add %s: ServerId %s is already item %s's", cid, sid, oid)
		}
	}
	rep.SentAdds++
	rep.Acked = append(rep.Acked, e.Data)
	e.ServerID, e.ClientID, e.Sent, e.Dirty = sid, "", false, false
	return nil
}

// serverChanges applies the server's Commands. The server wins over a
// local change not sent yet.
func (d *Device) serverChanges(col *etree.Element, rep *Report) error {
	byServerID := map[string]string{}
	for id, e := range d.st.Items {
		if e.ServerID != "" {
			byServerID[e.ServerID] = id
		}
	}
	for _, c := range col.FindElements("Commands/*") {
		sid := childText(c, "ServerId")
		if sid == "" {
			return fmt.Errorf("server %s without a ServerId", c.Tag)
		}
		id, known := byServerID[sid]
		switch c.Tag {
		case "Add", "Change":
			ad := c.FindElement("ApplicationData")
			if ad == nil {
				return fmt.Errorf("server %s %s without ApplicationData", c.Tag, sid)
			}
			if c.Tag == "Add" {
				rep.RecvAdds++
				if known {
					return fmt.Errorf("server Add of %s, which the device holds as %v (the Add: %v)", sid, d.st.Items[id].Data, readItem(ad))
				}
			} else {
				rep.RecvChanges++
			}
			if !known {
				d.st.NextLocal++
				id = "l" + strconv.Itoa(d.st.NextLocal)
				d.st.Items[id] = &entry{ServerID: sid}
				byServerID[sid] = id
			}
			e := d.st.Items[id]
			e.Data, e.Dirty = readItem(ad), false
		case "Delete", "SoftDelete":
			rep.RecvDeletes++
			if known {
				delete(d.st.Items, id)
				delete(byServerID, sid)
			}
		default:
			return fmt.Errorf("server command <%s>", c.Tag)
		}
	}
	return nil
}

// reset starts the folder again (status 3): every item the device shows
// is sent as an Add, to be matched by identity; Deletes not answered are
// dropped (the server sends the item back).
func (d *Device) reset() {
	d.st.Key = ""
	for id, e := range d.st.Items {
		if e.Deleted {
			delete(d.st.Items, id)
			continue
		}
		e.ServerID, e.ClientID, e.Sent, e.Dirty = "", "", false, true
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
