// Package activesync is the Exchange ActiveSync front end: the HTTP request
// loop of MS-ASHTTP, the WBXML bodies of MS-ASCMD (one file per command)
// and the typed statuses of each command. Accounts, folders, sync state and
// item storage sit behind the Backend and Session interfaces (backend.go),
// which the sync core implements; item content crosses that seam in the
// neutral form made by a Converter.
package activesync

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/beevik/etree"

	"anchorage/protocol/wbxml"
)

// Path is where EAS clients post (MS-ASHTTP 2.2.1.1.1).
const Path = "/Microsoft-Server-ActiveSync"

// Versions and commands announced by OPTIONS (MS-ASHTTP 2.2.4).
const (
	protocolVersions = "2.5,12.0,12.1,14.0,14.1,16.0,16.1"
	protocolCommands = "Sync,SendMail,SmartForward,SmartReply,GetAttachment,FolderSync,FolderCreate," +
		"FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,MeetingResponse,Search,Settings,Ping," +
		"ItemOperations,Provision,ResolveRecipients,ValidateCert,Find"
)

// contentType is the media type of WBXML bodies (MS-ASHTTP 2.2.1.1.2.2).
const contentType = "application/vnd.ms-sync.wbxml"

// Provisioning says when a device has to provision (MS-ASPROV) first.
type Provisioning int

const (
	// ProvisionOff never asks for provisioning; Provision still answers.
	ProvisionOff Provisioning = iota
	// ProvisionLoose asks only devices that send X-MS-PolicyKey, as Z-Push
	// does: TbSync sends none until asked and then syncs unprovisioned.
	ProvisionLoose
	// ProvisionRequired answers 449 to every device without a valid key.
	ProvisionRequired
)

// Options configure a Server.
type Options struct {
	Backend      Backend
	Converter    Converter
	Provisioning Provisioning
	Logger       *slog.Logger
	// MaxBodyBytes bounds a request body; 0 means 16 MiB.
	MaxBodyBytes int64
	// NewPolicyKey returns a fresh non-zero temporary policy key
	// (Provision phase 1); nil uses crypto/rand.
	NewPolicyKey func() uint32
	// MinHeartbeat and MaxHeartbeat bound how long a Ping or a hanging
	// Sync may park (MS-ASCMD 2.2.3.88); 0 means 60 s and 3540 s.
	MinHeartbeat, MaxHeartbeat time.Duration
	// MaxFolders bounds the folders of one Ping; 0 means 300.
	MaxFolders int
	// Parked, when set, is told of each request that parks (Ping or a
	// hanging Sync) with +1 once its first look at the store found
	// nothing new, and again with -1 when it ends: a gauge of the open
	// pushes for monitoring.
	Parked func(delta int)
}

// Server answers EAS requests at Path. It holds no per-device state: all
// of that is behind the Backend.
type Server struct {
	opts    Options
	log     *slog.Logger
	parking parking
}

// New returns a Server.
func New(opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.NewPolicyKey == nil {
		opts.NewPolicyKey = randomPolicyKey
	}
	if opts.MinHeartbeat <= 0 {
		opts.MinHeartbeat = defaultMinHeartbeat
	}
	if opts.MaxHeartbeat <= 0 {
		opts.MaxHeartbeat = defaultMaxHeartbeat
	}
	if opts.MaxFolders <= 0 {
		opts.MaxFolders = defaultMaxFolders
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Server{opts: opts, log: log}
}

// conn is one request being answered.
type conn struct {
	srv  *Server
	user string
	req  *Request
	sess Session
	wipe Wipe // the device's remote-wipe state
	w    http.ResponseWriter
	r    *http.Request
}

// handlers are the commands of this front end, one file each.
var handlers = map[string]func(*conn, *etree.Element) (*etree.Element, error){
	"Provision":       (*conn).provision,
	"Settings":        (*conn).settings,
	"FolderSync":      (*conn).folderSync,
	"Sync":            (*conn).sync,
	"GetItemEstimate": (*conn).getItemEstimate,
	"ItemOperations":  (*conn).itemOperations,
	"Ping":            (*conn).ping,
	"Search":          (*conn).search,
	"Find":            (*conn).find,
}

// ServeHTTP answers OPTIONS and POST (MS-ASHTTP 2.2.1 and 2.2.4).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodOptions:
		h := w.Header()
		h.Set("MS-Server-ActiveSync", "14.1")
		h.Set("MS-ASProtocolVersions", protocolVersions)
		h.Set("MS-ASProtocolCommands", protocolCommands)
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost:
	default:
		s.fail(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	req, err := parseRequest(r)
	if err != nil {
		if errors.Is(err, errUnsupportedVersion) {
			w.Header().Set("MS-ASProtocolVersions", protocolVersions)
		}
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="ActiveSync"`)
		s.fail(w, r, http.StatusUnauthorized, "no credentials")
		return
	}
	if req.User != "" && !strings.EqualFold(stripDomain(req.User), stripDomain(user)) {
		s.fail(w, r, http.StatusForbidden, "query User differs from the credentials")
		return
	}
	sess, err := s.opts.Backend.Login(r.Context(), stripDomain(user), pass, Device{
		ID: req.DeviceID, Type: req.DeviceType, UserAgent: r.UserAgent(), ProtocolVersion: req.ProtocolVersion,
	})
	if errors.Is(err, ErrAuthFailed) {
		w.Header().Set("WWW-Authenticate", `Basic realm="ActiveSync"`)
		s.fail(w, r, http.StatusUnauthorized, "bad user or password")
		return
	} else if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "login: "+err.Error())
		return
	}
	defer func() {
		if err := sess.Close(); err != nil {
			s.log.Warn("activesync: closing the request's session", "device", req.DeviceID, "err", err)
		}
	}()
	c := &conn{srv: s, user: stripDomain(user), req: req, sess: sess, w: w, r: r}
	c.serve()
}

// serve runs one command.
func (c *conn) serve() {
	h, ok := handlers[c.req.Cmd]
	if !ok {
		// Mail and other commands this server does not carry (MS-ASCMD
		// 2.2.2: 137 Command not supported, sent as HTTP 501 to older
		// versions).
		c.srv.fail(c.w, c.r, http.StatusNotImplemented, "command not supported: "+c.req.Cmd)
		return
	}
	if done, err := c.wipeGate(); err != nil {
		c.srv.fail(c.w, c.r, http.StatusInternalServerError, "wipe state: "+err.Error())
		return
	} else if done {
		return
	}
	if need, err := c.needsProvisioning(); err != nil {
		c.srv.fail(c.w, c.r, http.StatusInternalServerError, err.Error())
		return
	} else if need {
		// 449 for 2.5–12.1 and, as TbSync expects, for later versions
		// too; MS-ASPROV 3.2.5.1.
		c.srv.fail(c.w, c.r, 449, "device must provision first")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, c.srv.opts.MaxBodyBytes))
	if err != nil {
		c.srv.fail(c.w, c.r, http.StatusRequestEntityTooLarge, "body: "+err.Error())
		return
	}
	var in *etree.Element
	if len(body) > 0 {
		doc, err := wbxml.DecodeWith(body, wbxml.DecodeOptions{Language: wbxml.ActiveSync})
		if err != nil {
			c.srv.fail(c.w, c.r, http.StatusBadRequest, err.Error())
			return
		}
		in = doc.Root()
	}
	out, err := h(c, in)
	var he *httpError
	switch {
	case errors.As(err, &he):
		c.srv.fail(c.w, c.r, he.code, he.msg)
		return
	case err != nil:
		c.srv.fail(c.w, c.r, http.StatusInternalServerError, c.req.Cmd+": "+err.Error())
		return
	}
	c.writeBody(out)
}

// needsProvisioning reports whether the command must be refused with 449.
func (c *conn) needsProvisioning() (bool, error) {
	switch c.req.Cmd {
	case "Provision", "Ping":
		return false, nil
	}
	switch c.srv.opts.Provisioning {
	case ProvisionOff:
		return false, nil
	case ProvisionLoose:
		if !c.req.HasPolicyKey {
			return false, nil
		}
	}
	key, err := c.sess.PolicyKey(c.r.Context())
	if err != nil {
		return false, fmt.Errorf("policy key: %w", err)
	}
	return key == 0 || !c.req.HasPolicyKey || c.req.PolicyKey != key, nil
}

// writeBody writes a WBXML answer; a nil element is an empty 200 (allowed
// for Sync and GetItemEstimate, MS-ASCMD 2.2.1.21).
func (c *conn) writeBody(out *etree.Element) {
	if out == nil {
		c.w.WriteHeader(http.StatusOK)
		return
	}
	doc := etree.NewDocument()
	doc.SetRoot(out)
	data, err := wbxml.Encode(doc, wbxml.EncodeOptions{Language: wbxml.ActiveSync, Version: 0x03, InlineData: true, KeepTypes: true})
	if err != nil {
		c.srv.fail(c.w, c.r, http.StatusInternalServerError, "encode: "+err.Error())
		return
	}
	c.w.Header().Set("Content-Type", contentType)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(data)
}

// httpError ends a command with an HTTP status instead of a WBXML body.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.msg) }

// badRequest is the answer to a body the command cannot read.
func badRequest(format string, a ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// fail writes an HTTP error and its log line.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.log.Warn("activesync: request refused", "status", code, "reason", msg,
		"remote", r.RemoteAddr, "query", r.URL.RawQuery)
	http.Error(w, msg, code)
}

// stripDomain turns DOMAIN\user into user.
func stripDomain(u string) string {
	if i := strings.LastIndexByte(u, '\\'); i >= 0 {
		return u[i+1:]
	}
	return u
}
