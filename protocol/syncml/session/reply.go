package session

import (
	"strconv"

	"anchorage/protocol/syncml"
)

// reply collects the commands of one server message in order and assigns
// their CmdIDs (RepPro 5.1.2: unique within the message, starting at 1).
type reply struct {
	hdr    syncml.Header
	msgRef string // the client MsgID we answer
	cmds   []*syncml.Command
	nextID int
	size   int
	limit  int
	// carry holds the commands that did not fit this message, in order;
	// they open the next message of our package (RepPro 5.1: a package
	// may span messages, the device asks for the next with Alert 222).
	carry []*syncml.Command
}

func newReply(hdr syncml.Header, msgRef string, limit int64) *reply {
	// The MsgID is set when the reply is encoded; allow for its digits.
	return &reply{hdr: hdr, msgRef: msgRef, nextID: 1, size: syncml.HeaderSize(hdr) + 16, limit: int(limit)}
}

// id returns the next CmdID.
func (r *reply) id() string {
	s := strconv.Itoa(r.nextID)
	r.nextID++
	return s
}

// add appends a top-level command, giving it (and its children) CmdIDs.
// A command that does not fit the message size limit, and every one after
// it, is carried to the next message instead; the first command after the
// header status is placed whatever its size, so that every message makes
// progress.
func (r *reply) add(c *syncml.Command) {
	if len(r.carry) > 0 {
		r.carry = append(r.carry, c)
		return
	}
	first := r.nextID
	c.CmdID = r.id()
	for _, ch := range c.Commands {
		ch.CmdID = r.id()
	}
	size := syncml.EncodedSize(c) // measured with its CmdIDs
	if len(r.cmds) > 1 && !r.fits(size) {
		r.nextID = first
		r.carry = append(r.carry, c)
		return
	}
	r.cmds = append(r.cmds, c)
	r.size += size
}

// addIfFits appends c when it fits (or is the first command after the
// header status) and nothing was carried; it never carries c.
func (r *reply) addIfFits(c *syncml.Command) bool {
	c.CmdID = strconv.Itoa(r.nextID) // measured as it will be numbered
	if r.full() || len(r.cmds) > 1 && !r.fits(syncml.EncodedSize(c)) {
		return false
	}
	r.add(c)
	return true
}

// full tells whether commands were carried: nothing more goes in this
// message.
func (r *reply) full() bool { return len(r.carry) > 0 }

// fitsAlone tells whether a command of n bytes fits a message holding only
// the header and its status.
func (r *reply) fitsAlone(n int) bool {
	if r.limit <= 0 {
		return true
	}
	base := r.size
	for _, c := range r.cmds[min(1, len(r.cmds)):] {
		base -= syncml.EncodedSize(c)
	}
	return base+n <= r.limit
}

// addChild appends a command inside a Sync already added; size is its
// encoded size, as the caller measured it to decide whether it fits.
func (r *reply) addChild(parent, c *syncml.Command, size int) {
	c.CmdID = r.id()
	parent.Commands = append(parent.Commands, c)
	r.size += size
}

// fits tells whether n more bytes stay within the message size limit.
func (r *reply) fits(n int) bool { return r.limit <= 0 || r.size+n <= r.limit }

// status appends a Status for command c (RepPro 6.6.16), with items (the
// device's Next anchor for an Alert).
func (r *reply) status(c *syncml.Command, code int, items ...syncml.Item) {
	s := syncml.NewStatus(r.msgRef, c, syncml.StatusCode(code))
	s.Items = items
	r.add(s)
}

// itemStatus appends a Status for one item of an item command (several
// items of one Add get one Status each, each naming its item).
func (r *reply) itemStatus(c *syncml.Command, it *syncml.Item, code int) {
	s := &syncml.Command{Name: "Status", MsgRef: r.msgRef, CmdRef: c.CmdID, Cmd: c.Name, Data: strconv.Itoa(code),
		TargetRefs: nonEmpty(it.Target.URI), SourceRefs: nonEmpty(it.Source.URI)}
	r.add(s)
}

// nothingToAct tells whether the reply carries nothing the device must act
// on: statuses, and Syncs without commands (the empty server Sync of a
// one-way-from-client or no-change session).
func (r *reply) nothingToAct() bool {
	for _, c := range r.cmds {
		if c.Name != "Status" && !(c.Name == "Sync" && len(c.Commands) == 0) {
			return false
		}
	}
	return true
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
