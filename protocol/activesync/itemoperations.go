package activesync

import (
	"errors"

	"github.com/beevik/etree"
)

// ItemOperations (MS-ASCMD 2.2.1.10): Fetch of an item by CollectionId and
// ServerId. EmptyFolderContents, Move and document-library fetches are not
// carried (status 2 per operation, as for a request this server cannot do).
func (c *conn) itemOperations(in *etree.Element) (*etree.Element, error) {
	if in == nil || in.Tag != "ItemOperations" {
		return nil, badRequest("ItemOperations: no <ItemOperations> body")
	}
	out := newRoot("ItemOperations", "ItemOperations:")
	addInt(out, "Status", ItemOperationsOK)
	resp := add(out, "Response", "")
	for _, op := range in.ChildElements() {
		e := add(resp, op.Tag, "")
		if op.Tag != "Fetch" {
			addInt(e, "Status", ItemOperationsProtocolError)
			continue
		}
		id, sid := text(op, "CollectionId"), text(op, "ServerId")
		f, ok, err := c.folder(id)
		if err != nil {
			return nil, err
		}
		var item Item
		st := ItemOperationsOK
		if !ok || sid == "" {
			st = ItemOperationsNotFound
		} else if item, err = c.sess.Fetch(c.r.Context(), id, sid); errors.Is(err, ErrNotFound) || errors.Is(err, ErrNoFolder) {
			st = ItemOperationsNotFound
		} else if err != nil {
			return nil, err
		}
		addInt(e, "Status", st)
		addNS(e, "CollectionId", "AirSync:", id)
		addNS(e, "ServerId", "AirSync:", sid)
		if st != ItemOperationsOK {
			continue
		}
		addNS(e, "Class", "AirSync:", string(f.Class))
		item.Class = f.Class
		if err := c.srv.opts.Converter.FromItem(item, add(e, "Properties", ""), c.req.ProtocolVersion); err != nil {
			return nil, err
		}
	}
	return out, nil
}
