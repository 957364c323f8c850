package sqlite

import (
	"context"
	"fmt"
)

// Sequence numbers order every write of a datastore (change tracking: a
// fast sync sends what has a seq above the device's last one). store.Store
// serialises writers per datastore; this backend does more, running one
// write transaction at a time (one write connection, BEGIN IMMEDIATE, which
// also excludes other processes on the file), so a transaction can count
// them in memory and store the last one once, at commit, instead of
// updating datastores.last_seq for every item it writes.

// nextSeq gives out the datastore's next sequence number.
func (t *tx) nextSeq(ctx context.Context, dsID int64) (int64, error) {
	seq, ok := t.seqs[dsID]
	if !ok {
		if err := t.tx.QueryRowContext(ctx, `SELECT last_seq FROM datastores WHERE id = ?`, dsID).Scan(&seq); err != nil {
			return 0, fmt.Errorf("sqlite: last seq of datastore %d: %w", dsID, err)
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
		if _, err := t.tx.ExecContext(ctx, `UPDATE datastores SET last_seq = ? WHERE id = ?`, seq, id); err != nil {
			return fmt.Errorf("sqlite: store last seq of datastore %d: %w", id, err)
		}
	}
	t.seqs = nil
	return nil
}
