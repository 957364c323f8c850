package wbxml

// Token tables of the SyncML family, checked against libwbxml 0.11
// (src/wbxml_tables.c, wbxml_tables.h) and the WBXML fixtures of this
// project:
//
//   - SyncML Representation Protocol 1.1, chapter 8 (WBXML code page 0
//     "SYNCML:SYNCML1.1", page 1 "syncml:metinf"); SyncML 1.0 uses the same
//     tokens, as libwbxml does. Token 0x39 (SourceParent, officially 1.2) is
//     accepted in 1.0/1.1 because Nokia phones send it.
//   - OMA-TS-SyncML_RepPro-V1_2 section 8 and OMA-TS-SyncML_MetaInfo-V1_2.
//   - SyncML Device Information 1.1 and OMA-TS-DS_DevInf-V1_2 (one page,
//     namespace "syncml:devinf"; 1.2 renames 0x1C Size to MaxSize).
//   - OMA-TS-DM_TND-V1_2 (DDF, code page 2, namespace "syncml:dmddf1.2").
//
// Public identifiers (§7.2 and the OMA registry): SyncML 1.0 0x0FD1,
// DevInf 1.0 0x0FD2, SyncML 1.1 0x0FD3, DevInf 1.1 0x0FD4, SyncML 1.2
// 0x1201, MetInf 1.2 0x1202, DevInf 1.2 0x1203. MetInf 1.0/1.1 and DM DDF
// have none and are named by their FPI in the string table.

// Namespaces of the SyncML family as XML documents declare them.
const (
	NSSyncML10 = "SYNCML:SYNCML1.0"
	NSSyncML11 = "SYNCML:SYNCML1.1"
	NSSyncML12 = "SYNCML:SYNCML1.2"
	NSMetInf   = "syncml:metinf"
	NSDevInf   = "syncml:devinf"
	NSDMDDF12  = "syncml:dmddf1.2"
)

// syncMLTags11 is code page 0 of SyncML 1.0 and 1.1.
var syncMLTags11 = map[byte]string{
	0x05: "Add", 0x06: "Alert", 0x07: "Archive", 0x08: "Atomic",
	0x09: "Chal", 0x0A: "Cmd", 0x0B: "CmdID", 0x0C: "CmdRef",
	0x0D: "Copy", 0x0E: "Cred", 0x0F: "Data", 0x10: "Delete",
	0x11: "Exec", 0x12: "Final", 0x13: "Get", 0x14: "Item",
	0x15: "Lang", 0x16: "LocName", 0x17: "LocURI", 0x18: "Map",
	0x19: "MapItem", 0x1A: "Meta", 0x1B: "MsgID", 0x1C: "MsgRef",
	0x1D: "NoResp", 0x1E: "NoResults", 0x1F: "Put", 0x20: "Replace",
	0x21: "RespURI", 0x22: "Results", 0x23: "Search", 0x24: "Sequence",
	0x25: "SessionID", 0x26: "SftDel", 0x27: "Source", 0x28: "SourceRef",
	0x29: "Status", 0x2A: "Sync", 0x2B: "SyncBody", 0x2C: "SyncHdr",
	0x2D: "SyncML", 0x2E: "Target", 0x2F: "TargetRef",
	0x31: "VerDTD", 0x32: "VerProto", 0x33: "NumberOfChanges", 0x34: "MoreData",
	0x39: "SourceParent",
}

// syncMLTags12 is code page 0 of SyncML 1.2: the 1.1 page plus 0x35–0x3C.
var syncMLTags12 = merge(syncMLTags11, map[byte]string{
	0x35: "Field", 0x36: "Filter", 0x37: "Record", 0x38: "FilterType",
	0x39: "SourceParent", 0x3A: "TargetParent", 0x3B: "Move", 0x3C: "Correlator",
})

// metInfTags11 is the MetInf code page (page 1 of SyncML) for 1.0 and 1.1.
var metInfTags11 = map[byte]string{
	0x05: "Anchor", 0x06: "EMI", 0x07: "Format", 0x08: "FreeID",
	0x09: "FreeMem", 0x0A: "Last", 0x0B: "Mark", 0x0C: "MaxMsgSize",
	0x0D: "Mem", 0x0E: "MetInf", 0x0F: "Next", 0x10: "NextNonce",
	0x11: "SharedMem", 0x12: "Size", 0x13: "Type", 0x14: "Version",
	0x15: "MaxObjSize",
}

// metInfTags12 adds FieldLevel (MetaInfo 1.2).
var metInfTags12 = merge(metInfTags11, map[byte]string{0x16: "FieldLevel"})

// devInfTags11 is the DevInf 1.0/1.1 code page.
var devInfTags11 = map[byte]string{
	0x05: "CTCap", 0x06: "CTType", 0x07: "DataStore", 0x08: "DataType",
	0x09: "DevID", 0x0A: "DevInf", 0x0B: "DevTyp", 0x0C: "DisplayName",
	0x0D: "DSMem", 0x0E: "Ext", 0x0F: "FwV", 0x10: "HwV",
	0x11: "Man", 0x12: "MaxGUIDSize", 0x13: "MaxID", 0x14: "MaxMem",
	0x15: "Mod", 0x16: "OEM", 0x17: "ParamName", 0x18: "PropName",
	0x19: "Rx", 0x1A: "Rx-Pref", 0x1B: "SharedMem", 0x1C: "Size",
	0x1D: "SourceRef", 0x1E: "SwV", 0x1F: "SyncCap", 0x20: "SyncType",
	0x21: "Tx", 0x22: "Tx-Pref", 0x23: "ValEnum", 0x24: "VerCT",
	0x25: "VerDTD", 0x26: "XNam", 0x27: "XVal", 0x28: "UTC",
	0x29: "SupportNumberOfChanges", 0x2A: "SupportLargeObjs",
}

// devInfTags12 is the DevInf 1.2 code page.
var devInfTags12 = merge(devInfTags11, map[byte]string{
	0x1C: "MaxSize",
	0x2B: "Property", 0x2C: "PropParam", 0x2D: "MaxOccur", 0x2E: "NoTruncate",
	0x30: "Filter-Rx", 0x31: "FilterCap", 0x32: "FilterKeyword", 0x33: "FieldLevel",
	0x34: "SupportHierarchicalSync",
})

// dmDDFTags12 is the OMA DM DDF 1.2 code page (page 2).
var dmDDFTags12 = map[byte]string{
	0x05: "AccessType", 0x06: "ACL", 0x07: "Add", 0x08: "b64",
	0x09: "bin", 0x0A: "bool", 0x0B: "chr", 0x0C: "CaseSense",
	0x0D: "CIS", 0x0E: "Copy", 0x0F: "CS", 0x10: "date",
	0x11: "DDFName", 0x12: "DefaultValue", 0x13: "Delete", 0x14: "Description",
	0x15: "DFFormat", 0x16: "DFProperties", 0x17: "DFTitle", 0x18: "DFType",
	0x19: "Dynamic", 0x1A: "Exec", 0x1B: "float", 0x1C: "Format",
	0x1D: "Get", 0x1E: "int", 0x1F: "Man", 0x20: "MgmtTree",
	0x21: "MIME", 0x22: "Mod", 0x23: "Name", 0x24: "Node",
	0x25: "node", 0x26: "NodeName", 0x27: "null", 0x28: "Occurrence",
	0x29: "One", 0x2A: "OneOrMore", 0x2B: "OneOrN", 0x2C: "Path",
	0x2D: "Permanent", 0x2E: "Replace", 0x2F: "RTProperties", 0x30: "Scope",
	0x31: "Size", 0x32: "time", 0x33: "Title", 0x34: "TStamp",
	0x35: "Type", 0x36: "Value", 0x37: "VerDTD", 0x38: "VerNo",
	0x39: "xml", 0x3A: "ZeroOrMore", 0x3B: "ZeroOrN", 0x3C: "ZeroOrOne",
}

// syncMLOpaque: item data is written as OPAQUE, as the Synthesis engine and
// libwbxml do for content (vCard, iCalendar, nested WBXML).
var syncMLOpaque = map[string]string{"Data": "Item"}

// syncMLRewrites relabels device information and DM tree data that Encode
// writes as nested WBXML (libwbxml's wbxml_encoder.c does the same).
var syncMLRewrites = map[string]string{
	"application/vnd.syncml-devinf+xml": "application/vnd.syncml-devinf+wbxml",
	"application/vnd.syncml.dmtnds+xml": "application/vnd.syncml.dmtnds+wbxml",
}

func syncML(version string, id uint32, ns string, page0, page1 map[byte]string) *Language {
	return &Language{
		Name: "SyncML " + version, Version: version, PublicID: id,
		FPI: "-//SYNCML//DTD SyncML " + version + "//EN", Root: "SyncML",
		Pages: []*CodePage{
			{Page: 0, Namespace: ns, Tags: page0},
			{Page: 1, Namespace: NSMetInf, Tags: page1},
		},
		OpaqueText: syncMLOpaque, TypeRewrites: syncMLRewrites,
	}
}

func devInf(version string, id uint32, tags map[byte]string) *Language {
	return &Language{
		Name: "DevInf " + version, Version: version, PublicID: id,
		FPI: "-//SYNCML//DTD DevInf " + version + "//EN", Root: "DevInf",
		Pages: []*CodePage{{Page: 0, Namespace: NSDevInf, Tags: tags}},
	}
}

func metInf(version string, id uint32, tags map[byte]string) *Language {
	return &Language{
		Name: "MetInf " + version, Version: version, PublicID: id,
		FPI: "-//SYNCML//DTD MetInf " + version + "//EN", Root: "MetInf",
		Pages: []*CodePage{{Page: 1, Namespace: NSMetInf, Tags: tags}},
	}
}

// Built-in languages.
var (
	SyncML10 = syncML("1.0", 0x0FD1, NSSyncML10, syncMLTags11, metInfTags11)
	SyncML11 = syncML("1.1", 0x0FD3, NSSyncML11, syncMLTags11, metInfTags11)
	SyncML12 = syncML("1.2", 0x1201, NSSyncML12, syncMLTags12, metInfTags12)
	DevInf10 = devInf("1.0", 0x0FD2, devInfTags11)
	DevInf11 = devInf("1.1", 0x0FD4, devInfTags11)
	DevInf12 = devInf("1.2", 0x1203, devInfTags12)
	MetInf10 = metInf("1.0", 0, metInfTags11)
	MetInf11 = metInf("1.1", 0, metInfTags11)
	MetInf12 = metInf("1.2", 0x1202, metInfTags12)
	DMDDF12  = &Language{
		Name: "DM DDF 1.2", Version: "1.2", FPI: "-//OMA//DTD-DM-DDF 1.2//EN", Root: "MgmtTree",
		Pages: []*CodePage{{Page: 2, Namespace: NSDMDDF12, Tags: dmDDFTags12}},
	}
)

// languages is the registry searched by public identifier, FPI, namespace
// and root element name; newer versions first.
var languages = []*Language{
	SyncML12, SyncML11, SyncML10,
	DevInf12, DevInf11, DevInf10,
	MetInf12, MetInf11, MetInf10,
	DMDDF12,
}

func merge(base, extra map[byte]string) map[byte]string {
	m := make(map[byte]string, len(base)+len(extra))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}
