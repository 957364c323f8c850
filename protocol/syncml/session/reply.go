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
func (r *reply) add(c *syncml.Command) {
	c.CmdID = r.id()
	for _, ch := range c.Commands {
		ch.CmdID = r.id()
	}
	r.cmds = append(r.cmds, c)
	r.size += syncml.EncodedSize(c)
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

// status appends a Status for command c (RepPro 6.6.16).
func (r *reply) status(c *syncml.Command, code int) *syncml.Command {
	s := syncml.NewStatus(r.msgRef, c, syncml.StatusCode(code))
	r.add(s)
	return s
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
