package syncml

import (
	"fmt"
	"strings"
	"testing"
)

// hostileMessage is a SyncML message whose Target element carries attrs
// attributes and whose Source holds elems empty elements: the shapes that
// once cost the hand-written reader quadratic time (issue 21, item 4).
func hostileMessage(attrs, elems int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><SyncML><SyncHdr><VerDTD>1.2</VerDTD>` +
		`<VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target`)
	for i := range attrs {
		fmt.Fprintf(&b, ` a%d="v"`, i)
	}
	b.WriteString(`><LocURI>http://x/sync</LocURI></Target><Source><LocURI>dev</LocURI>`)
	for range elems {
		b.WriteString(`<X/>`)
	}
	b.WriteString(`</Source></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`)
	return []byte(b.String())
}

// BenchmarkDecodeAttributes and BenchmarkDecodeElements show that decoding
// is linear in attributes and in elements: the ns/attr (ns/elem) figure
// stays about the same from the small input to the one ten times larger.
func BenchmarkDecodeAttributes(b *testing.B) {
	benchLinear(b, "ns/attr", func(n int) []byte { return hostileMessage(n, 0) })
}

func BenchmarkDecodeElements(b *testing.B) {
	benchLinear(b, "ns/elem", func(n int) []byte { return hostileMessage(0, n) })
}

func benchLinear(b *testing.B, unit string, message func(n int) []byte) {
	for _, n := range []int{4000, 40000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			data := message(n)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Decode(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), unit)
		})
	}
}

// TestReadFastBoundsAttributes: an element with more attributes than a
// SyncML element ever carries is left to etree's reader (whose duplicate
// check is a map), so readFast never scans a long attribute list per
// attribute.
func TestReadFastBoundsAttributes(t *testing.T) {
	if _, ok := readFast(hostileMessage(maxFastAttrs, 0)); !ok {
		t.Errorf("readFast refused %d attributes", maxFastAttrs)
	}
	if _, ok := readFast(hostileMessage(maxFastAttrs+1, 0)); ok {
		t.Errorf("readFast took %d attributes; it must leave them to etree", maxFastAttrs+1)
	}
	m, err := Decode(hostileMessage(1000, 0))
	if err != nil {
		t.Fatalf("decode 1000 attributes: %v", err)
	}
	if m.Header.Target.URI != "http://x/sync" {
		t.Errorf("target %q", m.Header.Target.URI)
	}
}
