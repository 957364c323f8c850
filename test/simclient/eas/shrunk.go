package eas

import (
	"github.com/beevik/etree"
)

// countSend counts a Sync request carrying key and returns how many in a
// row have carried it.
func (d *Device) countSend(key string) int {
	if key != d.keySent {
		d.keySent, d.keySends = key, 0
	}
	d.keySends++
	return d.keySends
}

// shrunkAnswer tells whether again is the Sync answer first with its server
// changes cut to a shorter prefix: the same SyncKey, statuses and
// responses, and Commands that begin the first answer's.
func shrunkAnswer(first, again []byte) bool {
	a, err := decode("Sync", first)
	if err != nil {
		return false
	}
	b, err := decode("Sync", again)
	if err != nil {
		return false
	}
	ca, cb := commandsOf(a), commandsOf(b)
	if len(cb) >= len(ca) {
		return false
	}
	for i := range cb {
		if xmlOf(cb[i]) != xmlOf(ca[i]) {
			return false
		}
	}
	return xmlOf(withoutCommands(a)) == xmlOf(withoutCommands(b))
}

func commandsOf(root *etree.Element) []*etree.Element {
	if c := root.FindElement("Collections/Collection/Commands"); c != nil {
		return c.ChildElements()
	}
	return nil
}

// withoutCommands is a copy of the answer without its server changes and
// MoreAvailable.
func withoutCommands(root *etree.Element) *etree.Element {
	c := root.Copy()
	if col := c.FindElement("Collections/Collection"); col != nil {
		for _, tag := range []string{"Commands", "MoreAvailable"} {
			if e := col.SelectElement(tag); e != nil {
				col.RemoveChild(e)
			}
		}
	}
	return c
}

func xmlOf(e *etree.Element) string {
	doc := etree.NewDocument()
	doc.SetRoot(e.Copy())
	s, _ := doc.WriteToString()
	return s
}

// keptKey tells whether a Sync answer carries no change and no response
// and keeps key: the server answers so when it has nothing for the device
// and moves nothing on.
func keptKey(answer []byte, key string) bool {
	root, err := decode("Sync", answer)
	if err != nil {
		return false
	}
	col := root.FindElement("Collections/Collection")
	return col != nil && col.SelectElement("SyncKey") != nil && col.SelectElement("SyncKey").Text() == key &&
		col.SelectElement("Commands") == nil && col.SelectElement("Responses") == nil
}
