package postgres

import (
	"context"
	"fmt"
)

// Sequence numbers order every write of a datastore (change tracking: a
// fast sync sends what has a seq above the device's last one). A write
// transaction holds the datastore's row lock from its first touch of the
// datastore to its commit (datastoreID), so no other transaction, in any
// process, hands out the datastore's sequences meanwhile: the transaction
// counts them in memory from the last_seq it read with the lock and stores
// the last one once, at commit.

// nextSeq gives out the datastore's next sequence number.
func (t *tx) nextSeq(ctx context.Context, dsID int64) (int64, error) {
	seq, ok := t.seqs[dsID]
	if !ok {
		if seq, ok = t.lastSeq[dsID]; !ok {
			return 0, fmt.Errorf("postgres: datastore %d written without its lock", dsID)
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
		if _, err := t.tx.Exec(ctx, `UPDATE datastores SET last_seq = ? WHERE id = ?`, seq, id); err != nil {
			return fmt.Errorf("postgres: store last seq of datastore %d: %w", id, err)
		}
	}
	t.seqs = nil
	return nil
}
