package engine

import (
	"unicode/utf8"

	"anchorage/protocol/pim"
)

// recode reads an item in a legacy format (vCard 2.1, vCalendar 1.0,
// vNote, plain text) whose 8-bit data is not UTF-8 with the device's
// default charset, and keeps it in its canonical form (vCard 3.0,
// iCalendar 2.0, UTF-8): once stored, nothing later would know which
// charset the bytes were in. The device still gets its own format back
// (its DevInf, or the format it sent). Items that are ASCII or valid
// UTF-8, declare their charsets or do not convert stay as received.
func recode(ci *clientItem, charset string) {
	if utf8.Valid(ci.data) {
		return
	}
	canonType, _, err := pim.Canonical(ci.contentType, ci.data)
	if err != nil {
		return
	}
	out, err := pim.Convert(ci.data, ci.contentType, canonType, pim.ConvertOptions{DefaultCharset: charset})
	if err != nil {
		return
	}
	ci.contentType, ci.data, ci.info = canonType, out, pim.Describe(canonType, out)
}
