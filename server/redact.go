package server

import (
	"bytes"
	"regexp"

	"anchorage/protocol/wbxml"
)

// credData matches the Data of an XML Cred, which holds a password (basic
// authentication) or a password equivalent (MD5 digest).
var credData = regexp.MustCompile(`(?s)(<Cred>.*?<Data[^>]*>)(.*?)(</Data>)`)

// redacted stands for a credential in a trace.
const redacted = "REDACTED"

// redact hides the credentials of a SyncML message, XML or WBXML. ok is
// false when a WBXML message cannot be read or its credentials cannot be
// found in its bytes: it must then not be traced at all.
func redact(body []byte) (out []byte, ok bool) {
	if len(body) == 0 {
		return body, true
	}
	if body[0] == '<' || bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		return credData.ReplaceAll(body, []byte("${1}"+redacted+"${3}")), true
	}
	return redactWBXML(body)
}

// redactWBXML masks the Data of every Cred in a WBXML message in place:
// the bytes of the credential (an inline string, a string-table entry or
// opaque data) are overwritten with "REDACTED" padded with '*' to the same
// length, so the trace stays a well-formed WBXML document with every
// other byte as sent (WBXML 1.3 sections 5.8.4, 5.7).
func redactWBXML(body []byte) ([]byte, bool) {
	doc, err := wbxml.Decode(body)
	if err != nil {
		return nil, false
	}
	out := body
	for _, d := range doc.FindElements("//Cred/Data") {
		secret := []byte(d.Text())
		if len(bytes.TrimSpace(secret)) == 0 {
			continue
		}
		if !bytes.Contains(out, secret) {
			return nil, false // not stored verbatim: do not risk writing it
		}
		out = bytes.ReplaceAll(out, secret, mask(len(secret))) // a copy: body stays as sent
	}
	return out, true
}

// mask is a placeholder of n bytes.
func mask(n int) []byte {
	m := bytes.Repeat([]byte("*"), n)
	copy(m, redacted)
	return m
}
