package session

import (
	"fmt"

	"anchorage/protocol/syncml"
	"anchorage/protocol/wbxml"
)

// Encoding is how a message is represented on the wire (OMA SyncML HTTP
// binding: application/vnd.syncml+xml or +wbxml). A reply uses the encoding
// of its request.
type Encoding int

// Encodings.
const (
	XML Encoding = iota
	WBXML
)

// decodeMessage parses a request in its encoding.
func decodeMessage(body []byte, enc Encoding) (*syncml.Message, error) {
	if enc == XML {
		return syncml.Decode(body)
	}
	doc, err := wbxml.Decode(body)
	if err != nil {
		return nil, err
	}
	return syncml.DecodeDocument(doc)
}

// encodeMessage writes a reply in the request's encoding.
func encodeMessage(m *syncml.Message, enc Encoding) ([]byte, error) {
	if enc == XML {
		return syncml.Encode(m)
	}
	b, err := wbxml.Encode(syncml.EncodeDocument(m), wbxml.EncodeOptions{})
	if err != nil {
		return nil, fmt.Errorf("session: encode WBXML: %w", err)
	}
	return b, nil
}
