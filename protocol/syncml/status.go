package syncml

import (
	"fmt"
	"strconv"
)

// StatusCode is a SyncML response status code (RepPro 1.2 section 10,
// "Response Status Codes"; DS Protocol 1.2 Appendix 1 for their use in
// synchronization).
type StatusCode int

// Status codes. Informational 1xx, successful 2xx, redirection 3xx,
// originator exceptions 4xx, recipient exceptions 5xx.
const (
	StatusInProgress StatusCode = 101

	StatusOK                          StatusCode = 200
	StatusItemAdded                   StatusCode = 201
	StatusAccepted                    StatusCode = 202
	StatusNonAuthoritative            StatusCode = 203
	StatusNoContent                   StatusCode = 204
	StatusResetContent                StatusCode = 205
	StatusPartialContent              StatusCode = 206
	StatusConflictMerged              StatusCode = 207
	StatusConflictClientWon           StatusCode = 208
	StatusConflictDuplicated          StatusCode = 209
	StatusDeleteWithoutArchive        StatusCode = 210
	StatusItemNotDeleted              StatusCode = 211
	StatusAuthenticationAccepted      StatusCode = 212
	StatusChunkAccepted               StatusCode = 213
	StatusOperationCancelled          StatusCode = 214
	StatusNotExecuted                 StatusCode = 215
	StatusAtomicRollbackOK            StatusCode = 216
	StatusMultipleChoices             StatusCode = 300
	StatusMovedPermanently            StatusCode = 301
	StatusFound                       StatusCode = 302
	StatusSeeOther                    StatusCode = 303
	StatusNotModified                 StatusCode = 304
	StatusUseProxy                    StatusCode = 305
	StatusBadRequest                  StatusCode = 400
	StatusInvalidCredentials          StatusCode = 401
	StatusPaymentRequired             StatusCode = 402
	StatusForbidden                   StatusCode = 403
	StatusNotFound                    StatusCode = 404
	StatusCommandNotAllowed           StatusCode = 405
	StatusNotSupported                StatusCode = 406
	StatusMissingCredentials          StatusCode = 407
	StatusRequestTimeout              StatusCode = 408
	StatusConflict                    StatusCode = 409
	StatusGone                        StatusCode = 410
	StatusSizeRequired                StatusCode = 411
	StatusIncompleteCommand           StatusCode = 412
	StatusEntityTooLarge              StatusCode = 413
	StatusURITooLong                  StatusCode = 414
	StatusUnsupportedMediaType        StatusCode = 415
	StatusRequestedSizeTooBig         StatusCode = 416
	StatusRetryLater                  StatusCode = 417
	StatusAlreadyExists               StatusCode = 418
	StatusConflictServerWon           StatusCode = 419
	StatusDeviceFull                  StatusCode = 420
	StatusUnknownSearchGrammar        StatusCode = 421
	StatusBadCGIScript                StatusCode = 422
	StatusSoftDeleteConflict          StatusCode = 423
	StatusSizeMismatch                StatusCode = 424
	StatusPermissionDenied            StatusCode = 425
	StatusPartialItemNotAccepted      StatusCode = 426
	StatusItemNotEmpty                StatusCode = 427
	StatusMoveFailed                  StatusCode = 428
	StatusCommandFailed               StatusCode = 500
	StatusNotImplemented              StatusCode = 501
	StatusBadGateway                  StatusCode = 502
	StatusServiceUnavailable          StatusCode = 503
	StatusGatewayTimeout              StatusCode = 504
	StatusDTDVersionNotSupported      StatusCode = 505
	StatusProcessingError             StatusCode = 506
	StatusAtomicFailed                StatusCode = 507
	StatusRefreshRequired             StatusCode = 508
	StatusDataStoreFailure            StatusCode = 510
	StatusServerFailure               StatusCode = 511
	StatusSyncFailed                  StatusCode = 512
	StatusProtocolVersionNotSupported StatusCode = 513
	StatusOperationCancelledFailed    StatusCode = 514
	StatusAtomicRollbackFailed        StatusCode = 516
	StatusAtomicResponseTooLarge      StatusCode = 517
)

var statusText = map[StatusCode]string{
	101: "In progress",
	200: "OK",
	201: "Item added",
	202: "Accepted for processing",
	203: "Non-authoritative response",
	204: "No content",
	205: "Reset content",
	206: "Partial content",
	207: "Conflict resolved with merge",
	208: "Conflict resolved with client's command winning",
	209: "Conflict resolved with duplicate",
	210: "Delete without archive",
	211: "Item not deleted",
	212: "Authentication accepted",
	213: "Chunked item accepted and buffered",
	214: "Operation cancelled",
	215: "Not executed",
	216: "Atomic roll back OK",
	300: "Multiple choices",
	301: "Moved permanently",
	302: "Found",
	303: "See other URI",
	304: "Not modified",
	305: "Use proxy",
	400: "Bad request",
	401: "Invalid credentials",
	402: "Payment required",
	403: "Forbidden",
	404: "Not found",
	405: "Command not allowed",
	406: "Optional feature not supported",
	407: "Missing credentials",
	408: "Request timeout",
	409: "Conflict",
	410: "Gone",
	411: "Size required",
	412: "Incomplete command",
	413: "Request entity too large",
	414: "URI too long",
	415: "Unsupported media type or format",
	416: "Requested size too big",
	417: "Retry later",
	418: "Already exists",
	419: "Conflict resolved with server data",
	420: "Device full",
	421: "Unknown search grammar",
	422: "Bad CGI script",
	423: "Soft-delete conflict",
	424: "Size mismatch",
	425: "Permission denied",
	426: "Partial item not accepted",
	427: "Item not empty",
	428: "Move failed",
	500: "Command failed",
	501: "Command not implemented",
	502: "Bad gateway",
	503: "Service unavailable",
	504: "Gateway timeout",
	505: "DTD version not supported",
	506: "Processing error",
	507: "Atomic failed",
	508: "Refresh required",
	510: "Data store failure",
	511: "Server failure",
	512: "Synchronization failed",
	513: "Protocol version not supported",
	514: "Operation cancelled",
	516: "Atomic roll back failed",
	517: "Atomic response too large to fit",
}

// Text is the short description of the code from the RepPro table, or ""
// for a code it does not define.
func (s StatusCode) Text() string { return statusText[s] }

// String is "200 OK", or just the number for an undefined code.
func (s StatusCode) String() string {
	if t := statusText[s]; t != "" {
		return strconv.Itoa(int(s)) + " " + t
	}
	return strconv.Itoa(int(s))
}

// Success tells whether s is a 1xx or 2xx code: the command was (or is
// being) carried out.
func (s StatusCode) Success() bool { return s >= 100 && s < 300 }

// AlertCode is the Data of an Alert (DS Protocol 1.2, Alert
// Codes).
type AlertCode int

// Alert codes used in data synchronization.
const (
	AlertDisplay                   AlertCode = 100
	AlertTwoWay                    AlertCode = 200
	AlertSlowSync                  AlertCode = 201
	AlertOneWayFromClient          AlertCode = 202
	AlertRefreshFromClient         AlertCode = 203
	AlertOneWayFromServer          AlertCode = 204
	AlertRefreshFromServer         AlertCode = 205
	AlertTwoWayByServer            AlertCode = 206
	AlertOneWayFromClientByServer  AlertCode = 207
	AlertRefreshFromClientByServer AlertCode = 208
	AlertOneWayFromServerByServer  AlertCode = 209
	AlertRefreshFromServerByServer AlertCode = 210
	AlertResult                    AlertCode = 221
	AlertNextMessage               AlertCode = 222
	AlertNoEndOfData               AlertCode = 223
	AlertSuspend                   AlertCode = 224
	AlertResume                    AlertCode = 225
)

var alertText = map[AlertCode]string{
	100: "Display",
	200: "Two-way sync",
	201: "Slow sync",
	202: "One-way sync from client",
	203: "Refresh sync from client",
	204: "One-way sync from server",
	205: "Refresh sync from server",
	206: "Two-way sync alerted by server",
	207: "One-way sync from client alerted by server",
	208: "Refresh sync from client alerted by server",
	209: "One-way sync from server alerted by server",
	210: "Refresh sync from server alerted by server",
	221: "Result alert",
	222: "Next message",
	223: "End of data for chunked object not received",
	224: "Suspend",
	225: "Resume",
}

// Text is the name of the alert code, or "" for an undefined one.
func (a AlertCode) Text() string { return alertText[a] }

// String is "201 Slow sync", or just the number for an undefined code.
func (a AlertCode) String() string {
	if t := alertText[a]; t != "" {
		return strconv.Itoa(int(a)) + " " + t
	}
	return strconv.Itoa(int(a))
}

// SyncMode tells whether a is a sync type (200-210, or 225 taken as 201) and, for the 206-210
// server-alerted variants, which client-initiated type (200-205) the client
// is asked to start (DS Protocol 1.2, Server
// Alerted Sync).
func (a AlertCode) SyncMode() (AlertCode, bool) {
	switch {
	case a >= 200 && a <= 205:
		return a, true
	case a == AlertTwoWayByServer:
		return AlertTwoWay, true
	case a >= 207 && a <= 210:
		return a - 5, true
	case a == AlertResume:
		// A resume the server cannot grant goes on with a slow sync
		// (answered 508), so the device's sync succeeds instead of
		// failing; the session front end resumes when it can.
		return AlertSlowSync, true
	}
	return 0, false
}

// NewStatus builds the Status answering command c of message msgRef
// (RepPro, Status). CmdID is left for the
// caller to number. TargetRef and SourceRef name what was answered: the
// command's own Target/Source where it has them (Sync, Map), else the
// Target/Source LocURIs of its items (Alert, Add, Replace, Delete, Put,
// Get, Results, ...).
func NewStatus(msgRef string, c *Command, code StatusCode) *Command {
	s := &Command{Name: "Status", MsgRef: msgRef, CmdRef: c.CmdID, Cmd: c.Name,
		Data: strconv.Itoa(int(code)), NumberOfChanges: -1}
	if c.Target.URI != "" || c.Source.URI != "" {
		s.TargetRefs = appendNonEmpty(nil, c.Target.URI)
		s.SourceRefs = appendNonEmpty(nil, c.Source.URI)
		return s
	}
	for _, it := range c.Items {
		s.TargetRefs = appendNonEmpty(s.TargetRefs, it.Target.URI)
		s.SourceRefs = appendNonEmpty(s.SourceRefs, it.Source.URI)
	}
	return s
}

// NewHeaderStatus builds the Status for a SyncHdr (RepPro, Status): CmdRef
// "0", Cmd "SyncHdr", TargetRef the header's Target and SourceRef its
// Source LocURI, as the sender wrote them.
func NewHeaderStatus(h Header, code StatusCode) *Command {
	return &Command{Name: "Status", MsgRef: h.MsgID, CmdRef: "0", Cmd: "SyncHdr",
		Data: strconv.Itoa(int(code)), NumberOfChanges: -1,
		TargetRefs: appendNonEmpty(nil, h.Target.URI), SourceRefs: appendNonEmpty(nil, h.Source.URI)}
}

func appendNonEmpty(refs []string, s string) []string {
	if s == "" {
		return refs
	}
	return append(refs, s)
}

// Error is a SyncML status as an error: a command handler returns it to
// have its command answered with Code, and the session turns it into the
// command's Status in one place. Err says why, for the log only; it never
// reaches the device.
type Error struct {
	Code StatusCode
	Err  error
}

// Errorf returns an Error with Code code and a reason made as fmt.Errorf
// makes it.
func Errorf(code StatusCode, format string, args ...any) *Error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "syncml: status " + e.Code.String()
	}
	return "syncml: status " + e.Code.String() + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
