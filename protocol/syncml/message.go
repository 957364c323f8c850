// Package syncml is the SyncML (OMA DS 1.1/1.2) message model and its XML
// codec (via github.com/beevik/etree). It knows nothing about databases: the
// engine (protocol/engine) interprets messages and builds the replies.
//
// References: OMA-TS-SyncML_RepPro (Representation Protocol) for the element
// structure, OMA-TS-DS_Protocol (Sync Protocol) for the command semantics,
// OMA-TS-SyncML_MetaInfo for <Meta>.
package syncml

import "github.com/beevik/etree"

// Message is one SyncML message: a header, the body's commands in order and
// whether the body ends with <Final/>.
type Message struct {
	Header   Header
	Commands []*Command
	Final    bool
}

// Header is the SyncHdr (RepPro 5.1).
type Header struct {
	VerDTD     string // "1.0", "1.1", "1.2"
	VerProto   string // "SyncML/1.2"
	SessionID  string
	MsgID      string
	Target     Loc
	Source     Loc
	RespURI    string
	NoResp     bool
	Cred       *Cred
	MaxMsgSize int64 // from Meta; 0 when absent
	MaxObjSize int64
}

// Loc is a Target or Source: LocURI and optional LocName.
type Loc struct {
	URI  string
	Name string
}

// Cred holds credentials (RepPro 5.1.5): Meta Type/Format and Data.
type Cred struct {
	Type   string // "syncml:auth-basic", "syncml:auth-md5"
	Format string // "b64" or ""
	Data   string
}

// Anchor is the MetInf Anchor (Last, Next).
type Anchor struct {
	Last string
	Next string
}

// Meta is the subset of MetInf (OMA-TS-SyncML_MetaInfo) that the server uses.
// Zero values mean "absent".
type Meta struct {
	Type       string
	Format     string
	Version    string
	Size       int64
	MaxMsgSize int64
	MaxObjSize int64
	NextNonce  string // base64 as on the wire
	Anchor     *Anchor
}

// Item is a SyncML <Item>.
type Item struct {
	Target       Loc
	Source       Loc
	TargetParent string
	SourceParent string
	Meta         *Meta
	// Data is the text content of <Data> (character data and CDATA joined).
	Data string
	// DataXML is set instead of Data when <Data> holds an element, such as a
	// DevInf or an Anchor.
	DataXML  *etree.Element
	MoreData bool
}

// MapItem is one LUID<->GUID pair of a Map command. In a client's Map,
// Target is the server's id (GUID) and Source the client's (LUID).
type MapItem struct {
	Target string
	Source string
}

// Command is one command of a SyncBody. Only the fields that apply to Name
// are used (RepPro section 6).
type Command struct {
	Name   string // "Alert", "Sync", "Add", "Replace", "Delete", "Copy", "Map", "Put", "Get", "Results", "Status", "Atomic", "Sequence", ...
	CmdID  string
	NoResp bool
	Cred   *Cred
	Meta   *Meta
	// Data is the Alert code or the Status code.
	Data  string
	Items []Item

	// Sync and Map: the datastores; Sync's NumberOfChanges (-1 = absent)
	// and nested commands (also for Atomic and Sequence).
	Target          Loc
	Source          Loc
	NumberOfChanges int
	Commands        []*Command
	MapItems        []MapItem

	// Delete flags (RepPro 6.6.4).
	Archive bool
	SftDel  bool

	// Status and Results: what they answer.
	MsgRef     string
	CmdRef     string
	Cmd        string
	TargetRefs []string
	SourceRefs []string
	Chal       *Meta
}
