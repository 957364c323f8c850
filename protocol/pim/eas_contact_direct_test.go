package pim

import (
	"fmt"
	"testing"
)

// vcardToEASContactViaSIF is VCardToEASContact as it was before it mapped
// the SIF-C fields directly: the canonical vCard converted to SIF-C XML,
// that parsed again, and its fields mapped to EAS.
func vcardToEASContactViaSIF(data []byte) ([]EASField, []string, error) {
	l := losses{}
	canon, more, err := convert(data, "text/vcard", "text/vcard", ConvertOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	for n := range more {
		l.add(n)
	}
	sif, err := vcardToSIF(canon, l)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	doc, err := readSIF(sif)
	if err != nil {
		return nil, nil, fmt.Errorf("eas contact: %w", err)
	}
	// The fields' mapping to EAS was the same as the direct conversion's
	// before its rewrite (eas_contact_ref_test.go).
	return easContactFieldsRef(doc.fields, l), l.list(), nil
}

// sameEASContact fails the test when the direct conversion of item
// differs from the one through SIF-C XML: fields, losses or error.
func sameEASContact(t *testing.T, name string, item []byte) {
	t.Helper()
	sameEASAs(t, name, item, "through SIF-C", vcardToEASContactViaSIF)
}

// TestVCardToEASContactDirect checks that the direct vCard -> EAS contact
// conversion gives what the conversion through SIF-C XML gave, for every
// vCard of the shared corpora (each card, and each file as it is, with
// its byte order marks and charsets), the EAS contacts of
// evolution-activesync's tests, and cards with what XML cannot hold.
func TestVCardToEASContactDirect(t *testing.T) {
	for i, card := range edgeVCards {
		sameEASContact(t, fmt.Sprintf("case %d", i), []byte(card))
	}
	cards := 0
	eachFixtureVCard(t, func(name string, data []byte, item bool) {
		sameEASContact(t, name, data)
		if item {
			cards++
		}
	})
	for name, fields := range easFixtureContacts(t) {
		card, _ := EASContactToVCard(fields)
		sameEASContact(t, name, card)
		cards++
	}
	t.Logf("%d vCards convert alike", cards)
}
