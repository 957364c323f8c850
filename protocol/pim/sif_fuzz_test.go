package pim

import (
	"errors"
	"testing"
)

var sifTypes = []string{SIFContact, SIFEvent, SIFTask, SIFNote}

// FuzzSIF feeds arbitrary input, seeded with the fixtures' SIF items, to
// the SIF reader and converters: nothing panics, failures are ErrMalformed
// or ErrUnsupported, and what reads as SIF converts to its canonical form,
// back to SIF and again to the same canonical form (Equivalent).
// Run: go test ./protocol/pim -run '^$' -fuzz FuzzSIF -fuzztime 1m
func FuzzSIF(f *testing.F) {
	for _, it := range sifFixtures(f) {
		f.Add(it.data)
	}
	f.Add([]byte("<contact><FirstName>a</FirstName><Photo>/9j/4AAQ</Photo></contact>"))
	f.Add([]byte("<appointment><Start>20240101T100000</Start><IsRecurring>1</IsRecurring><RecurrenceType>6</RecurrenceType><Instance>5</Instance><DayOfWeekMask>65</DayOfWeekMask><MonthOfYear>2</MonthOfYear><Exceptions><ExcludeDate>2025-02-22</ExcludeDate></Exceptions></appointment>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range sifTypes {
			_ = describe(typ, data)
			canonType := canonicalOf(typ)
			canon, _, err := convert(data, typ, canonType, ConvertOptions{})
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
					t.Fatalf("%s: error %v is neither ErrMalformed nor ErrUnsupported", typ, err)
				}
				continue
			}
			back, _, err := convert(canon, canonType, typ, ConvertOptions{})
			if err != nil {
				if errors.Is(err, ErrUnsupported) {
					continue // a task sent as SIF-E
				}
				t.Fatalf("%s -> %s converts, but not back: %v\ninput %q\ncanonical %q", typ, canonType, err, data, canon)
			}
			again, _, err := convert(back, typ, canonType, ConvertOptions{})
			if err != nil {
				t.Fatalf("%s written by us does not read: %v\n%q", typ, err, back)
			}
			if !Equivalent(canonType, canon, canonType, again) {
				t.Fatalf("%s round trip changed the item\ninput %q\nfirst %q\nagain %q", typ, data, canon, again)
			}
			_ = Equivalent(typ, data, canonType, canon)
		}
	})
}
