package activesync

import (
	"errors"

	"github.com/beevik/etree"
)

// GetItemEstimate (MS-ASCMD 2.2.1.9): the number of changes the next Sync
// of each collection would send. The SyncKey is in the AirSync namespace
// (12.0+) or absent (2.5, where the estimate is since the last Sync).
func (c *conn) getItemEstimate(in *etree.Element) (*etree.Element, error) {
	if in == nil || in.Tag != "GetItemEstimate" {
		return nil, badRequest("GetItemEstimate: no <GetItemEstimate> body")
	}
	out := newRoot("GetItemEstimate", "GetItemEstimate:")
	for _, col := range in.FindElements("Collections/Collection") {
		id, key := text(col, "CollectionId"), text(col, "SyncKey")
		r := add(out, "Response", "")
		st, n := EstimateOK, 0
		f, ok, err := c.folder(id)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			st = EstimateInvalidCollection
		case key == "0":
			st = EstimateNotPrimed
		case f.ServerID == inboxID:
		default:
			n, err = c.sess.Estimate(c.r.Context(), id, key)
			switch {
			case errors.Is(err, ErrInvalidSyncKey):
				st = EstimateInvalidKey
			case errors.Is(err, ErrNoFolder):
				st = EstimateInvalidCollection
			case err != nil:
				return nil, err
			}
		}
		addInt(r, "Status", st)
		rc := add(r, "Collection", "")
		add(rc, "CollectionId", id)
		if st == EstimateOK {
			addInt(rc, "Estimate", n)
		}
	}
	return out, nil
}
