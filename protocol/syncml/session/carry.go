package session

import (
	"fmt"

	"github.com/beevik/etree"

	"anchorage/protocol/syncml"
)

// Commands that did not fit a message (reply.carry) wait in the session
// state, in the store, for the next message of our package: any server
// node may answer it. Most are item Statuses, kept in a compact form; the
// rest (an Alert, Results) whole, their XML data as text.

// carriedCommand is one command waiting for the next message.
type carriedCommand struct {
	Status *carriedStatus  `json:"s,omitempty"`
	Cmd    *syncml.Command `json:"c,omitempty"`
	// XML is the DataXML of Cmd's items, by item index ("" for none).
	XML []string `json:"x,omitempty"`
}

// carriedStatus is a Status without items or challenge.
type carriedStatus struct {
	MsgRef     string   `json:"m"`
	CmdRef     string   `json:"r"`
	Cmd        string   `json:"c"`
	Code       string   `json:"d"`
	TargetRefs []string `json:"t,omitempty"`
	SourceRefs []string `json:"s,omitempty"`
}

// packCarry turns commands carried by a reply into their stored form.
func packCarry(cmds []*syncml.Command) ([]carriedCommand, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	out := make([]carriedCommand, 0, len(cmds))
	for _, c := range cmds {
		if c.Name == "Status" && len(c.Items) == 0 && c.Chal == nil {
			out = append(out, carriedCommand{Status: &carriedStatus{MsgRef: c.MsgRef, CmdRef: c.CmdRef,
				Cmd: c.Cmd, Code: c.Data, TargetRefs: c.TargetRefs, SourceRefs: c.SourceRefs}})
			continue
		}
		if len(c.Commands) > 0 {
			return nil, fmt.Errorf("session: cannot carry a %s with nested commands", c.Name)
		}
		cp := *c
		cp.Items = append([]syncml.Item(nil), c.Items...)
		cc := carriedCommand{Cmd: &cp}
		for i := range cp.Items {
			if cp.Items[i].DataXML == nil {
				continue
			}
			if cc.XML == nil {
				cc.XML = make([]string, len(cp.Items))
			}
			doc := etree.NewDocument()
			doc.SetRoot(cp.Items[i].DataXML.Copy())
			s, err := doc.WriteToString()
			if err != nil {
				return nil, fmt.Errorf("session: carry %s: %w", c.Name, err)
			}
			cc.XML[i], cp.Items[i].DataXML = s, nil
		}
		out = append(out, cc)
	}
	return out, nil
}

// unpackCarry restores carried commands.
func unpackCarry(in []carriedCommand) ([]*syncml.Command, error) {
	out := make([]*syncml.Command, 0, len(in))
	for _, cc := range in {
		if s := cc.Status; s != nil {
			out = append(out, &syncml.Command{Name: "Status", MsgRef: s.MsgRef, CmdRef: s.CmdRef, Cmd: s.Cmd,
				Data: s.Code, NumberOfChanges: -1, TargetRefs: s.TargetRefs, SourceRefs: s.SourceRefs})
			continue
		}
		if cc.Cmd == nil {
			continue
		}
		c := cc.Cmd
		for i, x := range cc.XML {
			if x == "" || i >= len(c.Items) {
				continue
			}
			doc := etree.NewDocument()
			if err := doc.ReadFromString(x); err != nil || doc.Root() == nil {
				return nil, fmt.Errorf("session: restore carried %s: %v", c.Name, err)
			}
			c.Items[i].DataXML = doc.Root()
		}
		out = append(out, c)
	}
	return out, nil
}
