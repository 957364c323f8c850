package postgres_test

import (
	"fmt"
	"testing"

	"anchorage/store"
	"anchorage/store/postgres"
	"anchorage/store/postgres/pgtest"
)

// vcard is a typical contact, about 300 bytes.
var vcard = []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nTEL;TYPE=CELL:+1 555 0100\r\n" +
	"EMAIL;TYPE=INTERNET:john.doe@example.com\r\nADR;TYPE=HOME:;;1 Main St;Springfield;;12345;USA\r\n" +
	"ORG:Example Inc.\r\nNOTE:a typical contact of about three hundred bytes\r\nEND:VCARD\r\n")

// filled opens a database holding n contacts of one user. The cluster is
// started per benchmark: the figures measure the per-statement cost of the
// driver path, which is what differs between backends' connection layers.
func filled(b *testing.B, n int) (*postgres.Store, int64) {
	b.Helper()
	ctx := b.Context()
	c := pgtest.Start(b)
	s, err := postgres.Open(ctx, c.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	u := &store.User{Name: "u"}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		b.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		for j := range n {
			g := fmt.Sprintf("guid-%08d", j)
			if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u.ID, Datastore: "contacts", GUID: g,
				ContentType: "text/vcard", Data: vcard, UID: g, MatchKey: "doe john " + g, Summary: "John Doe",
				Origin: "dev"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, u.ID
}

// BenchmarkChangesEmpty is a fast sync with nothing to send: LastSeq, then
// Changes after it, in one read transaction (four round trips with BEGIN
// and COMMIT).
func BenchmarkChangesEmpty(b *testing.B) {
	ctx := b.Context()
	s, u := filled(b, 1000)
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			last, err := tx.LastSeq(ctx, u, "contacts")
			if err != nil {
				return err
			}
			its, err := tx.Changes(ctx, u, "contacts", last, last, "other", 0)
			if err == nil && (len(its) != 0 || last != 1000) {
				err = fmt.Errorf("last %d, %d changes", last, len(its))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteItem writes new versions of ~300-byte contacts, one per
// transaction (a commit each) and 100 per transaction.
func BenchmarkWriteItem(b *testing.B) {
	for _, per := range []int{1, 100} {
		b.Run(fmt.Sprintf("per-tx=%d", per), func(b *testing.B) {
			ctx := b.Context()
			s, u := filled(b, 1000)
			i := 0
			for b.Loop() {
				err := s.Update(ctx, func(tx store.Tx) error {
					for range per {
						g := fmt.Sprintf("guid-%08d", i%2000)
						i++
						if _, err := tx.WriteItem(ctx, &store.ItemWrite{UserID: u, Datastore: "contacts", GUID: g,
							ContentType: "text/vcard", Data: vcard, UID: g, Summary: "John Doe", Origin: "dev"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/item")
		})
	}
}

// BenchmarkItem reads one item with its content: a point query.
func BenchmarkItem(b *testing.B) {
	ctx := b.Context()
	s, u := filled(b, 1000)
	i := 0
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			_, err := tx.Item(ctx, u, "contacts", fmt.Sprintf("guid-%08d", i%1000))
			return err
		})
		i++
		if err != nil {
			b.Fatal(err)
		}
	}
}
