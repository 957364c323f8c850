package pim

// Value decoding for the content-line reader in lines.go. Quoted-printable
// is hand-written because mime/quotedprintable rejects the malformed "="
// that devices send; legacy charsets come from golang.org/x/text, with
// ISO-8859-1 and windows-1252 (the common cases) decoded inline.

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
)

// decodeQP decodes quoted-printable text leniently: "=XX" becomes a byte,
// any other "=" is kept as it is.
func decodeQP(s string) string {
	if !strings.Contains(s, "=") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// toUTF8 converts bytes in the given charset to UTF-8: any charset IANA
// names (ISO-8859-x, windows-125x, KOI8-R, Shift_JIS, Big5, GB2312...).
// For UTF-8, a missing or an unknown charset, valid UTF-8 is kept and
// anything else is read as windows-1252, the usual charset of devices that
// do not say.
func toUTF8(s, charset string) string {
	cs := strings.ToUpper(strings.TrimSpace(charset))
	switch cs {
	case "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1":
		return latin1(s, false)
	case "WINDOWS-1252", "CP1252", "X-CP1252":
		return latin1(s, true)
	case "", "UTF-8", "UTF8", "US-ASCII", "ASCII":
	default:
		if enc := lookupCharset(cs); enc != nil && !isASCII(s) {
			if out, err := enc.NewDecoder().String(s); err == nil {
				return out
			}
		}
	}
	if utf8.ValidString(s) {
		return s
	}
	return latin1(s, true)
}

// KnownCharset tells whether toUTF8 decodes the named charset.
func KnownCharset(name string) bool {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "ISO-8859-1", "ISO8859-1", "ISO_8859-1", "LATIN1", "LATIN-1", "L1", "WINDOWS-1252", "CP1252", "X-CP1252",
		"UTF-8", "UTF8", "US-ASCII", "ASCII":
		return true
	}
	return lookupCharset(name) != nil
}

func lookupCharset(name string) encoding.Encoding {
	enc, err := ianaindex.IANA.Encoding(strings.TrimSpace(name))
	if err != nil || enc == nil {
		if enc, err = ianaindex.MIME.Encoding(strings.TrimSpace(name)); err != nil {
			return nil
		}
	}
	return enc
}

// cp1252 maps bytes 0x80..0x9F of windows-1252 to Unicode.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// latin1 reads each byte of s as one ISO-8859-1 (or windows-1252) character.
func latin1(s string, windows bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case windows && c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// unescape undoes the RFC 6350 / RFC 5545 text escapes: \n and \N become a
// newline; \, \; \: and \\ become the character. Unknown escapes are kept.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n', 'N':
				b.WriteByte('\n')
				i++
				continue
			case ',', ';', ':', '\\':
				b.WriteByte(s[i+1])
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitUnescaped splits s at each byte of seps not preceded by a backslash.
// The parts keep their escapes.
func splitUnescaped(s, seps string) []string {
	n := 1
	for i := 0; i < len(seps); i++ {
		n += strings.Count(s, seps[i:i+1])
	}
	parts := make([]string, 0, n)
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(seps, s[i]) >= 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// components returns the unescaped, trimmed parts of a structured value
// (N, ADR, ORG): split at unescaped ';'.
func components(s string) []string {
	parts := splitUnescaped(s, ";")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(unescape(p))
	}
	return parts
}
