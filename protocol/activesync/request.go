package activesync

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Request is what the URL and headers of a POST say (MS-ASHTTP 2.2.1.1).
type Request struct {
	Cmd             string
	User            string
	DeviceID        string
	DeviceType      string
	ProtocolVersion string
	PolicyKey       uint32
	HasPolicyKey    bool              // X-MS-PolicyKey present (TbSync sends none until asked)
	Params          map[string]string // CollectionId, ItemId, ... (either form)
}

// commandCodes are the command codes of the base64 query (MS-ASHTTP
// 2.2.1.1.1.1.2).
var commandCodes = map[byte]string{
	0: "Sync", 1: "SendMail", 2: "SmartForward", 3: "SmartReply", 4: "GetAttachment",
	9: "FolderSync", 10: "FolderCreate", 11: "FolderDelete", 12: "FolderUpdate",
	13: "MoveItems", 14: "GetItemEstimate", 15: "MeetingResponse", 16: "Search",
	17: "Settings", 18: "Ping", 19: "ItemOperations", 20: "Provision",
	21: "ResolveRecipients", 22: "ValidateCert",
}

// paramTags are the command parameter tags of the base64 query (MS-ASHTTP
// 2.2.1.1.1.1.3).
var paramTags = map[byte]string{
	0: "AttachmentName", 1: "CollectionId", 2: "CollectionName", 3: "ItemId",
	4: "LongId", 5: "ParentId", 6: "Occurrence", 7: "Options", 8: "User",
}

// parseRequest reads the query, plain (Cmd=...&User=...) or base64-encoded,
// and the MS-ASProtocolVersion and X-MS-PolicyKey headers.
func parseRequest(r *http.Request) (*Request, error) {
	req := &Request{Params: map[string]string{}}
	raw := r.URL.RawQuery
	if q, err := url.ParseQuery(raw); err == nil && q.Get("Cmd") != "" {
		req.Cmd, req.User = q.Get("Cmd"), q.Get("User")
		req.DeviceID, req.DeviceType = q.Get("DeviceId"), q.Get("DeviceType")
		for k, v := range q {
			if _, known := map[string]bool{"Cmd": true, "User": true, "DeviceId": true, "DeviceType": true}[k]; !known && len(v) > 0 {
				req.Params[k] = v[0]
			}
		}
	} else if err := req.parseBase64(raw); err != nil {
		return nil, err
	}
	if v := r.Header.Get("MS-ASProtocolVersion"); v != "" {
		req.ProtocolVersion = strings.TrimSpace(v)
	}
	if v := r.Header.Get("X-MS-PolicyKey"); v != "" {
		k, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("X-MS-PolicyKey %q is not a number", v)
		}
		req.PolicyKey, req.HasPolicyKey = uint32(k), true
	}
	if req.Cmd == "" || req.DeviceID == "" {
		return nil, errors.New("query names no Cmd or no DeviceId")
	}
	if req.ProtocolVersion == "" {
		req.ProtocolVersion = "2.5"
	}
	if !slices.Contains(strings.Split(protocolVersions, ","), req.ProtocolVersion) {
		return nil, fmt.Errorf("%w: %q (this server speaks %s)", errUnsupportedVersion, req.ProtocolVersion, protocolVersions)
	}
	return req, nil
}

// errUnsupportedVersion is a request in a protocol version the server does
// not offer (OPTIONS lists the ones it does); it gets HTTP 400 with the
// MS-ASProtocolVersions header, so the client can pick another.
var errUnsupportedVersion = errors.New("protocol version not supported")

// parseBase64 reads the base64-encoded query (MS-ASHTTP 2.2.1.1.1.1):
// version, command code, locale, DeviceId, PolicyKey, DeviceType and
// tag-length-value command parameters.
func (req *Request) parseBase64(raw string) error {
	s, err := url.QueryUnescape(raw)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("query is neither plain nor base64: %w", err)
	}
	short := errors.New("base64 query is truncated")
	if len(b) < 5 {
		return short
	}
	ver, cmd := b[0], b[1]
	req.ProtocolVersion = fmt.Sprintf("%d.%d", ver/10, ver%10)
	name, ok := commandCodes[cmd]
	if !ok {
		return fmt.Errorf("base64 query: unknown command code %d", cmd)
	}
	req.Cmd = name
	b = b[4:] // skip the locale (2 bytes)
	field := func() ([]byte, error) {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return nil, short
		}
		v := b[1 : 1+int(b[0])]
		b = b[1+int(b[0]):]
		return v, nil
	}
	id, err := field()
	if err != nil {
		return err
	}
	req.DeviceID = printable(id)
	key, err := field()
	if err != nil {
		return err
	}
	if len(key) == 4 {
		req.PolicyKey, req.HasPolicyKey = binary.LittleEndian.Uint32(key), true
	}
	typ, err := field()
	if err != nil {
		return err
	}
	req.DeviceType = string(typ)
	for len(b) > 0 {
		tag := b[0]
		b = b[1:]
		v, err := field()
		if err != nil {
			return err
		}
		if n, ok := paramTags[tag]; ok {
			req.Params[n] = string(v)
		}
	}
	req.User = req.Params["User"]
	return nil
}

// printable returns b as text when it is printable ASCII, else as hex (a
// binary DeviceId, MS-ASHTTP 2.2.1.1.1.1.3).
func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c > 0x7E {
			return hex.EncodeToString(b)
		}
	}
	return string(b)
}
