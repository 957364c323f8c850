// Package wbxml converts WAP Binary XML (WBXML 1.0–1.3, WAP-192-WBXML-20010725-a)
// to and from etree element trees, the same *etree.Document the XML codecs of
// this module read and write.
//
// The codec is generic: it knows token tables (code pages, §5.8.2 and §5.8.3
// of the specification) and a few encoding conventions of the languages it
// carries, but nothing of their semantics. Tables for SyncML 1.0/1.1/1.2 with
// the MetInf page, DevInf 1.0/1.1/1.2 and OMA DM DDF 1.2 are built in (see
// tables.go), and so are the Exchange ActiveSync code pages as the
// language ActiveSync (eas_tables.go), which is passed to DecodeWith and
// Encode explicitly since EAS documents carry no public identifier.
//
// Decoding (Decode, DecodeWith) accepts every construct of the specification:
// the header (§5.4 version, §5.5 public identifier, also as a string table
// reference, §5.6 charset, §5.7 string table), attributes (§5.8.3) and all
// global tokens (§5.8.4, values in §7.1): SWITCH_PAGE anywhere, inline and
// table strings, character entities, opaque data, LITERAL tag and attribute
// names and processing instructions (dropped). Extension tokens are refused,
// as no language here defines them. An OPAQUE value that is itself a WBXML
// document of a known language, as SyncML clients send device information
// inside <Data>, becomes an element child. Code points the tables do not
// name decode to elements called "wbxml-p<page>-t<hex token>", which Encode
// writes back as the same token.
//
// Encoding (Encode) writes a WBXML 1.2 document by default with the numeric
// public identifier of the language chosen from the root element's namespace,
// charset UTF-8 and a string table that holds only LITERAL names unless
// EncodeOptions.StringTable asks for more. An element of another language
// (a DevInf inside a SyncML <Data>) is written as a nested WBXML document in
// OPAQUE, as libwbxml, the Synthesis engine (SyncEvolution) and Funambol do.
//
// Decoding is bounded: elements nest at most 64 deep, the decoded names and
// text are limited in size (DecodeOptions.MaxSize), every string table
// reference is checked and malformed input yields an error, never a panic.
// Errors are prefixed "wbxml: ".
package wbxml
