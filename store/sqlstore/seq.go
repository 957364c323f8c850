package sqlstore

import (
	"context"
)

// Sequence numbers order every write of a datastore (change tracking: a
// fast sync sends what has a seq above the device's last one). A write
// transaction is the only writer of a datastore from its first touch of it
// to its commit (datastoreID: the row lock where the Dialect LocksRows,
// the single write transaction of SQLite otherwise), so no other
// transaction, in any process, hands out the datastore's sequences
// meanwhile: the transaction counts them in memory from the last_seq it
// read at the first touch and stores the last one once, at commit, instead
// of updating datastores.last_seq for every item it writes.

// nextSeq gives out the datastore's next sequence number.
func (t *tx) nextSeq(dsID int64) (int64, error) {
	seq, ok := t.seqs[dsID]
	if !ok {
		if seq, ok = t.lastSeq[dsID]; !ok {
			return 0, t.errorf("datastore %d written without its lock", dsID)
		}
		if t.seqs == nil {
			t.seqs = make(map[int64]int64)
		}
	}
	seq++
	t.seqs[dsID] = seq
	return seq, nil
}

// pendingSeq is the last sequence number this transaction gave out in the
// datastore, if it gave out any.
func (t *tx) pendingSeq(userID int64, datastore string) (int64, bool) {
	id, ok := t.ds[dsKey{userID, datastore}]
	if !ok {
		return 0, false
	}
	seq, ok := t.seqs[id]
	return seq, ok
}

// flushSeqs stores the sequence numbers given out, before commit.
func (t *tx) flushSeqs(ctx context.Context) error {
	for id, seq := range t.seqs {
		if _, err := t.exec(ctx, `UPDATE datastores SET last_seq = ? WHERE id = ?`, seq, id); err != nil {
			return t.errorf("store last seq of datastore %d: %w", id, err)
		}
	}
	t.seqs = nil
	return nil
}
