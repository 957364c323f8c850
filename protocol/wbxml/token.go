package wbxml

import (
	"errors"
	"math"
)

// Global tokens (§7.1, described in §5.8.4), valid in every code page and
// in both code spaces.
const (
	tokSwitchPage = 0x00
	tokEnd        = 0x01
	tokEntity     = 0x02
	tokStrI       = 0x03
	tokLiteral    = 0x04
	tokExtI0      = 0x40
	tokExtI1      = 0x41
	tokExtI2      = 0x42
	tokPI         = 0x43
	tokLiteralC   = 0x44
	tokExtT0      = 0x80
	tokExtT1      = 0x81
	tokExtT2      = 0x82
	tokStrT       = 0x83
	tokLiteralA   = 0x84
	tokExt0       = 0xC0
	tokExt1       = 0xC1
	tokExt2       = 0xC2
	tokOpaque     = 0xC3
	tokLiteralAC  = 0xC4
)

// Tag token flags (§5.8.2).
const (
	flagAttrs   = 0x80
	flagContent = 0x40
	tagMask     = 0x3F
)

// Charsets (IANA MIBenum, §5.6).
const (
	charsetUnknown = 0
	charsetASCII   = 3
	charsetLatin1  = 4
	charsetUTF8    = 106
)

// Version bytes (§5.4): major-1 in the high nibble, minor in the low one.
const (
	version10 = 0x00
	version11 = 0x01
	version12 = 0x02
	version13 = 0x03
)

// isExt reports whether b is one of the nine extension tokens (§5.8.4).
func isExt(b byte) bool {
	switch b {
	case tokExtI0, tokExtI1, tokExtI2, tokExtT0, tokExtT1, tokExtT2, tokExt0, tokExt1, tokExt2:
		return true
	}
	return false
}

var errMBOverflow = errors.New("multi-byte integer exceeds 32 bits")

// readMB decodes an mb_u_int32 (§5.1): big-endian groups of 7 bits, the high
// bit set on all bytes but the last. It returns the value and the number of
// bytes used; n == 0 means the input ended first.
func readMB(b []byte) (v uint32, n int, err error) {
	var x uint64
	for i, c := range b {
		if i == 5 {
			return 0, 0, errMBOverflow
		}
		x = x<<7 | uint64(c&0x7F)
		if x > math.MaxUint32 {
			return 0, 0, errMBOverflow
		}
		if c&0x80 == 0 {
			return uint32(x), i + 1, nil
		}
	}
	return 0, 0, nil
}

// appendMB appends v as an mb_u_int32 (§5.1).
func appendMB(dst []byte, v uint32) []byte {
	var tmp [5]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7F)
	for v >>= 7; v != 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7F) | 0x80
	}
	return append(dst, tmp[i:]...)
}
