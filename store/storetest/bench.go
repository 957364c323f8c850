package storetest

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"anchorage/store"
)

// vcard is a typical contact, about 300 bytes.
var vcard = []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nTEL;TYPE=CELL:+1 555 0100\r\n" +
	"TEL;TYPE=WORK:+1 555 0101\r\nEMAIL;TYPE=INTERNET:john.doe@example.com\r\nADR;TYPE=HOME:;;1 Main St;Springfield;;12345;USA\r\n" +
	"ORG:Example Inc.\r\nNOTE:a typical contact of about three hundred bytes\r\nEND:VCARD\r\n")

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time of this process (the store's client side:
// driver, database/sql, and in process SQLite) per operation since start,
// as cpu-ns/op: on a shared machine the wall time measures the neighbours
// too.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// Filled returns a store, opened by open, holding n contacts of one user,
// and the user's id.
func Filled(b *testing.B, open func(b *testing.B) store.Store, n int) (store.Store, int64) {
	b.Helper()
	ctx := b.Context()
	s := open(b)
	u := &store.User{Name: "u"}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		b.Fatal(err)
	}
	const batch = 5000
	for i := 0; i < n; i += batch {
		err := s.Update(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
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
	}
	return s, u.ID
}

// BenchChangesEmpty is a fast sync with nothing to send: LastSeq, then
// Changes after it, in one read transaction. Its cost must not depend on
// the number of items.
func BenchChangesEmpty(b *testing.B, open func(b *testing.B) store.Store, sizes ...int) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			ctx := b.Context()
			s, u := Filled(b, open, n)
			start := cpuTime()
			for b.Loop() {
				err := s.View(ctx, func(tx store.Tx) error {
					last, err := tx.LastSeq(ctx, u, "contacts")
					if err != nil {
						return err
					}
					its, err := tx.Changes(ctx, u, "contacts", last, last, "other", 0)
					if err == nil && (len(its) != 0 || last != int64(n)) {
						err = fmt.Errorf("last %d, %d changes", last, len(its))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchWriteItem writes new versions of ~300-byte contacts, one per
// transaction (a commit each) and 100 per transaction.
func BenchWriteItem(b *testing.B, open func(b *testing.B) store.Store) {
	for _, per := range []int{1, 100} {
		b.Run(fmt.Sprintf("per-tx=%d", per), func(b *testing.B) {
			ctx := b.Context()
			s, u := Filled(b, open, 1000)
			i := 0
			start := cpuTime()
			for b.Loop() {
				err := s.Update(ctx, func(tx store.Tx) error {
					for range per {
						g := fmt.Sprintf("guid-%08d", i%2000) // half updates, half new items at first
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
			reportCPU(b, start)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/item")
		})
	}
}

// BenchItem reads one item with its content in a read transaction: a
// point query.
func BenchItem(b *testing.B, open func(b *testing.B) store.Store) {
	ctx := b.Context()
	s, u := Filled(b, open, 1000)
	i := 0
	start := cpuTime()
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
	reportCPU(b, start)
}
