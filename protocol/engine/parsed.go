package engine

import (
	"bytes"
	"context"

	"anchorage/protocol/pim"
	"anchorage/store"
)

// pairMemo holds what pairing a device's items reads of the stored items
// it compares (twin candidates, the current version, earlier versions):
// their content, each parsed once (pim.Parsed) for all the comparisons
// (the identity rule, equivalence, AdoptName, Preserve), and, for the item
// being paired, their version lists. A version's content never changes, so
// content is known by GUID and version and serves every item of a message:
// people of one name are each other's candidates, and a slow sync of N
// contacts then parses each server item once, not once per namesake. A nil
// *pairMemo keeps nothing.
type pairMemo struct {
	parsed   map[parsedKey]*pim.Parsed
	versions map[string][]store.Item // by GUID
}

// maxMemoParsed bounds the parsed items a memo keeps (a message's worth
// of candidates; a few KB each).
const maxMemoParsed = 4096

// next returns the memo for pairing the next device item: the parsed
// content kept (a fresh memo when it grew past maxMemoParsed), the version
// lists not.
func (m *pairMemo) next() *pairMemo {
	if m == nil || len(m.parsed) > maxMemoParsed {
		return newPairMemo()
	}
	clear(m.versions)
	return m
}

type parsedKey struct {
	guid    string
	version int64
	canon   bool // Canon(), not the content as received
}

func newPairMemo() *pairMemo {
	return &pairMemo{parsed: map[parsedKey]*pim.Parsed{}, versions: map[string][]store.Item{}}
}

// of returns the item's content as received, or with canon its canonical
// form (store.Item.Canon), parsed.
func (m *pairMemo) of(it *store.Item, canon bool) *pim.Parsed {
	ct, data := it.ContentType, it.Data
	if canon = canon && len(it.Canonical) > 0; canon {
		ct, data = it.CanonicalType, it.Canonical
	}
	if m == nil || it.Version == 0 {
		return pim.Parse(ct, data)
	}
	k := parsedKey{guid: it.GUID, version: it.Version, canon: canon}
	p := m.parsed[k]
	if p == nil {
		p = pim.Parse(ct, data)
		m.parsed[k] = p
	}
	return p
}

// versionsOf returns every version of item it (store.SyncTx.Versions),
// read once while it is the item's latest version: a write in between
// adds a version, and the list is read again.
func (m *pairMemo) versionsOf(ctx context.Context, tx store.SyncTx, userID int64, datastore string, it *store.Item) ([]store.Item, error) {
	if m != nil {
		if vs := m.versions[it.GUID]; len(vs) > 0 && vs[len(vs)-1].Version == it.Version {
			return vs, nil
		}
	}
	vs, err := tx.Versions(ctx, userID, datastore, it.GUID)
	if err == nil && m != nil {
		m.versions[it.GUID] = vs
	}
	return vs, err
}

// equivalent is equivalentTo with parsed forms: the item as received,
// else its canonical form, against p.
func (m *pairMemo) equivalent(it *store.Item, p *pim.Parsed) bool {
	if pim.EquivalentParsed(m.of(it, false), p) {
		return true
	}
	return len(it.Canonical) > 0 && pim.EquivalentParsed(m.of(it, true), p)
}

// item returns the device's content parsed, made once while the content
// stays the same (pim.Parsed.Holds); the canonical form decoding made is
// reused.
func (ci *clientItem) item() *pim.Parsed {
	if ci.parsed != nil && ci.parsed.Holds(ci.contentType, ci.data) {
		return ci.parsed
	}
	if ci.canonicalOf != nil && bytes.Equal(ci.canonicalOf, ci.data) && len(ci.canonical) > 0 {
		ci.parsed = pim.ParseCanonical(ci.contentType, ci.data, ci.canonicalType, ci.canonical)
	} else {
		ci.parsed = pim.Parse(ci.contentType, ci.data)
	}
	return ci.parsed
}

// setContent replaces the device's content with a result of the pairing
// (a merge, what it cannot hold put back), already parsed as p when p
// holds it.
func (ci *clientItem) setContent(ct string, data []byte, p *pim.Parsed) {
	ci.contentType, ci.data, ci.info = ct, data, pim.Describe(ct, data)
	if p != nil && p.Holds(ct, data) {
		ci.parsed = p
	}
}

// reparse returns p when it holds (ct, data) (what a pim function gives
// back unchanged), else (ct, data) parsed.
func reparse(p *pim.Parsed, ct string, data []byte) *pim.Parsed {
	if p.Holds(ct, data) {
		return p
	}
	return pim.Parse(ct, data)
}
